"""A new build lands in the build folder while Anki is open: how long until the collection has it?

The add-on watches the folder (`poll_seconds` is an hour here, so only the watcher can notice).
Anki opens with v1 already in the folder (imported at once, no poll needed); the driver then writes
v2 atomically (a temporary name, then a rename, as `kbdeck build` does) and times the moment the
rename happens until the edited note's text is v2's in the collection. Three rounds alternate v2/v1
so each one is a real update.
"""

from __future__ import annotations

import importlib
import os
import shutil
import time
from collections.abc import Generator
from pathlib import Path
from typing import Any

from . import checked, sleep, until


def scenario(settings: dict[str, Any], r: dict[str, Any]) -> Generator[Any, Any, None]:
    from aqt import mw

    assert mw is not None
    pkg = settings.get("package", "kbdeck")
    updater = importlib.import_module(f"{pkg}.views.updater")
    builds = Path(settings["builds"])
    target = builds / Path(settings["v1"]).name
    edited = settings["edited"]

    def text() -> str:
        nids = mw.col.find_notes(f'"Id:{edited}"')
        return "\x1f".join(mw.col.get_note(nids[0]).fields) if nids else ""

    checked((yield until(lambda: mw.col.find_notes(f'"Id:{edited}"'), timeout_s=40, what="v1 imported at startup")))
    checked((yield until(lambda: not updater._running, what="first update done")))
    r["watching"] = list(updater._watcher.directories()) if updater._watcher is not None else []
    r["rounds"] = []
    for i, source in enumerate((settings["v2"], settings["v1"], settings["v2"])):
        before = text()
        tmp = builds / f".incoming-{i}.tmp"
        shutil.copy2(source, tmp)
        os.utime(tmp)  # a fresh file, as a build writes it
        started = time.monotonic()
        os.replace(tmp, target)
        checked((yield until(lambda b=before: text() != b, timeout_s=30, what=f"round {i} imported")))
        r["rounds"].append(round(time.monotonic() - started, 3))
        checked((yield until(lambda: not updater._running, what=f"round {i} done")))
    r["v2_text_has_edit"] = "Editado na v2" in text()

    # A build copied in by hand, in two writes: the half-written file is no whole zip, so the add-on
    # waits for it (never an error), and imports it once it is whole.
    before, data = text(), Path(settings["v1"]).read_bytes()
    with target.open("wb") as f:
        f.write(data[: len(data) // 2])
        f.flush()
        yield sleep(150)  # the watcher looks at the half-written file meanwhile
        r["half_imported"] = text() != before
        f.write(data[len(data) // 2 :])
    checked((yield until(lambda: text() != before, timeout_s=30, what="the hand copy imported")))
    r["hand_copy_imported"] = "Editado na v2" not in text()

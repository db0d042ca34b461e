"""Runs the real Anki desktop app offscreen with the kbdeck add-on and the test-driver add-on.

`run_anki` prepares a fresh Anki data folder in tmp (ProfileManager: one profile "test", no
first-run dialogs, software rendering, English), installs the packaged .ankiaddon through
Anki's own AddonManager.install, adds the driver add-on and optional extra media files, then
launches `aqt.run()` with QT_QPA_PLATFORM=offscreen and waits for the driver's results.json.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DRIVER = Path(__file__).parent / "driver"
PROFILE = "test"

_PREPARE = textwrap.dedent(
    """
    import sys, types
    from pathlib import Path
    from aqt.profiles import ProfileManager, VideoDriver
    from aqt.addons import AddonManager, InstallOk

    base, addon = Path(sys.argv[1]), sys.argv[2]
    pm = ProfileManager(ProfileManager.get_created_base_folder(str(base)))
    pm.setupMeta()
    pm.create("test")
    pm.meta.update(firstRun=False, check_for_updates=False, check_for_addon_updates=False)
    pm.setLang("en_US")
    pm.set_video_driver(VideoDriver.Software)
    pm.db.close()

    # Anki's own installer (manifest validation, extraction, meta.json), outside a running Anki.
    signal = types.SimpleNamespace(connect=lambda fn: None)
    stub = types.SimpleNamespace(
        form=types.SimpleNamespace(actionAdd_ons=types.SimpleNamespace(triggered=signal)),
        pm=types.SimpleNamespace(addonFolder=lambda: str(base / "addons21")),
    )
    (base / "addons21").mkdir(exist_ok=True)
    result = AddonManager(stub).install(addon)
    if not isinstance(result, InstallOk):
        raise SystemExit(f"install failed: {result}")
    print("installed", result.name)
    """
)


@dataclass
class AnkiRun:
    """What one Anki session produced."""

    results: dict[str, Any]
    returncode: int
    output: str
    seconds: float


def prepare_base(
    base: Path, ankiaddon: Path, media: dict[str, bytes] | None = None, config: dict[str, Any] | None = None
) -> None:
    """A fresh Anki data folder with the add-on installed and the driver add-on beside it; `config`,
    when given, is the add-on's configuration (as Add-ons → Config saves it, in its meta.json)."""
    subprocess.run(
        [sys.executable, "-c", _PREPARE, str(base), str(ankiaddon)],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        timeout=60,
    )
    shutil.copytree(DRIVER, base / "addons21" / "zz_kbdeck_driver", ignore=shutil.ignore_patterns("__pycache__"))
    media_dir = base / PROFILE / "collection.media"
    media_dir.mkdir(parents=True, exist_ok=True)
    for name, data in (media or {}).items():
        (media_dir / name).write_bytes(data)
    if config is not None:
        meta_file = base / "addons21" / "kbdeck" / "meta.json"
        meta = json.loads(meta_file.read_text()) if meta_file.exists() else {}
        meta["config"] = config
        meta_file.write_text(json.dumps(meta))


def run_anki(
    base: Path, settings: dict[str, Any], timeout_s: float = 110, env: dict[str, str] | None = None
) -> AnkiRun:
    """Launch Anki on `base`; the driver follows `settings` and writes settings["results"].

    `env` adds to (or overrides) the environment Anki runs in, e.g. a PATH with a fake editor first.
    """
    settings_file = base / "driver-settings.json"
    settings_file.write_text(json.dumps(settings))
    results = Path(settings["results"])
    results.unlink(missing_ok=True)
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "QTWEBENGINE_DISABLE_SANDBOX": "1",
        "KBDECK_TEST_DRIVER": str(settings_file),
        "ANKI_NOHIGHDPI": "1",
        # Anki allows one instance per user and hands "second" launches to the first one: give each
        # test session its own key, so parallel runs (other suites, other engineers) never collide.
        "ANKI_SINGLE_INSTANCE_KEY": f"kbdeck-test-{uuid.uuid4().hex}",
        **(env or {}),
    }
    started = time.monotonic()
    try:
        proc = subprocess.run(
            [sys.executable, "-c", "import aqt; aqt.run()", "-b", str(base), "-p", PROFILE],
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout_s,
        )
        code, output = proc.returncode, proc.stdout + proc.stderr
    except subprocess.TimeoutExpired as exc:
        code, output = -9, f"{_text(exc.stdout)}{_text(exc.stderr)}\n(killed after {timeout_s} s)"
    data = json.loads(results.read_text()) if results.exists() else {"status": "no results"}
    return AnkiRun(data, code, output, time.monotonic() - started)


def _text(data: str | bytes | None) -> str:
    return data.decode(errors="replace") if isinstance(data, bytes) else (data or "")

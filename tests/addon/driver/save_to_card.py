"""Save → card: a learner edits a card's question in its YAML file while the card is open in the
reviewer; `kbdeck watch` (started by the test, a separate process) rebuilds into the build folder,
the add-on (auto-update, folder watcher) imports it, and the reviewer shows the new text.

Times each round from the moment the file is written to the moment the reviewer's page holds the
new text (polled every 10 ms), with another window in front of Anki's (the editor's): Anki itself
redraws the reviewer only once its window gets focus back. Rounds are 1.2 s apart: a build stamps
edited notes in whole seconds.
"""

from __future__ import annotations

import importlib
import json
import time
from collections.abc import Generator
from pathlib import Path
from typing import Any

from . import Wait, checked, shot, sleep, until, until_js
from .part2 import run_op


def _shows(web: Any, text: str, what: str) -> Wait:
    """Until the reviewer's page holds `text`, polled every 10 ms (the scenario resumes at once)."""
    return until_js(web, f"document.body.innerText.includes({json.dumps(text)})", timeout_s=10, what=what, every_ms=10)


def scenario(settings: dict[str, Any], r: dict[str, Any]) -> Generator[Any, Any, None]:
    from aqt import mw
    from aqt.qt import QWidget

    assert mw is not None
    pkg = settings.get("package", "kbdeck")
    updater = importlib.import_module(f"{pkg}.views.updater")
    card_id, path, line = settings["card"], Path(settings["file"]), settings["line"]

    checked((yield until(lambda: mw.col.find_cards(f'"Id:{card_id}"'), timeout_s=40, what="the first build imported")))
    checked((yield until(lambda: not updater._running, what="first update done")))
    cids = mw.col.find_cards(f'"Id:{card_id}"')
    did = mw.col.get_card(cids[0]).did
    editor = QWidget()  # the learner's editor, in front of Anki (which then redraws nothing by itself)
    editor.setWindowTitle("editor")
    editor.resize(400, 300)
    editor.show()
    editor.activateWindow()
    checked((yield until(lambda: mw.app.activeWindow() is editor, what="the editor in front")))
    checked((yield run_op(lambda c: c.sched.reposition_new_cards(cids, 0, 1, False, True))))
    # Anki's deck list redraws itself after a change in a background op, and draws over whatever
    # screen came up meanwhile: a learner cannot click that fast, the driver can
    checked((yield until(lambda: not mw._background_op_count, what="the deck list drawn")))
    mw.col.decks.select(did)
    # and a redraw can still land after the count fell to 0 (seen on a busy machine: the reviewer's
    # scripts then run in the deck list's page, "showQuestion is not defined"): the driver, unlike a
    # learner, got there first; it opens the reviewer again, up to three times, and says so
    r["review_attempts"] = 0
    for attempt in range(3):
        r["review_attempts"] += 1
        mw.moveToState("review")
        checked((yield until(lambda: mw.reviewer.state == "question" and mw.reviewer.card, what="the question")))
        r["reviewer_card"] = mw.reviewer.card.note()["Id"]
        shown = yield _shows(mw.reviewer.web, line.strip()[:30], "the question")
        if not isinstance(shown, Exception) or attempt == 2:
            checked(shown)
            break
    r["focused"] = mw.app.activeWindow() is mw
    r["rounds"], r["phases"] = [], []
    # when the build landed (the package's time), the add-on decided to import, and its op ran
    starts: list[float] = []
    start_update = updater.start_update

    def timed_start(*args: Any, **kwargs: Any) -> None:
        starts.append(time.time())
        start_update(*args, **kwargs)

    ran: list[tuple[float, float]] = []
    run_update = updater.run_update

    def timed_run(*args: Any, **kwargs: Any) -> Any:
        began = time.time()
        try:
            return run_update(*args, **kwargs)
        finally:
            ran.append((began, time.time()))

    updater.run_update = timed_run
    updater.start_update = timed_start
    apkg = Path(updater.newest_build(mw.addonManager.getConfig(pkg)["build_folder"]).path)
    text = path.read_text(encoding="utf-8")
    for i in range(3):
        marker = f"Salvo{i} "
        edited = text.replace(line, line.replace(line.lstrip(), marker + line.lstrip(), 1), 1)
        assert edited != text
        yield sleep(1200)
        started, wall = time.monotonic(), time.time()
        path.write_text(edited, encoding="utf-8")  # an editor's save
        checked((yield _shows(mw.reviewer.web, marker.strip(), f"round {i} in the reviewer")))
        r["rounds"].append(round(time.monotonic() - started, 3))
        landed = apkg.stat().st_mtime - wall
        decided = (starts[-1] - wall) if starts else -1
        r["phases"].append(
            {
                "landed": round(landed, 3),
                "import_started": round(decided, 3),
                "op": [round(t - wall, 3) for t in ran[-1]] if ran else None,
            }
        )
        checked((yield until(lambda: not updater._running, what=f"round {i} done")))
    r["reviewer_card_after"] = mw.reviewer.card.note()["Id"]
    r["state_after"] = mw.reviewer.state
    r["focused_after"] = mw.app.activeWindow() is mw
    if settings.get("screenshots"):
        r["screen"] = yield shot(mw, settings["screenshots"], "save-to-card.png")
    editor.close()

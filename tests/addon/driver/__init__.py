"""Test driver add-on: scripts a real, offscreen Anki through the kbdeck add-on, then quits.

Installed by tests/addon/harness.py as `addons21/zz_kbdeck_driver` and active only when
KBDECK_TEST_DRIVER names its JSON settings file; anywhere else it does nothing. The scenario is
a generator that yields "wait" requests (a JS expression to poll, a condition, a delay), so it
reads top to bottom like the user's session it plays. It writes everything it saw (DOM numbers,
SQL truth computed here from the collection, errors) to results.json and screenshots to the
configured folder; pytest asserts on those. A watchdog kills the process if anything hangs.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import sys
import time
import traceback
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

from .probes import NOTE, PANEL, VIEW, truth, when

SETTINGS = os.environ.get("KBDECK_TEST_DRIVER")
Wait = Callable[[Callable[[Any], None]], None]


class _Records(logging.Handler):
    """Keeps the add-on's warnings and errors for the results."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.levelname} {record.name}: {record.getMessage()}")


def _start() -> None:
    from aqt import gui_hooks

    settings = json.loads(Path(SETTINGS or "").read_text())
    records = _Records()
    logging.getLogger("addon").addHandler(records)
    logging.getLogger("kbdeck").addHandler(records)
    results: dict[str, Any] = {"steps": [], "log": records.lines, "errors": []}

    def finish(status: str) -> None:
        from aqt import mw

        results["status"] = status
        Path(settings["results"]).write_text(json.dumps(results, indent=2, ensure_ascii=False))
        if mw is not None:
            mw.unloadProfileAndExit()

    def on_init() -> None:
        from aqt.qt import QTimer

        watchdog = QTimer()
        watchdog.setSingleShot(True)
        watchdog.timeout.connect(lambda: _die(results, settings))
        watchdog.start(int(settings.get("watchdog_s", 100) * 1000))
        name = settings.get("scenario")
        if name:  # another scripted session: the module of that name in this package, its `scenario`
            try:
                scenario = importlib.import_module(f".{name}", __package__).scenario
            except Exception:
                results["errors"].append(traceback.format_exc())
                finish("failed")
                return
            _run(scenario(settings, results), results, finish)
        else:
            _run(_scenario(settings, results), results, finish)
        _keep.append(watchdog)

    gui_hooks.main_window_did_init.append(on_init)


_keep: list[Any] = []


def _die(results: dict[str, Any], settings: dict[str, Any]) -> None:
    results["status"] = "watchdog"
    Path(settings["results"]).write_text(json.dumps(results, indent=2, ensure_ascii=False))
    os._exit(3)


def _run(gen: Generator[Wait, Any, None], results: dict[str, Any], finish: Callable[[str], None]) -> None:
    def step(value: Any = None) -> None:
        try:
            request = gen.send(value)
        except StopIteration:
            finish("ok")
            return
        except Exception:
            results["errors"].append(traceback.format_exc())
            finish("failed")
            return
        request(step)

    step()


# ---- wait requests ------------------------------------------------------------------------


def sleep(ms: int) -> Wait:
    from aqt.qt import QTimer

    return lambda cb: QTimer.singleShot(ms, lambda: cb(None))


def js(web: Any, expr: str) -> Wait:
    """Evaluate `expr` in the page; the JSON of its value comes back decoded."""
    return lambda cb: web.evalWithCallback(f"JSON.stringify({expr})", lambda v: cb(json.loads(v) if v else None))


def until_js(web: Any, expr: str, timeout_s: float = 20.0, what: str = "", every_ms: int = 100) -> Wait:
    """Poll `expr` every `every_ms` until it is truthy; its value comes back (raises after the timeout)."""
    from aqt.qt import QTimer

    def request(cb: Callable[[Any], None]) -> None:
        deadline = time.monotonic() + timeout_s

        def poll() -> None:
            def got(raw: Any) -> None:
                value = json.loads(raw) if isinstance(raw, str) and raw else None
                if value:
                    cb(value)
                elif time.monotonic() > deadline:
                    cb(TimeoutError(f"timed out waiting for {what or expr[:80]}"))
                else:
                    QTimer.singleShot(every_ms, poll)

            web.evalWithCallback(f"JSON.stringify({expr})", got)

        poll()

    return request


def until(cond: Callable[[], Any], timeout_s: float = 20.0, what: str = "") -> Wait:
    from aqt.qt import QTimer

    def request(cb: Callable[[Any], None]) -> None:
        deadline = time.monotonic() + timeout_s

        def poll() -> None:
            value = cond()
            if value:
                cb(value)
            elif time.monotonic() > deadline:
                cb(TimeoutError(f"timed out waiting for {what}"))
            else:
                QTimer.singleShot(100, poll)

        poll()

    return request


def checked(value: Any) -> Any:
    if isinstance(value, Exception):
        raise value
    return value


def shot(widget: Any, folder: str, name: str) -> Wait:
    """Screenshot `widget` after the web view painted its last change; the path comes back."""
    from aqt.qt import QTimer

    def request(cb: Callable[[Any], None]) -> None:
        def grab() -> None:
            path = Path(folder) / name
            path.parent.mkdir(parents=True, exist_ok=True)
            widget.grab().save(str(path))
            cb(str(path))

        QTimer.singleShot(400, grab)

    return request


def simulate_history(col: Any, deck: str) -> Any:
    """Three weeks of earlier study on the first cards of the roadmap (a CollectionOp body).

    80 cards get review intervals (half of them mature), 3 are suspended, and the revlog gets
    past review answers for them (about 1 in 8 is Again), so every figure has something to show.
    """
    import random

    rng = random.Random(7)
    did = col.decks.id_for_name(deck)
    cids = col.db.list(
        f"select id from cards where type = 0 and did in ({','.join(map(str, col.decks.deck_and_child_ids(did)))})"
        " order by due, ord limit 83"
    )
    cutoff_ms = col.sched.day_cutoff * 1000
    rows = []
    for n, cid in enumerate(cids[:80]):
        for k in range(rng.randint(2, 4)):
            when = cutoff_ms - rng.randint(1, 21) * 86_400_000 - rng.randint(0, 36_000_000) - n * 1000 - k
            ease = 1 if rng.random() < 0.13 else rng.choice((2, 3, 3, 3, 4))
            rows.append((when, cid, -1, ease, 5, 3, 2500, 6000 + rng.randint(0, 9000), 1))
    col.db.executemany(
        "insert into revlog (id,cid,usn,ease,ivl,lastIvl,factor,time,type) values (?,?,?,?,?,?,?,?,?)", rows
    )
    col.sched.suspend_cards(cids[80:83])
    col.sched.set_due_date(cids[40:80], "1-14!")
    return col.sched.set_due_date(cids[:40], "25-60!")


def review(mw: Any, deck_id: int, eases: tuple[int, ...]) -> Generator[Wait, Any, None]:
    """Answer cards in the real reviewer: show the question, show the answer, press a button."""
    mw.col.decks.select(deck_id)
    mw.moveToState("review")
    for i, ease in enumerate(eases):
        checked((yield until(lambda: mw.reviewer.state == "question" and mw.reviewer.card, what=f"question {i}")))
        mw.reviewer._showAnswer()
        checked((yield until(lambda: mw.reviewer.state == "answer", what=f"answer {i}")))
        mw.reviewer._answerCard(ease)
    checked((yield until(lambda: mw.reviewer.state == "question", what="the reviewer after the answers")))


# ---- the session ------------------------------------------------------------------------------


def _scenario(settings: dict[str, Any], r: dict[str, Any]) -> Generator[Wait, Any, None]:
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest
    from aqt import gui_hooks, mw
    from aqt.operations import CollectionOp
    from aqt.theme import Theme

    assert mw is not None
    addon = importlib.import_module(settings.get("package", "kbdeck"))
    progress_view = importlib.import_module(f"{addon.__name__}.views.progress_view")
    note_viewer = importlib.import_module(f"{addon.__name__}.views.note_viewer")
    service = importlib.import_module(f"{addon.__name__}.ops.service").service
    shots = settings["screenshots"]
    mw.resize(1200, 880)
    started = time.monotonic()

    def log(step: str, **data: Any) -> None:
        r["steps"].append({"step": step, "t": round(time.monotonic() - started, 2), **data})

    # 1. A fresh profile without any kbdeck deck: the panel says how to get one.
    r["empty_panel"] = checked((yield until_js(mw.web, PANEL, what="empty panel")))
    log("empty panel")
    r["screens"] = [(yield shot(mw, shots, "deck-browser-empty-light.png"))]

    # 2. Import the real built deck the way File → Import does (a CollectionOp): the panel refreshes itself.
    done: list[Any] = []
    request = ImportAnkiPackageRequest(package_path=settings["apkg"], options=ImportAnkiPackageOptions())
    CollectionOp(parent=mw, op=lambda col: col.import_anki_package(request)).success(done.append).run_in_background()
    yield until(lambda: done, what="import")
    probe = when(PANEL, "p.dataset.kbs === '1'")
    r["panel_imported"] = checked((yield until_js(mw.web, probe, what="panel after import")))
    r["truth_imported"] = truth(mw.col)
    log("imported", runs=service.runs)
    r["screens"].append((yield shot(mw, shots, "deck-browser-fresh-light.png")))

    # 2b. The fresh view, before any answer: nothing of the learner's is filled in.
    action = next(a for a in mw.form.menuTools.actions() if a.text() == "kbdeck progress")
    action.trigger()
    dialog = checked((yield until(lambda: progress_view.dialog(), what="fresh progress dialog")))
    dialog.resize(1040, 1300)
    r["view_fresh"] = checked((yield until_js(dialog.web, when(VIEW, "kb"), what="fresh view")))
    r["screens"].append((yield shot(dialog, shots, "progress-fresh-light.png")))
    r["view_fresh_height"] = yield js(dialog.web, "document.body.scrollHeight")

    # 2c. A few new cards answered (learning steps, not reviews) with the view open: no retention yet.
    root = mw.col.decks.id_for_name(settings["deck"])
    yield from review(mw, root, (3, 3, 1, 3, 3))
    r["truth_learning"] = truth(mw.col)
    answered = f"kb && kb.dataset.answered === '{r['truth_learning']['answers_today']}'"
    r["view_learning"] = checked((yield until_js(dialog.web, when(VIEW, answered), what="view after 5 answers")))
    dialog.close()
    checked((yield until(lambda: progress_view.dialog() is None, what="fresh view closed")))
    mw.moveToState("deckBrowser")
    r["panel_learning"] = checked((yield until_js(mw.web, when(PANEL, answered), what="panel after 5 answers")))
    log("first answers", runs=service.runs)
    done.clear()
    deck = settings["deck"]
    CollectionOp(parent=mw, op=lambda col: simulate_history(col, deck)).success(done.append).run_in_background()
    yield until(lambda: done, what="history")

    # 3. Review in the real reviewer (answers go through Anki's CollectionOp): the panel follows.
    yield from review(mw, root, (3, 3, 3, 4, 1, 3, 1, 3, 3, 4))
    mw.moveToState("deckBrowser")
    r["truth_reviewed"] = truth(mw.col)
    # the panel may first show the report taken after the simulated history: wait for the one after the answers
    probe = when(PANEL, f"kb && kb.dataset.seen === '{r['truth_reviewed']['seen']}'")
    r["panel_reviewed"] = checked((yield until_js(mw.web, probe, what="panel after reviews")))
    log("reviewed", runs=service.runs)
    r["screens"].append((yield shot(mw, shots, "deck-browser-light.png")))

    # 4. Tools → kbdeck progress opens the full view.
    r["shortcut"] = action.shortcut().toString()
    action.trigger()
    dialog = checked((yield until(lambda: progress_view.dialog(), what="progress dialog")))
    r["view"] = checked((yield until_js(dialog.web, VIEW, what="progress view")))
    r["truth_view"] = truth(mw.col)
    log("view open")
    dialog.resize(1040, 1300)
    r["screens"].append((yield shot(dialog, shots, "progress-light.png")))
    r["view_height"] = yield js(dialog.web, "document.body.scrollHeight")

    # 5. More answers with the view open: it updates in place.
    yield from review(mw, root, (3, 3, 3))
    probe = when(VIEW, f"kb && kb.dataset.seen !== '{r['view']['kb']['seen']}'")
    r["view_updated"] = checked((yield until_js(dialog.web, probe, what="view after more reviews")))
    r["truth_updated"] = truth(mw.col)
    mw.moveToState("deckBrowser")
    log("view updated", runs=service.runs)

    # 6. "Open note" on the next topic: the sanitized note, at the top.
    note_button = "document.querySelector('.kb-callout button[data-kbdeck=note]')"
    r["next_topic"] = yield js(dialog.web, f"{note_button}.dataset.topic")
    yield js(dialog.web, f"{note_button}.click()")
    viewer = checked((yield until(lambda: note_viewer.viewer(), what="note viewer")))
    r["note"] = checked((yield until_js(viewer.web, NOTE, what="note page")))
    r["screens"].append((yield shot(viewer, shots, "note-light.png")))
    log("note open")

    # 7. Messages that are not ours pass through untouched; malformed ones of ours never raise.
    message = gui_hooks.webview_did_receive_js_message
    r["bridge_foreign"] = list(message((False, None), "open:123", mw.deckBrowser))
    r["bridge_bad"] = list(message((False, None), "kbdeck:rm:{}", mw.deckBrowser))
    r["bridge_hostile_context"] = list(message((False, None), 'kbdeck:study:{"kb":"x"}', mw.reviewer))

    # 8. Mark a mock interview done from the view.
    yield js(dialog.web, "document.querySelector('button[data-kbdeck=\"mock-done\"]').click()")
    probe = when(VIEW, "v.querySelector('[data-mock][data-done=\"1\"]')")
    r["view_mock"] = checked((yield until_js(dialog.web, probe, what="mock done")))
    r["mock_config"] = mw.col.get_config("kbdeck_mock_interviews_done", None)

    # 9. Dark mode: every screen again.
    mw.set_theme(Theme.DARK)
    mw.deckBrowser.refresh()
    dark = "document.documentElement.classList.contains('night-mode')"
    r["panel_dark"] = checked((yield until_js(mw.web, when(PANEL, dark), what="dark panel")))
    r["screens"].append((yield shot(mw, shots, "deck-browser-dark.png")))
    r["view_dark"] = checked((yield until_js(dialog.web, when(VIEW, dark), what="dark view")))
    r["screens"].append((yield shot(dialog, shots, "progress-dark.png")))
    r["note_dark"] = checked((yield until_js(viewer.web, when(NOTE, dark), what="dark note")))
    r["screens"].append((yield shot(viewer, shots, "note-dark.png")))
    log("dark")

    # 10. The Portuguese UI (the add-on's language setting, as saved from its config), light again.
    mw.set_theme(Theme.LIGHT)
    runtime = importlib.import_module(f"{addon.__name__}.runtime")
    runtime.save_config(language="pt-BR")
    mw.deckBrowser.refresh()
    service.request(force=True)
    probe = when(PANEL, f"!{dark} && p.innerText.includes('vistos')")
    r["panel_pt"] = checked((yield until_js(mw.web, probe, what="Portuguese panel")))
    r["screens"].append((yield shot(mw, shots, "deck-browser-pt-BR.png")))
    probe = when(VIEW, f"!{dark} && v.innerText.includes('Tópicos')")
    r["view_pt"] = checked((yield until_js(dialog.web, probe, what="Portuguese view")))
    r["screens"].append((yield shot(dialog, shots, "progress-pt-BR.png")))
    log("pt-BR")

    # 11. "Study now" from the view: a filtered deck with the topic's cards, and its overview.
    study_button = "document.querySelector('.kb-callout button[data-kbdeck=study]')"
    r["study_topic"] = yield js(dialog.web, f"{study_button}.dataset.topic")
    yield js(dialog.web, f"{study_button}.click()")
    checked((yield until(lambda: mw.state == "overview", what="overview of the study deck")))
    did = mw.col.decks.id_for_name(settings["study_deck"])
    in_deck = mw.col.find_cards(f'deck:"{settings["study_deck"]}"')
    r["study"] = {
        "deck": mw.col.decks.name(mw.col.decks.get_current_id()),
        "filtered": bool(did and mw.col.decks.get(did)["dyn"]),
        "cards": len(in_deck),
        "card_ids": [mw.col.get_card(c).note()["Id"] for c in in_deck],
    }
    log("study")
    for window in (progress_view.dialog(), note_viewer.viewer()):  # "Study now" closes them (addon/views/focus.py)
        if window is not None:
            window.close()
    yield sleep(200)


if SETTINGS:
    try:
        _start()
    except Exception:  # pragma: no cover - shows in the Anki process output
        traceback.print_exc(file=sys.stdout)

"""Test-driver add-on: review code cards in the real, offscreen Anki reviewer, measure and photograph them.

Installed by tests/render/test_real_anki_cards.py (through tests/addon/harness.py) in place of the
add-on session driver, and active only when KBDECK_TEST_DRIVER names its JSON settings file. It imports
the deck, switches to the requested theme, opens the reviewer at each requested window width, and for
each card in `cards` (card ids in study order) takes the question and the answer: the page's classes,
the measurements of settings["probe"] (the same JavaScript tests/render runs in Chromium) and a
screenshot of the reviewer webview. It writes results.json and quits; a watchdog ends a hung run.
"""

from __future__ import annotations

import json
import os
import time
import traceback
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

SETTINGS = os.environ.get("KBDECK_TEST_DRIVER")
Wait = Callable[[Callable[[Any], None]], None]
_keep: list[Any] = []


def _until(cond: Callable[[], Any], what: str, timeout_s: float = 20.0) -> Wait:
    """Poll a Python condition on the Qt event loop."""
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


def _until_js(web: Any, expr: str, what: str, timeout_s: float = 20.0) -> Wait:
    """Poll a JavaScript expression until it is truthy; its JSON value comes back decoded."""
    from aqt.qt import QTimer

    def request(cb: Callable[[Any], None]) -> None:
        deadline = time.monotonic() + timeout_s
        state = {"done": False, "answers": 0}

        def finish(value: Any) -> None:
            if not state["done"]:
                state["done"] = True
                cb(value)

        def poll() -> None:
            if state["done"]:
                return
            if time.monotonic() > deadline:
                finish(TimeoutError(f"timed out waiting for {what} ({state['answers']} answers from the page)"))
                return

            def got(raw: Any) -> None:
                state["answers"] += 1
                value = json.loads(raw) if isinstance(raw, str) and raw else None
                if value:
                    finish(value)

            web.evalWithCallback(f"JSON.stringify({expr})", got)
            QTimer.singleShot(150, poll)

        poll()

    return request


def _sleep(ms: int) -> Wait:
    from aqt.qt import QTimer

    return lambda cb: QTimer.singleShot(ms, lambda: cb(None))


def _checked(value: Any) -> Any:
    if isinstance(value, Exception):
        raise value
    return value


def _scenario(settings: dict[str, Any], results: dict[str, Any]) -> Generator[Wait, Any, None]:
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest
    from aqt import mw
    from aqt.theme import Theme

    assert mw is not None
    request = ImportAnkiPackageRequest(package_path=settings["apkg"], options=ImportAnkiPackageOptions())
    log = results["steps"].append
    imported = mw.col.import_anki_package(request)
    mw.col.models._clear_cache()
    log(f"imported {len(imported.log.new)} notes")
    mw.set_theme(Theme.DARK if settings["theme"] == "dark" else Theme.LIGHT)
    deck = mw.col.decks.id_for_name(settings["deck"])
    log(f"deck {settings['deck']!r} = {deck}")
    web = mw.reviewer.web
    # Let the deck browser finish its own (asynchronous) render first, or it paints over the reviewer.
    mw.deckBrowser.refresh()
    home = json.dumps(settings.get("deck_browser_text", "Cards KB"))
    _checked((yield _until_js(mw.web, f"document.body.innerText.includes({home})", "the deck browser")))
    yield _sleep(500)
    classes = "[document.documentElement.className, document.body.className, window.innerWidth]"
    for width in settings["widths"]:
        mw.resize(width, settings.get("height", 900))
        mw.col.decks.select(deck)
        mw.moveToState("review")
        log(f"review at {width}: state {mw.state}")
        for index, name in enumerate(settings["cards"]):
            _checked((yield _until(lambda: mw.reviewer.state == "question" and mw.reviewer.card, f"question {name}")))
            card = mw.reviewer.card
            log(f"question {name}: {card.note()['Id']} ord {card.ord}")
            seen = {"name": name, "width": width, "note": card.note()["Id"], "ord": card.ord}
            for side in ("question", "answer"):
                if side == "answer":
                    mw.reviewer._showAnswer()
                    _checked((yield _until(lambda: mw.reviewer.state == "answer", f"answer {name}")))
                marker = ".kb-back" if side == "answer" else ".kb-front"
                _checked((yield _until_js(web, f"!!document.querySelector('#qa {marker}')", f"{side} of {name}")))
                yield _sleep(settings.get("settle_ms", 250))  # Anki fades the card in; layout, fonts (MathJax) settle
                html_cls, body_cls, inner = _checked((yield _until_js(web, classes, "classes")))
                probe = _checked((yield _until_js(web, settings["probe"], f"probe of {name}")))
                shot = Path(settings["screenshots"]) / f"{settings['theme']}-{width}-{name}-{side}.png"
                shot.parent.mkdir(parents=True, exist_ok=True)
                web.grab().save(str(shot))
                seen[side] = {"html": html_cls, "body": body_cls, "innerWidth": inner, "probe": probe, "png": str(shot)}
            results["cards"].append(seen)
            if index + 1 < len(settings["cards"]):
                mw.reviewer._answerCard(3)
        mw.col.sched.schedule_cards_as_new(mw.col.find_cards(f"did:{deck}"), restore_position=True, reset_counts=True)
        mw.moveToState("deckBrowser")
        _checked((yield _until_js(mw.web, f"document.body.innerText.includes({home})", "the deck browser")))
        yield _sleep(500)


def _start() -> None:
    from aqt import gui_hooks

    settings = json.loads(Path(SETTINGS or "").read_text())
    results: dict[str, Any] = {"cards": [], "errors": [], "steps": []}

    def finish(status: str) -> None:
        from aqt import mw

        results["status"] = status
        Path(settings["results"]).write_text(json.dumps(results, indent=1, ensure_ascii=False))
        if mw is not None:
            mw.unloadProfileAndExit()

    def die() -> None:
        results["status"] = "watchdog"
        Path(settings["results"]).write_text(json.dumps(results, indent=1, ensure_ascii=False))
        os._exit(3)

    def on_init() -> None:
        from aqt.qt import QTimer

        watchdog = QTimer()
        watchdog.setSingleShot(True)
        watchdog.timeout.connect(die)
        watchdog.start(int(settings.get("watchdog_s", 100) * 1000))
        _keep.append(watchdog)
        gen = _scenario(settings, results)

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

    gui_hooks.main_window_did_init.append(on_init)


if SETTINGS:
    try:
        _start()
    except Exception:  # pragma: no cover - shows in the Anki process output
        traceback.print_exc()

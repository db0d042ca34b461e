"""A mock interview as a learner lives it, in two Anki sessions on one profile (`settings["part"]`).

Part 1 (English, light): import the shipped deck, Start mock 1 from the progress view (no card
leaves home yet), start section 1 (the reviewer comes forward), answer three cards, press Esc
on the timer (it asks; "Keep going"), end the section (its cards go home), skip section 2,
start section 3, then quit Anki with the section running.
Part 2 (the add-on in pt-BR, dark): the restart asks about the unfinished mock; Resume brings
section 3 back with its clock paused across the restart; end it unanswered (skipped), run the
coding section (statement only, then the whole note and the grade), Finish (it asks: sections
were not taken; "Concluir agora"), read the result; then start mock 2 and abandon it (asked).
Everything seen goes to results; screenshots to settings["screenshots"].
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Generator
from typing import Any

from . import checked, js, review, shot, sleep, until, until_js
from .probes import VIEW, when


def _cards_home(mw: Any, cids: list[int]) -> bool:
    return all(mw.col.get_card(c).odid == 0 for c in cids)


def scenario(settings: dict[str, Any], r: dict[str, Any]) -> Generator[Any, Any, None]:
    from aqt import mw

    assert mw is not None
    pkg = settings.get("package", "kbdeck")
    names = ("views.mock_flow", "views.progress_view", "views.question", "runtime")
    mods = {m.split(".")[-1]: importlib.import_module(f"{pkg}.{m}") for m in names}
    mw.resize(1000, 760)
    started = time.monotonic()

    def log(step: str, **data: Any) -> None:
        r["steps"].append({"step": step, "t": round(time.monotonic() - started, 2), **data})

    if settings["part"] == 1:
        yield from _part1(settings, r, mods, log)
    else:
        yield from _part2(settings, r, mods, log)


def _open_view(mods: dict[str, Any]) -> Generator[Any, Any, Any]:
    from aqt import mw

    mods["progress_view"].open_view()
    view = checked((yield until(mods["progress_view"].dialog, what="progress view")))
    checked((yield until_js(view.web, when(VIEW, "v.querySelector('[data-mock]')"), what="mocks in the view")))
    assert mw is not None
    return view


def _part1(settings: dict[str, Any], r: dict[str, Any], mods: dict[str, Any], log: Any) -> Generator[Any, Any, None]:
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest
    from aqt import mw
    from aqt.operations import CollectionOp
    from aqt.theme import Theme

    assert mw is not None
    session, question = mods["mock_flow"], mods["question"]
    shots, mock = settings["screenshots"], settings["mock"]
    done: list[Any] = []
    request = ImportAnkiPackageRequest(package_path=settings["apkg"], options=ImportAnkiPackageOptions())
    CollectionOp(parent=mw, op=lambda col: col.import_anki_package(request)).success(done.append).run_in_background()
    checked((yield until(lambda: done, what="import")))
    view = yield from _open_view(mods)
    yield js(view.web, f'document.querySelector(\'button[data-kbdeck="mock-start"][data-mock="{mock}"]\').click()')
    timer = checked((yield until(session.running, what="mock timer")))
    r["ready"] = {
        "main": timer.main_button.text(),
        "sections": timer.sections.text(),
        "skip_visible": timer.skip_button.isVisible(),
        "mock_decks": [n.name for n in mw.col.decks.all_names_and_ids() if n.name.startswith("kbdeck mock")],
        "stored": mw.col.get_config("kbdeck_mock_active", None) is not None,
    }
    r["screens"] = [(yield shot(timer, shots, "mock-ready.png"))]
    log("started")

    # section 1: the reviewer comes forward with the section's cards
    timer.main_button.click()
    checked((yield until(lambda: mw.reviewer.state == "question" and timer.active.current == 0, what="section 1")))
    yield sleep(1100)
    timer.tick()  # the ticker runs every second, not in step with the section's start: read a fresh value
    s1 = timer.active.sections[0]
    r["section1"] = {
        "deck": mw.col.decks.name(mw.col.decks.get_current_id()),
        "in_deck": len(mw.col.find_cards(f"did:{s1.deck_id}")),
        "drawn": len(s1.cards),
        "countdown": timer.countdown.text(),
        "hint": timer.hint.text(),
        "view_visible": mods["progress_view"].is_open(),
        "main_state": mw.state,
    }
    r["screens"].append((yield shot(mw, shots, "mock-reviewer.png")))
    r["screens"].append((yield shot(timer, shots, "mock-timer.png")))
    yield from review(mw, s1.deck_id, (3, 1, 3))

    # Esc on the timer asks, and "Keep going" keeps it
    timer.reject()
    box = checked((yield until(lambda: question.shown("kbdeck-mock-close"), what="close question")))
    r["esc"] = {"asked": box.text(), "buttons": [b.text() for b in box.buttons()], "timer_open": timer.isVisible()}
    r["screens"].append((yield shot(box, shots, "mock-close-question.png")))
    question.answer("kbdeck-mock-close", "Keep going")
    yield sleep(300)
    r["esc"]["still_open"] = timer.isVisible() and not timer.closed

    # end section 1: its cards go home
    timer.main_button.click()
    checked((yield until(lambda: timer.active.sections[0].status != "running", what="section 1 ended")))
    r["section1_end"] = {
        "status": timer.active.sections[0].status,
        "cards_home": _cards_home(mw, list(s1.cards)),
        "deck_left": bool(mw.col.decks.get(s1.deck_id, default=False)),
    }
    # skip section 2, start section 3, then quit with it running
    timer.skip_button.click()
    checked((yield until(lambda: timer.active.sections[1].status == "skipped", what="section 2 skipped")))
    timer.main_button.click()
    checked((yield until(lambda: timer.active.current == 2 and mw.reviewer.state == "question", what="section 3")))
    r["quit_with"] = {"section": timer.active.current, "held": list(timer.active.sections[2].cards)}
    mods["runtime"].save_config(language="pt-BR")  # the next start speaks Portuguese, in the dark
    mw.set_theme(Theme.DARK)
    log("quitting mid-mock")


def _part2(settings: dict[str, Any], r: dict[str, Any], mods: dict[str, Any], log: Any) -> Generator[Any, Any, None]:
    from aqt import mw
    from aqt.theme import Theme

    assert mw is not None
    session, question = mods["mock_flow"], mods["question"]
    shots = settings["screenshots"]
    stored = mw.col.get_config("kbdeck_mock_active", None)
    r["stored_at_restart"] = stored
    box = checked((yield until(lambda: question.shown("kbdeck-mock-unfinished"), what="unfinished question")))
    r["restart"] = {"asked": box.text(), "buttons": [b.text() for b in box.buttons()]}
    r["screens"] = [(yield shot(box, shots, "mock-unfinished.png"))]
    question.answer("kbdeck-mock-unfinished", "Retomar")
    timer = checked((yield until(session.running, what="timer after resume")))
    checked((yield until(lambda: mw.reviewer.state == "question", what="section 3 in the reviewer")))
    yield sleep(1100)
    r["resumed"] = {
        "current": timer.active.current,
        "countdown": timer.countdown.text(),
        "minutes": timer.active.sections[2].minutes,
        "deck": mw.col.decks.name(mw.col.decks.get_current_id()),
        "paused": timer.active.paused,
    }
    r["screens"].append((yield shot(timer, shots, "mock-resumed-pt-BR-dark.png")))

    # end section 3 unanswered → skipped; the coding section shows the statement only
    timer.main_button.click()
    checked((yield until(lambda: timer.active.sections[2].status == "skipped", what="section 3 skipped")))
    timer.main_button.click()
    note_viewer = importlib.import_module(f"{settings.get('package', 'kbdeck')}.views.note_viewer")
    viewer = checked((yield until(note_viewer.viewer, what="problem statement")))
    heads = "[...document.querySelectorAll('.kbdeck-note h2')]"
    probe = f"document.querySelector('.kbdeck-note') && {heads}.map(h => h.innerText)"
    r["statement_h2"] = checked((yield until_js(viewer.web, probe, what="statement headings")))
    r["statement_text"] = checked((yield until_js(viewer.web, "document.body.innerText", what="statement text")))
    r["screens"].append((yield shot(viewer, shots, "mock-problem-statement.png")))
    r["coding_hint"] = timer.hint.text()
    timer.main_button.click()  # end the coding section: the whole note, and the grade
    checked((yield until(lambda: timer.grades.isVisible(), what="grade buttons")))
    full = f"{heads}.length > {len(r['statement_h2'])} && {heads}.map(h => h.innerText)"
    r["revealed_h2"] = checked((yield until_js(viewer.web, full, what="whole note")))
    r["screens"].append((yield shot(timer, shots, "mock-grade-pt-BR-dark.png")))
    timer.grade_buttons["partial"].click()
    checked((yield until(lambda: timer.active.current == -1, what="graded")))

    # Finish: two sections were not taken, so it asks; the result is saved but the mock is not done
    timer.finish_button.click()
    box = checked((yield until(lambda: question.shown("kbdeck-mock-finish"), what="finish question")))
    r["finish_asked"] = box.text()
    r["screens"].append((yield shot(box, shots, "mock-finish-question.png")))
    question.answer("kbdeck-mock-finish", "Concluir agora")
    checked((yield until(lambda: timer.outcome is not None, what="result")))
    r["result_text"] = timer.sections.text()
    r["screens"].append((yield shot(timer, shots, "mock-result-pt-BR-dark.png")))
    r["results"] = mw.col.get_config("kbdeck_mock_results", None)
    r["done_marks"] = mw.col.get_config("kbdeck_mock_interviews_done", None)
    r["active_after_finish"] = mw.col.get_config("kbdeck_mock_active", None)
    r["mock_decks_after_finish"] = [n.name for n in mw.col.decks.all_names_and_ids() if "kbdeck mock" in n.name]
    timer.finish_button.click()  # Close
    checked((yield until(lambda: session.running() is None, what="timer closed")))

    # mock 2: a section runs, Esc → Pause closes the timer and keeps the mock; the view offers Resume/Abandon
    view = yield from _open_view(mods)
    other = settings["mock2"]
    start2 = f'document.querySelector(\'button[data-kbdeck="mock-start"][data-mock="{other}"]\').click()'
    yield js(view.web, start2)
    timer = checked((yield until(session.running, what="mock 2 timer")))
    timer.main_button.click()
    checked((yield until(lambda: timer.active.current == 0, what="mock 2 section 1")))
    held = list(timer.active.sections[0].cards)
    mw.undo()  # Edit → Undo "start the mock section": the stored state and the deck go back, the timer follows
    checked((yield until(lambda: timer.active.current == -1, what="the timer after Edit → Undo")))
    r["after_undo"] = {
        "main": timer.main_button.text(),
        "cards_home": _cards_home(mw, held),
        "stored_pending": (mw.col.get_config("kbdeck_mock_active", {}) or {}).get("sections", [{}])[0].get("status"),
    }
    timer.main_button.click()
    checked((yield until(lambda: timer.active.current == 0, what="mock 2 section 1 again")))
    held = list(timer.active.sections[0].cards)
    timer.reject()
    checked((yield until(lambda: question.shown("kbdeck-mock-close"), what="close question")))
    question.answer("kbdeck-mock-close", "Pausar")
    checked((yield until(lambda: session.running() is None, what="paused and closed")))
    r["paused"] = mw.col.get_config("kbdeck_mock_active", None)
    view = yield from _open_view(mods)
    li = f'document.querySelector(\'li[data-mock="{other}"][data-state="paused"]\')'
    probe = (
        f"(() => {{ const li = {li}; return li && [...li.querySelectorAll('button')].map(b => b.dataset.kbdeck); }})()"
    )
    r["view_paused_buttons"] = checked((yield until_js(view.web, probe, what="paused mock in the view")))
    yield js(view.web, f"{li}.scrollIntoView()")
    r["screens"].append((yield shot(view, shots, "progress-mock-in-progress.png")))
    yield js(view.web, f"{li}.querySelector('[data-kbdeck=\"mock-abandon\"]').click()")
    box = checked((yield until(lambda: question.shown("kbdeck-mock-abandon"), what="abandon question (view)")))
    r["abandon_asked"] = box.text()
    question.answer("kbdeck-mock-abandon", "Abandonar")
    checked((yield until(lambda: mw.col.get_config("kbdeck_mock_active", None) is None, what="state gone")))
    r["abandoned"] = {
        "cards_home": _cards_home(mw, held),
        "results_for_mock2": (mw.col.get_config("kbdeck_mock_results", {}) or {})
        .get("python-senior-kb", {})
        .get(other),
        "mock_decks": [n.name for n in mw.col.decks.all_names_and_ids() if "kbdeck mock" in n.name],
    }
    # and from the timer: Abandon asks too
    view = yield from _open_view(mods)
    yield js(view.web, start2)
    timer = checked((yield until(session.running, what="mock 2 timer again")))
    timer.abandon_button.click()
    checked((yield until(lambda: question.shown("kbdeck-mock-abandon"), what="abandon question (timer)")))
    r["timer_open_while_asking"] = timer.isVisible()
    question.answer("kbdeck-mock-abandon", "Abandonar")
    checked((yield until(lambda: session.running() is None, what="abandoned from the timer")))
    checked((yield until(lambda: mw.col.get_config("kbdeck_mock_active", None) is None, what="state gone again")))
    view = yield from _open_view(mods)
    yield js(view.web, "document.querySelector('.kb-mocks') && document.querySelector('.kb-mocks').scrollIntoView()")
    r["view_mocks"] = checked((yield until_js(view.web, when(VIEW, "v.querySelector('[data-mock]')"), what="view")))
    r["screens"].append((yield shot(view, shots, "progress-mock-history.png")))
    mw.set_theme(Theme.LIGHT)
    log("done")

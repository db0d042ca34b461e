"""Mock interviews in the collection: one filtered deck per flashcard section, a timer, a recorded result.

Start: for each flashcard section, draw its card count at random among the section's cards that
can be studied now (not suspended, buried or in another filtered deck) and put them in a
filtered deck `<mock_deck_name>::<n>. <section>`; coding sections get no deck, their problem
note opens in the viewer when the section starts (mock_timer.py shows the sections and counts
down each one's minutes). Finish: score the drawn cards' first answers since the start
(mock_plan.score), append the result to the collection config (`kbdeck_mock_results`, syncs),
mark the mock done (`kbdeck_mock_interviews_done`, part I's format) and remove the decks (the
cards go home). Each step is one undoable `CollectionOp`; the functions taking a `Collection`
never touch Qt, so the tests run them on a plain collection.
"""

from __future__ import annotations

import random
import time
from typing import TYPE_CHECKING

from .bundle import Bundle, MockInterview
from .errors import UserMessage, guard, report
from .mock_plan import RESULTS_KEY, MockResult, MockRun, PlannedSection, draw, score, section_card_ids, with_result
from .queries import MOCK_CONFIG_KEY, mock_marks
from .runtime import current
from .study import drawable_cards

if TYPE_CHECKING:
    from anki.collection import Collection, OpChanges

    from .mock_timer import MockTimer

_timer: MockTimer | None = None


def deck_name(parent: str, index: int, title: str) -> str:
    """`kbdeck mock::1. Python` (a title's `::` would nest decks: it becomes `-`)."""
    clean = " ".join(title.replace("::", "-").split()) or "?"
    return f"{parent}::{index}. {clean}"


def create_mock_decks(
    col: Collection, bundle: Bundle, mock: MockInterview, parent: str, seed: int | None = None
) -> MockRun:
    """Draw each flashcard section's cards and fill its filtered deck; returns the running mock."""
    from anki.decks import DeckId, FilteredDeckConfig

    rng = random.Random(seed)
    started_ms = int(time.time() * 1000)
    sections: list[PlannedSection] = []
    for i, section in enumerate(mock.sections, start=1):
        if section.cards <= 0:
            sections.append(PlannedSection(section.title, section.minutes, problem=section.problem))
            continue
        ids = section_card_ids(bundle, section)
        pool = drawable_cards(col, [bundle.cards[i].guid for i in ids])
        cards = draw(pool, section.cards, rng)
        if not cards:
            sections.append(PlannedSection(section.title, section.minutes, problem=section.problem))
            continue
        name = deck_name(parent, i, section.title)
        existing = col.decks.id_for_name(name)
        deck = col.decks.get(existing) if existing else None
        if deck is not None and not deck.get("dyn"):
            raise UserMessage(current.tr("study_not_filtered", deck=name))
        fd = col.sched.get_or_create_filtered_deck(deck_id=DeckId(existing or 0))
        fd.name = name
        del fd.config.search_terms[:]
        fd.config.search_terms.append(
            FilteredDeckConfig.SearchTerm(
                search=f"cid:{','.join(map(str, cards))}",
                limit=len(cards),
                order=FilteredDeckConfig.SearchTerm.Order.RANDOM,
            )
        )
        fd.config.reschedule = True
        did = col.sched.add_or_update_filtered_deck(fd).id
        sections.append(PlannedSection(section.title, section.minutes, cards, int(did), section.problem))
    if not any(s.cards for s in sections) and not any(s.problem for s in sections):
        raise UserMessage(current.tr("mock_empty", mock=mock.title))
    return MockRun(bundle.kb.id, mock.id, mock.title, started_ms, tuple(sections))


def remove_mock_decks(col: Collection, run: MockRun, parent: str) -> None:
    """Remove the mock's filtered decks (their cards go home), and the parent deck when nothing is left in it."""
    from anki.decks import DeckId

    dids = [DeckId(s.deck_id) for s in run.sections if s.deck_id and col.decks.get(DeckId(s.deck_id), default=False)]
    if dids:
        col.decks.remove(dids)
    parent_id = col.decks.id_for_name(parent)
    if parent_id and not col.decks.children(parent_id) and not col.decks.card_count(parent_id, include_subdecks=True):
        col.decks.remove([parent_id])


def finish_mock(col: Collection, run: MockRun, parent: str, finished_at: int | None = None) -> MockResult:
    """Score the session, record it (result history + done mark) and remove the decks."""
    at = int(finished_at if finished_at is not None else time.time())
    cids = sorted({c for s in run.sections for c in s.cards})
    rows: list[tuple[int, int, int]] = []
    if cids:
        db = col.db
        assert db is not None
        rows = [
            (int(cid), int(ease), int(rid))
            for cid, ease, rid in db.all(
                f"select cid, ease, id from revlog where id >= ? and cid in ({','.join(map(str, cids))})",
                run.started_ms,
            )
        ]
    result = score(run, rows, at)
    col.set_config(RESULTS_KEY, with_result(col.get_config(RESULTS_KEY, {}), run.kb, run.mock, result), undoable=True)
    marks = mock_marks(col.get_config(MOCK_CONFIG_KEY, {}))
    marks.setdefault(run.kb, {})[run.mock] = at
    col.set_config(MOCK_CONFIG_KEY, marks, undoable=True)
    remove_mock_decks(col, run, parent)
    return result


# ---- the flow inside Anki ------------------------------------------------------------------------


def running() -> MockTimer | None:
    """The timer window of the mock in progress (tests use it)."""
    return _timer


def start_mock(bundle: Bundle, mock: MockInterview) -> None:
    """Create the mock's decks in the background, then show its timer."""
    from aqt import mw
    from aqt.operations import CollectionOp

    assert mw is not None
    if _timer is not None:
        _timer.show()
        _timer.raise_()
        return
    parent = current.config.mock_deck_name
    label = current.tr("mock_undo_start", mock=mock.title)
    made: list[MockRun] = []

    def op(col: Collection) -> OpChanges:
        step = col.add_custom_undo_entry(label)
        try:
            made.append(create_mock_decks(col, bundle, mock, parent))
        finally:
            changes = col.merge_undo_entries(step)
        return changes

    def success(_: OpChanges) -> None:
        global _timer
        from .mock_timer import MockTimer

        _timer = MockTimer(made[0], bundle, on_finish=finish_running, on_abandon=abandon_running)
        _timer.show()

    CollectionOp(parent=mw, op=op).success(guard("what_mock", success)).failure(
        lambda exc: report("what_mock", exc)
    ).run_in_background()


def finish_running(run: MockRun) -> None:
    _end(run, record=True)


def abandon_running(run: MockRun) -> None:
    _end(run, record=False)


def _end(run: MockRun, *, record: bool) -> None:
    from aqt import mw
    from aqt.operations import CollectionOp

    from .service import service

    assert mw is not None
    parent = current.config.mock_deck_name
    label = current.tr("mock_undo_finish" if record else "mock_undo_abandon", mock=run.title)
    results: list[MockResult] = []

    def op(col: Collection) -> OpChanges:
        step = col.add_custom_undo_entry(label)
        try:
            if record:
                results.append(finish_mock(col, run, parent))
            else:
                remove_mock_decks(col, run, parent)
        finally:
            changes = col.merge_undo_entries(step)
        return changes

    def success(_: OpChanges) -> None:
        global _timer
        timer, _timer = _timer, None
        if timer is not None:
            timer.show_result(results[0] if results else None)
        if mw.state == "review":
            mw.moveToState("deckBrowser")
        service.invalidate()
        service.request()

    def failure(exc: Exception) -> None:
        global _timer
        timer, _timer = _timer, None  # the decks stay; a new start refills them
        if timer is not None and not timer.closed:
            timer.close()
        report("what_mock", exc)

    CollectionOp(parent=mw, op=op).success(guard("what_mock", success)).failure(failure).run_in_background()

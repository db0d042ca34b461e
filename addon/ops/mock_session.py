"""Mock interviews in the collection: the state machine's steps as collection operations, and the flow in Anki.

Start draws each flashcard section's cards (among those that can be studied now) and stores the
mock in progress (mock_state.py) in the collection config. A flashcard section gets its
filtered deck `<mock_deck_name>::<n>. <section>` only while it runs, so at most one deck holds
cards away from home and ending the section gives them back; a coding section opens the
problem's statement, then the whole note once it ends, and waits for the learner's grade.
Finish scores each card's first answer while its section ran (mock_plan.score), appends the
result to the config (`kbdeck_mock_results`, syncs), marks the mock done (part I's
`kbdeck_mock_interviews_done`) only when every section was taken, and forgets the state;
Abandon removes the decks and records nothing. The functions taking a `Collection` never touch
Qt (tests run them on a plain collection); mock_flow.py runs each as one undoable `CollectionOp`.
"""

from __future__ import annotations

import random
import time
from typing import TYPE_CHECKING

from ..data.bundle import Bundle, MockInterview
from ..data.mock_plan import RESULTS_KEY, MockResult, draw, first_answers, score, section_card_ids, with_result
from ..data.mock_state import ACTIVE_KEY, RUNNING, ActiveMock, MockStateError, SectionState, read_active
from ..data.queries import MOCK_CONFIG_KEY, mock_marks
from ..errors import UserMessage
from ..runtime import current
from .study import drawable_cards, fill_study_deck

if TYPE_CHECKING:
    from anki.collection import Collection


def now_ms() -> int:
    return int(time.time() * 1000)


def deck_name(parent: str, index: int, title: str) -> str:
    """`kbdeck mock::1. Python` (a title's `::` would nest decks: it becomes `-`)."""
    clean = " ".join(title.replace("::", "-").split()) or "?"
    return f"{parent}::{index}. {clean}"


# ---- the steps, on a collection -----------------------------------------------------------------


def load_active(col: Collection) -> ActiveMock | None:
    return read_active(col.get_config(ACTIVE_KEY, None))


def save_active(col: Collection, active: ActiveMock | None, *, undoable: bool = True) -> None:
    col.set_config(ACTIVE_KEY, None if active is None else active.to_json(), undoable=undoable)


def begin_mock(
    col: Collection, bundle: Bundle, mock: MockInterview, seed: int | None = None, at_ms: int | None = None
) -> ActiveMock:
    """Draw every flashcard section's cards and store the mock as started (no deck yet).

    The same mock already in progress is returned as it is (Start resumes it); another one is
    an error that names it, since a collection runs one mock at a time.
    """
    existing = load_active(col)
    if existing is not None:
        if (existing.kb, existing.mock) == (bundle.kb.id, mock.id):
            return existing
        raise UserMessage(current.tr("mock_other_running", mock=existing.title))
    rng = random.Random(seed)
    sections: list[SectionState] = []
    for section in mock.sections:
        cards: tuple[int, ...] = ()
        if section.cards > 0 and not section.problem:
            pool = drawable_cards(col, [bundle.cards[i].guid for i in section_card_ids(bundle, section)])
            cards = draw(pool, section.cards, rng)
        sections.append(SectionState(section.title, section.minutes, cards, section.problem))
    if not any(s.cards or s.problem for s in sections):
        raise UserMessage(current.tr("mock_empty", mock=mock.title))
    active = ActiveMock(bundle.kb.id, mock.id, mock.title, at_ms if at_ms is not None else now_ms(), tuple(sections))
    save_active(col, active)
    return active


def start_section(col: Collection, active: ActiveMock, i: int, parent: str, at_ms: int | None = None) -> ActiveMock:
    """Start section `i`: a flashcard section's drawn cards go into its filtered deck."""
    at = at_ms if at_ms is not None else now_ms()
    s = active.sections[i] if 0 <= i < len(active.sections) else None
    deck_id = _fill_deck(col, deck_name(parent, i + 1, s.title), s.cards) if s is not None and s.cards else 0
    try:
        out = active.start(i, at, deck_id)
    except MockStateError:
        _remove_decks(col, [deck_id], parent)
        raise
    save_active(col, out)
    return out


def end_section(col: Collection, active: ActiveMock, parent: str, at_ms: int | None = None) -> ActiveMock:
    """End the running section: count its answers, give its cards back (a coding section waits for its grade)."""
    at = at_ms if at_ms is not None else now_ms()
    i = active.current
    if i < 0:
        raise MockStateError("no section is running")
    s = active.sections[i]
    answered = len(first_answers(s, _answers(col, s.cards, s.started_ms))) if s.cards else 0
    out = active.end(at, answered)
    _remove_decks(col, [s.deck_id], parent)
    save_active(col, out)
    return out


def grade_section(col: Collection, active: ActiveMock, grade: str) -> ActiveMock:
    out = active.grade_current(grade)
    save_active(col, out)
    return out


def skip_section(col: Collection, active: ActiveMock, i: int) -> ActiveMock:
    out = active.skip(i)
    save_active(col, out)
    return out


def pause_mock(col: Collection, active: ActiveMock, at_ms: int | None = None, *, undoable: bool = True) -> ActiveMock:
    """Stop the running section's clock (not undoable when Anki is closing: there is no step to undo then)."""
    out = active.pause(at_ms if at_ms is not None else now_ms())
    if out != active:
        save_active(col, out, undoable=undoable)
    return out


def resume_mock(col: Collection, active: ActiveMock, parent: str, at_ms: int | None = None) -> ActiveMock:
    """Run the clock again; a running flashcard section whose deck is gone (deleted by hand) gets it back."""
    out = active.resume(at_ms if at_ms is not None else now_ms())
    i = out.current
    if i >= 0 and out.sections[i].status == RUNNING and out.sections[i].cards:
        s = out.sections[i]
        deck = col.decks.get(s.deck_id, default=False) if s.deck_id else None  # type: ignore[arg-type]
        if not deck or not deck.get("dyn"):
            out = out.with_deck(i, _fill_deck(col, deck_name(parent, i + 1, s.title), s.cards))
    if out != active:
        save_active(col, out)
    return out


def finish_mock(col: Collection, active: ActiveMock, parent: str, finished_at: int | None = None) -> MockResult:
    """End what runs, score, record the result (and the done mark when every section was taken), forget the state."""
    at = int(finished_at if finished_at is not None else time.time())
    if active.current >= 0 and active.sections[active.current].status == RUNNING:
        active = end_section(col, active, parent, at * 1000)
    cids = sorted({c for s in active.sections for c in s.cards})
    result = score(active, _answers(col, cids, active.started_ms), at)
    col.set_config(
        RESULTS_KEY, with_result(col.get_config(RESULTS_KEY, {}), active.kb, active.mock, result), undoable=True
    )
    if result.complete:
        marks = mock_marks(col.get_config(MOCK_CONFIG_KEY, {}))
        marks.setdefault(active.kb, {})[active.mock] = at
        col.set_config(MOCK_CONFIG_KEY, marks, undoable=True)
    abandon_mock(col, active, parent)
    return result


def abandon_mock(col: Collection, active: ActiveMock | None, parent: str) -> None:
    """Remove the mock's decks (their cards go home) and forget the state; nothing is recorded."""
    if active is not None:
        _remove_decks(col, [s.deck_id for s in active.sections], parent)
    save_active(col, None)


def _answers(col: Collection, cids: tuple[int, ...] | list[int], since_ms: int) -> list[tuple[int, int, int]]:
    if not cids or not since_ms:
        return []
    db = col.db
    assert db is not None
    rows = db.all(f"select cid, ease, id from revlog where id >= ? and cid in ({','.join(map(str, cids))})", since_ms)
    return [(int(cid), int(ease), int(rid)) for cid, ease, rid in rows]


def _fill_deck(col: Collection, name: str, cards: tuple[int, ...]) -> int:
    """A filtered deck `name` holding those of `cards` that can be studied now (0 when none can)."""
    from anki.errors import FilteredDeckError

    try:
        return int(fill_study_deck(col, name, f"cid:{','.join(map(str, cards))}", len(cards), shuffled=True).id)
    except FilteredDeckError:  # none of the drawn cards can be studied now (suspended, buried, elsewhere)
        return 0


def _remove_decks(col: Collection, ids: list[int], parent: str) -> None:
    """Remove those of `ids` that are still filtered decks, then the parent when nothing is left in it."""
    from anki.decks import DeckId

    dids = []
    for did in ids:
        deck = col.decks.get(DeckId(did), default=False) if did else None
        if deck and deck.get("dyn"):
            dids.append(DeckId(did))
    if dids:
        col.decks.remove(dids)
    parent_id = col.decks.id_for_name(parent)
    if parent_id and not col.decks.children(parent_id) and not col.decks.card_count(parent_id, include_subdecks=True):
        col.decks.remove([parent_id])

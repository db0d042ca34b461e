"""The mock interview in progress as a small state machine, kept in the collection config.

A learner can close the timer, quit Anki or crash mid-mock: the state must outlive the window,
so it lives in the collection (`kbdeck_mock_active`, syncs like the results) and the timer is a
view of it. One mock runs at a time per collection. Each section moves

    pending ─start→ running ─end→ taken | skipped           (flashcards: taken = ≥ 1 card answered)
    pending ─start→ running ─end→ ungraded ─grade→ taken    (coding: the learner grades it)
    pending ─skip→ skipped

and the mock ends *finished* (result recorded; counts as done only when every section was
taken) or *abandoned* (nothing recorded); both remove the state. A section's clock is the time
it actually ran: closing the timer pauses it, so a mock resumed tomorrow does not show a day
over time. Pure (no Anki, no Qt): tests drive every transition; reading tolerates anything a
sync or an older version left in the config.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

ACTIVE_KEY = "kbdeck_mock_active"
PENDING, RUNNING, UNGRADED, TAKEN, SKIPPED = "pending", "running", "ungraded", "taken", "skipped"
STATUSES = (PENDING, RUNNING, UNGRADED, TAKEN, SKIPPED)
GRADES = ("solved", "partial", "unsolved")
MAX_SECTIONS = 50
MAX_CARDS = 5000


class MockStateError(ValueError):
    """A transition the state does not allow (e.g. grading a flashcard section)."""


@dataclass(frozen=True)
class SectionState:
    """One section of the running mock: what it holds and how far it got."""

    title: str
    minutes: int
    cards: tuple[int, ...] = ()
    """Card ids drawn at the start (empty for a coding section)."""
    problem: str = ""
    """Topic id of the coding problem ("" for a flashcard section)."""
    status: str = PENDING
    deck_id: int = 0
    """The section's filtered deck while it runs (0: none)."""
    started_ms: int = 0
    """When it was first started: only answers from then on count."""
    ended_ms: int = 0
    elapsed_ms: int = 0
    """Time it ran before its current stretch (pauses excluded)."""
    resumed_ms: int = 0
    """Start of its current running stretch (0: paused or not running)."""
    grade: str = ""
    """A coding section's self-grade: one of GRADES."""

    @property
    def is_problem(self) -> bool:
        return bool(self.problem)

    def ran_ms(self, now_ms: int) -> int:
        """How long the section has run, pauses excluded."""
        live = max(0, now_ms - self.resumed_ms) if self.status == RUNNING and self.resumed_ms else 0
        return self.elapsed_ms + live

    def left_s(self, now_ms: int) -> int:
        """Seconds left of its minutes (negative once over time)."""
        return round((self.minutes * 60_000 - self.ran_ms(now_ms)) / 1000)


@dataclass(frozen=True)
class ActiveMock:
    """A mock interview that was started and neither finished nor abandoned."""

    kb: str
    mock: str
    title: str
    started_ms: int
    sections: tuple[SectionState, ...]

    @property
    def current(self) -> int:
        """Index of the section running or waiting for its grade, else -1."""
        return next((i for i, s in enumerate(self.sections) if s.status in (RUNNING, UNGRADED)), -1)

    @property
    def next_pending(self) -> int:
        """Index of the first section not started yet, else -1."""
        return next((i for i, s in enumerate(self.sections) if s.status == PENDING), -1)

    @property
    def taken(self) -> int:
        return sum(s.status == TAKEN for s in self.sections)

    @property
    def complete(self) -> bool:
        """Every section taken: only then does the mock count as done."""
        return all(s.status == TAKEN for s in self.sections)

    @property
    def paused(self) -> bool:
        i = self.current
        return i >= 0 and self.sections[i].status == RUNNING and not self.sections[i].resumed_ms

    def ran_ms(self, now_ms: int) -> int:
        return sum(s.ran_ms(now_ms) for s in self.sections)

    def _with(self, i: int, section: SectionState) -> ActiveMock:
        return replace(self, sections=(*self.sections[:i], section, *self.sections[i + 1 :]))

    # ---- transitions (each returns the new state; the old one is never changed) ----

    def start(self, i: int, now_ms: int, deck_id: int = 0) -> ActiveMock:
        """Start section `i` (it must be pending, and no other may be running or ungraded)."""
        s = self._section(i)
        if s.status != PENDING or self.current >= 0:
            raise MockStateError(f"section {i + 1} cannot start now ({s.status})")
        return self._with(i, replace(s, status=RUNNING, started_ms=now_ms, resumed_ms=now_ms, deck_id=deck_id))

    def end(self, now_ms: int, answered: int = 0) -> ActiveMock:
        """End the running section: a flashcard section is taken when `answered` ≥ 1; a coding one awaits its grade."""
        i = self.current
        if i < 0 or self.sections[i].status != RUNNING:
            raise MockStateError("no section is running")
        s = self.sections[i]
        status = UNGRADED if s.is_problem else (TAKEN if answered > 0 else SKIPPED)
        ran = s.ran_ms(now_ms)
        return self._with(i, replace(s, status=status, ended_ms=now_ms, elapsed_ms=ran, resumed_ms=0, deck_id=0))

    def grade_current(self, grade: str) -> ActiveMock:
        """Record the learner's grade of the coding section that just ended."""
        i = self.current
        if grade not in GRADES or i < 0 or self.sections[i].status != UNGRADED:
            raise MockStateError(f"nothing to grade with {grade!r}")
        return self._with(i, replace(self.sections[i], status=TAKEN, grade=grade))

    def skip(self, i: int) -> ActiveMock:
        """Leave pending section `i` out."""
        s = self._section(i)
        if s.status != PENDING:
            raise MockStateError(f"section {i + 1} cannot be skipped ({s.status})")
        return self._with(i, replace(s, status=SKIPPED))

    def pause(self, now_ms: int) -> ActiveMock:
        """Stop the running section's clock (the timer closed, Anki is quitting)."""
        i = self.current
        if i < 0 or self.sections[i].status != RUNNING or not self.sections[i].resumed_ms:
            return self
        s = self.sections[i]
        return self._with(i, replace(s, elapsed_ms=s.ran_ms(now_ms), resumed_ms=0))

    def resume(self, now_ms: int) -> ActiveMock:
        """Run the paused section's clock again."""
        if not self.paused:
            return self
        i = self.current
        return self._with(i, replace(self.sections[i], resumed_ms=now_ms))

    def with_deck(self, i: int, deck_id: int) -> ActiveMock:
        return self._with(i, replace(self._section(i), deck_id=deck_id))

    def _section(self, i: int) -> SectionState:
        if not 0 <= i < len(self.sections):
            raise MockStateError(f"no section {i + 1}")
        return self.sections[i]

    # ---- storage ----

    def to_json(self) -> dict[str, Any]:
        return {
            "kb": self.kb,
            "mock": self.mock,
            "title": self.title,
            "started_ms": self.started_ms,
            "sections": [
                {
                    "title": s.title,
                    "minutes": s.minutes,
                    "cards": list(s.cards),
                    "problem": s.problem,
                    "status": s.status,
                    "deck_id": s.deck_id,
                    "started_ms": s.started_ms,
                    "ended_ms": s.ended_ms,
                    "elapsed_ms": s.elapsed_ms,
                    "resumed_ms": s.resumed_ms,
                    "grade": s.grade,
                }
                for s in self.sections
            ],
        }


def read_active(raw: object) -> ActiveMock | None:
    """The stored mock in progress, or None when there is none or it is malformed (never raises)."""
    if not isinstance(raw, dict):
        return None
    kb, mock, title, started = raw.get("kb"), raw.get("mock"), raw.get("title"), raw.get("started_ms")
    items = raw.get("sections")
    if not all(isinstance(v, str) and 0 < len(v) <= 300 for v in (kb, mock)) or not _count(started):
        return None
    if not isinstance(items, list) or not 0 < len(items) <= MAX_SECTIONS:
        return None
    sections = [_section(item) for item in items]
    if any(s is None for s in sections):
        return None
    done = tuple(s for s in sections if s is not None)
    if sum(s.status in (RUNNING, UNGRADED) for s in done) > 1:
        return None
    assert isinstance(kb, str) and isinstance(mock, str) and isinstance(started, int)
    return ActiveMock(kb, mock, str(title or mock)[:300], started, done)


def _section(item: object) -> SectionState | None:
    if not isinstance(item, dict):
        return None
    ints = ("minutes", "deck_id", "started_ms", "ended_ms", "elapsed_ms", "resumed_ms")
    if not all(_count(item.get(k, 0)) for k in ints):
        return None
    cards, status, grade = item.get("cards", []), item.get("status", PENDING), item.get("grade", "")
    problem, title = item.get("problem", ""), item.get("title", "")
    if not isinstance(cards, list) or len(cards) > MAX_CARDS or not all(_count(c) for c in cards):
        return None
    if status not in STATUSES or (grade and grade not in GRADES) or not isinstance(problem, str):
        return None
    return SectionState(
        str(title)[:200],
        min(int(item.get("minutes", 0)), 24 * 60),
        tuple(cards),
        problem[:300],
        status,
        **{k: int(item.get(k, 0)) for k in ints[1:]},
        grade=grade,
    )


def _count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0

"""Mock interviews as data: which cards a section draws, and what a finished mock scored.

A section of the roadmap's mock interview names topics and/or areas and a card count (or a
coding problem). Starting a mock draws that many cards at random among the section's cards
that can be studied now; finishing it reads the revlog: each drawn card's *first* answer while
its section ran counts (Again = failed), so re-showing a lapsed card never inflates the score; a
coding section carries the learner's own grade. Results are kept in the collection config (so they sync), per knowledge
base and mock, newest last, capped; reading them back tolerates anything a sync or an older
version left there. Pure: no Anki, no Qt (mock_session.py does the collection work).
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .bundle import Bundle, MockSection
from .mock_state import TAKEN, ActiveMock, SectionState

RESULTS_KEY = "kbdeck_mock_results"
MAX_HISTORY = 50
"""Results kept per mock (the oldest go first): a config value should stay small."""


def section_card_ids(bundle: Bundle, section: MockSection) -> tuple[str, ...]:
    """Authored ids of the cards a flashcard section draws from (its topics and its areas' topics)."""
    topics = set(section.topics) | {t.id for t in bundle.topics.values() if t.area in section.areas}
    return tuple(c.id for c in bundle.cards.values() if c.topic in topics)


def draw(candidates: Iterable[int], count: int, rng: random.Random) -> tuple[int, ...]:
    """`count` distinct card ids at random (all of them when there are fewer), sorted."""
    pool = sorted(set(candidates))
    return tuple(sorted(rng.sample(pool, min(count, len(pool)))))


@dataclass(frozen=True)
class SectionResult:
    """How one section went."""

    title: str
    cards: int
    """Cards drawn (0 for a coding section)."""
    answered: int
    passed: int
    """First answers other than Again."""
    status: str = "taken"
    """"taken" or "skipped" (results stored before sections had a status were all taken)."""
    grade: str = ""
    """A coding section's self-grade ("solved", "partial", "unsolved"; "" for flashcards)."""

    @property
    def pass_rate(self) -> float | None:
        """Percent of the answered cards passed (None when nothing was answered)."""
        return 100.0 * self.passed / self.answered if self.answered else None


@dataclass(frozen=True)
class MockResult:
    """A finished mock interview."""

    at: int
    """Epoch seconds when it was finished."""
    minutes: int
    """Minutes its sections ran (pauses excluded)."""
    sections: tuple[SectionResult, ...]
    complete: bool = True
    """Every section taken (only a complete mock counts as done)."""

    @property
    def answered(self) -> int:
        return sum(s.answered for s in self.sections)

    @property
    def pass_rate(self) -> float | None:
        answered = self.answered
        return 100.0 * sum(s.passed for s in self.sections) / answered if answered else None

    def to_json(self) -> dict[str, Any]:
        return {
            "at": self.at,
            "minutes": self.minutes,
            "complete": self.complete,
            "sections": [
                {
                    "title": s.title,
                    "cards": s.cards,
                    "answered": s.answered,
                    "passed": s.passed,
                    "status": s.status,
                    "grade": s.grade,
                }
                for s in self.sections
            ],
        }


def first_answers(section: SectionState, answers: Iterable[tuple[int, int, int]]) -> dict[int, int]:
    """Each of the section's cards' first ease from revlog rows `(card id, ease, revlog id in ms)`
    answered while the section ran (from its start to its end, or to now while it runs)."""
    cards = set(section.cards)
    end = section.ended_ms or None
    first: dict[int, int] = {}
    for cid, ease, rid in sorted(answers, key=lambda a: a[2]):
        in_time = section.started_ms and rid >= section.started_ms and (end is None or rid <= end)
        if in_time and cid in cards and 1 <= ease <= 4 and cid not in first:
            first[cid] = ease
    return first


def score(active: ActiveMock, answers: Iterable[tuple[int, int, int]], finished_at: int) -> MockResult:
    """The result of `active` (its sections all ended) from revlog rows `(card id, ease, revlog id)`."""
    rows = list(answers)
    sections = []
    for s in active.sections:
        eases = list(first_answers(s, rows).values())
        status = "taken" if s.status == TAKEN else "skipped"
        sections.append(SectionResult(s.title, len(s.cards), len(eases), sum(e > 1 for e in eases), status, s.grade))
    minutes = round(active.ran_ms(finished_at * 1000) / 60_000)
    return MockResult(finished_at, minutes, tuple(sections), active.complete)


def read_results(raw: object) -> dict[str, dict[str, tuple[MockResult, ...]]]:
    """`{kb: {mock: (result, ...)}}` from the config value, skipping whatever is malformed."""
    out: dict[str, dict[str, tuple[MockResult, ...]]] = {}
    if not isinstance(raw, dict):
        return out
    for kb, mocks in raw.items():
        if not isinstance(kb, str) or not isinstance(mocks, dict):
            continue
        for mock, items in mocks.items():
            if isinstance(mock, str) and isinstance(items, list):
                results = tuple(r for r in (_result(i) for i in items[-MAX_HISTORY:]) if r is not None)
                if results:
                    out.setdefault(kb, {})[mock] = results
    return out


def _result(item: object) -> MockResult | None:
    if not isinstance(item, dict):
        return None
    at, minutes, sections = item.get("at"), item.get("minutes", 0), item.get("sections")
    if not isinstance(at, int) or not isinstance(minutes, int) or not _int(at) or not _int(minutes):
        return None
    if not isinstance(sections, list):
        return None
    parsed = []
    for s in sections:
        if not isinstance(s, dict) or not all(_int(s.get(k)) for k in ("cards", "answered", "passed")):
            return None
        title, status, grade = s.get("title"), s.get("status", "taken"), s.get("grade", "")
        if status not in ("taken", "skipped") or grade not in ("", "solved", "partial", "unsolved"):
            return None
        name = str(title)[:200] if title else ""
        parsed.append(SectionResult(name, s["cards"], s["answered"], s["passed"], status, grade))
    complete = item.get("complete", True)
    return MockResult(at, minutes, tuple(parsed), complete if isinstance(complete, bool) else True)


def _int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def with_result(raw: object, kb: str, mock: str, result: MockResult) -> dict[str, Any]:
    """The config value with `result` appended to `kb`/`mock` (well-formed entries kept, history capped)."""
    current = read_results(raw)
    out: dict[str, Any] = {k: {m: [r.to_json() for r in rs] for m, rs in mocks.items()} for k, mocks in current.items()}
    history = [*out.setdefault(kb, {}).get(mock, []), result.to_json()]
    out[kb][mock] = history[-MAX_HISTORY:]
    return out


def history_for(
    results: Mapping[str, Mapping[str, Sequence[MockResult]]], kb: str
) -> dict[str, tuple[MockResult, ...]]:
    """One knowledge base's results, per mock."""
    return {m: tuple(rs) for m, rs in results.get(kb, {}).items()}


_H2 = re.compile(r"<h2[\s>]", re.IGNORECASE)
_H1_OPEN = re.compile(r"<h1[\s>]", re.IGNORECASE)
_H1_CLOSE = re.compile(r"</h1\s*>", re.IGNORECASE)


def _title(note_html: str, end: int) -> str:
    """The first `<h1 …>…</h1>` before `end`, or "". Found as the first opening tag and the first closing
    one after it, not by a lazy regex that searched for `</h1>` from every `<h1` (a hostile note of
    20,000 `<h1 ` took 5 s)."""
    opening = _H1_OPEN.search(note_html, 0, end)
    closing = _H1_CLOSE.search(note_html, opening.end(), end) if opening else None
    return note_html[opening.start() : closing.end()] if opening and closing else ""


def statement_of(note_html: str) -> tuple[str, bool]:
    """The problem's statement: the note's title and its first `##` section, nothing else.

    A problem note states the problem in its first section and goes on with solutions (kbdeck's
    convention, in the README); its introduction often names the technique, so it is left out
    too. While a mock's coding section runs, only this part shows. Returns (html, cut); a note
    without a `##` section is all statement (cut False).
    """
    heads = [m.start() for m in _H2.finditer(note_html)]
    if not heads:
        return note_html, False
    end = heads[1] if len(heads) > 1 else len(note_html)
    return _title(note_html, heads[0]) + note_html[heads[0] : end], True

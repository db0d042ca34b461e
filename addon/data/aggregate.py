"""The hot path of the progress computation: SQL rows of note GUIDs → per-topic sums.

A GUID index maps every note GUID of the newest bundles to a *slot* (one topic of one knowledge
base); the rows' GUID strings are split, mapped and counted by C code (`map`, `Counter`), so
Python only loops over distinct slots. Pure and stdlib-only; the index and the "missing
flashcards" check are cached, because bundle files and the note set rarely change.
"""

from __future__ import annotations

import threading
from collections import Counter as Tally
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import filterfalse

from .bundle import Bundle
from .queries import AnswerRow, StateRow
from .report import Counts

# Accumulator layout: one list of numbers per slot (a topic of a knowledge base), in the field
# order of `Counts`.
_FIELDS = len(Counts.__dataclass_fields__)
TOTAL, NEW, LEARNING, YOUNG, MATURE, SUSPENDED, SEEN, DUE = range(8)
REVIEWS, PASSED, R_SUM, R_CARDS, NOTES, MISSING, ANSWERED = range(8, _FIELDS)
_STATE_FIELD = {1: NEW, 2: LEARNING, 3: YOUNG, 4: MATURE, 5: SUSPENDED}
ORPHAN = ""
"""Slot topic id for cards whose topic the bundle does not describe."""


@dataclass(frozen=True)
class GuidIndex:
    """GUID → slot, for a set of bundles. A slot is one (knowledge base, topic)."""

    key: tuple[str, ...]
    """The bundle file names it was built from."""
    slots: tuple[tuple[int, str], ...]
    """Slot → (bundle index, topic id or ORPHAN)."""
    of_guid: Mapping[str, int]
    expected: tuple[int, ...]
    """Slot → authored flashcards of the build."""


_index_cache: dict[tuple[str, ...], GuidIndex] = {}
_index_lock = threading.Lock()


def guid_index(bundles: Sequence[Bundle]) -> GuidIndex:
    """Build (or reuse: bundle files never change under one name) the GUID index of `bundles`."""
    key = tuple(b.file_name for b in bundles)
    with _index_lock:
        cached = _index_cache.get(key)
    if cached is not None:
        return cached
    slots: list[tuple[int, str]] = []
    slot_of: dict[tuple[int, str], int] = {}
    of_guid: dict[str, int] = {}
    expected: list[int] = []
    for bi, b in enumerate(bundles):
        for tid in [*sorted(b.topics), ORPHAN]:
            slot_of[(bi, tid)] = len(slots)
            slots.append((bi, tid))
            expected.append(0)
        for ref in b.cards.values():
            slot = slot_of[(bi, ref.topic if ref.topic in b.topics else ORPHAN)]
            if ref.guid not in of_guid:
                of_guid[ref.guid] = slot
                expected[slot] += 1
    index = GuidIndex(key, tuple(slots), of_guid, tuple(expected))
    with _index_lock:
        if len(_index_cache) > 8:
            _index_cache.clear()
        _index_cache[key] = index
    return index


_missing_cache: dict[tuple[tuple[str, ...], tuple[int, float]], Tally[int | None]] = {}


def accumulate(
    index: GuidIndex,
    states: Iterable[StateRow],
    answers: Iterable[AnswerRow],
    retention_days: int,
    chart_days: int,
    notes_key: tuple[int, float] | None = None,
) -> tuple[list[list[float]], list[list[int]]]:
    """Per-slot sums (in `Counts` order) and per-bundle answers per day (oldest first).

    The hot path of the add-on: tokens are mapped to slots and counted by C code (`map`, `Counter`);
    Python loops only run over the distinct slots of each row. Which flashcards of the build are
    missing is recomputed only when `notes_key` (the note set's signature) changes.
    """
    acc: list[list[float]] = [[0] * _FIELDS for _ in index.slots]
    n_bundles = 1 + max((bi for bi, _ in index.slots), default=-1)
    daily = [[0] * chart_days for _ in range(n_bundles)]
    get = index.of_guid.get
    cache_key = (index.key, notes_key) if notes_key is not None else None
    missing = _missing_cache.get(cache_key) if cache_key is not None else None
    present: set[str] | None = set() if missing is None else None
    for row in states:
        if not row.guids:
            continue
        tokens = row.guids.split(" ")
        if present is not None:
            present.update(tokens)
        field_ = _STATE_FIELD.get(row.state)
        r = None if row.r_percent is None else min(1.0, (row.r_percent + 0.5) / 100)  # the bucket's middle
        for slot, n in _tally(map(get, tokens)):
            a = acc[slot]
            a[TOTAL] += n
            if field_ is not None:
                a[field_] += n
            if row.seen:
                a[SEEN] += n
            if row.due:
                a[DUE] += n
            if r is not None:
                a[R_SUM] += r * n
                a[R_CARDS] += n
    if present is not None:
        # Usually every note of the build is present: check that in C, then look for the missing ones.
        missing = Tally()
        if not present.issuperset(index.of_guid):
            missing = Tally(map(get, filterfalse(present.__contains__, index.of_guid)))
        if cache_key is not None:
            if len(_missing_cache) > 8:
                _missing_cache.clear()
            _missing_cache[cache_key] = missing
    assert missing is not None
    for slot, a in enumerate(acc):
        a[MISSING] = missing.get(slot, 0)
        a[NOTES] = index.expected[slot] - a[MISSING]
    for ans in answers:
        if not ans.guids:
            continue
        in_window = ans.days_ago < retention_days
        in_retention = in_window and ans.review
        day = chart_days - 1 - ans.days_ago
        for slot, n in _tally(map(get, ans.guids.split(" "))):
            if in_window:
                acc[slot][ANSWERED] += n
            if in_retention:
                acc[slot][REVIEWS] += n
                if ans.passed:
                    acc[slot][PASSED] += n
            if 0 <= day < chart_days:
                daily[index.slots[slot][0]][day] += n
    return acc, daily


def _tally(slots: Iterable[int | None]) -> list[tuple[int, int]]:
    """(slot, occurrences) for the known slots (None = a GUID of no bundle)."""
    counts = Tally(slots)
    counts.pop(None, None)
    return [(slot, n) for slot, n in counts.items() if slot is not None]


def to_counts(a: list[float]) -> Counts:
    n = [int(v) for v in a]
    return Counts(
        n[TOTAL], n[NEW], n[LEARNING], n[YOUNG], n[MATURE], n[SUSPENDED], n[SEEN], n[DUE],
        n[REVIEWS], n[PASSED], float(a[R_SUM]), n[R_CARDS], n[NOTES], n[MISSING], n[ANSWERED],
    )  # fmt: skip

"""The two SQL passes behind every progress figure: card states, and answers per day.

Each pass groups in SQLite and returns a handful of rows, each carrying the GUIDs of the notes
concerned as one string (moving 80k rows through Anki's JSON bridge costs ~100 ms, a few long
strings a few ms); `progress.py` maps GUIDs to (knowledge base, topic) through the bundle.
GUIDs are per knowledge base, so several knowledge bases in one collection never mix. No
per-card API is called. Read-only: call it from a background QueryOp. The definitions (new,
learning, young, mature, suspended, due) are Anki's; tests compare them with Anki's searches
(`is:new`, `is:due`, `prop:ivl>=21`...) on a real collection.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from .mock_plan import RESULTS_KEY, MockResult, read_results

if TYPE_CHECKING:
    from anki.collection import Collection
    from anki.dbproxy import DBProxy

NOTETYPE_PREFIX = "kbdeck "
FROZEN_NOTETYPE_IDS = (1739812401, 1739812402)
"""`src/kbdeck/model/notetypes.py`: BASIC_MODEL_ID, CLOZE_MODEL_ID (fixed forever)."""


class StateRow(NamedTuple):
    """The cards in one (state, seen, due, retrievability) group, as their notes' GUIDs."""

    state: int
    """1 new, 2 learning (or relearning), 3 young, 4 mature, 5 suspended (see `STATES`)."""
    seen: int
    """1 when answered at least once."""
    due: int
    """1 when due today."""
    r_percent: int | None
    """FSRS retrievability in whole percent, truncated (None: FSRS off, or no memory state)."""
    guids: str
    """Space-separated note GUIDs, one per card (a note with two cards appears twice)."""


class AnswerRow(NamedTuple):
    """The answers of one (day, review?, passed?) group, as their notes' GUIDs."""

    days_ago: int
    """0 = today (Anki's day, which starts at the configured hour), 1 = yesterday..."""
    review: int
    """1 for answers to review cards (revlog type 1), the base of retention; 0 for (re)learning and filtered."""
    passed: int
    """1 when the answer was not Again."""
    guids: str
    """Space-separated note GUIDs, one per answer."""


STATES = {1: "new", 2: "learning", 3: "young", 4: "mature", 5: "suspended"}


@dataclass(frozen=True)
class Snapshot:
    """Everything the progress report needs from the collection, read in one go."""

    states: list[StateRow]
    answers: list[AnswerRow]
    fsrs: bool
    today: int
    """Anki's day number (days since the collection was created)."""
    day_cutoff: int
    """Epoch seconds when Anki's next day starts."""
    window_days: int
    mock_done: dict[str, dict[str, int]]
    read_ms: float
    notes_key: tuple[int, float] = (0, 0.0)
    """(count, sum of ids) of the kbdeck notes: changes whenever a note is added or deleted."""
    mock_results: Mapping[str, Mapping[str, tuple[MockResult, ...]]] = field(default_factory=dict)
    """Finished mock interviews, {kb: {mock: results oldest first}} (collection config `kbdeck_mock_results`)."""


_STATE = (
    "case when c.queue = -1 then 5 when c.type = 0 then 1 when c.type in (1, 3) then 2"
    " when c.ivl < 21 then 3 else 4 end"
)
_DUE = "((c.queue in (2, 3) and c.due <= ?1) or (c.queue in (1, 4) and c.due <= ?4))"
"""Anki's `is:due`: review and day-learning cards due by today, (re)learning cards due within the
learn-ahead limit; a card in a filtered deck counts with its due date there."""
_R = (
    "case when c.queue != -1 and c.type != 0 then cast(100 * extract_fsrs_retrievability("
    "c.data, case when c.odue != 0 then c.odue else c.due end, c.ivl, {timing}) as int) end"
)
"""FSRS retrievability of a seen, unsuspended card in whole percent (a group key: ≤ 101 values, so the
average per topic is exact to ±0.5 points); NULL without a memory state."""
R_TIMINGS = ("?1, ?2, ?3", "?1, ?2")
"""The SQL function's timing arguments: (days elapsed, next day at, now) since Anki 25.02; (days
elapsed, next day at) in 23.10–24.11 (checked against the anki 23.12.1 and 24.11 wheels)."""

# One row per group, not per card: moving 80k rows through Anki's JSON bridge costs ~100 ms,
# moving a few long strings costs a few ms. Python maps the GUIDs to topics. CROSS JOIN keeps
# SQLite's join order: scan cards (or the revlog's recent id range) and look notes up by primary
# key; the planner's own choice (notes by mid, then cards by nid) is 1.5–2× slower.
STATES_SQL = f"""
select {_STATE}, c.type != 0, {_DUE}, {{r}}, group_concat(n.guid, ' ')
from cards c cross join notes n on n.id = c.nid
where n.mid in ({{mids}})
group by 1, 2, 3, 4
"""
ANSWERS_SQL = """
select (?1 - r.id) / 86400000, r.type = 1, r.ease > 1, group_concat(n.guid, ' ')
from revlog r cross join cards c on c.id = r.cid cross join notes n on n.id = c.nid
where r.id >= ?2 and r.ease between 1 and 4 and n.mid in ({mids})
group by 1, 2, 3
"""
NOTES_KEY_SQL = "select count(), total(id) from notes where mid in ({mids})"
"""A signature of the note set (an index-only scan, ~3 ms for 80k notes): while it holds, which
flashcards of the build are missing cannot change, so that check is skipped."""
MOCK_CONFIG_KEY = "kbdeck_mock_interviews_done"


def notetype_ids(col: Collection) -> list[int]:
    """Ids of the kbdeck note types present (the frozen ids, plus any renamed copy "kbdeck ...")."""
    from anki.models import NotetypeId

    ids = {int(nt.id) for nt in col.models.all_names_and_ids() if nt.name.startswith(NOTETYPE_PREFIX)}
    ids.update(i for i in FROZEN_NOTETYPE_IDS if col.models.get(NotetypeId(i)) is not None)
    return sorted(ids)


def read_snapshot(col: Collection, window_days: int) -> Snapshot:
    """Run both passes. `window_days` covers retention and the chart (today included)."""
    started = time.perf_counter()
    timing = col.sched._timing_today()
    today, cutoff, now = int(timing.days_elapsed), int(timing.next_day_at), int(time.time())
    fsrs = bool(col.get_config("fsrs", False))
    mids = notetype_ids(col)
    learn_cutoff = now + int(col.get_config("collapseTime", 1200) or 0)
    states: list[StateRow] = []
    answers: list[AnswerRow] = []
    notes_key = (0, 0.0)
    if mids:
        mid_list = ",".join(str(int(m)) for m in mids)
        args = (today, cutoff, now, learn_cutoff)
        rows = None
        for timing_args in R_TIMINGS if fsrs else ():
            rows = _states(col, mid_list, _R.format(timing=timing_args), args)
            if rows is not None:
                break
        if rows is None:  # FSRS off, or an Anki whose retrievability function is unknown to us
            fsrs = False
            rows = _states(col, mid_list, "null", args) or []
        states = rows
        start_ms = (cutoff - 86400 * window_days) * 1000
        answers = [AnswerRow(*row) for row in _db(col).all(ANSWERS_SQL.format(mids=mid_list), cutoff * 1000, start_ms)]
        count, id_sum = _db(col).first(NOTES_KEY_SQL.format(mids=mid_list)) or (0, 0.0)
        notes_key = (int(count or 0), float(id_sum or 0.0))
    mock_done = mock_marks(col.get_config(MOCK_CONFIG_KEY, {}))
    mock_results = read_results(col.get_config(RESULTS_KEY, {}))
    read_ms = (time.perf_counter() - started) * 1000
    return Snapshot(states, answers, fsrs, today, cutoff, window_days, mock_done, read_ms, notes_key, mock_results)


def _db(col: Collection) -> DBProxy:
    if col.db is None:
        raise RuntimeError("the collection is closed")
    return col.db


def _states(col: Collection, mids: str, r_expr: str, args: tuple[int, int, int, int]) -> list[StateRow] | None:
    """Pass 1; `args` = (today, next day at, now, learn-ahead cutoff) for ?1..?4. None when the
    retrievability expression is not understood by this Anki."""
    sql = STATES_SQL.format(mids=mids, r=r_expr)
    try:
        rows = _db(col).all(sql, *args)
    except Exception:
        if r_expr == "null":
            raise
        return None
    return [StateRow(*row) for row in rows]


def mock_marks(raw: object) -> dict[str, dict[str, int]]:
    """The stored "mock interview done" marks, keeping only well-formed entries."""
    out: dict[str, dict[str, int]] = {}
    if isinstance(raw, dict):
        for kb, marks in raw.items():
            if isinstance(kb, str) and isinstance(marks, dict):
                out[kb] = {m: int(t) for m, t in marks.items() if isinstance(m, str) and isinstance(t, int)}
    return out

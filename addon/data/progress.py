"""The progress report: rows from the two SQL passes + the bundles → weeks → days → topics.

Pure (no Anki, no Qt), so every number is unit-tested with hand-made rows; the definitions are
in `report.py`. `aggregate.py` does the per-GUID work, this module folds its per-topic sums into
each bundle's roadmap and picks the current day and the next topic. A topic that a mock
interview names as its coding problem belongs to that mock, not to "outside the roadmap".
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence

from .aggregate import accumulate, guid_index, to_counts
from .bundle import Bundle
from .mock_plan import MockResult
from .queries import Snapshot
from .report import Counter, Counts, DayProgress, KbProgress, Report, TopicProgress, WeekProgress, total


def kb_progress(
    bundle: Bundle,
    topic_counts: Mapping[str, Counts],
    daily: Sequence[int],
    *,
    fsrs: bool,
    mocks_done: Iterable[str] = (),
    mock_history: Mapping[str, tuple[MockResult, ...]] | None = None,
) -> KbProgress:
    """Fold per-topic counts into the roadmap of one bundle (`ORPHAN` holds cards of unknown topics)."""
    topic_progress = {tid: TopicProgress(t, topic_counts.get(tid, Counts())) for tid, t in bundle.topics.items()}
    placed: set[str] = set()
    weeks: list[WeekProgress] = []
    for week in bundle.weeks:
        days = []
        for day in week.days:
            tps = tuple(topic_progress[t] for t in day.topics if t in topic_progress)
            placed.update(day.topics)
            days.append(DayProgress(week, day, tps, total(t.counts for t in tps)))
        weeks.append(WeekProgress(week, tuple(days), total(d.counts for d in days)))
    problems = {s.problem for m in bundle.mock_interviews for s in m.sections if s.problem}
    unplaced = [(tid, tp) for tid, tp in sorted(topic_progress.items()) if tid not in placed and tp.topic.cards]
    mock_topics = tuple(tp for tid, tp in unplaced if tid in problems)
    other = tuple(tp for tid, tp in unplaced if tid not in problems)
    overall = total(topic_counts.values())
    ordered = _roadmap_order(weeks, (*mock_topics, *other))
    done = frozenset(m.id for m in bundle.mock_interviews) & frozenset(mocks_done)
    targets = bundle.kb.targets
    roadmap = {tp.topic.id: tp for w in weeks for d in w.days for tp in d.topics if tp.counts.total}
    return KbProgress(
        bundle=bundle,
        weeks=tuple(weeks),
        counts=overall,
        other_topics=other,
        daily=tuple(daily),
        topics_studied=Counter(sum(tp.studied for tp in roadmap.values()), len(roadmap)),
        flashcards=Counter(overall.notes, targets.flashcards),
        examples=Counter(len(bundle.examples), targets.examples),
        mock_interviews=Counter(len(done), len(bundle.mock_interviews)),
        mocks_done=done,
        fsrs=fsrs,
        current_day=next((d for w in weeks for d in w.days if not d.done), None),
        next_topic=next((tp for tp in ordered if not tp.studied and tp.counts.total), None),
        mock_history={m: r for m, r in (mock_history or {}).items() if m in {x.id for x in bundle.mock_interviews}},
        mock_topics=mock_topics,
    )


def _roadmap_order(weeks: list[WeekProgress], other: tuple[TopicProgress, ...]) -> list[TopicProgress]:
    seen: set[str] = set()
    out: list[TopicProgress] = []
    for w in weeks:
        for d in w.days:
            for tp in d.topics:
                if tp.topic.id not in seen:
                    seen.add(tp.topic.id)
                    out.append(tp)
    return out + [tp for tp in other if tp.topic.id not in seen]


def build_report(
    bundles: Sequence[Bundle],
    snapshot: Snapshot,
    *,
    retention_days: int,
    chart_days: int,
    problems: Iterable[str] = (),
) -> Report:
    """The report of every knowledge base that has at least one card in the collection."""
    started = time.perf_counter()
    index = guid_index(bundles)
    notes_key = snapshot.notes_key if snapshot.notes_key[0] else None
    acc, daily = accumulate(index, snapshot.states, snapshot.answers, retention_days, chart_days, notes_key)
    per_bundle: list[dict[str, Counts]] = [{} for _ in bundles]
    for slot, (bi, tid) in enumerate(index.slots):
        per_bundle[bi][tid] = to_counts(acc[slot])
    kbs = []
    for bi, b in enumerate(bundles):
        kp = kb_progress(
            b,
            per_bundle[bi],
            daily[bi],
            fsrs=snapshot.fsrs,
            mocks_done=snapshot.mock_done.get(b.kb.id, {}).keys(),
            mock_history=snapshot.mock_results.get(b.kb.id, {}),
        )
        if kp.counts.total:
            kbs.append(kp)
    compute_ms = (time.perf_counter() - started) * 1000
    return Report(
        tuple(kbs), tuple(problems), len(bundles), snapshot.read_ms, compute_ms, chart_days, snapshot.day_cutoff
    )

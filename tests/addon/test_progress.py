"""The pure progress report, from hand-made SQL rows: every figure and definition of progress.py."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pytest
from addon_helpers import LEARNING, MATURE, NEW, SUSPENDED, YOUNG, bundle_dict, bundle_name, guids, make_bundle

from addon.data.bundle import Bundle, CardRef, parse_bundle
from addon.data.progress import build_report
from addon.data.queries import AnswerRow, Snapshot, StateRow
from addon.data.report import Counts, Report, TopicProgress

ROADMAP = {"w1": {"d1": ["py/gil", "py/gc"], "d2": ["db/pg"]}, "w2": {"d3": ["db/redis"]}}
CARDS = {"py/gil": ["gil-1", "gil-2"], "py/gc": ["gc-1"], "db/pg": ["pg-1", "pg-2"], "db/redis": ["redis-1"]}


def snapshot(states: list[StateRow], answers: Sequence[AnswerRow] = (), **kw: Any) -> Snapshot:
    base: dict[str, Any] = {
        "fsrs": False,
        "today": 100,
        "day_cutoff": 1_800_000_000,
        "window_days": 30,
        "mock_done": {},
        "read_ms": 1.0,
    }
    base.update(kw)
    return Snapshot(states, list(answers), **base)


def report_for(
    states: list[StateRow], answers: Sequence[AnswerRow] = (), bundles: Sequence[Bundle] = (), **kw: Any
) -> Report:
    bundles = bundles or (make_bundle(ROADMAP, CARDS, mocks=("m1", "m2"), examples=("ex/a",)),)
    return build_report(list(bundles), snapshot(states, answers, **kw), retention_days=30, chart_days=30)


def topic(report: Report, tid: str) -> TopicProgress:
    kb = report.kbs[0]
    return next(t for w in kb.weeks for d in w.days for t in d.topics if t.topic.id == tid)


def test_card_states_are_counted_per_topic_day_week_and_overall() -> None:
    rep = report_for(
        [
            StateRow(NEW, 0, 0, None, guids("gil-1", "pg-1", "redis-1")),
            StateRow(YOUNG, 1, 1, None, guids("gil-2")),
            StateRow(MATURE, 1, 0, None, guids("gc-1")),
            StateRow(LEARNING, 1, 1, None, guids("pg-2")),
            StateRow(SUSPENDED, 1, 0, None, "not-a-kbdeck-guid"),
        ]
    )
    gil = topic(rep, "py/gil").counts
    assert (gil.total, gil.new, gil.young, gil.seen, gil.due) == (2, 1, 1, 1, 1)
    assert gil.pct_seen == 50.0
    kb = rep.kbs[0]
    d1 = kb.weeks[0].days[0].counts
    assert (d1.total, d1.new, d1.young, d1.mature, d1.seen) == (3, 1, 1, 1, 2)
    w1 = kb.weeks[0].counts
    assert (w1.total, w1.learning, w1.due) == (5, 1, 2)
    c = kb.counts
    assert (c.total, c.new, c.learning, c.young, c.mature, c.suspended, c.seen, c.due) == (6, 3, 1, 1, 1, 0, 3, 2)
    assert c.total == c.new + c.learning + c.young + c.mature + c.suspended
    assert c.pct_mature == pytest.approx(100 / 6)


def test_a_note_with_several_cards_counts_each_card_once_and_the_note_once() -> None:
    rep = report_for(
        [StateRow(NEW, 0, 0, None, guids("gil-1", "gil-1", "gil-1")), StateRow(YOUNG, 1, 0, None, guids("gil-2"))]
    )
    gil = topic(rep, "py/gil").counts
    assert (gil.total, gil.new, gil.notes, gil.missing) == (4, 3, 2, 0)
    assert rep.kbs[0].flashcards.have == 2


def test_flashcards_of_the_build_missing_from_the_collection_are_reported() -> None:
    rep = report_for([StateRow(NEW, 0, 0, None, guids("gil-1"))])
    assert topic(rep, "py/gil").counts.missing == 1
    assert rep.kbs[0].counts.missing == len([c for ids in CARDS.values() for c in ids]) - 1


def test_retention_is_the_pass_rate_of_review_answers_in_the_window() -> None:
    rep = report_for(
        [StateRow(YOUNG, 1, 0, None, guids("gil-1", "gil-2"))],
        [
            AnswerRow(0, 1, 1, guids("gil-1", "gil-1", "gil-2")),  # three passed reviews today
            AnswerRow(3, 1, 0, guids("gil-1")),  # one Again, 3 days ago
            AnswerRow(3, 0, 0, guids("gil-2")),  # a learning answer: not a review
            AnswerRow(45, 1, 0, guids("gil-2")),  # outside the 30-day window
        ],
    )
    gil = topic(rep, "py/gil").counts
    assert (gil.reviews, gil.passed) == (4, 3)
    assert gil.retention == 75.0
    assert topic(rep, "db/pg").counts.retention is None


def test_the_chart_counts_every_answer_per_day_oldest_first() -> None:
    rep = report_for(
        [StateRow(YOUNG, 1, 0, None, guids("gil-1"))],
        [
            AnswerRow(0, 0, 1, guids("gil-1", "gil-1")),
            AnswerRow(0, 1, 1, guids("gil-1")),
            AnswerRow(29, 1, 1, guids("gil-1")),
            AnswerRow(30, 1, 1, guids("gil-1")),
            AnswerRow(0, 1, 1, "someone-elses-guid"),
        ],
    )
    daily = rep.kbs[0].daily
    assert len(daily) == 30
    assert daily[-1] == 3
    assert daily[0] == 1
    assert sum(daily) == 4


def test_average_retrievability_uses_the_middle_of_each_percent_bucket() -> None:
    rep = report_for(
        [
            StateRow(YOUNG, 1, 0, 90, guids("gil-1")),
            StateRow(MATURE, 1, 0, 80, guids("gil-2")),
            StateRow(NEW, 0, 0, None, guids("gc-1")),
            StateRow(YOUNG, 1, 0, 100, guids("pg-1")),  # just answered: R = 100%, never more
        ],
        fsrs=True,
    )
    assert topic(rep, "py/gil").counts.retrievability == pytest.approx(85.5)
    assert topic(rep, "py/gc").counts.retrievability is None
    assert topic(rep, "db/pg").counts.retrievability == 100.0
    assert rep.kbs[0].fsrs


def test_studied_topics_current_day_and_next_topic_follow_the_roadmap() -> None:
    rep = report_for(
        [
            StateRow(YOUNG, 1, 0, None, guids("gil-1", "gil-2", "gc-1")),  # day 1 done
            StateRow(SUSPENDED, 0, 0, None, guids("pg-1")),  # suspended, never seen: does not block "studied"
            StateRow(NEW, 0, 0, None, guids("pg-2", "redis-1")),
        ]
    )
    kb = rep.kbs[0]
    assert topic(rep, "py/gil").studied and topic(rep, "py/gc").studied
    assert not topic(rep, "db/pg").studied
    assert kb.current_day is not None and kb.current_day.day.id == "d2"
    assert kb.next_topic is not None and kb.next_topic.topic.id == "db/pg"
    assert (kb.topics_studied.have, kb.topics_studied.target) == (2, 4)
    assert kb.weeks[0].days[0].done and kb.weeks[0].days[0].topics_studied == 2


def test_a_finished_roadmap_has_no_current_day_nor_next_topic() -> None:
    every = [c for ids in CARDS.values() for c in ids]
    rep = report_for([StateRow(MATURE, 1, 0, None, guids(*every))])
    kb = rep.kbs[0]
    assert kb.current_day is None and kb.next_topic is None
    assert kb.topics_studied.have == 4


def test_a_topic_without_cards_in_the_collection_is_never_the_next_topic() -> None:
    rep = report_for([StateRow(NEW, 0, 0, None, guids("pg-1"))])
    kb = rep.kbs[0]
    assert kb.next_topic is not None and kb.next_topic.topic.id == "db/pg"
    assert not topic(rep, "py/gil").studied  # no cards: not studied


def test_the_learners_counters_are_of_the_roadmap_and_the_authors_against_its_targets() -> None:
    """Issue 17: the learner's figures count against what the roadmap holds (its topics with cards, its
    mock interviews); only the author's figures (notes, examples) are measured against the targets."""
    rep = report_for(
        [StateRow(NEW, 0, 0, None, guids("gil-1", "pg-1"))],
        mock_done={"kb": {"m1": 1, "ghost": 2}, "other": {"m2": 3}},
    )
    kb = rep.kbs[0]
    assert (kb.mock_interviews.have, kb.mock_interviews.target) == (1, 2)  # 2 mocks in the roadmap (target: 1)
    assert kb.mocks_done == frozenset({"m1"})
    assert (kb.topics_studied.have, kb.topics_studied.target) == (0, 2)  # topics with cards here (target: 4)
    assert (kb.examples.have, kb.examples.target) == (1, 2)
    assert (kb.flashcards.have, kb.flashcards.target) == (2, 10)


def test_several_knowledge_bases_never_mix_even_with_the_same_topic_ids() -> None:
    a = make_bundle(ROADMAP, CARDS, kb="kb-a", title="A")
    b = make_bundle(ROADMAP, CARDS, kb="kb-b", title="B")
    empty = make_bundle(ROADMAP, CARDS, kb="kb-c", title="C")
    rows = [
        StateRow(NEW, 0, 0, None, guids("gil-1", "gil-2", kb="kb-a")),
        StateRow(MATURE, 1, 0, None, guids("gil-1", kb="kb-b")),
    ]
    rep = report_for(rows, bundles=(a, b, empty))
    assert [k.bundle.kb.id for k in rep.kbs] == ["kb-a", "kb-b"]  # kb-c has no card in the collection
    assert rep.bundles_found == 3
    assert (rep.kbs[0].counts.total, rep.kbs[0].counts.new) == (2, 2)
    assert (rep.kbs[1].counts.total, rep.kbs[1].counts.mature) == (1, 1)


def test_cards_of_a_topic_the_bundle_does_not_describe_still_count_overall() -> None:
    b = make_bundle(ROADMAP, CARDS)
    orphan = CardRef("lost-1", "g-lost", "nowhere/topic", "deck")
    # another bundle file (indexes are cached by file name, which is content-addressed)
    b = type(b)(
        **{
            **b.__dict__,
            "file_name": b.file_name.replace("-bundle-", "-bundle-0"),
            "cards": {**b.cards, "lost-1": orphan},
            "guids": {**b.guids, "g-lost": "lost-1"},
        }
    )
    rep = report_for([StateRow(YOUNG, 1, 0, None, "g-lost")], bundles=(b,))
    assert rep.kbs[0].counts.total == 1
    assert all(d.counts.total == 0 for w in rep.kbs[0].weeks for d in w.days)


def test_no_rows_means_no_knowledge_base_to_show() -> None:
    rep = report_for([])
    assert rep.kbs == () and rep.bundles_found == 1


def test_counts_add_up_field_by_field() -> None:
    a = Counts(total=2, new=1, young=1, seen=1, reviews=3, passed=2, r_sum=1.5, r_cards=2)
    b = Counts(total=1, mature=1, seen=1, reviews=1, passed=1, r_sum=0.5, r_cards=1)
    s = a + b
    assert (s.total, s.seen, s.reviews, s.passed, s.r_cards) == (3, 2, 4, 3, 3)
    assert s.retention == 75.0 and s.retrievability == pytest.approx(200 / 3)


def test_missing_flashcards_are_rechecked_only_when_the_note_set_changes() -> None:
    b = make_bundle(ROADMAP, CARDS)
    everything = [StateRow(NEW, 0, 0, None, guids(*[c for ids in CARDS.values() for c in ids]))]
    one_gone = [StateRow(NEW, 0, 0, None, guids(*[c for ids in CARDS.values() for c in ids if c != "gc-1"]))]
    first = report_for(everything, bundles=(b,), notes_key=(7, 1.0))
    assert first.kbs[0].counts.missing == 0
    # same signature: the cached answer stands (the note set cannot have changed)
    assert report_for(one_gone, bundles=(b,), notes_key=(7, 1.0)).kbs[0].counts.missing == 0
    # a note was deleted: the signature moves and the check runs again
    assert report_for(one_gone, bundles=(b,), notes_key=(6, 0.5)).kbs[0].counts.missing == 1


def test_learning_answers_count_as_answers_but_never_as_reviews() -> None:
    """Issue 17: 21 answers to new cards gave "no reviews in 30 days"; they are answers, not reviews."""
    rep = report_for(
        [StateRow(LEARNING, 1, 1, None, guids("gil-1", "gil-2"))],
        [AnswerRow(0, 0, 1, guids(*["gil-1"] * 11, *["gil-2"] * 10)), AnswerRow(40, 1, 1, guids("gil-1"))],
    )
    c = rep.kbs[0].counts
    assert (c.answered, c.reviews, c.retention) == (21, 0, None)
    assert rep.kbs[0].answers_today == 21


def mock_bundle(*, orphan: bool = True) -> Bundle:
    """The test roadmap with two mock interviews whose coding problems are topics no day lists, and
    (with `orphan`) one more unlisted topic that is nobody's."""
    cards = {**CARDS, "problems/coin": ["coin-1", "coin-2"], "problems/lru": ["lru-1"]}
    if orphan:
        cards["misc/extra"] = ["extra-1"]
    data = bundle_dict(ROADMAP, cards, mocks=("m1", "m2"))
    data["mock_interviews"][0]["sections"].append({"title": "Coin change", "minutes": 30, "problem": "problems/coin"})
    data["mock_interviews"][1]["sections"].append({"title": "LRU", "minutes": 25, "problem": "problems/lru"})
    data["mock_interviews"][1]["sections"].append({"title": "Coin again", "minutes": 5, "problem": "problems/coin"})
    raw = json.dumps(data).encode()
    return parse_bundle(raw, bundle_name("kb", raw))


def test_a_mock_interviews_coding_problem_belongs_to_the_mock_not_outside_the_roadmap() -> None:
    """Issue 17: Coin change and LRU cache, the mocks' own problems, were listed as "outside the roadmap"."""
    every = [c for ids in CARDS.values() for c in ids]
    rep = report_for(
        [StateRow(MATURE, 1, 0, None, guids(*every)), StateRow(NEW, 0, 0, None, guids("coin-1", "coin-2", "lru-1"))],
        bundles=(mock_bundle(),),
    )
    kb = rep.kbs[0]
    assert [tp.topic.id for tp in kb.mock_topics] == ["problems/coin", "problems/lru"]
    assert [tp.topic.id for tp in kb.other_topics] == ["misc/extra"]  # no card of it in the collection, still listed
    assert kb.mocks_of("problems/coin") == ("Mock m1", "Mock m2") and kb.mocks_of("py/gil") == ()
    assert kb.counts.total == len(every) + 3
    assert kb.current_day is None  # the roadmap is done; the problems are what is left
    assert kb.next_topic is not None and kb.next_topic.topic.id == "problems/coin"
    assert (kb.topics_studied.have, kb.topics_studied.target) == (4, 4)  # roadmap topics only

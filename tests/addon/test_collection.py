"""The add-on's numbers on a real Anki collection: the real built deck, cards answered through the
scheduler, suspended, rescheduled and pulled into a filtered deck, compared with SQL truth and
Anki's own searches. Also "study now" and the note viewer's loader, without Qt."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
from anki.collection import Collection
from anki.scheduler.v3 import CardAnswer
from anki_helpers import import_apkg

from addon.data.bundle import Bundle
from addon.data.discovery import discover
from addon.data.progress import build_report
from addon.data.queries import read_snapshot
from addon.data.report import Counts, Report
from addon.ops.study import fill_study_deck, topic_search
from addon.views.note_viewer import load_note

KBDECK = '(note:"kbdeck Basic" OR note:"kbdeck Cloze")'


def answer_next(col: Collection, rating: str, times: int) -> list[int]:
    """Answer `times` cards from the current deck's queue with Again/Hard/Good/Easy, as the reviewer does."""
    done = []
    for _ in range(times):
        queued = col.sched.get_queued_cards()
        if not queued.cards:
            break
        card = col.get_card(queued.cards[0].card.id)
        card.start_timer()
        states = queued.cards[0].states
        col.sched.answer_card(col.sched.build_answer(card=card, states=states, rating=_rating(rating)))
        done.append(card.id)
    return done


def _rating(name: str) -> CardAnswer.Rating.V:
    return {"again": CardAnswer.AGAIN, "hard": CardAnswer.HARD, "good": CardAnswer.GOOD, "easy": CardAnswer.EASY}[name]


@pytest.fixture(params=[False, True], ids=["sm2", "fsrs"])
def studied(request: pytest.FixtureRequest, tmp_path: Path, built_deck: Path) -> Iterator[tuple[Collection, Bundle]]:
    """The built deck imported into a fresh collection, then studied for a while."""
    col = Collection(str(tmp_path / "collection.anki2"))
    import_apkg(col, built_deck)
    col.set_config("fsrs", request.param)
    root = col.decks.id_for_name("Python Senior KB")
    assert root is not None
    col.decks.select(root)
    answer_next(col, "good", 12)
    answer_next(col, "easy", 6)
    answer_next(col, "again", 4)
    cids = col.find_cards(KBDECK, order=True)
    col.sched.set_due_date(cids[40:52], "30!")  # review cards with a 30-day interval: mature
    col.sched.set_due_date(cids[52:60], "0!")  # due today, interval 0 → young review cards
    col.sched.suspend_cards(cids[60:64] + cids[0:1])
    col.decks.select(root)
    answer_next(col, "good", 5)
    answer_next(col, "again", 3)
    filtered = col.sched.get_or_create_filtered_deck(deck_id=0)  # type: ignore[arg-type]
    filtered.name = "someone's filtered deck"
    filtered.config.search_terms[0].search = f"{KBDECK} prop:ivl>=21"
    col.sched.add_or_update_filtered_deck(filtered)
    found = discover(col.media.dir())
    assert len(found.bundles) == 1 and not found.problems
    yield col, found.bundles[0]
    col.close()


def truth(col: Collection, bundle: Bundle) -> dict[str, Counts]:
    """Per-topic counts computed the plain way: one row per card, the definitions written out again."""
    timing = col.sched._timing_today()
    learn_cutoff = int(time.time()) + col.get_config("collapseTime")
    per: dict[str, list[int]] = defaultdict(lambda: [0] * 10)
    rows = col.db.all(
        f"select n.guid, c.type, c.queue, c.ivl, c.due from cards c join notes n on n.id = c.nid "
        f"where c.id in ({','.join(map(str, col.find_cards(KBDECK)))})"
    )
    for guid, ctype, queue, ivl, due in rows:
        topic = bundle.cards[bundle.guids[guid]].topic
        p = per[topic]
        p[0] += 1
        if queue == -1:
            p[5] += 1
        elif ctype == 0:
            p[1] += 1
        elif ctype in (1, 3):
            p[2] += 1
        elif ivl < 21:
            p[3] += 1
        else:
            p[4] += 1
        p[6] += ctype != 0
        p[7] += (queue in (2, 3) and due <= timing.days_elapsed) or (queue in (1, 4) and due <= learn_cutoff)
    start = (timing.next_day_at - 30 * 86400) * 1000
    for guid, ease in col.db.all(
        "select n.guid, r.ease from revlog r join cards c on c.id = r.cid join notes n on n.id = c.nid "
        "where r.type = 1 and r.ease between 1 and 4 and r.id >= ?",
        start,
    ):
        p = per[bundle.cards[bundle.guids[guid]].topic]
        p[8] += 1
        p[9] += ease > 1
    return {t: Counts(*v) for t, v in per.items()}


def compute(col: Collection, bundle: Bundle) -> Report:
    return build_report([bundle], read_snapshot(col, 30), retention_days=30, chart_days=30)


def test_every_topic_matches_sql_truth(studied: tuple[Collection, Bundle]) -> None:
    col, bundle = studied
    report = compute(col, bundle)
    expected = truth(col, bundle)
    (kb,) = report.kbs
    got = {tp.topic.id: tp.counts for w in kb.weeks for d in w.days for tp in d.topics} | {
        tp.topic.id: tp.counts for tp in (*kb.other_topics, *kb.mock_topics)
    }
    fields = ("total", "new", "learning", "young", "mature", "suspended", "seen", "due", "reviews", "passed")
    for tid, want in expected.items():
        assert tuple(getattr(got[tid], f) for f in fields) == tuple(getattr(want, f) for f in fields), tid
    assert kb.counts.total == sum(c.total for c in expected.values()) == len(col.find_cards(KBDECK))
    assert kb.counts.missing == 0 and kb.flashcards.have == len(bundle.cards)
    assert sum(kb.counts.__getattribute__(f) for f in ("young", "mature", "learning")) > 0
    assert kb.counts.reviews > 0 and 0 < kb.counts.passed < kb.counts.reviews


def test_totals_agree_with_ankis_own_searches(studied: tuple[Collection, Bundle]) -> None:
    col, bundle = studied
    c = compute(col, bundle).kbs[0].counts
    assert c.new == len(col.find_cards(f"{KBDECK} is:new -is:suspended"))
    assert c.suspended == len(col.find_cards(f"{KBDECK} is:suspended"))
    assert c.mature == len(col.find_cards(f"{KBDECK} -is:suspended -is:learn is:review prop:ivl>=21"))
    assert c.seen == len(col.find_cards(f"{KBDECK} -is:new"))
    assert c.due == len(col.find_cards(f"{KBDECK} is:due"))
    today = col.db.scalar(
        "select count() from revlog where ease between 1 and 4 and id >= ?", (col.sched.day_cutoff - 86400) * 1000
    )
    assert compute(col, bundle).kbs[0].daily[-1] == today > 0


def test_fsrs_average_retrievability_matches_the_per_card_value(studied: tuple[Collection, Bundle]) -> None:
    col, bundle = studied
    kb = compute(col, bundle).kbs[0]
    if not col.get_config("fsrs"):
        assert not kb.fsrs and kb.counts.retrievability is None
        return
    timing = col.sched._timing_today()
    values = col.db.list(
        "select extract_fsrs_retrievability(c.data, case when c.odue != 0 then c.odue else c.due end, c.ivl, ?, ?, ?) "
        f"from cards c where c.queue != -1 and c.type != 0 and c.id in ({','.join(map(str, col.find_cards(KBDECK)))})",
        timing.days_elapsed,
        timing.next_day_at,
        int(time.time()),
    )
    values = [v for v in values if v is not None]
    assert values and kb.fsrs
    assert kb.counts.r_cards == len(values)
    assert kb.counts.retrievability == pytest.approx(100 * sum(values) / len(values), abs=0.5)


def test_study_now_fills_one_reusable_filtered_deck_with_the_topics_cards(studied: tuple[Collection, Bundle]) -> None:
    col, bundle = studied
    report = compute(col, bundle)
    topic = report.kbs[0].next_topic
    assert topic is not None
    search = topic_search(col, topic.topic.cards)
    assert "Id:" in search and "mid:" in search
    eligible = set(col.find_cards(f"{search} -is:suspended -is:buried -deck:filtered"))
    out = fill_study_deck(col, "kbdeck study", search, 500)
    in_deck = col.find_cards('deck:"kbdeck study"')
    assert set(in_deck) == eligible and eligible
    assert {bundle.guids[col.get_card(c).note().guid] for c in in_deck} <= set(topic.topic.cards)
    other = next(tp for w in report.kbs[0].weeks for d in w.days for tp in d.topics if tp.topic.id != topic.topic.id)
    again = fill_study_deck(col, "kbdeck study", topic_search(col, other.topic.cards), 500)
    assert again.id == out.id  # refilled, not a second deck
    assert {
        bundle.cards[bundle.guids[col.get_card(c).note().guid]].topic for c in col.find_cards('deck:"kbdeck study"')
    } == {other.topic.id}


def test_study_now_never_touches_a_normal_deck_with_that_name(studied: tuple[Collection, Bundle]) -> None:
    from addon.errors import UserMessage

    col, _ = studied
    col.decks.id("kbdeck study")
    with pytest.raises(UserMessage, match="normal deck"):
        fill_study_deck(col, "kbdeck study", "deck:*", 10)


def test_the_note_viewer_loads_a_sanitized_note_with_the_note_types_css(studied: tuple[Collection, Bundle]) -> None:
    col, bundle = studied
    topic = bundle.topics["python-internals/gil"]
    note = load_note(col, topic)
    assert topic.title in note.body and "<script" not in note.body
    assert all(f'id="{h.anchor}"' in note.body for h in topic.headings)
    assert ".kb-card" in note.css and "<" not in note.css


def test_a_collection_without_kbdeck_notes_gives_an_empty_report(tmp_path: Path) -> None:
    col = Collection(str(tmp_path / "empty.anki2"))
    try:
        snap = read_snapshot(col, 30)
        assert snap.states == [] and snap.answers == []
        assert build_report([], snap, retention_days=30, chart_days=30).kbs == ()
    finally:
        col.close()


def test_study_now_on_a_fresh_topic_shows_its_first_card_first(tmp_path: Path, built_deck: Path) -> None:
    """The issue's "first card shown last": new-card positions start at 1, so the filtered deck keeps the
    topic's authored order and the reviewer's first card is the topic's first card."""
    col = Collection(str(tmp_path / "collection.anki2"))
    try:
        import_apkg(col, built_deck)
        (bundle,) = discover(col.media.dir()).bundles
        first_day = bundle.weeks[0].days[0]
        for topic_id in first_day.topics[:3]:
            topic = bundle.topics[topic_id]
            out = fill_study_deck(col, "kbdeck study", topic_search(col, topic.cards), 500)
            col.decks.select(out.id)  # type: ignore[arg-type]
            shown = col.get_card(col.sched.get_queued_cards().cards[0].card.id)
            assert bundle.guids[shown.note().guid] == topic.cards[0], topic_id
    finally:
        col.close()

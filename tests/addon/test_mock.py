"""Mock interviews: drawing a section's cards, scoring a session from the revlog, the stored history
(pure), and the decks and the recorded result on a real collection with the shipped deck."""

from __future__ import annotations

import random
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from addon_helpers import make_bundle
from anki.collection import Collection
from anki_helpers import import_apkg
from test_collection import answer_next

from addon.data.bundle import Bundle, MockSection
from addon.data.discovery import discover
from addon.data.mock_plan import (
    MAX_HISTORY,
    RESULTS_KEY,
    MockResult,
    SectionResult,
    draw,
    read_results,
    score,
    section_card_ids,
    statement_of,
    with_result,
)
from addon.data.mock_state import (
    PENDING,
    SKIPPED,
    TAKEN,
    UNGRADED,
    ActiveMock,
    MockStateError,
    SectionState,
    read_active,
)
from addon.data.queries import MOCK_CONFIG_KEY, read_snapshot
from addon.errors import UserMessage
from addon.ops.mock_session import (
    abandon_mock,
    begin_mock,
    deck_name,
    end_section,
    finish_mock,
    grade_section,
    load_active,
    pause_mock,
    resume_mock,
    start_section,
)

PARENT = "kbdeck mock"
CARDS = {"py/gil": ["gil-1", "gil-2"], "py/gc": ["gc-1"], "db/pg": ["pg-1", "pg-2"]}


def section(**kw: object) -> MockSection:
    base: dict[str, object] = {"title": "S", "minutes": 10, "cards": 2, "topics": (), "areas": (), "problem": ""}
    return MockSection(**{**base, **kw})  # type: ignore[arg-type]


def test_a_section_draws_from_its_topics_and_its_areas() -> None:
    b = make_bundle({"w1": {"d1": ["py/gil"]}}, CARDS)
    assert section_card_ids(b, section(topics=("py/gc",), areas=("db",))) == ("gc-1", "pg-1", "pg-2")
    assert section_card_ids(b, section(topics=("nope",))) == ()


def test_drawing_is_random_distinct_and_never_more_than_there_is() -> None:
    pool = range(100)
    a, b = draw(pool, 8, random.Random(1)), draw(pool, 8, random.Random(2))
    assert len(set(a)) == 8 and a != b and draw(pool, 8, random.Random(1)) == a
    assert draw([5, 5, 3], 10, random.Random(0)) == (3, 5)


def active_of(*cards: tuple[int, ...], problem: bool = False) -> ActiveMock:
    sections = [SectionState(f"s{i}", 10, c) for i, c in enumerate(cards)]
    if problem:
        sections.append(SectionState("code", 30, problem="problems/x"))
    return ActiveMock("kb", "m1", "Mock", 1_000_000, tuple(sections))


def test_a_section_runs_ends_and_counts_only_its_own_answers() -> None:
    a = active_of((1, 2, 3), (4,))
    a = a.start(0, 1_000_000).end(1_000_600, answered=2).start(1, 1_001_000)
    a = a.end(1_001_500, answered=0)
    answers = [
        (1, 1, 999_999),  # before the section: not part of the mock
        (1, 3, 1_000_100),
        (1, 1, 1_000_300),  # a later answer of the same card does not count
        (2, 1, 1_000_200),
        (3, 3, 1_000_700),  # after its section ended
        (4, 0, 1_001_100),  # a manual reschedule is not an answer
        (9, 3, 1_000_500),  # not drawn
    ]
    result = score(a, reversed(answers), finished_at=2_000)
    assert [(s.cards, s.answered, s.passed, s.status) for s in result.sections] == [
        (3, 2, 1, "taken"),
        (1, 0, 0, "skipped"),
    ]
    assert result.sections[0].pass_rate == 50.0 and result.sections[1].pass_rate is None
    assert result.pass_rate == 50.0 and not result.complete


def test_the_state_machine_allows_only_what_a_learner_can_do() -> None:
    a = active_of((1, 2), problem=True)
    assert (a.current, a.next_pending, a.complete) == (-1, 0, False)
    running = a.start(0, 5_000)
    with pytest.raises(MockStateError):
        running.start(1, 6_000)  # one section at a time
    with pytest.raises(MockStateError):
        running.grade_current("solved")  # a flashcard section is not graded
    with pytest.raises(MockStateError):
        a.end(6_000)  # nothing runs
    coding = running.end(9_000, answered=1).start(1, 10_000).end(20_000)
    assert coding.sections[1].status == UNGRADED and coding.current == 1
    with pytest.raises(MockStateError):
        coding.grade_current("brilliant")
    done = coding.grade_current("partial")
    assert done.complete and done.sections[1].grade == "partial" and done.current == -1
    assert a.skip(1).sections[1].status == SKIPPED and not a.skip(1).skip(0).complete
    with pytest.raises(MockStateError):
        done.skip(0)


def test_a_paused_section_does_not_run_out_of_time() -> None:
    t0 = 1_700_000_000_000
    a = active_of((1,)).start(0, t0)
    assert a.sections[0].left_s(t0 + 60_000) == 9 * 60
    paused = a.pause(t0 + 60_000)
    day = t0 + 86_400_000
    assert paused.paused and paused.sections[0].left_s(day) == 9 * 60  # a day later, still 9 min left
    resumed = paused.resume(day)
    assert not resumed.paused and resumed.sections[0].left_s(day + 600_000) == -60
    assert resumed.ran_ms(day + 600_000) == 660_000
    assert a.pause(t0 + 1).pause(t0 + 2) == a.pause(t0 + 1) and a.resume(t0 + 5) == a  # idempotent


def test_the_stored_state_round_trips_and_junk_reads_as_none() -> None:
    a = active_of((1, 2), problem=True).start(0, 5).end(9, 1).skip(1)
    assert read_active(a.to_json()) == a
    raw = a.to_json()
    for junk in (
        None,
        "x",
        {**raw, "kb": ""},
        {**raw, "sections": []},
        {**raw, "sections": [{"status": "flying"}]},
        {**raw, "sections": [{"cards": [-1]}]},
        {**raw, "sections": [{"status": "running"}, {"status": "ungraded", "problem": "p"}]},
        {**raw, "started_ms": True},
    ):
        assert read_active(junk) is None, junk


def test_a_problem_shows_its_title_and_first_section_only() -> None:
    note = "<h1 id=t>Coin</h1><p>greedy fails</p><h2 id='a'>Enunciado</h2><p>do it</p><H2>Solução</H2><p>secret</p>"
    assert statement_of(note) == ("<h1 id=t>Coin</h1><h2 id='a'>Enunciado</h2><p>do it</p>", True)
    assert statement_of("<p>intro</p><h2>One</h2><p>x</p>") == ("<h2>One</h2><p>x</p>", True)
    assert statement_of("<h1>T</h1><p>no sections</p>") == ("<h1>T</h1><p>no sections</p>", False)
    assert statement_of("<h20>not a heading</h20>")[1] is False


def test_a_problem_statement_is_cut_as_the_regex_cut_it_in_bounded_time() -> None:
    """The title was a lazy regex's search from every `<h1` (20,000 `<h1 ` in a hostile deck's note: 5 s)."""
    before = re.compile(r"<h1[\s>].*?</h1\s*>", re.IGNORECASE | re.DOTALL)
    rng = random.Random(7)
    pieces = ["<h1>", "<h1 class=x>", "</h1>", "</H1 >", "<H1\n", "a", " ", "<h2>", "<h2 id=y>", "</h2>", "<p>"]
    for _ in range(3000):
        note = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 14)))
        heads = [m.start() for m in re.finditer(r"<h2[\s>]", note, re.IGNORECASE)]
        if heads:
            title = before.search(note, 0, heads[0])
            end = heads[1] if len(heads) > 1 else len(note)
            assert statement_of(note)[0] == (title.group(0) if title else "") + note[heads[0] : end], note
    started = time.perf_counter()
    assert statement_of("<h1 " * 200_000 + "<h2>x</h2>") == ("<h2>x</h2>", True)
    assert time.perf_counter() - started < 2


def test_stored_results_survive_junk_and_stay_capped() -> None:
    one = MockResult(1700000000, 42, (SectionResult("Python", 8, 8, 6), SectionResult("Code", 0, 0, 0, grade="solved")))
    raw = with_result({"kb": {"m1": [{"at": "x"}, 5]}, "bad": [], 3: {}}, "kb", "m1", one)
    assert read_results(raw) == {"kb": {"m1": (one,)}}
    for _ in range(MAX_HISTORY + 5):
        raw = with_result(raw, "kb", "m1", one)
    assert len(raw["kb"]["m1"]) == MAX_HISTORY
    assert read_results("nonsense") == {} and read_results({"kb": {"m1": [{"at": 1, "sections": [{}]}]}}) == {}
    old = {"at": 1, "minutes": 3, "sections": [{"title": "P", "cards": 2, "answered": 2, "passed": 1}]}
    (read,) = read_results({"kb": {"m1": [old]}})["kb"]["m1"]  # stored before sections had a status
    assert read.complete and read.sections[0].status == "taken"
    bad = {**old, "sections": [{**old["sections"][0], "grade": "genius"}]}
    assert read_results({"kb": {"m1": [bad]}}) == {}


def test_deck_names_never_nest_by_accident() -> None:
    assert deck_name("kbdeck mock", 2, " Django :: FastAPI ") == "kbdeck mock::2. Django - FastAPI"


# ---- on a real collection -------------------------------------------------------------------------


@pytest.fixture
def col_and_bundle(tmp_path: Path, built_deck: Path) -> Iterator[tuple[Collection, Bundle]]:
    col = Collection(str(tmp_path / "collection.anki2"))
    import_apkg(col, built_deck)
    (bundle,) = discover(col.media.dir()).bundles
    yield col, bundle
    col.close()


def home_of(col: Collection, cids: tuple[int, ...]) -> set[int]:
    return {col.get_card(c).did for c in cids}


def test_starting_a_mock_draws_cards_and_holds_none_until_a_section_runs(
    col_and_bundle: tuple[Collection, Bundle],
) -> None:
    col, bundle = col_and_bundle
    mock = bundle.mock_interviews[0]
    eligible = section_card_ids(bundle, mock.sections[0])
    suspended = col.find_cards(f"Id:{eligible[0]}")
    col.sched.suspend_cards(suspended)
    active = begin_mock(col, bundle, mock, seed=7)
    assert load_active(col) == active and active.current == -1
    for planned, s in zip(active.sections, mock.sections, strict=True):
        assert planned.problem == s.problem and planned.status == PENDING and not planned.deck_id
        if not s.problem:
            assert len(planned.cards) == s.cards
            assert {col.get_card(c).note()["Id"] for c in planned.cards} <= set(section_card_ids(bundle, s))
    assert not set(suspended) & set(active.sections[0].cards)
    assert col.decks.id_for_name(PARENT) is None  # no card leaves home before its section starts
    assert begin_mock(col, bundle, mock) == active  # Start again resumes it
    with pytest.raises(UserMessage, match=mock.title):
        begin_mock(col, bundle, bundle.mock_interviews[1])  # one mock at a time


def test_a_section_holds_its_cards_while_it_runs_and_gives_them_back(
    col_and_bundle: tuple[Collection, Bundle],
) -> None:
    col, bundle = col_and_bundle
    active = begin_mock(col, bundle, bundle.mock_interviews[0], seed=3)
    cards = active.sections[0].cards
    homes = home_of(col, cards)
    running = start_section(col, active, 0, PARENT)
    deck = col.decks.get(running.sections[0].deck_id)
    assert deck is not None and deck["dyn"] and deck["name"] == deck_name(PARENT, 1, active.sections[0].title)
    assert set(col.find_cards(f"did:{deck['id']}")) == set(cards)
    col.decks.select(deck["id"])
    answer_next(col, "good", 2)
    answer_next(col, "again", 1)
    ended = end_section(col, running, PARENT)
    assert ended.sections[0].status == TAKEN and col.decks.id_for_name(PARENT) is None
    assert home_of(col, cards) == homes and all(col.get_card(c).odid == 0 for c in cards)
    assert load_active(col) == ended


def test_a_section_started_and_ended_without_an_answer_is_skipped(col_and_bundle: tuple[Collection, Bundle]) -> None:
    col, bundle = col_and_bundle
    active = begin_mock(col, bundle, bundle.mock_interviews[0], seed=3)
    ended = end_section(col, start_section(col, active, 0, PARENT), PARENT)
    assert ended.sections[0].status == SKIPPED


def test_finishing_a_complete_mock_records_it_as_done(col_and_bundle: tuple[Collection, Bundle]) -> None:
    col, bundle = col_and_bundle
    mock = bundle.mock_interviews[0]
    a = begin_mock(col, bundle, mock, seed=3)
    for i, s in enumerate(a.sections):
        a = start_section(col, a, i, PARENT)
        if s.problem:
            a = grade_section(col, end_section(col, a, PARENT), "partial")
        else:
            col.decks.select(a.sections[i].deck_id)  # type: ignore[arg-type]
            answer_next(col, "good" if i else "again", 1)
            a = end_section(col, a, PARENT)
    result = finish_mock(col, a, PARENT)
    assert result.complete and [s.status for s in result.sections] == ["taken"] * len(a.sections)
    assert [s.grade for s in result.sections if s.grade] == ["partial"]
    assert (result.sections[0].answered, result.sections[0].passed) == (1, 0)
    assert read_results(col.get_config(RESULTS_KEY)) == {bundle.kb.id: {mock.id: (result,)}}
    assert mock.id in col.get_config(MOCK_CONFIG_KEY)[bundle.kb.id]
    assert load_active(col) is None and col.decks.id_for_name(PARENT) is None
    assert read_snapshot(col, 30).mock_results[bundle.kb.id][mock.id] == (result,)


def test_a_mock_with_a_skipped_section_is_saved_but_not_done(col_and_bundle: tuple[Collection, Bundle]) -> None:
    col, bundle = col_and_bundle
    mock = bundle.mock_interviews[0]
    a = start_section(col, begin_mock(col, bundle, mock, seed=3), 0, PARENT)
    col.decks.select(a.sections[0].deck_id)  # type: ignore[arg-type]
    answer_next(col, "good", 1)
    held = a.sections[0].cards
    result = finish_mock(col, a, PARENT)  # the running section ends with the mock; the rest were never taken
    assert not result.complete and result.sections[0].status == "taken"
    assert [s.status for s in result.sections[1:]] == ["skipped"] * (len(mock.sections) - 1)
    assert col.get_config(MOCK_CONFIG_KEY, None) is None  # not done
    assert all(col.get_card(c).odid == 0 for c in held) and load_active(col) is None


def test_abandoning_gives_every_card_back_and_records_nothing(col_and_bundle: tuple[Collection, Bundle]) -> None:
    col, bundle = col_and_bundle
    a = start_section(col, begin_mock(col, bundle, bundle.mock_interviews[1]), 0, PARENT)
    held = a.sections[0].cards
    abandon_mock(col, a, PARENT)
    assert col.decks.id_for_name(PARENT) is None and col.get_config(RESULTS_KEY, None) is None
    assert all(col.get_card(c).odid == 0 for c in held) and load_active(col) is None


def test_resuming_brings_back_a_deck_deleted_by_hand(col_and_bundle: tuple[Collection, Bundle]) -> None:
    col, bundle = col_and_bundle
    a = pause_mock(col, start_section(col, begin_mock(col, bundle, bundle.mock_interviews[0], seed=1), 0, PARENT))
    col.decks.remove([a.sections[0].deck_id])  # type: ignore[list-item]
    resumed = resume_mock(col, a, PARENT)
    # a new deck (Anki names a deck by the current millisecond: within the same one, the freed id comes back)
    assert resumed.sections[0].deck_id and col.decks.get(resumed.sections[0].deck_id, default=False)  # type: ignore[arg-type]
    assert set(col.find_cards(f"did:{resumed.sections[0].deck_id}")) == set(a.sections[0].cards)
    assert not resumed.paused


def test_a_normal_deck_with_a_mock_decks_name_is_never_touched(col_and_bundle: tuple[Collection, Bundle]) -> None:
    col, bundle = col_and_bundle
    mock = bundle.mock_interviews[0]
    did = col.decks.id(deck_name(PARENT, 1, mock.sections[0].title))
    a = begin_mock(col, bundle, mock)
    with pytest.raises(UserMessage):
        start_section(col, a, 0, PARENT)
    abandon_mock(col, load_active(col), PARENT)
    assert col.decks.get(did) is not None  # type: ignore[arg-type]


def test_the_timer_says_what_became_of_each_section_escaped() -> None:
    from addon.data.i18n import Translator
    from addon.data.mock_text import again_label, result_lines, section_line

    en, pt = Translator("en"), Translator("pt-BR")
    a = ActiveMock("kb", "m", "M", 1, (SectionState("<i>Py</i>", 10, (1,)), SectionState("Code", 30, problem="p")))
    a = a.skip(0).start(1, 5).end(9).grade_current("solved")
    assert section_line(a, 0, en).startswith(
        "– 1. &lt;i&gt;Py&lt;/i&gt; "
    ) and "1 card, 10 min) — skipped" in section_line(a, 0, en)
    assert "(problema de código, 30 min) — resolvido" in section_line(a, 1, pt)
    result = MockResult(1, 5, (SectionResult("Py", 2, 2, 1), SectionResult("Code", 0, 0, 0, grade="partial")), True)
    assert result_lines(result, en) == ["<b>Result saved</b>", "Py: 1/2 (50%)", "Code: partly"]
    assert again_label(pt) == "De novo" and again_label(en) == "Again"  # outside Anki: the add-on's own words

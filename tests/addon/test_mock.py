"""Mock interviews: drawing a section's cards, scoring a session from the revlog, the stored history
(pure), and the decks and the recorded result on a real collection with the shipped deck."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from addon_helpers import make_bundle
from anki.collection import Collection
from anki_helpers import import_apkg
from test_collection import answer_next

from addon.bundle import Bundle, MockSection
from addon.discovery import discover
from addon.errors import UserMessage
from addon.mock_plan import (
    MAX_HISTORY,
    RESULTS_KEY,
    MockResult,
    MockRun,
    PlannedSection,
    SectionResult,
    draw,
    read_results,
    score,
    section_card_ids,
    with_result,
)
from addon.mock_session import create_mock_decks, deck_name, finish_mock, remove_mock_decks
from addon.queries import MOCK_CONFIG_KEY, read_snapshot

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


def run_of(*cards: tuple[int, ...], started_ms: int = 1_000_000) -> MockRun:
    sections = tuple(PlannedSection(f"s{i}", 10, c, i + 1) for i, c in enumerate(cards))
    return MockRun("kb", "m1", "Mock", started_ms, sections)


def test_the_score_counts_each_cards_first_answer_of_the_session() -> None:
    run = run_of((1, 2, 3), (4,))
    answers = [
        (1, 1, 999_999),  # before the start: not part of the mock
        (1, 3, 1_000_100),
        (1, 1, 1_000_900),  # a later answer of the same card does not count
        (2, 1, 1_000_200),
        (2, 3, 1_000_300),
        (4, 0, 1_000_400),  # a manual reschedule is not an answer
        (9, 3, 1_000_500),  # not drawn
    ]
    result = score(run, reversed(answers), finished_at=1_000 + 30 * 60)
    assert [(s.cards, s.answered, s.passed) for s in result.sections] == [(3, 2, 1), (1, 0, 0)]
    assert result.sections[0].pass_rate == 50.0 and result.sections[1].pass_rate is None
    assert (result.pass_rate, result.minutes) == (50.0, 30)


def test_stored_results_survive_junk_and_stay_capped() -> None:
    one = MockResult(1700000000, 42, (SectionResult("Python", 8, 8, 6),))
    raw = with_result({"kb": {"m1": [{"at": "x"}, 5]}, "bad": [], 3: {}}, "kb", "m1", one)
    assert read_results(raw) == {"kb": {"m1": (one,)}}
    for _ in range(MAX_HISTORY + 5):
        raw = with_result(raw, "kb", "m1", one)
    assert len(raw["kb"]["m1"]) == MAX_HISTORY
    assert read_results("nonsense") == {} and read_results({"kb": {"m1": [{"at": 1, "sections": [{}]}]}}) == {}


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


def test_starting_a_mock_fills_one_filtered_deck_per_flashcard_section(
    col_and_bundle: tuple[Collection, Bundle],
) -> None:
    col, bundle = col_and_bundle
    mock = bundle.mock_interviews[0]
    first = mock.sections[0]
    eligible = section_card_ids(bundle, first)
    suspended = col.find_cards(f"Id:{eligible[0]}")
    col.sched.suspend_cards(suspended)
    run = create_mock_decks(col, bundle, mock, "kbdeck mock", seed=7)
    for planned, s in zip(run.sections, mock.sections, strict=True):
        if s.problem:
            assert planned.problem == s.problem and not planned.deck_id and not planned.cards
            continue
        deck = col.decks.get(planned.deck_id)
        assert deck is not None and deck["dyn"] and deck["name"].startswith("kbdeck mock::")
        assert len(planned.cards) == s.cards == len(col.find_cards(f"did:{planned.deck_id}"))
        ids = {col.get_card(c).note()["Id"] for c in planned.cards}
        assert ids <= set(section_card_ids(bundle, s))
    assert not set(suspended) & set(run.sections[0].cards)


def test_finishing_records_the_result_and_gives_the_cards_back(col_and_bundle: tuple[Collection, Bundle]) -> None:
    col, bundle = col_and_bundle
    mock = bundle.mock_interviews[0]
    run = create_mock_decks(col, bundle, mock, "kbdeck mock", seed=3)
    first = run.sections[0]
    col.decks.select(first.deck_id)  # type: ignore[arg-type]
    answer_next(col, "good", 2)
    answer_next(col, "again", 1)
    result = finish_mock(col, run, "kbdeck mock")
    assert (result.sections[0].cards, result.sections[0].answered, result.sections[0].passed) == (
        len(first.cards),
        3,
        2,
    )
    assert read_results(col.get_config(RESULTS_KEY)) == {bundle.kb.id: {mock.id: (result,)}}
    assert mock.id in col.get_config(MOCK_CONFIG_KEY)[bundle.kb.id]
    assert col.decks.id_for_name("kbdeck mock") is None
    assert all(col.get_card(c).odid == 0 for s in run.sections for c in s.cards)
    snapshot = read_snapshot(col, 30)
    assert snapshot.mock_results[bundle.kb.id][mock.id] == (result,)


def test_a_normal_deck_with_a_mock_decks_name_is_never_touched(col_and_bundle: tuple[Collection, Bundle]) -> None:
    col, bundle = col_and_bundle
    mock = bundle.mock_interviews[0]
    col.decks.id(deck_name("kbdeck mock", 1, mock.sections[0].title))
    with pytest.raises(UserMessage):
        create_mock_decks(col, bundle, mock, "kbdeck mock")


def test_abandoning_removes_the_decks_only(col_and_bundle: tuple[Collection, Bundle]) -> None:
    col, bundle = col_and_bundle
    run = create_mock_decks(col, bundle, bundle.mock_interviews[1], "kbdeck mock")
    remove_mock_decks(col, run, "kbdeck mock")
    assert col.decks.id_for_name("kbdeck mock") is None and col.get_config(RESULTS_KEY, None) is None

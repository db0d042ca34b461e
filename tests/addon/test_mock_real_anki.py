"""Mock interviews in the real Anki desktop app (offscreen), as a learner lives them: two sessions on one
profile with a quit in the middle (tests/addon/driver/mock.py). Screenshots go to build/screenshots/addon/."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from harness import prepare_base, run_anki

from addon.data.apkg import read_package

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "build" / "screenshots" / "addon"


def _run(base: Path, tmp: Path, part: int, deck: Path) -> dict[str, Any]:
    bundle = read_package(deck).bundle
    run = run_anki(
        base,
        {
            "scenario": "mock",
            "part": part,
            "results": str(tmp / f"results{part}.json"),
            "screenshots": str(SCREENSHOTS),
            "apkg": str(deck),
            "mock": bundle.mock_interviews[0].id,
            "mock2": bundle.mock_interviews[1].id,
            "watchdog_s": 100,
        },
    )
    results = run.results
    assert results.get("status") == "ok", (
        json.dumps({k: results.get(k) for k in ("status", "errors", "steps", "log")}, indent=2)
        + "\n--- Anki output (tail) ---\n"
        + run.output[-6000:]
    )
    assert "Traceback" not in run.output, run.output[-4000:]
    assert [line for line in results["log"] if line.startswith("ERROR")] == []
    return results


@pytest.fixture(scope="module")
def sessions(tmp_path_factory: pytest.TempPathFactory, built_deck: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    sys.path.insert(0, str(ROOT / "scripts"))
    from package_addon import package

    tmp = tmp_path_factory.mktemp("anki-mock")
    base = tmp / "base"
    prepare_base(base, package(tmp / "kbdeck.ankiaddon"))
    return _run(base, tmp, 1, built_deck), _run(base, tmp, 2, built_deck)


def mock_of(deck: Path, index: int) -> Any:
    return read_package(deck).bundle.mock_interviews[index]


def test_starting_holds_no_card_until_a_section_starts(sessions: Any, built_deck: Path) -> None:
    ready = sessions[0]["ready"]
    assert ready["stored"] and ready["mock_decks"] == [] and ready["main"] == "Start section 1"
    assert ready["skip_visible"]
    assert all(s.title in ready["sections"] for s in mock_of(built_deck, 0).sections)


def test_a_card_section_runs_in_the_reviewer_brought_forward(sessions: Any, built_deck: Path) -> None:
    s1 = sessions[0]["section1"]
    first = mock_of(built_deck, 0).sections[0]
    assert s1["deck"] == f"kbdeck mock::1. {first.title}" and s1["in_deck"] == s1["drawn"] == first.cards
    assert s1["main_state"] == "review" and not s1["view_visible"]  # the progress view no longer hides the cards
    mm, ss = (int(x) for x in s1["countdown"].split(":"))
    assert 0 < first.minutes * 60 - (mm * 60 + ss) <= 30, s1["countdown"]  # counting down (slack for a loaded CI)
    assert "Again" in s1["hint"] and "Errei" not in s1["hint"]


def test_esc_asks_and_keep_going_keeps_the_mock(sessions: Any) -> None:
    esc = sessions[0]["esc"]
    assert esc["timer_open"] and esc["still_open"]
    assert esc["buttons"] == ["Pause", "Abandon", "Keep going"] and "resume it" in esc["asked"]


def test_ending_a_section_gives_its_cards_back(sessions: Any) -> None:
    assert sessions[0]["section1_end"] == {"status": "taken", "cards_home": True, "deck_left": False}


def test_quitting_mid_mock_pauses_it_and_the_restart_asks(sessions: Any, built_deck: Path) -> None:
    first, second = sessions
    stored = second["stored_at_restart"]
    running = stored["sections"][first["quit_with"]["section"]]
    assert running["status"] == "running" and running["resumed_ms"] == 0  # paused when Anki quit
    assert [s["status"] for s in stored["sections"][:2]] == ["taken", "skipped"]
    assert second["restart"]["buttons"] == ["Retomar", "Abandonar", "Depois"]
    assert mock_of(built_deck, 0).title in second["restart"]["asked"]
    resumed = second["resumed"]
    assert resumed["current"] == 2 and not resumed["paused"]
    minutes, seconds = (int(x) for x in resumed["countdown"].split(":"))
    assert 0 <= resumed["minutes"] * 60 - (minutes * 60 + seconds) < 60  # the quit did not eat its time
    assert resumed["deck"].startswith("kbdeck mock::3.")


def test_the_coding_section_shows_the_statement_then_the_solutions(sessions: Any) -> None:
    second = sessions[1]
    assert len(second["statement_h2"]) == 1, second["statement_h2"]
    assert len(second["revealed_h2"]) > 3
    assert "soluções" in second["coding_hint"]


def test_an_incomplete_mock_asks_before_finishing_and_is_not_done(sessions: Any, built_deck: Path) -> None:
    second = sessions[1]
    mock = mock_of(built_deck, 0)
    assert "2 seções não foram feitas" in second["finish_asked"]
    (result,) = second["results"]["python-senior-kb"][mock.id]
    assert not result["complete"]
    assert [s["status"] for s in result["sections"]] == ["taken", "skipped", "skipped", "taken"]
    assert result["sections"][0]["answered"] == 3 and result["sections"][0]["passed"] == 2
    assert result["sections"][3]["grade"] == "partial"
    assert second["done_marks"] is None and second["active_after_finish"] is None
    assert second["mock_decks_after_finish"] == []
    assert "em parte" in second["result_text"] and "pulada" in second["result_text"]


def test_edit_undo_takes_a_step_back_and_the_timer_follows(sessions: Any) -> None:
    assert sessions[1]["after_undo"] == {"main": "Começar a seção 1", "cards_home": True, "stored_pending": "pending"}


def test_pausing_keeps_the_mock_and_the_view_offers_resume_and_abandon(sessions: Any) -> None:
    second = sessions[1]
    paused = second["paused"]
    running = next(s for s in paused["sections"] if s["status"] == "running")
    assert running["resumed_ms"] == 0 and running["deck_id"]  # clock stopped, its cards still in their deck
    assert second["view_paused_buttons"] == ["mock-start", "mock-abandon"]


def test_abandoning_asks_gives_every_card_back_and_records_nothing(sessions: Any) -> None:
    abandoned = sessions[1]["abandoned"]
    assert "Abandonar" in sessions[1]["abandon_asked"]
    assert abandoned == {"cards_home": True, "results_for_mock2": None, "mock_decks": []}
    assert sessions[1]["timer_open_while_asking"]


def test_every_screenshot_was_written(sessions: Any) -> None:
    for run in sessions:
        for path in run["screens"]:
            assert Path(path).stat().st_size > 2000, path

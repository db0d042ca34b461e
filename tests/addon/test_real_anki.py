"""The add-on inside the real Anki desktop app (offscreen): one scripted session, many checks.

The session (tests/addon/driver): a fresh profile with no kbdeck deck → import the real built
deck → the fresh panel and view → five new cards answered → simulated history and reviews in
the reviewer → Tools → kbdeck progress → more reviews with the view open → open a note → mark
a mock interview done → dark mode → Portuguese → "Study now". Screenshots of every screen go to
build/screenshots/ (light and dark, English and Portuguese). A malformed bundle sits in the media
folder the whole time. Numbers are compared with the collection's SQL truth the driver took.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from harness import prepare_base, run_anki

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "build" / "screenshots" / "addon"
STUDY_DECK = "kbdeck study"


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory, built_deck: Path) -> dict[str, Any]:
    import sys

    sys.path.insert(0, str(ROOT / "scripts"))
    from package_addon import package

    tmp = tmp_path_factory.mktemp("anki")
    ankiaddon = package(tmp / "kbdeck.ankiaddon")
    base = tmp / "base"
    evil = b'{"schema_version": 1, "kb": {"id": "evil", "title": "<script>alert(1)</script>"}, "weeks": "x"}'
    prepare_base(base, ankiaddon, media={"_kbdeck-evil-bundle-0123456789abcdef.json": evil})
    run = run_anki(
        base,
        {
            "results": str(tmp / "results.json"),
            "screenshots": str(SCREENSHOTS),
            "apkg": str(built_deck),
            "deck": "Python Senior KB",
            "study_deck": STUDY_DECK,
            "watchdog_s": 100,
        },
    )
    results = run.results
    assert results.get("status") == "ok", (
        json.dumps({k: results.get(k) for k in ("status", "errors", "steps", "log")}, indent=2)
        + "\n--- Anki output (tail) ---\n"
        + run.output[-6000:]
    )
    results["_output"] = run.output
    results["_seconds"] = run.seconds
    return results


def as_ints(data: dict[str, str], *keys: str) -> tuple[int, ...]:
    return tuple(int(data[k]) for k in keys)


def test_the_session_ran_quickly_and_nothing_escaped_into_anki(session: dict[str, Any]) -> None:
    assert session["_seconds"] < 100
    assert "Traceback" not in session["_output"], session["_output"][-4000:]
    errors = [line for line in session["log"] if line.startswith("ERROR")]
    assert errors == []


def test_without_a_kbdeck_deck_the_panel_says_how_to_get_one(session: dict[str, Any]) -> None:
    panel = session["empty_panel"]
    assert panel["kbs"] == "0"
    assert "kbdeck build" in panel["text"] and "File → Import" in panel["text"]


def test_after_the_import_the_panel_shows_the_collections_numbers(session: dict[str, Any]) -> None:
    panel, truth = session["panel_imported"], session["truth_imported"]
    assert as_ints(panel["kb"], "total", "new", "seen", "due") == (truth["total"], truth["new"], 0, 0)
    assert panel["day"] and panel["topic"] and "study" in panel["buttons"] and "view" in panel["buttons"]
    assert f"{truth['total']:,} cards" in panel["text"]  # Anki's unit: cards, not the build's notes


TRANSPARENT = "rgba(0, 0, 0, 0)"


def test_a_fresh_deck_shows_empty_tracks_not_full_bars(session: dict[str, Any]) -> None:
    """Issue 17: right after the import every bar was full, saturated blue ("new"), read as complete."""
    for page in (session["panel_imported"], session["view_fresh"]):
        look = page["look"]
        assert look["segments"] > 0 and look["filled"] == 0, look  # no learner-progress segment has a width
        assert look["newBackground"] == [TRANSPARENT], look  # new cards are the track itself
        assert look["track"] not in (None, TRANSPARENT), look
        assert look["retention"] == "retention: no data yet (after your first reviews)", look
    view = session["view_fresh"]
    guide = {c["counter"]: c for c in view["counters"] if c["inGuide"]}
    assert set(guide) == {"topics", "seen", "mocks"} and all(c["have"] == "0" for c in guide.values())
    assert {c["counter"] for c in view["counters"] if c["inAbout"]} == {"flashcards", "examples"}


def test_after_the_first_answers_retention_has_no_data_yet_instead_of_no_reviews(session: dict[str, Any]) -> None:
    """Issue 17: "no reviews in 30 days" right after 21 answers (learning steps are not reviews)."""
    truth = session["truth_learning"]
    assert truth["answers_today"] == 5 and truth["reviews"] == 0 and truth["seen"] > 0
    for page in (session["panel_learning"], session["view_learning"]):
        assert as_ints(page["kb"], "total", "seen", "new", "answered", "reviews") == (
            truth["total"],
            truth["seen"],
            truth["new"],
            5,
            0,
        )
        assert page["look"]["retention"] == "retention: no data yet (after your first reviews)"
        assert page["look"]["filled"] > 0  # the learning cards now fill part of the bar
    assert "no reviews" not in session["panel_learning"]["text"]
    assert "5 cards studied today" in session["view_learning"]["today"]["text"]


def test_reviews_change_the_panel_to_the_new_sql_truth(session: dict[str, Any]) -> None:
    panel, truth = session["panel_reviewed"], session["truth_reviewed"]
    assert as_ints(panel["kb"], "total", "new", "seen", "due") == (
        truth["total"],
        truth["new"],
        truth["seen"],
        truth["due"],
    )
    assert truth["seen"] > 0 and truth["answers_today"] >= 10


def test_the_progress_view_opens_from_the_tools_menu_with_the_right_numbers(session: dict[str, Any]) -> None:
    view, truth = session["view"], session["truth_view"]
    assert session["shortcut"] == "Ctrl+Shift+K"
    kb = view["kb"]
    assert as_ints(kb, "total", "new", "seen", "due", "suspended", "reviews", "passed") == (
        truth["total"],
        truth["new"],
        truth["seen"],
        truth["due"],
        truth["suspended"],
        truth["reviews"],
        truth["passed"],
    )
    assert sum(int(t["total"]) for t in view["topics"]) == truth["total"]  # every card sits in a roadmap topic
    counters = {c["counter"]: c for c in view["counters"]}
    assert int(counters["flashcards"]["have"]) == truth["notes"] and counters["flashcards"]["inAbout"]
    assert (int(counters["seen"]["have"]), int(counters["seen"]["target"])) == (truth["seen"], truth["total"])
    assert f"{truth['total']:,} cards ({truth['notes']:,} notes)" in view["text"]
    assert view["bars"][-1] == truth["answers_today"] and len(view["bars"]) == 30
    assert view["today"]["due"] == str(truth["due"]) and view["today"]["answersToday"] == str(truth["answers_today"])
    assert view["look"]["retention"].startswith("retention ") and view["look"]["filled"] > 0
    # mocks' coding problems are theirs, not "outside the roadmap"; every card still sits in a listed topic
    sections = {t["section"] for t in view["topics"]}
    assert "mock-problems" in sections and "other" not in sections
    assert any("_kbdeck-evil-bundle" in w for w in view["warnings"])  # the malformed bundle is reported, not fatal
    assert "<script>" not in view["text"]


def test_the_view_is_compact_only_the_current_day_and_week_open(session: dict[str, Any]) -> None:
    """Issue 17: every day expanded made a page of thousands of pixels; timings were shown to learners.

    At 1040 × 1300 px with this state the view was 5,157 px tall before; now only the current day
    (and its week) is open."""
    view = session["view"]
    open_days = [d["day"] for d in view["days"] if d["open"]]
    assert open_days == [session["panel_reviewed"]["day"]]
    assert [w["open"] for w in view["weeks"]].count(True) == 1
    assert session["view_height"] < 2600, session["view_height"]
    assert session["view_fresh_height"] < 2600, session["view_fresh_height"]
    assert "updated in" not in view["text"] and " ms" not in view["text"]


def test_the_open_view_follows_new_reviews(session: dict[str, Any]) -> None:
    view, truth = session["view_updated"], session["truth_updated"]
    assert as_ints(view["kb"], "seen", "due", "new") == (truth["seen"], truth["due"], truth["new"])
    assert view["bars"][-1] == truth["answers_today"]


def test_open_note_shows_the_sanitized_note_at_the_top(session: dict[str, Any]) -> None:
    note = session["note"]
    assert note["title"] and note["scrollY"] == 0
    assert note["scripts"] == 0 and note["handlers"] == 0
    assert note["headings"] and note["pre"] >= 0


def test_bridge_messages_that_are_not_ours_pass_through(session: dict[str, Any]) -> None:
    assert session["bridge_foreign"] == [False, None]
    assert session["bridge_bad"] == [True, None]
    assert session["bridge_hostile_context"] == [True, None]


def test_a_mock_interview_can_be_marked_done(session: dict[str, Any]) -> None:
    counters = {c["counter"]: c for c in session["view_mock"]["counters"]}
    assert counters["mocks"]["have"] == "1"
    assert list(session["mock_config"]["python-senior-kb"]) == [
        next(m["mock"] for m in session["view_mock"]["mocks"] if m["done"] == "1")
    ]


def test_dark_mode_and_portuguese(session: dict[str, Any]) -> None:
    assert session["view_dark"]["nightMode"]
    assert session["view_dark"]["background"] != session["view"]["background"]
    assert session["panel_dark"]["background"] != session["panel_reviewed"]["background"]
    assert session["note_dark"]["color"] != session["note"]["color"]
    for page in (session["panel_dark"], session["view_dark"]):  # the track stays visible, new cards are it
        assert page["look"]["newBackground"] == [TRANSPARENT] and page["look"]["track"] != TRANSPARENT
    assert session["view_dark"]["look"]["track"] != session["view"]["look"]["track"]
    assert "vistos" in session["panel_pt"]["text"] and "Tópicos estudados" in session["view_pt"]["text"]
    assert "Hoje" in session["view_pt"]["today"]["text"] and "cartões" in session["view_pt"]["text"]
    assert not session["view_pt"]["nightMode"]


def test_study_now_opens_a_filtered_deck_with_the_topics_cards(session: dict[str, Any]) -> None:
    study = session["study"]
    assert study["deck"] == STUDY_DECK and study["filtered"] and study["cards"] > 0
    topic = session["study_topic"]
    assert topic
    assert all(card_id for card_id in study["card_ids"])


def test_screenshots_of_every_screen_in_light_and_dark(session: dict[str, Any]) -> None:
    names = {Path(p).name for p in session["screens"]}
    assert names == {
        "deck-browser-empty-light.png",
        "deck-browser-fresh-light.png",
        "progress-fresh-light.png",
        "deck-browser-light.png",
        "progress-light.png",
        "note-light.png",
        "deck-browser-dark.png",
        "progress-dark.png",
        "note-dark.png",
        "deck-browser-pt-BR.png",
        "progress-pt-BR.png",
    }
    for name in names:
        assert (SCREENSHOTS / name).stat().st_size > 10_000

"""Part II of the add-on inside the real Anki desktop app (offscreen): card → note, update from a
rebuilt deck. One scripted session (tests/addon/driver/part2.py); screenshots go
to build/screenshots/addon/. v1 is the shipped deck, v2 the `rebuilt_deck` (one card edited, one
moved to another area, one removed, stamped an hour later)."""

from __future__ import annotations

import html
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from addon_helpers import Rebuild
from harness import prepare_base, run_anki

from addon.data.apkg import read_package

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "build" / "screenshots" / "addon"


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory, built_deck: Path, rebuilt_deck: Rebuild) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT / "scripts"))
    from package_addon import package

    tmp = tmp_path_factory.mktemp("anki2")
    builds = tmp / "builds"
    builds.mkdir()
    shutil.copy2(built_deck, builds / built_deck.name)
    base = tmp / "base"
    prepare_base(base, package(tmp / "kbdeck.ankiaddon"))
    run = run_anki(
        base,
        {
            "scenario": "part2",
            "results": str(tmp / "results.json"),
            "screenshots": str(SCREENSHOTS),
            "builds": str(builds),
            "v2": str(rebuilt_deck.apkg),
            "content": str(built_deck.parent.parent / "content"),
            "editor_log": str(tmp / "editor.json"),
            "python": sys.executable,
            "edited": rebuilt_deck.edited,
            "moved": rebuilt_deck.moved,
            "removed": rebuilt_deck.removed,
            "watchdog_s": 100,
        },
    )
    results = run.results
    assert results.get("status") == "ok", (
        json.dumps({k: results.get(k) for k in ("status", "errors", "steps", "log")}, indent=2)
        + "\n--- Anki output (tail) ---\n"
        + run.output[-6000:]
    )
    results["_output"], results["_seconds"] = run.output, run.seconds
    return results


def rows(summary: dict[str, Any]) -> dict[str, int]:
    return dict(summary["rows"])


def test_the_session_ran_and_nothing_escaped_into_anki(session: dict[str, Any]) -> None:
    assert session["_seconds"] < 90
    assert "Traceback" not in session["_output"], session["_output"][-4000:]
    assert [line for line in session["log"] if line.startswith("ERROR")] == []


def test_update_from_build_imports_the_first_build(session: dict[str, Any], built_deck: Path) -> None:
    counts = rows(session["first_summary"])
    assert counts["new"] == len(read_package(built_deck).notes)
    assert counts["updated"] == counts["moved"] == counts["orphaned"] == 0


def test_the_answer_shows_the_source_link_the_add_on_follows(session: dict[str, Any]) -> None:
    link, card = session["card_link"], session["link_card"]
    assert session["reviewer_card"] == card["id"]
    assert link["src"] == html.unescape(card["source"]) and "#" in link["src"]
    assert link["visible"] and link["addon"]


def test_clicking_it_opens_the_viewer_at_the_highlighted_heading(session: dict[str, Any], built_deck: Path) -> None:
    viewer = session["viewer"]
    path, anchor = session["card_link"]["src"].split("#", 1)
    topic = path.removesuffix(".md")
    assert (viewer["topic"], viewer["anchor"], viewer["target"]) == (topic, anchor, anchor)
    assert viewer["targetTag"] in {"H2", "H3", "H4"} and viewer["scripts"] == 0
    assert viewer["navBottom"] - 5 <= viewer["targetTop"] < 200 and viewer["scrollY"] > 0
    day = next(d for w in read_package(built_deck).bundle.weeks for d in w.days if topic in d.topics)
    assert len(viewer["pills"]) == len(day.topics) and "current" in viewer["pills"]
    assert viewer["edit"]
    assert session["reviewer_state_after_click"] == "answer"  # the reviewer stayed where it was


def test_open_in_editor_gets_the_file_and_the_headings_line(session: dict[str, Any], built_deck: Path) -> None:
    path, anchor = session["card_link"]["src"].split("#", 1)
    topic = read_package(built_deck).bundle.topics[path.removesuffix(".md")]
    line = next(h.line for h in topic.headings if h.anchor == anchor)
    content = built_deck.parent.parent / "content"
    assert session["editor_argv"] == [str((content / path).resolve()), str(line)]
    assert line > 1 and (content / path).read_text().splitlines()[line - 1].lstrip().startswith("#")


def test_the_link_works_in_the_card_layout_screen_and_the_previewer(session: dict[str, Any]) -> None:
    path, anchor = session["card_link"]["src"].split("#", 1)
    assert session["from_clayout"] == session["from_previewer"] == [path.removesuffix(".md"), anchor]


def test_the_automatic_update_summary(session: dict[str, Any]) -> None:
    s = session["summary"]
    counts = rows(s)
    assert (counts["new"], counts["updated"], counts["orphaned"], counts["edited"]) == (0, 2, 1, 1)
    assert counts["moved"] >= 1 and counts["tags_restored"] >= 1
    assert s["edited"] == [session["own_edit"]] and "edited" in s["warnings"]
    assert "Check Media" in s["text"] and "Undo" in s["text"]
    browse = session["browse"]  # "Show" on the orphans' row
    assert browse["rows"] == browse["orphan_cards"] >= 1 and "nid:" in browse["search"]


def test_the_collection_after_the_update(session: dict[str, Any], rebuilt_deck: Rebuild) -> None:
    after = session["after_update"]
    assert after["edited_text"] and {"leech", "marked"} <= set(after["edited_tags"])
    assert after["moved_decks"] == [rebuilt_deck.moved_to]
    assert after["orphans"] == [rebuilt_deck.removed]
    assert after["own_kept"]
    # the note edited in Anki showed its differing field, and "use the build's text" took the build's back
    # (that it is one undo step is tested on a collection: test_three_way_update.py)
    assert session["diff_fields"] == ["Back"]
    assert session["take_build"]["own_text_gone"]
    assert after["undo"] == "kbdeck: update from build"
    assert all(session["reviewed"].values())


def test_review_history_and_scheduling_survive_the_update(session: dict[str, Any]) -> None:
    before, after = session["before_update"], session["after_update"]
    assert after["revlog"] == before["revlog"] > 0
    assert after["cards"] == before["cards"]


def test_screenshots(session: dict[str, Any]) -> None:
    names = {Path(p).name for p in session["screens"]}
    assert names == {
        "card-source-link.png",
        "note-viewer-heading.png",
        "update-summary.png",
        "update-edited-diff.png",
    }
    for name in names:
        assert (SCREENSHOTS / name).stat().st_size > 5_000

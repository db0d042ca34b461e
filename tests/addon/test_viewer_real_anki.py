"""The note viewer's bar and "Study now" inside the real Anki desktop app (offscreen).

One scripted session (tests/addon/driver/viewer.py) on the shipped deck: the note of the roadmap's
busiest day at 480 and 1000 px, light and dark, measured in the page; a note at a heading; a
coding-problem note; "Study now" in the progress view with the main window minimized behind it.
Screenshots go to build/screenshots/addon/.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from harness import prepare_base, run_anki

from addon.data.apkg import read_package
from addon.data.bundle import Bundle

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "build" / "screenshots" / "addon"
LAYOUTS = ("viewer-narrow-light", "viewer-wide-light", "viewer-narrow-dark", "viewer-wide-dark")


def busiest_day(bundle: Bundle) -> tuple[str, ...]:
    """The topics of the roadmap day with the most topics (the longest bar of pills)."""
    return max((d.topics for w in bundle.weeks for d in w.days), key=len)


def longest_title(bundle: Bundle) -> tuple[str, str]:
    """The roadmap topic with the longest title, and another topic of its day (whose note shows its pill)."""
    topic = max((t for w in bundle.weeks for d in w.days for t in d.topics), key=lambda t: len(bundle.topics[t].title))
    day = next(d.topics for w in bundle.weeks for d in w.days if topic in d.topics)
    return topic, next(t for t in day if t != topic)


def problem_topic(bundle: Bundle) -> str:
    """A mock interview's coding problem: a topic that belongs to no roadmap day."""
    return next(s.problem for m in bundle.mock_interviews for s in m.sections if s.problem)


def heading(bundle: Bundle) -> tuple[str, str]:
    """The gallery's screen (the caching note at "cache-aside"), else any topic's second heading."""
    cache = bundle.topics.get("architecture/caching-strategies")
    if cache and any(h.anchor == "cache-aside-lazy-loading" for h in cache.headings):
        return cache.id, "cache-aside-lazy-loading"
    topic = next(t for t in bundle.topics.values() if len(t.headings) > 1 and bundle.day_of(t.id))
    return topic.id, topic.headings[1].anchor


@pytest.fixture(scope="module")
def bundle(built_deck: Path) -> Bundle:
    return read_package(built_deck).bundle


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory, built_deck: Path, bundle: Bundle) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT / "scripts"))
    from package_addon import package

    tmp = tmp_path_factory.mktemp("viewer")
    base = tmp / "base"
    prepare_base(base, package(tmp / "kbdeck.ankiaddon"))
    run = run_anki(
        base,
        {
            "scenario": "viewer",
            "results": str(tmp / "results.json"),
            "screenshots": str(SCREENSHOTS),
            "apkg": str(built_deck),
            "kb": bundle.kb.id,
            "busy_topic": busiest_day(bundle)[-1],
            "heading": heading(bundle),
            "beside_long_topic": longest_title(bundle)[1],
            "problem_topic": problem_topic(bundle),
            "watchdog_s": 100,
        },
    )
    results = run.results
    assert results.get("status") == "ok", (
        json.dumps({k: results.get(k) for k in ("status", "errors", "log")}, indent=2)
        + "\n--- Anki output (tail) ---\n"
        + run.output[-6000:]
    )
    results["_output"], results["_seconds"] = run.output, run.seconds
    return results


def test_the_session_ran_and_nothing_escaped_into_anki(session: dict[str, Any]) -> None:
    assert session["_seconds"] < 90
    assert "Traceback" not in session["_output"], session["_output"][-4000:]
    assert [line for line in session["log"] if line.startswith("ERROR")] == []


@pytest.mark.parametrize("name", LAYOUTS)
def test_the_days_pills_wrap_and_every_one_is_whole_and_on_screen(
    session: dict[str, Any], bundle: Bundle, name: str
) -> None:
    page = session["layouts"][name]["top"]
    day = busiest_day(bundle)
    assert page["width"] == (480 if "narrow" in name else 1000) and page["night"] == name.endswith("dark")
    assert page["pills"]["scrollWidth"] <= page["pills"]["clientWidth"]  # no horizontal scroll
    assert page["nav"]["left"] >= 0 and page["nav"]["right"] <= page["client"]
    assert [p["topic"] for p in page["items"]] == [t if t != day[-1] else "current" for t in day]
    assert [p["title"] for p in page["items"]] == [bundle.topics[t].title for t in day]  # the full title
    assert all(p["visible"] for p in page["items"]), page["items"]
    if "narrow" in name:
        assert len({p["top"] for p in page["items"]}) > 1  # more than one line of pills


@pytest.mark.parametrize("name", LAYOUTS)
def test_the_label_is_seen_whenever_the_pills_are(session: dict[str, Any], name: str) -> None:
    top, scrolled = session["layouts"][name]["top"], session["layouts"][name]["scrolled"]
    assert top["label"] == {"text": "Topics of the day", "visible": True}
    assert scrolled["scrollY"] > 0
    if "wide" in name:  # the bar stays on top while the note scrolls
        assert round(scrolled["nav"]["top"]) == 0 and scrolled["label"]["visible"]
        assert all(p["visible"] for p in scrolled["items"])
    else:  # a narrow window: the tall bar scrolls away whole, label and pills together
        assert scrolled["nav"]["bottom"] <= 0 and not scrolled["label"]["visible"]
        assert not any(p["visible"] for p in scrolled["items"])


@pytest.mark.parametrize("name", LAYOUTS)
def test_the_notes_title_is_the_biggest_heading(session: dict[str, Any], name: str) -> None:
    page = session["layouts"][name]["top"]
    assert len(page["h1"]) == 1 and page["h2"]
    assert page["h1"][0] >= 1.25 * max(page["h2"])
    assert max(page["h2"]) > max(page["h3"], default=0)


def test_a_title_too_long_for_the_window_is_cut_on_screen_and_whole_in_its_tooltip(
    session: dict[str, Any], bundle: Bundle
) -> None:
    topic, _ = longest_title(bundle)
    page = session["layouts"]["viewer-long-title-narrow"]["top"]
    assert page["pills"]["scrollWidth"] <= page["pills"]["clientWidth"]
    assert all(p["visible"] for p in page["items"])
    (pill,) = [p for p in page["items"] if p["topic"] == topic]
    assert pill["cut"] and pill["title"] == pill["text"] == bundle.topics[topic].title


def test_a_coding_problem_note_has_no_day_band(session: dict[str, Any], bundle: Bundle) -> None:
    page = session["problem"]
    assert page["topic"] == problem_topic(bundle) and bundle.day_of(page["topic"]) is None
    assert not page["day"] and page["pills"] is None and page["items"] == [] and page["label"] is None
    assert page["nav"]["bottom"] - page["nav"]["top"] < 50  # one line: the crumb


def test_a_note_at_a_heading_shows_it_under_the_bar(session: dict[str, Any], bundle: Bundle) -> None:
    topic, anchor = heading(bundle)
    page = session["heading"]
    assert (page["topic"], page["target"]) == (topic, anchor)
    assert page["navBottom"] - 5 <= page["targetTop"] < 200


def test_study_now_in_the_progress_view_brings_the_main_window_forward(session: dict[str, Any]) -> None:
    assert session["before_study"] == {"minimized": True, "view_active": True}
    after = session["after_study"]
    assert (after["state"], after["deck"]) == ("overview", "kbdeck study")
    assert not after["view_open"] and not after["view_visible"] and not after["viewer_open"]
    assert not after["minimized"] and after["visible"]
    assert after["main_active"] and after["active_is_main"]


def test_screenshots(session: dict[str, Any]) -> None:
    names = {Path(p).name for p in session["screens"]}
    assert names == {f"{n}.png" for n in LAYOUTS} | {
        "viewer-heading-light.png",
        "viewer-long-title-narrow.png",
        "viewer-problem-light.png",
        "viewer-study-overview.png",
    }
    for name in names:
        assert (SCREENSHOTS / name).stat().st_size > 5_000

"""Formulas in the add-on's note viewer, in the real Anki desktop app (offscreen).

The `kbdeck init` template says its formulas are typeset by Anki; on cards they were, but the note
viewer showed them as TeX (`\\(\\|v\\|_2 = …\\)`). A note with formulas now loads Anki's own MathJax
(the reviewer's configuration and TeX bundle) and is typeset; a note without formulas loads none.
Screenshots go to build/screenshots/addon/.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from harness import prepare_base, run_anki

from kbdeck.build import build
from kbdeck.cli import main

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "build" / "screenshots" / "addon"


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT / "scripts"))
    from package_addon import package

    tmp = tmp_path_factory.mktemp("note-math")
    assert main(["init", str(tmp / "kb")]) == 0
    built = build(tmp / "kb", tmp / "build")
    assert built.apkg is not None, built.problems.render_text()
    base = tmp / "base"
    prepare_base(base, package(tmp / "kbdeck.ankiaddon"))
    run = run_anki(
        base,
        {
            "scenario": "note_math",
            "results": str(tmp / "results.json"),
            "screenshots": str(SCREENSHOTS),
            "apkg": str(built.apkg),
            "kb": "my-kb",
            "math_topic": "basics/vectors",
            "below_math": ["basics/vectors", "a-picture"],
            "plain_topic": "basics/lists",
            "hostile_marker": "Formulas are written between dollars",
            "watchdog_s": 90,
        },
    )
    results = run.results
    assert results.get("status") == "ok", (
        json.dumps({k: results.get(k) for k in ("status", "errors", "log")}, indent=2)
        + "\n--- Anki output (tail) ---\n"
        + run.output[-6000:]
    )
    assert "Traceback" not in run.output, run.output[-4000:]
    return results


@pytest.mark.parametrize("name", ["note-math-light", "note-math-dark"])
def test_the_notes_formulas_are_typeset(session: dict[str, Any], name: str) -> None:
    page = session["pages"][name]
    assert page["typeset"] >= 2 and not page["raw"] and page["mathjax"]
    assert page["night"] == name.endswith("dark")


def test_a_heading_below_a_formula_is_still_the_one_shown_once_typeset(session: dict[str, Any]) -> None:
    page = session["pages"]["note-math-heading"]
    assert page["target"]["id"] == "a-picture" and abs(page["target"]["top"] - page["below_bar"]) <= 2, page


def test_a_note_without_formulas_loads_no_mathjax(session: dict[str, Any]) -> None:
    assert session["pages"]["note-plain"]["mathjax"] is False
    assert session["plain_later"]["mathjax"] is False and session["plain_later"]["typeset"] == 0


def test_a_hostile_notes_mathjax_links_and_css_do_not_reach_the_viewer(session: dict[str, Any]) -> None:
    """MathJax's html package made `\\href{javascript:…}` a live link and `\\style` inline CSS (Anki 26.9.3's
    reviewer does). The viewer shows any deck's notes: the package is off there (and `\\require{html}`, which
    loaded it back, is off too), and a formula's link to an address that is not http(s), mailto or an anchor
    is unlinked."""
    hostile = session["hostile"]
    assert not any(h.lower().startswith("javascript") for h in hostile["links"]), hostile
    assert hostile["styled"] == 0, hostile
    assert "Formulas are written between dollars" in hostile["text"]
    # the package's macros typeset their content, as a card shows it, not the TeX source: a link's text
    # (`\href{https://…}{w}`), a styled formula unstyled
    assert "x+z+w" in hostile["formulas"], hostile["formulas"]
    assert "\\href{https" not in hostile["text"], hostile["text"]
    assert session["pages"]["note-hostile"]["typeset"] >= 3  # the note's own formulas and this one
    scroll_width, view_width = hostile["page"]  # its long formula wraps: the page does not scroll sideways
    assert scroll_width <= view_width, hostile["page"]

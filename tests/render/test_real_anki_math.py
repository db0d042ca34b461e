"""Math in the real Anki desktop reviewer (issue 21): the formula of a `kbdeck init` knowledge base reaches
the reviewer as MathJax delimiters and Anki's own MathJax typesets it (offscreen, light and dark)."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from kbtest import ROOT

from kbdeck.build import build
from kbdeck.cli import main


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"kbdeck_math_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


harness = _load(ROOT / "tests" / "addon" / "harness.py")
package = _load(ROOT / "scripts" / "package_addon.py").package
DRIVER = Path(__file__).parent / "anki_cards_driver"
SHOTS = ROOT / "build" / "screenshots" / "cards" / "anki-math"
PROBE = """(() => {
  const qa = document.getElementById('qa');
  return {typeset: document.querySelectorAll('#qa mjx-container').length,
          raw: /\\\\\\(|\\\\\\[/.test(qa ? qa.innerText : '')};
})()"""


ORDER = ["lists-slice-copy", "lists-cloze-step", "lists-output-reverse", "vectors-norm"]
NORM = "a: $\\|v\\|_2 = \\sqrt{v \\cdot v}$"
"""The `kbdeck init` template's answer with a formula, which a test may replace."""


def reviewed(tmp_path: Path, theme: str, width: int, probe: str, shots: Path, answer: str = "") -> dict[str, Any]:
    """A `kbdeck init` knowledge base (the vectors card's answer replaced by `answer`, when given), built and
    shown in the real reviewer at `width`: each card of `ORDER`, `probe` run on both sides."""
    if importlib.util.find_spec("aqt") is None:
        pytest.fail("the Anki desktop app is required: pip install 'aqt[qt]==26.9.3'", pytrace=False)
    content = tmp_path / "kb"
    assert main(["init", str(content)]) == 0
    if answer:
        cards = content / "flashcards" / "basics" / "vectors.yaml"
        text = cards.read_text(encoding="utf-8")
        assert NORM in text
        cards.write_text(text.replace(NORM, answer), encoding="utf-8")
    result = build(content, tmp_path / "build")
    assert result.apkg is not None, result.problems.render_text()
    base = tmp_path / "base"
    harness.prepare_base(base, package(tmp_path / "kbdeck.ankiaddon"))
    shutil.rmtree(base / "addons21" / "zz_kbdeck_driver")
    shutil.copytree(DRIVER, base / "addons21" / "zz_kbdeck_cards", ignore=shutil.ignore_patterns("__pycache__"))
    settings: dict[str, Any] = {
        "results": str(tmp_path / "results.json"),
        "screenshots": str(shots),
        "apkg": str(result.apkg),
        "deck": "My KB::01 Basics",
        "deck_browser_text": "My KB",
        "theme": theme,
        "widths": [width],
        "cards": ORDER,
        "probe": probe.strip(),
        "settle_ms": 1500,
        "watchdog_s": 90,
    }
    results = harness.run_anki(base, settings).results
    assert results.get("status") == "ok", json.dumps({k: results.get(k) for k in ("status", "errors", "steps")})
    return results


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_a_formula_is_typeset_by_the_real_reviewer(tmp_path: Path, theme: str) -> None:
    results = reviewed(tmp_path, theme, 700, PROBE, SHOTS)
    seen = {c["note"]: c for c in results["cards"]}
    assert list(seen) == ORDER
    norm = seen["vectors-norm"]
    for side in ("question", "answer"):
        assert norm[side]["probe"]["typeset"] >= 1, (side, norm[side]["probe"])
        assert not norm[side]["probe"]["raw"], "a delimiter was left as text: MathJax did not typeset it"


WIDE_PROBE = """(() => {
  const shown = [...document.querySelectorAll('#qa mjx-container[display="true"]')];
  return {page: [document.documentElement.scrollWidth, document.documentElement.clientWidth],
          boxes: shown.map(e => [e.scrollWidth, e.clientWidth])};
})()"""
WIDE = " + ".join(f"a_{{{i}}} x^{{{i}}}" for i in range(40))


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_a_formula_wider_than_a_phone_scrolls_in_its_box_not_the_page(tmp_path: Path, theme: str) -> None:
    """MathJax 3 does not break lines: a 40-term display formula made the whole card scroll sideways on a
    phone-width reviewer (page 3,356 px wide in a 388 px view). It now scrolls inside its own box."""
    results = reviewed(tmp_path, theme, 360, WIDE_PROBE, SHOTS / "wide", f"a: |\n    $${WIDE}$$")
    answer = next(c for c in results["cards"] if c["note"] == "vectors-norm")["answer"]["probe"]
    scroll_width, view_width = answer["page"]
    assert scroll_width <= view_width, answer
    box_scroll, box_width = answer["boxes"][0]  # the card's formula (the note section's comes after it)
    assert box_width <= view_width < box_scroll, answer


INLINE_PROBE = """(() => {
  const inline = [...document.querySelectorAll('#qa mjx-container:not([display="true"])')];
  const long = inline.map(e => e.getClientRects().length);
  return {page: [document.documentElement.scrollWidth, document.documentElement.clientWidth], lines: long};
})()"""


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_a_long_inline_formula_wraps_on_a_phone(tmp_path: Path, theme: str) -> None:
    """Inline math does not break lines either, and scrolling it inside a line would shift it off the text's
    baseline: a 40-term inline formula made a 360 px card 3,891 px wide. It now wraps between its parts,
    like words (and the hidden MathML that screen readers read no longer widens the page)."""
    results = reviewed(tmp_path, theme, 360, INLINE_PROBE, SHOTS / "inline", f"a: 'Inline ${WIDE}$ and text after.'")
    norm = next(c for c in results["cards"] if c["note"] == "vectors-norm")
    scroll_width, view_width = norm["answer"]["probe"]["page"]
    assert scroll_width <= view_width, norm["answer"]["probe"]
    assert max(norm["answer"]["probe"]["lines"]) >= 5, norm["answer"]["probe"]  # the long formula, on several lines
    assert norm["question"]["probe"]["lines"] == [1], norm["question"]["probe"]  # a short one (`$v$`) stays on its line

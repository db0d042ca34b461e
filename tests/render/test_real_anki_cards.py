"""Code cards in the real Anki desktop reviewer (offscreen), light and dark, measured like the Chromium pages.

tests/addon/harness.py prepares a fresh Anki profile with the packaged kbdeck add-on; our own driver
add-on (tests/render/anki_cards_driver) replaces the session driver, imports the code-heavy fixture deck
and reviews its first cards (a long-line code card with line numbers, then a cloze inside code) at a wide
and a narrow window. The same probe and checks as test_card_rendering.py run on the reviewer webview;
screenshots go to build/screenshots/cards/anki/.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from card_pages import PROBE_JS, problems
from kbtest import ROOT, make_content

from kbdeck.build import build


def _load(path: Path) -> ModuleType:
    """Import a helper module by path, without putting its folder on sys.path for every other test."""
    spec = importlib.util.spec_from_file_location(f"kbdeck_render_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is created
    spec.loader.exec_module(module)
    return module


harness = _load(ROOT / "tests" / "addon" / "harness.py")  # the other real-Anki tests' harness
package = _load(ROOT / "scripts" / "package_addon.py").package

SHOTS = ROOT / "build" / "screenshots" / "cards" / "anki"
DRIVER = Path(__file__).parent / "anki_cards_driver"
WIDTHS = (1000, 520)


@pytest.fixture(scope="module", params=["light", "dark"])
def session(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    theme: str = request.param
    if importlib.util.find_spec("aqt") is None:
        pytest.fail("the Anki desktop app is required: pip install 'aqt[qt6]==26.9.3'", pytrace=False)
    tmp = tmp_path_factory.mktemp(f"anki-{theme}")
    content = make_content(tmp, {}, base="cards-kb")
    result = build(content, tmp / "build")
    assert result.apkg is not None, result.problems.render_text()
    base = tmp / "base"
    harness.prepare_base(base, package(tmp / "kbdeck.ankiaddon"))
    shutil.rmtree(base / "addons21" / "zz_kbdeck_driver")  # the add-on session driver: not this scenario
    shutil.copytree(DRIVER, base / "addons21" / "zz_kbdeck_cards", ignore=shutil.ignore_patterns("__pycache__"))
    settings = {
        "results": str(tmp / "results.json"),
        "screenshots": str(SHOTS),
        "apkg": str(result.apkg),
        "deck": "Cards KB::01 Linguagem",
        "theme": theme,
        "widths": list(WIDTHS),
        "cards": ["long-line", "cloze-in-code"],
        "probe": PROBE_JS.strip(),
        "watchdog_s": 60,
    }
    run = harness.run_anki(base, settings)
    results = run.results
    assert results.get("status") == "ok", (
        json.dumps({k: results.get(k) for k in ("status", "errors", "steps")}, indent=1) + "\n" + run.output[-5000:]
    )
    results["theme"] = theme
    return results


def test_the_reviewer_shows_our_code_cards(session: dict[str, Any]) -> None:
    seen = [(c["width"], c["note"], c["ord"]) for c in session["cards"]]
    assert seen == [(w, note, ord_) for w in WIDTHS for note, ord_ in (("codigo-linha-longa", 0), ("codigo-cloze", 0))]
    for card in session["cards"]:
        for side in ("question", "answer"):
            assert Path(card[side]["png"]).stat().st_size > 5_000


def test_the_reviewer_sets_the_theme_classes_our_css_keys_on(session: dict[str, Any]) -> None:
    for card in session["cards"]:
        for side in ("question", "answer"):
            body = card[side]["body"].split()
            assert {"card", f"card{card['ord'] + 1}"} <= set(body)
            assert ("nightMode" in body) is (session["theme"] == "dark")


def test_code_cards_fit_and_read_well_in_the_real_reviewer(session: dict[str, Any]) -> None:
    failures = []
    for card in session["cards"]:
        for side in ("question", "answer"):
            probe = card[side]["probe"]
            failures += [f"{card['note']} {side} at {card['width']}: {p}" for p in problems(probe)]
            assert probe["texts"] and probe["pres"]
    assert not failures, "\n".join(failures)
    narrow = [c for c in session["cards"] if c["width"] == min(WIDTHS) and c["note"] == "codigo-linha-longa"]
    pre = narrow[0]["question"]["probe"]["pres"][0]
    assert pre["scrollWidth"] > pre["clientWidth"] and pre["overflowX"] == "auto"  # scrolls inside, not the page

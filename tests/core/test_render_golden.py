"""Rendering goldens: the exact HTML of a representative card text (code, cloze in code, table, anchors).

Regenerate after an intentional change: render tests/fixtures/render/card.md with
`kbdeck.render.markdown_html.Renderer({}).render(...)` and write the result to card.html.
"""

from __future__ import annotations

from kbtest import FIXTURES

from kbdeck.render.markdown_html import Renderer

GOLDEN = FIXTURES / "render"


def test_card_html_matches_golden() -> None:
    html = Renderer({}).render((GOLDEN / "card.md").read_text(encoding="utf-8"))
    assert html == (GOLDEN / "card.html").read_text(encoding="utf-8")


def test_golden_has_the_promised_features() -> None:
    html = (GOLDEN / "card.html").read_text(encoding="utf-8")
    assert '<h2 id="por-que-existe">' in html
    assert "{{c2::x * 2::expressão}}" in html  # cloze intact inside highlighted code
    assert '<span class="k">def</span>' in html
    assert "&lt;comentário &amp; aspas" in html
    assert "exemplo.py" in html and "<table>" in html

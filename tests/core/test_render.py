"""Rendering: highlighting with classes, clozes inside code, anchors, the theme CSS."""

from __future__ import annotations

import re

from kbdeck.apkg.theme import DARK_SCOPES, card_css
from kbdeck.content.clozes import strip_clozes
from kbdeck.model.slug import Slugger, slugify
from kbdeck.render.highlight import code_block, highlight
from kbdeck.render.markdown_html import Renderer


def test_slugs_match_github() -> None:
    assert slugify("Por que existe?") == "por-que-existe"
    assert slugify("Gerência de memória") == "gerência-de-memória"
    assert slugify("Lists & tuples") == "lists--tuples"
    assert slugify("`__slots__` e herança") == "__slots__-e-herança"
    s = Slugger()
    assert [s.anchor("A"), s.anchor("A"), s.anchor("A")] == ["a", "a-1", "a-2"]


def test_cloze_inside_code_survives_highlighting() -> None:
    html = highlight("total = {{c1::sum::função}}([1, 2])", "python")
    assert "{{c1::sum::função}}" in html
    assert '<span class="n">total</span>' in html
    assert html.count("{{c1::") == 1


def test_cloze_spanning_tokens_keeps_text_plain_inside() -> None:
    html = highlight("x = {{c2::a + b}}\n", "python")
    assert "{{c2::a + b}}" in html


def test_strip_clozes_positions() -> None:
    plain, spans = strip_clozes("ab{{c1::cd}}ef{{c2::g::h}}")
    assert plain == "abcdefg"
    assert [(s.start, s.end, s.opener, s.closer) for s in spans] == [(2, 4, "{{c1::", "}}"), (6, 7, "{{c2::", "::h}}")]


def test_code_is_escaped() -> None:
    html = code_block("if a < b and c > d: print('&')", "python")
    assert "&lt;" in html and "&gt;" in html and "&amp;" in html
    assert "<b" not in re.sub(r"<(/?)(span|div|pre|code)\b", "", html)


def test_markdown_renders_tables_lists_inline_code_and_anchors() -> None:
    out = Renderer({}).render(
        "## Título & mais\n\n- `x`\n- y\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```sql\nSELECT 1;\n```\n"
    )
    assert '<h2 id="título--mais">' in out
    assert "<code>x</code>" in out and "<table>" in out
    assert 'data-lang="sql"' in out and '<span class="k">SELECT</span>' in out


def test_css_has_light_and_dark_rules_for_every_token() -> None:
    css = card_css()
    light = set(re.findall(r"^\.card pre\.kb-code \.([\w-]+) \{", css, re.M))
    dark = set(re.findall(r"^\.nightMode pre\.kb-code \.([\w-]+),", css, re.M))
    assert light and light == dark and "cloze" in light
    for scope in DARK_SCOPES:
        assert scope in css
    assert "overflow-x: auto" in css and "white-space: pre" in css


def test_note_headings_and_rendered_ids_agree() -> None:
    """`see:` is checked against notes.iter_headings; links land on the renderer's ids: they must match."""
    from kbdeck.content.notes import iter_headings

    body = "\n\n".join(
        [
            "## `select_related`: JOIN",
            "## [Link](http://x) e **negrito**",
            "## Por que existe?",
            "## Por que existe?",
            "```python\n## não é heading\n```",
            "### `__slots__` & herança",
            "## a*b*c",
        ]
    )
    from_source = [h.anchor for h in iter_headings(body, 1)]
    from_html = re.findall(r'<h\d id="([^"]+)"', Renderer({}).render(body))
    assert from_source == from_html
    assert from_source[0] == "select_related-join"


def test_code_blocks_go_back_where_the_regex_put_them() -> None:
    """`put_blocks` replaces a regex whose optional `<p>` kept `re` from scanning for the literal."""
    import random

    from kbdeck.render.markdown_html import put_blocks

    definition = re.compile(r"(?:<p>)?KBDECKCODEBLOCK(\d{5})X(?:</p>)?")
    blocks = [f"[block {i}]" for i in range(50)]
    pieces = ["<p>", "</p>", "KBDECKCODEBLOCK", "00000X", "00042X", "0001X", "X", "a", "\n", "<", "p>", "<p><p>"]
    rng = random.Random(22)
    for _ in range(20_000):
        out = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 14)))
        assert put_blocks(out, blocks) == definition.sub(lambda m: blocks[int(m.group(1))], out), repr(out)


def test_a_text_that_spells_a_code_block_token_keeps_it_and_renders() -> None:
    """It raised IndexError (a traceback for a content oddity) when the number was past the text's blocks."""
    html = Renderer({}).render("See KBDECKCODEBLOCK00003X here.\n\n```python\na = 1\n```\n")
    assert "KBDECKCODEBLOCK00003X" in html and '<span class="n">a</span>' in html
    assert Renderer({}).render("Only KBDECKCODEBLOCK00000X.") == "<p>Only KBDECKCODEBLOCK00000X.</p>"

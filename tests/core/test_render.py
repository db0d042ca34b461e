"""Rendering: highlighting with classes, clozes inside code, anchors, the theme CSS."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kbdeck.apkg.theme import DARK_SCOPES, card_css
from kbdeck.content import codeblocks
from kbdeck.content.clozes import strip_clozes
from kbdeck.model.slug import Slugger, slugify
from kbdeck.render import markdown_html
from kbdeck.render.highlight import code_block, highlight
from kbdeck.render.markdown_html import Renderer, put_math


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


@pytest.mark.parametrize("lang", ["python", "", "text"])
def test_a_cloze_hint_inside_code_is_code_text(lang: str) -> None:
    """A hint went into the card as raw HTML, an event handler included: the raw-HTML check leaves code alone
    (everything in it is text), and Anki shows a hint as HTML. In code the hint is escaped like the code."""
    html = code_block("x = {{c1::1::<img src=x onerror=alert(1)>}} & {{c2::y::a < b}}", lang)
    assert "<img" not in html
    assert "{{c1::1::&lt;img src=x onerror=alert(1)&gt;}}" in html and "{{c2::y::a &lt; b}}" in html


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
            "Sublinhado\n==========",
            "Duas\nlinhas\n---",
            "> ## Numa citação",
            "- item\n\n  Num item\n  ---",
            "<div>\n## HTML cru, não é heading\n</div>",
            "## C# ##",
        ]
    )
    from_source = [h.anchor for h in iter_headings(body, 1)]
    from_html = re.findall(r'<h\d id="([^"]*)"', Renderer({}).render(body))
    assert from_source == from_html
    assert from_source[0] == "select_related-join"
    assert from_source[-5:] == ["sublinhado", "duaslinhas", "numa-citação", "num-item", "c"]


PIECES = [
    "Texto",
    "mais texto",
    "",
    "",
    "===",
    "---",
    "- item",
    "  ---",
    "> citação",
    "## Título",
    "```",
    "    código",
    "1. um",
    "<div>",
    "</div>",
    "***",
    "  texto",
    "   ===",
    "-",
    "=",
    "# Outro",
    "Título",
    "+ x",
    "> ## Q",
    "#",
    "  ```",
    "~~~",
    "- ```",
    "> ```",
    "Texto `código`",
    "a $x$ b",
    "## Fim ##",
    "Tab\t",
    "<!-- c -->",
]


def test_headings_agree_with_the_rendered_ids_on_random_notes() -> None:
    """Headings however written (`#`, underlined, in quotes and lists, next to rules, lazy lines and raw HTML):
    the checker's anchors (`iter_headings`, from the source) and the renderer's ids (from the HTML) are made by
    two different paths, and a card links from one to the other."""
    import random

    from kbdeck.content.notes import _as_rendered, _at_margin, _parsed, _plain, iter_headings

    rng = random.Random(22)
    underlined = plain = 0
    for _ in range(3000):
        body = "\n".join(rng.choice(PIECES) for _ in range(rng.randint(1, 9)))
        lines, _ = _as_rendered(body)
        if _plain("\n".join(lines)):  # the `#` lines at the margin are all cmark finds
            assert list(_at_margin(lines)) == list(_parsed("\n".join(lines))), body
            plain += 1
        headings = iter_headings(body, 1)
        from_html = re.findall(r'<h\d id="([^"]*)"', Renderer({}).render(body))
        assert [h.anchor for h in headings] == from_html, body
        lines = body.split("\n")
        for h in headings:  # a heading's lines: its `#` line, or its text down to its underline
            last = lines[h.line + h.lines - 2].strip(" \t>")
            assert "#" in lines[h.line - 1] if h.lines == 1 else last and set(last) in ({"="}, {"-"}), (body, h)
        underlined += sum(h.lines > 1 for h in headings)
    assert underlined > 300 and plain > 300  # the sample holds many of each: underlined headings, plain notes


def test_code_blocks_go_back_where_the_regex_put_them() -> None:
    """`put_blocks` replaces a regex whose optional `<p>` kept `re` from scanning for the literal."""
    import random

    from kbdeck.content.codeblocks import block_token_re, put_blocks

    definition = re.compile(r"(?:<p>)?KBDECKCODEBLOCK(\d{5})X(?:</p>)?")
    blocks = [f"[block {i}]" for i in range(50)]
    pieces = ["<p>", "</p>", "KBDECKCODEBLOCK", "00000X", "00042X", "0001X", "X", "a", "\n", "<", "p>", "<p><p>"]
    rng = random.Random(22)
    for _ in range(20_000):
        out = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 14)))
        expected = definition.sub(lambda m: blocks[int(m.group(1))], out)
        assert put_blocks(out, blocks, block_token_re("KBDECKCODEBLOCK")) == expected, repr(out)


def test_a_text_that_spells_a_code_block_token_keeps_it_and_renders() -> None:
    """It raised IndexError (a traceback for a content oddity) when the number was past the text's blocks."""
    html = Renderer({}).render("See KBDECKCODEBLOCK00003X here.\n\n```python\na = 1\n```\n")
    assert "KBDECKCODEBLOCK00003X" in html and '<span class="n">a</span>' in html
    assert Renderer({}).render("Only KBDECKCODEBLOCK00000X.") == "<p>Only KBDECKCODEBLOCK00000X.</p>"


BLOCK = "```python\na = 1\n```"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Math $x$, then the words KBDECKMATH00000X.", "KBDECKMATH00000X"),  # was replaced by the math
        ("$x$ and KBDECKMATH00003X", "KBDECKMATH00003X"),  # raised IndexError: a traceback
        (f"{BLOCK}\n\nThe words KBDECKCODEBLOCK00000X.", "KBDECKCODEBLOCK00000X"),  # the block came twice
        ("$y$ and K&#66;DECKMATH00000X", "KBDECKMATH00000X"),  # cmark decodes the reference
        ("$y$, KBDECKMATHQQ and KBDECKMATHQ00000X", "KBDECKMATHQ00000X"),
        (f"{BLOCK}\n\nKBDECKCODEBLOCKQ00000X KBDECKCODEBLOCK00000X", "KBDECKCODEBLOCKQ00000X KBDECKCODEBLOCK00000X"),
    ],
)
def test_a_text_that_spells_a_token_keeps_its_words(text: str, words: str) -> None:
    """A knowledge base about kbdeck (or a hostile one) may write kbdeck's own placeholders."""
    html = Renderer({}).render(text)
    assert words in html
    assert html.count('<span class="n">a</span>') == text.count(BLOCK)
    assert html.count("\\(") == text.count("$") // 2


def test_more_than_99999_math_spans_or_blocks_all_render() -> None:
    """Tokens have five digits or more: the 100,000th was left in the card as `KBDECKMATH100000X`."""
    html = Renderer({}).render(" ".join("$x$" for _ in range(100_001)))
    assert html.count("\\(x\\)") == 100_001 and "KBDECK" not in html
    html = Renderer({}).render("\n\n".join("```\nb\n```" for _ in range(100_001)))
    assert html.count("<pre") == 100_001 and "KBDECK" not in html


class _Attributes(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.names += [f"{tag}.{name}" for name, _ in attrs]


@pytest.mark.parametrize(
    ("text", "names", "value"),
    [
        ('[a]($x" onmouseover="alert(1)$)', ["a.href"], '$x" onmouseover="alert(1)$'),
        ("![i]($x' onerror='alert(1)$)", ["img.src", "img.alt"], "$x' onerror='alert(1)$"),
        ('[a](/u "$x\\" onclick=\\"alert(1)$")', ["a.href", "a.title"], '$x\\" onclick=\\"alert(1)$'),
        ("![the $v$ vector](v.png)", ["img.src", "img.alt"], "the $v$ vector"),
        ("<https://x.org/$a$> and $b$", ["a.href"], "https://x.org/$a$"),
    ],
)
def test_math_cmark_put_in_an_attribute_stays_inside_it(text: str, names: list[str], value: str) -> None:
    """Math is escaped for text, not for attributes: `$x" onmouseover="…$` in a link's address closed cmark's
    `href="…"` and added an event handler the raw-HTML check never saw. In a tag, the math stays as written."""
    html = Renderer({}).render(text)
    parser = _Attributes()
    parser.feed(html)
    assert parser.names == names, html
    assert re.sub(r"&quot;", '"', re.sub(r"&#x27;", "'", html)).count(value) == 1, html


def test_put_math_leaves_a_token_that_is_not_its_own() -> None:
    assert put_math("<p>KBDECKMATH00007X KBDECKMATH00000X</p>", ["\\(x\\)"], ["$x$"]) == (
        "<p>KBDECKMATH00007X \\(x\\)</p>"
    )


_PIECES = [
    "$x$",
    "$$y$$",
    "\\(z\\)",
    "KBDECKMATH",
    "KBDECKCODEBLOCK",
    "00000X",
    "00001X",
    "Q",
    "K&#66;DECK",
    "&amp;",
    "[a](",
    ")",
    '"',
    " ",
    "\n\n",
    BLOCK,
    "`",
    "<b>",
    "</b>",
    "![i](",
    "alt",
    "# ",
]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=16))
def test_what_a_text_renders_to_does_not_depend_on_how_tokens_are_spelled(pieces: list[str]) -> None:
    """Rendered with kbdeck's token spellings and with others no text holds, every text gives the same HTML:
    its own words are never taken for a token."""
    text = "".join(pieces)
    ours = Renderer({}).render(text)
    saved = codeblocks.CODE_PREFIX, markdown_html.MATH_PREFIX
    codeblocks.CODE_PREFIX, markdown_html.MATH_PREFIX = "ZJVXCODE", "ZJVXMATH"
    try:
        other = Renderer({}).render(text)
    finally:
        codeblocks.CODE_PREFIX, markdown_html.MATH_PREFIX = saved
    assert ours == other


def test_an_include_line_in_a_code_block_is_shown_not_expanded() -> None:
    from pathlib import Path

    from kbdeck.model.kb import Example, Region
    from kbdeck.model.problems import Span

    example = Example("a/b", Path("a/b.py"), Span("a/b.py"), "x = 1\n", regions=(Region("r", "x = 1", 1),))
    text = "Write:\n\n```text\n@include examples/a/b.py#r\n```\n\nThen:\n\n@include examples/a/b.py#r\n"
    html = Renderer({"a/b": example}).render(text)
    assert "<code>@include examples/a/b.py#r</code>" in html
    assert html.count("<pre") == 2 and "<p>Then:</p>" in html and "```" not in html

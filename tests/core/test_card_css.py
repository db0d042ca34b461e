"""The shipped card CSS and templates: WCAG AA contrast in both themes, computed from `card_css()` itself.

Every Pygments token class, the cloze inside code and every text colour of the layout is checked
against the background it sits on, in the light theme and under each dark-mode class. A browser
test (tests/render) checks the same in computed styles.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from css_contrast import AA, contrast, declared, parse_css
from pygments.token import STANDARD_TYPES

from kbdeck.apkg.theme import DARK_SCOPES, LIGHT_SCOPES, card_css
from kbdeck.content.examples import load_example
from kbdeck.model.notetypes import BASIC, CLOZE
from kbdeck.model.problems import Problems
from kbdeck.render.highlight import code_block
from kbdeck.render.markdown_html import Renderer, fence_options

RULES = parse_css(card_css())
SCOPES = [*LIGHT_SCOPES, *DARK_SCOPES]
TOKEN_CLASSES = sorted({cls for cls in STANDARD_TYPES.values() if cls})


def colour(selector: str, prop: str = "color") -> str:
    value = declared(RULES, selector, prop)
    assert value, f"no `{prop}` for `{selector}` in card_css()"
    return value


def page(scope: str) -> tuple[str, str]:
    """(text, background) of the card itself under a theme scope."""
    sel = (
        ".card"
        if scope == ".card"
        else {".nightMode": ".card.nightMode", ".night_mode": ".card.night_mode"}.get(scope, f"{scope} .card")
    )
    return colour(sel), colour(sel, "background-color")


@pytest.mark.parametrize("scope", SCOPES)
def test_every_code_token_meets_aa(scope: str) -> None:
    bg = colour(f"{scope} pre.kb-code", "background-color")
    low = []
    for cls in TOKEN_CLASSES:
        fg = colour(f"{scope} pre.kb-code .{cls}")
        if contrast(fg, bg) < AA:
            low.append(f".{cls} {fg} on {bg}: {contrast(fg, bg):.2f}")
    assert colour(f"{scope} pre.kb-code") and contrast(colour(f"{scope} pre.kb-code"), bg) >= AA
    assert not low, f"tokens under {scope} below {AA}:1: {low}"


@pytest.mark.parametrize("scope", SCOPES)
def test_cloze_inside_code_meets_aa(scope: str) -> None:
    fg = colour(f"{scope} pre.kb-code .cloze")
    bg = colour(f"{scope} pre.kb-code .cloze", "background-color")
    assert contrast(fg, bg) >= AA, f"{fg} on {bg}"


@pytest.mark.parametrize("scope", SCOPES)
def test_layout_text_meets_aa(scope: str) -> None:
    text, bg = page(scope)
    code_bg = colour(f"{scope} pre.kb-code", "background-color")
    pairs = {
        "text": (text, bg),
        "breadcrumb": (colour(f"{scope} .kb-crumb"), bg),
        "source footer": (colour(f"{scope} .kb-src"), bg),
        "source link": (colour(f"{scope} .kb-src a"), bg),
        "links": (colour(f"{scope} .kb-card a"), bg),
        "cloze": (colour(f"{scope} .cloze"), bg),
        "extra": (text, colour(f"{scope} .kb-extra", "background-color")),
        "inline code": (text, colour(f"{scope} .kb-card code", "background-color")),
        "table header": (text, colour(f"{scope} .kb-card th", "background-color")),
        "code label": (colour(f"{scope} .kb-code-label"), colour(f"{scope} .kb-code-label", "background-color")),
        "line numbers": (colour(f"{scope} .kb-gutter"), code_bg),
    }
    low = {k: f"{fg} on {b}: {contrast(fg, b):.2f}" for k, (fg, b) in pairs.items() if contrast(fg, b) < AA}
    assert not low, f"under {scope}: {low}"


def test_dark_rules_come_after_light_rules_with_equal_specificity() -> None:
    css = card_css()
    assert css.index(".card pre.kb-code .k ") < css.index(".nightMode pre.kb-code .k,")


def test_css_needs_nothing_from_outside() -> None:
    css = card_css()
    for banned in ("url(", "@import", "http:", "https:", "@font-face", "expression("):
        assert banned not in css
    assert "white-space: pre;" in css and "overflow-x: auto;" in css
    assert ".kb-src-local { display: none; }" in css and ".mobile .kb-src-local" not in css


def test_templates_need_no_javascript_and_link_the_source() -> None:
    for spec in (BASIC, CLOZE):
        for tmpl in (spec.qfmt, spec.afmt):
            assert "<script" not in tmpl and "onclick" not in tmpl and "http" not in tmpl
        assert 'href="{{SourceURL}}" data-kbdeck-src="{{Source}}"' in spec.afmt
        assert '<div class="kb-src kb-src-local">' in spec.afmt  # hidden without the add-on: no URL to open
        assert '<div class="kb-crumb">{{Roadmap}}</div>' in spec.qfmt


def test_line_numbers_are_off_by_default_and_sit_in_their_own_gutter() -> None:
    plain = code_block("a = 1\nb = 2\n", "python")
    assert "kb-gutter" not in plain and 'class="kb-code"' in plain
    numbered = code_block("a = {{c1::1\n2}}\nb = 2\n", "python", numbers=True)
    assert (
        '<pre class="kb-code kb-numbered"><span class="kb-gutter" aria-hidden="true">1\n2\n3</span><code>' in numbered
    )
    assert "{{c1::1\n2}}" in numbered


def test_fence_options_give_a_title_and_line_numbers() -> None:
    assert fence_options("") == ("", False)
    assert fence_options('title="my app.py" linenums') == ("my app.py", True)
    assert fence_options("title=app.py other") == ("app.py", False)
    out = Renderer({}).render("```python title=app.py linenums\nx = 1\ny = 2\n```\n")
    assert '<div class="kb-code-label">app.py</div>' in out and "kb-numbered" in out
    assert '<div class="kb-code-label">python</div>' in Renderer({}).render("```python\nx = 1\n```\n")


def test_included_code_is_labelled_with_its_file_name(tmp_path: Path) -> None:
    src = tmp_path / "hello.py"
    text = '"""Demo."""\n\n# region: soma\nprint(sum([1, 2]))\n# endregion: soma\n'
    example = load_example(src, "demo/hello", "examples/demo/hello.py", text, Problems())
    out = Renderer({"demo/hello": example}).render("@include examples/demo/hello.py#soma\n")
    assert '<div class="kb-code-label">hello.py</div>' in out and '<span class="nb">print</span>' in out


def test_tables_sit_in_their_own_scroll_box() -> None:
    out = Renderer({}).render("| a | b |\n|---|---|\n| 1 | 2 |\n\n```html\n<table></table>\n```\n")
    assert out.startswith('<div class="kb-table"><table>') and "</table></div>" in out
    assert out.count('class="kb-table"') == 1  # code blocks go back in after the wrapping: never touched
    assert ".kb-table { max-width: 100%; overflow-x: auto;" in card_css()

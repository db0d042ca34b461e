"""The note types' CSS: a mobile-first card layout with a light and a dark theme.

Colours live in two `Palette`s; the layout is written once and the colour rules are generated per
theme, so light and dark can never drift apart in structure or specificity. Dark rules are scoped
to the classes every client sets (`.nightMode` on AnkiDroid, AnkiMobile and desktop;
`.night_mode`/`.night-mode` on desktop) and come after the light ones. Every Pygments token class
gets an explicit rule in both themes, so no light colour leaks into night mode. Every colour pair
meets WCAG AA (4.5:1): tests compute it from `card_css()` itself and in a real browser.

It must never need JavaScript or anything outside the note type (no fonts, no images, no URLs).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from pygments.token import (
    STANDARD_TYPES,
    Comment,
    Error,
    Escape,
    Generic,
    Keyword,
    Literal,
    Name,
    Number,
    Operator,
    Other,
    Punctuation,
    String,
    Text,
    Token,
    _TokenType,
)

LIGHT_SCOPES = (".card",)
DARK_SCOPES = (".nightMode", ".night_mode", ".night-mode")
PAGE_LIGHT = ".card"
PAGE_DARK = ".card.nightMode, .card.night_mode, .night-mode .card"
MONO = 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", "DejaVu Sans Mono", monospace'
SANS = '-apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif'


@dataclass(frozen=True)
class Palette:
    """Every colour of one theme (hex `#rrggbb`)."""

    page_bg: str
    """Card background."""
    text: str
    """Body text."""
    muted: str
    """Breadcrumb, source footer, code labels, line numbers."""
    link: str
    """Links."""
    rule: str
    """Separators and borders."""
    extra_bg: str
    """Background of the Extra box."""
    accent: str
    """Left bar of the Extra box and of output blocks."""
    inline_code_bg: str
    """Background of `inline code`."""
    code_bg: str
    """Code block background."""
    code_fg: str
    """Code block default text."""
    label_bg: str
    """Code block label bar."""
    table_head_bg: str
    """Table header cells."""
    cloze: str
    """Cloze deletion in text."""
    cloze_code_fg: str
    """Cloze deletion inside code: text."""
    cloze_code_bg: str
    """Cloze deletion inside code: highlight."""
    tokens: dict[_TokenType, tuple[str, str]]
    """Token type → (colour, font flags: "" | "b" | "i" | "bi"); looked up through token parents."""


def _tokens(
    kw: str, const: str, func: str, string: str, green: str, orange: str, comment: str, red: str, fg: str
) -> dict[_TokenType, tuple[str, str]]:
    """Token colours from nine roles, after GitHub's Primer syntax theme."""
    return {
        Token: (fg, ""),
        Text: (fg, ""),
        Escape: (const, ""),
        Error: (red, ""),
        Other: (fg, ""),
        Keyword: (kw, ""),
        Keyword.Constant: (const, ""),
        Keyword.Pseudo: (const, ""),
        Name: (fg, ""),
        Name.Attribute: (const, ""),
        Name.Builtin: (const, ""),
        Name.Builtin.Pseudo: (orange, ""),
        Name.Class: (func, "b"),
        Name.Constant: (const, ""),
        Name.Decorator: (func, ""),
        Name.Entity: (const, ""),
        Name.Exception: (orange, "b"),
        Name.Function: (func, ""),
        Name.Function.Magic: (func, ""),
        Name.Label: (const, ""),
        Name.Namespace: (fg, ""),
        Name.Property: (const, ""),
        Name.Tag: (green, ""),
        Name.Variable: (orange, ""),
        Name.Variable.Magic: (const, ""),
        Literal: (const, ""),
        String: (string, ""),
        String.Affix: (kw, ""),
        String.Doc: (comment, "i"),
        String.Escape: (const, ""),
        String.Interpol: (const, ""),
        String.Regex: (green, ""),
        String.Symbol: (const, ""),
        Number: (const, ""),
        Operator: (fg, ""),
        Operator.Word: (kw, ""),
        Punctuation: (fg, ""),
        Comment: (comment, "i"),
        Comment.Hashbang: (comment, "i"),
        Comment.Preproc: (kw, ""),
        Comment.PreprocFile: (string, ""),
        Comment.Special: (comment, "bi"),
        Generic: (fg, ""),
        Generic.Deleted: (red, ""),
        Generic.Emph: (fg, "i"),
        Generic.EmphStrong: (fg, "bi"),
        Generic.Error: (red, ""),
        Generic.Heading: (const, "b"),
        Generic.Inserted: (green, ""),
        Generic.Output: (comment, ""),
        Generic.Prompt: (comment, "b"),
        Generic.Strong: (fg, "b"),
        Generic.Subheading: (func, "b"),
        Generic.Traceback: (red, ""),
    }


# Light: GitHub Primer light colours on #f6f8fa. Dark: Primer dark colours on #0d1117.
LIGHT = Palette(
    page_bg="#ffffff",
    text="#1f2328",
    muted="#59636e",
    link="#0550ae",
    rule="#d1d9e0",
    extra_bg="#f6f8fa",
    accent="#54aeff",
    inline_code_bg="#eff2f5",
    code_bg="#f6f8fa",
    code_fg="#1f2328",
    label_bg="#eaeef2",
    table_head_bg="#f6f8fa",
    cloze="#0550ae",
    cloze_code_fg="#0a3069",
    cloze_code_bg="#d2ecff",
    tokens=_tokens("#cf222e", "#0550ae", "#6639ba", "#0a3069", "#116329", "#953800", "#59636e", "#82071e", "#1f2328"),
)
DARK = Palette(
    page_bg="#15191f",
    text="#e6edf3",
    muted="#9198a1",
    link="#79c0ff",
    rule="#30363d",
    extra_bg="#1b2028",
    accent="#1f6feb",
    inline_code_bg="#262c36",
    code_bg="#0d1117",
    code_fg="#e6edf3",
    label_bg="#161b22",
    table_head_bg="#1b2028",
    cloze="#79c0ff",
    cloze_code_fg="#cae8ff",
    cloze_code_bg="#143d79",
    tokens=_tokens("#ff7b72", "#79c0ff", "#d2a8ff", "#a5d6ff", "#7ee787", "#ffa657", "#9198a1", "#ffa198", "#e6edf3"),
)

LAYOUT_CSS = f"""\
.card {{
  font-family: {SANS};
  font-size: 18px; line-height: 1.55; text-align: left; margin: 0; padding: 20px 16px 28px;
  overflow-wrap: break-word; -webkit-text-size-adjust: 100%; text-size-adjust: 100%;
}}
.mobile .card, .card.mobile {{ font-size: 17px; padding: 14px 14px 24px; }}
.kb-card {{ max-width: 44rem; margin: 0 auto; }}
.kb-card p {{ margin: 0 0 0.6em; }}
.kb-card p:last-child {{ margin-bottom: 0; }}
.kb-card ul, .kb-card ol {{ margin: 0.3em 0 0.6em; padding-left: 1.4em; }}
.kb-card li {{ margin: 0.15em 0; }}
.kb-card h1, .kb-card h2, .kb-card h3, .kb-card h4 {{ font-size: 1em; margin: 0.8em 0 0.3em; }}
.kb-card a {{ text-decoration: none; }}
.kb-card img {{ max-width: 100%; height: auto; }}
.kb-card mjx-container[display="true"] {{ max-width: 100%; overflow-x: auto; overflow-y: hidden;
  padding: 2px 0; -webkit-overflow-scrolling: touch; }}  /* MathJax 3 does not break lines: wide math scrolls */
.kb-card mjx-container:not([display="true"]) > mjx-math {{ display: inline; white-space: normal; }}
.kb-card mjx-assistive-mml {{ width: 1px !important; height: 1px !important; }}
/* inline math wraps between its parts like words (a 40-term formula made a 360 px card 3,891 px wide); the
   hidden MathML for screen readers, as wide as the formula, is kept to 1 px so it widens nothing */
.kb-crumb {{ font-size: 12.5px; line-height: 1.35; letter-spacing: 0.01em; margin-bottom: 12px; }}
.kb-q {{ font-size: 1.06em; font-weight: 600; }}
.kb-q.kb-cloze {{ font-size: 1em; font-weight: 400; }}
.kb-q pre, .kb-q table {{ font-weight: 400; }}
hr#answer {{ border: 0; border-top: 1px solid; height: 0; margin: 18px 0 14px; }}
.kb-extra {{ font-size: 0.88em; margin-top: 16px; padding: 10px 12px; border-left: 3px solid;
  border-radius: 0 6px 6px 0; }}
.kb-src {{ font-size: 13px; line-height: 1.4; margin-top: 22px; padding-top: 10px; border-top: 1px solid; }}
.kb-src a {{ overflow-wrap: anywhere; }}
.kb-src a[href]::after {{ content: " \\2197"; }}
.kb-src-local {{ display: none; }}  /* no URL: only the add-on can open it (it shows the link) */
.kb-nolink {{ cursor: pointer; }}
.kb-section {{ margin-top: 18px; border: 1px solid; border-radius: 8px; font-size: 0.92em; }}
.kb-section > summary {{ cursor: pointer; padding: 8px 12px; font-size: 13px; line-height: 1.4;
  overflow-wrap: anywhere; }}
.kb-section-text {{ padding: 0 12px 8px; overflow-wrap: anywhere; }}
.kb-section-text > :first-child {{ margin-top: 4px; }}
.kb-section-more {{ font-size: 12.5px; }}
.kb-card code {{ font-family: {MONO}; font-size: 0.86em; border-radius: 4px; padding: 0.1em 0.35em;
  overflow-wrap: anywhere; }}
.kb-table {{ max-width: 100%; overflow-x: auto; margin: 10px 0; -webkit-overflow-scrolling: touch; }}
.kb-card table {{ width: max-content; max-width: 44em; border-collapse: collapse; font-size: 0.88em;
  line-height: 1.4; }}
.kb-card th, .kb-card td {{ border: 1px solid; padding: 5px 9px; vertical-align: top; text-align: left; }}
.kb-card th {{ font-weight: 600; }}
.kb-card td code, .kb-card th code {{ white-space: nowrap; overflow-wrap: normal; }}
.kb-codeblock {{ margin: 12px 0; max-width: 100%; border: 1px solid; border-radius: 8px; overflow: hidden;
  font-weight: 400; }}
.kb-code-label {{ font-family: {MONO}; font-size: 12px; line-height: 1.3; padding: 5px 12px;
  border-bottom: 1px solid; overflow-wrap: anywhere; }}
.card pre.kb-code {{ display: block; margin: 0; padding: 10px 12px; border: 0; border-radius: 0; text-align: left;
  font-family: {MONO}; font-size: 14px; line-height: 1.5; tab-size: 4; -moz-tab-size: 4;
  white-space: pre; overflow-wrap: normal; word-wrap: normal; word-break: normal;
  overflow-x: auto; overflow-y: hidden; max-width: 100%; -webkit-overflow-scrolling: touch; }}
.mobile pre.kb-code {{ font-size: 13.5px; }}
.card pre.kb-code code {{ font-family: inherit; font-size: inherit; white-space: inherit; overflow-wrap: normal;
  word-break: normal; background: none; padding: 0; border-radius: 0; }}
.card pre.kb-numbered {{ display: flex; }}
.card pre.kb-numbered code {{ flex: none; }}
.kb-gutter {{ flex: none; text-align: right; padding-right: 10px; margin-right: 12px; border-right: 1px solid;
  -webkit-user-select: none; user-select: none; }}
.kb-output .kb-codeblock {{ border-left-width: 4px; }}
.cloze {{ font-weight: 700; }}
pre.kb-code .cloze {{ border-radius: 3px; }}
"""

# (selector under the theme scope, declaration with {palette fields}); one line per colour rule.
_COLOUR_RULES = (
    ("pre.kb-code", "background-color: {code_bg}; color: {code_fg}"),
    (".kb-crumb", "color: {muted}"),
    (".kb-src", "color: {muted}; border-top-color: {rule}"),
    (".kb-src a", "color: {link}"),
    (".kb-section", "border-color: {rule}"),
    (".kb-section > summary", "color: {muted}"),
    (".kb-card a", "color: {link}"),
    ("hr#answer", "border-top-color: {rule}"),
    (".kb-extra", "background-color: {extra_bg}; border-left-color: {accent}"),
    (".kb-card code", "background-color: {inline_code_bg}"),
    (".kb-card pre.kb-code code", "background: none"),
    (".kb-card th", "background-color: {table_head_bg}"),
    (".kb-card th, {scope} .kb-card td", "border-color: {rule}"),
    (".kb-codeblock", "border-color: {rule}; background-color: {code_bg}"),
    (".kb-code-label", "background-color: {label_bg}; color: {muted}; border-bottom-color: {rule}"),
    (".kb-gutter", "color: {muted}; border-right-color: {rule}"),
    (".kb-output .kb-codeblock", "border-left-color: {accent}"),
    (".cloze", "color: {cloze}"),
)


def token_style(palette: Palette, ttype: _TokenType) -> tuple[str, str]:
    """(colour, font flags) of a token type: its own entry or its nearest ancestor's."""
    current: _TokenType | None = ttype
    while current is not None:
        if current in palette.tokens:
            return palette.tokens[current]
        current = current.parent
    return palette.code_fg, ""


def _join(scopes: tuple[str, ...], selector: str) -> str:
    return ", ".join(f"{s} {selector.replace('{scope}', s)}" for s in scopes)


def theme_rules(palette: Palette, scopes: tuple[str, ...], page: str) -> list[str]:
    """Every colour rule of one theme, each selector prefixed by each scope."""
    values = {k: v for k, v in vars(palette).items() if isinstance(v, str)}
    rules = [f"{page} {{ background-color: {palette.page_bg}; color: {palette.text}; }}"]
    rules += [f"{_join(scopes, sel)} {{ {decl.format(**values)}; }}" for sel, decl in _COLOUR_RULES]
    for ttype, cls in sorted(STANDARD_TYPES.items(), key=lambda kv: kv[1]):
        if not cls:
            continue
        colour, flags = token_style(palette, ttype)
        weight = "bold" if "b" in flags else "normal"
        style = "italic" if "i" in flags else "normal"
        rules.append(
            f"{_join(scopes, f'pre.kb-code .{cls}')} {{ color: {colour}; font-weight: {weight}; font-style: {style}; }}"
        )
    cloze = f"color: {palette.cloze_code_fg}; background-color: {palette.cloze_code_bg}"
    rules.append(f"{_join(scopes, 'pre.kb-code .cloze')} {{ {cloze}; box-shadow: 0 0 0 1px {palette.accent}; }}")
    return rules


@lru_cache(maxsize=1)
def card_css() -> str:
    """The complete CSS of both note types."""
    light = theme_rules(LIGHT, LIGHT_SCOPES, PAGE_LIGHT)
    dark = theme_rules(DARK, DARK_SCOPES, PAGE_DARK)
    return LAYOUT_CSS + "\n/* light */\n" + "\n".join(light) + "\n/* dark */\n" + "\n".join(dark) + "\n"

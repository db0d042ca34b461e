"""The note types' CSS: mobile-first card layout plus a light and a dark code theme.

Every token class gets an explicit rule in both themes, so no light colour leaks into night
mode. Dark rules are scoped to the classes every client sets (`.nightMode` on AnkiDroid,
AnkiMobile and desktop; `.night_mode`/`.night-mode` on desktop). Colours come from Pygments styles
chosen because every token meets WCAG AA (4.5:1) on the style's background.
"""

from __future__ import annotations

from functools import lru_cache

from pygments.style import StyleMeta
from pygments.styles import get_style_by_name
from pygments.token import STANDARD_TYPES

LIGHT_STYLE = "xcode"
DARK_STYLE = "monokai"
DARK_SCOPES = (".nightMode", ".night_mode", ".night-mode")

BASE_CSS = """\
.card {
  font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 18px; line-height: 1.5; text-align: left; color: #1f2328; background: #ffffff;
  margin: 0; padding: 12px; overflow-wrap: break-word;
}
.kb-card { max-width: 46rem; margin: 0 auto; }
.kb-crumb { font-size: 13px; color: #59636e; margin-bottom: 8px; }
.kb-q { font-weight: 600; }
.kb-a, .kb-extra, .kb-output { margin-top: 4px; }
.kb-extra { font-size: 15px; color: #424a53; border-left: 3px solid #d0d7de; padding-left: 10px; margin-top: 12px; }
.kb-src { font-size: 13px; color: #59636e; margin-top: 16px; }
.kb-src a { color: #0550ae; text-decoration: none; }
.kb-tags { font-size: 12px; color: #59636e; margin-top: 4px; }
hr#answer { border: none; border-top: 1px solid #d0d7de; margin: 14px 0; }
.kb-card code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
  font-size: 0.88em; background: #eff1f3; border-radius: 4px; padding: 0.1em 0.3em; }
.kb-card table { border-collapse: collapse; display: block; max-width: 100%; overflow-x: auto; }
.kb-card th, .kb-card td { border: 1px solid #d0d7de; padding: 4px 8px; }
.kb-card img { max-width: 100%; height: auto; }
.kb-codeblock { margin: 10px 0; max-width: 100%; }
.kb-code-label { font-size: 11px; font-family: ui-monospace, Menlo, Consolas, monospace; color: #59636e;
  text-transform: lowercase; margin-bottom: 2px; }
.card pre.kb-code { text-align: left; overflow-x: auto; white-space: pre; max-width: 100%; margin: 0;
  -webkit-overflow-scrolling: touch; padding: 10px 12px; border-radius: 6px; font-size: 14px; line-height: 1.45;
  border: 1px solid #d0d7de; }
.card pre.kb-code code { white-space: inherit; overflow-wrap: normal; word-break: normal; background: none;
  padding: 0; font-size: inherit; border-radius: 0; }
.cloze { font-weight: 700; color: #0550ae; }
pre.kb-code .cloze { background: #ddf4ff; color: #0a3069; border-radius: 3px; }
.mobile .kb-src .kb-nolink { display: none; }
.kb-nolink { cursor: pointer; }

.nightMode.card, .nightMode .card, .night_mode .card, .night-mode .card { color: #e6edf3; background: #1e1e1e; }
.nightMode .kb-crumb, .nightMode .kb-src, .nightMode .kb-tags, .nightMode .kb-code-label,
.night_mode .kb-crumb, .night_mode .kb-src, .night_mode .kb-tags, .night_mode .kb-code-label { color: #9da7b3; }
.nightMode .kb-extra, .night_mode .kb-extra { color: #c9d1d9; border-left-color: #3d444d; }
.nightMode .kb-src a, .night_mode .kb-src a { color: #58a6ff; }
.nightMode hr#answer, .night_mode hr#answer { border-top-color: #3d444d; }
.nightMode .kb-card code, .night_mode .kb-card code { background: #2d333b; color: #e6edf3; }
.nightMode .kb-card th, .nightMode .kb-card td, .night_mode .kb-card th, .night_mode .kb-card td {
  border-color: #3d444d; }
.nightMode .cloze, .night_mode .cloze { color: #79c0ff; }
.nightMode pre.kb-code, .night_mode pre.kb-code { border-color: #3d444d; }
.nightMode pre.kb-code .cloze, .night_mode pre.kb-code .cloze { background: #0c2d6b; color: #cae8ff; }
"""


def _rules(style_name: str, scopes: tuple[str, ...]) -> list[str]:
    style: StyleMeta = get_style_by_name(style_name)
    sel = ", ".join(f"{s} pre.kb-code" for s in scopes)
    default = style.style_for_token(next(iter(STANDARD_TYPES)))
    fg = f"#{default['color']}" if default["color"] else ("#000000" if style_name == LIGHT_STYLE else "#f8f8f2")
    rules = [f"{sel} {{ background: {getattr(style, 'background_color', '#ffffff')}; color: {fg}; }}"]
    for ttype, cls in sorted(STANDARD_TYPES.items(), key=lambda kv: kv[1]):
        if not cls:
            continue
        s = style.style_for_token(ttype)
        decl = [f"color: #{s['color']}" if s["color"] else f"color: {fg}"]
        decl.append("font-weight: bold" if s["bold"] else "font-weight: normal")
        decl.append("font-style: italic" if s["italic"] else "font-style: normal")
        if s["bgcolor"]:
            decl.append(f"background-color: #{s['bgcolor']}")
        token_sel = ", ".join(f"{s_} pre.kb-code .{cls}" for s_ in scopes)
        rules.append(f"{token_sel} {{ {'; '.join(decl)}; }}")
    return rules


@lru_cache(maxsize=1)
def card_css() -> str:
    """The complete CSS of both note types."""
    light = _rules(LIGHT_STYLE, (".card",))
    dark = _rules(DARK_STYLE, tuple(f"{s} " + ".card" if s != ".nightMode" else ".nightMode" for s in DARK_SCOPES))
    return BASE_CSS + "\n/* code: light */\n" + "\n".join(light) + "\n/* code: dark */\n" + "\n".join(dark) + "\n"

"""Whitelist HTML sanitizer for the topic notes shown in the note viewer.

The note HTML comes from a deck's media folder, i.e. from whoever made the deck. It is parsed
with the stdlib parser and rebuilt from scratch: only known-harmless tags and attributes are
kept, every value is re-escaped, scripts/styles/frames/forms/SVG are dropped with their
content, event handlers and `style` never survive, links keep only http(s)/mailto/#anchors,
images only plain media-folder file names. What it outputs is therefore safe to show in an
Anki web view, whatever went in. Stdlib-only, tested with hostile inputs.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


ALLOWED_TAGS = _words(
    """a abbr article aside b blockquote br caption cite code col colgroup dd del details dfn div dl dt em
    figcaption figure footer h1 h2 h3 h4 h5 h6 header hr i img ins kbd li mark ol p pre q s samp section small
    span strong sub summary sup table tbody td tfoot th thead time tr u ul var wbr"""
)
VOID_TAGS = frozenset({"br", "hr", "img", "col", "wbr"})
DROP_WITH_CONTENT = _words(
    """script style iframe frame frameset object embed applet template noscript noembed noframes form textarea
    select option button input svg math audio video canvas head title meta link base dialog portal"""
)
GLOBAL_ATTRS = frozenset({"class", "id", "title", "lang", "dir", "role"})
TAG_ATTRS: dict[str, frozenset[str]] = {
    "a": frozenset({"href"}),
    "img": frozenset({"src", "alt", "width", "height"}),
    "td": frozenset({"colspan", "rowspan", "align"}),
    "th": frozenset({"colspan", "rowspan", "align", "scope"}),
    "ol": frozenset({"start", "type"}),
    "col": frozenset({"span"}),
    "details": frozenset({"open"}),
    "time": frozenset({"datetime"}),
}
SAFE_DATA_ATTRS = frozenset({"data-lang", "data-topic", "data-kbdeck-src"})
_SAFE_HREF = re.compile(r"^(?:https?://|mailto:|#)[^\s\x00-\x1f\"'<>`\\]*$", re.IGNORECASE)
_SAFE_SRC = re.compile(r"^[^/\\:?#\s\x00-\x1f\"'<>`]+\.(?:png|jpe?g|gif|webp|svg)$", re.IGNORECASE)
_SAFE_TOKEN = re.compile(r"^[\w\- .:%,/#]*$", re.UNICODE)


TAIL_LT_MAX = 100
"""How many `<` the text after the last `>` may hold before it is escaped up front (see `sanitize_html`)."""


def sanitize_html(source: str) -> str:
    """Return `source` with everything outside the whitelist removed (never raises on bad HTML).

    After the last `>` nothing can be a tag, and `HTMLParser` writes such a tail out as text, but in
    quadratic time: it searches to the end again from each `<` (a hostile note of 20,000 `<a ` took 20 s,
    in a background op that holds the collection). A tail with more than `TAIL_LT_MAX` of them has its
    `<` escaped first, so the parser reads it as the text it is, in one pass."""
    cut = source.rfind(">") + 1
    if source.count("<", cut) > TAIL_LT_MAX:
        source = source[:cut] + source[cut:].replace("<", "&lt;")
    parser = _Sanitizer()
    try:
        parser.feed(source)
        parser.close()
    except Exception:  # the stdlib parser is lenient; keep whatever was rebuilt so far
        pass
    return parser.result()


class _Sanitizer(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._out: list[str] = []
        self._open: list[str] = []
        self._skip: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, self_closing=False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, self_closing=True)

    def _start(self, tag: str, attrs: list[tuple[str, str | None]], *, self_closing: bool) -> None:
        if self._skip:
            if tag not in VOID_TAGS and not self_closing:
                self._skip.append(tag)
            return
        if tag in DROP_WITH_CONTENT:
            if tag not in VOID_TAGS and not self_closing and tag not in ("meta", "link", "base", "input"):
                self._skip.append(tag)
            return
        if tag not in ALLOWED_TAGS:
            return  # unknown tag: drop it, keep its text
        kept = "".join(f' {name}="{html.escape(value, quote=True)}"' for name, value in _clean_attrs(tag, attrs))
        self._out.append(f"<{tag}{kept}>")
        if tag not in VOID_TAGS:
            self._open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._skip:
            if tag in self._skip:
                while self._skip and self._skip.pop() != tag:
                    pass
            return
        if tag in self._open:
            while self._open:
                top = self._open.pop()
                self._out.append(f"</{top}>")
                if top == tag:
                    break

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._out.append(html.escape(data, quote=False))

    def result(self) -> str:
        if self.rawdata and not self._skip:  # text left in the parser's buffer (e.g. a dangling "<")
            self._out.append(html.escape(self.rawdata, quote=False))
        return "".join(self._out) + "".join(f"</{t}>" for t in reversed(self._open))


def _clean_attrs(tag: str, attrs: list[tuple[str, str | None]]) -> list[tuple[str, str]]:
    allowed = TAG_ATTRS.get(tag, frozenset())
    out: list[tuple[str, str]] = []
    for raw_name, raw_value in attrs:
        name = raw_name.lower()
        value = (raw_value or "").strip()
        if name in GLOBAL_ATTRS:
            if name in ("id", "class", "role", "lang", "dir") and not _SAFE_TOKEN.match(value):
                continue
        elif name in SAFE_DATA_ATTRS:
            pass
        elif name in allowed:
            if name == "href" and not _SAFE_HREF.match(value):
                continue
            if name == "src" and not _SAFE_SRC.match(value):
                continue
            if name in ("colspan", "rowspan", "start", "span", "width", "height") and not value.isdigit():
                continue
        else:
            continue  # on*, style, srcset, formaction, xlink:href, anything unknown
        out.append((name, value[:2000]))
    return out


def sanitize_css(css: str) -> str:
    """CSS to put inside a `<style>` element: no way to close the element or load remote resources.

    CSS escapes are decoded first (`\\75 rl(` is `url(` to a browser, `@\\69mport` is `@import`) and
    comments removed, so the filters below see what the browser will; every function that can fetch
    (`url()`, `image-set()`, `image()`, `cross-fade()`, `element()`, `src()`) and `@import` go.
    """
    css = _CSS_ESCAPE.sub(_css_char, css).replace("\\", "")
    css = re.sub(r"/\*.*?(?:\*/|$)", "", css, flags=re.DOTALL)
    css = css.replace("\x00", "").replace("<", "\\3c ")
    css = re.sub(r"@import[^;]*;?", "", css, flags=re.IGNORECASE)
    return re.sub(
        r"[\w-]*(?:url|image-set|image|cross-fade|element|src|expression)\s*\([^)]*\)?", "", css, flags=re.IGNORECASE
    )


_CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})[ \t\n\r\f]?|\\(.)", re.DOTALL)


def _css_char(m: re.Match[str]) -> str:
    if m.group(2) is not None:
        return m.group(2)
    code = int(m.group(1), 16)
    return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"

"""Raw HTML and link targets in Markdown that must never reach a card.

Markdown passes raw HTML through (GitHub's dialect, minus the few tags its `tagfilter` escapes),
and card HTML runs in every client's reviewer — desktop, AnkiDroid, AnkiMobile — where a script or
an event handler would run with the reviewer's privileges. kbdeck does not rewrite card HTML (a
rewrite would change every note's bytes, and a changed note costs plain-import users their tags);
it *refuses* what the add-on's note viewer would strip: the same tags dropped with their content,
event handlers and `style`/`srcset`-like attributes, and link or image targets that are not
http(s), mailto, an anchor or a plain media file name. What is allowed is documented in
docs/content-format.md ("Raw HTML").
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from .codeblocks import code_spans

DANGEROUS_TAGS = frozenset(
    {
        "script",
        "style",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "template",
        "noscript",
        "noembed",
        "noframes",
        "form",
        "textarea",
        "select",
        "option",
        "button",
        "input",
        "svg",
        "math",
        "audio",
        "video",
        "canvas",
        "head",
        "title",
        "meta",
        "link",
        "base",
        "dialog",
        "portal",
    }
)
"""Tags the note viewer drops with their content (`addon/sanitize.py` DROP_WITH_CONTENT; a test keeps them equal)."""

URL_ATTRS = frozenset({"href", "src", "action", "formaction", "xlink:href", "poster", "background", "cite", "data"})
BANNED_ATTRS = frozenset({"style", "srcset", "srcdoc"})
SAFE_HREF = re.compile(r"^(?:https?://|mailto:|#)[^\s\x00-\x1f\"'<>`\\]*$", re.IGNORECASE)
SAFE_URL_START = re.compile(r"^(?:https?://|mailto:|#|[^:/?#]*(?:[/?#]|$))", re.IGNORECASE)
"""A link target: http(s), mailto, an anchor, or a relative path (no scheme at all)."""

_LINK_TARGET = re.compile(
    r"\]\(\s*<?([^)\s>]*)|^\s{0,3}\[[^\]]{1,999}\]:\s*<?(\S+?)>?(?:\s|$)|<([a-zA-Z][\w+.-]{1,31}:[^\s<>]*)>", re.M
)
"""Link targets: inline `](target`, a reference definition `[label]: target` (CommonMark caps a label at
999 characters, which also bounds the search from each line's `[`), an autolink `<scheme:...>`."""


def strip_code(markdown: str, fences: list[tuple[int, int]]) -> str:
    """The Markdown without fenced blocks (given as character ranges) and inline code spans."""
    kept, last = [], 0
    for start, end in fences:
        kept.append(markdown[last:start])
        last = end
    kept.append(markdown[last:])
    return without_code_spans("".join(kept))


def without_code_spans(text: str) -> str:
    """The text without its inline code spans (`codeblocks.code_spans`)."""
    if "``" not in text:  # single backticks only (most text): they pair up in order, an odd last one is text
        parts = text.split("`")
        if len(parts) % 2:
            return "".join(parts[::2])
        return "".join(parts[:-1:2]) + "`" + parts[-1]
    kept: list[str] = []
    last = 0
    for start, end in code_spans(text):
        kept.append(text[last:start])
        last = end
    kept.append(text[last:])
    return "".join(kept)


def unsafe(markdown_without_code: str) -> str | None:
    """Why this Markdown (code removed) is unsafe for a card, or None."""
    for m in _LINK_TARGET.finditer(markdown_without_code):
        target = html.unescape(next(g for g in m.groups() if g is not None)).strip()
        cleaned = re.sub(r"[\x00-\x20]", "", target)
        if cleaned and not SAFE_URL_START.match(cleaned):
            return f"a link to `{target[:60]}` (only http(s), mailto, #anchors and relative paths)"
    if "<" not in markdown_without_code:
        return None
    finder = _Finder()
    try:
        finder.feed(complete_part(markdown_without_code))
        finder.close()
    except Exception:  # the stdlib parser is lenient; whatever it found so far stands
        pass
    return finder.found


def complete_part(text: str) -> str:
    """The text up to its last `>`: nothing after it can be markup (a tag, a comment or a declaration
    only counts once its `>` comes, and a browser drops one still open at the end). `HTMLParser` reads
    such a tail in quadratic time, scanning it to the end again from each `<` in it: 20,000 `<a ` took
    21 s, 20,000 `<!--` 2 s. Only this cut is made: where a construct ends before that, the browser's
    rules (`<!-->` closes a comment, a quote opens a value only after `name=`) are the parser's to apply."""
    return text[: text.rfind(">") + 1]


class _Finder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check(tag, attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check(tag, attrs)

    def _check(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.found is not None:
            return
        if tag in DANGEROUS_TAGS:
            self.found = f"a `<{tag}>` element"
            return
        for raw_name, raw_value in attrs:
            name, value = raw_name.lower(), re.sub(r"[\x00-\x20]", "", raw_value or "")
            if name.startswith("on"):
                self.found = f"an event handler attribute `{name}` on `<{tag}>`"
            elif name in BANNED_ATTRS:
                self.found = f"a `{name}` attribute on `<{tag}>`"
            elif name in URL_ATTRS and not (SAFE_HREF.match(value) or SAFE_URL_START.match(value)):
                self.found = f'`{name}="{(raw_value or "")[:60]}"` on `<{tag}>`'
            if self.found is not None:
                return

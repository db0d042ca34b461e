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
from typing import Literal, NamedTuple

from .clozes import CLOZE_RE
from .codeblocks import block_token_re, code_spans_among_html, put_blocks
from .mathspans import protect_math

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
    """The Markdown with fenced blocks (given as character ranges) and inline code spans blanked out:
    every character of code but a line break becomes a space, so what is found in the rest sits at the
    line and column where it was written (a problem deep in a long note is reported there, not at the
    note's first line)."""
    return without_code_spans(without_fences(markdown, fences))


def without_fences(markdown: str, fences: list[tuple[int, int]]) -> str:
    """The Markdown with its fenced blocks blanked out (as the renderer cuts them before cmark-gfm)."""
    kept, last = [], 0
    for start, end in fences:
        kept += [markdown[last:start], _blank(markdown[start:end])]
        last = end
    kept.append(markdown[last:])
    return "".join(kept)


def _blank(code: str) -> str:
    return " " * len(code) if "\n" not in code else "\n".join(" " * len(line) for line in code.split("\n"))


def outside_fences(text: str, fences: list[tuple[int, int]], needles: tuple[str, ...]) -> bool:
    """Whether one of `needles` is written outside the fenced blocks (found in place, nothing copied)."""
    last = 0
    for start, end in [*fences, (len(text), len(text))]:
        if any(text.find(needle, last, start) != -1 for needle in needles):
            return True
        last = end
    return False


def without_code_spans(text: str) -> str:
    """The text with its inline code spans blanked out, backticks included (`code_spans_among_html`: where
    raw HTML, an escape or a new block changes what cmark-gfm reads as code)."""
    if "`" not in text:
        return text
    if "``" not in text and "<" not in text and "\\`" not in text and "\n" not in text:
        # one line, single backticks only (most card fields): they pair up in order, an odd last one is text
        parts = text.split("`")
        tail = parts.pop() if len(parts) % 2 == 0 else None
        out = [part if i % 2 == 0 else " " + _blank(part) + " " for i, part in enumerate(parts)]
        return "".join(out) if tail is None else "".join(out) + "`" + tail
    kept: list[str] = []
    last_end = 0
    for start, end in code_spans_among_html(text):
        kept += [text[last_end:start], _blank(text[start:end])]
        last_end = end
    kept.append(text[last_end:])
    return "".join(kept)


RUNS = "would run in every reviewer that shows this text"

Kind = Literal["runs", "image", "open", "unreadable"]
"""What a finding of the HTML is: markup that would run (a tag, an attribute, a link), an image that shows
nowhere else, a tag or comment never closed (what completes it is elsewhere), or markup the check cannot
read. The checker picks its hint and where to point by this, never by a finding's words."""


class Live(NamedTuple):
    """A finding in the HTML cmark-gfm makes of a text (`live_in_html`)."""

    kind: Kind
    why: str
    written: str
    """The raw HTML it starts at, as written (cmark-gfm passes raw HTML through unchanged)."""


REFUSED_HINT = (
    "remove it; raw HTML may use plain tags (b, i, kbd, details, tables…) without scripts, event handlers or "
    "styles, and links may go to http(s), mailto, #anchors or relative paths"
)
IMAGE_HINT = "copy the image beside the note (or anywhere under the content folder) and refer to it by a relative path"


def image_refused(target: str) -> str:
    """Why an image from `target` (not http(s), not a relative path) is refused, in words that fit its scheme."""
    shown, scheme = target[:60], target.split(":", 1)[0].strip().lower()
    if scheme == "file":
        return f"an image from `{shown}` reads a file of this computer: it shows nowhere else (phones, other machines)"
    if scheme == "data":
        return f"an image written into the text (`{shown[:30]}…`) is refused, like every address that is not http(s)"
    return f"an image from `{shown}` is refused: only relative paths and http(s) addresses show everywhere"


def unsafe(markdown_without_code: str) -> list[tuple[str, int, str]]:
    """Why this Markdown (code blanked out) is unsafe for a card: a sentence for each thing refused, where
    it is written (a character offset) and a hint, in the order written."""
    found: list[tuple[str, int, str]] = []
    for m in _LINK_TARGET.finditer(markdown_without_code):
        group = next(i for i, g in enumerate(m.groups(), 1) if g is not None)
        target = html.unescape(m.group(group)).strip()
        cleaned = re.sub(r"[\x00-\x20]", "", target)
        if cleaned and not SAFE_URL_START.match(cleaned):
            opening = markdown_without_code.rfind("[", 0, m.start())
            if group == 1 and opening > 0 and markdown_without_code[opening - 1] == "!":
                found.append((image_refused(target), m.start(group), IMAGE_HINT))
            else:
                why = f"a link to `{target[:60]}` (only http(s), mailto, #anchors and relative paths)"
                found.append((f"{why} {RUNS}", m.start(group), REFUSED_HINT))
    if "<" not in markdown_without_code:
        return found
    finder = _Finder()
    finder.read(complete_part(markdown_without_code))
    starts = line_starts(markdown_without_code) if finder.found else []
    for kind, what, (line, col) in finder.found:
        found.append((what, starts[line - 1] + col, IMAGE_HINT if kind == "image" else REFUSED_HINT))
    return sorted(found, key=lambda item: item[1])


_ALIGNMENT = re.compile(r"^text-align: (?:left|center|right)$")
"""The one style cmark-gfm writes itself: a table column's alignment (`CMARK_OPT_TABLE_PREFER_STYLE_ATTRIBUTES`)."""


CODE_BLOCK_HTML = '<div class="kb-codeblock"><pre class="kb-code"><code></code></pre></div>'
"""The markup the renderer puts where a fenced block was, without its code (`render.highlight.code_block` of an
empty block; `tests/core/test_robustness.py` keeps the two the same): its `<`, `"` and `>` end whatever raw HTML
before the block left open (`<?` … `>`), on the card and so in the check."""


def live_in_html(markdown: str, code_prefix: str = "", code_blocks: int = 0) -> list[Live]:
    """What the HTML that cmark-gfm makes of `markdown` (its `code_blocks` fenced blocks cut out for tokens spelled
    with `code_prefix`, `codeblocks.cut_fences`, or blanked out, `without_fences`) would run: the last word of the
    check, which reads the Markdown (to say where) and can misjudge what is code there (an extended autolink
    such as `http://x` takes a backtick with it, so the next backtick opens no code span); the HTML cannot be
    misread. Each finding comes with the raw HTML it starts at, so the checker can find it in the text and say
    on which line. Empty for a safe text."""
    from ..support import cmark

    rendered = cmark.to_html(protect_math(markdown)[0])  # math cut out first, as the renderer does
    if code_blocks:  # each block's markup where the renderer puts the block
        rendered = put_blocks(rendered, [CODE_BLOCK_HTML] * code_blocks, block_token_re(code_prefix))
    if _only_cmark_markup(rendered):
        return []
    part = complete_part(rendered)
    finder = _Finder(cmark_alignment=True)
    left = finder.read(part)
    starts = line_starts(part) if finder.found else []
    found = [Live(kind, what, _tag_at(part, starts[line - 1] + col)) for kind, what, (line, col) in finder.found]
    # cmark-gfm escapes a `<` of text, so a tag or comment opened here and never closed comes from raw HTML:
    # the next markup (a code block, the card's next field) would close it, and the next field's text would
    # be its attributes (`<b title="x` + `<div>" onclick="…">`), or end the comment inside an attribute
    # value (`<!--` + `<i title="--><b onclick=…>">`). Refused whatever it holds: what completes it is elsewhere.
    held = _OPEN_AT_END.search(left)
    tail = _OPEN_AT_END.search(rendered, len(part))
    at = len(part) - len(left) + held.start() if held is not None else tail.start() if tail is not None else -1
    if at != -1:
        opened = rendered[at:].strip()
        found.append(
            Live(
                "open",
                f"`{opened[:40]}` {NEVER_CLOSED}: the HTML after it (a code block, the card's next field) would "
                "end it, and what it holds could then run",
                opened[:30].split("\n")[0],
            )
        )
    return found


ANKI_REWRITES = re.compile(
    r"\[latex\].+?\[/latex\]|\[\$\].+?\[/\$\]|\[\$\$\].+?\[/\$\$\]|\[sound:.+?\]|\[anki:tts.*?\].*?\[/anki:tts\]",
    re.IGNORECASE | re.DOTALL,
)
"""What Anki replaces with markup of its own when it shows a field, besides cloze deletions: LaTeX (an
`<img>`), sounds and text-to-speech (a play button) (Anki's own patterns)."""


def as_anki_shows(markdown: str) -> list[str]:
    """The text as a card's sides show it, once Anki has written its own markup in place of each cloze
    deletion (`<span class="cloze" …>[...]</span>` on the front, the deletion's text in a span on the
    back), LaTeX, sound and text-to-speech tag. That markup's quotes and `>` end an HTML tag around
    it, so text that was an attribute's value becomes markup: `<b title="{{c1::x}} <img src=x
    onerror=…>">` runs the handler on both sides (so does `[latex]`, shown in Anki's renderer)."""
    mark = '<span class="anki" data-ordinal="1">'
    front = back = ANKI_REWRITES.sub(f"{mark}x</span>", markdown) if "[" in markdown else markdown
    for _ in range(front.count("{{c")):  # deletions may nest: the innermost first
        front = CLOZE_RE.sub(f"{mark}[...]</span>", front)
        back = CLOZE_RE.sub(lambda m: f"{mark}{m.group(2)}</span>", back)
        if "{{c" not in front and "{{c" not in back:
            break
    return [front] if front == back else [front, back]


_CMARK_MARKUP = re.compile(
    r"</?(?:p|em|strong|code|pre|ul|ol|li|blockquote|h[1-6]|table|thead|tbody|tr|th|td|del|a)>|<(?:hr|br) />"
    r'|<(?:th|td) style="text-align: (?:left|center|right)">|<ol start="\d+">'
    r'|<a href="([^"<>]*)"(?: title="[^"<>]*")?>|<img src="([^"<>]*)" alt="[^"<>]*"(?: title="[^"<>]*")? />'
)
"""The markup cmark-gfm writes itself, in the exact form it writes it (its attribute values escaped)."""


def _only_cmark_markup(rendered: str) -> bool:
    """Whether the HTML holds nothing but cmark-gfm's own markup, every link and image to a safe address:
    then there is nothing to find, and most texts are spared Python's (slow) HTML parser."""
    if "<" not in _CMARK_MARKUP.sub("", rendered):
        return all(
            _safe_url(m.group(1) if m.group(1) is not None else m.group(2))
            for m in _CMARK_MARKUP.finditer(rendered)
            if m.lastindex is not None
        )
    return False


def _safe_url(raw: str) -> bool:
    value = re.sub(r"[\x00-\x20]", "", html.unescape(raw))
    return bool(SAFE_HREF.match(value) or SAFE_URL_START.match(value))


def line_starts(text: str) -> list[int]:
    """The offset where each line of `text` starts, as `HTMLParser.getpos` counts lines (by `\n` alone:
    `str.splitlines` also splits at `\r`, `\x0b`, `\u2028`…, and put a finding after one of those on the
    wrong character)."""
    return [0] + [m.end() for m in re.finditer("\n", text)]


def _tag_at(html_text: str, start: int) -> str:
    """The tag that starts at `start`, as written (up to 60 characters, on its first line)."""
    end = html_text.find(">", start, start + 60)
    return html_text[start : end + 1 if end != -1 else start + 60].split("\n")[0]


_OPEN_AT_END = re.compile(r"<[A-Za-z/!?]")
NEVER_CLOSED = "opens a tag or comment that this text never closes"


_MATH_MACROS = re.compile(r"\\(href|style)\s*\{([^{}]*)\}")
"""MathJax macros that reach the page: `\\href{url}{…}` makes a link and `\\style{css}{…}` sets CSS (Anki's
MathJax loads both, on every client), so they are judged as an `href` and a `style` attribute are."""


def unsafe_math(markdown_without_code: str) -> list[tuple[str, int, str]]:
    """The `\\href` to an address that is not http(s), mailto or an anchor, and every `\\style`, written in
    the text (in math or not: a `\\(` can come from raw text too), where each is written."""
    found: list[tuple[str, int, str]] = []
    if "\\" not in markdown_without_code:
        return found
    for m in _MATH_MACROS.finditer(markdown_without_code):
        macro, argument = m.group(1), m.group(2)
        if macro == "style":
            found.append(
                (
                    f"`\\style{{{argument[:40]}}}` sets CSS on the card (Anki's MathJax applies it), as a `style` "
                    "attribute would",
                    m.start(),
                    "remove it; color a formula with `\\color{…}{…}`",
                )
            )
            continue
        target = re.sub(r"[\x00-\x20]", "", html.unescape(argument))
        if target and not (SAFE_HREF.match(target) or SAFE_URL_START.match(target)):
            found.append(
                (
                    f"`\\href{{{argument[:60]}}}` in math: Anki's MathJax makes it a link, which {RUNS}",
                    m.start(),
                    "link to http(s), mailto or an #anchor only, or remove the `\\href`",
                )
            )
    return found


def complete_part(text: str) -> str:
    """The text up to its last `>`: nothing after it can be markup (a tag, a comment or a declaration
    only counts once its `>` comes, and a browser drops one still open at the end). `HTMLParser` reads
    such a tail in quadratic time, scanning it to the end again from each `<` in it: 20,000 `<a ` took
    21 s, 20,000 `<!--` 2 s. Only this cut is made: where a construct ends before that, the browser's
    rules (`<!-->` closes a comment, a quote opens a value only after `name=`) are the parser's to apply."""
    return text[: text.rfind(">") + 1]


class _Finder(HTMLParser):
    def __init__(self, cmark_alignment: bool = False) -> None:
        super().__init__(convert_charrefs=True)
        self.cmark_alignment = cmark_alignment
        """Reading cmark-gfm's HTML: its own table alignment (`style="text-align: …"` on th/td) is no finding."""
        self.found: list[tuple[Kind, str, tuple[int, int]]] = []
        """What is refused (its kind and why), with the tag's line (1-based) and column (0-based) as `getpos`
        gives them."""

    def read(self, text: str) -> str:
        """Read `text` whole; return what the parser held back at its end (a construct still open there).

        Python's parser gives up on some markup a browser reads (`<![<x>` raises "expected name token");
        the rest of the text would go unread, so that markup is itself a finding."""
        try:
            self.feed(text)
            left: str = self.rawdata
            self.close()
        except AssertionError:
            line, col = self.getpos()
            start = line_starts(text)[line - 1] + col
            if (opening := text.rfind("<", max(start - 8, 0), start)) != -1:  # the parser stopped inside `<![`
                col -= start - opening
                start = opening
            shown = text[start : start + 30].split("\n")[0]
            why = f"markup this check cannot read (`{shown}`) would hide what follows it from the check"
            self.found.append(("unreadable", why, (line, col)))
            return ""
        return left

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check(tag, attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check(tag, attrs)

    def _check(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DANGEROUS_TAGS:
            self.found.append(("runs", f"a `<{tag}>` element {RUNS}", self.getpos()))
            return
        for raw_name, raw_value in attrs:
            name, value = raw_name.lower(), re.sub(r"[\x00-\x20]", "", raw_value or "")
            if name.startswith("on"):
                what = f"an event handler attribute `{name}` on `<{tag}>`"
            elif name == "style" and self.cmark_alignment and tag in ("th", "td") and _ALIGNMENT.match(raw_value or ""):
                continue
            elif name in BANNED_ATTRS:
                what = f"a `{name}` attribute on `<{tag}>`"
            elif name in URL_ATTRS and not (SAFE_HREF.match(value) or SAFE_URL_START.match(value)):
                if tag == "img" and name == "src":
                    self.found.append(("image", image_refused(raw_value or ""), self.getpos()))
                    return
                what = f'`{name}="{(raw_value or "")[:60]}"` on `<{tag}>`'
            else:
                continue
            self.found.append(("runs", f"{what} {RUNS}", self.getpos()))
            return

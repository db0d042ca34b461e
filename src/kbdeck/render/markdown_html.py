"""Markdown → HTML for cards and notes: GitHub-Flavored Markdown, rendered by cmark-gfm (in C).

GFM is what the content's authors see when they browse the repository on GitHub, and cmark-gfm,
GitHub's own parser, renders a 3,000-card knowledge base in about 0.2 s of CPU where a pure-Python
parser took 1.3 s (`bench/README.md`). Raw HTML passes through (minus the tags GFM filters, such as
`<script>`); tables, strikethrough and bare links are on.

Fenced code is cut out before cmark-gfm runs and highlighted by `highlight.code_block` (so clozes
inside code survive and code never goes through the Markdown parser), then put back. Headings get
the shared GitHub anchors.

Both cuts leave a token in the text for cmark-gfm (`KBDECKCODEBLOCK00000X`, `KBDECKMATH00000X`): letters
and digits, which it passes through untouched. A text that itself spells a token (a knowledge base about
kbdeck, or a hostile one) gets tokens of another spelling for that render (`fresh_prefix`), so its words
are never taken for a block or for math; the rendered HTML is the same either way.
"""

from __future__ import annotations

import bisect
import functools
import html
import re
from collections.abc import Iterator

from ..content.codeblocks import CODE_PREFIX as CODE_PREFIX
from ..content.codeblocks import PLAIN_LANGS, block_token_re, cut_fences, expand_includes, fresh_prefix, put_blocks
from ..content.mathspans import protect_math
from ..model.kb import Example
from ..model.slug import Slugger
from ..support import cmark
from .highlight import code_block

OPTION_RE = re.compile(r'(\w+)(?:=(?:"([^"]*)"|(\S+)))?')
HEADING_RE = re.compile(r"<h([1-6])>(.*?)</h\1>", re.DOTALL)
TAG_RE = re.compile(r"<[^>]*>")
MATH_PREFIX = "KBDECKMATH"
MATH_TOKEN = MATH_PREFIX + "{:05d}X"
MATH_TOKEN_RE = re.compile(MATH_PREFIX + r"(\d{5,})X")


@functools.lru_cache(maxsize=16)
def token_patterns(code_prefix: str, math_prefix: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The code block and math token patterns for these spellings."""
    return block_token_re(code_prefix), re.compile(math_prefix + r"(\d{5,})X")


def parser_version() -> str:
    """The Markdown parser's own version and settings: part of every rendered fragment's cache key."""
    return cmark.version()


def fence_options(info: str) -> tuple[str, bool]:
    """(title, line numbers) from a fence's info string: `title=app.py linenums`; other words are ignored."""
    title, numbers = "", False
    for m in OPTION_RE.finditer(info):
        if m.group(1) == "title":
            title = m.group(2) if m.group(2) is not None else (m.group(3) or "")
        elif m.group(1) == "linenums":
            numbers = True
    return title, numbers


class Renderer:
    """Markdown → HTML with the knowledge base's examples at hand for `@include`."""

    def __init__(self, examples: dict[str, Example]) -> None:
        self.examples = examples

    def render(self, text: str) -> str:
        text = expand_includes(text, self.examples)
        marked, code_prefix, fences = cut_fences(text)
        blocks: list[str] = []
        for fence in fences:
            lang = "" if fence.lang in PLAIN_LANGS else fence.lang
            title, numbers = fence_options(fence.info)
            label = title or (fence.lang if fence.lang in PLAIN_LANGS else "")
            blocks.append(code_block(fence.code, lang, label=label, numbers=numbers))
        math_prefix = fresh_prefix(MATH_PREFIX, marked)
        code_re, math_re = token_patterns(code_prefix, math_prefix)
        markdown, math, written = protect_math(marked, math_prefix)
        out = cmark.to_html(markdown)
        if math:
            out = put_math(out, math, written, math_re)
        out = anchor_headings(out)
        # a scroll box around each table: wide tables scroll inside it, never the page
        if "table>" in out:
            out = out.replace("<table>", '<div class="kb-table"><table>').replace("</table>", "</table></div>")
        if not blocks:
            return out.strip()
        return put_blocks(out, blocks, code_re).strip()


def put_math(out: str, math: list[str], written: list[str], pattern: re.Pattern[str] = MATH_TOKEN_RE) -> str:
    """Each math token in cmark's output replaced by its math; inside a tag (a link's address or title, an
    image's `alt`: cmark put the token there), by the math as written, escaped for an attribute. The math
    is escaped for text only (MathJax reads `"` as written), so `[a]($x" onclick="…$)` would otherwise close
    cmark's `href="…"` and add an attribute that the raw-HTML check never saw. Whether a token is inside a
    tag is followed through the output in one pass: in cmark's HTML a `<` or `>` outside tags is escaped."""
    pieces: list[str] = []
    last = 0
    in_tag = False
    for m in pattern.finditer(out):
        index = int(m.group(1))
        if index >= len(math):  # not one of ours (`fresh_prefix` keeps the text from spelling a token)
            continue
        start = m.start()
        opened, closed = out.rfind("<", last, start), out.rfind(">", last, start)
        if opened != closed:  # both -1: no tag began or ended since the last token
            in_tag = opened > closed
        pieces.append(out[last:start])
        pieces.append(html.escape(written[index]) if in_tag else math[index])
        last = m.end()
    pieces.append(out[last:])
    return "".join(pieces)


def anchor_headings(out: str) -> str:
    """Give h1–h6 unique GitHub-compatible ids, in document order (text without tags or entities)."""
    if "<h" not in out:
        return out
    slugger = Slugger()

    def anchored(m: re.Match[str]) -> str:
        anchor = slugger.anchor(html.unescape(TAG_RE.sub("", m.group(2))))
        return f'<h{m.group(1)} id="{html.escape(anchor)}">{m.group(2)}</h{m.group(1)}>'

    pieces: list[str] = []
    last = 0
    for m in _headings(out):
        pieces += [out[last : m.start()], anchored(m)]
        last = m.end()
    return "".join(pieces) + out[last:]


_HEADING_OPEN = re.compile(r"<h([1-6])>")


def _headings(out: str) -> Iterator[re.Match[str]]:
    """`HEADING_RE.finditer(out)` without its search from each `<hN>` to the end of the text when no
    `</hN>` follows (a note with 50,000 `<h1>` in raw HTML took 30 s): each opening tag is matched up to
    the first closing tag of its level after it, found by bisection, which is where the lazy body stops."""
    closers: dict[str, list[int]] = {}
    pos = 0
    while (opening := _HEADING_OPEN.search(out, pos)) is not None:
        level = opening.group(1)
        if level not in closers:
            closers[level] = [c.start() for c in re.finditer(f"</h{level}>", out)]
        ends = closers[level]
        k = bisect.bisect_left(ends, opening.end())
        if k == len(ends):
            pos = opening.start() + 1
            continue
        m = HEADING_RE.match(out, opening.start(), ends[k] + 5)
        assert m is not None  # `<hN>`, anything, `</hN>`: the pattern itself
        yield m
        pos = m.end()

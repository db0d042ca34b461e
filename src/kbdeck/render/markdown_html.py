"""Markdown → HTML for cards and notes: GitHub-Flavored Markdown, rendered by cmark-gfm (in C).

GFM is what the content's authors see when they browse the repository on GitHub, and cmark-gfm,
GitHub's own parser, renders a 3,000-card knowledge base in about 0.2 s of CPU where a pure-Python
parser took 1.3 s (`bench/README.md`). Raw HTML passes through (minus the tags GFM filters, such as
`<script>`); tables, strikethrough and bare links are on.

Fenced code is cut out before cmark-gfm runs and highlighted by `highlight.code_block` (so clozes
inside code survive and code never goes through the Markdown parser), then put back. Headings get
the shared GitHub anchors.
"""

from __future__ import annotations

import html
import re

from ..content.codeblocks import PLAIN_LANGS, expand_includes, iter_fences
from ..model.kb import Example
from ..model.slug import Slugger
from . import cmark
from .highlight import code_block

TOKEN = "KBDECKCODEBLOCK{:05d}X"
TOKEN_RE = re.compile(r"KBDECKCODEBLOCK(\d{5})X(?:</p>)?")
"""A code block's token in cmark's output, with the `</p>` that closes it (the `<p>` before it is looked
at by hand: an optional group first would keep `re` from scanning for the literal)."""
OPTION_RE = re.compile(r'(\w+)(?:=(?:"([^"]*)"|(\S+)))?')
HEADING_RE = re.compile(r"<h([1-6])>(.*?)</h\1>", re.DOTALL)
TAG_RE = re.compile(r"<[^>]*>")
MATH_TOKEN = "KBDECKMATH{:05d}X"
MATH_TOKEN_RE = re.compile(r"KBDECKMATH(\d{5})X")
MATH_RE = re.compile(
    r"(?P<code>(`+)(?:(?!\2).)+?\2)"  # inline code: never math
    r"|\$\$(?P<display>.+?)\$\$"
    r"|\\\[(?P<display2>.+?)\\\]"
    r"|\\\((?P<inline2>.+?)\\\)"
    r"|(?<![\\$\w])\$(?P<inline>[^\s$](?:[^$\n]*?[^\s$\\])?)\$(?![\w$])",  # pandoc's rule: `$5 and $10` is no math
    re.DOTALL,
)
"""Math in Markdown: `$…$`, `$$…$$`, `\\(…\\)`, `\\[…\\]`, outside code."""


def protect_math(text: str) -> tuple[str, list[str]]:
    """Cut math out of Markdown before cmark-gfm sees it (its backslashes, `_` and `*` would be eaten),
    leaving tokens; returns the text and the math, already written as Anki's MathJax delimiters
    (`\\(…\\)` inline, `\\[…\\]` display: MathJax on desktop, AnkiDroid and AnkiMobile reads those)."""
    if "$" not in text and "\\(" not in text and "\\[" not in text:
        return text, []
    found: list[str] = []

    def sub(m: re.Match[str]) -> str:
        if m.group("code"):
            return m.group(0)
        display = m.group("display") or m.group("display2")
        tex = display if display is not None else (m.group("inline") or m.group("inline2") or "")
        open_, close = ("\\[", "\\]") if display is not None else ("\\(", "\\)")
        found.append(f"{open_}{html.escape(tex, quote=False)}{close}")
        return MATH_TOKEN.format(len(found) - 1)

    return MATH_RE.sub(sub, text), found


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
        blocks: list[str] = []
        pieces: list[str] = []
        last = 0
        for fence in iter_fences(text):
            pieces.append(text[last : fence.start])
            lang = "" if fence.lang in PLAIN_LANGS else fence.lang
            title, numbers = fence_options(fence.info)
            label = title or (fence.lang if fence.lang in PLAIN_LANGS else "")
            blocks.append(code_block(fence.code, lang, label=label, numbers=numbers))
            pieces.append(f"\n{fence.indent}{TOKEN.format(len(blocks) - 1)}\n\n")
            last = fence.end
        pieces.append(text[last:])
        markdown, math = protect_math("".join(pieces))
        out = cmark.to_html(markdown)
        if math:
            out = MATH_TOKEN_RE.sub(lambda m: math[int(m.group(1))], out)
        out = anchor_headings(out)
        # a scroll box around each table: wide tables scroll inside it, never the page
        if "table>" in out:
            out = out.replace("<table>", '<div class="kb-table"><table>').replace("</table>", "</table></div>")
        if not blocks:
            return out.strip()
        return put_blocks(out, blocks).strip()


def put_blocks(out: str, blocks: list[str]) -> str:
    """Each code block's token (and the paragraph cmark put it in) replaced by the block's HTML: what
    `re.sub(r"(?:<p>)?KBDECKCODEBLOCK(\\d{5})X(?:</p>)?", …)` gives, in half its time."""
    pieces: list[str] = []
    last = 0
    for m in TOKEN_RE.finditer(out):
        index = int(m.group(1))
        if index >= len(blocks):
            continue  # not one of ours: the text itself says KBDECKCODEBLOCK…
        start = m.start()
        if start - 3 >= last and out.startswith("<p>", start - 3):
            start -= 3
        pieces.append(out[last:start])
        pieces.append(blocks[index])
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

    return HEADING_RE.sub(anchored, out)

"""Markdown → HTML for cards and notes.

Fenced code is cut out before Python-Markdown runs and highlighted by `highlight.code_block`
(so clozes inside code survive), then put back. Headings get the shared GitHub anchors.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from .codeblocks import PLAIN_LANGS, expand_includes, iter_fences
from .highlight import code_block
from .model import Example
from .slug import Slugger

TOKEN = "KBDECKCODEBLOCK{:05d}X"
TOKEN_RE = re.compile(r"(?:<p>)?KBDECKCODEBLOCK(\d{5})X(?:</p>)?")
OPTION_RE = re.compile(r'(\w+)(?:=(?:"([^"]*)"|(\S+)))?')


def fence_options(info: str) -> tuple[str, bool]:
    """(title, line numbers) from a fence's info string: `title=app.py linenums`; other words are ignored."""
    title, numbers = "", False
    for m in OPTION_RE.finditer(info):
        if m.group(1) == "title":
            title = m.group(2) if m.group(2) is not None else (m.group(3) or "")
        elif m.group(1) == "linenums":
            numbers = True
    return title, numbers


class _Anchors(Treeprocessor):
    """Give h1–h6 unique GitHub-compatible ids, in document order."""

    def run(self, root: etree.Element) -> None:
        slugger = Slugger()
        for el in root.iter():
            if el.tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
                text = "".join(el.itertext())
                el.set("id", slugger.anchor(text))


class _AnchorExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_Anchors(md), "kbdeck_anchors", 5)


class Renderer:
    """Reusable Markdown renderer (building a Markdown instance is costly; reset is cheap)."""

    def __init__(self, examples: dict[str, Example]) -> None:
        self.examples = examples
        self._md = markdown.Markdown(
            extensions=["tables", "sane_lists", _AnchorExtension()],
            output_format="html",
        )

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
        self._md.reset()
        out = self._md.convert("".join(pieces))
        # a scroll box around each table: wide tables scroll inside it, never the page
        out = out.replace("<table>", '<div class="kb-table"><table>').replace("</table>", "</table></div>")
        return TOKEN_RE.sub(lambda m: blocks[int(m.group(1))], out).strip()

"""Clozes inside code: `{{c1::text::hint}}` taken out of a code block, and where each one was.

Cloze syntax is content syntax: the checker reads a block's plain code (to compile a Python
snippet) and the highlighter lexes it and puts the deletions back around the tokens. Both use
this one parser, so the checker never depends on rendering.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CLOZE_RE = re.compile(r"\{\{c(\d+)::(.*?)(::[^{}]*?)?\}\}", re.DOTALL)


@dataclass(frozen=True)
class ClozeSpan:
    """A deletion inside code, in plain-code coordinates."""

    start: int
    end: int
    opener: str
    closer: str


def strip_clozes(code: str) -> tuple[str, list[ClozeSpan]]:
    """Plain code (deletion text kept) and where each deletion was."""
    plain: list[str] = []
    spans: list[ClozeSpan] = []
    pos = 0
    length = 0
    for m in CLOZE_RE.finditer(code, 0, code.rfind("}}") + 2):  # no deletion ends past the last `}}`
        before = code[pos : m.start()]
        plain.append(before)
        length += len(before)
        body = m.group(2)
        spans.append(ClozeSpan(length, length + len(body), f"{{{{c{m.group(1)}::", f"{m.group(3) or ''}}}}}"))
        plain.append(body)
        length += len(body)
        pos = m.end()
    plain.append(code[pos:])
    return "".join(plain), spans


HIDE_RE = re.compile(r"c(\d{1,3})::(.*)", re.DOTALL)
"""A `hide:` entry of a cloze card: `c2::text`, a deletion without its braces."""


@dataclass(frozen=True)
class Hide:
    """A `hide:` entry: the cloze number and the code text it hides."""

    number: int
    text: str

    def markup(self) -> str:
        return f"{{{{c{self.number}::{self.text}}}}}"


def parse_hide(entry: str) -> Hide | str:
    """The entry, or why it is not one (for the loader's message)."""
    m = HIDE_RE.fullmatch(entry)
    if m is None:
        return "write it as c1::text (the cloze number, `::`, then the code to hide, as the example has it)"
    number, text = int(m.group(1)), m.group(2)
    if number < 1:
        return "cloze numbers start at c1"
    if not text.strip():
        return "the text to hide is empty"
    if "::" in text or "{{" in text or "}}" in text:
        return "the text to hide cannot contain `::`, `{{` or `}}`: Anki would read them as cloze syntax"
    return Hide(number, text)


def parse_hides(entries: tuple[str, ...]) -> list[Hide]:
    """A card's well-formed `hide:` entries (the loader reports the others)."""
    return [h for h in map(parse_hide, entries) if not isinstance(h, str)]


def place_hides(blocks: list[str], hides: list[Hide]) -> tuple[list[str], list[int]]:
    """Each hide around the first occurrence of its text in `blocks` (the code a card includes, in order)
    that no earlier hide took, searching from the first block each time; the blocks with the deletions
    in, and the indexes of the hides whose text was not found."""
    taken: list[list[tuple[int, int, Hide]]] = [[] for _ in blocks]
    missing = []
    for index, hide in enumerate(hides):
        for b, code in enumerate(blocks):
            at = code.find(hide.text)
            while at >= 0 and any(at < end and start < at + len(hide.text) for start, end, _ in taken[b]):
                at = code.find(hide.text, at + 1)
            if at >= 0:
                taken[b].append((at, at + len(hide.text), hide))
                break
        else:
            missing.append(index)
    out = []
    for code, spans in zip(blocks, taken, strict=True):
        for start, end, hide in sorted(spans, key=lambda s: s[0], reverse=True):
            code = code[:start] + hide.markup() + code[end:]
        out.append(code)
    return out, missing

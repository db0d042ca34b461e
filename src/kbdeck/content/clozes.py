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
    for m in CLOZE_RE.finditer(code):
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

"""The section of a topic note a card comes from, to travel on the card itself.

Phones have no add-on: a card's link back to its note can only work there if the note's text is on
the card. The back of every card carries the section of its `see:` heading (from the heading to the
next heading of the same or a higher level; the note's introduction for a card without `see:`),
shown in a closed `<details>` so it costs nothing until opened. A long section is cut at a block
boundary (never inside a fence) and says where it continues.
"""

from __future__ import annotations

import re

from ..model.kb import Heading, Topic

LIMIT = 1800
"""Characters of a section's Markdown a card carries before it says "continues in the note"."""

_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")


def section_markdown(topic: Topic, heading: Heading | None, lines: list[str] | None = None) -> tuple[str, bool]:
    """(Markdown of the section, whether it was cut) — without the heading's own lines (the card's
    disclosure label names it). `lines` is the note's body split into lines, when the caller keeps it
    for all the sections it asks for (a note of thousands of sections was split once per section)."""
    if lines is None:
        lines = topic.body.split("\n")
    if heading is None:
        end = topic.headings[0].line - topic.body_line if topic.headings else len(lines)
        chunk = lines[:end]
    else:
        start = heading.line - topic.body_line + heading.lines
        headings = topic.headings  # the next heading of its level or above ends it (read from it on)
        nxt = next(
            (
                headings[i]
                for i in range(topic.position(heading) + 1, len(headings))
                if headings[i].level <= heading.level
            ),
            None,
        )
        chunk = lines[start : (nxt.line - topic.body_line) if nxt else len(lines)]
    text = "\n".join(chunk).strip("\n")
    if len(text) <= LIMIT:
        return text, False
    return _cut(text), True


def _cut(text: str) -> str:
    """The leading blocks of `text` that fit in LIMIT (at least the first), split at blank lines
    outside fenced code."""
    blocks: list[str] = []
    current: list[str] = []
    fence: str | None = None
    for line in text.split("\n"):
        m = _FENCE.match(line)
        if m:
            marker = m.group(1)
            if fence is None:
                fence = marker
            elif marker[0] == fence[0] and len(marker) >= len(fence):
                fence = None
        if not line.strip() and fence is None and current:
            blocks.append("\n".join(current))
            current = []
        else:
            current.append(line)
    if current:
        blocks.append("\n".join(current))
    kept: list[str] = []
    size = 0
    for block in blocks:
        if kept and size + len(block) > LIMIT:
            break
        kept.append(block)
        size += len(block) + 2
    return "\n\n".join(kept)

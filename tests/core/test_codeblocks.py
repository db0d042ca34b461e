"""Fence parsing: the fast scan (`iter_fences`) against the line-by-line definition it replaced."""

from __future__ import annotations

import random
from collections.abc import Iterator

from kbdeck.content.codeblocks import FENCE_OPEN_RE, Fence, iter_fences, marker_of


def reference_fences(text: str) -> Iterator[Fence]:
    """The definition: each line is an opening fence or not; a fence runs to the first line of only its
    character (at least as many, any whitespace around) or, unclosed, to the end; its lines lose its indentation."""
    if "```" not in text and "~~~" not in text:
        return
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    i = 0
    while i < len(lines):
        m = FENCE_OPEN_RE.match(lines[i])
        if not m or (m.group(2)[0] == "`" and "`" in m.group(4)):
            i += 1
            continue
        indent, marker, lang = m.group(1), m.group(2), m.group(3)
        j = i + 1
        while j < len(lines):
            close = lines[j].strip()
            if close.startswith(marker[0] * len(marker)) and set(close) == {marker[0]}:
                break
            j += 1
        body = [ln[len(indent) :] if ln.startswith(indent) else ln.lstrip() for ln in lines[i + 1 : j]]
        end = offsets[min(j + 1, len(lines))]
        info = m.group(4).strip()
        yield Fence(lang.lower(), "\n".join(body), i, offsets[i], min(end, len(text)), indent, info, j < len(lines))
        i = j + 1


PIECES = [
    "```", "````", "~~~", "~~~~", "`", "``", "~", " ", "  ", "\t", "\n", "\n", "\n", "\r", "\r\n",
    "python", "Py", "sql", "x = 1", "title=a.py", "linenums", "{{c1::y}}", "\xa0", "\u2028", "\x85",
    "\u3000", "\x1c", "é", "- ", "> ",
]  # fmt: skip


def test_the_scan_finds_what_the_line_by_line_definition_finds() -> None:
    rng = random.Random(22)
    for _ in range(30_000):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 40)))
        assert list(iter_fences(text)) == list(reference_fences(text)), repr(text)


def test_fences_in_a_card_text() -> None:
    text = "Intro\n\n  ```python title=a.py\n  x = 1\n    y = 2\n z\n  ```\nafter ```not a fence``` here\n~~~\nraw\n"
    fences = list(iter_fences(text))
    assert fences == list(reference_fences(text))
    first, second = fences
    assert (first.lang, first.code, first.line, first.indent) == ("python", "x = 1\n  y = 2\nz", 2, "  ")
    assert first.info == "title=a.py"
    assert text[first.start : first.end].endswith("  ```\n")
    assert (second.lang, second.code, second.line, second.end) == ("", "raw\n", 8, len(text))


def reference_unclosed(text: str, fence: Fence) -> bool:
    """The definition: no line after the opening one holds only the marker's character, at least as many
    as the marker has, between whitespace (lines split at "\\n", as the scan splits them)."""
    marker = FENCE_OPEN_RE.match(text[fence.start :].split("\n", 1)[0])
    assert marker is not None
    char, size = marker.group(2)[0], len(marker.group(2))
    cores = (ln.strip() for ln in text[fence.start :].split("\n")[1:])
    return not any(core == char * len(core) and len(core) >= size for core in cores)


def test_an_unclosed_fence_is_the_last_and_has_no_closing_line() -> None:
    rng = random.Random(23)
    seen = 0
    for _ in range(30_000):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 40)))
        fences = list(iter_fences(text))
        for i, fence in enumerate(fences):
            unclosed = not fence.closed
            assert unclosed == (i == len(fences) - 1 and reference_unclosed(text, fence)), repr(text)
            seen += unclosed
    assert seen > 1_000  # the random texts hold plenty of both
    text = "a\n~~~~python\nx\n~~~\n## H\n"
    (fence,) = iter_fences(text)
    assert not fence.closed and marker_of(text, fence) == "~~~~"
    for closed in ("```\nx\n```", "```\nx\n```\n", "  ```\nx\n  ````  \n"):
        assert next(iter_fences(closed)).closed, repr(closed)
    assert not next(iter_fences("```")).closed


def test_include_lines_inside_fenced_code_are_code() -> None:
    """A note that shows how to include a region put its own `@include` line in a code block: it was
    expanded there, and the included block's fences broke the block around it (the rest of the text
    became code)."""
    from kbdeck.content.codeblocks import include_lines

    text = (
        "@include examples/a/one.py#r\n"
        "```text\n@include examples/a/two.py#r\n```\n"
        "- item\n\n  ~~~\n  @include examples/a/three.py#r\n  ~~~\n"
        "  @include examples/a/four.py#r\n"
        "```python\n@include examples/a/five.py#r\n"  # unclosed: runs to the end, as on GitHub
    )
    assert [m.group(2) for m in include_lines(text)] == ["examples/a/one.py#r", "examples/a/four.py#r"]
    assert include_lines("no directive here") == []


def test_include_lines_are_the_directive_lines_outside_every_fence() -> None:
    import re

    from kbdeck.content.codeblocks import INCLUDE_RE, include_lines

    pieces = ["```", "~~~", "````", "@include examples/a/b.py#r", "  @include examples/c/d.py", "\n", "x", "  "]
    rng = random.Random(7)
    for _ in range(5_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 16)))
        fences = [(f.start, f.end) for f in iter_fences(text)]
        expected = [m.start() for m in INCLUDE_RE.finditer(text) if not any(s <= m.start() < e for s, e in fences)]
        found = include_lines(text)
        assert [m.start() for m in found] == expected, repr(text)
        assert all(isinstance(m, re.Match) for m in found)

"""Load topic notes: YAML front matter, Markdown body, headings with their anchors and lines."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from ..model.kb import Heading, Topic
from ..model.problems import Problems, Span
from ..model.slug import Slugger
from .schema import check_keys, expect_mapping, str_list

FRONT_KEYS = {"title": str, "tags": list, "summary": str}
HEADING_RE = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$")
FENCE_RE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")


def split_front_matter(text: str) -> tuple[str | None, str, int, bool]:
    """(front matter YAML or None, body, 1-based line where the body starts, whether its closing line
    is there). Front matter never closed is taken to end at its first blank or heading line: the note
    below it is still read, so its one problem is the missing `---`, not its YAML or its headings."""
    if not text.startswith("---\n") and text.strip() != "---":
        return None, text, 1, True
    lines = text.split("\n")
    for i in range(1, len(lines)):
        if lines[i].rstrip() in ("---", "..."):
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1 :]), i + 2, True
    end = next((i for i in range(1, len(lines)) if not lines[i].strip() or HEADING_RE.match(lines[i])), len(lines))
    return "\n".join(lines[1:end]), "\n".join(lines[end:]), end + 1, False


def heading_text(markdown: str) -> str:
    """The rendered text of a heading's inline Markdown (GitHub slugs the rendered text)."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", markdown)  # links and images → their text
    return re.sub(r"`|\*\*|(?<!\w)\*|\*(?!\w)", "", text)


def outside_fences(lines: list[str]) -> Iterator[int]:
    """The indexes of the lines outside fenced code (the fence lines themselves are not)."""
    fence: str | None = None
    for offset, line in enumerate(lines):
        m = FENCE_RE.match(line)
        if m:
            marker = m.group(1)
            if fence is None:
                fence = marker
            elif marker[0] == fence[0] and len(marker) >= len(fence):
                fence = None
        elif fence is None:
            yield offset


def iter_headings(body: str, first_line: int) -> list[Heading]:
    """ATX headings outside fenced code, with GitHub anchors in document order."""
    slugger = Slugger()
    out: list[Heading] = []
    lines = body.split("\n")
    for offset in outside_fences(lines):
        line = lines[offset]
        h = HEADING_RE.match(line)
        if h:
            text = h.group(2).strip()
            plain = heading_text(text)
            out.append(Heading(len(h.group(1)), text, slugger.anchor(plain), first_line + offset))
    return out


UNDERLINE_RE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$", re.MULTILINE)
_NOT_PARAGRAPH = re.compile(r"^(?: {4}|\t|[ \t]*(?:#{1,6}(?:[ \t]|$)|>|[-*+][ \t]|\d{1,9}[.)][ \t]|<|$))")
"""A line that cannot be the text of an underlined heading: indented code, an ATX heading, a quote, a list
item, HTML, or blank."""


def underlined_headings(body: str, first_line: int) -> list[tuple[int, str, str]]:
    """(line, text, `=` or `-`) of each setext heading outside fenced code: a paragraph line underlined with
    `===` or `---`, which GitHub renders as a heading (`---` after a blank line is a rule instead)."""
    if UNDERLINE_RE.search(body) is None:
        return []  # most notes: no scan
    found: list[tuple[int, str, str]] = []
    lines = body.split("\n")
    for offset in outside_fences(lines):
        under = UNDERLINE_RE.match(lines[offset]) if offset else None
        if under is None or not lines[offset - 1].strip():
            continue
        start = offset - 1  # the paragraph the underline ends: from the line after the last blank one
        while start > 0 and lines[start - 1].strip() and not FENCE_RE.match(lines[start - 1]):
            start -= 1
        opening = lines[start]
        if not _NOT_PARAGRAPH.match(opening) and not FENCE_RE.match(opening) and opening[:1] not in (" ", "\t"):
            # (a paragraph inside a list item or a quote is ended by `---`: a rule, not a heading)
            found.append((first_line + start, " ".join(x.strip() for x in lines[start:offset]), under.group(1)[0]))
    return found


def load_topic(path: Path, topic_id: str, shown: str, text: str, problems: Problems) -> Topic:
    """One topic note; problems for bad front matter, a missing title or an empty body."""
    start = Span(shown)
    front, body, body_line, closed = split_front_matter(text)
    meta: dict[str, object] = {}
    tags: tuple[str, ...] = ()
    if not closed:
        problems.error(
            start,
            "unclosed-front-matter",
            "the front matter that opens with `---` here is never closed",
            f"add a line `---` after its last key (line {body_line - 1}), before the note's text",
        )
    if front is None:
        problems.error(
            start,
            "missing-front-matter",
            f"note `{topic_id}` has no front matter",
            "start the file with ---, a `title:` line and ---",
        )
    else:
        from .yamlspan import parse_yaml  # PyYAML only when a file is parsed

        node = parse_yaml(front, shown, problems, line_offset=1)
        mapping = expect_mapping(node, "front matter", Span(shown, 2, 1), problems) if node else None
        if mapping is not None:
            meta = check_keys(mapping, FRONT_KEYS, "front matter", problems, ("title",), Span(shown, 1, 1))
            tags = tuple(t for t, _ in str_list(mapping, "tags", "front matter", problems))
        elif node is None and front.strip() == "":
            problems.error(Span(shown, 2, 1), "missing-key", "front matter has no `title`", "add `title:`")
    for line, heading, marker in underlined_headings(body, body_line):
        problems.warning(
            Span(shown, line, 1),
            "underlined-heading",
            f"`{heading[:60]}` underlined with `{marker * 3}` is a heading on GitHub, but kbdeck reads `#` headings "
            "only: no card can point to it (`see:`), and the section above it runs on through it",
            f"write it as `{'#' if marker == '=' else '##'} {heading[:60]}`"
            + (" (or, for a rule, leave a blank line above the `---`)" if marker == "-" else ""),
        )
    if not body.strip():
        problems.error(
            Span(shown, body_line, 1),
            "empty-note",
            f"note `{topic_id}` has no text",
            "write the note below its front matter: its cards link to its headings",
        )
    return Topic(
        id=topic_id,
        path=path,
        span=start,
        title=str(meta.get("title", "")) or topic_id,
        body=body,
        body_line=body_line,
        tags=tags,
        summary=str(meta.get("summary", "")),
        headings=tuple(iter_headings(body, body_line)),
    )

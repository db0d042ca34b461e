"""Load topic notes: YAML front matter, Markdown body, headings with their anchors and lines."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from ..model.kb import Heading, Topic
from ..model.problems import Problems, Span
from ..model.slug import Slugger
from ..support import cmark
from .codeblocks import include_lines, iter_fences
from .schema import check_keys, expect_mapping, str_list

FRONT_KEYS = {"title": str, "tags": list, "summary": str}
HEADING_RE = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$")


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


_SOURCEPOS = re.compile(r'<h([1-6]) data-sourcepos="(\d+):(\d+)-[^"]*">(.*?)</h\1>', re.DOTALL)
_ATX = re.compile(r"(#{1,6})(?:[ \t](.*))?$")
_CLOSING = re.compile(r"(?:^|[ \t]+)#+$")
"""A `#` heading's optional closing sequence: `## Foo ##` is `Foo`, `## C#` stays `C#`."""


def iter_headings(body: str, first_line: int) -> list[Heading]:
    """The headings GitHub's parser (cmark-gfm) finds in the note as the renderer hands it over, with GitHub
    anchors in document order: `#` headings and headings underlined with `===` or `---`, wherever it reads
    them (not in code, nor in raw HTML, but in a quote or a list item). The renderer gives the same headings
    the same ids (`anchor_headings`), so a card's link lands where its `see:` pointed; a line scan told them
    apart from rules and lazy lines in one case of six of a random sample, and missed those in quotes and lists."""
    if "#" not in body and "=" not in body and "-" not in body:
        return []  # no heading can be written without one of them
    slugger = Slugger()
    out: list[Heading] = []
    lines, origin = _as_rendered(body)
    for level, start, column, more in _found(lines):
        first = lines[start - 1][column - 1 :]
        atx = _ATX.match(first.rstrip())
        if atx:  # a line that reads as a `#` heading is one, never a paragraph's text
            parts = [_CLOSING.sub("", (atx.group(2) or "").strip()).strip()]
        else:  # underlined: its text lines, then the underline
            parts = [first.strip()] + [_within(lines[i], column).strip() for i in range(start, start + more)]
        # a heading of two lines renders as `First\nSecond`, whose slug (as GitHub's) runs them together
        anchor = slugger.anchor(heading_text("\n".join(parts)))
        line, last = origin[start - 1], origin[start - 1 + len(parts) - bool(atx)]  # (the underline's line)
        out.append(Heading(level, " ".join(parts), anchor, first_line + line, last - line + 1))
    return out


_ANY_BUT_PLAIN = re.compile(r"\n(?:[ \t>]*(?:=+|-+)[ \t]*\n|[ \t]*<|[ \t>*+\-\d.)]+#{1,6}[ \t\n])")
"""A line (searched in the text between `\n`s: a third of the time `^` with MULTILINE takes) that may make a
heading other than a `#` line at the margin, or hide one: a possible underline (or rule), raw HTML, a `#`
line indented or in a quote or list item."""


def _found(lines: list[str]) -> Iterator[tuple[int, int, int, int]]:
    """(level, 1-based line, 1-based column, text lines after the first) of each heading cmark-gfm reads in
    `lines`. Where every heading can only be a `#` line at the margin (most notes), those lines are the
    headings, without the parse (the parse of every note was 3% of the shipped deck's cold build)."""
    text = "\n".join(lines)
    return _at_margin(lines) if _plain(text) else _parsed(text)


def _plain(text: str) -> bool:
    """Whether every heading `text` can hold is a `#` line at the margin (`_ANY_BUT_PLAIN`)."""
    return _ANY_BUT_PLAIN.search(f"\n{text}\n") is None


def _at_margin(lines: list[str]) -> Iterator[tuple[int, int, int, int]]:
    """The `#` lines at the margin, as `_found` gives headings."""
    for i, line in enumerate(lines):
        if line.startswith("#") and (atx := _ATX.match(line)) is not None:
            yield len(atx.group(1)), i + 1, 1, 0


def _parsed(text: str) -> Iterator[tuple[int, int, int, int]]:
    """The headings cmark-gfm reads, as `_found` gives them."""
    for m in _SOURCEPOS.finditer(cmark.to_html(text, cmark.OPTIONS | cmark.SOURCEPOS)):
        # (an underlined heading has as many text lines as it renders: cmark's own end may run a line past it)
        yield int(m.group(1)), int(m.group(2)), int(m.group(3)), m.group(4).count("\n")


def _as_rendered(body: str) -> tuple[list[str], list[int]]:
    """The body's lines as the renderer gives them to cmark-gfm, each fenced block and `@include` line one
    line of its own between blank ones (`Renderer.render`: a block ends the paragraph above it, so the line
    before it is never underlined by the line after it), and the body line each comes from (0-based)."""
    lines = body.split("\n")
    fences = list(iter_fences(body))
    blocks = [(f.line, f.line + body.count("\n", f.start, f.end - 1), f.indent) for f in fences]
    blocks += [(*(body.count("\n", 0, m.start()),) * 2, m.group(1)) for m in include_lines(body, fences)]
    if not blocks and "\r" not in body:
        return lines, list(range(len(lines)))
    out: list[str] = []
    origin: list[int] = []
    at = 0
    for first, last, indent in sorted(blocks):
        out += lines[at:first]
        origin += range(at, first)
        out += ["", f"{indent}@", ""]  # (a block's text is not a heading's, whatever it holds)
        origin += [first] * 3
        at = last + 1
    out += lines[at:]
    origin += range(at, len(lines))
    if "\r" in body:  # a line ending to cmark-gfm too (reading the file turns `\r\n` into `\n`, not a lone `\r`)
        split = [(re.split(r"\r\n?", line), i) for line, i in zip(out, origin, strict=True)]
        out = [part for parts, _ in split for part in parts]
        origin = [i for parts, i in split for _ in parts]
    return out, origin


def _within(line: str, column: int) -> str:
    """A heading's continuation line without the quote or list item it sits in (its first `column - 1`
    characters, when they are only indentation and `>`)."""
    head = line[: column - 1]
    return line[column - 1 :] if not head.strip(" \t>") else line


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

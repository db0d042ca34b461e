"""Fenced code blocks and `@include` directives in Markdown, shared by the checker and the renderer.

`@include examples/<group>/<name>.py#region` on its own line becomes a fenced block with that
region of a tested example, so code shown on cards and notes is code the test-suite runs. Inside a
fenced block the line is code like any other (a note that shows how to include a region): every
reader of includes takes them from `include_lines`.
"""

from __future__ import annotations

import bisect
import functools
import html
import re
from collections.abc import Iterator
from typing import NamedTuple

from ..model.kb import Example
from .clozes import Hide, place_hides
from .examples import example_file

INCLUDE_RE = re.compile(r"^([ \t]*)@include[ \t]+(\S(?:.*\S)?)[ \t]*$", re.MULTILINE)
"""An `@include` line: indent and reference (a file name may hold spaces: `my example.py#region`)."""
FENCE_OPEN_RE = re.compile(r"^([ \t]*)(`{3,}|~{3,})[ \t]*([^`\s]*)([^`\n]*)$")
"""An opening fence line: indent, marker, language, the rest of the info string (no backtick after
the marker anywhere on the line: a line like ```a`b``` is inline code, not a fence)."""
PLAIN_LANGS = frozenset({"text", "plain", "plaintext", "txt", "output", "console-output"})
"""Fence languages that mean "no highlighting": shown as plain text, never an unknown-language error."""
LANG_BY_SUFFIX = {".py": "python", ".sql": "sql", ".sh": "bash", ".yaml": "yaml", ".toml": "toml", ".json": "json"}


BACKTICK_RUN = re.compile(r"`+")
"""A run of backticks: what opens and closes an inline code span."""


def code_spans(text: str) -> list[tuple[int, int]]:
    """Where the inline code spans are, as CommonMark finds them: a run of n backticks opens a span that
    the next run of exactly n closes, and a run with no such partner is plain text. Linear in the text:
    the backtracking regexes this replaces (`(`+)(?:(?!\1).)+?\1`) took minutes on a run of a thousand
    backticks."""
    if text.count("`") < 2:
        return []
    runs = [m.span() for m in BACKTICK_RUN.finditer(text)]
    partner: list[int] = [0] * len(runs)  # the next run of the same length (0: none; a run never pairs with run 0)
    last_of_length: dict[int, int] = {}
    for i in range(len(runs) - 1, -1, -1):
        start, end = runs[i]
        partner[i] = last_of_length.get(end - start, 0)
        last_of_length[end - start] = i
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(runs):
        j = partner[i]
        if j:
            spans.append((runs[i][0], runs[j][1]))
            i = j + 1
        else:
            i += 1  # never closed: these backticks are text
    return spans


_OPEN_TAG = re.compile(
    r"""<[A-Za-z][A-Za-z0-9-]*(?:\s+[A-Za-z_:][A-Za-z0-9_.:-]*(?:\s*=\s*(?:[^"'=<>`\s]+|'[^']*'|"[^"]*"))?)*\s*/?>"""
)
_AUTOLINK = re.compile(
    r"<(?:[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*"
    r"|[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*)>"
)
_ENDS = (("<!--", "-->"), ("<?", "?>"), ("<![CDATA[", "]]>"))
_BLOCK_BREAK = re.compile(r"\n(?=[ ]{0,3}(?:>[ ]?)*(?:[ \t]*(?:\n|$)|[#*+_=>|<`~-]|\d))")
"""A line break before a line that may start a block of its own (a blank line, a heading, a list item, a
quote, a table row, a fence, an HTML block): no code span reaches past it. Lines that only may (an `<`
opening inline HTML, a `2.` that cannot interrupt a paragraph) are counted too: a code span cut there
leaves its text to the check, which then refuses too much rather than too little."""


def _raw_html_end(text: str, i: int, last: dict[str, int]) -> int:
    """Where the raw HTML (a tag, comment, declaration, processing instruction or autolink) that starts at
    `i` ends, or -1. `last` holds each closing delimiter's last offset, so a construct that never closes
    is known in constant time (searching to the end from each of 20,000 `<!--` would be quadratic)."""
    if text.startswith("<!--", i):
        for short in ("<!-->", "<!--->"):
            if text.startswith(short, i):
                return i + len(short)
    for opening, closing in _ENDS:
        if text.startswith(opening, i):
            if _last(text, closing, last) < i + len(opening):
                return -1
            return text.find(closing, i + len(opening)) + len(closing)
    if text.startswith("<!", i) and i + 2 < len(text) and text[i + 2].isalpha():
        gt = text.find(">", i) if _last(text, ">", last) > i else -1
        return gt + 1 if gt != -1 else -1
    m = _OPEN_TAG.match(text, i) or _AUTOLINK.match(text, i)
    return m.end() if m is not None else -1


def _last(text: str, closing: str, last: dict[str, int]) -> int:
    """Where `closing` last occurs in `text`, looked up once per text."""
    if closing not in last:
        last[closing] = text.rfind(closing)
    return last[closing]


def code_spans_among_html(text: str) -> list[tuple[int, int]]:
    """The inline code spans as cmark-gfm finds them reading left to right, for the raw-HTML check: raw
    HTML that starts before a run of backticks wins (the backticks in `<a title="`" onclick=…>` belong to
    the tag: pairing them as `code_spans` does hid the `onclick` from the check), a backslash before a
    run escapes its first backtick (`\\`<b onclick>`` is no code span), and a code span never reaches
    into the next block (`_BLOCK_BREAK`). The renderer's math scan keeps `code_spans`: there a misread
    only decides whether a `$` is math."""
    runs = [m.span() for m in BACKTICK_RUN.finditer(text)]
    breaks = [m.start() for m in _BLOCK_BREAK.finditer(text)] if "\n" in text else []
    by_length: dict[int, list[int]] = {}
    for start, end in runs:
        by_length.setdefault(end - start, []).append(start)
    last: dict[str, int] = {}
    spans: list[tuple[int, int]] = []
    pos = 0
    for start, end in runs:
        if start < pos:
            continue
        lt = text.find("<", pos, start)
        while lt != -1:  # raw HTML before the run comes first, and may hold the run
            skip = _raw_html_end(text, lt, last)
            if skip != -1:
                pos = skip
                if pos > start:
                    break
            lt = text.find("<", max(lt + 1, pos), start)
        if start < pos:
            continue
        slashes = 0  # the backslashes right before the run (rare: counted only when there is one)
        while start - slashes > pos and text[start - slashes - 1] == "\\":
            slashes += 1
        opening = start + (slashes % 2)  # an odd number: the first backtick is escaped
        if opening == end:
            pos = end
            continue
        closers = by_length.get(end - opening, [])
        k = bisect.bisect_right(closers, opening)
        block_end = breaks[b] if (b := bisect.bisect_right(breaks, opening)) < len(breaks) else len(text)
        if k < len(closers) and closers[k] < block_end:
            close = closers[k]
            spans.append((opening, close + end - opening))
            pos = close + end - opening
        else:
            pos = end  # never closed: these backticks are text
    return spans


class Fence(NamedTuple):
    """A fenced code block (a named tuple: made for every fence of every text, twice per build, where a
    frozen dataclass cost more than finding the fence)."""

    lang: str
    """First word of the info string (may be empty)."""
    code: str
    """Contents, without the fences."""
    line: int
    """0-based line of the opening fence within the Markdown text."""
    start: int
    """Character offset of the opening fence."""
    end: int
    """Character offset just past the closing fence line (or end of text when unclosed)."""
    indent: str = ""
    """Indentation of the fence (inside list items)."""
    info: str = ""
    """The info string after the language: options such as `title=app.py linenums`."""
    closed: bool = True
    """False when no line closes it, so the rest of the text is its code: valid CommonMark, and almost
    always a closing line forgotten (a note's later headings vanish into the block)."""


_FENCE_OPEN_ANY_LINE = re.compile(FENCE_OPEN_RE.pattern, re.MULTILINE)


def fence_langs(text: str) -> list[str]:
    """The language of every fence line that names one, without pairing fences up: a quick estimate
    of what a text will highlight (`iter_fences` is the parse)."""
    if "```" not in text and "~~~" not in text:
        return []
    return [m.group(3).lower() for m in _FENCE_OPEN_ANY_LINE.finditer(text) if m.group(3)]


_CLOSERS: dict[tuple[str, int], re.Pattern[str]] = {}


def _closer(marker: str) -> re.Pattern[str]:
    """A line that closes a fence opened by `marker`: only that character, at least as many, between
    any whitespace but a newline (`str.strip()`'s whitespace: re's `\\s` is the same set)."""
    key = (marker[0], len(marker))
    found = _CLOSERS.get(key)
    if found is None:
        found = _CLOSERS[key] = re.compile(rf"^[^\S\n]*{re.escape(marker[0])}{{{len(marker)},}}[^\S\n]*$", re.MULTILINE)
    return found


def iter_fences(text: str) -> Iterator[Fence]:
    """Fenced blocks in order; an unclosed fence runs to the end, as CommonMark says.

    Searches the text for fence lines rather than splitting it into lines: the scan ran for every
    card text twice per cold build (checking and rendering), a tenth of a one-core build's time.
    `tests/core/test_codeblocks.py` holds it to the line-by-line definition.
    """
    if "```" not in text and "~~~" not in text:
        return  # most texts have no fence: skip the scan
    size = len(text)
    pos = 0
    line = 0  # the line number of `pos`
    while True:
        m = _FENCE_OPEN_ANY_LINE.search(text, pos)
        if m is None:
            return
        start = m.start()
        line += text.count("\n", pos, start)
        indent, marker, lang = m.group(1), m.group(2), m.group(3)
        body_at = m.end() + 1  # the line after the opening one (past the end when it is the last)
        close = _closer(marker).search(text, body_at) if body_at <= size else None
        if close is None:
            body, end = text[body_at:], size
        else:
            body, end = text[body_at : close.start() - 1], min(close.end() + 1, size)
        if indent and body:
            body = "\n".join(ln[len(indent) :] if ln.startswith(indent) else ln.lstrip() for ln in body.split("\n"))
        yield Fence(lang.lower(), body, line, start, end, indent, m.group(4).strip(), close is not None)
        line += text.count("\n", start, end)
        pos = end
        if close is None or end >= size:
            return


def marker_of(text: str, fence: Fence) -> str:
    """The fence's opening marker (```, ~~~~…), read again from its line (a `Fence` does not keep it)."""
    opening = _FENCE_OPEN_ANY_LINE.match(text, fence.start)
    return opening.group(2) if opening is not None else "```"


def split_ref(ref: str) -> tuple[str, str]:
    """`examples/a/b.py#reg` → (`a/b`, `reg`); the region may be empty (whole file)."""
    path, _, region = ref.partition("#")
    path = path.removeprefix("content/").removeprefix("examples/")
    return path.removesuffix(".py"), region


def resolve_include(ref: str, examples: dict[str, Example]) -> tuple[str | None, str]:
    """(code, '') when the reference resolves, else (None, reason)."""
    if not ref.startswith(("examples/", "content/examples/")):
        return None, f"`{ref}` must start with examples/"
    ex_id, region = split_ref(ref)
    example = examples.get(ex_id)
    shown = example_file(ex_id)
    if example is None:
        return None, f"no example `{shown}`"
    if not region:
        return example.source.strip("\n"), ""
    found = example.region(region)
    if found is None:
        names = ", ".join(r.name for r in example.regions) or "none"
        return None, f"example `{shown}` has no region `{region}` (regions: {names})"
    return found.text, ""


def include_lines(text: str, fenced: list[Fence] | None = None) -> list[re.Match[str]]:
    """The text's `@include` lines outside fenced code (`INCLUDE_RE` matches), in order; `fenced`: the text's
    fences, when the caller has them already."""
    if "@include" not in text:
        return []  # most texts: no regex scan
    found = []
    at = text.find("@include")
    while at != -1:  # each candidate matched from its line's start: a `^` search tries every character
        m = INCLUDE_RE.match(text, text.rfind("\n", 0, at) + 1)
        if m is not None:
            found.append(m)
        at = text.find("@include", m.end() if m is not None else at + 1)
    if not found or ("```" not in text and "~~~" not in text):
        return found
    fences = [(f.start, f.end) for f in (iter_fences(text) if fenced is None else fenced)]
    starts = [start for start, _ in fences]
    outside = []
    for m in found:
        k = bisect.bisect_right(starts, m.start()) - 1
        if k < 0 or m.start() >= fences[k][1]:
            outside.append(m)
    return outside


def expand_includes(text: str, examples: dict[str, Example]) -> str:
    """Replace each `@include` line with a fenced block (unresolved ones are left for the checker)."""
    out, pos = [], 0
    for m in include_lines(text):
        code, _ = resolve_include(m.group(2), examples)
        if code is not None:
            out += [text[pos : m.start()], _fenced(m, code)]
            pos = m.end()
    return "".join(out) + text[pos:] if out else text


def hide_in_includes(text: str, examples: dict[str, Example], hides: list[Hide]) -> tuple[str, list[int]]:
    """A cloze card's text with its `@include` lines expanded and its `hide:` entries made deletions in
    that code (`clozes.place_hides`), and the indexes of the entries whose text the code does not have."""
    found = [(m, resolve_include(m.group(2), examples)[0]) for m in include_lines(text)]
    resolved = [(m, code) for m, code in found if code is not None]
    blocks, missing = place_hides([code for _, code in resolved], hides)
    out, pos = [], 0
    for (m, _), code in zip(resolved, blocks, strict=True):
        out += [text[pos : m.start()], _fenced(m, code)]
        pos = m.end()
    return "".join(out) + text[pos:], missing


def _fenced(m: re.Match[str], code: str) -> str:
    """The fenced block an `@include` line (`m`) becomes, its code given."""
    lang = next((v for k, v in LANG_BY_SUFFIX.items() if m.group(2).split("#")[0].endswith(k)), "")
    # a fence longer than any run of backticks in the code, so no line of it can close the block
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    fence = "`" * max(3, longest + 1)
    indent = m.group(1)
    body = "\n".join(indent + ln if ln else ln for ln in code.split("\n"))
    title = m.group(2).split("#")[0].rsplit("/", 1)[-1]
    return f"{indent}{fence}{lang} title={title}\n{body}\n{indent}{fence}"


CODE_PREFIX = "KBDECKCODEBLOCK"
"""The start of the token a fenced block leaves in the text cmark-gfm reads (`cut_fences`)."""


@functools.lru_cache(maxsize=16)
def block_token_re(prefix: str) -> re.Pattern[str]:
    """A code block's token in cmark's output, with the `</p>` that closes it (the `<p>` before it is looked
    at by hand, `put_blocks`: an optional group first would keep `re` from scanning for the literal). Five
    digits or more: a note may hold more than 99,999 blocks."""
    return re.compile(re.escape(prefix) + r"(\d{5,})X(?:</p>)?")


def fresh_prefix(base: str, text: str) -> str:
    """`base`, or when `text` spells it (as written, or with its character references decoded, as cmark-gfm
    decodes them: `K&#66;DECK…`), `base` followed by one `Q` more than the longest run of `Q`s after it in
    the text: a spelling the text cannot hold, found in linear time."""
    texts = [text, html.unescape(text)] if "&" in text else [text]
    if not any(base in t for t in texts):
        return base
    after = re.compile(re.escape(base) + "(Q*)")
    longest = max(len(m.group(1)) for t in texts for m in after.finditer(t))
    return base + "Q" * (longest + 1)


def cut_fences(text: str) -> tuple[str, str, list[Fence]]:
    """The text as cmark-gfm reads it, each fenced block cut out for a token on a line of its own
    (`{prefix}{n:05d}X`, its block's index), with the token's prefix and the blocks: the renderer puts each
    block's HTML in its token's place, and the HTML check a code block's markup (`rawhtml.live_in_html`), so
    that both read the raw HTML around a block as the card does."""
    prefix = fresh_prefix(CODE_PREFIX, text)
    fences: list[Fence] = []
    pieces: list[str] = []
    last = 0
    for fence in iter_fences(text):
        pieces.append(text[last : fence.start])
        pieces.append(f"\n{fence.indent}{prefix}{len(fences):05d}X\n\n")
        fences.append(fence)
        last = fence.end
    pieces.append(text[last:])
    return "".join(pieces), prefix, fences


def put_blocks(out: str, blocks: list[str], pattern: re.Pattern[str]) -> str:
    """Each code block's token (`block_token_re`) in cmark's output, and the paragraph cmark put it in, replaced
    by the block's HTML: what `re.sub(r"(?:<p>)?KBDECKCODEBLOCK(\\d{5,})X(?:</p>)?", …)` gives, in half its
    time. The renderer puts back the highlighted blocks, the HTML check their markup (`rawhtml.live_in_html`)."""
    pieces: list[str] = []
    last = 0
    for m in pattern.finditer(out):
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

"""The checks of one Markdown text: a card's field or a note's body.

Includes must resolve, fences name known languages, Python on a card must parse, images must be found
under the content folder, and no HTML, link or formula may run in a reviewer (`rawhtml`). What checked
clean is remembered in the build cache (`SyntaxCheck`), so a rebuild checks only edited texts. Like the
rest of checking, this never imports rendering: the content's syntax lives in `codeblocks`, `clozes`
and `rawhtml`.
"""

from __future__ import annotations

import re
import symtable
from pathlib import Path

import pygments

from ..model.kb import KnowledgeBase
from ..model.problems import Problems, Span
from ..support.cache import Memo, code_fingerprint, text_key
from .clozes import strip_clozes
from .codeblocks import (
    PLAIN_LANGS,
    cut_fences,
    expand_includes,
    include_lines,
    iter_fences,
    marker_of,
    resolve_include,
    split_ref,
)
from .examples import example_file
from .images import check_images
from .rawhtml import (
    REFUSED_HINT,
    as_anki_shows,
    live_in_html,
    outside_fences,
    strip_code,
    unsafe,
    unsafe_math,
    without_code_spans,
    without_fences,
)


class SyntaxCheck:
    """Card texts whose code checked clean, remembered in the build cache: scanning fences and parsing
    Python (`ast.parse`) are most of a check's time, and only edited texts need them again."""

    def __init__(self, cache_dir: Path | None = None) -> None:
        self._memo = Memo(cache_dir, "checked", code_fingerprint(pygments.__version__))
        self._known = self._memo.load()
        self._used: set[str] = set()

    def clean(self, text: str, kind: str = "t") -> bool:
        """True when the fences of `text` were checked before and had no problem (`kind` "n": when a note's
        text was, as a note: no Python parse)."""
        key = text_key(kind, text)
        self._used.add(key)
        return key in self._known

    def mark_clean(self, text: str, kind: str = "t") -> None:
        key = text_key(kind, text)
        self._known[key] = self._memo.new[key] = ""

    def save(self) -> None:
        self._memo.save(set(self._known) - self._used)


PYCF_ONLY_AST = 0x400
"""`ast.PyCF_ONLY_AST`: parse only; compile-stage errors (`return` outside a function) pass, as with `ast.parse`."""


QUICK_PARSE_MAX = 2000
"""Code up to this many characters is parsed through `symtable` first (below)."""


def python_syntax_error(code: str) -> tuple[str, int | None] | None:
    """(message, line) of the syntax error, or None when the code parses.

    The verdict is `compile(…, PyCF_ONLY_AST)`'s (`ast.parse`), but most code is first parsed by
    `symtable.symtable`, the same parser without turning the tree into Python objects (40 % less time;
    parsing card code was the largest part of checking a new knowledge base). When that succeeds, so
    does the parse; anything it refuses goes to `compile` for the verdict and its words, since
    `symtable` also refuses code that parses (`nonlocal` at module level). Only short code takes the
    quick path: building the objects has a depth limit of its own (~3,000 levels), and code shorter
    than it cannot nest that deep (each level takes at least one character).
    """
    if len(code) <= QUICK_PARSE_MAX:
        try:
            symtable.symtable(code, "<card>", "exec")
        except Exception:  # compile() below decides, and says why
            pass
        else:
            return None
    try:
        compile(code, "<card>", "exec", PYCF_ONLY_AST, dont_inherit=True)  # = ast.parse, without importing ast
    except SyntaxError as err:
        return err.msg, err.lineno
    except (MemoryError, RecursionError):  # the parser's own limits: nesting too deep to show on a card anyway
        return "the code is nested too deeply for Python's parser", None
    return None


WIKILINK = re.compile(r"!?\[\[[^\[\]\n]+\]\]")
"""Obsidian's `[[note]]` / `![[image.png]]`, which GitHub Markdown shows as plain text."""


def check_include(ref: str, span: Span, kb: KnowledgeBase, problems: Problems) -> None:
    code, reason = resolve_include(ref, kb.examples)
    if code is None and not kb.unread(example_file(split_ref(ref)[0])):  # else the file's own error says why
        problems.error(span, "bad-include", reason, "use examples/<group>/<name>.py#<region>")


def check_text(
    text: str,
    span: Span,
    kb: KnowledgeBase,
    problems: Problems,
    per_line: bool = False,
    syntax: SyntaxCheck | None = None,
    memo: SyntaxCheck | None = None,
) -> None:
    """Includes resolve and fences name known languages; on cards (`syntax` given), Python fences must
    also parse, because code shown on a card must never be wrong (cloze markup is removed first). A text
    that checked clean before is not checked again (`syntax` for cards, `memo` for notes), but for its
    includes and images, whose files can change while the text does not."""

    def at(line0: int) -> Span:
        return Span(span.path, span.line + line0, 1) if per_line else span

    def at_offset(offset: int) -> Span:
        """Where the character at `offset` of `text` was written (a card's field: the field)."""
        if not per_line:
            return span
        line0 = text.count("\n", 0, offset)
        return Span(span.path, span.line + line0, offset - text.rfind("\n", 0, offset))

    for m in include_lines(text):
        check_include(m.group(2), at(text.count("\n", 0, m.start())), kb, problems)
    if "![" in text or "<img" in text:  # before the cache: the files can change while the text does not
        fenced = [(f.start, f.end) for f in iter_fences(text)]
        check_images(strip_code(text, fenced), [Path(span.path).parent, kb.root], kb.root, at_offset, problems)
    cache, kind = (syntax, "t") if syntax is not None else (memo, "n")
    if cache is not None and cache.clean(text, kind):
        return
    found = len(problems.items)
    fences = []
    for fence in iter_fences(text):
        fences.append((fence.start, fence.end))
        if not fence.closed:
            rest = len(fence.code.splitlines())
            lines = f"{rest} line{'s' * (rest != 1)}"
            marker = marker_of(text, fence)
            problems.warning(
                at(fence.line),
                "unclosed-fence",
                f"this {marker} code block is never closed: the rest of the text ({lines}) is its code",
                f"close it with a line of {marker} (at least as long as the opening one)",
            )
        if fence.lang and fence.lang not in PLAIN_LANGS and not known_language(fence.lang):
            problems.error(
                at(fence.line),
                "unknown-language",
                f"unknown code-block language `{fence.lang}`",
                "use a Pygments language name (python, sql, bash, yaml, json, dockerfile...) or text",
            )
        if syntax is not None and fence.lang in ("python", "py", "python3"):
            error = python_syntax_error(strip_clozes(fence.code)[0])
            if error is not None:
                problems.error(
                    at(fence.line),
                    "python-syntax",
                    f"Python code on the card does not parse: {error[0]}"
                    + (f" (line {error[1]} of the block)" if error[1] is not None else ""),
                    "fix the code, mark a fragment as ```text, or include a region of a tested example",
                )
    if "[[" in text:
        wiki = WIKILINK.search(strip_code(text, fences))
        if wiki:
            problems.warning(
                at_offset(wiki.start()),
                "obsidian-syntax",
                f"`{wiki.group(0)[:60]}` is Obsidian syntax: kbdeck renders GitHub Markdown, where it is plain text",
                "write a link as [text](other-topic.md#heading) and an image as ![alt](img/file.png)",
            )
    if outside_fences(text, fences, ("<", "](", "]:", "\\href", "\\style")):  # HTML, links or MathJax's own
        fenceless = without_fences(text, fences) if fences else text
        visible = without_code_spans(fenceless)
        refused = sorted(unsafe(visible) + unsafe_math(visible), key=lambda found: found[1])
        for why, offset, hint in refused:
            problems.error(at_offset(offset), "unsafe-html", why, hint)
        # the HTML's word, where reading the Markdown could be wrong: raw HTML (a tag left open, a tag that
        # holds backticks), or links beside backticks (inline code the Markdown reading blanked out)
        uncertain = "<" in fenceless or "`" in fenceless
        # the text as the renderer gives it to cmark-gfm, each fenced block (an include's too) a token that the HTML
        # check turns into a code block's markup, whose `>` ends raw HTML left open before it, as on the card
        cut, code_prefix, blocks = cut_fences(expand_includes(text, kb.examples) if "@include" in text else text)
        code = (code_prefix, len(blocks))
        rewritten = _live_as_anki_shows(cut, *code) if not refused and "<" in fenceless else []
        for why in rewritten:
            problems.error(
                at(0),
                "unsafe-html",
                f"{why} once Anki shows it: Anki writes its own markup in place of a cloze deletion "
                "(`{{c1::…}}`), `[latex]`, `[$]` or `[sound:…]`, which ends an HTML tag around it",
                "keep cloze deletions and Anki's tags out of HTML tags and their attributes: put them in the "
                "text between tags",
            )
        if not refused and not rewritten and uncertain:
            after: dict[str, int] = {}  # the same HTML written again is found at its next place, in order
            # what the Markdown seemed to hide, at the raw HTML it starts at
            for live in live_in_html(cut, *code):
                misread = live.kind == "runs"
                written = live.written
                if live.kind == "open":
                    where = fenceless.rfind(written)
                else:
                    where = fenceless.find(written, after.get(written, 0))
                    after[written] = where + 1 if where != -1 else len(fenceless)
                problems.error(
                    at_offset(where) if written and where != -1 else at(0),
                    "unsafe-html",
                    f"{live.why} (cmark-gfm reads it as HTML: what looks like inline code around it is not)"
                    if misread
                    else live.why,
                    f"{REFUSED_HINT}; backticks are code only where no tag, link or new paragraph comes first"
                    if misread
                    else "close it in this text (or write it as `code`)",
                )
    if cache is not None and len(problems.items) == found:
        cache.mark_clean(text, kind)


def _live_as_anki_shows(cut: str, code_prefix: str, code_blocks: int) -> list[str]:
    """What the card's sides would run once Anki writes its markup in (`as_anki_shows`; each finding once), from
    the text as cmark-gfm reads it (`cut_fences`)."""
    found: list[str] = []
    if "{{c" not in cut and "[" not in cut:
        return found
    sides = as_anki_shows(cut)
    if sides == [cut]:
        return found
    for side in sides:
        lives = live_in_html(side, code_prefix, code_blocks)
        found += [live.why for live in lives if live.kind != "open" and live.why not in found]
    return found


_LANG_CACHE: dict[str, bool] = {}
_ALIASES: set[str] = set()


def known_language(lang: str) -> bool:
    """Whether Pygments has a lexer for `lang` (looked up by alias, without importing the lexer)."""
    if lang not in _LANG_CACHE:
        from pygments.lexers import find_lexer_class_by_name, get_all_lexers
        from pygments.util import ClassNotFound

        if not _ALIASES:
            _ALIASES.update(alias for _, aliases, _, _ in get_all_lexers(plugins=False) for alias in aliases)
        if lang.lower() in _ALIASES:
            _LANG_CACHE[lang] = True
        else:
            try:
                find_lexer_class_by_name(lang)  # lexers from plugins
                _LANG_CACHE[lang] = True
            except ClassNotFound:
                _LANG_CACHE[lang] = False
    return _LANG_CACHE[lang]

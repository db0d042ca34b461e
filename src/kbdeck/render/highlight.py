"""The one highlighting seam: (code, language) → HTML with Pygments token classes.

Clozes (`{{c1::...}}`) inside code are taken out before lexing and put back around the tokens,
so the lexer never sees the markup and the deletion text stays plain (Anki wraps it in its own
`.cloze` span, which the theme colours). No inline styles: colours live in the note type's CSS,
with a light and a dark theme, and nothing needs JavaScript.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

from ..content.clozes import ClozeSpan, strip_clozes

if TYPE_CHECKING:  # Pygments is imported on first use: a rebuild that renders nothing never needs it
    from pygments.lexer import Lexer
    from pygments.token import _TokenType


ACCELERATE_AFTER = 50_000
"""Characters a lexer lexes before it is switched to combined patterns (`fastlex`): setting them up
costs ~0.1 s for Python, worth it for a cold build's thousands of blocks, not for a rebuild's one."""

_lexed: dict[str, int] = {}


@lru_cache(maxsize=64)
def lexer_for(lang: str) -> Lexer | None:
    """A cached lexer (creating lexers is slow)."""
    if not lang:
        return None
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    from .fastlex import rules_from_cache

    try:
        with rules_from_cache():  # a lexer class's first instance compiles its rules: from the pattern cache
            return get_lexer_by_name(lang, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None


def warm(langs: tuple[str, ...] = ("python",)) -> None:
    """Set up (and accelerate) the lexers a render worker will need, before its first job arrives."""
    from .fastlex import accelerate

    for lang in langs:
        _lexed[lang] = ACCELERATE_AFTER
        lexer = lexer_for(lang)
        if lexer is not None:
            accelerate(lexer)


def expect(sizes: dict[str, int]) -> None:
    """A batch is about to lex about `sizes[lang]` characters of each language: the languages past
    the threshold are accelerated now, not after their first `ACCELERATE_AFTER` characters (a cold
    build rendering in-process, on one core, saves those characters' slow lexing: 0.07 s at 3,000
    cards)."""
    for lang, size in sizes.items():
        if size >= ACCELERATE_AFTER and _lexed.get(lang, 0) < ACCELERATE_AFTER:
            warm((lang,))


def _lexer(lang: str, size: int) -> Lexer | None:
    lexer = lexer_for(lang)
    if lexer is not None:
        total = _lexed[lang] = _lexed.get(lang, 0) + size
        if total >= ACCELERATE_AFTER:
            from .fastlex import accelerate

            accelerate(lexer)  # same tokens (tests/core/test_fastlex.py); idempotent
    return lexer


_CLASSES: dict[_TokenType, str] = {}


def token_class(ttype: _TokenType) -> str:
    """Pygments' short CSS class for a token type (`k`, `nf`, `s2`...)."""
    found = _CLASSES.get(ttype)
    if found is not None:
        return found
    from pygments.token import STANDARD_TYPES

    current: _TokenType | None = ttype
    suffix = ""
    name = STANDARD_TYPES.get(ttype)
    while name is None and current is not None:
        suffix = current[-1] + suffix
        current = current.parent
        name = STANDARD_TYPES.get(current) if current is not None else ""
    found = _CLASSES[ttype] = (name or "") + suffix
    return found


def _escape(text: str) -> str:
    """`html.escape(text, quote=False)`, inlined for the hot loop."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def tokens(lexer: Lexer, text: str) -> Iterator[tuple[int, _TokenType, str]]:
    """What `lexer.get_tokens(text)` yields, as (position, type, text): Pygments' own preprocessing
    of the text, then the lexer's loop, without the generator `get_tokens` wraps around it (one
    more resumption per token: 9 % of the highlighting of a cold build). A lexer with filters, or a
    Pygments without that preprocessing step, goes through `get_tokens` (positions then read 0)."""
    preprocess = getattr(lexer, "_preprocess_lexer_input", None)
    if lexer.filters or preprocess is None:
        return ((0, ttype, value) for ttype, value in lexer.get_tokens(text))
    return lexer.get_tokens_unprocessed(preprocess(text))


def highlight(code: str, lang: str) -> str:
    """Inner HTML of a code block: escaped, token spans, clozes preserved."""
    plain, clozes = strip_clozes(code) if "{{c" in code else (code, [])
    lexer = _lexer(lang, len(plain))
    if lexer is None:
        return _with_clozes([(None, plain)], clozes) if clozes else _escape(plain)
    if clozes:
        return _with_clozes([(ttype, value) for _, ttype, value in tokens(lexer, plain)], clozes)
    out: list[str] = []
    classes = _CLASSES
    for _, ttype, value in tokens(lexer, plain):
        if not value:
            continue
        cls = classes.get(ttype)
        if cls is None:
            cls = token_class(ttype)
        text = _escape(value) if ("&" in value or "<" in value or ">" in value) else value
        out.append(f'<span class="{cls}">{text}</span>' if cls else text)
    return "".join(out)


def _with_clozes(tokens: list[tuple[_TokenType | None, str]], clozes: list[ClozeSpan]) -> str:
    """Tokens as HTML with each deletion's markup put back around its text (spans cut at its edges)."""
    out: list[str] = []
    pos = 0
    boundaries = sorted({b for c in clozes for b in (c.start, c.end)})
    opens = {c.start: c for c in clozes}
    closes = {c.end: c for c in clozes}
    inside: ClozeSpan | None = None
    for ttype, value in tokens:
        cut_points = [b - pos for b in boundaries if pos < b < pos + len(value)]
        pieces = []
        last = 0
        for cut in [*cut_points, len(value)]:
            pieces.append(value[last:cut])
            last = cut
        for piece in pieces:
            if inside is not None and pos in closes and closes[pos] is inside:
                out.append(_escape(inside.closer))  # `::hint}}`: a hint in code is code's text too
                inside = None
            if inside is None and pos in opens:
                inside = opens[pos]
                out.append(inside.opener)
            text = _escape(piece)
            cls = token_class(ttype) if ttype is not None else ""
            if inside is not None or not cls or not piece:
                out.append(text)
            else:
                out.append(f'<span class="{cls}">{text}</span>')
            pos += len(piece)
    if inside is not None:
        out.append(_escape(inside.closer))
    return "".join(out)


def code_block(code: str, lang: str, label: str = "", numbers: bool = False) -> str:
    """A complete code block: an optional label bar (file name or language) over a `<pre>`.

    With `numbers`, a line-number gutter sits beside the code in its own element, so line
    numbers never mix with the code's text or its clozes (selecting or copying skips them).
    """
    code = code.rstrip("\n")
    shown = label or lang
    label_html = f'<div class="kb-code-label">{html.escape(shown)}</div>' if shown else ""
    lang_attr = f' data-lang="{html.escape(lang)}"' if lang else ""
    pre_class = "kb-code kb-numbered" if numbers else "kb-code"
    gutter = ""
    if numbers:
        count = strip_clozes(code)[0].count("\n") + 1
        gutter = '<span class="kb-gutter" aria-hidden="true">' + "\n".join(map(str, range(1, count + 1))) + "</span>"
    return (
        f'<div class="kb-codeblock"{lang_attr}>{label_html}'
        f'<pre class="{pre_class}">{gutter}<code>{highlight(code, lang)}</code></pre></div>'
    )

"""Math in Markdown: where `$…$`, `$$…$$`, `\\(…\\)` and `\\[…\\]` are, as the renderer reads them.

Math syntax is content syntax, like fences and clozes: the renderer cuts math out before cmark-gfm runs
(`protect_math`), and the raw-HTML check reads a text the same way before it asks cmark-gfm what the
rest becomes (`rawhtml.live_in_html`: a `$$`…`$$` that holds a backtick opens no code span after it).
"""

from __future__ import annotations

import html
import re

from .codeblocks import BACKTICK_RUN, code_spans

INLINE_MATH_RE = re.compile(r"(?<![\\$\w])\$(?P<inline>[^\s$](?:[^$\n]*?[^\s$\\])?)\$(?![\w$])")
"""Inline `$…$` by pandoc's rule (`$5 and $10` is no math): on one line, no space inside the dollars, no
word or dollar right outside them."""
_MATH_START = re.compile(r"[`$]|\\[\[(]")
_DELIMITED = {"$$": ("$$", True), "\\[": ("\\]", True), "\\(": ("\\)", False)}
"""Opening delimiter → (closing one, display math?), in the order they are tried at a position (`$$` before
`$`)."""


def protect_math(text: str, prefix: str = "KBDECKMATH") -> tuple[str, list[str], list[str]]:
    """Cut math out of Markdown before cmark-gfm sees it (its backslashes, `_` and `*` would be eaten),
    leaving tokens (`prefix` and a number); returns the text, the math already written as Anki's MathJax
    delimiters (`\\(…\\)` inline, `\\[…\\]` display: MathJax on desktop, AnkiDroid and AnkiMobile reads
    those), and each as the author wrote it (for a token that lands in a tag: `put_math`).

    Math is `$…$`, `$$…$$`, `\\(…\\)`, `\\[…\\]` outside inline code, found left to right: at each place,
    a code span (skipped whole), then `$$`, `\\[`, `\\(` (the shortest math up to the first closing
    delimiter), then `$`. A scan, not one regex: each opening delimiter looks no further than its
    closing one, and not at all after the last of those, so a long run of unclosed ones costs linear
    time (the regex it replaces searched to the end from each, and backtracked on backtick runs)."""
    if "$" not in text and "\\(" not in text and "\\[" not in text:
        return text, [], []
    spans = dict(code_spans(text))
    last_close = {close: text.rfind(close) for close, _ in _DELIMITED.values()}
    found: list[str] = []
    written: list[str] = []
    out: list[str] = []
    kept = pos = 0
    while (m := _MATH_START.search(text, pos)) is not None:
        at = m.start()
        if text[at] == "`":  # a code span, skipped whole, or a run of backticks that opens none
            run = BACKTICK_RUN.match(text, at)
            pos = spans.get(at) or (run.end() if run else at + 1)
            continue
        tex = None
        for open_, (close, is_display) in _DELIMITED.items():
            if text.startswith(open_, at) and last_close[close] > at + len(open_):
                end = text.find(close, at + len(open_) + 1)
                if end != -1:
                    tex, after, display = text[at + len(open_) : end], end + len(close), is_display
                    break
        if tex is None and text[at] == "$" and (inline := INLINE_MATH_RE.match(text, at)) is not None:
            tex, after, display = inline.group("inline"), inline.end(), False
        if tex is None:
            pos = at + 1
            continue
        open_, close = ("\\[", "\\]") if display else ("\\(", "\\)")
        found.append(f"{open_}{html.escape(tex, quote=False)}{close}")
        written.append(text[at:after])
        out.append(text[kept:at])
        out.append(f"{prefix}{len(found) - 1:05d}X")
        kept = pos = after
    out.append(text[kept:])
    return "".join(out), found, written

"""Characters no field may hold, found where they were written.

Anki stores a note's fields joined by U+001F: one such character inside a field makes the whole
package unimportable ("note has 11 fields, expected 10"). NUL and the other C0 controls corrupt
text elsewhere (SQLite, HTML), and a lone surrogate (`"\\ud800"` in YAML) cannot be encoded at
all. They are refused at their line and column, as content problems, before anything is built.
"""

from __future__ import annotations

import re

from ..model.problems import Problems, Span

BAD_CHARS = re.compile("[\x00-\x08\x0b\x0e-\x1f\ud800-\udfff]")
"""C0 controls except tab, newline, form feed and carriage return; lone surrogates."""


def describe_char(ch: str) -> str:
    if "\ud800" <= ch <= "\udfff":
        return f"a lone surrogate (U+{ord(ch):04X})"
    return f"the control character U+{ord(ch):04X}"


def report_raw(text: str, path: str, problems: Problems) -> bool:
    """Report the first bad character of a file's text at its line and column; whether there was one."""
    found = BAD_CHARS.search(text)
    if found is None:
        return False
    before = text[: found.start()]
    line = before.count("\n") + 1
    col = found.start() - (before.rfind("\n") + 1) + 1
    more = len(BAD_CHARS.findall(text)) - 1
    problems.error(
        Span(path, line, col),
        "control-character",
        f"{describe_char(found.group())} is not allowed in content" + (f" ({more} more in this file)" if more else ""),
        "delete it (an editor may show it as a box or ^_), or write it out in words",
    )
    return True


def report_value(value: str, span: Span, problems: Problems) -> bool:
    """Report a bad character inside a parsed value (a YAML escape such as "\\x1f"); whether there was one."""
    found = BAD_CHARS.search(value)
    if found is None:
        return False
    problems.error(
        span,
        "control-character",
        f"{describe_char(found.group())} is not allowed in content (here written as an escape)",
        "remove the escape sequence from the quoted text",
    )
    return True

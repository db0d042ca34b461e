"""Content problems as data: collected by every stage, reported all at once, never raised.

A content error must never become a traceback: loaders and checks append `Problem`s and carry on,
so the user sees every problem of a run, each with its file, line and column and a hint.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import NamedTuple


class Severity(StrEnum):
    """How bad a problem is: errors block a build, warnings block it only with --strict."""

    ERROR = "error"
    WARNING = "warning"


class Span(NamedTuple):
    """Where something was written.

    A named tuple, not a dataclass: a 30,000-card knowledge base holds some 150,000 spans, and a
    rebuild reads them all back from the build cache; a frozen dataclass's `__init__` made that a
    tenth of a no-op rebuild. Ordered and compared as (path, line, col).
    """

    path: str
    """File path relative to the content directory's parent (as the user typed it on the CLI)."""
    line: int = 1
    """1-based line."""
    col: int = 1
    """1-based column."""

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the content."""

    severity: Severity
    """error or warning."""
    span: Span
    """Where it is."""
    code: str
    """Stable kebab-case code, e.g. `duplicate-id`; documented in docs/errors.md."""
    message: str
    """What is wrong, naming the offending value and what was expected."""
    hint: str = ""
    """How to fix it."""

    def render(self) -> str:
        """`path:line:col: error[code]: message` plus an indented hint line."""
        head = f"{self.span}: {self.severity.value}[{self.code}]: {self.message}"
        return f"{head}\n  = hint: {self.hint}" if self.hint else head


@dataclass
class Problems:
    """An append-only list of problems shared by the stages of one run."""

    items: list[Problem] = field(default_factory=list)

    def error(self, span: Span, code: str, message: str, hint: str) -> None:
        self.items.append(Problem(Severity.ERROR, span, code, message, hint))

    def warning(self, span: Span, code: str, message: str, hint: str) -> None:
        self.items.append(Problem(Severity.WARNING, span, code, message, hint))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.severity is Severity.WARNING]

    def sorted(self) -> list[Problem]:
        """Problems in file order, so output is stable and reads top to bottom."""
        return sorted(self.items, key=lambda p: (p.span, p.code, p.message))

    def blocking(self, strict: bool) -> bool:
        """Whether this run must fail: any error, or any warning under --strict."""
        return bool(self.errors or (strict and self.warnings))

    def tally(self) -> str:
        """`2 errors, 1 warning`: the last line of the text and GitHub reports."""
        n_err, n_warn = len(self.errors), len(self.warnings)
        return f"{n_err} error{'s' * (n_err != 1)}, {n_warn} warning{'s' * (n_warn != 1)}"

    def render_text(self) -> str:
        return "\n".join([*(p.render() for p in self.sorted()), self.tally()])

    def render_github(self) -> str:
        """Each problem as a GitHub Actions workflow command (`::error file=…,line=…,col=…,title=…::message`),
        which a workflow shows on that line of a pull request's diff, then the tally as plain text.

        Escaped as GitHub's own toolkit escapes (`%`, CR and LF everywhere, `:` and `,` in properties too):
        the text comes from the knowledge base, and a message or path holding a line break would otherwise
        start a workflow command of its own on the next line (`::add-mask::`, `::stop-commands::`)."""
        lines = []
        for p in self.sorted():
            where = (("file", p.span.path), ("line", p.span.line), ("col", p.span.col), ("title", f"kbdeck {p.code}"))
            properties = ",".join(f"{name}={_escape_property(str(value))}" for name, value in where)
            text = f"{p.message}\n= hint: {p.hint}" if p.hint else p.message
            lines.append(f"::{p.severity.value} {properties}::{_escape_data(text)}")
        return "\n".join([*lines, self.tally()])

    def render_json(self) -> str:
        rows = []
        for p in self.sorted():
            row = asdict(p)
            row["severity"] = p.severity.value
            row["span"] = p.span._asdict()
            rows.append(row)
        return json.dumps(
            {"errors": len(self.errors), "warnings": len(self.warnings), "problems": rows},
            ensure_ascii=False,
            indent=2,
        )


def _escape_data(text: str) -> str:
    """A workflow command's message, as `@actions/core` escapes it (`escapeData`)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    """A workflow command's property value, as `@actions/core` escapes it (`escapeProperty`)."""
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")

"""Load runnable examples and their named regions (`# region: name` ... `# endregion: name`)."""

from __future__ import annotations

import ast
import re
import textwrap
from pathlib import Path

from ..model.kb import Example, Region
from ..model.problems import Problems, Span

START_RE = re.compile(r"^\s*#\s*region:?\s+([A-Za-z0-9_.-]+)\s*$")
END_RE = re.compile(r"^\s*#\s*endregion:?\s*([A-Za-z0-9_.-]*)\s*$")


def load_example(path: Path, example_id: str, shown: str, text: str, problems: Problems) -> Example:
    """One example with its regions; reports unbalanced or duplicate region markers."""
    lines = text.split("\n")
    open_regions: list[tuple[str, int]] = []
    bodies: dict[str, list[str]] = {}
    starts: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if m := START_RE.match(line):
            name = m.group(1)
            if name in starts:
                problems.error(
                    Span(shown, number, 1),
                    "duplicate-region",
                    f"region `{name}` already starts at line {starts[name]}",
                    "give each region a unique name",
                )
                continue
            starts[name] = number
            bodies[name] = []
            open_regions.append((name, number))
            continue
        if m := END_RE.match(line):
            name = m.group(1)
            if not open_regions:
                problems.error(
                    Span(shown, number, 1), "unbalanced-region", "`# endregion` without a matching `# region`"
                )
            elif name and name != open_regions[-1][0]:
                problems.error(
                    Span(shown, number, 1),
                    "unbalanced-region",
                    f"`# endregion: {name}` closes region `{open_regions[-1][0]}`",
                    "regions nest: close the innermost one first",
                )
                open_regions.pop()
            else:
                open_regions.pop()
            continue
        for name, _ in open_regions:
            bodies[name].append(line)
    for name, number in open_regions:
        problems.error(
            Span(shown, number, 1),
            "unbalanced-region",
            f"region `{name}` is never closed",
            f"add `# endregion: {name}`",
        )
    docstring = ""
    try:
        docstring = ast.get_docstring(ast.parse(text)) or ""
    except SyntaxError as err:
        problems.error(Span(shown, err.lineno or 1, err.offset or 1), "python-syntax", f"invalid Python: {err.msg}")
    regions = tuple(
        Region(name, textwrap.dedent("\n".join(body)).strip("\n"), starts[name]) for name, body in bodies.items()
    )
    return Example(example_id, path, Span(shown), text, docstring, regions)

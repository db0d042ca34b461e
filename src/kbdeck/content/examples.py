"""Load runnable examples and their named regions (`# region: name` ... `# endregion: name`)."""

from __future__ import annotations

import ast
import re
import textwrap
from pathlib import Path, PurePosixPath

from ..model.kb import Example, Region
from ..model.problems import Problems, Span

REGION_COMMENT = {".py": "#", ".sql": "--", ".sh": "#", ".yaml": "#", ".yml": "#", ".toml": "#"}
"""The files under examples/ that are examples, and the comment their region markers are written in
(`# region: name` in Python, `-- region: name` in SQL). Other files there (data, fixtures) are left alone."""


def _markers(comment: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    mark = re.escape(comment)
    return (
        re.compile(rf"^\s*{mark}\s*region:?\s+([A-Za-z0-9_.-]+)\s*$"),
        re.compile(rf"^\s*{mark}\s*endregion:?\s*([A-Za-z0-9_.-]*)\s*$"),
    )


MARKERS = {comment: _markers(comment) for comment in set(REGION_COMMENT.values())}


def example_id(rel: PurePosixPath) -> str:
    """The id of the example at `rel` (below examples/): `group/name` for Python, `group/name.sql` for the rest."""
    return rel.with_suffix("").as_posix() if rel.suffix == ".py" else rel.as_posix()


def example_file(ex_id: str) -> str:
    """The file an example id names, below the content folder (`example_id` the other way round)."""
    suffix = PurePosixPath(ex_id).suffix
    return f"examples/{ex_id}" + ("" if suffix in REGION_COMMENT and suffix != ".py" else ".py")


def load_example(path: Path, example_id: str, shown: str, text: str, problems: Problems) -> Example:
    """One example with its regions; reports unbalanced or duplicate region markers."""
    comment = REGION_COMMENT.get(path.suffix, "#")
    start_re, end_re = MARKERS[comment]
    lines = text.split("\n")
    open_regions: list[tuple[str, int]] = []
    bodies: dict[str, list[str]] = {}
    starts: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if m := start_re.match(line):
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
        if m := end_re.match(line):
            name = m.group(1)
            if not open_regions:
                problems.error(
                    Span(shown, number, 1),
                    "unbalanced-region",
                    f"`{comment} endregion` without a matching `{comment} region`",
                    f"remove it, or open the region above it with `{comment} region: <name>`",
                )
            elif name and name != open_regions[-1][0]:
                problems.error(
                    Span(shown, number, 1),
                    "unbalanced-region",
                    f"`{comment} endregion: {name}` closes region `{open_regions[-1][0]}`",
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
            f"add `{comment} endregion: {name}`",
        )
    docstring = ""
    if path.suffix != ".py":
        docstring = _leading_comment(lines, comment, start_re)
    else:
        try:
            docstring = ast.get_docstring(ast.parse(text)) or ""
        except (MemoryError, RecursionError):  # the parser's own limits (`x = ----…1`, 100,000 deep)
            problems.error(
                Span(shown),
                "python-syntax",
                "invalid Python: the code is nested too deeply for Python's parser",
                "an example is a script that runs (`python <file>`): fix it",
            )
        except SyntaxError as err:
            problems.error(
                Span(shown, err.lineno or 1, err.offset or 1),
                "python-syntax",
                f"invalid Python: {err.msg}",
                "an example is a script that runs (`python <file>`): fix it at this line",
            )
            docstring = _docstring_before(lines, err.lineno or 1)
    regions = tuple(
        Region(name, textwrap.dedent("\n".join(body)).strip("\n"), starts[name]) for name, body in bodies.items()
    )
    return Example(example_id, path, Span(shown), text, docstring, regions)


def _docstring_before(lines: list[str], error_line: int) -> str:
    """The module docstring of a file that does not parse, read from the lines before the error: the
    error alone is reported, not also a missing docstring the file has."""
    try:
        return ast.get_docstring(ast.parse("\n".join(lines[: error_line - 1]))) or ""
    except (SyntaxError, MemoryError, RecursionError):
        return ""


def _leading_comment(lines: list[str], comment: str, start_re: re.Pattern[str]) -> str:
    """A non-Python example's summary: the comment lines it starts with (a shebang and blank lines skipped,
    a region marker ending it), as a docstring would be."""
    out: list[str] = []
    for line in lines:
        stripped = line.strip()
        if not out and (not stripped or stripped.startswith("#!")):
            continue
        if not stripped.startswith(comment) or start_re.match(line):
            break
        out.append(stripped[len(comment) :].strip())
    return "\n".join(out).strip()

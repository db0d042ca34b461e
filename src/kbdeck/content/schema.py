"""Tiny schema checks for YAML mappings: unknown keys (with "did you mean"), types, required keys.

Shared by the roadmap and flashcard loaders so every mapping is validated the same way and every
message has the same shape.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..model.problems import Problems, Span
from .yamlspan import ALIAS

if TYPE_CHECKING:
    from .yamlspan import Located

TYPE_NAMES = {str: "text", int: "a whole number", list: "a list", dict: "a mapping", bool: "true/false"}


def expect_mapping(node: Located | None, what: str, span: Span, problems: Problems) -> dict[str, Located] | None:
    """The node's mapping, or None after reporting that it is not one."""
    if node is not None and isinstance(node.value, dict):
        return node.value
    got = "nothing" if node is None or node.value is None else describe(node.value)
    problems.error(
        node.span if node else span,
        "expected-mapping",
        f"{what} must be a mapping of keys, got {got}",
        "write `key: value` lines (`kbdeck docs` lists the keys)",
    )
    return None


def check_keys(
    mapping: dict[str, Located],
    allowed: Mapping[str, type],
    what: str,
    problems: Problems,
    required: tuple[str, ...] = (),
    at: Span | None = None,
) -> dict[str, Any]:
    """Validate keys and value types; return the plain values of the valid keys."""
    out: dict[str, Any] = {}
    for key, node in mapping.items():
        span = node.key_span or node.span
        if key not in allowed:
            import difflib  # only when there is something to suggest

            close = difflib.get_close_matches(key, list(allowed), n=1, cutoff=0.6)
            hint = f"did you mean `{close[0]}`?" if close else f"allowed keys: {', '.join(sorted(allowed))}"
            problems.error(span, "unknown-key", f"unknown key `{key}` in {what}", hint)
            continue
        expected = allowed[key]
        if node.raw == ALIAS:  # reported where it is written (`yamlspan`): no second error for the same value
            continue
        value = node.value
        if (expected is int and isinstance(value, bool)) or not isinstance(value, expected):
            if expected is str and node.raw is not None and value is not None:
                value = node.raw  # text as written: `id: 0o17` is "0o17", never 15; `title: no` is "no"
            else:
                problems.error(
                    node.span,
                    "wrong-type",
                    f"`{key}` in {what} must be {TYPE_NAMES.get(expected, expected.__name__)}, got {describe(value)}",
                    _type_hint(key, expected, node),
                )
                continue
        out[key] = node.plain() if expected in (list, dict) else value
    for key in required:
        if key not in mapping:
            problems.error(at or Span("?"), "missing-key", f"{what} has no `{key}`", f"add `{key}:`")
    return out


def _type_hint(key: str, expected: type, node: Located) -> str:
    """How to write `key` with the type it wants, from what was written where it helps (`hide: c1::x` →
    `hide: [c1::x]`)."""
    if expected is list:
        written = node.raw if node.raw is not None else node.value
        if isinstance(written, str | int | float) and not re.search(r"[,\[\]{}#'\"]|^\s|\s$", str(written)):
            return f"write a list: `{key}: [{str(written)[:60]}]`"
        return f"write a list: one `- item` line per item under `{key}:`"
    if expected is dict:
        return f"write `name: value` lines, indented under `{key}:`"
    if expected is int:
        return f"write a whole number, without quotes: `{key}: 10`"
    if expected is bool:
        return f"write `{key}: true` or `{key}: false`"
    return f"write text after `{key}:` (a block, `{key}: |`, for several lines)"


def str_list(mapping: dict[str, Located], key: str, what: str, problems: Problems) -> tuple[tuple[str, Span], ...]:
    """A list of strings with their spans; reports non-string items."""
    node = mapping.get(key)
    if node is None or not isinstance(node.value, list):
        return ()
    out = []
    for item in node.value:
        if item.raw == ALIAS:
            continue
        if isinstance(item.value, str):
            out.append((item.value, item.span))
        elif item.raw is not None and item.value is not None:
            out.append((item.raw, item.span))  # as written: tags `[no, 1e3]` are "no" and "1e3"
        else:
            problems.error(
                item.span,
                "wrong-type",
                f"items of `{key}` in {what} must be text, got {describe(item.value)}",
                'write each item as text; quote it if YAML reads it otherwise: `- "..."`',
            )
    return tuple(out)


def describe(value: Any) -> str:
    """A short description of a YAML value for messages."""
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = str(value)
    return f"`{text[:40]}{'…' if len(text) > 40 else ''}`"

"""What a match of a regular expression can start with: the first-character analysis `fastlex` dispatches by.

Each rule's pattern is read with `re`'s own parser (private, as `re.compile` uses it) and turned into data
(a `First`): the characters a match can start with, or "any" where the analysis gives up, or None where the
pattern can match the empty string. The data is what the pattern cache keeps between runs (`fastlex._analysed`:
analysing Python's 437 rules took 0.03 s in every process that accelerates a lexer); `test_from` turns it
into the test a lexer state asks at each position. The analysis may only over-approximate: anything it does
not understand (back-references, conditionals, scoped flags, ASCII/locale classes) counts as "any character".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

try:  # re's private parser (3.11+), as re.compile uses it: guarded, another Python may lack it
    from re import _constants as sre  # type: ignore[attr-defined]
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - fastlex.available() is False then, and nothing here is called
    sre = sre_parse = None

PARSER = sre_parse is not None
"""Whether this Python has the parser the analysis reads patterns with (`fastlex` accelerates nothing without)."""

Test = Callable[[str], bool]
"""Can a match start with this character? (may say yes wrongly, never no wrongly)"""

_NON_ASCII = re.compile(r"[^\x00-\x7f]|\\[uUxN0-7]")
"""A pattern naming a non-ASCII character, literally or by escape."""


def any_char(c: str) -> bool:
    """The test of a pattern that may start with anything."""
    return True


Item = tuple[Any, ...]
"""One way a match can start: ("chars", "abc"), ("not", "x"), ("any",), or for a character class ("in",
negate, "chars", (("a", "z"), …), ("CATEGORY_DIGIT", …))."""

First = tuple[bool, tuple[Item, ...]] | str | None
"""A rule's first characters: (caseless, items), "any" (no analysis), or None (it can match "")."""


class _Anything(Exception):
    """The analysis gives up: the pattern may start with any character."""


def first_once(pattern: re.Pattern[str], found: dict[tuple[str, int], First]) -> First:
    """`first(pattern)`, worked out once per source and flags (`found` keeps them)."""
    key = (pattern.pattern, pattern.flags)
    if key not in found:
        found[key] = first(pattern)
    return found[key]


def first(pattern: re.Pattern[str]) -> First:
    """What a match of `pattern` can start with, as data (see `First`)."""
    if not isinstance(pattern.pattern, str) or pattern.flags & (re.ASCII | re.LOCALE):
        return "any"
    try:
        items, nullable = _first_of(sre_parse.parse(pattern.pattern, pattern.flags))
    except (_Anything, re.error, RecursionError):
        return "any"
    if nullable:
        return None
    if pattern.flags & re.IGNORECASE and _NON_ASCII.search(pattern.pattern):
        return "any"  # ſ matches s, K (Kelvin) matches k...: leave such patterns alone
    return bool(pattern.flags & re.IGNORECASE), tuple(items)


def test_from(first: First) -> Test | None:
    """A test for the characters a match can start with (`first`, what `first` found); None when it can
    match the empty string."""
    if first is None:
        return None
    if first == "any" or not isinstance(first, tuple):
        return any_char
    caseless, items = first
    tests = [_item_test(item) for item in items]
    if caseless:
        return _caseless(tests)
    chars = frozenset().union(*(t for t in tests if isinstance(t, frozenset)))
    others = [t for t in tests if not isinstance(t, frozenset)]
    if not others:
        return chars.__contains__
    return lambda c: c in chars or any(t(c) for t in others)


def _item_test(item: Item) -> frozenset[str] | Test:
    kind = item[0]
    if kind == "chars":
        return frozenset(item[1])
    if kind == "not":
        excluded = item[1]
        return lambda c: c != excluded
    if kind == "in":
        return _set_test(*item[1:])
    if kind == "any":
        return any_char
    raise ValueError(f"unknown first-character item {item!r}")


def _caseless(tests: list[frozenset[str] | Test]) -> Test:
    """Under IGNORECASE (ASCII-only pattern): an ASCII character is tried in both cases, any other
    character may match."""

    def test(c: str) -> bool:
        if not c.isascii():
            return True
        for variant in {c, c.lower(), c.upper()}:
            for t in tests:
                if variant in t if isinstance(t, frozenset) else t(variant):
                    return True
        return False

    return test


def _first_of(items: Any) -> tuple[list[Item], bool]:
    """(items, nullable) for a sequence of parsed items: what its first character can be."""
    found: list[Item] = []
    for op, av in items:
        item_found, nullable = _first_item(op, av)
        found.extend(item_found)
        if not nullable:
            return found, False
    return found, True


def _first_item(op: Any, av: Any) -> tuple[list[Item], bool]:
    if op is sre.LITERAL:
        return [("chars", chr(av))], False
    if op is sre.NOT_LITERAL:
        return [("not", chr(av))], False
    if op is sre.ANY:
        return [("any",)], False
    if op is sre.IN:
        return [_set_item(av)], False
    if op is sre.SUBPATTERN:
        _group, add_flags, del_flags, p = av
        if add_flags or del_flags:
            raise _Anything
        return _first_of(p)
    if op is sre.BRANCH:
        found: list[Item] = []
        nullable = False
        for branch in av[1]:
            t, n = _first_of(branch)
            found.extend(t)
            nullable = nullable or n
        return found, nullable
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", sre.MAX_REPEAT)):
        low, _high, p = av
        t, n = _first_of(p)
        return t, n or low == 0
    if op is getattr(sre, "ATOMIC_GROUP", None):
        return _first_of(av)
    if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
        return [], True  # zero-width: the next item decides (ignoring the assertion over-approximates)
    raise _Anything  # GROUPREF, GROUPREF_EXISTS, anything new


_CATEGORIES: dict[str, Test] = {
    "CATEGORY_DIGIT": str.isdecimal,
    "CATEGORY_NOT_DIGIT": lambda c: not c.isdecimal(),
    "CATEGORY_SPACE": str.isspace,
    "CATEGORY_NOT_SPACE": lambda c: not c.isspace(),
    "CATEGORY_WORD": lambda c: c.isalnum() or c == "_",
    "CATEGORY_NOT_WORD": lambda c: not (c.isalnum() or c == "_"),
}
"""Character categories by `re`'s name for them (Unicode semantics, as `re` has them for str patterns)."""


def _set_item(items: Any) -> Item:
    """A character class `[...]` as an item: ("in", negate, chars, ranges, category names)."""
    negate = False
    chars: list[str] = []
    ranges: list[tuple[str, str]] = []
    categories: list[str] = []
    for op, av in items:
        if op is sre.NEGATE:
            negate = True
        elif op is sre.LITERAL:
            chars.append(chr(av))
        elif op is sre.RANGE:
            ranges.append((chr(av[0]), chr(av[1])))
        elif op is sre.CATEGORY and str(av) in _CATEGORIES:
            categories.append(str(av))
        else:
            raise _Anything
    return ("in", negate, "".join(chars), tuple(ranges), tuple(categories))


def _set_test(negate: bool, chars: str, ranges: Any, categories: Any) -> Test:
    frozen = frozenset(chars)
    spans = [(lo, hi) for lo, hi in ranges]
    tests = [_CATEGORIES[name] for name in categories]

    def member(c: str) -> bool:
        return c in frozen or any(lo <= c <= hi for lo, hi in spans) or any(t(c) for t in tests)

    return (lambda c: not member(c)) if negate else member


def from_json(value: Any) -> First:
    """A `First` read back from JSON (lists where it had tuples), each part checked: what `first` makes
    or a ValueError (a non-nullable pattern starts with something, so `items` is never empty)."""
    if value is None or value == "any":
        return value  # type: ignore[no-any-return]
    caseless, items = value
    if not isinstance(caseless, bool) or not isinstance(items, list) or not items:
        raise ValueError("not a first-character set")
    return caseless, tuple(_item_from_json(item) for item in items)


def _item_from_json(item: Any) -> Item:
    kind, *rest = item
    text = rest[0] if len(rest) == 1 and isinstance(rest[0], str) else ""
    if (kind == "chars" and text) or (kind == "not" and len(text) == 1):
        return kind, text
    if kind == "any" and not rest:
        return ("any",)
    if kind == "in":
        negate, chars, ranges, categories = rest
        pairs = tuple((lo, hi) for lo, hi in ranges)
        if (
            isinstance(negate, bool)
            and isinstance(chars, str)
            and all(isinstance(c, str) and len(c) == 1 for pair in pairs for c in pair)
            and all(c in _CATEGORIES for c in categories)
            and (chars or pairs or categories)
        ):
            return kind, negate, chars, pairs, tuple(categories)
    raise ValueError(f"not a first-character item: {item!r}")

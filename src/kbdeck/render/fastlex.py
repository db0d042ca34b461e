"""Pygments' regex lexers, same tokens, far fewer regex calls: rules picked by first character.

A `RegexLexer` state is an ordered list of rules, and at each position Pygments calls every rule's
`match` in turn until one succeeds: for Python's root state that is up to ~50 failed calls per
token, the largest single cost of a cold build. Two things cut that down without changing a token:

- **First characters.** Each rule's pattern is analysed once (`re`'s own parser) for the characters
  a match can start with; a rule that cannot start with the character at the current position, and
  cannot match the empty string, cannot match there. Which rules remain is worked out once per
  (state, character) and remembered. The analysis may only over-approximate: anything it does not
  understand (back-references, conditionals, scoped flags, ASCII/locale classes) counts as "any
  character".
- **One call for what remains.** The remaining rules, in their order, are joined into one
  alternation `(r0)|(r1)|…`. Tried at the same position, it takes the first alternative that
  matches, with the same backtracking each rule has on its own, so it finds exactly the rule
  Pygments would have found; the wrapping group that closed last (`lastindex`) says which. Rules
  whose action is a callback (`bygroups`, `using`) are matched again on their own, so the callback
  sees the match object it expects. Rules that cannot be joined safely (back-references, flags that
  cannot be scoped) are tried one by one, as Pygments does.

`tests/core/test_fastlex.py` compares the token streams with stock Pygments on every language the
knowledge base uses, on its code and on random text.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

try:  # re's private parser (3.11+), as re.compile uses it: guarded, another Python may lack it
    from re import _constants as sre  # type: ignore[attr-defined]
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - exercised by tests through AVAILABLE
    sre = sre_parse = None
from typing import Any

from pygments.lexer import Lexer, RegexLexer
from pygments.token import Error, Whitespace, _TokenType

from .patterns import compile_cached, read_json, write_json

Rule = tuple[Callable[..., Any], Any, Any]
"""Pygments' processed rule: (bound `match` of the compiled regex, action, new state)."""

Entry = tuple[Callable[..., Any] | None, dict[int, Rule], tuple[Rule, ...]]
"""What to try at a character: (combined `match` or None, wrapping group → rule, rules one by one)."""

Test = Callable[[str], bool]
"""Can a match start with this character? (may say yes wrongly, never no wrongly)"""

_BACKREF = re.compile(r"\\[1-9]|\(\?P=")
_GLOBAL_FLAGS = re.compile(r"\(\?[aiLmsux]+\)")
_LETTERS = ((re.IGNORECASE, "i"), (re.MULTILINE, "m"), (re.DOTALL, "s"), (re.VERBOSE, "x"))
_SCOPABLE = re.IGNORECASE | re.MULTILINE | re.DOTALL | re.VERBOSE
_NON_ASCII = re.compile(r"[^\x00-\x7f]|\\[uUxN0-7]")
"""A pattern naming a non-ASCII character, literally or by escape."""
_TABLES: dict[type, dict[str, _State]] = {}


def _any(c: str) -> bool:
    return True


class _State:
    """One lexer state: its rules, what each can start with, and the entries worked out so far."""

    __slots__ = ("_combined", "alternatives", "entries", "flags", "groups", "rules", "tests")

    def __init__(self, rules: list[Rule], firsts: list[First]) -> None:
        self.rules = tuple(rules)
        patterns = _patterns(rules)
        self.tests: list[Test | None] = [_test_from(f) for f in firsts]
        """Per rule: None when it can match the empty string (so it is always a candidate)."""
        self.groups = [p.groups if isinstance(p, re.Pattern) else 0 for p in patterns]
        compiled = [p for p in patterns if isinstance(p, re.Pattern)]
        self.flags = min((p.flags for p in compiled), key=lambda f: bin(f).count("1")) if compiled else 0
        self.alternatives = [_scoped(p, self.flags) if isinstance(p, re.Pattern) else None for p in patterns]
        self.entries: dict[str, Entry] = {}
        self._combined: dict[tuple[int, ...], Entry] = {}

    def entry(self, c: str) -> Entry:
        """The rules that may match at a position holding `c` ("" at the end of the text)."""
        if c:
            chosen = tuple(i for i, test in enumerate(self.tests) if test is None or test(c))
        else:
            chosen = tuple(i for i, test in enumerate(self.tests) if test is None)
        found = self._combined.get(chosen)
        if found is None:
            found = self._combined[chosen] = self._join(chosen)
        self.entries[c] = found
        return found

    def _join(self, chosen: tuple[int, ...]) -> Entry:
        rules = tuple(self.rules[i] for i in chosen)
        alternatives = [self.alternatives[i] for i in chosen]
        if len(chosen) < 2 or any(a is None for a in alternatives):
            return None, {}, rules
        which: dict[int, Rule] = {}
        index = 1
        for i in chosen:
            which[index] = self.rules[i]
            index += 1 + self.groups[i]
        try:
            combined = compile_cached("|".join(f"({a})" for a in alternatives), self.flags)
        except re.error:
            return None, {}, rules
        if combined.groups != index - 1:
            return None, {}, rules
        return combined.match, which, rules


TESTED_PYGMENTS = ((2, 17), (2, 21))
"""Pygments versions whose token streams tests/core/test_fastlex.py compared (inclusive range of
minor versions). Outside it, or without re's parser, lexers keep Pygments' own loop: same tokens,
only slower."""


def _version(text: str) -> tuple[int, int]:
    parts = [int(p) for p in re.findall(r"\d+", text)[:2]] + [0, 0]
    return parts[0], parts[1]


def available(pygments_version: str | None = None) -> bool:
    """Whether acceleration may be used with this Pygments (and this Python's `re` internals)."""
    import pygments

    version = _version(pygments_version or pygments.__version__)
    return sre_parse is not None and TESTED_PYGMENTS[0] <= version <= TESTED_PYGMENTS[1]


class _ReThroughCache:
    """`re` as `pygments.lexer` sees it while a lexer class is first instantiated: `compile` goes through
    the pattern cache, everything else is `re`'s own."""

    def __getattr__(self, name: str) -> Any:
        return getattr(re, name)

    @staticmethod
    def compile(pattern: Any, flags: int = 0) -> re.Pattern[Any]:
        return compile_cached(pattern, flags) if isinstance(pattern, str) else re.compile(pattern, flags)


@contextmanager
def rules_from_cache() -> Iterator[None]:
    """Inside the block, a `RegexLexer` class instantiated for the first time gets its rules' compiled
    patterns from the pattern cache (`patterns.compile_cached`: the same patterns, kept between runs).

    Pygments compiles every rule of a lexer class with `re.compile` once per process (Python's 112:
    0.02 s, in every process that highlights, an edit's too); from the cache, 0.007 s. The block swaps
    the module global `pygments.lexer.re` (Pygments' `_process_regex` calls `re.compile`): that reaches
    into Pygments, so only the versions the token comparison covers take this path, and the global is
    put back however the block ends. Builds create lexers on one thread.
    """
    import pygments.lexer as module

    if not AVAILABLE or getattr(module, "re", None) is not re:
        yield
        return
    module.re = _ReThroughCache()  # type: ignore[attr-defined]
    try:
        yield
    finally:
        module.re = re  # type: ignore[attr-defined]


def accelerate(lexer: Lexer) -> Lexer:
    """`lexer` itself, lexing through first-character dispatch when it is a plain `RegexLexer` (and
    the Pygments version is one the token comparison covers; otherwise `lexer` unchanged)."""
    if not AVAILABLE:
        return lexer
    cls = type(lexer)
    if "get_tokens_unprocessed" in vars(lexer):
        return lexer  # already accelerated
    if not isinstance(lexer, RegexLexer) or cls.get_tokens_unprocessed is not RegexLexer.get_tokens_unprocessed:
        return lexer  # ExtendedRegexLexer, profiling or hand-written lexers keep their own loop
    if cls not in _TABLES:
        states: dict[str, list[Rule]] = lexer._tokens  # type: ignore[attr-defined]
        firsts = _analysed(states, f"{cls.__module__}.{cls.__qualname__}")
        _TABLES[cls] = {name: _State(rules, firsts[name]) for name, rules in states.items()}
    tables = _TABLES[cls]

    def get_tokens_unprocessed(text: str, stack: tuple[str, ...] = ("root",)) -> list[tuple[int, Any, str]]:
        return _lex(lexer, tables, text, stack)

    lexer.get_tokens_unprocessed = get_tokens_unprocessed  # type: ignore[method-assign,assignment]
    return lexer


def _patterns(rules: list[Rule]) -> list[re.Pattern[str] | None]:
    """Each rule's compiled pattern (None for a rule that matches some other way)."""
    found = [getattr(rexmatch, "__self__", None) for rexmatch, _, _ in rules]
    return [p if isinstance(p, re.Pattern) else None for p in found]


def _analysed(states: dict[str, list[Rule]], lexer: str) -> dict[str, list[First]]:
    """The first characters of every rule of a lexer (`lexer`: its class's name), by state: from the
    pattern cache when these rules (and this analysis) were seen before, else worked out (`_first`)
    and stored there, in place of what was stored for that lexer before."""
    rules = {name: _patterns(rs) for name, rs in states.items()}
    key = None
    if _ANALYSIS_CODE is not None:
        source = [[name, [_source(p) for p in ps]] for name, ps in sorted(rules.items())]
        key = hashlib.sha256(_ANALYSIS_CODE + json.dumps(source).encode()).hexdigest()
        stored = read_json(f"first-{lexer}", key)
        try:
            if {k: len(v) for k, v in stored.items()} == {k: len(v) for k, v in rules.items()}:
                return {name: [_from_json(f) for f in firsts] for name, firsts in stored.items()}
        except (AttributeError, IndexError, KeyError, TypeError, ValueError):
            pass  # nothing stored, or not what this module writes: work it out again (and store it)
    found: dict[tuple[str, int], First] = {}  # Pygments shares a pattern among states (Python: 437 rules, 85 patterns)
    firsts = {name: [_first_once(p, found) if p is not None else "any" for p in ps] for name, ps in rules.items()}
    if key is not None:
        write_json(f"first-{lexer}", key, firsts)
    return firsts


def _source(pattern: re.Pattern[str] | None) -> tuple[str, int] | None:
    return (pattern.pattern, pattern.flags) if pattern is not None and isinstance(pattern.pattern, str) else None


def _from_json(value: Any) -> First:
    """A `First` read back from JSON (lists where it had tuples), each part checked: what `_first` makes
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


def _own_source() -> bytes | None:
    try:
        return hashlib.sha256(Path(__file__).read_bytes()).digest()
    except OSError:  # pragma: no cover - an install without its source files: nothing is stored
        return None


_ANALYSIS_CODE = _own_source()
"""A digest of this module's source: an analysis stored by other code is never read back."""


def _scoped(pattern: re.Pattern[str], base: int) -> str | None:
    """`pattern`'s source as an alternative of a regex compiled with `base` flags (None: impossible).

    Flags a pattern sets inline at its start (`(?i)…`) become a scoped group (`(?i:…)`); only
    IGNORECASE, MULTILINE, DOTALL and VERBOSE can be scoped, and back-references would point at the
    wrong group once the patterns are joined.
    """
    source = pattern.pattern
    if not isinstance(source, str) or _BACKREF.search(source):
        return None
    extra, missing = pattern.flags & ~base, base & ~pattern.flags
    leading = _GLOBAL_FLAGS.match(source)
    if leading:
        source = source[leading.end() :]  # already in pattern.flags
    if not extra and not missing:
        return source
    if (extra | missing) & ~_SCOPABLE:
        return None
    on = "".join(letter for flag, letter in _LETTERS if extra & flag)
    off = "".join(letter for flag, letter in _LETTERS if missing & flag)
    tail = "\n" if pattern.flags & re.VERBOSE else ""  # a trailing `# comment` must not swallow the `)`
    return f"(?{on}{'-' + off if off else ''}:{source}{tail})"


# --- what a pattern can start with -------------------------------------------------------------
#
# The analysis yields data (a `First`), turned into a test by `_test_from`: the data of a lexer's every
# rule is kept in the pattern cache (`_analysed`), since analysing Python's 437 rules with `re`'s parser
# took 0.03 s in every process that accelerates a lexer.

Item = tuple[Any, ...]
"""One way a match can start: ("chars", "abc"), ("not", "x"), ("any",), or for a character class ("in",
negate, "chars", (("a", "z"), …), ("CATEGORY_DIGIT", …))."""

First = tuple[bool, tuple[Item, ...]] | str | None
"""A rule's first characters: (caseless, items), "any" (no analysis), or None (it can match "")."""


class _Anything(Exception):
    """The analysis gives up: the pattern may start with any character."""


def _first_once(pattern: re.Pattern[str], found: dict[tuple[str, int], First]) -> First:
    """`_first(pattern)`, worked out once per source and flags (`found` keeps them)."""
    key = (pattern.pattern, pattern.flags)
    if key not in found:
        found[key] = _first(pattern)
    return found[key]


def _first(pattern: re.Pattern[str]) -> First:
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


def _test_from(first: First) -> Test | None:
    """A test for the characters a match can start with (`first`, what `_first` found); None when it can
    match the empty string."""
    if first is None:
        return None
    if first == "any" or not isinstance(first, tuple):
        return _any
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
        return _any
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


# --- the lexing loop ---------------------------------------------------------------------------


def _lex(lexer: RegexLexer, tables: dict[str, _State], text: str, stack: tuple[str, ...]) -> list[tuple[int, Any, str]]:
    """`RegexLexer.get_tokens_unprocessed` (Pygments 2.x), with the rule lookup done by dispatch. The
    tokens come as a list, not a generator: resuming a generator for each of a code block's ~190 tokens
    was an eighth of highlighting it."""
    pos = 0
    out: list[tuple[int, Any, str]] = []
    push = out.append
    statestack = list(stack)
    state = tables[statestack[-1]]
    while 1:
        c = text[pos : pos + 1]
        entry = state.entries.get(c)
        if entry is None:
            entry = state.entry(c)
        combined, which, rules = entry
        matched = False
        if combined is not None:
            found = combined(text, pos)
            if found is not None:
                matched = True
                rexmatch, action, new_state = which[found.lastindex]
                if type(action) is _TokenType:
                    end = found.end()
                    push((pos, action, text[pos:end]))
                    pos = end
                else:
                    m = rexmatch(text, pos)
                    if action is not None:
                        out.extend(action(lexer, m))
                    pos = m.end()
        else:
            for rexmatch, action, next_state in rules:
                m = rexmatch(text, pos)
                if m:
                    matched = True
                    new_state = next_state
                    if action is not None:
                        if type(action) is _TokenType:
                            push((pos, action, m.group()))
                        else:
                            out.extend(action(lexer, m))
                    pos = m.end()
                    break
        if matched:
            if new_state is not None:
                if isinstance(new_state, tuple):
                    for name in new_state:
                        if name == "#pop":
                            if len(statestack) > 1:
                                statestack.pop()
                        elif name == "#push":
                            statestack.append(statestack[-1])
                        else:
                            statestack.append(name)
                elif isinstance(new_state, int):
                    if abs(new_state) >= len(statestack):
                        del statestack[1:]
                    else:
                        del statestack[new_state:]
                elif new_state == "#push":
                    statestack.append(statestack[-1])
                else:
                    raise AssertionError(f"wrong state def: {new_state!r}")
                state = tables[statestack[-1]]
            continue
        # no rule matched
        if not c:
            return out
        if c == "\n":
            statestack = ["root"]
            state = tables["root"]
            push((pos, Whitespace, "\n"))
            pos += 1
            continue
        push((pos, Error, c))
        pos += 1


AVAILABLE = available()

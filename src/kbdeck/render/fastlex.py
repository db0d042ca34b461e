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

import re
from collections.abc import Callable

try:  # re's private parser (3.11+), as re.compile uses it: guarded, another Python may lack it
    from re import _constants as sre  # type: ignore[attr-defined]
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - exercised by tests through AVAILABLE
    sre = sre_parse = None
from typing import Any

from pygments.lexer import Lexer, RegexLexer
from pygments.token import Error, Whitespace, _TokenType

from .patterns import compile_cached

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

    def __init__(self, rules: list[Rule]) -> None:
        self.rules = tuple(rules)
        patterns = [getattr(rexmatch, "__self__", None) for rexmatch, _, _ in rules]
        self.tests: list[Test | None] = [_first_test(p) if isinstance(p, re.Pattern) else _any for p in patterns]
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
        _TABLES[cls] = {name: _State(rules) for name, rules in lexer._tokens.items()}  # type: ignore[attr-defined]
    tables = _TABLES[cls]

    def get_tokens_unprocessed(text: str, stack: tuple[str, ...] = ("root",)) -> list[tuple[int, Any, str]]:
        return _lex(lexer, tables, text, stack)

    lexer.get_tokens_unprocessed = get_tokens_unprocessed  # type: ignore[method-assign,assignment]
    return lexer


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


class _Anything(Exception):
    """The analysis gives up: the pattern may start with any character."""


def _first_test(pattern: re.Pattern[str]) -> Test | None:
    """A test for the characters a match of `pattern` can start with; None if it can match ""."""
    if not isinstance(pattern.pattern, str) or pattern.flags & (re.ASCII | re.LOCALE):
        return _any
    try:
        tests, nullable = _first_of(sre_parse.parse(pattern.pattern, pattern.flags))
    except (_Anything, re.error, RecursionError):
        return _any
    if nullable:
        return None
    if pattern.flags & re.IGNORECASE:
        if _NON_ASCII.search(pattern.pattern):
            return _any  # ſ matches s, K (Kelvin) matches k...: leave such patterns alone
        return _caseless(tests)
    chars = frozenset().union(*(t for t in tests if isinstance(t, frozenset)))
    others = [t for t in tests if not isinstance(t, frozenset)]
    if not others:
        return chars.__contains__
    return lambda c: c in chars or any(t(c) for t in others)


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


def _first_of(items: Any) -> tuple[list[frozenset[str] | Test], bool]:
    """(tests, nullable) for a sequence of parsed items: what its first character can be."""
    tests: list[frozenset[str] | Test] = []
    for op, av in items:
        item_tests, nullable = _first_item(op, av)
        tests.extend(item_tests)
        if not nullable:
            return tests, False
    return tests, True


def _first_item(op: Any, av: Any) -> tuple[list[frozenset[str] | Test], bool]:
    if op is sre.LITERAL:
        return [frozenset(chr(av))], False
    if op is sre.NOT_LITERAL:
        excluded = chr(av)
        return [lambda c: c != excluded], False
    if op is sre.ANY:
        return [_any], False
    if op is sre.IN:
        return [_set_test(av)], False
    if op is sre.SUBPATTERN:
        _group, add_flags, del_flags, p = av
        if add_flags or del_flags:
            raise _Anything
        return _first_of(p)
    if op is sre.BRANCH:
        tests: list[frozenset[str] | Test] = []
        nullable = False
        for branch in av[1]:
            t, n = _first_of(branch)
            tests.extend(t)
            nullable = nullable or n
        return tests, nullable
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", sre.MAX_REPEAT)):
        low, _high, p = av
        t, n = _first_of(p)
        return t, n or low == 0
    if op is getattr(sre, "ATOMIC_GROUP", None):
        return _first_of(av)
    if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
        return [], True  # zero-width: the next item decides (ignoring the assertion over-approximates)
    raise _Anything  # GROUPREF, GROUPREF_EXISTS, anything new


_CATEGORIES: dict[Any, Test] = {
    sre.CATEGORY_DIGIT: str.isdecimal,
    sre.CATEGORY_NOT_DIGIT: lambda c: not c.isdecimal(),
    sre.CATEGORY_SPACE: str.isspace,
    sre.CATEGORY_NOT_SPACE: lambda c: not c.isspace(),
    sre.CATEGORY_WORD: lambda c: c.isalnum() or c == "_",
    sre.CATEGORY_NOT_WORD: lambda c: not (c.isalnum() or c == "_"),
}


def _set_test(items: Any) -> Test:
    """A character class `[...]` as a test (Unicode semantics, as `re` has them for str patterns)."""
    negate = False
    chars: set[str] = set()
    ranges: list[tuple[str, str]] = []
    categories: list[Test] = []
    for op, av in items:
        if op is sre.NEGATE:
            negate = True
        elif op is sre.LITERAL:
            chars.add(chr(av))
        elif op is sre.RANGE:
            ranges.append((chr(av[0]), chr(av[1])))
        elif op is sre.CATEGORY and av in _CATEGORIES:
            categories.append(_CATEGORIES[av])
        else:
            raise _Anything
    frozen = frozenset(chars)

    def member(c: str) -> bool:
        return c in frozen or any(lo <= c <= hi for lo, hi in ranges) or any(t(c) for t in categories)

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

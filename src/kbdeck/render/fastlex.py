"""Pygments' regex lexers, same tokens, far fewer regex calls: rules picked by first character.

A `RegexLexer` state is an ordered list of rules, and at each position Pygments calls every rule's
`match` in turn until one succeeds: for Python's root state that is up to ~50 failed calls per
token, the largest single cost of a cold build. Two things cut that down without changing a token:

- **First characters.** Each rule's pattern is analysed once (`re`'s own parser) for the characters
  a match can start with; a rule that cannot start with the character at the current position, and
  cannot match the empty string, cannot match there. Which rules remain is worked out once per
  (state, character) and remembered. The analysis (`firstchars`) may only over-approximate: anything it
  does not understand (back-references, conditionals, scoped flags, ASCII/locale classes) counts as "any
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
from typing import Any

from pygments.lexer import Lexer, RegexLexer
from pygments.token import Error, Whitespace, _TokenType

from . import firstchars
from .firstchars import First, Test, first_once, from_json, test_from
from .patterns import compile_alternation, compile_cached, read_json, write_json

Rule = tuple[Callable[..., Any], Any, Any]
"""Pygments' processed rule: (bound `match` of the compiled regex, action, new state)."""

Entry = tuple[Callable[..., Any] | None, dict[int, Rule], tuple[Rule, ...]]
"""What to try at a character: (combined `match` or None, wrapping group → rule, rules one by one)."""


_BACKREF = re.compile(r"\\[1-9]|\(\?P=")
_GLOBAL_FLAGS = re.compile(r"\(\?[aiLmsux]+\)")
_LETTERS = ((re.IGNORECASE, "i"), (re.MULTILINE, "m"), (re.DOTALL, "s"), (re.VERBOSE, "x"))
_SCOPABLE = re.IGNORECASE | re.MULTILINE | re.DOTALL | re.VERBOSE
_TABLES: dict[type, dict[str, _State]] = {}


class _State:
    """One lexer state: its rules, what each can start with, and the entries worked out so far."""

    __slots__ = ("_combined", "alternatives", "entries", "flags", "groups", "rules", "tests")

    def __init__(self, rules: list[Rule], firsts: list[First]) -> None:
        self.rules = tuple(rules)
        patterns = _patterns(rules)
        self.tests: list[Test | None] = [test_from(f) for f in firsts]
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
        alternatives = [a for a in (self.alternatives[i] for i in chosen) if a is not None]
        if len(chosen) < 2 or len(alternatives) < len(chosen):
            return None, {}, rules
        which: dict[int, Rule] = {}
        index = 1
        for i in chosen:
            which[index] = self.rules[i]
            index += 1 + self.groups[i]
        try:
            combined = compile_alternation(alternatives, self.flags)
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
    return firstchars.PARSER and TESTED_PYGMENTS[0] <= version <= TESTED_PYGMENTS[1]


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
    pattern cache when these rules (and this analysis) were seen before, else worked out (`firstchars`)
    and stored there, in place of what was stored for that lexer before."""
    rules = {name: _patterns(rs) for name, rs in states.items()}
    key = None
    if _ANALYSIS_CODE is not None:
        source = [[name, [_source(p) for p in ps]] for name, ps in sorted(rules.items())]
        key = hashlib.sha256(_ANALYSIS_CODE + json.dumps(source).encode()).hexdigest()
        stored = read_json(f"first-{lexer}", key)
        try:
            if {k: len(v) for k, v in stored.items()} == {k: len(v) for k, v in rules.items()}:
                return {name: [from_json(f) for f in firsts] for name, firsts in stored.items()}
        except (AttributeError, IndexError, KeyError, TypeError, ValueError):
            pass  # nothing stored, or not what this module writes: work it out again (and store it)
    found: dict[tuple[str, int], First] = {}  # Pygments shares a pattern among states (Python: 437 rules, 85 patterns)
    firsts = {name: [first_once(p, found) if p is not None else "any" for p in ps] for name, ps in rules.items()}
    if key is not None:
        write_json(f"first-{lexer}", key, firsts)
    return firsts


def _source(pattern: re.Pattern[str] | None) -> tuple[str, int] | None:
    return (pattern.pattern, pattern.flags) if pattern is not None and isinstance(pattern.pattern, str) else None


def _own_source() -> bytes | None:
    try:
        return hashlib.sha256(b"".join(Path(f).read_bytes() for f in (__file__, firstchars.__file__))).digest()
    except OSError:  # pragma: no cover - an install without its source files: nothing is stored
        return None


_ANALYSIS_CODE = _own_source()
"""A digest of the analysis' source (`firstchars`, and this module, which stores it): an analysis stored by
other code is never read back."""


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

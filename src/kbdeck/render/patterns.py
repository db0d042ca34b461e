"""Compiled regular expressions kept between runs, as Python keeps compiled modules in `__pycache__`.

`fastlex` joins a lexer's rules into one pattern per state and first character: for Python, some 40
patterns of 2–4 KB, which `re` (its parser and compiler are Python code) took 0.2 s to compile in every
process that highlights — 13 % of a one-core 3,000-card cold build, and again in each render worker.
What `re` compiles them to (the engine's code words and the group tables) is stored in a file per
pattern under the user's cache directory, keyed by the pattern, its flags and the exact Python; the
next process hands it to `_sre.compile`, as `re.compile` itself does.

`_sre` and `re._parser`/`re._compiler` are private: only the Python versions whose `re._compiler.compile`
was read (3.11–3.13, the same function in each) take this path, and anything unexpected — a damaged or
foreign file (the engine validates code words it is given), an unwritable directory — falls back to
`re.compile`. Deleting the directory only costs time. `KBDECK_CACHE_HOME` moves it; set it empty to
keep nothing on disk. Beside the patterns, `read_json`/`write_json` keep small checksummed values
(fastlex's rule analyses), one file per family; and a Python build's folder that no process has used
for `UNUSED_DAYS` is removed by the next process that looks at the cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import sys
import threading
import time
from array import array
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

try:  # the steps of re.compile, as it takes them (3.11-3.13): guarded, another Python may lack them
    import _sre  # type: ignore[import-not-found]
    from re import _compiler, _constants, _parser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - not on CPython
    _sre = None

if _sre is not None:
    _REPEATS = frozenset(
        getattr(_constants, name)
        for name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")
        if hasattr(_constants, name)
    )
    _ATOMIC = getattr(_constants, "ATOMIC_GROUP", None)
    _PLAIN = frozenset(getattr(_constants, name) for name in ("LITERAL", "NOT_LITERAL", "ANY", "IN", "AT", "CATEGORY"))
    """What a parsed pattern holds that holds no pattern of its own (`_renumbered` keeps it as it is)."""
_INLINE_FLAGS = re.compile(r"\(\?[aiLmsux]+\)")
"""Flags set for the whole pattern (`(?i)`): only allowed at the start, so not inside a joined alternative."""

TESTED_PYTHONS = ((3, 11), (3, 13))
"""Minor versions whose `re._compiler.compile` this module repeats (inclusive range)."""


def cache_dir() -> Path | None:
    """Where compiled patterns are kept: `$KBDECK_CACHE_HOME/patterns`, else the platform's user cache
    (`$XDG_CACHE_HOME` or `~/.cache`, `%LOCALAPPDATA%` on Windows) under `kbdeck/`; None when disabled."""
    home = os.environ.get("KBDECK_CACHE_HOME")
    if home is not None:
        return Path(home) / "patterns" if home else None
    if os.name == "nt" and os.environ.get("LOCALAPPDATA"):
        base = Path(os.environ["LOCALAPPDATA"])
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "kbdeck" / "patterns"


def _usable() -> bool:
    return _sre is not None and TESTED_PYTHONS[0] <= sys.version_info[:2] <= TESTED_PYTHONS[1]


_TYPECODE = next((t for t in "IL" if array(t).itemsize == getattr(_sre, "CODESIZE", 0)), None)
_TAG = hashlib.sha256(f"{sys.version}\0{getattr(_sre, 'MAGIC', '')}\0{_TYPECODE}".encode()).hexdigest()[:16]


UNUSED_DAYS = 90
"""The folder of a Python build no process has used for this long is removed (another Python's first
look at the cache does it): upgrading Python leaves no folder behind for good."""

_looked: set[Path] = set()


def _folder() -> Path | None:
    """This Python's folder of the cache; None when nothing may be kept."""
    try:
        root = cache_dir() if _TYPECODE and _usable() else None
    except RuntimeError:  # no home folder to be found (Path.home): keep nothing
        return None
    if root is None:
        return None
    folder = root / _TAG
    if folder not in _looked:  # once per process and folder
        _looked.add(folder)
        _tidy(root, folder)
    return folder


def _tidy(root: Path, folder: Path) -> None:
    """Mark `folder` as used now, and remove the folders of other Python builds unused for `UNUSED_DAYS`
    (only folders named as this module names them; anything unexpected is left alone)."""
    with contextlib.suppress(OSError):
        os.utime(folder)
    try:
        others = [p for p in root.iterdir() if p != folder and re.fullmatch(r"[0-9a-f]{16}", p.name) and p.is_dir()]
    except OSError:
        return
    oldest = time.time() - UNUSED_DAYS * 86400
    for other in others:
        with contextlib.suppress(OSError):
            if other.stat().st_mtime < oldest:
                shutil.rmtree(other)


def compile_cached(source: str, flags: int) -> re.Pattern[str]:
    """`re.compile(source, flags)`, from the cache when this Python compiled it before."""
    return _compiled(source, flags, None)


def compile_alternation(alternatives: Sequence[str], flags: int) -> re.Pattern[str]:
    """`compile_cached` of `(a0)|(a1)|…`, each alternative a capturing group (`fastlex` joins a lexer state's
    rules so). What is not in the cache yet is put together from each alternative's parse, made once per
    process (most were parsed already, as the lexer's rules were compiled): parsing Python's 35 joined
    sources (2–4 KB each) took 0.033 s, putting them together 0.004 s; a whole first build on a machine at
    3,000 cards gained 0.01–0.02 s. The same tree as `re`'s parse of the joined text, so the same code words
    (tests); anything the assembly does not cover (verbose patterns, named groups, references to a group,
    flags set inline for the whole pattern) is parsed joined."""
    source = "|".join(f"({a})" for a in alternatives)
    return _compiled(source, flags, lambda: _joined(alternatives, source, flags))


def _compiled(source: str, flags: int, parse: Callable[[], Any] | None) -> re.Pattern[str]:
    typecode = _TYPECODE
    folder = _folder()
    if folder is None or typecode is None:
        return re.compile(source, flags)
    key = hashlib.sha256(f"{flags}\0{source}".encode("utf-8", "surrogatepass")).hexdigest()
    path = folder / f"{key[:40]}.bin"
    try:
        return _read(path, key, source, typecode)
    except Exception:  # missing, damaged or foreign: compile it (below) and write it again
        pass
    parsed = (parse and parse()) or _parsed(source, flags)  # raises re.error for a bad pattern, as re.compile does
    code = _code(parsed, flags)
    groupindex = dict(parsed.state.groupdict)
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    final = flags | parsed.state.flags
    groups = parsed.state.groups - 1
    pattern: re.Pattern[str] = _sre.compile(source, final, code, groups, groupindex, tuple(indexgroup))
    header = {"key": key, "flags": final, "groups": groups, "groupindex": groupindex, "indexgroup": indexgroup}
    _write(path, json.dumps(header).encode() + b"\n" + array(typecode, code).tobytes())
    return pattern


_trees: dict[tuple[str, int], Any] = {}
"""`re`'s parse of each pattern this process compiled, by (source, flags): read, never changed, by `_code` and
by `_joined`."""


def _parsed(source: str, flags: int) -> Any:
    key = (source, flags)
    tree = _trees.get(key)
    if tree is None:
        tree = _trees[key] = _parser.parse(source, flags)
    return tree


def _joined(alternatives: Sequence[str], source: str, flags: int) -> Any:
    """`_parser.parse(source, flags)` for `source` = `(a0)|(a1)|…`, put together from the alternatives' own
    parses; None where that might differ from parsing `source` (the caller then parses it)."""
    if flags & re.VERBOSE or len(alternatives) < 2:  # a `# comment` at an alternative's end would run on
        return None
    state = _parser.State()
    state.flags = flags
    state.str = source
    items = []
    for alternative in alternatives:
        if _INLINE_FLAGS.search(alternative):
            return None
        tree = _parsed(alternative, flags)
        inner = tree.state
        if inner.groupdict or inner.grouprefpos or inner.flags != _parser.fix_flags(alternative, flags):
            return None
        wrapper = state.opengroup()
        for _ in range(inner.groups - 1):
            state.opengroup()
        try:
            copied = _renumbered(tree, wrapper, state)
        except _Unknown:
            return None
        for number in range(1, inner.groups):
            state.groupwidths[wrapper + number] = inner.groupwidths[number]
        state.closegroup(wrapper, copied)
        items.append(_parser.SubPattern(state, [(_constants.SUBPATTERN, (wrapper, 0, 0, copied))]))
    joined = _parser.SubPattern(state, [(_constants.BRANCH, (None, items))])
    state.flags = _parser.fix_flags(source, state.flags)
    return joined


class _Unknown(Exception):
    """`_renumbered` met what it does not copy: the joined text is parsed instead."""


def _renumbered(tree: Any, offset: int, state: Any) -> Any:
    """A copy of a parsed pattern whose groups are numbered from `offset + 1`; `_Unknown` for a reference to
    a group, or anything this copy does not know."""
    c = _constants
    out = _parser.SubPattern(state)
    for op, av in tree.data:
        if op is c.SUBPATTERN:
            group, add, remove, sub = av
            av = (group + offset if group is not None else None, add, remove, _renumbered(sub, offset, state))
        elif op is c.BRANCH:
            av = (av[0], [_renumbered(b, offset, state) for b in av[1]])
        elif op in _REPEATS:
            av = (av[0], av[1], _renumbered(av[2], offset, state))
        elif op is c.ASSERT or op is c.ASSERT_NOT:
            av = (av[0], _renumbered(av[1], offset, state))
        elif op is _ATOMIC:
            av = _renumbered(av, offset, state)
        elif op not in _PLAIN:
            raise _Unknown  # a reference to a group (GROUPREF, GROUPREF_EXISTS), or something new
        out.data.append((op, av))
    return out


_swapping = threading.Lock()
"""Held while `re`'s `_optimize_charset` is swapped: two threads compiling at once never put back each
other's stand-in."""
_charsets: dict[tuple[Any, ...], tuple[Any, bool]] = {}
"""`_optimize_charset`'s results in this process, by its arguments (see `_code`)."""


def _code(parsed: Any, flags: int) -> list[int]:
    """`re._compiler._code(parsed, flags)`: the same code words, with each character class optimised once.

    Pygments writes identifiers as whole Unicode classes (Python's `[_\\p{L}…]`, some 700 ranges), and a
    lexer's combined patterns hold the same classes again and again: `re` turned each one into a bitmap
    anew, 0.1 s of the 0.15 s a first build on a machine spent compiling Python's patterns (a 3,000-card
    cold build took 1.6 s on one core). `_optimize_charset` is a function of its arguments alone (the
    same in 3.11-3.13), so its results are kept by those arguments while this module compiles; `re`'s
    own function is put back after each call, whatever happens.
    """
    with _swapping:
        optimize = getattr(_compiler, "_optimize_charset", None)
        if optimize is None:  # pragma: no cover - a Python whose compiler is organised otherwise
            return _compiler._code(parsed, flags)  # type: ignore[no-any-return]
        known_fixes = getattr(_compiler, "_EXTRA_CASES", None)

        def remembered(charset: Any, iscased: Any = None, fixup: Any = None, fixes: Any = None) -> tuple[Any, bool]:
            if fixes is not None and fixes is not known_fixes:  # only the module's own table is known by name
                return optimize(charset, iscased, fixup, fixes)  # type: ignore[no-any-return]
            try:
                key = (tuple(charset), iscased, fixup, fixes is not None)
                found = _charsets.get(key)
            except TypeError:  # an unhashable part: nothing to look up
                return optimize(charset, iscased, fixup, fixes)  # type: ignore[no-any-return]
            if found is None:
                found = _charsets[key] = optimize(charset, iscased, fixup, fixes)
            return found

        _compiler._optimize_charset = remembered
        try:
            return _compiler._code(parsed, flags)  # type: ignore[no-any-return]
        finally:
            _compiler._optimize_charset = optimize


def _read(path: Path, key: str, source: str, typecode: str) -> re.Pattern[str]:
    data = path.read_bytes()
    newline = data.index(b"\n")
    header = json.loads(data[:newline])
    if header["key"] != key:
        raise ValueError("another pattern's file")
    code = array(typecode)
    code.frombytes(data[newline + 1 :])
    indexgroup = tuple(header["indexgroup"])
    return _sre.compile(source, header["flags"], code.tolist(), header["groups"], header["groupindex"], indexgroup)  # type: ignore[no-any-return]


def read_json(family: str, key: str) -> Any:
    """What `write_json` stored for `family` under `key` (a hex digest of everything the value depends
    on, this Python aside: the folder is per Python); None when nothing (readable) is there."""
    folder = _folder()
    if folder is None:
        return None
    try:
        stored = json.loads((folder / _json_name(family, key)).read_bytes())
        if stored["key"] == key and stored["sha256"] == _digest(stored["value"]):
            return stored["value"]
    except (OSError, ValueError, TypeError, KeyError, RecursionError):  # missing, damaged or another key's
        pass
    return None


def write_json(family: str, key: str, value: Any) -> None:
    """Keep `value` (JSON) for `family` under `key` beside the compiled patterns, for `read_json` in later
    runs; the family's other files go (what they hold was made by other code or for other input, and
    one lexer's analysis is 0.1 MB)."""
    folder = _folder()
    if folder is None:
        return
    path = folder / _json_name(family, key)
    _write(path, json.dumps({"key": key, "sha256": _digest(value), "value": value}).encode())
    with contextlib.suppress(OSError):
        for old in folder.glob(_json_name(family, "*")):
            if old.name != path.name:
                old.unlink(missing_ok=True)


def _json_name(family: str, key: str) -> str:
    """`<family>@<key>.json`, the family made safe for a file name and for `glob` (no `@` in it, so no
    family's files match another's pattern)."""
    return f"{re.sub(r'[^A-Za-z0-9_.-]', '_', family)}@{key[:40]}.json"


def _digest(value: Any) -> str:
    """A checksum of a stored value: a damaged file that still parses is not read back."""
    return hashlib.sha256(json.dumps(value).encode()).hexdigest()


def _write(path: Path, data: bytes) -> None:
    """Write beside, then rename: a reader never sees half a file, and two processes writing the same
    pattern write the same bytes."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        tmp.replace(path)
    except OSError:  # a read-only or full disk: the cache is only ever time
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)

"""The parse cache: what each content file parsed to (and the problems it had), by a hash of its text.

A rebuild parses only edited files: the rest come from the build cache (`support/cache.py`) as pickles,
whose references to where the file is for this run (its `Path`, its shown path) are left out of the
key and put back when read, so a rebuild started from another directory still reads them.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import io
import pickle
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from ..model.kb import Card, Example, Heading, Region, Topic
from ..model.problems import Problem, Problems
from ..support.cache import Memo, code_fingerprint, key_of

T = TypeVar("T")


def yaml_identity() -> str:
    """PyYAML's version and compiled parts, read from its files without importing it.

    A rebuild whose files all come from the parse cache never needs PyYAML (12 ms of import);
    any reinstall or upgrade changes this (version, and the size and time of each file read).
    """
    spec = importlib.util.find_spec("yaml")
    if spec is None or spec.origin is None:
        return "no-yaml"
    package = Path(spec.origin).parent
    init = package / "__init__.py"
    found = re.search(r"__version__\s*=\s*['\"]([^'\"]+)", init.read_text(encoding="utf-8", errors="replace"))
    parts = [found.group(1) if found else "?"]
    for path in sorted([init, *package.glob("_yaml*")]):
        st = path.stat()
        parts.append(f"{path.name}:{st.st_size}:{st.st_mtime_ns}")
    return " ".join(parts)


class ParsedFiles:
    """What each file parsed to, remembered in the build cache by a hash of (parser, arguments, text).

    Where the file is as this run sees it (its `Path` and shown path, both relative to the working
    directory) is no part of the key: the stored value holds references that reading replaces with
    this run's objects, so a rebuild started from another directory reads the cache instead of
    parsing every file again.
    """

    def __init__(self, cache_dir: Path | None) -> None:
        self._memo = Memo(cache_dir, "parsed")
        self._enabled = cache_dir is not None
        self._known = self._memo.load()
        self._used: set[str] = set()
        self._fingerprint = code_fingerprint(yaml_identity())

    def call(self, parse: Callable[..., T], *args: object, here: tuple[object, ...], problems: Problems) -> T:
        """`parse(*args, problems)`, or what it returned (and reported) last time for the same arguments.

        `here` are those of `args` that say where the file is for this run (its path, its shown
        path): the key leaves them out, and the stored value refers to them (a span of the file
        holds that very string, a topic that very `Path`).
        """
        positions = {id(obj): f"here{i}" for i, obj in enumerate(here)}
        key = key_of(self._fingerprint, parse.__name__, *(positions.get(id(arg)) or str(arg) for arg in args))
        self._used.add(key)
        blob = self._known.get(key)
        stored = _stored(blob, here) if isinstance(blob, bytes) else None
        if stored is not None:
            value, found = stored
        else:
            mine = Problems()
            value = parse(*args, mine)
            found = mine.items
            if self._enabled:
                blob = self._memo.new[key] = _dumps((value, found), here)
                # pickling left a UTF-8 copy inside every non-ASCII string it wrote, for the string's whole
                # life (CPython caches it there): 20 MB of a 30,000-card knowledge base. Keep what the next
                # build will read instead (the same values, without the copies).
                value, found = _loads(blob, here)
        problems.items.extend(found)
        return value  # type: ignore[no-any-return]

    def save(self) -> None:
        self._memo.save(set(self._known) - self._used)


def _by_constructor(obj: Any) -> tuple[type, tuple[Any, ...]]:
    return type(obj), tuple(getattr(obj, name) for name in _INIT_FIELDS[type(obj)])


# Slotted frozen dataclasses unpickle through a slow generic `__setstate__`; calling the constructor
# with the field values halves the time a rebuild spends reading the cache.
_REDUCERS: dict[type, Callable[[Any], tuple[type, tuple[Any, ...]]]] = {
    cls: _by_constructor for cls in (Problem, Card, Heading, Topic, Region, Example)
}
_INIT_FIELDS = {cls: tuple(f.name for f in dataclasses.fields(cls) if f.init) for cls in _REDUCERS}
"""The constructor's arguments (a cache a dataclass keeps, such as `Topic._lookup`, is no argument)."""


def _dumps(value: object, here: tuple[object, ...]) -> bytes:
    """`value` pickled with the objects of `here` as references that `_loads` replaces.

    The pickler's memo starts with them, so each is written as a memo lookup (never its text), and
    the stream starts by putting each reference, resolved by `persistent_load`, at that memo index.
    Unlike a `persistent_id` method (a Python call for every object pickled), this costs nothing per
    object.
    """
    buf = io.BytesIO()
    buf.write(_PROTO)
    for i in range(len(here)):
        pid = f"here{i}".encode()
        buf.write(_SHORT_STR + bytes([len(pid)]) + pid + _BINPERSID + _MEMOIZE + _POP)
    pickler = pickle.Pickler(buf, _PROTOCOL)
    pickler.dispatch_table = _REDUCERS
    pickler.memo = {id(obj): (i, obj) for i, obj in enumerate(here)}
    pickler.dump(value)
    return buf.getvalue()


class _Unpickler(pickle.Unpickler):
    """Resolves the references `_dumps` wrote. A method, not an attribute set on a plain unpickler:
    CPython 3.13 made that attribute read-only (every cached build then failed with a traceback)."""

    def __init__(self, blob: bytes, here: tuple[object, ...]) -> None:
        super().__init__(io.BytesIO(blob))
        self._here = here

    def persistent_load(self, pid: Any) -> object:
        return self._here[int(str(pid).removeprefix("here"))]


def _loads(blob: bytes, here: tuple[object, ...]) -> Any:
    return _Unpickler(blob, here).load()


def _stored(blob: bytes, here: tuple[object, ...]) -> tuple[Any, list[Problem]] | None:
    """What a file parsed to, as stored; None when the entry is damaged (a cache only ever saves time:
    the file is parsed again, never a traceback)."""
    try:
        value, found = _loads(blob, here)
    except Exception:  # whatever a damaged pickle raises (UnpicklingError, EOFError, IndexError…)
        return None
    return value, found


# pickle opcodes (protocol 4 and later: MEMOIZE numbers memo entries in order)
_PROTOCOL = 5
_PROTO = b"\x80\x05"
_SHORT_STR = b"\x8c"  # SHORT_BINUNICODE: one length byte, then UTF-8
_BINPERSID = b"Q"
_MEMOIZE = b"\x94"
_POP = b"0"

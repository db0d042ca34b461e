"""Stage 1 of the build: read the content tree into a `KnowledgeBase`, collecting problems.

Every file is read as UTF-8; a file that is not is reported with the position of the first bad
byte and skipped, never crashing the run. With a cache directory, what a file parses to (and the
problems it has) is remembered by a hash of its text, so a rebuild parses only edited files.
"""

from __future__ import annotations

import codecs
import dataclasses
import importlib.util
import io
import itertools
import os
import pickle
import re
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

from ..model.kb import Card, Example, Heading, KnowledgeBase, Region, Roadmap, Topic
from ..model.problems import Problem, Problems, Span
from ..support.cache import Memo, code_fingerprint, key_of
from .cards import load_text_cards, load_yaml_cards
from .chars import BAD_CHARS, report_raw
from .examples import REGION_COMMENT, example_id, load_example
from .notes import load_topic
from .roadmap import load_roadmap

SKIP_DIRS = {"__pycache__", "node_modules"}
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


def shown_path(path: Path) -> str:
    """The path as messages show it: relative to the working directory when inside it (as given when there is
    no working directory any more: a terminal left in a deleted folder)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


def read_text(path: Path, problems: Problems) -> str | None:
    """File text, or None after reporting a decoding problem."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8").replace("\r\n", "\n").removeprefix("\ufeff")
    except UnicodeDecodeError as err:
        before = data[: err.start]
        line = before.count(b"\n") + 1
        col = err.start - (before.rfind(b"\n") + 1) + 1
        encoding = next((name for bom, name in _BOMS if data.startswith(bom)), None)
        problems.error(
            Span(shown_path(path), line, col),
            "not-utf8",
            f"file is {encoding}, not UTF-8 (it starts with a {encoding} byte-order mark)"
            if encoding
            else f"file is not UTF-8 (byte 0x{data[err.start]:02x})",
            "re-save the file as UTF-8 (in most editors: save with encoding, then UTF-8)",
        )
        return None
    if BAD_CHARS.search(text) is not None:  # the shown path (two resolves) only for the message
        report_raw(text, shown_path(path), problems)
        return None
    return text


_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),  # before UTF-16's: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)
"""What Windows editors write first when told to save as "Unicode": a file that is not UTF-8 at its first byte."""


def roadmap_in(files: list[Path], root: Path, roadmap_path: Path) -> Path | None:
    """The listed file that is `roadmap.yaml`: by that name, or on a case-insensitive disk (macOS, Windows)
    by the name it was written with (`Roadmap.yaml`, which `roadmap_path.is_file()` found but the folder lists
    as written: read as no roadmap at all, the build stopped with no problem to show)."""
    top = [p for p in files if p.parent == root and p.name.lower() == "roadmap.yaml"]
    exact = next((p for p in top if p.name == "roadmap.yaml"), None)
    if exact is not None:
        return exact
    for path in top:
        try:
            if path.samefile(roadmap_path):
                return path
        except OSError:
            continue
    return None


def _content_in(folder: Path, most: int = 10_000) -> int:
    """How many files below `folder` kbdeck would read as content (notes, cards, examples), looking at
    `most` entries at most."""
    suffixes = {".md", ".yaml", ".yml", *REGION_COMMENT}
    try:
        return sum(1 for path in itertools.islice(folder.rglob("*"), most) if path.suffix in suffixes)
    except OSError:
        return 0


def _misnamed(shown: str, rel: Path, suffix: str, rule: str, problems: Problems) -> None:
    """A file written as content but not read as such, for the case of its extension (`lists.MD`) or a
    spelling kbdeck does not read (`.markdown`): said, never skipped silently (its cards would be missing)."""
    problems.error(
        Span(shown),
        "misnamed-file",
        f"`{rel.as_posix()}` is not read: {rule} (lowercase)",
        f"rename it to `{rel.with_suffix(suffix).name}`",
    )


def skipped(name: str) -> bool:
    """A file or folder name that is never content, nor holds any: hidden ones and caches."""
    return name.startswith(".") or name in SKIP_DIRS


def content_files(root: Path, linked: list[Path] | None = None) -> list[Path]:
    """Every regular file under root except hidden ones and caches, in a stable order: files reached
    through a symbolic link count, folders reached through one are not entered (as `Path.rglob`), and
    are put in `linked` when given (a build says so: their files' cards would be missing without a word).

    One `os.scandir` per folder, and skipped folders (`.git`, `node_modules`) are never entered: a
    watcher polls this, and listing a 30,000-card knowledge base with `rglob` took 37 ms a poll."""
    out: list[Path] = []
    folders = [root]
    while folders:
        folder = folders.pop()
        try:
            with os.scandir(folder) as entries:
                found = list(entries)
        except OSError:  # gone, unreadable or not a folder: nothing in it counts
            continue
        for entry in found:
            if skipped(entry.name):
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    folders.append(folder / entry.name)
                elif entry.is_file():
                    out.append(folder / entry.name)
                elif linked is not None and entry.is_symlink() and entry.is_dir():
                    linked.append(folder / entry.name)
            except OSError:  # vanished meanwhile
                continue
    out.sort()
    return out


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


def load(root: Path, problems: Problems, cache_dir: Path | None = None) -> KnowledgeBase | None:
    """Load a content directory; None only when there is no usable roadmap.

    With `cache_dir` (the build's `<out>/.cache`), unchanged files are not parsed again.
    """
    roadmap_path = root / "roadmap.yaml"
    if not roadmap_path.is_file():
        near = sorted(p.name for p in root.glob("*") if p.stem.lower() == "roadmap" and p.is_file())
        problems.error(
            Span(shown_path(roadmap_path)),
            "missing-roadmap",
            f"no roadmap.yaml in {shown_path(root)}",
            f"rename `{near[0]}` to roadmap.yaml (kbdeck reads that name only)"
            if near
            else "every content directory starts with a roadmap.yaml (`kbdeck docs` describes it; `kbdeck init` "
            "writes one)",
        )
        return None
    roadmap: Roadmap | None = None
    topics: dict[str, Topic] = {}
    cards: list[Card] = []
    examples: dict[str, Example] = {}
    readme = None
    unreadable: set[str] = set()
    parsed = ParsedFiles(cache_dir)
    shown_root = PurePosixPath(shown_path(root))  # resolved once, not per file
    linked: list[Path] = []
    files = content_files(root, linked)
    inside = root.resolve()
    for folder in sorted(linked):
        if folder.resolve().is_relative_to(inside):
            continue  # its files are read where they really are
        unread = _content_in(folder)
        if unread:  # a linked folder of images is fine: a note's image is found through the link
            problems.warning(
                Span(str(shown_root / folder.relative_to(root).as_posix())),
                "linked-folder",
                f"`{folder.relative_to(root).as_posix()}` is a link to a folder, which kbdeck does not enter: the "
                f"{unread} note, card or example file{'s' if unread > 1 else ''} in it are not read",
                "move the folder into the content folder (a link to each file inside it is read)",
            )
    roadmap_file = roadmap_in(files, root, roadmap_path)
    for path in files:
        rel = path.relative_to(root)
        shown = str(shown_root / rel.as_posix())
        here = (path, shown)  # where the file is for this run (the parse cache stores references to them)
        if rel.parts[0] == "examples":
            if path.suffix not in REGION_COMMENT:
                continue
            text = read_text(path, problems)
            if text is None:
                unreadable.add(rel.as_posix())
            else:
                ex_id = example_id(PurePosixPath(rel.relative_to("examples").as_posix()))
                examples[ex_id] = parsed.call(load_example, path, ex_id, shown, text, here=here, problems=problems)
            continue
        if rel.parts[0] == "flashcards":
            if path.suffix not in (".yaml", ".yml", ".md"):
                if path.suffix.lower() in (".yaml", ".yml", ".md", ".markdown"):
                    _misnamed(shown, rel, ".yaml", "card files end in .yaml, .yml or .md", problems)
                continue
            text = read_text(path, problems)
            if text is None:
                unreadable.add(rel.as_posix())
                continue
            topic = rel.relative_to("flashcards").with_suffix("").as_posix()
            loader = load_text_cards if path.suffix == ".md" else load_yaml_cards
            cards.extend(parsed.call(loader, text, shown, topic, here=(shown,), problems=problems))
            continue
        if path.suffix not in (".md", ".yaml", ".yml"):
            if path.suffix.lower() in (".md", ".markdown") and len(rel.parts) >= 2:
                _misnamed(shown, rel, ".md", "notes end in .md", problems)
                unreadable.add(rel.with_suffix(".md").as_posix())  # its cards and its day: the note is there
            continue
        text = read_text(path, problems)
        if text is None:
            unreadable.add(rel.as_posix())
            continue
        if path == roadmap_file:
            roadmap = parsed.call(load_roadmap, text, shown, here=(shown,), problems=problems)
        elif len(rel.parts) == 1 and rel.name.lower() == "readme.md":
            readme = path
        elif path.suffix == ".md" and len(rel.parts) == 1:
            problems.warning(
                Span(shown),
                "note-outside-area",
                f"`{rel.as_posix()}` is not in an area folder, so it is no topic and builds into nothing",
                f"move it into an area's folder (e.g. `<area>/{rel.name}`) and list it in a day of the roadmap",
            )
        elif path.suffix == ".md" and len(rel.parts) >= 2:
            topic_id = rel.with_suffix("").as_posix()
            topics[topic_id] = parsed.call(load_topic, path, topic_id, shown, text, here=here, problems=problems)
    parsed.save()
    if roadmap is None:
        return None
    return KnowledgeBase(root, roadmap, topics, tuple(cards), examples, readme, frozenset(unreadable))

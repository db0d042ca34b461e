"""Reads a kbdeck build (.apkg) before it is imported: its notes' times, fields and tags, and its bundle.

Anki's import only says what it did afterwards; the update needs to know beforehand which notes
the package carries and how new they are (to warn about notes edited in Anki), and which bundle
comes with it (decks, orphans, media clean-up). The package is a zip holding `collection.anki2`
(SQLite) and numbered media files named by the `media` JSON map; both are read with the stdlib,
the database from a temporary copy opened read-only. Also finds the newest build in a folder.
The package is untrusted like the bundle: sizes are capped and nothing in it is executed.
Stdlib only, no Anki: the tests read real builds with it.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .bundle import BUNDLE_NAME_RE, MAX_BYTES, Bundle, BundleError, parse_bundle

MAX_DB_BYTES = 1024 * 1024 * 1024
FIELD_SEPARATOR = "\x1f"


class PackageError(ValueError):
    """The file is not a kbdeck build this add-on can read; the message says why."""


@dataclass(frozen=True)
class IncomingNote:
    """A note as the package carries it."""

    mod: int
    """Modification time (epoch seconds): when its content last changed, for kbdeck builds."""
    fields: str
    """Field values joined with U+001F, as Anki stores them."""
    tags: tuple[str, ...]


@dataclass(frozen=True)
class Package:
    """What an .apkg holds that the update needs."""

    path: str
    bundle: Bundle
    """The newest kbdeck bundle in the package."""
    notes: Mapping[str, IncomingNote]
    """By note GUID."""
    media: tuple[str, ...]
    """Media file names."""

    @property
    def tag_vocabulary(self) -> frozenset[str]:
        """Every tag some note of the build carries (lower case: Anki's tags are case-insensitive)."""
        return frozenset(t.lower() for n in self.notes.values() for t in n.tags)


@dataclass(frozen=True)
class BuildFile:
    """A candidate build in the build folder, with the stat data that tells a new file from a seen one."""

    path: str
    size: int
    mtime_ns: int

    @property
    def signature(self) -> tuple[str, int, int]:
        return (self.path, self.size, self.mtime_ns)


def newest_build(folder: str | Path) -> BuildFile | None:
    """The most recently written `*.apkg` directly in `folder` (None when there is none or it is unreadable)."""
    best: BuildFile | None = None
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return None
    for entry in entries:
        if not entry.name.lower().endswith(".apkg"):
            continue
        try:
            if not entry.is_file():
                continue
            st = entry.stat()
        except OSError:
            continue
        found = BuildFile(entry.path, st.st_size, st.st_mtime_ns)
        if best is None or (found.mtime_ns, found.path) > (best.mtime_ns, best.path):
            best = found
    return best


def is_whole(path: str | Path) -> bool:
    """Whether the file reads as a whole zip (its central directory, written last, is there).

    A build that `kbdeck build` wrote is whole the moment it appears (it renames a finished file into
    place); a copy by hand is not until its last byte: such a file is looked at again later.
    """
    try:
        with zipfile.ZipFile(path):
            return True
    except (OSError, zipfile.BadZipFile):
        return False


def read_package(path: str | Path) -> Package:
    """Read the notes and the bundle of a kbdeck build (raises PackageError)."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            media = _media_map(zf, names)
            bundle = _bundle(zf, media)
            notes = _notes(zf, names)
    except (OSError, zipfile.BadZipFile, sqlite3.Error) as exc:
        raise PackageError(f"{Path(path).name}: cannot be read ({exc})") from None
    foreign = [g for g in notes if g not in bundle.guids]
    if foreign:  # importing them would overwrite notes that are not this knowledge base's
        raise PackageError(
            f"{Path(path).name}: {len(foreign)} note(s) in the package are not cards of knowledge base "
            f"{bundle.kb.id!r} (GUID {foreign[0][:20]!r}); it was not built by kbdeck from that knowledge base"
        )
    return Package(str(path), bundle, notes, tuple(sorted(media.values())))


def read_bundle(path: str | Path) -> Bundle:
    """Only the bundle of a build (cheap: the notes' database is not extracted); raises PackageError."""
    try:
        with zipfile.ZipFile(path) as zf:
            return _bundle(zf, _media_map(zf, set(zf.namelist())))
    except (OSError, zipfile.BadZipFile) as exc:
        raise PackageError(f"{Path(path).name}: cannot be read ({exc})") from None


def _media_map(zf: zipfile.ZipFile, names: set[str]) -> dict[str, str]:
    """Zip entry → media file name."""
    if "media" not in names:
        return {}
    if zf.getinfo("media").file_size > MAX_BYTES:
        raise PackageError("the media list is too large")
    try:
        raw = json.loads(zf.read("media").decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise PackageError("the media list is not JSON (a package from a newer Anki export?)") from None
    if not isinstance(raw, dict):
        raise PackageError("the media list is not an object")
    return {str(k): v for k, v in raw.items() if isinstance(v, str) and str(k) in names}


def _bundle(zf: zipfile.ZipFile, media: dict[str, str]) -> Bundle:
    found: list[Bundle] = []
    problems: list[str] = []
    for entry, name in media.items():
        if not BUNDLE_NAME_RE.match(name):
            continue
        if zf.getinfo(entry).file_size > MAX_BYTES:
            problems.append(f"{name}: too large")
            continue
        try:
            found.append(parse_bundle(zf.read(entry), name))
        except BundleError as exc:
            problems.append(str(exc))
    if not found:
        detail = f": {problems[0]}" if problems else ""
        raise PackageError(f"no valid kbdeck bundle in the package{detail} (is it a kbdeck build?)")
    return max(found, key=lambda b: b.recency)


def _notes(zf: zipfile.ZipFile, names: set[str]) -> dict[str, IncomingNote]:
    entry = next((n for n in ("collection.anki21", "collection.anki2") if n in names), None)
    if entry is None:
        raise PackageError("no collection.anki2 inside (a package exported in Anki's newest format?)")
    if zf.getinfo(entry).file_size > MAX_DB_BYTES:
        raise PackageError("the package's collection is too large")
    with tempfile.TemporaryDirectory(prefix="kbdeck-apkg-") as tmp:
        db_path = Path(tmp) / "collection.sqlite"
        with zf.open(entry) as src, db_path.open("wb") as dst:
            shutil.copyfileobj(src, dst, 1024 * 1024)
        conn = sqlite3.connect(f"{db_path.as_uri()}?mode=ro", uri=True)
        try:
            rows = conn.execute("select guid, mod, flds, tags from notes").fetchall()
        finally:
            conn.close()
    notes: dict[str, IncomingNote] = {}
    for guid, mod, flds, tags in rows:
        if isinstance(guid, str) and isinstance(mod, int):
            notes[guid] = IncomingNote(mod, str(flds or ""), tuple(str(tags or "").split()))
    return notes

"""The previous build's collection, kept in the build cache so the next package copies what did not change.

A rebuild that changes a few notes still writes a whole package (Anki imports one file), and every
unchanged note's fields are already in the collection the previous build wrote. So that collection is
kept (`.cache/collection.anki2`, the package's size again on disk) with one more table, `kbdeck_rows`:
which note row each GUID went to and the content hash and section digest it was written from. The next
package writes its rows in its own order, ids and modification times as always; a note whose GUID, hash
and section digest match a kept row takes its fields from that row instead of from Python (and a note
known only from the note memo, `render/recipes.py`, never has to render them). The rows are the same,
so the bytes are the same as a full write's (`tests/core/test_kept_collection.py`).

The kept file is used only while it is exactly as kbdeck left it (size, modification time and inode,
as `package.is_current` judges the package); anything else, or any SQLite error while copying, falls
back to the full write. Once its rows are copied it is done with: the package is written over it
(`hand_over`, `recycle.py`), and the new collection is kept in its place.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from ..support.files import file_state
from . import recycle

KEPT_NAME = "collection.anki2"
RECORD_NAME = "collection.json"
FORMAT = "kbdeck-kept-1"
"""The layout of `kbdeck_rows`; another value in the record means the file is not used."""

Row = tuple[str, int, str, str]
"""(GUID, note id, content hash, section digest) of one note row of a written collection."""


def usable(cache: Path) -> Path | None:
    """The kept collection, if it is there and untouched since kbdeck kept it."""
    path = cache / KEPT_NAME
    try:
        seen = json.loads((cache / RECORD_NAME).read_text(encoding="utf-8"))
        if seen["format"] == FORMAT and seen["file"] == file_state(path):
            return path
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        pass
    return None


def keep(db_path: Path, cache: Path, rows: Iterable[Row] | Path) -> None:
    """Keep the collection just written to `db_path` (already copied into the package) for the next build,
    with its rows: given, or the scratch database whose `plan` table planned them (`package.py`).

    Failing to keep it only costs the next build time: it then writes the whole collection."""
    forget(cache)  # the record first: a half-kept file is never taken for the previous one
    try:
        conn = sqlite3.connect(db_path)
        try:
            conn.execute("PRAGMA journal_mode = OFF")
            conn.execute("PRAGMA synchronous = OFF")
            if isinstance(rows, Path):
                conn.execute("ATTACH DATABASE ? AS work", (str(rows),))
            with conn:
                # the GUID index made last, sorted once (`collection.index` says why); a GUID twice fails it: not kept
                conn.execute("CREATE TABLE kbdeck_rows (guid TEXT NOT NULL, nid INTEGER, hash TEXT, section TEXT)")
                if isinstance(rows, Path):
                    conn.execute("INSERT INTO kbdeck_rows SELECT guid, nid, hash, section FROM work.plan")
                else:
                    conn.executemany("INSERT INTO kbdeck_rows VALUES (?, ?, ?, ?)", rows)
                conn.execute("CREATE UNIQUE INDEX kbdeck_rows_guid ON kbdeck_rows (guid)")
        finally:
            conn.close()
        cache.mkdir(parents=True, exist_ok=True)
        path = cache / KEPT_NAME
        db_path.replace(path)
        state = {"format": FORMAT, "file": file_state(path)}
        (cache / RECORD_NAME).write_text(json.dumps(state) + "\n", encoding="utf-8")
    except (OSError, sqlite3.Error):
        forget(cache)


def hand_over(cache: Path, folder: Path) -> int | None:
    """Once its rows are copied: the kept collection stops being kept (its record goes first, so it is never
    trusted again), and is opened for the package to be written over it (`recycle.take`), or deleted.

    Deleted now, not when the new collection is kept, so that a package that cannot be written over it is
    at least written into the pages it frees (an edit's package at 30,000 cards: 0.86-1.04 s instead of
    1.01-1.40 s)."""
    with contextlib.suppress(OSError):
        (cache / RECORD_NAME).unlink(missing_ok=True)
    fd = recycle.take(cache / KEPT_NAME, folder)
    if fd is None:
        forget(cache)
    return fd


def forget(cache: Path) -> None:
    """Drop the kept collection and its record (a build that cannot trust it, or cannot replace it)."""
    for name in (RECORD_NAME, KEPT_NAME):
        with contextlib.suppress(OSError):
            (cache / name).unlink(missing_ok=True)

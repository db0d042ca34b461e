"""The fields of notes that do not hold them, kept for the package in a scratch SQLite file (`staged.sqlite`).

A deck too large to hold as HTML renders its notes a chunk at a time, and each lets go of its fields
(`notes.py`). The package then needed them again, and rendered every one a second time: at 300,000 cards
the fragments read back from the store once more and the notes assembled again, in a package step of
13.6 s that now takes 6.4 s (staging costs the rendering 2.5 s). Each
chunk's fields now go, as the collection's `flds` and `sfld` columns, into a table the package copies in
one `INSERT … SELECT` (`apkg/package.py`), with no Python between the two files.

The file lives in the build cache for one build only: made anew by the build that stages (a killed build's
is removed by the next one, `staging`), deleted when it ends. It is only ever time: a note whose row is
missing, or a file that cannot be written or read, is rendered again as before.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

STAGED_NAME = "staged.sqlite"
TABLE = "notes"
"""`notes (id, flds, sfld)`: named and laid out as the collection's columns it fills (`package.notes_from_plan`)."""


class Staged:
    """A build's staged fields: `put` gives a note its row id; rows reach the file at each `flush`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.ok = True
        """False once the file failed to take a chunk: nothing staged is used then (the package renders again)."""
        self.used = False
        self._rows: list[tuple[int, str, bytes]] = []
        self._next = 1
        self._conn: sqlite3.Connection | None = None

    def put(self, flds: str, sfld: bytes) -> int | None:
        """Stage one note's columns (`note_columns`; written at the next `flush`): its row id, or None when
        staging failed."""
        if not self.ok:
            return None
        row = self._next
        self._next += 1
        self._rows.append((row, flds, sfld))
        return row

    def flush(self) -> None:
        """Write the rows put since the last flush (one transaction)."""
        rows, self._rows = self._rows, []
        if not rows or not self.ok:
            return
        try:
            conn = self._conn or self._open()
            with conn:
                conn.executemany(f"INSERT INTO {TABLE} VALUES (?, ?, CAST(? AS TEXT))", rows)
            self.used = True
        except (sqlite3.Error, OSError):
            self.ok = False
            self.close()

    def close(self) -> None:
        """Let go of the file's connection (rows put and not flushed are not written)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def usable(self) -> Path | None:
        """The file, once every row put is in it; None when nothing was staged or staging failed."""
        self.flush()
        self.close()
        return self.path if self.ok and self.used else None

    def _open(self) -> sqlite3.Connection:
        """The file, made anew: `staging` removed whatever was there before the build began."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path)
        try:
            # a scratch file: no journal and no fsync; the collection's page size, whose pages it fills
            conn.execute("PRAGMA journal_mode = OFF")
            conn.execute("PRAGMA synchronous = OFF")
            conn.execute("PRAGMA page_size = 16384")
            conn.execute(f"CREATE TABLE {TABLE} (id INTEGER PRIMARY KEY, flds TEXT NOT NULL, sfld NOT NULL)")
        except sqlite3.Error:
            conn.close()
            raise
        self._conn = conn
        return conn


def discard(path: Path) -> None:
    """Delete a staged file (and a journal SQLite may have left beside it)."""
    for name in (path, path.with_name(path.name + "-journal")):
        with contextlib.suppress(OSError):
            name.unlink(missing_ok=True)


@contextlib.contextmanager
def staging(cache: Path | None) -> Iterator[Staged | None]:
    """A build's staged fields, in `cache` (None without a cache); whatever a killed build left there goes first,
    and the file goes when the build ends, however it ends."""
    if cache is None:
        yield None
        return
    path = cache / STAGED_NAME
    discard(path)
    staged = Staged(path)
    try:
        yield staged
    finally:
        staged.close()
        discard(path)

"""The build cache in `<out>/.cache/cache.sqlite`: memos of pure, costly steps, keyed by content hash.

A memo's key hashes everything its value depends on: the input itself, kbdeck's version and
source files, and the versions of the libraries and of Python that shape the result. A stale
entry can therefore never be hit, and losing the file (or a broken one) only costs time. Each
memo is one table of `key → value` (text or bytes), read whole at the start of a build and
updated with what changed at the end.

A table's key index is made by the first read or save that needs it, not with the table: what a cold
build adds in chunks (`Memo.add`: the fragments its workers render, the notes' digests) goes in as
appended rows, and the index is then sorted once. Kept up to date from the first row, it took every
chunk's keys, digests falling all over it, and a 300,000-card cold build rewrote and journalled most
of it on each of its hundreds of chunks: 10 GB written for a 1.5 GB file.
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
import sys
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import cast

CACHE_FILE = "cache.sqlite"
IN_CHUNK = 500
"""Keys per `Memo.get_texts` query (SQLite allows 32,766 parameters; smaller queries read as fast)."""

Value = str | bytes

READ_CACHE_KIB = 65_536
"""SQLite's page cache for reads by key (`Memo.get_texts`), which SQLite fills only as far as they need.
Keys are digests: each of a read's 500 keys is on another page of the key index, and with SQLite's
default 2 MB the index pages of a 300,000-card store (46 MB) were read again for nearly every key (550,000
reads of 64 KiB pages for 600,000 fragments: 3.8 s, 1.9 s with the index held)."""

UNFINGERPRINTED = "k"
"""The name suffix of a memo's table that carries no fingerprint (its keys do). Tables of the layout before
(`parsed`, the key its primary key) are dropped as another version's (`Memo._drop_others`)."""


@lru_cache(maxsize=1)
def _source_digest() -> str:
    """Hash of kbdeck's own modules, so that editing the code (an editable install) invalidates too."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent.parent  # src/kbdeck: every stage's modules
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def code_fingerprint(*libraries: str) -> str:
    """kbdeck's version and source, Python's version, and the given library versions, as one hash."""
    from .. import __version__  # looked up on each call, never frozen at import

    parts = [__version__, _source_digest(), sys.version, *libraries]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def key_of(fingerprint: str, *parts: str) -> str:
    """The cache key of an input (`parts`) under a fingerprint."""
    return hashlib.sha256("\0".join((fingerprint, *parts)).encode()).hexdigest()


_DIGESTS: dict[str, str] = {}


def text_key(kind: str, *parts: str) -> str:
    """The key of card and note texts in a memo whose table carries the fingerprint (`Memo`).

    Each part is hashed once per build, however many memos ask (the checker and the renderer look
    up the same 60,000 texts of a 30,000-card knowledge base; the digests live until
    `forget_texts`), and the key is the digests themselves: no second hash per lookup.
    """
    return ":".join((kind, *map(text_digest, parts)))


def text_digest(text: str) -> str:
    """sha256 of `text` (hex), remembered until `forget_texts`: a text asked for again (the same string
    object, as when many notes share one section) is found by identity, not hashed again."""
    digest = _DIGESTS.get(text)
    if digest is None:
        digest = _DIGESTS[text] = hashlib.sha256(text.encode()).hexdigest()
    return digest


def forget_texts() -> None:
    """Drop the digests `text_key` remembered (at the end of a build)."""
    _DIGESTS.clear()


class Memo:
    """One table of the cache file. A missing or broken file reads as empty and is rebuilt on save."""

    def __init__(self, cache_dir: Path | None, table: str, fingerprint: str = "") -> None:
        self.path = cache_dir / CACHE_FILE if cache_dir is not None else None
        self.base = table
        self.table = f"{table}_{fingerprint[:24] or UNFINGERPRINTED}"
        """With a fingerprint, the table is named after it: another kbdeck or library version reads
        an empty table (and its first save drops the tables of the other versions)."""
        self.key_index = f"{self.table}_key"
        """The table's unique index on its keys, once a read or save has made it (`_keyed`)."""
        self.new: dict[str, Value] = {}
        """Entries added since the last save."""
        self._reader: sqlite3.Connection | None = None
        self._reader_keyed = False

    def get_text(self, key: str) -> str | None:
        """One entry whose value is text (None when there is none): for a build that needs a few of a
        large table's entries, not all of them (`load_texts`)."""
        return self.get_texts([key]).get(key)

    def get_texts(self, keys: list[str]) -> dict[str, str]:
        """The entries of `keys` whose value is text, in queries of `IN_CHUNK` keys: SQLite looks them up
        in key order, so neighbours share the pages it reads (one query per key cost a 300,000-card
        rebuild 3 s for its 10,000 topic notes' fragments, with the file's 64 KiB pages)."""
        if self.path is None or not keys:
            return {}
        try:
            reader = self._reading()
            if reader is None:
                return {}
            if not self._reader_keyed:
                self._keyed(reader)
                self._reader_keyed = True
            return self._texts_where(reader, "key", keys)
        except sqlite3.Error:
            return {}

    def _texts_where(self, reader: sqlite3.Connection, column: str, values: list[str] | list[int]) -> dict[str, str]:
        """The entries whose `column` (the key, or the rowid) is one of `values` and whose value is text, in
        queries of `IN_CHUNK` values."""
        found: dict[str, str] = {}
        for i in range(0, len(values), IN_CHUNK):
            chunk = values[i : i + IN_CHUNK]
            marks = ",".join("?" * len(chunk))
            query = f"SELECT key, value FROM {self.table} WHERE {column} IN ({marks}) AND typeof(value) = 'text'"
            found.update(reader.execute(query, chunk))
        return found

    def rows(self, after: int, last: int, keys: list[str]) -> dict[str, str]:
        """The entries of `keys` among the rows `append` reported, `after` < rowid <= `last`, whose value is text,
        without the key index (which `get_texts` would make: see the module's docstring). The range is scanned
        once for its keys, then the values wanted are read by rowid (a key test in the scan itself would scan the
        range again for every `IN_CHUNK` keys)."""
        if self.path is None or not keys:
            return {}
        try:
            reader = self._reading()
            if reader is None:
                return {}
            wanted = set(keys)
            scan = f"SELECT rowid, key FROM {self.table} WHERE rowid > ? AND rowid <= ?"
            ids = [rowid for rowid, key in reader.execute(scan, (after, last)) if key in wanted]
            return self._texts_where(reader, "rowid", ids)
        except sqlite3.Error:
            return {}

    def has_key_index(self) -> bool:
        """Whether the table has its key index already (reading by key then makes nothing)."""
        try:
            reader = self._reading()
            return reader is not None and self._has_key_index(reader)
        except sqlite3.Error:
            return False

    def index(self) -> None:
        """Make the table's key index now, if it has none (a store read back by rows, `rows`): the next build's
        first read by key would make it otherwise (at 300,000 cards, 3 s of a no-op rebuild)."""
        if self.path is None or not self.path.is_file():
            return
        self.close()
        try:
            conn = self._connect()
            try:
                self._keyed(conn)
            finally:
                conn.close()
        except sqlite3.Error:
            pass

    def _reading(self) -> sqlite3.Connection | None:
        """The connection reads go through (None without a file), with its page cache for reads by key."""
        if self._reader is None:
            if self.path is None or not self.path.is_file():
                return None
            self._reader = self._connect()
            self._reader.execute(f"PRAGMA cache_size = -{READ_CACHE_KIB}")
            self._reader_keyed = False
        return self._reader

    def count(self) -> int:
        """How many entries the table holds (0 when it cannot be read)."""
        if self.path is None or not self.path.is_file():
            return 0
        try:
            conn = self._reader or self._connect()
            try:
                return int(conn.execute(f"SELECT count(*) FROM {self.table}").fetchone()[0])
            finally:
                if conn is not self._reader:
                    conn.close()
        except sqlite3.Error:
            return 0

    def close(self) -> None:
        """Let go of the connection `get_text` reads through (`save` does too)."""
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    def load(self) -> dict[str, Value]:
        """Every entry of the table."""
        return self._select(f"SELECT key, value FROM {self.table}")

    def load_texts(self) -> dict[str, str]:
        """Every entry whose value is text: a memo of texts skips anything else a damaged file holds, in
        SQLite (filtering in Python made a second dict of 600,000 entries at 300,000 cards)."""
        return cast(dict[str, str], self._select(f"SELECT key, value FROM {self.table} WHERE typeof(value) = 'text'"))

    def _select(self, query: str) -> dict[str, Value]:
        if self.path is None or not self.path.is_file():
            return {}
        try:
            conn = self._connect()
            try:
                return dict(conn.execute(query))
            finally:
                conn.close()
        except sqlite3.Error:
            return {}

    def save(self, stale: Iterable[str] = (), keep: set[str] | None = None) -> None:
        """Write the new entries and drop the `stale` ones; with `keep`, drop every entry neither in it nor
        new (in SQLite: the caller never had to read the whole table to know what else it holds)."""
        self.close()
        gone = [(k,) for k in stale]
        if self.path is None or (not self.new and not gone and keep is None):
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._write(gone, keep)
        except sqlite3.Error:  # a broken file: start it again
            self.path.unlink(missing_ok=True)
            try:
                self._write([], None)
            except sqlite3.Error:  # a full or failing disk: the cache is only ever time, keep none
                with contextlib.suppress(OSError):
                    self.path.unlink(missing_ok=True)
        self.new = {}

    def add(self, entries: dict[str, Value]) -> bool:
        """Write `entries` at once, not kept in `new` (what a build cannot hold until its end); False when
        the file cannot take them (the caller keeps them, and `save` starts a broken file again)."""
        if self.path is None:
            return False
        return not entries or self.append(entries) is not None

    def append(self, entries: dict[str, Value]) -> tuple[int, int] | None:
        """`add`, saying where the rows went: (after, last), the rows with `after` < rowid <= `last` (`rows` reads
        them back without the key index); None when the file cannot take them. One transaction, begun before the
        table's last rowid is read, so no other process's rows fall between."""
        if self.path is None:
            return None
        self.close()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = self._connect()
            try:
                conn.isolation_level = None  # the transaction is ours to begin and end
                conn.execute("BEGIN IMMEDIATE")
                try:
                    last = f"SELECT coalesce(max(rowid), 0) FROM {self.table}"
                    after = int(conn.execute(last).fetchone()[0])
                    # appended while the table has no key index yet (a later read or save makes it)
                    self._insert(conn, entries, in_key_order=self._has_key_index(conn))
                    self._drop_others(conn)  # as `save` does: entries written only here are a version's too
                    end = int(conn.execute(last).fetchone()[0])
                    conn.execute("COMMIT")
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
            finally:
                conn.close()
        except (sqlite3.Error, OSError):
            return None
        return after, end

    def _write(self, gone: list[tuple[str]], keep: set[str] | None) -> None:
        conn = self._connect()
        try:
            self._keyed(conn)
            with conn:  # one transaction
                if keep is not None:
                    conn.execute("CREATE TEMP TABLE keep (key TEXT PRIMARY KEY)")
                    conn.executemany("INSERT OR IGNORE INTO temp.keep VALUES (?)", ((k,) for k in sorted(keep)))
                    conn.execute(f"DELETE FROM {self.table} WHERE key NOT IN (SELECT key FROM temp.keep)")
                self._insert(conn, self.new, in_key_order=True)
                conn.executemany(f"DELETE FROM {self.table} WHERE key = ?", gone)
                self._drop_others(conn)
        finally:
            conn.close()

    def _drop_others(self, conn: sqlite3.Connection) -> None:
        """Drop this table's versions for other fingerprints: another kbdeck's entries are never read again."""
        pattern = self.base.replace("_", "\\_") + "\\_%"
        others = conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND (name LIKE ? ESCAPE '\\' OR name = ?) AND name != ?",
            (pattern, self.base, self.table),
        ).fetchall()
        for (name,) in others:
            conn.execute(f'DROP TABLE "{name}"')

    def _has_key_index(self, conn: sqlite3.Connection) -> bool:
        query = "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?"
        return conn.execute(query, (self.key_index,)).fetchone() is not None

    def _insert(self, conn: sqlite3.Connection, entries: dict[str, Value], in_key_order: bool) -> None:
        # text goes in as UTF-8 bytes: binding a str makes sqlite3 keep a UTF-8 copy inside that str
        # object for its whole life, which doubles the memory of every cached fragment. Into the key
        # index, in key order: it then grows at its end (a cold 30,000-card build wrote its 60,000
        # fragments in 0.46 s in the order they were made, 0.37 s sorted; its checked texts 0.31 → 0.24 s).
        # Appended with no index, in the order given, which is the order they will be asked for: a chunk of
        # notes then reads its fragments from a few neighbouring pages (a cold 300,000-card build sorted
        # each chunk of 5,000 by key, and each of its 2,400 reads of 500 keys took them from 150 pages of
        # 64 KiB, where SQLite's cache holds 32: 10 s of its packaging, half of it copying pages)
        items = sorted(entries.items()) if in_key_order else list(entries.items())
        texts = ((k, v.encode()) for k, v in items if isinstance(v, str))
        conn.executemany(f"INSERT OR REPLACE INTO {self.table} VALUES (?, CAST(? AS TEXT))", texts)
        blobs = ((k, v) for k, v in items if isinstance(v, bytes))
        conn.executemany(f"INSERT OR REPLACE INTO {self.table} VALUES (?, ?)", blobs)

    def _connect(self) -> sqlite3.Connection:
        assert self.path is not None
        conn = sqlite3.connect(self.path, timeout=30)
        conn.execute("PRAGMA synchronous = OFF")  # a cache: losing the last write only costs time
        conn.execute("PRAGMA page_size = 65536")  # a new file's pages (a 30,000-card cache is 250 MB)
        conn.execute(f"CREATE TABLE IF NOT EXISTS {self.table} (key TEXT NOT NULL, value NOT NULL)")
        return conn

    def _keyed(self, conn: sqlite3.Connection) -> None:
        """Give the table its key index if it has none yet (see the module's docstring), which makes `INSERT OR
        REPLACE` replace. Rows appended before it came may hold a key twice (a build killed after its workers
        stored fragments, before it read them): the newest row of each key stays, as a replace would leave."""
        index = f"CREATE UNIQUE INDEX IF NOT EXISTS {self.key_index} ON {self.table} (key)"
        try:
            conn.execute(index)
        except sqlite3.IntegrityError:
            with conn:
                conn.execute(
                    f"DELETE FROM {self.table} WHERE rowid NOT IN (SELECT max(rowid) FROM {self.table} GROUP BY key)"
                )
            conn.execute(index)

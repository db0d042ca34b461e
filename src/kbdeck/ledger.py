"""The build ledger: when each note's rendered content last changed.

Anki updates an existing note on re-import only when the incoming modification time is newer.
Stamping every note with the build time (what other tools do) overwrites Anki-side tags such as
`leech`/`marked` on every rebuild; stamping it with the time its content last changed updates
edited notes only. The ledger (`content/.kbdeck-ledger.json`, committed with the content) keeps
those times, so a fresh clone and CI produce the same bytes, and records which ids the previous
build had, for the change report.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

LEDGER_NAME = ".kbdeck-ledger.json"
SCHEMA = 1


@dataclass(slots=True)
class Entry:
    """One note in the ledger."""

    hash: str
    """content_hash of the note when it last changed."""
    changed_at: int
    """Epoch seconds of that change; becomes the note's mtime."""
    topic: str
    """Topic id at that build (for reports about removed cards)."""


@dataclass
class Ledger:
    """The whole ledger file."""

    kb: str
    generation: int = 0
    """Build generation: grows by one for every build that changed anything."""
    notes: dict[str, Entry] = field(default_factory=dict)
    """By card id."""
    stamps: dict[str, Entry] = field(default_factory=dict)
    """Other stamped things (note types' templates/CSS, the bundle)."""

    @property
    def latest(self) -> int:
        return max((e.changed_at for e in (*self.notes.values(), *self.stamps.values())), default=0)


def ledger_path(content: Path) -> Path:
    return content / LEDGER_NAME


def read_ledger(path: Path, kb: str) -> Ledger:
    """The ledger, or an empty one when missing or unreadable (the first build then stamps everything)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if raw.get("schema") != SCHEMA or raw.get("kb") != kb:
            return Ledger(kb)
        return Ledger(
            kb,
            int(raw.get("generation", 0)),
            {k: Entry(**v) for k, v in raw.get("notes", {}).items()},
            {k: Entry(**v) for k, v in raw.get("stamps", {}).items()},
        )
    except (OSError, ValueError, TypeError):
        return Ledger(kb)


def ledger_text(ledger: Ledger) -> str:
    """The file's text: `json.dumps(indent=1, sort_keys=True, ensure_ascii=False)` of the ledger.

    Written out by hand because `json.dumps` with `indent` runs in pure Python (seconds for tens of
    thousands of notes); a test keeps the two byte-identical.
    """

    def entries(items: dict[str, Entry]) -> str:
        if not items:
            return "{}"
        body = ",\n".join(
            f'  {_str(k)}: {{\n   "changed_at": {e.changed_at},\n   "hash": {_str(e.hash)},\n'
            f'   "topic": {_str(e.topic)}\n  }}'
            for k, e in sorted(items.items())
        )
        return f"{{\n{body}\n }}"

    return (
        f'{{\n "generation": {ledger.generation},\n "kb": {_str(ledger.kb)},\n "notes": {entries(ledger.notes)},\n'
        f' "schema": {SCHEMA},\n "stamps": {entries(ledger.stamps)}\n}}\n'
    )


_str = json.encoder.encode_basestring  # json's own string encoder (ensure_ascii=False), in C


def write_ledger(path: Path, ledger: Ledger) -> None:
    text = ledger_text(ledger)
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def now_for(ledger: Ledger) -> int:
    """Time to stamp changes with: wall clock (or SOURCE_DATE_EPOCH), strictly after every earlier stamp."""
    wall = int(os.environ.get("SOURCE_DATE_EPOCH") or time.time())
    return max(wall, ledger.latest + 1)


@dataclass(frozen=True)
class Changes:
    """What a build changes against the previous one (from the ledger)."""

    new: tuple[str, ...]
    changed: tuple[str, ...]
    unchanged: tuple[str, ...]
    removed: tuple[tuple[str, str], ...]
    """(card id, topic) of ids the previous build had and this one lacks."""

    @property
    def any(self) -> bool:
        return bool(self.new or self.changed or self.removed)


def update(ledger: Ledger, hashes: dict[str, tuple[str, str]], stamps: dict[str, str]) -> tuple[Ledger, Changes]:
    """A new ledger for notes `{card id: (hash, topic)}` and other stamped things `{name: hash}`."""
    now = now_for(ledger)
    new, changed, unchanged = [], [], []
    notes: dict[str, Entry] = {}
    for card_id, (digest, topic) in hashes.items():
        old = ledger.notes.get(card_id)
        if old is None:
            new.append(card_id)
            notes[card_id] = Entry(digest, now, topic)
        elif old.hash != digest:
            changed.append(card_id)
            notes[card_id] = Entry(digest, now, topic)
        else:
            unchanged.append(card_id)
            notes[card_id] = Entry(old.hash, old.changed_at, topic)
    removed = tuple(sorted((k, e.topic) for k, e in ledger.notes.items() if k not in hashes))
    stamped: dict[str, Entry] = {}
    stamps_changed = False
    for name, digest in stamps.items():
        old = ledger.stamps.get(name)
        if old is not None and old.hash == digest:
            stamped[name] = old
        else:
            stamped[name] = Entry(digest, now, "")
            stamps_changed = True
    changes = Changes(tuple(new), tuple(changed), tuple(unchanged), removed)
    generation = ledger.generation + (1 if changes.any or stamps_changed or not ledger.generation else 0)
    return Ledger(ledger.kb, generation, notes, stamped), changes

"""A lost build ledger, recovered from the package the previous build left.

Without its ledger a build would take every note for new: each gets today's date, so a plain import
updates all of them and Anki drops every note's Anki-side tags (`marked`, `leech`), and the build
generation starts again at 1, below the bundles the add-on already holds. The ledger goes missing by
accident (deleted, never committed, `kbdeck ledger --rebuild` with nothing readable in it), while the
previous package usually sits in the output folder: its bundle names each card's note (GUID) and the
digest of its fields, its collection each note's modification time. A note whose fields have the same
digest now is unchanged since that build and keeps that time, so the package comes out as the
previous one would have, note for note.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .ledger import Entry, Ledger

COLLECTIONS = ("collection.anki21", "collection.anki2")
MAX_COLLECTION_BYTES = 8 * 1024 * 1024 * 1024
"""A collection larger than this is not unpacked (a 300,000-card one is about 1.3 GB)."""
MAX_BUNDLE_BYTES = 512 * 1024 * 1024
"""A bundle larger than this is not read (a 300,000-card bundle is about 60 MB)."""


Note = tuple[str, str, str, str, str]
"""(card id, content hash, topic, kind, section digest) of one note of this build."""


@dataclass(frozen=True)
class PreviousCard:
    """What the previous package says of one card's note."""

    guid: str
    fields: str
    """The bundle's digest of the note's fields (`contract.fields_digest`)."""
    topic: str
    changed_at: int
    """The note's modification time in that package (epoch seconds)."""


@dataclass(frozen=True)
class PreviousBuild:
    """The previous package's generation and cards."""

    path: Path
    generation: int
    cards: dict[str, PreviousCard]


def previous_build(apkg: Path, kb_id: str) -> PreviousBuild | None:
    """What the package at `apkg` says of the build that wrote it, if kbdeck wrote it for `kb_id`; None
    for anything else (no file, another tool's package, a damaged one): then there is nothing to recover."""
    try:
        with zipfile.ZipFile(apkg) as zf:
            bundle = _bundle(zf, kb_id)
            if bundle is None:
                return None
            mods = _mods(zf)
    except (OSError, zipfile.BadZipFile, sqlite3.Error, ValueError, KeyError, TypeError):
        return None
    try:
        generation = int(bundle["build"]["generation"])
        cards = {
            str(card_id): PreviousCard(
                str(card["guid"]), str(card["fields"]), str(card.get("topic", "")), mods[str(card["guid"])]
            )
            for card_id, card in bundle["cards"].items()
            if str(card.get("guid", "")) in mods
        }
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    return PreviousBuild(apkg, generation, cards)


def _bundle(zf: zipfile.ZipFile, kb_id: str) -> dict[str, Any] | None:
    """The package's bundle for `kb_id` (the newest generation, if it holds several)."""
    media = json.loads(zf.read("media"))
    prefix = f"_kbdeck-{kb_id}-bundle-"
    found: list[dict[str, Any]] = []
    for entry, name in media.items():
        if isinstance(name, str) and name.startswith(prefix) and name.endswith(".json"):
            if zf.getinfo(entry).file_size > MAX_BUNDLE_BYTES:
                continue
            data = json.loads(zf.read(entry))
            if isinstance(data, dict) and isinstance(data.get("kb"), dict) and data["kb"].get("id") == kb_id:
                found.append(data)
    if not found:
        return None
    return max(found, key=lambda b: int(b["build"]["generation"]))


def _mods(zf: zipfile.ZipFile) -> dict[str, int]:
    """GUID → modification time of every note of the package's collection."""
    entry = next((name for name in COLLECTIONS if name in zf.namelist()), None)
    if entry is None or zf.getinfo(entry).file_size > MAX_COLLECTION_BYTES:
        raise ValueError("no collection in the package that can be read")
    with tempfile.TemporaryDirectory(prefix="kbdeck-recover-") as tmp:
        path = Path(tmp) / "collection.anki2"
        with zf.open(entry) as src, path.open("wb") as dst:
            while chunk := src.read(1 << 20):
                dst.write(chunk)
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return {str(guid): int(mod) for guid, mod in con.execute("SELECT guid, mod FROM notes")}
        finally:
            con.close()


def seed(ledger: Ledger, previous: PreviousBuild, notes: list[Note], digests: dict[str, str]) -> int:
    """Put the previous build's notes into an empty `ledger`: a note whose fields have the digest they had
    there keeps its time (unchanged), any other note of that build is there with no hash (changed, or
    removed when this build lacks it), and the generation goes on from that build's. Returns how many
    notes kept their time. `notes` are this build's (card id, content hash, topic, kind, section)."""
    kept = 0
    now = set()
    for card_id, content_hash, topic, kind, section in notes:
        now.add(card_id)
        card = previous.cards.get(card_id)
        if card is None:
            continue
        if digests.get(card_id) == card.fields:
            ledger.notes[card_id] = Entry(content_hash, card.changed_at, topic, kind, section)
            kept += 1
        else:
            ledger.notes[card_id] = Entry("", card.changed_at, card.topic, kind)
    for card_id, card in previous.cards.items():
        if card_id not in now:
            ledger.notes[card_id] = Entry("", card.changed_at, card.topic)
    ledger.generation = max(ledger.generation, previous.generation)
    return kept

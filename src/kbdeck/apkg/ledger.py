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
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..support.files import write_if_changed
from ..support.jsonfile import conflict_line, error_place

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
    kind: str = ""
    """`basic` or `cloze`: the Anki note type it was built as (empty for stamps and for ledgers
    written before kbdeck recorded it). Anki cannot change a note's type on import."""
    section: str = ""
    """Digest of the note section the note carries (not part of `hash`: a section edit is reported
    apart and never re-stamps the note)."""

    def as_json(self) -> dict[str, object]:
        out: dict[str, object] = {"changed_at": self.changed_at, "hash": self.hash, "topic": self.topic}
        if self.kind:
            out["kind"] = self.kind
        if self.section:
            out["section"] = self.section
        return out


@dataclass
class Ledger:
    """The whole ledger file."""

    kb: str
    generation: int = 0
    """Build generation: grows by one for every build that changed anything; never goes back."""
    notes: dict[str, Entry] = field(default_factory=dict)
    """By card id."""
    stamps: dict[str, Entry] = field(default_factory=dict)
    """Other stamped things (note types' templates/CSS, the bundle)."""
    removed: dict[str, Entry] = field(default_factory=dict)
    """Tombstones, by card id: what a removed card was and when it last changed, so that a card
    that comes back unchanged (a branch switch, a half-saved file, a card commented out for a
    build) keeps its time and Anki leaves its note, and its tags, alone."""

    @property
    def latest(self) -> int:
        return max(
            (e.changed_at for e in (*self.notes.values(), *self.stamps.values(), *self.removed.values())), default=0
        )


class LedgerError(Exception):
    """The ledger exists but cannot be used; the message says what is wrong with it, `at` where (line, column)."""

    def __init__(self, message: str, at: tuple[int, int] = (1, 1)) -> None:
        super().__init__(message)
        self.at = at


class LedgerOfAnotherKnowledgeBase(LedgerError):
    """The ledger was written for another knowledge base id."""

    def __init__(self, ledger_kb: str, roadmap_kb: str) -> None:
        super().__init__(f"belongs to knowledge base `{ledger_kb}`, but roadmap.yaml says `id: {roadmap_kb}`")
        self.ledger_kb = ledger_kb


def ledger_path(content: Path) -> Path:
    return content / LEDGER_NAME


MAX_TIME = 2**40
"""Stamps beyond this (year 36812) are damage, not times."""


def _entries(raw: object, what: str) -> dict[str, Entry]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise LedgerError(f"has a `{what}` that is not a mapping")
    out: dict[str, Entry] = {}
    words: dict[str, str] = {}  # one string per topic and kind, not one per entry (300,000 entries: 40 MB)
    for key, value in raw.items():
        if not (
            isinstance(value, dict)
            and isinstance(value.get("hash"), str)
            and type(value.get("changed_at")) is int
            and 0 <= value["changed_at"] < MAX_TIME
            and isinstance(value.get("topic"), str)
            and isinstance(value.get("kind", ""), str)
            and isinstance(value.get("section", ""), str)
        ):
            raise LedgerError(f"has a damaged entry `{key}` in `{what}`")
        topic, kind = value["topic"], value.get("kind", "")
        topic, kind = words.setdefault(topic, topic), words.setdefault(kind, kind)
        out[key] = Entry(value["hash"], value["changed_at"], topic, kind, value.get("section", ""))
    return out


def parse_ledger(text: str) -> Ledger:
    """A ledger from its file's text; `LedgerError` says what is wrong."""
    conflict = conflict_line(text)
    if conflict is not None:
        raise LedgerError("has unresolved merge conflict markers (<<<<<<< … >>>>>>>)", (conflict, 1))
    try:
        raw = json.loads(text)
    except (ValueError, RecursionError) as exc:  # RecursionError: `[[[[…` nested thousands deep
        raise LedgerError(f"is not valid JSON ({str(exc)[:120]})", error_place(exc)) from exc
    if not isinstance(raw, dict):
        raise LedgerError("is not a JSON object")
    if raw.get("schema") != SCHEMA:
        raise LedgerError(f"has schema {raw.get('schema')!r}; this kbdeck reads schema {SCHEMA}")
    generation = raw.get("generation", 0)
    if type(generation) is not int or not 0 <= generation < MAX_TIME or not isinstance(raw.get("kb"), str):
        raise LedgerError("has a damaged `kb` or `generation`")
    return Ledger(
        raw["kb"],
        generation,
        _entries(raw.get("notes"), "notes"),
        _entries(raw.get("stamps"), "stamps"),
        _entries(raw.get("removed"), "removed"),
    )


def read_ledger(path: Path, kb: str) -> Ledger:
    """The ledger, or an empty one when there is none yet (the first build stamps everything).

    Damage raises `LedgerError`, and a ledger of another knowledge base id raises
    `LedgerOfAnotherKnowledgeBase`: treating either as a first build would re-stamp every note
    (so a plain import would drop every note's Anki-side tags) and send the build generation back.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Ledger(kb)
    except OSError as exc:
        raise LedgerError(f"cannot be read ({exc.strerror})") from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LedgerError("is not UTF-8") from exc
    ledger = parse_ledger(text)
    if ledger.kb != kb:
        raise LedgerOfAnotherKnowledgeBase(ledger.kb, kb)
    return ledger


def ledger_text(ledger: Ledger) -> str:
    """The file's text: `json.dumps(indent=1, sort_keys=True, ensure_ascii=False)` of the ledger.

    Written out by hand because `json.dumps` with `indent` runs in pure Python (seconds for tens of
    thousands of notes); a test keeps the two byte-identical.
    """
    return "".join(ledger_chunks(ledger))


LEDGER_CHUNK = 5_000
"""Entries written out at a time (`ledger_chunks`)."""


def ledger_chunks(ledger: Ledger) -> Iterator[str]:
    """`ledger_text` in pieces of `LEDGER_CHUNK` entries, for `write_ledger` to compare and write one at a time
    (at 300,000 cards, the text whole, its pieces, its bytes and the old file's text were 0.2 GB at once)."""
    yield f'{{\n "generation": {ledger.generation},\n "kb": {_str(ledger.kb)},\n "notes": '
    yield from _entries_text(ledger.notes)
    if ledger.removed:
        yield ',\n "removed": '
        yield from _entries_text(ledger.removed)
    yield f',\n "schema": {SCHEMA},\n "stamps": '
    yield from _entries_text(ledger.stamps)
    yield "\n}\n"


def _entries_text(items: dict[str, Entry]) -> Iterator[str]:
    if not items:
        yield "{}"
        return
    keys = sorted(items)
    for start in range(0, len(keys), LEDGER_CHUNK):
        body = ",\n".join(f"  {_str(k)}: {_entry(items[k])}" for k in keys[start : start + LEDGER_CHUNK])
        yield ("{\n" if start == 0 else ",\n") + body
    yield "\n }"


def _entry(e: Entry) -> str:
    kind = f',\n   "kind": {_str(e.kind)}' if e.kind else ""
    section = f',\n   "section": {_str(e.section)}' if e.section else ""
    return (
        f'{{\n   "changed_at": {e.changed_at},\n   "hash": {_str(e.hash)}{kind}{section},\n'
        f'   "topic": {_str(e.topic)}\n  }}'
    )


_str = json.encoder.encode_basestring  # json's own string encoder (ensure_ascii=False), in C


def write_ledger(path: Path, ledger: Ledger) -> None:
    """Write atomically (a unique temporary file, then a rename): a killed or concurrent build
    leaves the old ledger or the new one, never half of one."""
    write_if_changed(path, ledger_chunks(ledger))


def wall_clock() -> int:
    """Now, in epoch seconds (or SOURCE_DATE_EPOCH, for reproducible builds)."""
    return int(os.environ.get("SOURCE_DATE_EPOCH") or time.time())


def stamp_after(wall: int, old: Entry | None) -> int:
    """The time to stamp a change with: now, and strictly after the thing's own previous stamp (so Anki,
    which updates a note only when the incoming time is newer, takes the change).

    Per thing, not "after every stamp of the ledger": that rule ran ahead of the clock when builds came
    faster than one a second (`kbdeck watch`), and a note stamped in the future was then re-imported
    over a tag the learner had added since, although its content had not changed.
    """
    return wall if old is None else max(wall, old.changed_at + 1)


@dataclass(frozen=True)
class Changes:
    """What a build changes against the previous one (from the ledger)."""

    new: tuple[str, ...]
    changed: tuple[str, ...]
    unchanged: tuple[str, ...]
    removed: tuple[tuple[str, str], ...]
    """(card id, topic) of ids the previous build had and this one lacks."""
    sections: tuple[str, ...] = ()
    """Ids whose note section changed (the card itself did not): not re-stamped, reported apart."""
    restored: tuple[str, ...] = ()
    """Ids that came back exactly as they were removed: they keep their old time (also in `unchanged`)."""
    kind_changed: tuple[tuple[str, str, str], ...] = ()
    """(card id, old kind, new kind) where a card moved between basic and cloze under the same id."""

    @property
    def any(self) -> bool:
        return bool(self.new or self.changed or self.removed or self.restored)


Note = tuple[str, str, str, str]
"""(content hash, topic, kind, section digest) of one note of a build."""


def update(ledger: Ledger, hashes: dict[str, Note], stamps: dict[str, str]) -> tuple[Ledger, Changes]:
    """A new ledger for notes `{card id: (hash, topic, kind)}` and other stamped things `{name: hash}`."""
    wall = wall_clock()
    new, changed, unchanged, restored, kinds, sections = [], [], [], [], [], []
    notes: dict[str, Entry] = {}
    for card_id, (digest, topic, kind, section) in hashes.items():
        old = ledger.notes.get(card_id)
        back = old is None and card_id in ledger.removed
        if back:
            old = ledger.removed[card_id]
        if old is not None and old.kind and old.kind != kind:
            kinds.append((card_id, old.kind, kind))
        if old is None:
            new.append(card_id)
            notes[card_id] = Entry(digest, wall, topic, kind, section)
        elif old.hash != digest:
            changed.append(card_id)
            notes[card_id] = Entry(digest, stamp_after(wall, old), topic, kind, section)
        else:
            unchanged.append(card_id)
            if back:
                restored.append(card_id)
            if old.section != section:
                sections.append(card_id)
            if old.topic == topic and old.kind == kind and old.section == section:
                notes[card_id] = old  # the same entry: no new object per note (300,000 of them in a no-op)
            else:
                notes[card_id] = Entry(old.hash, old.changed_at, topic, kind, section)
    removed = tuple(sorted((k, e.topic) for k, e in ledger.notes.items() if k not in hashes))
    tombstones = {k: e for k, e in ledger.removed.items() if k not in hashes}
    tombstones.update((k, ledger.notes[k]) for k, _ in removed)
    stamped: dict[str, Entry] = {}
    stamps_changed = False
    for name, digest in stamps.items():
        old = ledger.stamps.get(name)
        if old is not None and old.hash == digest:
            stamped[name] = old
        else:
            stamped[name] = Entry(digest, stamp_after(wall, old), "")
            stamps_changed = True
    changes = Changes(
        tuple(new), tuple(changed), tuple(unchanged), removed, tuple(sections), tuple(restored), tuple(kinds)
    )
    generation = ledger.generation + (1 if changes.any or stamps_changed or not ledger.generation else 0)
    return Ledger(ledger.kb, generation, notes, stamped, tombstones), changes


def _sides(text: str) -> list[str]:
    """The versions a text with git conflict markers holds (ours, theirs; the base of a diff3 too)."""
    sides: list[list[str]] = [[], []]
    state = "both"
    for line in text.splitlines(keepends=True):
        if line.startswith("<<<<<<< "):
            state = "ours"
        elif line.startswith("||||||| ") and state == "ours":
            state = "base"
        elif line.startswith("=======") and state in ("ours", "base"):
            state = "theirs"
        elif line.startswith(">>>>>>> ") and state == "theirs":
            state = "both"
        elif state == "both":
            sides[0].append(line)
            sides[1].append(line)
        elif state == "ours":
            sides[0].append(line)
        elif state == "theirs":
            sides[1].append(line)
    return ["".join(s) for s in sides]


_ENTRY = re.compile(
    r'"((?:[^"\\]|\\.)*)":\s*\{\s*"changed_at":\s*(\d{1,12}),\s*"hash":\s*"([0-9a-f]*)",'
    r'(?:\s*"kind":\s*"(\w*)",)?\s*"topic":\s*"((?:[^"\\]|\\.)*)"\s*\}'
)


def salvage(text: str, kb: str) -> tuple[Ledger, list[str]]:
    """A usable ledger from a damaged one, keeping every stamp it can read, and what was done.

    A merge conflict is resolved by taking both sides: for each card the later stamp (a newer time
    only makes Anki update a note it would have updated anyway), the higher generation. Other damage
    keeps every entry that still reads as one. Tombstones come back as notes and are sorted out by the
    next build. The generation never goes back: the highest one found, plus one.
    """
    found: list[Ledger] = []
    notes_log: list[str] = []
    for side in _sides(text) if "<<<<<<< " in text else [text]:
        try:
            found.append(parse_ledger(side))
        except LedgerError:
            continue
    if len(found) == 2:
        notes_log.append("merged both sides of the merge conflict")
    if not found:
        entries = {m[1]: Entry(m[3], int(m[2]), m[5], m[4] or "") for m in _ENTRY.finditer(text)}
        gens = [int(g) for g in re.findall(r'"generation":\s*(\d{1,12})', text)]
        notes = {k: e for k, e in entries.items() if e.topic}
        stamps = {k: e for k, e in entries.items() if not e.topic}
        found.append(Ledger(kb, max(gens, default=0), notes, stamps))
        notes_log.append(f"read {len(entries)} entries that were still whole")
    merged = Ledger(kb, max(x.generation for x in found) + 1)
    for ledger in found:
        for target, source in ((merged.notes, ledger.notes), (merged.stamps, ledger.stamps)):
            for key, entry in source.items():
                if key not in target or entry.changed_at > target[key].changed_at:
                    target[key] = entry
        for key, entry in ledger.removed.items():
            if key not in merged.removed or entry.changed_at > merged.removed[key].changed_at:
                merged.removed[key] = entry
    for key in list(merged.removed):
        if key in merged.notes:
            del merged.removed[key]
    return merged, notes_log

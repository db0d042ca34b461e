"""The bundle: the pipeline → add-on data, shipped as media inside the `.apkg` (names, identity,
digest and encoding are the contract's: contract.py, shared byte for byte with the add-on).

Anki never replaces an existing media file on re-import, so every name is content-addressed and
per knowledge base (`_kbdeck-<kb>-<hash>.json`); the add-on picks the bundle with the highest
`build.generation`. The leading underscore keeps Anki's Check Media from deleting the files.
Schema changes bump `SCHEMA_VERSION` and must stay readable by released add-ons.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from .. import __version__
from ..content.codeblocks import include_lines, split_ref
from ..content.examples import example_file
from ..model.contract import SCHEMA_VERSION, canonical, fields_digest
from ..model.kb import KnowledgeBase
from ..render.assembly import REVERSE_SUFFIX, RenderedNote
from ..support.cache import Memo, code_fingerprint


def _examples_used(text: str) -> set[str]:
    return {split_ref(m.group(2))[0] for m in include_lines(text)}


class CardSources:
    """Where each card is written, relative to the content folder (the add-on opens it at that line).

    Each file is resolved once, not each card (~30 per file): resolving two paths per card was 40%
    of a 3,000-card no-op rebuild. Worked out as each card's entry is made, not held for every card: a
    (file, line) pair per card held 25 MB at 300,000 cards (a dict per card, 70 MB more). A card outside the
    content folder gets no source."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self._root = kb.root.resolve()
        self._cards = {card.id: card for card in kb.cards}
        self._files: dict[str, str | None] = {}

    def get(self, card_id: str) -> tuple[str, int] | None:
        card = self._cards.get(card_id)
        if card is None:
            return None
        path = card.span.path
        if path not in self._files:
            try:
                self._files[path] = Path(path).resolve().relative_to(self._root).as_posix()
            except ValueError:
                self._files[path] = None
        rel = self._files[path]
        return None if rel is None else (rel, card.span.line)


class FieldDigests:
    """`contract.fields_digest` of each note, remembered in the build cache.

    Hashing every note's fields (NFC-normalised) was the bundle's largest cost on a rebuild (0.24 s of
    a 30,000-card no-op, and the phase that grew fastest towards 300,000 cards). A note's content hash
    (every field but its section, with its note type, deck and tags) and its section's digest fix its
    fields, so together they key the digest: only new and edited notes are hashed again.
    """

    def __init__(self, cache_dir: Path | None) -> None:
        self._memo = Memo(cache_dir, "field_digests", code_fingerprint())
        self._stored = self._memo.load()
        self._stale = set(self._stored)
        """Stored digests no note of this build has asked for (yet): what `save` forgets. Not a set of the
        keys asked for: a cold build would hold one of every key (a new digest is only in `Memo.new`)."""

    def of(self, note: RenderedNote, fields: tuple[str, ...] | None = None) -> str:
        """The note's digest; hashed from `fields` (or its own) when the cache does not have it."""
        key = _digest_key(note)
        self._stale.discard(key)  # asked for: kept, or (stored as something else) replaced, never forgotten
        found = self._stored.get(key)
        if not isinstance(found, str):
            found = self._memo.new.get(key)
        if isinstance(found, str):
            return found
        if fields is None and note.fields_digest is not None:
            digest = note.fields_digest
        else:
            digest = fields_digest("\x1f".join(note.fields if fields is None else fields))
        self._memo.new[key] = digest
        return digest

    def fill(
        self, notes: list[RenderedNote], fields_of: Callable[[list[RenderedNote]], Iterable[tuple[str, ...]]]
    ) -> None:
        """Hash the notes that hold no fields, nor their digest, and are not in the cache, their fields asked of
        `fields_of` together (one by one, each would read its fragments from the store with queries of its own)."""
        missing = [
            n
            for n in notes
            if n.held is None and n.fields_digest is None and not isinstance(self._stored.get(_digest_key(n)), str)
        ]
        if missing:
            for note, fields in zip(missing, fields_of(missing), strict=True):
                self.of(note, fields)

    def flush(self) -> None:
        """Store the new digests now rather than hold them to `save` (a cold build of 300,000 cards held 66 MB
        of them while it encoded the bundle); held for `save` when the file cannot take them."""
        if self._memo.new and self._memo.add(self._memo.new):
            self._memo.new = {}

    def save(self) -> None:
        """Store the new digests and forget those of notes this build no longer has."""
        self._memo.save(self._stale)


def _digest_key(note: RenderedNote) -> str:
    """A note's key in `FieldDigests`: its content hash and section digest fix its fields."""
    return f"{note.content_hash}:{note.section}"


def bundle_data(
    kb: KnowledgeBase, notes: list[RenderedNote], note_files: dict[str, str], digests: FieldDigests, cards: bool = True
) -> dict[str, Any]:
    """Everything the add-on needs, without build info (that is added by `Encoded.with_build`); without `cards`, the
    cards' entries are `CARDS_MARK`, for `encoded_bundle` to write in their place."""
    rm = kb.roadmap
    cards_by_topic: dict[str, list[str]] = {}
    for n in notes:
        cards_by_topic.setdefault(n.topic, []).append(n.card_id)
    examples_by_topic: dict[str, set[str]] = {}
    for card in kb.cards:
        used = _examples_used("\n".join((card.q, card.a, card.cloze, card.extra)))
        if card.include:
            used.add(split_ref(card.include)[0])
        examples_by_topic.setdefault(card.topic, set()).update(used)
    for topic in kb.topics.values():
        examples_by_topic.setdefault(topic.id, set()).update(_examples_used(topic.body))
    runnable = kb.runnable_examples
    runnable_ids = {e.id for e in runnable}
    return {
        "schema_version": SCHEMA_VERSION,
        "kb": {
            "id": rm.id,
            "title": rm.title,
            "deck": rm.deck,
            "language": rm.language,
            "source_url": rm.source_url,
            "targets": {
                "topics": rm.targets.topics,
                "flashcards": rm.targets.flashcards,
                "examples": rm.targets.examples,
                "mock_interviews": rm.targets.mock_interviews,
            },
        },
        "areas": [{"id": a.id, "deck": f"{rm.deck}::{a.deck}"} for a in rm.areas],
        "weeks": [
            {
                "id": w.id,
                "title": w.title,
                "days": [
                    {"id": d.id, "title": d.title, "date": d.date, "flashcards": d.flashcards, "topics": list(d.topics)}
                    for d in w.days
                ],
            }
            for w in rm.weeks
        ],
        "topics": {
            t.id: {
                "title": t.title,
                "area": t.area,
                "tags": list(t.tags),
                "summary": t.summary,
                "note": note_files.get(t.id, ""),
                "path": f"{t.id}.md",
                "headings": [
                    {"anchor": h.anchor, "text": h.text, "level": h.level, "line": h.line} for h in t.headings
                ],
                "cards": cards_by_topic.get(t.id, []),
                "examples": sorted(e for e in examples_by_topic.get(t.id, set()) if e in runnable_ids),
            }
            for t in sorted(kb.topics.values(), key=lambda t: t.id)
        },
        "cards": _cards(notes, digests, CardSources(kb)) if cards else CARDS_MARK,
        "examples": [
            {"id": e.id, "path": example_file(e.id), "summary": e.docstring.strip().split("\n")[0]} for e in runnable
        ],
        "mock_interviews": [
            {
                "id": m.id,
                "title": m.title,
                "when": m.when,
                "sections": [
                    {
                        "title": s.title,
                        "minutes": s.minutes,
                        "cards": s.cards,
                        "topics": list(s.topics),
                        "areas": list(s.areas),
                        "problem": s.problem,
                    }
                    for s in m.sections
                ],
            }
            for m in rm.mock_interviews
        ],
    }


CARDS_MARK = "\x00cards\x00"
"""Where `encoded_bundle` writes the cards' entries (no text of a knowledge base holds a NUL: load.py)."""

CARDS_CHUNK = 5_000
"""Cards' entries made into dicts and encoded at a time by `encoded_bundle`."""


def _cards(notes: list[RenderedNote], digests: FieldDigests, sources: CardSources) -> dict[str, dict[str, Any]]:
    """Card id → its entry in the bundle (`_card`)."""
    return {n.card_id: _card(n, digests, sources.get(n.card_id.removesuffix(REVERSE_SUFFIX))) for n in notes}


def _card(note: RenderedNote, digests: FieldDigests, source: tuple[str, int] | None) -> dict[str, Any]:
    """A note's entry in the bundle: its identity, deck and fields' digest, and where its card is written."""
    out: dict[str, Any] = {"guid": note.guid, "topic": note.topic, "deck": note.deck, "fields": digests.of(note)}
    if source is not None:
        out["file"], out["line"] = source
    return out


def encoded_bundle(
    kb: KnowledgeBase,
    notes: list[RenderedNote],
    note_files: dict[str, str],
    cache_dir: Path | None,
    fields_of: Callable[[list[RenderedNote]], Iterable[tuple[str, ...]]] | None = None,
) -> Encoded:
    """`canonical(bundle_data(…))`, each note's field digest remembered in the build cache (`fields_of` gives
    the fields of the notes that do not hold them, see `FieldDigests.fill`).

    The cards' entries, one per note, are made and encoded `CARDS_CHUNK` at a time, in their sorted order, into
    the place the rest's encoding keeps for them: the same bytes, but never every card as a dict and as JSON
    text at once (at 300,000 cards that was the build's peak: 0.3 GB for 60 MB of bytes), nor their digests
    (hashed, and stored, a chunk at a time). Only the bytes outlive the call: the rest's dicts are gone before
    the ledger is read."""
    digests = FieldDigests(cache_dir)
    rest = canonical(bundle_data(kb, notes, note_files, digests, cards=False))
    mark = canonical({"cards": CARDS_MARK})[1:-1]
    at = rest.index(mark)
    by_id = {n.card_id: n for n in notes}  # as the dict of `_cards` would: one entry per id
    ids = sorted(by_id)  # `sort_keys` order
    sources = CardSources(kb)
    out = io.BytesIO()
    out.write(rest[:at] + b'"cards":{')
    for start in range(0, len(ids), CARDS_CHUNK):
        chunk = [by_id[i] for i in ids[start : start + CARDS_CHUNK]]
        if fields_of is not None:
            digests.fill(chunk, fields_of)
        out.write((b"," if start else b"") + canonical(_cards(chunk, digests, sources))[1:-1])
        if len(ids) > CARDS_CHUNK:
            digests.flush()
    out.write(b"}" + rest[at + len(mark) :])
    digests.save()
    return Encoded(out)


class Encoded:
    """A bundle's `canonical` bytes, in the buffer `encoded_bundle` wrote them to, until `with_build` adds the
    build info (which waits for the ledger, which waits for `digest`)."""

    __slots__ = ("_buffer",)

    def __init__(self, buffer: io.BytesIO) -> None:
        self._buffer = buffer

    def digest(self) -> str:
        """sha256 of the bytes (hex)."""
        with self._buffer.getbuffer() as view:
            return hashlib.sha256(view).hexdigest()

    def value(self) -> bytes:
        return self._buffer.getvalue()

    def with_build(self, generation: int, changed_at: int) -> bytes:
        """The bundle file: the bytes with a last key, `build`, added (serialising a 30,000-card bundle twice cost
        a rebuild 50 ms). Written over the closing brace in the buffer itself, which becomes the file's bytes
        with no copy: adding the key to a copy held the bundle three times at once (180 MB at 300,000 cards).
        This spends the object (it holds nothing after)."""
        build = canonical({"generation": generation, "changed_at": changed_at, "kbdeck": __version__})
        buffer, self._buffer = self._buffer, io.BytesIO()
        size = buffer.seek(0, io.SEEK_END)
        buffer.seek(size - 1)
        buffer.write((b',"build":' if size > 2 else b'"build":') + build + b"}")
        return buffer.getvalue()

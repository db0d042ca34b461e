"""What an update from a build must do beyond Anki's import, decided before anything changes.

Anki's import (update if newer, matched by GUID) updates the text of changed notes, but it never
moves existing cards between decks, it replaces a note's tags with the package's (losing `leech`,
`marked` and the user's own tags), it never deletes or flags notes that left the content, and
it silently skips notes edited in Anki after the build. This module plans the answers from a
snapshot of the collection and the package, as plain data: which cards to move, which notes to
flag as orphans, which Anki-side tags to put back, which notes were edited in Anki. Pure (no
Anki, no Qt): `update_op.py` reads the collection and applies the plan; tests feed it by hand.
It never plans a deletion.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from .apkg import Package
from .bundle import Bundle
from .contract import fields_digest

ORPHAN_TAG = "kbdeck::orphan"
ANKI_TAGS = frozenset({"leech", "marked"})
"""Tags Anki itself adds to notes; always put back."""
BUILD_TAG_PREFIX = "kb::"
"""Every tag under `kb::` belongs to the build (placement on the roadmap, card kind)."""


@dataclass(frozen=True)
class ExistingNote:
    """A note of the knowledge base as the collection holds it before the update."""

    nid: int
    guid: str
    mod: int
    tags: tuple[str, ...]
    fields: str | None = None
    """Joined field values (None when not read)."""


@dataclass(frozen=True)
class ExistingCard:
    """A card of the knowledge base before the update."""

    cid: int
    nid: int
    deck: str
    """Name of its home deck (for a card in a filtered deck: the deck it returns to)."""
    filtered: bool
    """True while the card sits in a filtered deck."""


@dataclass(frozen=True)
class Snapshot:
    """The knowledge base's notes and cards in the collection, before the update."""

    notes: Mapping[str, ExistingNote]
    """By GUID."""
    cards: tuple[ExistingCard, ...] = ()


@dataclass(frozen=True)
class Plan:
    """Everything decided before the import."""

    kb: str
    new: tuple[str, ...]
    """GUIDs the import will add."""
    updated: tuple[int, ...]
    """Notes the import will update (the package's copy is newer) and whose Anki text is the previous
    build's (or unknown)."""
    unchanged: tuple[int, ...]
    edited: tuple[int, ...]
    """Notes edited in Anki: their text is neither the previous build's nor the new one. They keep
    Anki's text (put back after the import when it would overwrite it) and are listed for the user."""
    orphans: tuple[int, ...]
    """Notes of this knowledge base that are not in the new build and not flagged yet."""
    returning: tuple[int, ...]
    """Notes flagged as orphans that the new build has again."""
    moves: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    """Target deck name → cards to move there."""
    held: tuple[int, ...] = ()
    """Cards that should move but sit in a filtered deck now (moved by a later update, once back home)."""
    forced: tuple[int, ...] = ()
    """Notes whose content changed in the build while Anki still has the previous build's text, but
    which the import skips (a tag, a mark, a flag or Anki's `leech` made them newer): the update
    writes the new text itself. (Also counted in `updated`.)"""
    reverted: tuple[int, ...] = ()
    """Edited notes the import will overwrite: their Anki text is put back after it (also in `edited`)."""

    @property
    def moved(self) -> int:
        return sum(len(c) for c in self.moves.values())


def kb_guids(old: Iterable[Bundle], incoming: Bundle) -> frozenset[str]:
    """GUIDs that belong to the knowledge base: every build of it seen in the media folder, and the new one."""
    out: set[str] = set(incoming.guids)
    for b in old:
        if b.kb.id == incoming.kb.id:
            out.update(b.guids)
    return frozenset(out)


def managed_decks(old: Iterable[Bundle], incoming: Bundle) -> frozenset[str]:
    """Deck names the builds place cards in (root and area decks, case-folded). Cards the user moved
    anywhere else are theirs: the update never moves them."""
    names = {incoming.kb.deck, *incoming.areas.values(), *(c.deck for c in incoming.cards.values())}
    for b in old:
        if b.kb.id == incoming.kb.id:
            names.update({b.kb.deck, *b.areas.values(), *(c.deck for c in b.cards.values())})
    return frozenset(n.casefold() for n in names if n)


def previous_digests(old: Iterable[Bundle], incoming: Bundle) -> dict[str, str]:
    """GUID → digest of the fields the previous build gave each note (the newest earlier bundle that has
    one): what Anki holds when nobody edited the note in Anki."""
    out: dict[str, str] = {}
    for b in sorted(old, key=lambda b: b.recency):
        if b.kb.id != incoming.kb.id or b.file_name == incoming.file_name:
            continue
        for card in b.cards.values():
            if card.fields:
                out[card.guid] = card.fields
    return out


def plan_update(
    before: Snapshot,
    package: Package,
    old: Sequence[Bundle] = (),
    *,
    move_cards: bool = True,
    previous: Mapping[str, str] | None = None,
) -> Plan:
    """Decide the update of `package` over the collection state `before` (`old`: bundles already there).

    Three texts decide each note: the previous build's (`previous`, a digest), the new build's and
    Anki's. Anki's = new: nothing to do. Anki's = previous: the content changed and nobody edited it in
    Anki, so it is updated, by the import or, when the import would skip it (a tag or a mark made it
    newer), by the update itself. Anki's is neither: an edit in Anki, kept and listed, never overwritten.
    """
    bundle = package.bundle
    previous = previous_digests(old, bundle) if previous is None else previous
    new: list[str] = []
    updated: list[int] = []
    unchanged: list[int] = []
    edited: list[int] = []
    forced: list[int] = []
    reverted: list[int] = []
    for guid, incoming in package.notes.items():
        existing = before.notes.get(guid)
        if existing is None:
            new.append(guid)
            continue
        imports = existing.mod < incoming.mod
        if existing.fields is None or existing.fields == incoming.fields:
            (updated if imports else unchanged).append(existing.nid)
            continue
        mine = fields_digest(existing.fields)
        was = previous.get(guid, "")
        if was and mine != was and mine != fields_digest(incoming.fields):
            edited.append(existing.nid)  # edited in Anki since the build it came from
            if imports:
                reverted.append(existing.nid)
        elif imports:
            updated.append(existing.nid)
        elif was:  # Anki has the previous build's text; the import would skip it
            updated.append(existing.nid)
            forced.append(existing.nid)
        else:  # no earlier digest (a bundle from before they existed): the old rule, never overwrite
            unchanged.append(existing.nid)
            edited.append(existing.nid)
    orphans: list[int] = []
    returning: list[int] = []
    for guid, note in before.notes.items():
        flagged = ORPHAN_TAG in (t.lower() for t in note.tags)
        if guid not in bundle.guids and not flagged:
            orphans.append(note.nid)
        elif guid in bundle.guids and flagged:
            returning.append(note.nid)
    moves, held = _moves(before, bundle, managed_decks(old, bundle)) if move_cards else ({}, [])
    return Plan(
        bundle.kb.id,
        tuple(new),
        tuple(sorted(updated)),
        tuple(sorted(unchanged)),
        tuple(sorted(edited)),
        tuple(sorted(orphans)),
        tuple(sorted(returning)),
        moves,
        tuple(held),
        tuple(sorted(forced)),
        tuple(sorted(reverted)),
    )


def _moves(before: Snapshot, bundle: Bundle, managed: frozenset[str]) -> tuple[dict[str, tuple[int, ...]], list[int]]:
    guid_of = {n.nid: n.guid for n in before.notes.values()}
    moves: dict[str, list[int]] = defaultdict(list)
    held: list[int] = []
    for card in before.cards:
        card_id = bundle.guids.get(guid_of.get(card.nid, ""))
        if card_id is None:
            continue
        target = bundle.cards[card_id].deck
        here = card.deck.casefold()
        if not target or here == target.casefold() or here not in managed:
            continue
        if card.filtered:
            held.append(card.cid)
        else:
            moves[target].append(card.cid)
    return {deck: tuple(sorted(cids)) for deck, cids in sorted(moves.items())}, sorted(held)


def tags_to_restore(before: Sequence[str], after: Sequence[str], vocabulary: frozenset[str]) -> tuple[str, ...]:
    """Tags the import dropped that were not the build's: Anki's own (`leech`, `marked`) and the user's.

    A tag counts as the build's when it is under `kb::`, is the orphan flag, or some note of the new
    build carries it (`vocabulary`, lower case); a tag the content dropped everywhere looks like the
    user's and is kept, the safe side.
    """
    now = {t.lower() for t in after}
    out: list[str] = []
    for tag in before:
        low = tag.lower()
        if low in now:
            continue
        if low in ANKI_TAGS or not (low.startswith(BUILD_TAG_PREFIX) or low == ORPHAN_TAG or low in vocabulary):
            out.append(tag)
    return tuple(out)


def restore_groups(
    before: Mapping[int, Sequence[str]], after: Mapping[int, Sequence[str]], vocabulary: frozenset[str]
) -> dict[str, tuple[int, ...]]:
    """`{"leech marked": (nid, ...)}`: the tags to add back, grouped so each group is one bulk operation."""
    groups: dict[str, list[int]] = defaultdict(list)
    for nid, tags in after.items():
        restore = tags_to_restore(before.get(nid, ()), tags, vocabulary)
        if restore:
            groups[" ".join(restore)].append(nid)
    return {tags: tuple(sorted(nids)) for tags, nids in sorted(groups.items())}


def superseded_media(names: Iterable[str], bundle: Bundle) -> list[str]:
    """Media files of this knowledge base's earlier builds that the new bundle does not use (bundle and
    note files only: the names the build content-addresses, matched exactly, never another kb's)."""
    pattern = re.compile(
        rf"^_kbdeck-{re.escape(bundle.kb.id)}-(?:bundle-[0-9a-f]{{8,64}}\.json|note-[0-9a-f]{{8,64}}\.html)$"
    )
    keep = {bundle.file_name, *(t.note for t in bundle.topics.values() if t.note)}
    return sorted(n for n in names if pattern.match(n) and n not in keep)

"""Update from a build: import the .apkg, then do what Anki's import cannot (the plan of reconcile.py).

Runs inside one background `CollectionOp` (never on the UI thread, never touching Qt), so the
tests drive it on a plain `anki.collection.Collection`. Order: read the package and snapshot the
collection (before anything changes) → one custom undo entry → import (update if newer, note
types never merged) → put back Anki-side tags on the notes the import updated → flag orphans →
move cards → merge everything into that one undo step → only then move superseded media of this
knowledge base to Anki's media trash (media are not part of undo; Check Media → Restore brings
them back). Nothing is ever deleted from the collection.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from ..data.apkg import FIELD_SEPARATOR, Package, read_package
from ..data.bundle import Bundle
from ..data.discovery import bundles_of
from ..data.queries import notetype_ids
from ..data.reconcile import (
    ORPHAN_TAG,
    ExistingCard,
    ExistingNote,
    Plan,
    Snapshot,
    kb_guids,
    plan_update,
    restore_groups,
    superseded_media,
    tags_to_restore,
)

if TYPE_CHECKING:
    from anki.collection import Collection, OpChanges
    from anki.dbproxy import DBProxy


@dataclass(frozen=True)
class FieldDiff:
    """One field of a note edited in Anki: its text in Anki and in the build."""

    name: str
    anki: str
    build: str


@dataclass(frozen=True)
class EditedNote:
    """A note whose text in Anki is neither the previous build's nor this one's: kept, and offered."""

    card_id: str
    nid: int
    diffs: tuple[FieldDiff, ...]
    """The fields that differ."""
    build_fields: tuple[str, ...]
    """Every field as the build has it (what "use the build's text" writes)."""
    file: str = ""
    """The card's source file, relative to the content folder ("open the source" opens it)."""
    line: int = 0


@dataclass(frozen=True)
class UpdateSummary:
    """What an update did, for the summary dialog (and the tests)."""

    file: str
    """The package's file name."""
    kb_title: str
    generation: int
    """Build generation of the imported bundle."""
    previous_generation: int
    """Newest build generation the collection had before (0: first import)."""
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    conflicting: int = 0
    """Notes Anki refused to update because their note type was changed in Anki."""
    moved: int = 0
    held: int = 0
    """Cards that should move but sit in a filtered deck now."""
    orphaned: int = 0
    """Notes flagged `kbdeck::orphan` by this update."""
    returning: int = 0
    tags_restored: int = 0
    """Updated notes whose `leech`/`marked`/own tags were put back."""
    edited: tuple[str, ...] = ()
    """Authored ids of notes edited in Anki since the build."""
    media_trashed: int = 0
    notes: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    """"new" / "updated" / "moved" / "orphaned" / "edited" → note ids (for "show in the browser")."""
    edits: tuple[EditedNote, ...] = ()
    """The notes edited in Anki, with what differs (for the per-field comparison and the choice)."""

    @property
    def changed_anything(self) -> bool:
        return bool(self.new or self.updated or self.moved or self.orphaned or self.returning or self.tags_restored)


@dataclass
class UpdateResult:
    """The op's return value: Anki reads `changes` to refresh its screens (not frozen: aqt's
    `HasChangesProperty` protocol declares a writable attribute)."""

    summary: UpdateSummary
    changes: OpChanges


def read_state(col: Collection, guids: Iterable[str], package: Package) -> Snapshot:
    """The knowledge base's notes (those among `guids`) and their cards, as the collection holds them now."""
    wanted = set(guids)
    mids = ",".join(str(int(m)) for m in notetype_ids(col)) or "0"
    db = _db(col)
    notes: dict[str, ExistingNote] = {}
    sql = f"select id, guid, mod, tags, flds from notes where mid in ({mids})"
    for nid, guid, mod, tags, flds in db.all(sql):
        if guid in wanted:  # fields of the notes the package has: the three-way decision compares them
            text = str(flds) if guid in package.notes else None
            notes[guid] = ExistingNote(int(nid), guid, int(mod), tuple(str(tags).split()), text)
    by_nid = {n.nid for n in notes.values()}
    names = {int(d.id): d.name for d in col.decks.all_names_and_ids()}
    sql = f"select c.id, c.nid, c.did, c.odid from cards c where c.nid in (select id from notes where mid in ({mids}))"
    cards = tuple(
        ExistingCard(int(cid), int(nid), names.get(int(odid or did), ""), bool(odid))
        for cid, nid, did, odid in db.all(sql)
        if nid in by_nid
    )
    return Snapshot(notes, cards)


def has_news(col: Collection, bundle: Bundle) -> bool:
    """True when the collection has not seen this build: its bundle (named by its content, which changes with
    every build that changes anything) is not in the media folder. An update that was undone keeps its media,
    so an automatic update never repeats it."""
    return bundle.file_name not in _media_names(col)


def run_update(
    col: Collection, path: str, *, move_cards: bool = True, undo_label: str = "kbdeck update"
) -> UpdateResult:
    """Import the build at `path` and reconcile; one undo step. Raises PackageError for a bad file."""
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest
    from anki.import_export_pb2 import ImportAnkiPackageUpdateCondition

    package = read_package(path)
    bundle = package.bundle
    old = bundles_of(col.media.dir(), bundle.kb.id)
    before = read_state(col, kb_guids(old, bundle), package)
    plan = plan_update(before, package, old, move_cards=move_cards)
    if_newer = ImportAnkiPackageUpdateCondition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER
    options = ImportAnkiPackageOptions(
        merge_notetypes=False,
        update_notes=if_newer,
        update_notetypes=if_newer,
        with_scheduling=False,
        with_deck_configs=False,
    )
    step = col.add_custom_undo_entry(undo_label)
    try:
        log = col.import_anki_package(ImportAnkiPackageRequest(package_path=path, options=options)).log
        updated = [int(n.id.nid) for n in log.updated]
        restored = _restore_tags(col, before, updated, package.tag_vocabulary)
        forced = _write_fields(col, before, package, plan)
        moved_cards, moved = _reconcile(col, plan)
    finally:
        changes = col.merge_undo_entries(step)
    trashed = _trash_superseded(col, package)
    nid_of = {n.guid: n.nid for n in before.notes.values()}
    fields = {n.nid: n.fields or "" for n in before.notes.values()}
    summary = UpdateSummary(
        file=os.path.basename(path),
        kb_title=bundle.kb.title,
        generation=bundle.generation,
        previous_generation=max((b.generation for b in old), default=0),
        new=len(log.new),
        updated=len(set(updated) - set(plan.reverted)) + forced,
        unchanged=len(package.notes)
        - len(log.new)
        - (len(set(updated) - set(plan.reverted)) + forced)
        - len(plan.edited)
        - len(log.conflicting),
        conflicting=len(log.conflicting),
        moved=moved_cards,
        held=len(plan.held),
        orphaned=len(plan.orphans),
        returning=len(plan.returning),
        tags_restored=restored,
        edited=tuple(sorted(fields[nid].split(FIELD_SEPARATOR, 1)[0] for nid in plan.edited)),
        media_trashed=len(trashed),
        notes={
            "new": tuple(sorted(int(n.id.nid) for n in log.new)),
            "updated": tuple(sorted((set(updated) - set(plan.reverted)) | set(plan.forced))),
            "moved": tuple(sorted(moved)),
            "orphaned": plan.orphans,
            "edited": plan.edited,
            "unchanged": tuple(sorted({nid_of[g] for g in package.notes if g in nid_of} - set(updated))),
        },
    )
    return UpdateResult(replace(summary, edits=_edits(col, before, package, plan)), changes)


def _edits(col: Collection, before: Snapshot, package: Package, plan: Plan) -> tuple[EditedNote, ...]:
    from anki.notes import NoteId

    by_nid = {n.nid: n for n in before.notes.values()}
    out = []
    for nid in plan.edited:
        existing = by_nid[nid]
        incoming = package.notes.get(existing.guid)
        if incoming is None or existing.fields is None:
            continue
        names = list(col.get_note(NoteId(nid)).keys())
        mine, theirs = existing.fields.split(FIELD_SEPARATOR), incoming.fields.split(FIELD_SEPARATOR)
        if len(mine) != len(names) or len(theirs) != len(names):
            continue
        diffs = tuple(FieldDiff(n, a, b) for n, a, b in zip(names, mine, theirs, strict=True) if a != b)
        ref = package.bundle.cards.get(mine[0])
        file, line = (ref.file, ref.line) if ref else ("", 0)
        out.append(EditedNote(mine[0], nid, diffs, tuple(theirs), file, line))
    return tuple(out)


def take_build_text(col: Collection, edit: EditedNote, undo_label: str) -> OpChanges:
    """Replace a note's Anki-side edit with the build's text (tags, scheduling untouched); one undo step."""
    from anki.notes import NoteId

    step = col.add_custom_undo_entry(undo_label)
    note = col.get_note(NoteId(edit.nid))
    if len(note.fields) == len(edit.build_fields):
        note.fields = list(edit.build_fields)
        col.update_note(note)
    return col.merge_undo_entries(step)


def _restore_tags(col: Collection, before: Snapshot, updated: list[int], vocabulary: frozenset[str]) -> int:
    if not updated:
        return 0
    from anki.notes import NoteId

    old_tags = {n.nid: n.tags for n in before.notes.values()}
    ids = ",".join(str(n) for n in updated)
    now = {
        int(nid): tuple(str(tags).split())
        for nid, tags in _db(col).all(f"select id, tags from notes where id in ({ids})")
    }
    groups = restore_groups(old_tags, now, vocabulary)
    for tags, nids in groups.items():
        col.tags.bulk_add([NoteId(n) for n in nids], tags)
    return len({n for nids in groups.values() for n in nids})


def _write_fields(col: Collection, before: Snapshot, package: Package, plan: Plan) -> int:
    """The three-way decision's writes: the new build's text on notes the import skipped although Anki
    still had the previous build's text (tags kept, the build's own tags brought up to date), and Anki's
    own text back on notes edited in Anki that the import overwrote. Returns how many were forced."""
    if not plan.forced and not plan.reverted:
        return 0
    from anki.notes import NoteId

    by_nid = {n.nid: n for n in before.notes.values()}
    done = 0
    for nid in plan.forced:
        existing = by_nid[nid]
        incoming = package.notes[existing.guid]
        note = col.get_note(NoteId(nid))
        values = incoming.fields.split(FIELD_SEPARATOR)
        if len(values) != len(note.fields):
            continue  # the note type was changed in Anki: Anki reports it as conflicting
        note.fields = values
        keep = tags_to_restore(existing.tags, incoming.tags, package.tag_vocabulary)
        note.tags = list(dict.fromkeys([*incoming.tags, *keep]))
        col.update_note(note)
        done += 1
    for nid in plan.reverted:
        existing = by_nid[nid]
        note = col.get_note(NoteId(nid))
        values = (existing.fields or "").split(FIELD_SEPARATOR)
        if len(values) == len(note.fields):
            note.fields = values
            col.update_note(note)
    return done


def _reconcile(col: Collection, plan: Plan) -> tuple[int, list[int]]:
    """Flag orphans, unflag returning notes, move cards; returns (cards moved, ids of their notes)."""
    from anki.cards import CardId
    from anki.decks import DeckId
    from anki.notes import NoteId

    if plan.orphans:
        col.tags.bulk_add([NoteId(n) for n in plan.orphans], ORPHAN_TAG)
    if plan.returning:
        col.tags.bulk_remove([NoteId(n) for n in plan.returning], ORPHAN_TAG)
    moved: list[int] = []
    for deck_name, cids in plan.moves.items():
        existing = col.decks.id_for_name(deck_name)
        deck = col.decks.get(existing) if existing else None
        if deck is not None and deck.get("dyn"):
            continue  # a filtered deck took the name: never move cards into it
        did = existing or col.decks.id(deck_name)
        if did is None:
            continue
        col.set_deck([CardId(c) for c in cids], DeckId(did))
        moved.extend(cids)
    if not moved:
        return 0, []
    ids = ",".join(str(c) for c in moved)
    return len(moved), sorted({int(n) for n in _db(col).list(f"select distinct nid from cards where id in ({ids})")})


def _trash_superseded(col: Collection, package: Package) -> list[str]:
    names = _media_names(col)
    if package.bundle.file_name not in names:
        return []  # the new bundle did not arrive: keep the old one
    stale = superseded_media(names, package.bundle)
    if stale:
        col.media.trash_files(stale)
    return stale


def trash_superseded_everywhere(col: Collection) -> list[str]:
    """For every knowledge base in the media folder, send the files its newest bundle no longer uses
    (older bundles, their note pages) to Anki's media trash, so they also leave the other devices at
    the next sync. Run when a profile opens: builds imported with File → Import leave them too."""
    from ..data.discovery import discover

    names = _media_names(col)
    stale: list[str] = []
    for bundle in discover(col.media.dir()).bundles:
        stale += superseded_media(names, bundle)
    if stale:
        col.media.trash_files(stale)
    return stale


def _media_names(col: Collection) -> set[str]:
    try:
        return {e.name for e in os.scandir(col.media.dir()) if e.name.startswith("_kbdeck-")}
    except OSError:
        return set()


def _db(col: Collection) -> DBProxy:
    if col.db is None:
        raise RuntimeError("the collection is closed")
    return col.db

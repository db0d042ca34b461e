"""Update from a build, on a real Anki collection: the shipped deck (v1) studied and tagged in Anki,
then v2 (one card edited, one moved to another area, one removed) imported through `run_update`.
The planning rules themselves are tested with hand-made snapshots."""

from __future__ import annotations

import os
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from addon_helpers import Rebuild, guid, make_bundle
from anki.collection import Collection
from test_collection import KBDECK, answer_next

from addon.data.apkg import IncomingNote, Package, PackageError, newest_build, read_package
from addon.data.discovery import discover
from addon.data.reconcile import (
    ORPHAN_TAG,
    ExistingCard,
    ExistingNote,
    Snapshot,
    plan_update,
    superseded_media,
    tags_to_restore,
)
from addon.ops.update_op import UpdateSummary, has_news, run_update

LABEL = "kbdeck: update from build"


def scheduling(col: Collection) -> dict[int, tuple[int, ...]]:
    rows = col.db.all("select id, type, queue, ivl, due, reps, lapses, factor, left from cards")
    return {row[0]: tuple(row[1:]) for row in rows}


def note_of(col: Collection, card_id: str) -> int:
    (nid,) = col.find_notes(f"Id:{card_id} {KBDECK}")
    return nid


@dataclass
class Updated:
    """The collection after the update, and what the test took note of before it."""

    col: Collection
    first: UpdateSummary
    summary: UpdateSummary
    revlog: int
    scheduling: dict[int, tuple[int, ...]]
    text_edit: str
    """Card edited in Anki (not in the content)."""
    had_news: bool


@pytest.fixture
def updated(tmp_path: Path, built_deck: Path, rebuilt_deck: Rebuild) -> Iterator[Updated]:
    """v1 imported with run_update, studied, tagged and edited in Anki; then v2 through run_update."""
    col = Collection(str(tmp_path / "collection.anki2"))
    first = run_update(col, str(built_deck), undo_label=LABEL).summary
    col.models._clear_cache()
    r = rebuilt_deck
    # the cards of the notes that change get review history too: first in their deck's queue
    changing = [c for cid in (r.edited, r.moved) for c in col.find_cards(f"Id:{cid} {KBDECK}")]
    col.sched.reposition_new_cards(changing, starting_from=0, step_size=1, randomize=False, shift_existing=True)
    col.decks.select(col.get_card(changing[0]).did)
    answer_next(col, "good", 8)
    answer_next(col, "again", 3)
    assert {col.get_card(c).nid for c in changing if col.get_card(c).type != 0} == {
        note_of(col, r.edited),
        note_of(col, r.moved),
    }
    col.tags.bulk_add([note_of(col, r.edited)], "leech marked minha-tag")
    col.tags.bulk_add([note_of(col, r.moved)], "marked")
    notes = col.find_notes(KBDECK, order=True)
    others = [n for n in notes if col.get_note(n)["Id"] not in (r.edited, r.moved, r.removed)]
    built_at = max(n.mod for n in read_package(built_deck).notes.values())
    while time.time() < built_at + 1:  # an edit in the build's own second would not be newer than it
        time.sleep(0.05)
    text_edit = col.get_note(others[5])
    text_edit.fields[2] += "<p>my own note</p>"
    col.update_note(text_edit)
    col.tags.bulk_add([others[6]], "marked")  # a tag-only change is not an edit
    revlog, sched, news = (
        col.db.scalar("select count() from revlog"),
        scheduling(col),
        has_news(col, read_package(r.apkg).bundle),
    )
    summary = run_update(col, str(r.apkg), undo_label=LABEL).summary
    col.models._clear_cache()
    yield Updated(col, first, summary, revlog, sched, text_edit["Id"], news)
    col.close()


def test_the_first_update_imports_everything(updated: Updated) -> None:
    first = updated.first
    assert first.previous_generation == 0 and first.new > 500
    assert first.updated == first.moved == first.orphaned == 0


def test_the_summary_counts_what_happened(updated: Updated, rebuilt_deck: Rebuild) -> None:
    col, data = updated.col, updated
    s = data.summary
    v2_notes = len(read_package(rebuilt_deck.apkg).notes)
    assert (s.new, s.updated, s.unchanged, s.conflicting) == (0, 2, v2_notes - 3, 0)
    # every note of the build is counted once: new, updated, unchanged, edited in Anki or conflicting
    assert s.new + s.updated + s.unchanged + len(s.edited) + s.conflicting == v2_notes
    assert (s.orphaned, s.tags_restored, s.held) == (1, 2, 0)
    assert s.moved == len(col.find_cards(f"Id:{rebuilt_deck.moved} {KBDECK}")) >= 1
    assert s.edited == (data.text_edit,)
    assert s.previous_generation < s.generation
    assert data.had_news is True


def test_the_edited_note_is_updated_and_keeps_its_anki_tags(updated: Updated, rebuilt_deck: Rebuild) -> None:
    col = updated.col
    note = col.get_note(note_of(col, rebuilt_deck.edited))
    assert "Editado na v2" in " ".join(note.fields)
    assert {"leech", "marked", "minha-tag"} <= set(note.tags)
    assert any(t.startswith("kb::") for t in note.tags) and ORPHAN_TAG not in note.tags
    assert "marked" in col.get_note(note_of(col, rebuilt_deck.moved)).tags


def test_the_moved_card_is_in_its_new_deck(updated: Updated, rebuilt_deck: Rebuild) -> None:
    col = updated.col
    decks = {col.decks.name(col.get_card(c).did) for c in col.find_cards(f"Id:{rebuilt_deck.moved} {KBDECK}")}
    assert decks == {rebuilt_deck.moved_to}


def test_the_removed_card_is_flagged_never_deleted(updated: Updated, rebuilt_deck: Rebuild) -> None:
    col = updated.col
    assert col.find_notes(f"tag:{ORPHAN_TAG}") == [note_of(col, rebuilt_deck.removed)]


def test_review_history_and_scheduling_are_untouched(updated: Updated) -> None:
    col, data = updated.col, updated
    assert col.db.scalar("select count() from revlog") == data.revlog
    after = scheduling(col)
    assert after == data.scheduling  # every card (the moved one too) keeps its state, interval and due


def test_the_edit_made_in_anki_is_kept_and_reported(updated: Updated) -> None:
    col, data = updated.col, updated
    (nid,) = col.find_notes(f"Id:{data.text_edit} {KBDECK}")
    assert "my own note" in col.get_note(nid).fields[2]


def test_old_bundles_go_to_the_media_trash_and_the_new_one_is_current(updated: Updated, rebuilt_deck: Rebuild) -> None:
    col, data = updated.col, updated
    found = discover(col.media.dir())
    assert [b.file_name for b in found.bundles] == [read_package(rebuilt_deck.apkg).bundle.file_name]
    assert len([n for n in Path(col.media.dir()).iterdir() if "-bundle-" in n.name]) == 1
    assert data.summary.media_trashed >= 1
    assert not has_news(col, read_package(rebuilt_deck.apkg).bundle)


def test_one_undo_reverts_the_whole_update(updated: Updated, rebuilt_deck: Rebuild) -> None:
    col, data = updated.col, updated
    assert col.undo_status().undo == LABEL
    col.undo()
    assert "Editado na v2" not in " ".join(col.get_note(note_of(col, rebuilt_deck.edited)).fields)
    assert col.find_notes(f"tag:{ORPHAN_TAG}") == []
    decks = {col.decks.name(col.get_card(c).did) for c in col.find_cards(f"Id:{rebuilt_deck.moved} {KBDECK}")}
    assert rebuilt_deck.moved_to not in decks
    assert scheduling(col) == data.scheduling


def test_a_file_that_is_not_a_kbdeck_build_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "x.apkg"
    bad.write_bytes(b"not a zip")
    with pytest.raises(PackageError):
        read_package(bad)
    assert newest_build(tmp_path / "missing") is None
    for media in (b"[1, 2", b"[" * 100_000 + b"]" * 100_000):  # cut short; nested past Python's recursion limit
        with zipfile.ZipFile(bad, "w") as zf:
            zf.writestr("media", media)
        with pytest.raises(PackageError, match="the media list is not JSON"):
            read_package(bad)


def test_the_newest_build_of_the_folder_is_the_last_written(tmp_path: Path) -> None:
    for name, mtime in (("a.apkg", 100), ("b.APKG", 300), ("c.apkg.tmp", 900), ("d.txt", 999)):
        (tmp_path / name).write_bytes(b"x")
        os.utime(tmp_path / name, (mtime, mtime))
    (tmp_path / "e.apkg").mkdir()
    found = newest_build(tmp_path)
    assert found is not None and Path(found.path).name == "b.APKG" and found.mtime_ns == 300 * 10**9


# ---- the planning rules, with hand-made snapshots ------------------------------------------------


def package_of(bundle_kw: dict[str, object], notes: dict[str, IncomingNote]) -> Package:
    bundle = make_bundle({"w1": {"d1": ["py/gil"]}}, {"py/gil": ["a", "b", "c"]}, **bundle_kw)
    return Package("x.apkg", bundle, notes, ())


def test_anki_tags_and_the_users_come_back_build_tags_do_not() -> None:
    vocabulary = frozenset({"concorrencia", "kb::tipo::basic"})
    before = ("kb::py::gil", "concorrencia", "leech", "marked", "minha-tag", "removida-do-conteudo", ORPHAN_TAG)
    after = ("kb::py::gil", "concorrencia")
    assert tags_to_restore(before, after, vocabulary) == ("leech", "marked", "minha-tag", "removida-do-conteudo")
    assert tags_to_restore(("Marked",), ("marked",), vocabulary) == ()


def test_the_plan_moves_only_cards_in_the_builds_decks_and_holds_filtered_ones() -> None:
    package = package_of({}, {guid(c): IncomingNote(10, c, ()) for c in ("a", "b", "c")})
    notes = {guid(c): ExistingNote(i, guid(c), 10, ()) for i, c in enumerate("abcz", start=1)}
    cards = (
        ExistingCard(11, 1, "Test KB::Old area", False),  # not a deck of the build: left alone
        ExistingCard(12, 2, "Test KB", False),  # the root deck: managed, moved
        ExistingCard(13, 3, "My own deck", False),  # the user's: left alone
        ExistingCard(14, 1, "test kb", True),  # in a filtered deck: held
    )
    plan = plan_update(Snapshot(notes, cards), package)
    assert plan.moves == {"Test KB::Area": (12,)} and plan.held == (14,)
    assert plan.orphans == (4,) and plan.new == () and plan.unchanged == (1, 2, 3)
    assert plan_update(Snapshot(notes, cards), package, move_cards=False).moves == {}


def test_edited_in_anki_means_newer_with_other_text() -> None:
    package = package_of({}, {guid(c): IncomingNote(10, f"{c}\x1ftext", ()) for c in "abc"})
    notes = {
        guid("a"): ExistingNote(1, guid("a"), 20, (), "a\x1fmy text"),  # edited in Anki
        guid("b"): ExistingNote(2, guid("b"), 20, ("marked",), "b\x1ftext"),  # only tagged
        guid("c"): ExistingNote(3, guid("c"), 5, (ORPHAN_TAG,)),  # older: updated, and back from orphan
    }
    plan = plan_update(Snapshot(notes), package)
    assert plan.edited == (1,) and plan.updated == (3,) and plan.returning == (3,)


def test_only_this_kbs_superseded_files_are_removed() -> None:
    bundle = make_bundle({"w1": {"d1": ["py/gil"]}}, {"py/gil": ["a"]}, kb="python")
    keep = [bundle.file_name, bundle.topics["py/gil"].note]
    names = [
        *keep,
        "_kbdeck-python-bundle-0123456789abcdef.json",
        "_kbdeck-python-note-0123456789abcdef.html",
        "_kbdeck-python-senior-kb-bundle-0123456789abcdef.json",  # another knowledge base
        "_kbdeck-python-img-0123456789abcdef.png",  # not a kind we own
        "_kbdeck-python-bundle-0123456789abcdef.json.bak",
        "photo.jpg",
    ]
    assert superseded_media(names, bundle) == [
        "_kbdeck-python-bundle-0123456789abcdef.json",
        "_kbdeck-python-note-0123456789abcdef.html",
    ]


def test_a_bundle_cannot_claim_another_knowledge_bases_notes() -> None:
    """Issue 19, item 14: a hostile bundle listing another knowledge base's GUIDs as its cards would
    let an update move, orphan-tag and reconcile that knowledge base's notes."""
    import json

    from addon_helpers import bundle_dict, bundle_name

    from addon.data.bundle import BundleError, parse_bundle

    data = bundle_dict({"w1": {"d1": ["py/gil"]}}, {"py/gil": ["gil-1"]}, kb="evil")
    (card,) = data["cards"].values()
    card["guid"] = guid("gil-1", kb="victim")
    raw = json.dumps(data).encode()
    with pytest.raises(BundleError, match="not the GUID of card 'gil-1' of knowledge base 'evil'"):
        parse_bundle(raw, bundle_name("evil", raw))


def test_a_package_whose_notes_are_not_its_bundles_is_refused(tmp_path: Path, built_deck: Path) -> None:
    """A package carrying notes outside its knowledge base's GUID namespace is refused before import."""
    import shutil
    import sqlite3
    import zipfile

    hostile = tmp_path / "hostile.apkg"
    with zipfile.ZipFile(built_deck) as src, zipfile.ZipFile(hostile, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "collection.anki2":
                db = tmp_path / "c.anki2"
                db.write_bytes(data)
                conn = sqlite3.connect(db)
                conn.execute("update notes set guid = 'victim-guid-1' where id = (select min(id) from notes)")
                conn.commit()
                conn.close()
                data = db.read_bytes()
            dst.writestr(item, data)
    with pytest.raises(PackageError, match="not cards of knowledge base 'python-senior-kb'"):
        read_package(hostile)
    shutil.copy(built_deck, tmp_path / "ok.apkg")
    assert read_package(tmp_path / "ok.apkg").notes

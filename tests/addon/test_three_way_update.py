"""Issue 16: an update never skips an edit and never blames the user.

Real `anki` collections, both schedulers. A mark, a flag, a tag (Anki's own `leech` too), a
suspension or a burial makes a note or its cards newer than the build, so Anki's "update if newer"
import skipped the note and the old add-on called it "edited in Anki". The update now decides from
three texts: the previous build's (a digest in the bundle), the new build's and Anki's.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from anki.collection import Collection
from anki.scheduler.v3 import CardAnswer
from kbtest import make_content

from addon.data.apkg import read_package
from addon.ops.update_op import run_update
from kbdeck.build import build

CARDS = "".join(f"- id: tw-{i}\n  q: Pergunta {i}?\n  a: Resposta {i}.\n  see: por-que-existe\n\n" for i in range(8))
NOTE = "---\ntitle: Três vias\n---\n\n## Por que existe\n\nTexto.\n"


def build_at(content: Path, out: Path, epoch: int, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(epoch))
    result = build(content, out)
    assert result.apkg is not None, result.problems.render_text()
    return result.apkg


def nid(col: Collection, card_id: str) -> int:
    (found,) = col.find_notes(f"Id:{card_id}")
    return int(found)


@pytest.mark.parametrize("fsrs", [False, True], ids=["sm2", "fsrs"])
def test_marked_flagged_tagged_suspended_buried_notes_are_updated_and_keep_their_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fsrs: bool
) -> None:
    content = make_content(tmp_path, {"flashcards/lang/tres.yaml": CARDS, "lang/tres.md": NOTE})
    v1 = build_at(content, tmp_path / "v1", 1_700_000_000, monkeypatch)
    col = Collection(str(tmp_path / "collection.anki2"))
    col.set_config("fsrs", fsrs)
    try:
        run_update(col, str(v1))
        # study a little: the revlog must come out of the update unchanged
        col.decks.select(col.decks.id_for_name("Sample KB::01 Linguagem"))
        for _ in range(4):
            queued = col.sched.get_queued_cards()
            if not queued.cards:
                break
            card = col.get_card(queued.cards[0].card.id)
            card.start_timer()
            col.sched.answer_card(
                col.sched.build_answer(card=card, states=queued.cards[0].states, rating=CardAnswer.GOOD)
            )
        col.tags.bulk_add([nid(col, "tw-0")], "marked")
        col.tags.bulk_add([nid(col, "tw-1")], "leech")
        col.tags.bulk_add([nid(col, "tw-2")], "minha-tag")
        first_card = {i: col.get_note(nid(col, f"tw-{i}")).card_ids()[0] for i in range(8)}
        col.set_user_flag_for_cards(3, [first_card[3]])
        col.sched.suspend_cards([first_card[4]])
        col.sched.bury_cards([first_card[5]], manual=True)
        edited = col.get_note(nid(col, "tw-6"))
        edited.fields[2] = "Minha própria resposta, escrita no Anki."
        col.update_note(edited)
        before = {
            i: (
                col.get_note(nid(col, f"tw-{i}")).tags,
                col.get_card(first_card[i]).queue,
                col.get_card(first_card[i]).flags,
            )
            for i in range(8)
        }
        revlog = col.db.all("select * from revlog order by id")

        # the content of every card changes; the new build's stamp is older than the marks made in Anki
        path = content / "flashcards/lang/tres.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace("Resposta", "Nova resposta"), encoding="utf-8")
        v2 = build_at(content, tmp_path / "v2", 1_700_000_100, monkeypatch)
        assert all(n.mod < col.get_note(nid(col, "tw-0")).mod for n in read_package(v2).notes.values())
        summary = run_update(col, str(v2)).summary

        for i in (0, 1, 2, 3, 4, 5, 7):
            note = col.get_note(nid(col, f"tw-{i}"))
            assert f"Nova resposta {i}." in note.fields[2], i
            assert set(before[i][0]) <= set(note.tags), i  # marked, leech, own tags kept
            card = col.get_card(first_card[i])
            assert (card.queue, card.flags) == before[i][1:], i  # flag, suspension, burial kept
        mine = col.get_note(nid(col, "tw-6"))
        assert mine.fields[2] == "Minha própria resposta, escrita no Anki."
        assert summary.edited == ("tw-6",)
        assert summary.updated == 7 + 0  # the seven, whether the import or the update wrote them
        total = len(read_package(v2).notes)
        assert summary.new + summary.updated + summary.unchanged + len(summary.edited) + summary.conflicting == total
        assert col.db.all("select * from revlog order by id") == revlog

        # nothing new: a second update changes nothing and says so
        again = run_update(col, str(v2)).summary
        assert not again.changed_anything and again.edited == ("tw-6",)
    finally:
        col.close()


def test_the_update_is_one_undo_step(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content = make_content(tmp_path, {"flashcards/lang/tres.yaml": CARDS, "lang/tres.md": NOTE})
    v1 = build_at(content, tmp_path / "v1", 1_700_000_000, monkeypatch)
    col = Collection(str(tmp_path / "collection.anki2"))
    try:
        run_update(col, str(v1))
        col.tags.bulk_add([nid(col, "tw-0")], "marked")
        path = content / "flashcards/lang/tres.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace("Resposta 0.", "Outra 0."), encoding="utf-8")
        v2 = build_at(content, tmp_path / "v2", 1_700_000_100, monkeypatch)
        run_update(col, str(v2), undo_label="kbdeck update")
        assert "Outra 0." in col.get_note(nid(col, "tw-0")).fields[2]
        col.undo()
        note = col.get_note(nid(col, "tw-0"))
        assert "Resposta 0." in note.fields[2] and "marked" in note.tags
    finally:
        col.close()


def test_ten_rebuild_update_cycles_leave_one_bundle_and_the_current_notes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Media hygiene (issue 16): superseded bundles and note pages of the knowledge base go to Anki's media
    trash after each update; another knowledge base's files are never touched."""
    import os

    content = make_content(tmp_path, {"flashcards/lang/tres.yaml": CARDS, "lang/tres.md": NOTE})
    other = make_content(tmp_path / "other", {})
    roadmap = other / "roadmap.yaml"
    roadmap.write_text(roadmap.read_text(encoding="utf-8").replace("id: sample-kb", "id: outra-kb"), encoding="utf-8")
    col = Collection(str(tmp_path / "collection.anki2"))
    try:
        run_update(col, str(build_at(other, tmp_path / "o", 1_700_000_000, monkeypatch)))
        media = Path(col.media.dir())
        theirs = sorted(n for n in os.listdir(media) if n.startswith("_kbdeck-outra-kb-"))
        assert theirs
        note = content / "lang/tres.md"
        for cycle in range(10):
            note.write_text(NOTE.replace("Texto.", f"Texto da versão {cycle}."), encoding="utf-8")
            apkg = build_at(content, tmp_path / f"v{cycle}", 1_700_000_000 + cycle * 100, monkeypatch)
            run_update(col, str(apkg))
        ours = sorted(n for n in os.listdir(media) if n.startswith("_kbdeck-sample-kb-"))
        bundle = read_package(apkg).bundle
        assert [n for n in ours if "-bundle-" in n] == [bundle.file_name]
        assert sorted(n for n in ours if "-note-" in n) == sorted(t.note for t in bundle.topics.values() if t.note)
        assert sorted(n for n in os.listdir(media) if n.startswith("_kbdeck-outra-kb-")) == theirs
    finally:
        col.close()


def test_an_anki_edit_is_offered_with_its_diff_and_the_builds_text_can_be_taken_and_undone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from addon.data.i18n import Translator
    from addon.ops.update_op import take_build_text
    from addon.views.render_update import render_summary

    content = make_content(tmp_path, {"flashcards/lang/tres.yaml": CARDS, "lang/tres.md": NOTE})
    col = Collection(str(tmp_path / "collection.anki2"))
    try:
        run_update(col, str(build_at(content, tmp_path / "v1", 1_700_000_000, monkeypatch)))
        mine = col.get_note(nid(col, "tw-2"))
        mine.fields[2] = "<p>Minha versão &amp; nota</p>"
        col.update_note(mine)
        path = content / "flashcards/lang/tres.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace("Resposta 2.", "Resposta dois."), encoding="utf-8")
        summary = run_update(col, str(build_at(content, tmp_path / "v2", 1_700_000_100, monkeypatch))).summary
        (edit,) = summary.edits
        assert edit.card_id == "tw-2" and [d.name for d in edit.diffs] == ["Back"]
        assert edit.file == "flashcards/lang/tres.yaml"
        lines = (content / edit.file).read_text(encoding="utf-8").splitlines()
        assert lines[edit.line - 1] == "- id: tw-2"  # "open the source" lands on the card
        assert "Minha versão" in edit.diffs[0].anki and "Resposta dois." in edit.diffs[0].build
        for language in ("en", "pt-BR"):
            page = render_summary(summary, Translator(language))
            assert 'data-edited="tw-2"' in page and 'data-field="Back"' in page
            assert 'data-kbdeck="take-build"' in page and 'data-what="tw-2"' in page
            assert 'data-kbdeck="edit-card"' in page and f'title="{edit.file}:{edit.line}"' in page
            assert "Minha versão &amp; nota" in page and "<p>Minha" not in page  # shown as text, escaped
        assert col.get_note(nid(col, "tw-2")).fields[2] == "<p>Minha versão &amp; nota</p>"
        take_build_text(col, edit, "kbdeck: use the build's text")
        assert "Resposta dois." in col.get_note(nid(col, "tw-2")).fields[2]
        col.undo()
        assert col.get_note(nid(col, "tw-2")).fields[2] == "<p>Minha versão &amp; nota</p>"
    finally:
        col.close()


def test_open_the_source_runs_the_editor_on_the_cards_file_and_line(tmp_path: Path) -> None:
    """The third choice for a note edited in Anki: the card's own file, at its line, inside the content
    folder only (the path comes from a deck: untrusted)."""
    import sys
    import time

    from addon.data.editor import EditorError, card_file, open_file

    content = tmp_path / "content"
    (content / "flashcards/lang").mkdir(parents=True)
    cards = content / "flashcards/lang/tres.yaml"
    cards.write_text(CARDS, encoding="utf-8")
    marker = tmp_path / "opened.txt"
    command = f"{sys.executable} -c \"import sys; open({str(marker)!r}, 'w').write(sys.argv[1])\" {{path}}:{{line}}"
    open_file(card_file(str(content), "flashcards/lang/tres.yaml"), 7, command)
    deadline = time.monotonic() + 10
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.read_text(encoding="utf-8") == f"{cards.resolve()}:7"
    for bad in ("../outside.yaml", "/etc/passwd", "flashcards/lang/tres.py", "flashcards/none.yaml"):
        with pytest.raises(EditorError):
            card_file(str(content), bad)


def test_superseded_files_left_by_plain_imports_are_trashed_when_a_profile_opens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Plain File → Import never trashes anything: the add-on does it when the profile opens."""
    import os

    from anki_helpers import import_apkg

    from addon.ops.update_op import trash_superseded_everywhere

    content = make_content(tmp_path, {"flashcards/lang/tres.yaml": CARDS, "lang/tres.md": NOTE})
    other = make_content(tmp_path / "other", {})
    roadmap = other / "roadmap.yaml"
    roadmap.write_text(roadmap.read_text(encoding="utf-8").replace("id: sample-kb", "id: outra-kb"), encoding="utf-8")
    col = Collection(str(tmp_path / "collection.anki2"))
    try:
        import_apkg(col, build_at(other, tmp_path / "o", 1_700_000_000, monkeypatch))
        for version in range(3):  # three plain imports, each with a new bundle and a new note page
            (content / "lang/tres.md").write_text(NOTE.replace("Texto.", f"Texto {version}."), encoding="utf-8")
            apkg = build_at(content, tmp_path / f"v{version}", 1_700_000_000 + 100 * version, monkeypatch)
            import_apkg(col, apkg)
        media = Path(col.media.dir())
        theirs = sorted(n for n in os.listdir(media) if n.startswith("_kbdeck-outra-kb-"))
        assert len([n for n in os.listdir(media) if "_kbdeck-sample-kb-bundle-" in n]) == 3
        trashed = trash_superseded_everywhere(col)
        ours = sorted(n for n in os.listdir(media) if n.startswith("_kbdeck-sample-kb-"))
        bundle = read_package(apkg).bundle
        assert [n for n in ours if "-bundle-" in n] == [bundle.file_name] and len(trashed) >= 2
        assert sorted(n for n in ours if "-note-" in n) == sorted(t.note for t in bundle.topics.values() if t.note)
        assert sorted(n for n in os.listdir(media) if n.startswith("_kbdeck-outra-kb-")) == theirs
        assert trash_superseded_everywhere(col) == []  # nothing left to do the next time
    finally:
        col.close()


def test_a_new_note_section_reaches_existing_notes_through_the_update_with_their_tags(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 20: adding the note section to every card must not re-stamp them (a plain import would then
    drop every note's tags); the add-on's update brings the section, tags kept."""
    from anki_helpers import import_apkg

    import kbdeck.render.assembly

    content = make_content(tmp_path, {"flashcards/lang/tres.yaml": CARDS, "lang/tres.md": NOTE})
    with monkeypatch.context() as before_sections:  # a build from before notes travelled with their cards
        before_sections.setattr(
            kbdeck.render.assembly, "section_markdown", lambda topic, heading, lines=None: ("", False)
        )
        v1 = build_at(content, tmp_path / "v1", 1_700_000_000, monkeypatch)
    plain = Collection(str(tmp_path / "plain.anki2"))
    col = Collection(str(tmp_path / "collection.anki2"))
    try:
        import_apkg(plain, v1)
        run_update(col, str(v1))
        for c in (plain, col):
            c.tags.bulk_add([nid(c, "tw-1")], "leech minha-tag")
        v2 = build(content, tmp_path / "v2")
        assert v2.apkg is not None and v2.changes is not None
        assert v2.changes.changed == () and len(v2.changes.sections) == len(v2.notes)
        import_apkg(plain, v2.apkg)  # plain import: nothing re-stamped, nothing updated, tags kept
        note = plain.get_note(nid(plain, "tw-1"))
        assert {"leech", "minha-tag"} <= set(note.tags) and note["Reserved1"] == ""
        summary = run_update(col, str(v2.apkg)).summary  # the add-on: sections arrive, tags kept
        note = col.get_note(nid(col, "tw-1"))
        assert "kb-section-text" in note["Reserved1"] and "Texto." in note["Reserved1"]
        assert {"leech", "minha-tag"} <= set(note.tags)
        assert summary.updated == len(v2.notes) and not summary.edited
    finally:
        plain.close()
        col.close()

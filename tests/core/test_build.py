"""Build → import into a real Anki collection: counts, fields, tags, decks, CSS, bundle, reproducibility."""

from __future__ import annotations

import gc
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from anki_helpers import import_apkg, new_collection
from kbtest import make_content

import kbdeck.build
from kbdeck.build import build
from kbdeck.cli import main
from kbdeck.model.contract import note_guid
from kbdeck.model.notetypes import BASIC_FIELDS, BASIC_NAME, CLOZE_FIELDS, CLOZE_NAME


def built(content: Path, out: Path) -> Path:
    result = build(content, out)
    assert result.apkg is not None, result.problems.render_text()
    return result.apkg


def test_deck_imports_with_everything_in_place(sample: Path, tmp_path: Path) -> None:
    apkg = built(sample, tmp_path / "build")
    assert apkg.name == "Sample KB.apkg"
    col = new_collection(tmp_path)
    log = import_apkg(col, apkg)
    assert len(log.new) == 5 and not log.updated and not log.conflicting
    assert col.note_count() == 5 and col.card_count() == 5
    names = sorted(d.name for d in col.decks.all_names_and_ids())
    assert "Sample KB::01 Linguagem" in names
    basic, cloze = col.models.by_name(BASIC_NAME), col.models.by_name(CLOZE_NAME)
    assert [f["name"] for f in basic["flds"]] == list(BASIC_FIELDS)
    assert [f["name"] for f in cloze["flds"]] == list(CLOZE_FIELDS)
    assert ".nightMode pre.kb-code" in basic["css"]

    note = col.get_note(col.find_notes("Id:gil-o-que-e")[0])
    assert note.guid == note_guid("sample-kb", "gil-o-que-e")
    assert note["Source"] == "lang/gil.md#por-que-existe"
    assert note["SourceURL"] == "https://example.org/kb/blob/main/content/lang/gil.md#por-que-existe"
    assert "<strong>GIL</strong>" in note["Front"]
    assert set(note.tags) >= {"kb::lang::gil", "kb::semana-1::dia-1", "cpython", "concorrencia"}
    card = note.cards()[0]
    assert col.decks.name(card.did) == "Sample KB::01 Linguagem"
    assert 'data-kbdeck-src="lang/gil.md#por-que-existe"' in card.answer()

    # new-card order follows the roadmap: day order, then topic order, then file order
    order = [col.get_card(cid).note()["Id"] for cid in col.find_cards("deck:Sample*", order="c.due asc")]
    assert order == ["gil-o-que-e", "gil-cloze-codigo", "gil-output", "gil-output-include", "listas-fatia"]

    # output cards show the real output of their code
    out = col.get_note(col.find_notes("Id:gil-output")[0])
    assert "<code>6</code>" in out["Back"]
    cl = col.get_card(col.find_cards("Id:gil-cloze-codigo")[0])
    assert "[...]" in cl.question() and '<span class="cloze"' in cl.answer()

    media = sorted(Path(col.media.dir()).iterdir())
    bundle_files = [p for p in media if p.name.startswith("_kbdeck-sample-kb-bundle-")]
    assert len(bundle_files) == 1
    bundle = json.loads(bundle_files[0].read_text(encoding="utf-8"))
    assert bundle["schema_version"] == 1 and bundle["kb"]["id"] == "sample-kb"
    assert bundle["topics"]["lang/gil"]["cards"] == [
        "gil-o-que-e",
        "gil-cloze-codigo",
        "gil-output",
        "gil-output-include",
    ]
    note_file = Path(col.media.dir()) / bundle["topics"]["lang/gil"]["note"]
    assert '<h2 id="por-que-existe">' in note_file.read_text(encoding="utf-8")
    assert bundle["build"]["generation"] == 1
    col.close()


def test_same_input_gives_identical_bytes(sample: Path, tmp_path: Path) -> None:
    first = built(sample, tmp_path / "a").read_bytes()
    again = built(sample, tmp_path / "b").read_bytes()
    assert first == again
    clone = tmp_path / "clone"
    shutil.copytree(sample, clone)  # a fresh clone carries the committed ledger
    assert built(clone, tmp_path / "c").read_bytes() == first


def test_build_runs_without_the_cyclic_collector_and_gives_it_back(
    sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    during: list[bool] = []
    check = kbdeck.build.check

    def spying(*args: object, **kwargs: object) -> None:
        during.append(gc.isenabled())
        check(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(kbdeck.build, "check", spying)
    assert gc.isenabled()
    built(sample, tmp_path / "a")
    assert during == [False] and gc.isenabled()
    (sample / "roadmap.yaml").write_text("roadmap: [", encoding="utf-8")  # a build that stops at loading
    assert build(sample, tmp_path / "a").apkg is None and gc.isenabled()
    gc.disable()  # a caller that turned it off keeps it off
    try:
        build(sample, tmp_path / "a")
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_zip_has_no_build_time_in_it(sample: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(built(sample, tmp_path / "b")) as zf:
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert zf.namelist()[:2] == ["collection.anki2", "media"]


def test_compress_deflates_the_same_package_and_a_rebuild_notices_the_switch(sample: Path, tmp_path: Path) -> None:
    out = tmp_path / "build"
    stored = built(sample, out)
    plain = stored.read_bytes()
    with zipfile.ZipFile(stored) as zf:
        assert {i.compress_type for i in zf.infolist()} == {zipfile.ZIP_STORED}
        entries = {i.filename: zf.read(i) for i in zf.infolist()}
    result = build(sample, out, compress=True)  # same content: only the container changes
    assert result.apkg == stored and len(stored.read_bytes()) < len(plain) / 2
    with zipfile.ZipFile(stored) as zf:
        assert {i.compress_type for i in zf.infolist()} == {zipfile.ZIP_DEFLATED}
        assert {i.filename: zf.read(i) for i in zf.infolist()} == entries
    col = new_collection(tmp_path)
    assert len(import_apkg(col, stored).new) == 5
    col.close()
    assert main(["build", "--content", str(sample), "--out", str(out)]) == 0
    assert stored.read_bytes() == plain


def test_edit_updates_only_the_edited_note_and_keeps_anki_tags(
    sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    col = new_collection(tmp_path)
    import_apkg(col, built(sample, tmp_path / "v1"))
    for nid in col.find_notes(""):
        note = col.get_note(nid)
        note.add_tag("marked")
        col.update_note(note)
    cards = (sample / "flashcards/lang/gil.yaml").read_text(encoding="utf-8")
    (sample / "flashcards/lang/gil.yaml").write_text(
        cards.replace("em especial as contagens", "sobretudo as contagens"), encoding="utf-8"
    )
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")  # the edit happens later than Anki's own edits
    result = build(sample, tmp_path / "v2")
    assert result.changes is not None and result.changes.changed == ("gil-o-que-e",)
    assert result.apkg is not None
    log = import_apkg(col, result.apkg)
    assert len(log.updated) == 1 and len(log.new) == 0
    edited = col.get_note(col.find_notes("Id:gil-o-que-e")[0])
    assert "sobretudo" in edited["Back"]
    untouched = col.get_note(col.find_notes("Id:listas-fatia")[0])
    assert "marked" in untouched.tags
    assert col.note_count() == 5
    col.close()


def test_build_refuses_on_errors_and_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_content(tmp_path, {"flashcards/lang/listas.yaml": "- id: x\n  q: ''\n  a: y\n"})
    code = main(["build", "--content", str(root), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 1
    assert "empty-question" in err and "build refused" in err
    assert not list((tmp_path / "out").glob("*.apkg"))  # only the output-run cache may exist


def test_dry_run_reports_without_writing(sample: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["build", "--content", str(sample), "--out", str(tmp_path / "out"), "--dry-run"])
    out = capsys.readouterr().out
    assert code == 0 and "5 new" in out and "dry run" in out
    assert not (tmp_path / "out" / "Sample KB.apkg").exists()
    assert not (sample / ".kbdeck-ledger.json").exists()


def test_a_build_that_changes_many_notes_says_what_it_costs_plain_import_users(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A plain File → Import replaces an updated note's tags: a build touching many notes says so."""
    from kbdeck.build import summary

    cards = "".join(
        f"- id: muitos-{i}\n  q: pergunta {i}\n  a: resposta {i}\n  see: por-que-existe\n\n" for i in range(30)
    )
    content = make_content(
        tmp_path,
        {"flashcards/lang/muitos.yaml": cards, "lang/muitos.md": "---\ntitle: M\n---\n\n## Por que existe\n\nx\n"},
    )
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first = build(content, tmp_path / "out")
    assert "NOTE:" not in summary(first)
    path = content / "flashcards/lang/muitos.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("resposta", "outra resposta"), encoding="utf-8")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    again = summary(build(content, tmp_path / "out"))
    assert "NOTE: 30 existing notes changed" in again and "plain File → Import replaces" in again
    assert "add-on's update from build puts them back" in again


def test_a_filtered_deck_of_a_topic_starts_with_its_first_card(tmp_path: Path) -> None:
    """Issue 17: new-card positions started at 0, which a filtered deck keeps as 0 while the others get
    -100000+n, so "Study now" showed the topic's first card last."""
    from anki.decks import DeckId, FilteredDeckConfig

    content = make_content(tmp_path, {})
    result = build(content, tmp_path / "out")
    assert result.apkg is not None
    assert min(n.due for n in result.notes) == 1
    first = min(result.notes, key=lambda n: n.due).card_id
    col = new_collection(tmp_path)
    import_apkg(col, result.apkg)
    fd = col.sched.get_or_create_filtered_deck(deck_id=DeckId(0))
    fd.name = "kbdeck study"
    del fd.config.search_terms[:]
    fd.config.search_terms.append(
        FilteredDeckConfig.SearchTerm(search="deck:Sample*", limit=100, order=FilteredDeckConfig.SearchTerm.Order.ADDED)
    )
    out = col.sched.add_or_update_filtered_deck(fd)
    col.decks.select(DeckId(out.id))
    queued = col.sched.get_queued_cards()
    assert col.get_card(queued.cards[0].card.id).note()["Id"] == first
    col.close()


def test_the_summary_counts_notes_and_the_anki_cards_they_make(tmp_path: Path) -> None:
    """Issue 17: the summary said "526 cards" for 526 notes, which Anki and the add-on showed as 736 cards."""
    from kbdeck.build import summary

    content = make_content(tmp_path, {})
    gil = content / "flashcards/lang/gil.yaml"
    gil.write_text(gil.read_text(encoding="utf-8").replace("2, 3])", "2, {{c2::3}}])"), encoding="utf-8")
    result = build(content, tmp_path / "out")
    assert result.apkg is not None, result.problems.render_text()
    text = summary(result)
    col = new_collection(tmp_path)
    import_apkg(col, result.apkg)
    assert (col.note_count(), col.card_count()) == (5, 6)  # the cloze note has two deletions: two cards
    col.close()
    assert "  5 notes (" in text and ") → 6 Anki cards\n" in text and "5 cards" not in text
    assert "  first build: 5 new notes\n" in text and "since the last build" not in text
    assert "0 new, 0 changed, 5 unchanged, 0 removed notes" in summary(build(content, tmp_path / "out"))


def test_the_summary_says_one_of_a_thing_in_the_singular(tmp_path: Path) -> None:
    """`kbdeck init`'s knowledge base has one example and one deck, and a card removed from it is one card
    id: the summary said "1 examples" and "1 card id(s) … are gone", which a new user reads first."""
    from kbdeck.build import summary
    from kbdeck.init import init

    content = tmp_path / "kb"
    init(content, "en")
    first = summary(build(content, tmp_path / "out"))
    assert "; 1 example; 0 mock interviews\n" in first and ", 1 deck;" in first and "first build: 5 new notes" in first
    cards = next((content / "flashcards").rglob("lists.yaml"))
    text = cards.read_text(encoding="utf-8")
    start = text.index("- id: lists-cloze-step")
    end = text.index("\n- ", start + 1)
    cards.write_text(text[:start] + text[end + 1 :], encoding="utf-8")
    again = summary(build(content, tmp_path / "out"))
    assert "  4 notes (" in again and "→ 4 Anki cards\n" in again and "1 removed notes" in again
    assert "WARNING: 1 card id of the previous build is gone; in Anki that card keeps its history" in again


@pytest.mark.parametrize("compress", [False, True])
def test_a_collection_past_zips_2_gib_limit_gets_zip64_and_imports(
    sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, compress: bool
) -> None:
    """A streamed zip entry whose size zipfile was not told is written without Zip64 and refused past 2 GiB
    ("File size too large"): about 500,000 cards like the bench's. The limit is lowered here to a few KiB,
    as if the collection were that large; the package gets Zip64 fields and real Anki imports it."""
    normal = built(sample, tmp_path / "normal")
    monkeypatch.setattr(zipfile, "ZIP64_LIMIT", 4096)
    apkg = build(sample, tmp_path / "large", compress=compress).apkg
    assert apkg is not None
    with zipfile.ZipFile(apkg) as zf:
        info = zf.getinfo("collection.anki2")
        assert info.file_size > 4096 and b"\x01\x00" in info.extra[:2]  # the Zip64 extra field (id 0x0001)
        assert zf.testzip() is None
    col = new_collection(tmp_path)
    assert len(import_apkg(col, apkg).new) == 5 and col.card_count() == 5
    col.close()
    with zipfile.ZipFile(normal) as zf:  # under the limit: no Zip64 field (the bytes as before the fix)
        assert not zf.getinfo("collection.anki2").extra


@pytest.mark.parametrize("how", ["deleted", "rebuilt-from-nothing"])
def test_a_lost_ledger_is_recovered_from_the_previous_package(
    sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], how: str
) -> None:
    """Without its ledger a build took every note for new: each got today's date, a plain import updated
    all of them and Anki dropped their Anki-side tags, and the generation went back to 1 (the add-on kept
    showing the older, higher bundle). The package the previous build left says what each note was."""
    out = tmp_path / "out"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert build(sample, out).apkg is not None
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000100")
    (sample / "lang/listas.md").write_text(  # generation 2: a note page changed, the notes did not
        (sample / "lang/listas.md").read_text(encoding="utf-8") + "\nMais um parágrafo.\n", encoding="utf-8"
    )
    v2 = build(sample, out)
    assert v2.apkg is not None and v2.ledger is not None and v2.ledger.generation == 2
    col = new_collection(tmp_path)
    import_apkg(col, v2.apkg)
    for nid in col.find_notes(""):
        note = col.get_note(nid)
        note.add_tag("marked")
        col.update_note(note)
    mods = {col.get_note(nid).guid: col.get_note(nid).mod for nid in col.find_notes("")}
    ledger = sample / ".kbdeck-ledger.json"
    if how == "deleted":
        ledger.unlink()
    else:
        ledger.write_text("{not json", encoding="utf-8")
        assert main(["ledger", "--content", str(sample), "--rebuild"]) == 0
    gil = sample / "flashcards/lang/gil.yaml"  # one card edited, one removed, while the ledger was gone
    text = gil.read_text(encoding="utf-8").replace("em especial as contagens", "sobretudo as contagens")
    removed = "gil-output-include"
    gil.write_text(text[: text.index(f"- id: {removed}")], encoding="utf-8")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    capsys.readouterr()
    assert main(["build", "--content", str(sample), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "warning[ledger-recovered]: the build ledger was missing or empty: recovered from" in err
    after = json.loads(ledger.read_text(encoding="utf-8"))
    assert after["generation"] == 3 and removed in after["removed"]
    log = import_apkg(col, out / "Sample KB.apkg")
    assert len(log.updated) == 1 and len(log.new) == 0  # the edited note only
    edited = col.get_note(col.find_notes("Id:gil-o-que-e")[0])
    assert "sobretudo" in edited["Back"]
    kept = col.find_notes(f"-Id:gil-o-que-e -Id:{removed}")
    assert len(kept) == len(mods) - 2
    for nid in kept:
        note = col.get_note(nid)
        assert "marked" in note.tags and note.mod == mods[note.guid], note["Id"]
    col.close()


def test_a_package_that_cannot_say_anything_recovers_nothing(sample: Path, tmp_path: Path) -> None:
    """Whatever sits where the previous package was (garbage, another tool's zip, another knowledge base's
    package, a bundle with a field of the wrong type) gives no stamps, and never a traceback."""
    from kbdeck.apkg.recover import previous_build

    apkg = built(sample, tmp_path / "out")
    assert previous_build(apkg, "sample-kb") is not None
    assert previous_build(apkg, "another-kb") is None
    assert previous_build(tmp_path / "missing.apkg", "sample-kb") is None
    junk = tmp_path / "junk.apkg"
    for data in (b"", b"PK\x03\x04 not a zip", b"\x00" * 100):
        junk.write_bytes(data)
        assert previous_build(junk, "sample-kb") is None
    with zipfile.ZipFile(junk, "w") as zf:
        zf.writestr("media", "{}")
    assert previous_build(junk, "sample-kb") is None
    with zipfile.ZipFile(apkg) as src, zipfile.ZipFile(junk, "w") as dst:
        media = json.loads(src.read("media"))
        for info in src.infolist():
            data = src.read(info)
            if "bundle" in media.get(info.filename, ""):
                bundle = json.loads(data)
                bundle["build"]["generation"] = "many"
                data = json.dumps(bundle).encode()
            dst.writestr(info, data)
    assert previous_build(junk, "sample-kb") is None


def test_the_ledger_command_says_when_there_is_no_ledger(sample: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """It said "is sound: 0 notes, build generation 0" of a ledger that does not exist."""
    (sample / ".kbdeck-ledger.json").unlink(missing_ok=True)
    capsys.readouterr()
    assert main(["ledger", "--content", str(sample)]) == 0
    out = capsys.readouterr().out
    assert "there is no ledger at" in out and "recovers it from the previous package" in out and "sound" not in out


def test_names_with_spaces_and_hashes_give_whole_tags_and_working_links(sample: Path, tmp_path: Path) -> None:
    """Anki splits tags on spaces: a note `lang/minhas listas#1.md` on a day `Dia 1` of a week `Semana 1`
    gave the tags `kb::lang::minhas`, `listas#1` and `kb::Semana`, `1::Dia`, `1`; and its web link ended
    its path at the `#` (a 404 on the phone)."""
    (sample / "lang/listas.md").rename(sample / "lang/minhas listas#1.md")
    (sample / "flashcards/lang/listas.md").rename(sample / "flashcards/lang/minhas listas#1.md")
    roadmap = (sample / "roadmap.yaml").read_text(encoding="utf-8")
    roadmap = roadmap.replace("lang/listas]", '"lang/minhas listas#1"]')
    roadmap = roadmap.replace("id: semana-1", "id: Semana 1").replace("id: dia-1", "id: Dia 1")
    (sample / "roadmap.yaml").write_text(roadmap, encoding="utf-8")
    col = new_collection(tmp_path)
    import_apkg(col, built(sample, tmp_path / "build"))
    listas = col.get_note(col.find_notes("Id:listas-fatia")[0])
    assert sorted(listas.tags) == sorted(
        ["kb::lang::minhas-listas#1", "kb::Semana-1::Dia-1", "kb::tipo::basic", "python", "listas"]
    )
    assert listas["Source"] == "lang/minhas listas#1.md#fatiamento"  # the add-on's key (`split_source`)
    assert listas["SourceURL"] == "https://example.org/kb/blob/main/content/lang/minhas%20listas%231.md#fatiamento"
    gil = col.get_note(col.find_notes("Id:gil-o-que-e")[0])
    assert "kb::lang::gil" in gil.tags and "kb::Semana-1::Dia-1" in gil.tags
    assert gil["SourceURL"] == "https://example.org/kb/blob/main/content/lang/gil.md#por-que-existe"


def test_an_example_whose_name_holds_a_space_is_included(sample: Path, tmp_path: Path) -> None:
    """`@include examples/demo/hello world.py#soma` was no directive (the reference stopped at the space),
    so the note showed the line as text and the checker said nothing."""
    (sample / "examples/demo/hello.py").rename(sample / "examples/demo/hello world.py")
    for rel in ("lang/gil.md", "flashcards/lang/gil.yaml"):
        path = sample / rel
        path.write_text(path.read_text(encoding="utf-8").replace("demo/hello.py", "demo/hello world.py"), "utf-8")
    result = build(sample, tmp_path / "build")
    assert result.apkg is not None, result.problems.render_text()
    fields = [f for n in result.notes for f in n.fields]
    assert not any("@include" in f for f in fields)
    assert any('data-lang="python"' in f and "hello world.py</div>" in f for f in fields)  # the block, labelled
    (sample / "lang/gil.md").write_text(
        (sample / "lang/gil.md").read_text(encoding="utf-8").replace("hello world.py#soma", "hello  wrld.py#soma"),
        "utf-8",
    )
    refused = build(sample, tmp_path / "build")
    assert [p.code for p in refused.problems.errors] == ["bad-include"]


def test_a_source_url_without_its_final_slash_still_links_to_the_note(sample: Path, tmp_path: Path) -> None:
    """`source_url: https://…/content` (no final `/`) made every phone link `…/contentlang/gil.md`, a 404."""
    roadmap = sample / "roadmap.yaml"
    roadmap.write_text(roadmap.read_text(encoding="utf-8").replace("main/content/", "main/content"), "utf-8")
    col = new_collection(tmp_path)
    import_apkg(col, built(sample, tmp_path / "build"))
    note = col.get_note(col.find_notes("Id:gil-o-que-e")[0])
    assert note["SourceURL"] == "https://example.org/kb/blob/main/content/lang/gil.md#por-que-existe"

"""kbdeck's own collection writer holds exactly the rows genanki would write.

The reference below is the genanki-based writer kbdeck used before (genanki builds the schema,
decks and note types and decides the cards; notes and cards are then inserted with the same
ids and times). Every table of both databases must be equal, row for row, on the test knowledge
bases and on the shipped one.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
import zipfile
from pathlib import Path

import genanki
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kbtest import CONTENT, FIXTURES

from kbdeck.apkg import collection
from kbdeck.apkg.package import Package, deck_id, write_apkg
from kbdeck.apkg.theme import card_css
from kbdeck.build import build
from kbdeck.model.notetypes import BASIC, CLOZE, NoteTypeSpec
from kbdeck.render.assembly import RenderedNote

TABLES = ("col", "notes", "cards", "revlog", "graves")


def make_model(spec: NoteTypeSpec) -> genanki.Model:
    return genanki.Model(
        spec.model_id,
        spec.name,
        fields=[{"name": f} for f in spec.fields],
        templates=[{"name": spec.template_name, "qfmt": spec.qfmt, "afmt": spec.afmt}],
        css=card_css(),
        model_type=genanki.Model.CLOZE if spec.is_cloze else genanki.Model.FRONT_BACK,
        sort_field_index=1,
    )


def reference_db(
    db_path: Path,
    kb_id: str,
    root_deck: str,
    description: str,
    notes: list[RenderedNote],
    note_mtimes: dict[str, int],
    notetype_mtimes: dict[str, int],
) -> None:
    """The collection as the genanki-based writer made it."""
    models = {BASIC.name: make_model(BASIC), CLOZE.name: make_model(CLOZE)}
    decks = {root_deck: genanki.Deck(deck_id(kb_id, root_deck), root_deck, description=description)}
    by_deck: dict[str, list[RenderedNote]] = {root_deck: []}
    for note in notes:
        if note.deck not in decks:
            decks[note.deck] = genanki.Deck(deck_id(kb_id, note.deck), note.deck)
            by_deck[note.deck] = []
        by_deck[note.deck].append(note)
    for deck in decks.values():
        for model in models.values():
            deck.add_model(model)
    stamp = max([*note_mtimes.values(), *notetype_mtimes.values(), 1])
    conn = sqlite3.connect(db_path)
    cursor = conn.cursor()
    ids = itertools.count(stamp * 1000)
    genanki.Package(list(decks.values())).write_to_db(cursor, stamp, ids)
    for name, deck in decks.items():
        for note in by_deck[name]:
            model = models[note.notetype.name]
            fields = list(note.fields)
            mod = note_mtimes[note.guid]
            nid = next(ids)
            tags = " " + " ".join(note.tags) + " "
            cursor.execute(
                "INSERT INTO notes VALUES(?,?,?,?,?,?,?,?,?,?,?)",
                (nid, note.guid, model.model_id, mod, -1, tags, "\x1f".join(fields), fields[1], 0, 0, ""),
            )
            for card in genanki.Note(model=model, fields=fields).cards:
                cursor.execute(
                    "INSERT INTO cards VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (next(ids), nid, deck.deck_id, card.ord, mod, -1, 0, 0, note.due, 0, 0, 0, 0, 0, 0, 0, 0, ""),
                )
    (models_json,) = cursor.execute("SELECT models FROM col").fetchone()
    model_map = json.loads(models_json)
    for model_data in model_map.values():
        model_data["mod"] = notetype_mtimes.get(model_data["name"], stamp)
    cursor.execute("UPDATE col SET models = ?, mod = ?", (json.dumps(model_map, sort_keys=True), stamp))
    conn.commit()
    conn.close()


def rows(db: Path) -> dict[str, list[tuple[object, ...]]]:
    conn = sqlite3.connect(db)
    try:
        out = {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in TABLES}
        out["schema"] = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name").fetchall()
        return out
    finally:
        conn.close()


@pytest.mark.parametrize("kb", ["sample", "cards-kb", "shipped"])
def test_every_row_is_the_one_genanki_writes(kb: str, tmp_path: Path) -> None:
    content = {"sample": FIXTURES / "kb", "cards-kb": FIXTURES / "cards-kb", "shipped": CONTENT}[kb]
    result = build(content, tmp_path / "out", dry_run=True)  # dry: the shipped ledger stays as it is
    assert result.kb is not None and result.ledger is not None and result.notes
    ledger, rm = result.ledger, result.kb.roadmap
    note_mtimes = {n.guid: ledger.notes[n.card_id].changed_at for n in result.notes}
    type_mtimes = {k.split(":", 1)[1]: e.changed_at for k, e in ledger.stamps.items() if k.startswith("notetype:")}
    reference_db(tmp_path / "ref.anki2", rm.id, rm.deck, rm.title, result.notes, note_mtimes, type_mtimes)

    apkg = tmp_path / "ours.apkg"
    write_apkg(Package(apkg, rm.id, rm.deck, rm.title, result.notes, note_mtimes, type_mtimes, {}))
    with zipfile.ZipFile(apkg) as zf:
        (tmp_path / "ours.anki2").write_bytes(zf.read("collection.anki2"))
    ours, ref = rows(tmp_path / "ours.anki2"), rows(tmp_path / "ref.anki2")
    assert len(ours["notes"]) == len(result.notes) and ours["cards"]
    for table in ref:
        assert ours[table] == ref[table], table


def test_req_is_what_genanki_computes_from_the_templates() -> None:
    for spec in (BASIC, CLOZE):
        assert [[t, how, list(f)] for t, how, f in spec.req] == make_model(spec)._req
    assert collection.LATEX_PRE == genanki.Model.DEFAULT_LATEX_PRE


FIELD = st.lists(
    st.sampled_from(["", "x", "{{c1::a}}", "{{c2::b::dica}}", "{{c0::z}}", "{{c12::\nm}}", "{{c3::}}", "{{", "}}"]),
    max_size=6,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(fields=st.lists(FIELD, min_size=len(CLOZE.fields), max_size=len(CLOZE.fields)))
def test_cloze_cards_are_the_ones_genanki_gives(fields: list[str]) -> None:
    expected = [c.ord for c in genanki.Note(model=make_model(CLOZE), fields=fields).cards]
    assert collection.card_ords(CLOZE, tuple(fields)) == expected


@settings(max_examples=100, deadline=None)
@given(fields=st.lists(st.sampled_from(["", "x"]), min_size=len(BASIC.fields), max_size=len(BASIC.fields)))
def test_basic_cards_are_the_ones_genanki_gives(fields: list[str]) -> None:
    expected = [c.ord for c in genanki.Note(model=make_model(BASIC), fields=fields).cards]
    assert collection.card_ords(BASIC, tuple(fields)) == expected

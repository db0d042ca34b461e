"""Stage 4 of the build: rendered notes + bundle → a byte-reproducible `.apkg`.

genanki builds the collection; we then set each note's modification time from the ledger (genanki
uses one build time for all) and zip with fixed entry dates, so the same input and ledger always
give identical bytes.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import sqlite3
import tempfile
import zipfile
from pathlib import Path

import genanki

from .notetypes import BASIC, CLOZE, NoteTypeSpec
from .render import RenderedNote
from .theme import card_css

ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def deck_id(kb_id: str, name: str) -> int:
    """Fixed deck id per (knowledge base, deck name): Anki matches decks by name, ids only need stability."""
    digest = hashlib.sha256(f"kbdeck-deck:{kb_id}:{name}".encode()).digest()
    return 1 << 30 | int.from_bytes(digest[:4], "big") >> 2


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


def notetype_hash(spec: NoteTypeSpec) -> str:
    return hashlib.sha256("\x1e".join([spec.name, spec.qfmt, spec.afmt, card_css()]).encode()).hexdigest()


def write_apkg(
    path: Path,
    kb_id: str,
    root_deck: str,
    description: str,
    notes: list[RenderedNote],
    note_mtimes: dict[str, int],
    notetype_mtimes: dict[str, int],
    media: dict[str, bytes],
) -> None:
    """Write the package atomically. `media` maps file names to their bytes."""
    models = {BASIC.name: make_model(BASIC), CLOZE.name: make_model(CLOZE)}
    decks: dict[str, genanki.Deck] = {}
    root = genanki.Deck(deck_id(kb_id, root_deck), root_deck, description=description)
    decks[root_deck] = root
    for note in notes:
        deck = decks.get(note.deck)
        if deck is None:
            deck = decks[note.deck] = genanki.Deck(deck_id(kb_id, note.deck), note.deck)
        deck.add_note(
            genanki.Note(
                model=models[note.notetype.name],
                fields=list(note.fields),
                tags=list(note.tags),
                guid=note.guid,
                due=note.due,
            )
        )
    for deck in decks.values():  # every deck carries both models, even with no notes of a kind
        for model in models.values():
            deck.add_model(model)
    stamp = max([*note_mtimes.values(), *notetype_mtimes.values(), 1])
    with tempfile.TemporaryDirectory(prefix="kbdeck-pkg-") as tmp:
        db_path = Path(tmp) / "collection.anki2"
        conn = sqlite3.connect(db_path)
        cursor = conn.cursor()
        package = genanki.Package(list(decks.values()))
        package.write_to_db(cursor, stamp, itertools.count(stamp * 1000))
        cursor.executemany("UPDATE notes SET mod = ? WHERE guid = ?", [(note_mtimes[n.guid], n.guid) for n in notes])
        cursor.execute("UPDATE cards SET mod = (SELECT mod FROM notes WHERE notes.id = cards.nid)")
        (models_json,) = cursor.execute("SELECT models FROM col").fetchone()
        model_map = json.loads(models_json)
        for model in model_map.values():
            model["mod"] = notetype_mtimes.get(model["name"], stamp)
        cursor.execute("UPDATE col SET models = ?, mod = ?", (json.dumps(model_map, sort_keys=True), stamp))
        conn.commit()
        cursor.execute("VACUUM")
        conn.close()
        tmp_out = path.with_suffix(".apkg.tmp")
        with zipfile.ZipFile(tmp_out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            _add(zf, "collection.anki2", db_path.read_bytes())
            names = sorted(media)
            _add(zf, "media", json.dumps({str(i): n for i, n in enumerate(names)}).encode())
            for i, name in enumerate(names):
                _add(zf, str(i), media[name])
        tmp_out.replace(path)


def _add(zf: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    zf.writestr(info, data)

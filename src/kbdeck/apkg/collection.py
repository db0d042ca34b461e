"""The Anki collection inside a package (schema 11, the format genanki writes and every Anki imports).

kbdeck writes the collection itself: the schema and the `col` row are genanki's (0.13, MIT licence,
copyright Kerrick Staley), the note types and decks are the JSON genanki would write for kbdeck's
two fixed note types, and notes and cards go in with one bulk insert each. Importing genanki cost
every build 60–70 ms (it pulls in asyncio, chevron and its own YAML use), more than the rest of a
one-card rebuild's packaging at 3,000 cards. `tests/core/test_collection.py` compares every row
with what genanki itself writes.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator

from ..model.notetypes import SORT_FIELD, NoteTypeSpec, card_ords

__all__ = ["NoteTypeSpec", "card_ords"]

FORMAT = "anki-schema-11/genanki-0.13/indexed-last"
"""What the bytes of a collection depend on besides its content (part of the package digest)."""

SCHEMA = """
CREATE TABLE col (
    id              integer primary key,
    crt             integer not null,
    mod             integer not null,
    scm             integer not null,
    ver             integer not null,
    dty             integer not null,
    usn             integer not null,
    ls              integer not null,
    conf            text not null,
    models          text not null,
    decks           text not null,
    dconf           text not null,
    tags            text not null
);
CREATE TABLE notes (
    id              integer primary key,   /* 0 */
    guid            text not null,         /* 1 */
    mid             integer not null,      /* 2 */
    mod             integer not null,      /* 3 */
    usn             integer not null,      /* 4 */
    tags            text not null,         /* 5 */
    flds            text not null,         /* 6 */
    sfld            integer not null,      /* 7 */
    csum            integer not null,      /* 8 */
    flags           integer not null,      /* 9 */
    data            text not null          /* 10 */
);
CREATE TABLE cards (
    id              integer primary key,   /* 0 */
    nid             integer not null,      /* 1 */
    did             integer not null,      /* 2 */
    ord             integer not null,      /* 3 */
    mod             integer not null,      /* 4 */
    usn             integer not null,      /* 5 */
    type            integer not null,      /* 6 */
    queue           integer not null,      /* 7 */
    due             integer not null,      /* 8 */
    ivl             integer not null,      /* 9 */
    factor          integer not null,      /* 10 */
    reps            integer not null,      /* 11 */
    lapses          integer not null,      /* 12 */
    left            integer not null,      /* 13 */
    odue            integer not null,      /* 14 */
    odid            integer not null,      /* 15 */
    flags           integer not null,      /* 16 */
    data            text not null          /* 17 */
);
CREATE TABLE revlog (
    id              integer primary key,
    cid             integer not null,
    usn             integer not null,
    ease            integer not null,
    ivl             integer not null,
    lastIvl         integer not null,
    factor          integer not null,
    time            integer not null,
    type            integer not null
);
CREATE TABLE graves (
    usn             integer not null,
    oid             integer not null,
    type            integer not null
);
"""
INDEXES = """
CREATE INDEX ix_notes_usn on notes (usn);
CREATE INDEX ix_cards_usn on cards (usn);
CREATE INDEX ix_revlog_usn on revlog (usn);
CREATE INDEX ix_cards_nid on cards (nid);
CREATE INDEX ix_cards_sched on cards (did, queue, due);
CREATE INDEX ix_revlog_cid on revlog (cid);
CREATE INDEX ix_notes_csum on notes (csum);
"""

COL = r"""
INSERT INTO col VALUES(
    null,
    1411124400,
    1425279151694,
    1425279151690,
    11,
    0,
    0,
    0,
    '{
        "activeDecks": [
            1
        ],
        "addToCur": true,
        "collapseTime": 1200,
        "curDeck": 1,
        "curModel": "1425279151691",
        "dueCounts": true,
        "estTimes": true,
        "newBury": true,
        "newSpread": 0,
        "nextPos": 1,
        "sortBackwards": false,
        "sortType": "noteFld",
        "timeLim": 0
    }',
    '{}',
    '{
        "1": {
            "collapsed": false,
            "conf": 1,
            "desc": "",
            "dyn": 0,
            "extendNew": 10,
            "extendRev": 50,
            "id": 1,
            "lrnToday": [
                0,
                0
            ],
            "mod": 1425279151,
            "name": "Default",
            "newToday": [
                0,
                0
            ],
            "revToday": [
                0,
                0
            ],
            "timeToday": [
                0,
                0
            ],
            "usn": 0
        }
    }',
    '{
        "1": {
            "autoplay": true,
            "id": 1,
            "lapse": {
                "delays": [
                    10
                ],
                "leechAction": 0,
                "leechFails": 8,
                "minInt": 1,
                "mult": 0
            },
            "maxTaken": 60,
            "mod": 0,
            "name": "Default",
            "new": {
                "bury": true,
                "delays": [
                    1,
                    10
                ],
                "initialFactor": 2500,
                "ints": [
                    1,
                    4,
                    7
                ],
                "order": 1,
                "perDay": 20,
                "separate": true
            },
            "replayq": true,
            "rev": {
                "bury": true,
                "ease4": 1.3,
                "fuzz": 0.05,
                "ivlFct": 1,
                "maxIvl": 36500,
                "minSpace": 1,
                "perDay": 100
            },
            "timer": 0,
            "usn": 0
        }
    }',
    '{}'
);
"""

LATEX_PRE = (
    "\\documentclass[12pt]{article}\n\\special{papersize=3in,5in}\n\\usepackage[utf8]{inputenc}\n"
    "\\usepackage{amssymb,amsmath}\n\\pagestyle{empty}\n\\setlength{\\parindent}{0in}\n\\begin{document}\n"
)
FRONT_BACK, CLOZE = 0, 1

Row = tuple[object, ...]


def create(cursor: sqlite3.Cursor, decks: list[tuple[int, str, str]]) -> None:
    """The tables, the `col` row and the decks (id, name, description), in order; `index` makes the indexes
    once the rows are in."""
    cursor.executescript(SCHEMA)
    cursor.executescript(COL)
    ((decks_json,),) = cursor.execute("SELECT decks FROM col").fetchall()
    all_decks = json.loads(decks_json)
    for deck_id, name, description in decks:
        all_decks[str(deck_id)] = deck_json(deck_id, name, description)
    cursor.execute("UPDATE col SET decks = ?", (json.dumps(all_decks),))


def index(cursor: sqlite3.Cursor) -> None:
    """genanki's indexes, made once the notes and cards are in: each is then sorted once. Made first, as genanki
    does, `ix_cards_sched` (deck, queue, due) took every card where its due number fell, and with SQLite's page
    cache smaller than that index, a 300,000-card collection of 1.3 GB cost 3.5 GB of writes."""
    cursor.executescript(INDEXES)


def set_models(cursor: sqlite3.Cursor, models: list[tuple[NoteTypeSpec, str, int]], deck_id: int, mod: int) -> None:
    """The note types (spec, CSS, modification time); `deck_id` is the deck genanki names last, `mod`
    the collection's modification time."""
    data = {str(spec.model_id): model_json(spec, css, deck_id, spec_mod) for spec, css, spec_mod in models}
    cursor.execute("UPDATE col SET models = ?, mod = ?", (json.dumps(data, sort_keys=True), mod))


def deck_json(deck_id: int, name: str, description: str) -> dict[str, object]:
    """A deck as genanki's `Deck.to_json` writes it (same keys, same order)."""
    return {
        "collapsed": False,
        "conf": 1,
        "desc": description,
        "dyn": 0,
        "extendNew": 0,
        "extendRev": 50,
        "id": deck_id,
        "lrnToday": [163, 2],
        "mod": 1425278051,
        "name": name,
        "newToday": [163, 2],
        "revToday": [163, 0],
        "timeToday": [163, 23598],
        "usn": -1,
    }


def model_json(spec: NoteTypeSpec, css: str, deck_id: int, mod: int) -> dict[str, object]:
    """A note type as genanki's `Model.to_json` writes it (its defaults for fonts and sizes)."""
    fields = [
        {"font": "Liberation Sans", "media": [], "name": name, "ord": i, "rtl": False, "size": 20, "sticky": False}
        for i, name in enumerate(spec.fields)
    ]
    template = {
        "afmt": spec.afmt,
        "bafmt": "",
        "bfont": "",
        "bqfmt": "",
        "bsize": 0,
        "did": None,
        "name": spec.template_name,
        "ord": 0,
        "qfmt": spec.qfmt,
    }
    return {
        "css": css,
        "did": deck_id,
        "flds": fields,
        "id": str(spec.model_id),
        "latexPost": "\\end{document}",
        "latexPre": LATEX_PRE,
        "latexsvg": False,
        "mod": mod,
        "name": spec.name,
        "req": [[template, how, list(fields)] for template, how, fields in spec.req],
        "sortf": SORT_FIELD,
        "tags": [],
        "tmpls": [template],
        "type": CLOZE if spec.is_cloze else FRONT_BACK,
        "usn": -1,
        "vers": [],
    }


NOTE_ROW = "INSERT INTO notes VALUES(?,?,?,?,-1,?,?,CAST(? AS TEXT),0,0,'')"
"""A note: id, guid, note type, mod, tags, fields, sort field (usn -1, no checksum, flags or data). The
sort field is bound as UTF-8 bytes: binding the field's own string would leave a UTF-8 copy inside it
(CPython caches it there) for as long as the build keeps the note."""
CARD_ROW = "INSERT INTO cards VALUES(?,?,?,?,?,-1,0,0,?,0,0,0,0,0,0,0,0,'')"
"""A new card: id, note, deck, ordinal, mod, due (the constant columns are not bound 30,000 times)."""


def insert(cursor: sqlite3.Cursor, notes: Iterator[Row], cards: Iterable[Row]) -> None:
    """Note rows (streamed: each carries a joined copy of its fields) and the card rows they made,
    in the column order of `NOTE_ROW` and `CARD_ROW`."""
    cursor.executemany(NOTE_ROW, notes)
    cursor.executemany(CARD_ROW, cards)

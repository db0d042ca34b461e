"""The packaging floor: genanki writing already-rendered notes into an .apkg, and nothing else.

Input: a JSON file `{"models": [...], "notes": [...]}` that `bench/run.py` dumps from a kbdeck
build (the same note types, fields, tags, decks and GUIDs). No Markdown, no highlighting, no
ledger: what any genanki-based compiler pays at least. Usage: `python bench/floor.py notes.json out.apkg`.
"""

from __future__ import annotations

import json
import sys

import genanki


def main(src: str, dest: str) -> None:
    with open(src, encoding="utf-8") as f:
        data = json.load(f)
    models = {
        m["id"]: genanki.Model(
            m["id"],
            m["name"],
            fields=[{"name": name} for name in m["fields"]],
            templates=[{"name": m["template"], "qfmt": m["qfmt"], "afmt": m["afmt"]}],
            css=m["css"],
            model_type=m["type"],
            sort_field_index=m["sortf"],
        )
        for m in data["models"]
    }
    decks: dict[int, genanki.Deck] = {}
    for note in data["notes"]:
        deck = decks.get(note["deck_id"])
        if deck is None:
            deck = decks[note["deck_id"]] = genanki.Deck(note["deck_id"], note["deck"])
        deck.add_note(
            genanki.Note(
                model=models[note["model"]],
                fields=note["fields"],
                tags=note["tags"],
                guid=note["guid"],
                due=note["due"],
            )
        )
    genanki.Package(list(decks.values())).write_to_file(dest, timestamp=data["timestamp"])


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

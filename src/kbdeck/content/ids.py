"""`kbdeck ids`: write missing card ids into the source files, in place.

Only inserts lines: comments, layout and existing ids are never touched. A new id is a readable
slug of the topic and the question, made once; from then on it is the card's identity and stays
even when the question is rewritten.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from ..model.kb import Card

MAX_WORDS = 6


def ascii_slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def new_id(card: Card, taken: set[str]) -> str:
    """A unique id like `gil-o-que-o-gil-protege`."""
    prefix = ascii_slug(card.topic.split("/")[-1])
    text = re.sub(r"\{\{c\d+::(.*?)(::.*?)?\}\}", r"\1", card.q or card.cloze or card.code or card.include)
    words = [w for w in ascii_slug(re.sub(r"`[^`]*`|\*", " ", text)).split("-") if w][:MAX_WORDS]
    base = "-".join([prefix, *words]) if words else f"{prefix}-card"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    taken.add(candidate)
    return candidate


def insertion(card: Card, path: Path, lines: list[str], card_id: str) -> tuple[int, str] | None:
    """(0-based line index, new line text) to insert before, or None for layouts we don't edit."""
    line = card.span.line - 1
    if path.suffix == ".md":
        return line, f"ID: {card_id}"
    text = lines[line]
    col = card.span.col - 1
    if text[col : col + 1] in ("{", "&", "!", "*") or not text[col:].strip():
        return None  # a flow mapping `- {q: ...}`, an anchor or a tag: left to the author
    # block mapping: `- q: ...` → `- id: x` + `  q: ...`
    prefix = text[:col]
    return line, prefix + f"id: {card_id}"


LAYOUT = "its layout is not one kbdeck edits: a flow mapping `{...}`, an anchor or a tag"
"""Why a card is left to the author: `insertion` does not edit its first line."""
READ_BACK = "kbdeck could not add ids to this file and read it back the same, so it left the file as it was"
"""Why every card of a file is left to the author: the edited file would not have read back with the ids."""


def assign_ids(cards: list[Card], paths: dict[str, Path]) -> tuple[list[tuple[Path, str, int]], list[tuple[Card, str]]]:
    """Write ids for cards without one: (file, id, line) for each written id, and the cards left to
    the author with why (`LAYOUT`, `READ_BACK`). A card kbdeck cannot edit leaves the others of its file
    to be written."""
    taken = {c.id for c in cards if c.id}
    written: list[tuple[Path, str, int]] = []
    skipped: list[tuple[Card, str]] = []
    by_file: dict[str, list[Card]] = {}
    for card in cards:
        if not card.id:
            by_file.setdefault(card.span.path, []).append(card)
    for shown, missing in by_file.items():
        path = paths[shown]
        raw = path.read_bytes().decode("utf-8")  # as is: read_text would turn CRLF into LF
        bom = "\ufeff" if raw.startswith("\ufeff") else ""
        newline = "\r\n" if "\r\n" in raw else "\n"
        lines = raw.removeprefix(bom).replace("\r\n", "\n").split("\n")
        edits = []
        for card in missing:
            card_id = new_id(card, taken)
            edit = insertion(card, path, lines, card_id)
            if edit is None:
                skipped.append((card, LAYOUT))
            else:
                edits.append((edit, card_id, card))
        done: list[tuple[Path, str, int]] = []
        for (index, new_line), card_id, _ in sorted(edits, key=lambda e: e[0][0], reverse=True):
            if path.suffix == ".md":
                lines.insert(index, new_line)
            else:
                col = len(new_line) - len(f"id: {card_id}")
                lines[index : index + 1] = [new_line, " " * col + lines[index][col:]]
            done.append((path, card_id, index + 1))
        text = "\n".join(lines)
        if not done:
            continue
        if not _reads_back(text, path, shown, cards, {card_id for _, card_id, _ in done}):
            skipped.extend((card, READ_BACK) for _, _, card in edits)  # the layout ones are in already
            continue  # never write a file that would not read back with exactly these ids
        path.write_text(bom + text.replace("\n", newline), encoding="utf-8", newline="")
        # where each id is in the written file: its line, moved down by the ids inserted above it
        written.extend((p, i, line + rank) for rank, (p, i, line) in enumerate(sorted(done, key=lambda d: d[2])))
    return sorted(written, key=lambda w: (str(w[0]), w[2])), sorted(skipped, key=lambda s: s[0].span)


def _reads_back(text: str, path: Path, shown: str, cards: list[Card], new_ids: set[str]) -> bool:
    """Whether the edited file parses cleanly and holds its old cards' ids plus exactly `new_ids`."""
    from ..model.problems import Problems
    from .cards import load_text_cards, load_yaml_cards

    problems = Problems()
    topic = next(c.topic for c in cards if c.span.path == shown)
    load = load_text_cards if path.suffix == ".md" else load_yaml_cards
    after = load(text, shown, topic, problems)
    before = [c.id for c in cards if c.span.path == shown]
    if any(p.code.startswith("yaml") for p in problems.errors) or len(after) != len(before):
        return False
    # the same cards in the same order: each one's old id, "" where it had none and has none (a card left
    # to the author) or now has one of the new ids
    return [("" if c.id in new_ids else c.id) for c in after] == before and {c.id for c in after} >= new_ids

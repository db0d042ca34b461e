"""Random edit sequences against a real collection (issue 19): whatever the author does between builds
— edit, remove then restore, move to another file, reorder — and whatever the learner does in Anki —
answer, tag —, a plain File → Import (default options) of every build loses no review, never
duplicates a note, and keeps Anki-side tags on every note whose content did not change."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from anki.collection import Collection
from anki.scheduler.v3 import CardAnswer
from anki_helpers import import_apkg, new_collection
from kbtest import make_content

from kbdeck.build import build

TOPICS = ("lang/gil", "lang/listas")


def card_text(card_id: str, version: int) -> str:
    return (
        f"- id: {card_id}\n  q: Pergunta {card_id} (v{version})?\n  a: Resposta {card_id} (v{version}).\n"
        "  see: por-que-existe\n"
    )


class Author:
    """The content as the author keeps it: which file each card is in, its order and version."""

    def __init__(self, content: Path, rng: random.Random) -> None:
        self.content, self.rng = content, rng
        self.files: dict[str, list[str]] = {t: [] for t in TOPICS}
        self.version: dict[str, int] = {}
        self.removed: dict[str, str] = {}  # card id → topic it was removed from
        for i in range(10):
            card_id = f"seq-{i}"
            self.files[TOPICS[i % 2]].append(card_id)
            self.version[card_id] = 0
        (content / "lang/listas.md").write_text(
            "---\ntitle: Listas\n---\n\n## Por que existe\n\nTexto.\n", encoding="utf-8"
        )

    def write(self) -> None:
        for topic, ids in self.files.items():
            name = topic.split("/")[1]
            text = "\n".join(card_text(c, self.version[c]) for c in ids) or "[]\n"
            (self.content / f"flashcards/lang/{name}.yaml").write_text(text, encoding="utf-8")
        for extra in ("flashcards/lang/gil.md", "flashcards/lang/listas.md"):
            (self.content / extra).unlink(missing_ok=True)

    def step(self) -> str:
        live = [c for ids in self.files.values() for c in ids]
        action = self.rng.choice(["edit", "remove", "restore", "move", "reorder"])
        if action == "edit" and live:
            card = self.rng.choice(live)
            self.version[card] += 1
            return f"edit {card}"
        if action == "remove" and len(live) > 2:
            card = self.rng.choice(live)
            topic = next(t for t, ids in self.files.items() if card in ids)
            self.files[topic].remove(card)
            self.removed[card] = topic
            return f"remove {card}"
        if action == "restore" and self.removed:
            card = self.rng.choice(sorted(self.removed))
            self.files[self.removed.pop(card)].append(card)
            return f"restore {card}"
        if action == "move" and live:
            card = self.rng.choice(live)
            source = next(t for t, ids in self.files.items() if card in ids)
            target = next(t for t in TOPICS if t != source)
            self.files[source].remove(card)
            self.files[target].insert(self.rng.randrange(len(self.files[target]) + 1), card)
            return f"move {card}"
        topic = self.rng.choice(TOPICS)
        self.rng.shuffle(self.files[topic])
        return f"reorder {topic}"


def learner_step(col: Collection, rng: random.Random, at: int) -> None:
    """Answer a card and tag a note, as a learner does between two imports (the tag at time `at`)."""
    nids = list(col.find_notes("Id:seq-*"))
    if nids:
        note = col.get_note(rng.choice(nids))
        note.add_tag(rng.choice(["leech", "marked", "minha-tag"]))
        col.update_note(note)
        col.db.execute("update notes set mod = ? where id = ?", at, note.id)  # on the simulated clock
    col.decks.select(col.decks.id_for_name("Sample KB::01 Linguagem"))
    queued = col.sched.get_queued_cards()
    if queued.cards:
        card = col.get_card(queued.cards[0].card.id)
        card.start_timer()
        col.sched.answer_card(col.sched.build_answer(card=card, states=queued.cards[0].states, rating=CardAnswer.GOOD))


@pytest.mark.parametrize("seed", range(8))
def test_random_edit_sequences_keep_every_review_note_and_tag(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    rng = random.Random(seed)
    content = make_content(tmp_path, {})
    author = Author(content, rng)
    author.write()
    col = new_collection(tmp_path)
    clock = 1_700_000_000  # a simulated clock: minutes pass between a build, the learner and the next build
    seen_ids: set[str] = set()
    imported: dict[str, str] = {}
    log = []
    try:
        for _ in range(10):
            clock += 60
            monkeypatch.setenv("SOURCE_DATE_EPOCH", str(clock))
            result = build(content, tmp_path / "out")
            assert result.apkg is not None and result.changes is not None, result.problems.render_text()
            seen_ids.update(n.card_id for n in result.notes)
            # what Anki holds of each id is the last build that had it: "unchanged" means the same content
            # as then, even for a card that was away for a few builds (the ledger's tombstones)
            unchanged = {n.card_id for n in result.notes if imported.get(n.card_id) == n.content_hash}
            tags_before = {
                col.get_note(nid)["Id"]: set(col.get_note(nid).tags) for nid in col.find_notes("") if col.note_count()
            }
            revlog_before = col.db.all("select * from revlog order by id")
            import_apkg(col, result.apkg)
            imported.update((n.card_id, n.content_hash) for n in result.notes)
            # no review lost
            revlog_after = col.db.all("select * from revlog order by id")
            assert revlog_after[: len(revlog_before)] == revlog_before, log
            # no duplicate note: one note per id ever built (removed ones stay in Anki)
            ids = [col.get_note(nid)["Id"] for nid in col.find_notes("")]
            assert len(ids) == len(set(ids)) == len(seen_ids), log
            # Anki-side tags kept wherever the content did not change
            for card_id, tags in tags_before.items():
                if card_id in unchanged:
                    (nid,) = col.find_notes(f'"Id:{card_id}"')
                    assert tags <= set(col.get_note(nid).tags), (card_id, log)
            learner_step(col, rng, clock + 30)
            log.append(author.step())
            author.write()
    finally:
        col.close()

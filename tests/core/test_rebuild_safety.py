"""Rebuilds never lose a review: the whole edit → rebuild → re-import loop against a real collection,
with the SM-2 scheduler and with FSRS."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
from anki.collection import Collection
from anki.scheduler.v3 import CardAnswer
from anki_helpers import import_apkg, new_collection

import kbdeck.apkg.package
import kbdeck.build
from kbdeck.build import build
from kbdeck.model.notetypes import BASIC

CARDS = "flashcards/lang/gil.yaml"


def rebuild(content: Path, out: Path, epoch: int, monkeypatch: pytest.MonkeyPatch) -> kbdeck.build.BuildResult:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(epoch))
    result = build(content, out)
    assert result.apkg is not None, result.problems.render_text()
    return result


def study(col: Collection, answers: int) -> None:
    """Answer `answers` cards through the real scheduler (Good, then Again for variety)."""
    deck = col.decks.id_for_name("Sample KB::01 Linguagem")
    assert deck is not None
    col.decks.select(deck)
    for i in range(answers):
        queued = col.sched.get_queued_cards()
        if not queued.cards:
            break
        card = col.get_card(queued.cards[0].card.id)
        card.start_timer()
        states = queued.cards[0].states
        rating = CardAnswer.GOOD if i % 3 else CardAnswer.AGAIN
        answer = col.sched.build_answer(card=card, states=states, rating=rating)
        col.sched.answer_card(answer)


def snapshot(col: Collection) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    cards = col.db.all(
        "select id, nid, did, ord, type, queue, due, ivl, factor, reps, lapses, left, odue, data from cards order by id"
    )
    revlog = col.db.all("select * from revlog order by id")
    return cards, revlog


@pytest.mark.parametrize("fsrs", [False, True], ids=["sm2", "fsrs"])
def test_edit_rebuild_reimport_keeps_history_and_tags(
    sample: Path, tmp_path: Path, fsrs: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    col = new_collection(tmp_path)
    col.set_config("fsrs", fsrs)
    v1 = rebuild(sample, tmp_path / "v1", 1_700_000_000, monkeypatch)
    import_apkg(col, v1.apkg)  # type: ignore[arg-type]
    study(col, 6)
    for cid in ("gil-o-que-e", "listas-fatia"):
        note = col.get_note(col.find_notes(f"Id:{cid}")[0])
        note.add_tag("leech")
        note.add_tag("minha-tag")
        col.update_note(note)
    before_cards, before_revlog = snapshot(col)
    assert len(before_revlog) >= 5
    notes_before = col.note_count()

    # edit the text of one card, a template and the CSS; reorder cards; move a card to another topic file
    text = (sample / CARDS).read_text(encoding="utf-8").replace("em especial as contagens", "sobretudo as contagens")
    (sample / CARDS).write_text(text, encoding="utf-8")
    monkeypatch.setattr(kbdeck.apkg.package, "card_css", lambda: "/* v2 */ .card { color: #111; }")
    new_basic = dataclasses.replace(BASIC, qfmt=BASIC.qfmt.replace("kb-front", "kb-front v2"))
    monkeypatch.setattr(kbdeck.apkg.package, "BASIC", new_basic)
    monkeypatch.setattr(kbdeck.build, "BASIC", new_basic)
    v2 = rebuild(sample, tmp_path / "v2", 1_800_000_000, monkeypatch)
    assert v2.changes is not None and v2.changes.changed == ("gil-o-que-e",)

    log = import_apkg(col, v2.apkg)  # type: ignore[arg-type]
    assert [n.fields[0] for n in log.updated] == ["gil-o-que-e"]
    assert not log.new and not log.conflicting
    assert col.note_count() == notes_before
    edited = col.get_note(col.find_notes("Id:gil-o-que-e")[0])
    assert "sobretudo" in edited["Back"]
    untouched = col.get_note(col.find_notes("Id:listas-fatia")[0])
    assert {"leech", "minha-tag"} <= set(untouched.tags)
    model = col.models.by_name("kbdeck Basic")
    assert model is not None and "/* v2 */" in model["css"] and "kb-front v2" in model["tmpls"][0]["qfmt"]
    after_cards, after_revlog = snapshot(col)
    assert after_cards == before_cards
    assert after_revlog == before_revlog
    assert len(col.models.all_names_and_ids()) == len({m.name for m in col.models.all_names_and_ids()})
    assert not [m.name for m in col.models.all_names_and_ids() if m.name.endswith("+")]
    col.close()


def test_reorder_move_rename_and_remove(sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    col = new_collection(tmp_path)
    import_apkg(col, rebuild(sample, tmp_path / "v1", 1_700_000_000, monkeypatch).apkg)  # type: ignore[arg-type]
    guids = {col.get_note(n)["Id"]: col.get_note(n).guid for n in col.find_notes("")}

    # reorder: reverse the text-format file's blocks (single card) and the YAML list
    import yaml

    cards = yaml.safe_load((sample / CARDS).read_text(encoding="utf-8"))
    moved = cards.pop(0)  # gil-o-que-e moves to the listas topic (and its `see` to a listas heading)
    moved["see"] = "fatiamento"
    (sample / CARDS).write_text(yaml.safe_dump(list(reversed(cards[1:])), allow_unicode=True), encoding="utf-8")
    removed_id = cards[0]["id"]
    # rename the listas topic file (note + cards) to lang/sequencias
    (sample / "lang/listas.md").rename(sample / "lang/sequencias.md")
    (sample / "flashcards/lang/listas.md").rename(sample / "flashcards/lang/sequencias.md")
    (sample / "flashcards/lang/sequencias.yaml").write_text(
        yaml.safe_dump([moved], allow_unicode=True), encoding="utf-8"
    )
    roadmap = (sample / "roadmap.yaml").read_text(encoding="utf-8").replace("lang/listas", "lang/sequencias")
    (sample / "roadmap.yaml").write_text(roadmap, encoding="utf-8")

    v2 = rebuild(sample, tmp_path / "v2", 1_800_000_000, monkeypatch)
    assert v2.changes is not None
    assert v2.changes.removed == ((removed_id, "lang/gil"),)
    assert not v2.changes.new
    log = import_apkg(col, v2.apkg)  # type: ignore[arg-type]
    assert not log.new and not log.conflicting
    after = {col.get_note(n)["Id"]: col.get_note(n).guid for n in col.find_notes("")}
    assert after == guids  # nothing deleted, nothing duplicated, every identity kept
    assert col.note_count() == len(guids)


def test_removed_card_is_reported_loudly(
    sample: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from kbdeck.cli import main

    rebuild(sample, tmp_path / "v1", 1_700_000_000, monkeypatch)
    cards = sample / CARDS
    cards.write_text(cards.read_text(encoding="utf-8").replace("id: gil-output\n", "id: gil-saida\n"), encoding="utf-8")
    assert main(["build", "--content", str(sample), "--out", str(tmp_path / "v2"), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "1 new" in out and "1 removed" in out
    assert "WARNING" in out and "gil-output (was in lang/gil) → looks renamed to `gil-saida` (same topic)" in out
    shutil.rmtree(tmp_path / "v1")

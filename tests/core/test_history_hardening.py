"""The hardening pass, history items (issue 19, 1–6): each against a real `anki` collection with a
plain File → Import (default options), where a history or a tag could be lost."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from anki.collection import Collection
from anki_helpers import import_apkg, new_collection

from kbdeck.apkg.ledger import LEDGER_NAME
from kbdeck.build import BuildResult, build
from kbdeck.cli import main

CARDS = "flashcards/lang/gil.yaml"


def rebuild(content: Path, out: Path, epoch: int, monkeypatch: pytest.MonkeyPatch) -> BuildResult:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(epoch))
    result = build(content, out)
    assert result.apkg is not None, result.problems.render_text()
    return result


def refused(content: Path, out: Path) -> BuildResult:
    result = build(content, out)
    assert result.apkg is None and result.changes is None
    return result


def tag(col: Collection, card_id: str, *tags: str) -> None:
    note = col.get_note(col.find_notes(f"Id:{card_id}")[0])
    for t in tags:
        note.add_tag(t)
    col.update_note(note)


def tags_of(col: Collection, card_id: str) -> set[str]:
    return set(col.get_note(col.find_notes(f"Id:{card_id}")[0]).tags)


def test_a_card_absent_for_one_build_comes_back_with_its_tags(
    sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Item 1: a card commented out for one build, then restored unchanged, keeps its old time."""
    col = new_collection(tmp_path)
    import_apkg(col, rebuild(sample, tmp_path / "v1", 1_700_000_000, monkeypatch).apkg)  # type: ignore[arg-type]
    tag(col, "gil-o-que-e", "leech", "marked", "minha-tag")
    original = (sample / CARDS).read_text(encoding="utf-8")
    without = original.replace("- id: gil-o-que-e", "- id: gil-o-que-e-rascunho", 1)
    (sample / CARDS).write_text(without, encoding="utf-8")
    v2 = rebuild(sample, tmp_path / "v2", 1_800_000_000, monkeypatch)
    assert v2.changes is not None and ("gil-o-que-e", "lang/gil") in v2.changes.removed
    ledger = json.loads((sample / LEDGER_NAME).read_text(encoding="utf-8"))
    assert "gil-o-que-e" in ledger["removed"]  # a tombstone, with its hash and time
    (sample / CARDS).write_text(original, encoding="utf-8")
    v3 = rebuild(sample, tmp_path / "v3", 1_900_000_000, monkeypatch)
    assert v3.changes is not None and v3.changes.restored == ("gil-o-que-e",)
    assert "gil-o-que-e" not in v3.changes.new and "gil-o-que-e" in v3.changes.unchanged
    import_apkg(col, v3.apkg)  # type: ignore[arg-type]
    assert {"leech", "marked", "minha-tag"} <= tags_of(col, "gil-o-que-e")
    assert col.note_count() == len(v3.notes)  # nothing duplicated


@pytest.mark.parametrize(
    "damage",
    [
        "conflict",
        "truncated",
        "huge-time",
        "wrong-types",
        "not-utf8",
        "nested-deep",
    ],
)
def test_a_damaged_ledger_stops_the_build_and_can_be_repaired(
    sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Item 2: never a silent first build (every note re-stamped, generation back to 1), never a crash."""
    col = new_collection(tmp_path)
    rebuild(sample, tmp_path / "v1", 1_700_000_000, monkeypatch)
    (sample / CARDS).write_text(
        (sample / CARDS).read_text(encoding="utf-8").replace("em especial", "sobretudo"), encoding="utf-8"
    )
    v2 = rebuild(sample, tmp_path / "v2", 1_800_000_000, monkeypatch)
    assert v2.ledger is not None and v2.ledger.generation == 2
    import_apkg(col, v2.apkg)  # type: ignore[arg-type]
    tag(col, "listas-fatia", "leech", "minha-tag")
    path = sample / LEDGER_NAME
    good = path.read_text(encoding="utf-8")
    other = good.replace('"generation": 2', '"generation": 3')
    damaged = {
        "conflict": f"<<<<<<< HEAD\n{good}=======\n{other}>>>>>>> outro-ramo\n",
        "truncated": good[: len(good) // 2],
        "huge-time": good.replace('"changed_at": 1700000000', '"changed_at": 99999999999999999999999', 1),
        "wrong-types": good.replace('"changed_at": 1700000000', '"changed_at": "ontem"', 1),
        "not-utf8": None,
        "nested-deep": "[" * 100_000 + "]" * 100_000,  # json.loads: RecursionError, a traceback before
    }[damage]
    if damaged is None:
        path.write_bytes(good.encode() + b"\xff\xfe")
    else:
        path.write_text(damaged, encoding="utf-8")
    before = path.read_bytes()
    assert main(["build", "--content", str(sample), "--out", str(tmp_path / "v3")]) == 1
    err = capsys.readouterr().err
    place = (1, 1)  # the place of the damage: a conflict's first marker, or where the JSON breaks
    if damage == "truncated":
        with pytest.raises(json.JSONDecodeError) as broken:
            json.loads(good[: len(good) // 2])
        place = (broken.value.lineno, broken.value.colno)
        assert place[0] > 1
    assert f"{LEDGER_NAME}:{place[0]}:{place[1]}: error[bad-ledger]: the build ledger" in err
    assert "kbdeck ledger --rebuild" in err and "Traceback" not in err
    assert path.read_bytes() == before, "a refused build must not touch the ledger"
    assert main(["ledger", "--content", str(sample), "--rebuild"]) == 0
    out = capsys.readouterr().out
    assert "repaired" in out
    v3 = rebuild(sample, tmp_path / "v3", 1_900_000_000, monkeypatch)
    if damage == "nested-deep":  # nothing in it to read: said so, and the build starts the stamps again
        assert "read 0 entries" in out and v3.ledger is not None and v3.ledger.generation == 2
    else:
        assert v3.ledger is not None and v3.ledger.generation > 2, "the generation went back"
    assert v3.changes is not None
    if damage in ("conflict",):
        assert v3.changes.changed == () and v3.changes.new == ()
    import_apkg(col, v3.apkg)  # type: ignore[arg-type]
    if damage == "conflict":  # everything could be read: no note re-stamped, tags kept
        assert {"leech", "minha-tag"} <= tags_of(col, "listas-fatia")
    assert col.note_count() == len(v3.notes)


def test_changing_the_knowledge_base_id_is_refused(
    sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Item 3: a new id would duplicate every note on import."""
    rebuild(sample, tmp_path / "v1", 1_700_000_000, monkeypatch)
    roadmap = sample / "roadmap.yaml"
    roadmap.write_text(
        roadmap.read_text(encoding="utf-8").replace("id: sample-kb", "id: sample-kb-2"), encoding="utf-8"
    )
    result = refused(sample, tmp_path / "v2")
    problem = next(p for p in result.problems.errors if p.code == "kb-id-changed")
    assert problem.span.line == 1 and "belongs to knowledge base `sample-kb`" in problem.message
    assert "put `id: sample-kb` back" in problem.hint
    roadmap.write_text(roadmap.read_text(encoding="utf-8").replace("id: sample-kb-2", 'id: ""'), encoding="utf-8")
    result = refused(sample, tmp_path / "v2")
    assert any(p.code == "bad-id" and "empty" in p.message for p in result.problems.errors)


def test_changing_a_cards_kind_under_its_id_is_refused(
    sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Item 4: Anki cannot change a note's type on import; the note would stay stale for ever."""
    rebuild(sample, tmp_path / "v1", 1_700_000_000, monkeypatch)
    text = (sample / CARDS).read_text(encoding="utf-8")
    start = text.index("- id: gil-o-que-e")
    end = text.index("- id:", start + 5)
    cloze = "- id: gil-o-que-e\n  cloze: O GIL protege {{c1::o estado do interpretador}}.\n  see: por-que-existe\n\n"
    (sample / CARDS).write_text(text[:start] + cloze + text[end:], encoding="utf-8")
    result = refused(sample, tmp_path / "v2")
    problem = next(p for p in result.problems.errors if p.code == "kind-changed")
    assert problem.span.path.endswith(CARDS) and problem.span.line == 2
    assert "was a basic card and is a cloze card now" in problem.message and "new id" in problem.hint
    # an output card is a basic note too: basic ↔ output is fine
    (sample / CARDS).write_text(text, encoding="utf-8")
    rebuild(sample, tmp_path / "v3", 1_800_000_000, monkeypatch)


@pytest.mark.parametrize(
    ("written", "how"),
    [
        ('"antes\\x1fdepois"', "escape"),
        ('"nul\\0aqui"', "escape"),
        ('"meio \\ud800 surrogate"', "escape"),
        ("antes\x1fdepois", "raw"),
    ],
)
def test_control_characters_are_content_errors_at_the_field(
    sample: Path, tmp_path: Path, written: str, how: str
) -> None:
    """Item 5: one U+001F in a field made the whole package unimportable while check said 0 errors."""
    text = (sample / CARDS).read_text(encoding="utf-8")
    (sample / CARDS).write_text(text.replace("q: O que o **GIL** protege?", f"q: {written}"), encoding="utf-8")
    result = refused(sample, tmp_path / "out")
    problem = next(p for p in result.problems.errors if p.code == "control-character")
    assert problem.span.path.endswith(CARDS) and problem.span.line == 3
    assert "is not allowed in content" in problem.message


def test_a_raw_control_character_in_a_note_title_is_an_error(sample: Path, tmp_path: Path) -> None:
    note = sample / "lang/gil.md"
    note.write_text(note.read_text(encoding="utf-8").replace("title: ", "title: \x1f", 1), encoding="utf-8")
    result = refused(sample, tmp_path / "out")
    problem = next(p for p in result.problems.errors if p.code == "control-character")
    assert problem.span.path.endswith("lang/gil.md") and problem.span.line == 2


@pytest.mark.parametrize("written", ["1e3", "0o17", "1_000", "no", "0x1F", "12:30", "~"])
def test_ids_are_taken_as_written_never_coerced_by_yaml(
    sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, written: str
) -> None:
    """Item 6: YAML 1.1 read `id: 1e3` as 1000.0 and `0o17` as 15, silently changing identities."""
    text = (sample / CARDS).read_text(encoding="utf-8")
    (sample / CARDS).write_text(text.replace("- id: gil-o-que-e", f"- id: {written}", 1), encoding="utf-8")
    result = build(sample, tmp_path / "out")
    if written == "~":  # an empty value: an id is missing, said so
        assert any(p.code in ("missing-id", "wrong-type") for p in result.problems.errors)
        return
    ids = {c.id for c in result.kb.cards} if result.kb else set()
    assert written in ids or any(p.code == "bad-id" and written in p.message for p in result.problems.errors), (
        result.problems.render_text()
    )

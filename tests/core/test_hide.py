"""Cloze deletions in tested code (`hide:`): a cloze card includes an example's region and names the texts to
hide in it, so the code it shows is the code the test-suite runs, never a copy typed into the card."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
from anki_helpers import import_apkg, new_collection
from hypothesis import given, settings
from hypothesis import strategies as st
from kbtest import make_content

from kbdeck.build import build
from kbdeck.cli import main
from kbdeck.content.clozes import CLOZE_RE, Hide, parse_hide, place_hides, strip_clozes

CARD = """
- id: gil-soma-escondida
  cloze: |
    Somar uma lista de uma vez:

    @include examples/demo/soma.py#total
  hide:
    - c1::sum
    - c2::[1, 2, 3]
  see: por-que-existe
"""


EXAMPLE = '''
"""Soma de uma lista."""

# region: total
total = sum([1, 2, 3])
print(total)
# endregion: total

assert total == 6
'''


def kb_with(tmp_path: Path, card: str = CARD) -> Path:
    content = make_content(tmp_path, {"examples/demo/soma.py": EXAMPLE})
    gil = content / "flashcards/lang/gil.yaml"
    gil.write_text(gil.read_text(encoding="utf-8") + textwrap.dedent(card), encoding="utf-8")
    return content


def test_the_hidden_code_is_the_examples_and_real_anki_makes_a_card_per_deletion(tmp_path: Path) -> None:
    content = kb_with(tmp_path)
    result = build(content, tmp_path / "out")
    assert result.apkg is not None, result.problems.render_text()
    col = new_collection(tmp_path)
    import_apkg(col, result.apkg)
    (nid,) = col.find_notes('"Id:gil-soma-escondida"')
    note = col.get_note(nid)
    # the deletions sit in the highlighted code, around the text as the example has it
    assert "{{c1::sum}}" in note["Text"] and "{{c2::[1, 2, 3]}}" in note["Text"]
    assert '<span class="nb">print</span>' in note["Text"]  # the rest of the line is highlighted as usual
    cards = sorted(note.cards(), key=lambda c: c.ord)
    assert [c.ord for c in cards] == [0, 1]
    first_q, first_a = cards[0].question(), cards[0].answer()
    assert "[...]" in first_q and ">sum<" not in first_q and "[1, 2, 3]" in re.sub(r"<[^>]+>", "", first_q)
    assert re.search(r'class="cloze"[^>]*>sum<', first_a)
    second_q = re.sub(r"<[^>]+>", "", cards[1].question())
    assert "sum" in second_q and "[1, 2, 3]" not in second_q
    col.close()


def test_an_edit_of_the_example_reaches_the_card_and_one_that_drops_a_hidden_text_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = kb_with(tmp_path)
    assert build(content, tmp_path / "out").apkg is not None
    example = content / "examples/demo/soma.py"
    example.write_text(example.read_text(encoding="utf-8").replace("(total)", "(total, [1, 2, 3])"), encoding="utf-8")
    again = build(content, tmp_path / "out")
    assert again.changes is not None and again.changes.changed == ("gil-soma-escondida",)
    (note,) = [n for n in again.notes if n.card_id == "gil-soma-escondida"]
    text = re.sub(r"<[^>]+>", "", note.fields[1])
    assert text.count("{{c2::[1, 2, 3]}}") == 1 and text.count("[1, 2, 3]") == 2  # the first one hidden
    example.write_text(example.read_text(encoding="utf-8").replace("sum(", "max("), encoding="utf-8")
    assert main(["build", "--content", str(content), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    line = content.joinpath("flashcards/lang/gil.yaml").read_text(encoding="utf-8").splitlines().index("    - c1::sum")
    assert (
        f"gil.yaml:{line + 1}:7: error[hide-not-found]: card `gil-soma-escondida`: `sum` (c1) is not in the code" in err
    )
    assert "examples/demo/soma.py#total" in err and "hint: copy the text exactly" in err


@pytest.mark.parametrize(
    ("card", "code", "where", "words"),
    [
        (CARD.replace("c1::sum", "c1::a::b"), "bad-hide", "- c1::a::b", "cannot contain `::`"),
        (CARD.replace("c1::sum", "sum"), "bad-hide", "- sum", "write it as c1::text"),
        (CARD.replace("c1::sum", "c0::sum"), "bad-hide", "- c0::sum", "cloze numbers start at c1"),
        (CARD.replace("c1::sum", "c501::sum"), "bad-hide", "- c501::sum", "cloze numbers go up to c500"),
        (CARD.replace("c1::sum", "'c1:: '"), "bad-hide", "- 'c1:: '", "the text to hide is empty"),
        (CARD.replace("c1::sum", "c1::soma"), "hide-not-found", "- c1::soma", "`soma` (c1) is not in the code it"),
        (CARD.replace("c2::[1, 2, 3]", "c2::sum"), "hide-not-found", "- c2::sum", "only where earlier entries"),
        (
            CARD.replace("@include examples/demo/soma.py#total", "x"),
            "hide-without-include",
            "- c1::sum",
            "no `@include`",
        ),
        (CARD.replace("  cloze: |\n    Somar", "  q: |\n    Somar"), "hide-kind", "- c1::sum", "cloze cards only"),
    ],
)
def test_a_wrong_entry_is_named_where_it_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], card: str, code: str, where: str, words: str
) -> None:
    content = kb_with(tmp_path, card)
    assert main(["check", "--content", str(content)]) == 1
    err = capsys.readouterr().err
    path = content / "flashcards/lang/gil.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    line = next(i for i, ln in enumerate(lines) if ln.strip() == where)
    col = lines[line].index(where) + (1 if code in ("hide-kind", "hide-without-include") else 3)  # list or entry
    found = [i for i, ln in enumerate(err.splitlines()) if f"error[{code}]" in ln]
    assert len(found) == 1, err
    said = err.splitlines()[found[0]] + err.splitlines()[found[0] + 1]  # the message and its hint
    assert said.startswith(f"{path}:{line + 1}:{col}: error[{code}]: ") and words in said, err
    assert "Traceback" not in err


def test_entries_take_the_first_free_occurrence_in_order_across_blocks() -> None:
    blocks, missing = place_hides(
        ["x = f(x)\n", "y = f(f(x))\n"],
        [Hide(1, "f"), Hide(2, "f"), Hide(3, "f(x)"), Hide(4, "f"), Hide(5, "g")],
    )
    assert blocks == ["x = {{c1::f}}(x)\n", "y = {{c2::f}}({{c3::f(x)}})\n"]
    assert missing == [3, 4]  # every f is taken by then; g is nowhere
    assert parse_hide("c12::a b") == Hide(12, "a b")


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.text("ab()\n ", max_size=30), min_size=1, max_size=3),
    st.lists(st.tuples(st.integers(1, 9), st.text("ab() ", min_size=1, max_size=4)), max_size=5),
)
def test_hiding_only_adds_deletions_around_text_the_code_has(blocks: list[str], entries: list[tuple[int, str]]) -> None:
    """Whatever the code and the entries: stripped of the deletions, every block is the code as it was, and
    each entry is placed (around its own text) or reported missing, once."""
    hides = [Hide(n, text) for n, text in entries]
    out, missing = place_hides(blocks, hides)
    assert [strip_clozes(b)[0] for b in out] == blocks
    placed = sorted((int(n), body) for b in out for n, body, _ in CLOZE_RE.findall(b))
    assert placed == sorted((h.number, h.text) for i, h in enumerate(hides) if i not in missing)
    if hides:  # the first entry competes with no other: missing exactly when no block has its text (not joined)
        assert (0 in missing) == all(hides[0].text not in block for block in blocks)

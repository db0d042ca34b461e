"""Language is data (issue 21): an English knowledge base gets English everywhere kbdeck writes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from kbtest import make_content

from kbdeck.build import build, summary
from kbdeck.cli import main
from kbdeck.outputs import Policy

ENGLISH_KB = {
    "roadmap.yaml": """
        id: english-kb
        title: English KB
        deck: English KB
        language: en
        python: "3.11"
        areas: [{id: py, deck: Python}]
        weeks:
          - id: week-1
            title: Week 1
            days: [{id: day-1, title: Basics, topics: [py/lists]}]
    """,
    "py/lists.md": "---\ntitle: Lists\n---\n\nIntro.\n\n## Slicing\n\nText.\n\n## References\n\n- [docs](https://docs.python.org/3/)\n",
    "flashcards/py/lists.yaml": """
        - id: lists-slice
          q: What does `a[::-1]` return?
          a: A reversed copy.
          see: slicing
        - id: lists-cloze
          cloze: "`a[::-1]` returns {{c1::a reversed copy}}."
          see: slicing
        - id: lists-output
          code: |
            print([1, 2, 3][::-1])
          see: slicing
    """,
}
PORTUGUESE_WORDS = re.compile(r"imprime|saída|tipo|Referências|Tópicos", re.I)


def test_an_english_knowledge_base_gets_english_on_cards_and_tags(tmp_path: Path) -> None:
    content = make_content(tmp_path, ENGLISH_KB, base=None)
    result = build(content, tmp_path / "out", execute=Policy.ALL)
    assert result.apkg is not None, result.problems.render_text()
    assert not result.problems.items, result.problems.render_text()
    output = next(n for n in result.notes if n.card_id == "lists-output")
    assert "What does this code print?" in output.fields[1] and ">output<" in output.fields[2]
    for note in result.notes:
        assert not PORTUGUESE_WORDS.search(" ".join([*note.fields, *note.tags])), note.card_id
    assert "kb::kind::output" in output.tags
    assert "output 1" in summary(result)


def test_the_shipped_portuguese_words_and_tags_are_kept(tmp_path: Path) -> None:
    content = make_content(tmp_path, {})  # the sample knowledge base declares pt-BR
    result = build(content, tmp_path / "out")
    output = next(n for n in result.notes if n.card_id == "gil-output")
    assert "O que este código imprime?" in output.fields[1] and ">saída<" in output.fields[2]
    assert "kb::tipo::output" in output.tags


def test_the_references_check_speaks_the_notes_language(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = dict(ENGLISH_KB)
    files["py/lists.md"] = files["py/lists.md"].replace("## References", "## Links")
    content = make_content(tmp_path, files, base=None)
    main(["check", "--content", str(content)])
    err = capsys.readouterr().err
    assert "has no `## References` section" in err and "Referências" not in err


def test_a_language_without_words_is_a_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = dict(ENGLISH_KB)
    files["roadmap.yaml"] = files["roadmap.yaml"].replace("language: en", "language: xx")
    content = make_content(tmp_path, files, base=None)
    main(["check", "--content", str(content)])
    assert "warning[unknown-language]: kbdeck has no words for language `xx`" in capsys.readouterr().err


def test_the_progress_block_is_in_the_knowledge_bases_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = dict(ENGLISH_KB)
    files["README.md"] = "# Guide\n\n<!-- kbdeck:progress:start -->\nold\n<!-- kbdeck:progress:end -->\n"
    content = make_content(tmp_path, files, base=None)
    assert main(["stats", "--content", str(content), "--write-readme"]) == 0
    readme = (content / "README.md").read_text(encoding="utf-8")
    assert "| Goal | Have | Target | |" in readme and "| Runnable examples |" in readme and "old" not in readme

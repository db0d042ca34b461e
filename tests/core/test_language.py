"""Language is data (issue 21): an English knowledge base gets English everywhere kbdeck writes."""

from __future__ import annotations

import html
import re
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kbtest import make_content

from kbdeck.build import build, summary
from kbdeck.cli import main
from kbdeck.content.outputs import Policy

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


@pytest.mark.parametrize(
    ("markdown", "html"),
    [
        (r"A norma $\|v\|_2 = \sqrt{v \cdot v}$.", r"\(\|v\|_2 = \sqrt{v \cdot v}\)"),
        (r"$$\sum_{i=1}^{n} x_i * y_i$$", r"\[\sum_{i=1}^{n} x_i * y_i\]"),
        (r"\(a_1 * b_2\) e \[x^2 < y\]", r"\(a_1 * b_2\) e \[x^2 &lt; y\]"),
    ],
)
def test_math_reaches_the_card_as_anki_mathjax(markdown: str, html: str) -> None:
    """Issue 21: Markdown escaping ate the backslashes, so Anki's MathJax never saw the formula."""
    from kbdeck.render.markdown_html import Renderer

    assert html in Renderer({}).render(markdown)


@pytest.mark.parametrize("markdown", ["Custa $5 e $10.", "R$ 10 e R$ 20", "`$x$` em código", "\\$x$ escapado"])
def test_dollars_that_are_not_math_stay_text(markdown: str) -> None:
    from kbdeck.render.markdown_html import Renderer

    rendered = Renderer({}).render(markdown)
    assert "\\(" not in rendered and "\\[" not in rendered


def test_math_inside_code_blocks_is_code() -> None:
    from kbdeck.render.markdown_html import Renderer

    rendered = Renderer({}).render("```bash\necho $HOME $PATH\n```")
    assert "\\(" not in rendered and "HOME" in rendered


PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def test_local_images_are_packaged_and_shown_offline(tmp_path: Path) -> None:
    """Issue 21: `![projection](img/p.png)` was a broken image: the file was never packaged."""
    files = dict(ENGLISH_KB)
    files["py/lists.md"] = files["py/lists.md"].replace("Text.", "Text.\n\n![a list](img/list.png)")
    files["flashcards/py/lists.yaml"] = textwrap.dedent(files["flashcards/py/lists.yaml"]) + (
        '\n- id: lists-image\n  q: "Which list is this? ![l](../../py/img/list.png)"\n  a: "A list."\n'
        "  see: slicing\n  reverse: true\n"
    )
    content = make_content(tmp_path, files, base=None)
    (content / "py/img").mkdir()
    (content / "py/img/list.png").write_bytes(PNG)
    result = build(content, tmp_path / "out", execute=Policy.ALL)
    assert result.apkg is not None, result.problems.render_text()
    names = [n for n in result.media if "-img-" in n]
    assert len(names) == 1 and result.media[names[0]] == PNG and names[0].endswith(".png")
    card = next(n for n in result.notes if n.card_id == "lists-image")
    assert f'src="{names[0]}"' in card.fields[1]
    reverse = next(n for n in result.notes if n.card_id == "lists-image::reverse")
    assert f'src="{names[0]}"' in reverse.fields[2]  # its reverse resolves the path from the same file
    note_pages = [data.decode() for name, data in result.media.items() if "-note-" in name]
    assert any(f'src="{names[0]}"' in p for p in note_pages)
    # a new version of the image arrives under a new name (Anki never replaces a file of the same name)
    (content / "py/img/list.png").write_bytes(PNG + b"\0")
    again = build(content, tmp_path / "out", execute=Policy.ALL)
    assert again.changes is not None and "lists-image" in again.changes.changed
    assert [n for n in again.media if "-img-" in n] != names


@pytest.mark.parametrize(
    ("ref", "code"),
    [
        ("img/none.png", "missing-image"),
        ("../../../etc/passwd", "missing-image"),
        ("https://x.org/a.png", "remote-image"),
    ],
)
def test_bad_images_are_reported_at_the_card(tmp_path: Path, ref: str, code: str) -> None:
    files = dict(ENGLISH_KB)
    files["flashcards/py/lists.yaml"] = (
        textwrap.dedent(files["flashcards/py/lists.yaml"])
        + f'\n- id: lists-image\n  q: "![l]({ref})"\n  a: "A list."\n  see: slicing\n'
    )
    content = make_content(tmp_path, files, base=None)
    result = build(content, tmp_path / "out", execute=Policy.ALL)
    problem = next(p for p in result.problems.items if p.code == code)
    assert problem.span.path.endswith("lists.yaml")


def test_reverse_cards_are_notes_of_their_own(tmp_path: Path) -> None:
    """Issue 21: `reverse: true` on a basic card; the frozen note types gain no template."""
    from anki_helpers import import_apkg, new_collection

    files = dict(ENGLISH_KB)
    files["flashcards/py/lists.yaml"] = textwrap.dedent(files["flashcards/py/lists.yaml"]).replace(
        "  a: A reversed copy.\n", "  a: A reversed copy.\n  reverse: true\n"
    )
    content = make_content(tmp_path, files, base=None)
    result = build(content, tmp_path / "out", execute=Policy.ALL)
    assert result.apkg is not None, result.problems.render_text()
    by_id = {n.card_id: n for n in result.notes}
    forward, back = by_id["lists-slice"], by_id["lists-slice::reverse"]
    assert (back.fields[1], back.fields[2]) == (forward.fields[2], forward.fields[1])
    assert back.guid != forward.guid and back.notetype is forward.notetype
    col = new_collection(tmp_path)
    import_apkg(col, result.apkg)
    assert col.note_count() == 4 and len(col.models.all_names_and_ids()) >= 2
    col.close()


def test_reverse_on_a_cloze_is_an_error(tmp_path: Path) -> None:
    files = dict(ENGLISH_KB)
    files["flashcards/py/lists.yaml"] = textwrap.dedent(files["flashcards/py/lists.yaml"]).replace(
        "  see: slicing\n- id: lists-output", "  see: slicing\n  reverse: true\n- id: lists-output"
    )
    content = make_content(tmp_path, files, base=None)
    result = build(content, tmp_path / "out", execute=Policy.ALL)
    assert any(p.code == "reverse-kind" for p in result.problems.errors), result.problems.render_text()


def test_a_subdeck_per_topic(tmp_path: Path) -> None:
    files = dict(ENGLISH_KB)
    files["roadmap.yaml"] = files["roadmap.yaml"].replace("language: en", "language: en\n        subdecks: topic")
    content = make_content(tmp_path, files, base=None)
    result = build(content, tmp_path / "out", execute=Policy.ALL)
    assert result.apkg is not None, result.problems.render_text()
    assert {n.deck for n in result.notes} == {"English KB::Python::Lists"}


def test_a_note_outside_an_area_folder_and_obsidian_syntax_are_reported(tmp_path: Path) -> None:
    """Issue 21: both were silently ignored."""
    files = dict(ENGLISH_KB)
    files["stray.md"] = "---\ntitle: Stray\n---\n\nText.\n"
    files["py/lists.md"] = files["py/lists.md"].replace("Text.", "See [[other note]] and ![[diagram.png]].")
    content = make_content(tmp_path, files, base=None)
    result = build(content, tmp_path / "out", execute=Policy.ALL)
    codes = {p.code: p for p in result.problems.warnings}
    assert codes["note-outside-area"].span.path.endswith("stray.md")
    assert "[[other note]]" in codes["obsidian-syntax"].message


@pytest.mark.parametrize(
    ("name", "size", "code"), [("big.png", 2_000_001, "image-too-large"), ("doc.pdf", 10, "bad-image")]
)
def test_oversized_or_unsupported_images_are_errors(tmp_path: Path, name: str, size: int, code: str) -> None:
    files = dict(ENGLISH_KB)
    files["flashcards/py/lists.yaml"] = textwrap.dedent(files["flashcards/py/lists.yaml"]) + (
        f'\n- id: lists-image\n  q: "![l](../../py/{name})"\n  a: "A list."\n  see: slicing\n'
    )
    content = make_content(tmp_path, files, base=None)
    (content / "py" / name).write_bytes(b"\0" * size)
    result = build(content, tmp_path / "out", execute=Policy.ALL)
    assert result.apkg is None
    assert any(p.code == code and p.span.path.endswith("lists.yaml") for p in result.problems.errors)


_REGEX_BEFORE = re.compile(  # the single regex protect_math used, as the oracle for text without backticks
    r"\$\$(?P<display>.+?)\$\$|\\\[(?P<display2>.+?)\\\]|\\\((?P<inline2>.+?)\\\)"
    r"|(?<![\\$\w])\$(?P<inline>[^\s$](?:[^$\n]*?[^\s$\\])?)\$(?![\w$])",
    re.DOTALL,
)


@settings(max_examples=2000, deadline=None)
@given(
    st.lists(st.sampled_from(["$", "$$", "\\[", "\\]", "\\(", "\\)", "\\", "a", " ", "\n", "5", "<", "_"]), max_size=30)
)
def test_the_math_scan_finds_what_the_regex_found(tokens: list[str]) -> None:
    """The scan that replaced one regex (quadratic on unclosed delimiters, worse on backtick runs) finds the
    same math in the same places; with backticks, code spans are CommonMark's (`codeblocks.code_spans`)."""
    from kbdeck.render.markdown_html import MATH_TOKEN, protect_math

    text = "".join(tokens)
    found: list[str] = []

    def sub(m: re.Match[str]) -> str:
        display = m.group("display") or m.group("display2")
        tex = display if display is not None else (m.group("inline") or m.group("inline2") or "")
        open_, close = ("\\[", "\\]") if display is not None else ("\\(", "\\)")
        found.append(f"{open_}{html.escape(tex, quote=False)}{close}")
        return MATH_TOKEN.format(len(found) - 1)

    expected = (_REGEX_BEFORE.sub(sub, text), found) if any(d in text for d in ("$", "\\(", "\\[")) else (text, [])
    marked, math, written = protect_math(text)
    assert (marked, math) == expected
    assert len(written) == len(math) and all(w in text for w in written)


@pytest.mark.parametrize("written", ["pt-BR", "pt_BR", "pt-br", "pt", "PT_br"])
def test_a_language_is_found_however_its_tag_is_written(written: str) -> None:
    """`language: pt_BR` (as a locale writes it) gave English words on the cards, with a warning."""
    from kbdeck.model.words import known, words_for

    assert known(written) and words_for(written) is words_for("pt-BR")
    assert words_for("en_US") is words_for("en") and not known("xx_YY")

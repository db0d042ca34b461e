"""The checker: exact messages (golden file), every problem at once, no tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from kbtest import FIXTURES, make_content

from kbdeck.cli import main

GOLDEN = FIXTURES / "bad-kb.expected.txt"


def run_check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["check", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_bad_kb_reports_every_problem_exactly(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(FIXTURES)
    code, out, err = run_check(capsys, "--content", "bad-kb")
    assert code == 1
    assert out == ""
    assert "Traceback" not in err
    assert err == GOLDEN.read_text(encoding="utf-8"), (
        "regenerate with: cd tests/fixtures && kbdeck check --content bad-kb 2> bad-kb.expected.txt"
    )


def test_every_message_has_position_code_and_hint(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(FIXTURES)
    code, out, _ = run_check(capsys, "--content", "bad-kb", "--format", "json", "--execute")
    data = json.loads(out)
    assert code == 1 and data["errors"] >= 15
    codes = {p["code"] for p in data["problems"]}
    for expected in (
        "yaml-syntax",
        "unknown-key",
        "missing-id",
        "duplicate-id",
        "empty-question",
        "malformed-cloze",
        "unknown-topic",
        "orphan-cards",
        "unknown-anchor",
        "bad-include",
        "unknown-language",
        "not-utf8",
        "python-syntax",
        "missing-front-matter",
        "output-failed",  # with --execute; without it, the same card has no recorded output
    ):
        assert expected in codes, expected
    for p in data["problems"]:
        assert p["span"]["line"] >= 1 and p["span"]["col"] >= 1 and p["message"] and p["hint"], p


def test_duplicate_id_names_both_places(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_content(
        tmp_path,
        {
            "flashcards/lang/listas.yaml": """
        - id: gil-o-que-e
          q: Duplicado?
          a: Sim.
          see: fatiamento
    """
        },
    )
    (root / "flashcards/lang/listas.md").unlink()
    code, _, err = run_check(capsys, "--content", str(root))
    assert code == 1
    line = next(x for x in err.splitlines() if "duplicate-id" in x)
    assert "listas.yaml:1:7" in line and "gil.yaml:2:7" in line


def test_clean_sample_passes_strict(sample: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_check(capsys, "--content", str(sample), "--strict")
    assert code == 0, out
    assert "0 errors, 0 warnings" in out


def test_warnings_fail_only_with_strict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_content(tmp_path, {"flashcards/lang/listas.md": "ID: listas-x\nQ: P?\nA: R.\n"})
    assert run_check(capsys, "--content", str(root))[0] == 0
    code, _, err = run_check(capsys, "--content", str(root), "--strict")
    assert code == 1 and "missing-see" in err


def test_missing_content_dir_is_a_clear_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_check(capsys, "--content", str(tmp_path / "nope"))
    assert code == 2 and "not found" in err


def _parse_verdict(code: str) -> tuple[str, int | None] | None:
    """The definition: what `ast.parse` says."""
    try:
        compile(code, "<card>", "exec", 0x400, dont_inherit=True)
    except SyntaxError as err:
        return err.msg, err.lineno
    except (MemoryError, RecursionError):
        return "the code is nested too deeply for Python's parser", None
    return None


def test_the_quick_parse_gives_ast_parses_verdict_and_words() -> None:
    """`python_syntax_error` parses through `symtable` first; the verdict must stay `ast.parse`'s."""
    from kbtest import CONTENT

    from kbdeck.content.codeblocks import iter_fences
    from kbdeck.content.texts import QUICK_PARSE_MAX, python_syntax_error

    codes = [
        "nonlocal x\n",  # symtable refuses it, the parser does not
        "def f(a, a):\n    pass\n",
        "def f():\n    x = 1\n    global x\n",
        "return 1\n",
        "await x\n",
        "yield\n",
        "def f(:\n",
        "x = (1,\n",
        "print 'hi'\n",
        "if x:\npass\n",
        "x = 1\x00\n",
        "\ufeffx = 1\n",
        "# -*- coding: latin-1 -*-\nx = 'é'\n",
        "-" * (QUICK_PARSE_MAX - 1) + "1\n",  # as deep as quick code can nest
        "-" * 5000 + "1\n",
        "(" * 300 + ")" * 300,
        "x = [" * 150 + "]" * 150,
    ]
    for path in sorted(CONTENT.rglob("*")):
        if path.suffix in (".md", ".yaml"):
            codes += [f.code for f in iter_fences(path.read_text(encoding="utf-8")) if f.lang == "python"]
        elif path.suffix == ".py":
            codes.append(path.read_text(encoding="utf-8"))
    assert len(codes) > 100
    for code in codes:
        assert python_syntax_error(code) == _parse_verdict(code), repr(code[:60])


@pytest.mark.parametrize(
    ("text", "line", "col", "words"),
    [
        # a quote or bracket never closed: the parser gives up at the end of the file; the error points
        # where it opened, and says where the parser stopped
        ('- id: a\n  q: "open\n  a: b\n- id: c\n  q: d\n', 4, 6, "(line 8, column 1): what starts here is never"),
        ("a: {x: 1\n\n", 3, 4, "but got '<stream end>' (line 5, column 1): what starts here is never closed"),
        # stopped elsewhere: reported there, with the line the construct began on
        ("a:\n  b: 1\n c: 2\n", 5, 2, "while parsing a block mapping (line 3, column 1) expected <block end>"),
        ("- id: a\n  q: [1, 2\n  a: 3\n", 5, 4, "while parsing a flow sequence (line 4, column 6) expected ','"),
        # one line: as PyYAML says it
        ("a: b: c\n", 3, 5, "invalid YAML: mapping values are not allowed here"),
    ],
)
def test_a_yaml_error_points_at_what_to_fix(text: str, line: int, col: int, words: str) -> None:
    from kbdeck.content.yamlspan import parse_yaml
    from kbdeck.model.problems import Problems

    problems = Problems()
    assert parse_yaml(text, "f.yaml", problems, line_offset=2) is None
    (problem,) = problems.items
    assert (problem.code, problem.span.line, problem.span.col) == ("yaml-syntax", line, col), problem.message
    assert words in problem.message, problem.message


def test_a_code_block_never_closed_is_named_where_it_opens(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A forgotten closing fence turns the rest of a note into code: its headings vanish, and the cards that
    point at them fail. The fence is reported where it opens, and the cards' errors name it (peers lose the
    rest of a file to one backtick without a word)."""
    note = (FIXTURES / "kb" / "lang" / "gil.md").read_text(encoding="utf-8")
    broken = note.replace("print(sys.getrefcount)\n```\n", "print(sys.getrefcount)\n", 1)
    assert broken != note
    opened = broken.splitlines().index("```python") + 1
    card = "- id: aberta\n  q: P?\n  a: |\n    Texto\n    ~~~~python\n    x = 1\n  see: por-que-existe\n"
    card += "- id: depois\n  q: P?\n  a: R.\n  see: referências\n"  # a heading after the block
    root = make_content(tmp_path, {"lang/gil.md": broken, "flashcards/lang/gil.yaml": card})
    code, _, err = run_check(capsys, "--content", str(root))
    assert code == 1
    path = f"{root}/lang/gil.md"
    assert f"{path}:{opened}:1: warning[unclosed-fence]: this ``` code block is never closed" in err
    assert f"the code block opened at {path}:{opened} is never closed, so the headings after it are code" in err
    assert (
        "warning[unclosed-fence]: this ~~~~ code block is never closed: the rest of the text (1 line) is its code"
        in err
    )
    assert "close it with a line of ~~~~" in err
    # closed again: no warning, and the anchors are back
    fixed = make_content(tmp_path / "fixed", {"flashcards/lang/gil.yaml": card.replace("x = 1\n", "x = 1\n    ~~~~\n")})
    code, _, err = run_check(capsys, "--content", str(fixed))
    assert code == 0 and "unclosed-fence" not in err and "unknown-anchor" not in err, err


def test_an_unclosed_block_that_hides_no_heading_leaves_the_anchor_hint_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    note = (FIXTURES / "kb" / "lang" / "listas.md").read_text(encoding="utf-8") + "\n```python\nx = 1\n"
    card = "- id: errada\n  q: P?\n  a: R.\n  see: fatiamentos\n"
    root = make_content(tmp_path, {"lang/listas.md": note, "flashcards/lang/listas.yaml": card})
    code, _, err = run_check(capsys, "--content", str(root))
    assert code == 1 and "warning[unclosed-fence]" in err
    assert "hint: did you mean `fatiamento`?" in err and "headings after it are code" not in err, err


def test_a_tab_in_yaml_indentation_gets_its_own_hint() -> None:
    from kbdeck.content.yamlspan import parse_yaml
    from kbdeck.model.problems import Problems

    problems = Problems()
    assert parse_yaml("- id: a\n\tq: b\n", "f.yaml", problems) is None
    (problem,) = problems.items
    assert "'\\t'" in problem.message and problem.hint.startswith("indent with spaces")
    problems = Problems()
    assert parse_yaml("a: b: c\n", "f.yaml", problems) is None
    assert problems.items[0].hint.startswith("check indentation and quoting")


CARD = "\n- id: {id}\n  see: por-que-existe\n{body}"
MUTATIONS = {
    # code: (file, how to change it) — one problem each, every one with a hint (hints are required by
    # Problems.error/warning's signature; this holds the words, not just their presence)
    "duplicate-id": ("roadmap.yaml", lambda s: s.replace("  - {id: lang", "  - {id: lang, deck: X}\n  - {id: lang")),
    "bad-id": ("roadmap.yaml", lambda s: s.replace("id: sample-kb", "id: Sample_KB")),
    "bad-deck": ("roadmap.yaml", lambda s: s.replace("deck: Sample KB", "deck: A::B")),
    "expected-mapping": ("roadmap.yaml", lambda s: s.replace("  - {id: lang", "  - lang\n  - {id: lang")),
    "yaml-key": ("flashcards/lang/gil.yaml", lambda s: s + CARD.format(id="k", body="  [a, b]: x\n  q: a\n  a: b\n")),
    "wrong-type": ("flashcards/lang/gil.yaml", lambda s: s.replace("tags: [cpython]", "tags: {a: b}")),
    "cloze-kind": (
        "flashcards/lang/gil.yaml",
        lambda s: s + CARD.format(id="ck", body="  kind: basic\n  q: a\n  a: b\n  cloze: x\n"),
    ),
    "reverse-kind": (
        "flashcards/lang/gil.yaml",
        lambda s: s + CARD.format(id="rk", body="  cloze: '{{c1::x}}'\n  reverse: true\n"),
    ),
    "empty-cloze": ("flashcards/lang/gil.yaml", lambda s: s + CARD.format(id="ec", body="  cloze: ''\n")),
    "output-source": (
        "flashcards/lang/gil.yaml",
        lambda s: s + CARD.format(id="os", body="  code: print(1)\n  include: examples/demo/hello.py#x\n"),
    ),
    "malformed-cloze": ("flashcards/lang/gil.yaml", lambda s: s + CARD.format(id="c0", body="  cloze: '{{c0::x}}'\n")),
    "yaml-value": ("flashcards/lang/gil.yaml", lambda s: s.replace("tags: [cpython]", "tags: [!!bool maybe]")),
    "python-syntax": ("examples/demo/hello.py", lambda s: s + "\ndef broken(:\n"),
    "duplicate-key": ("flashcards/lang/listas.md", lambda s: s.replace("A: ", "A: um\nA: ", 1)),
    "empty-note": ("lang/listas.md", lambda s: s[: s.index("\n---", 3) + 4] + "\n"),
}


@pytest.mark.parametrize("code", sorted(MUTATIONS))
def test_each_problem_says_how_to_fix_it(tmp_path: Path, capsys: pytest.CaptureFixture[str], code: str) -> None:
    root = make_content(tmp_path, {})
    rel, change = MUTATIONS[code]
    path = root / rel
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
    exit_code, out, _ = run_check(capsys, "--content", str(root), "--format", "json")
    problems = json.loads(out)["problems"]
    assert exit_code == 1 and code in {p["code"] for p in problems}, problems
    for p in problems:
        assert p["hint"].strip(), p


def test_a_hide_of_the_wrong_type_is_one_error_with_the_list_to_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Not also "no deletion": the deletions were in the `hide:` that could not be read."""
    root = make_content(tmp_path, {})
    cards = root / "flashcards/lang/gil.yaml"
    body = "  cloze: |\n    Soma:\n\n    @include examples/demo/hello.py#soma\n  hide: c1::print\n"
    cards.write_text(cards.read_text(encoding="utf-8") + CARD.format(id="hide-str", body=body), encoding="utf-8")
    exit_code, _, err = run_check(capsys, "--content", str(root))
    assert exit_code == 1
    assert [ln for ln in err.splitlines() if "error[" in ln] == [
        next(ln for ln in err.splitlines() if "error[wrong-type]" in ln)
    ], err
    assert "= hint: write a list: `hide: [c1::print]`" in err


def test_a_roadmap_that_is_not_yaml_is_one_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Not also "roadmap.yaml must be a mapping, got nothing" at 1:1 (an empty roadmap still says that)."""
    root = make_content(tmp_path, {})
    roadmap = root / "roadmap.yaml"
    roadmap.write_text(roadmap.read_text(encoding="utf-8") + "extra: [never closed\n", encoding="utf-8")
    _, _, err = run_check(capsys, "--content", str(root))
    assert [ln.split(": ")[1] for ln in err.splitlines() if "error[" in ln] == ["error[yaml-syntax]"], err
    roadmap.write_text("", encoding="utf-8")
    _, _, err = run_check(capsys, "--content", str(root))
    assert "error[expected-mapping]: roadmap.yaml must be a mapping of keys, got nothing" in err, err


def test_an_include_line_shown_in_a_code_block_is_not_checked_as_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A note about includes shows the line as code: it was read as a directive to a missing example."""
    card = (
        "- id: gil-como-incluir\n  q: Como mostro uma região?\n  a: |\n    Assim:\n\n"
        "    ```text\n    @include examples/grupo/nome.py#regiao\n    ```\n  see: por-que-existe\n"
    )
    note = (
        "---\ntitle: Incluir\n---\n\n## Por que existe\n\nx\n\n## Referências\n\n- [docs](https://docs.python.org/3/)\n"
    )
    content = make_content(tmp_path, {"flashcards/lang/incluir.yaml": card, "lang/incluir.md": note})
    code, _, err = run_check(capsys, "--content", str(content))
    assert code == 0, err
    broken = card.replace("    ```text\n", "").replace("    ```\n", "")
    (content / "flashcards/lang/incluir.yaml").write_text(broken, encoding="utf-8")
    code, _, err = run_check(capsys, "--content", str(content))
    assert code == 1 and "error[bad-include]: no example `examples/grupo/nome.py`" in err


def test_problems_deep_in_a_note_are_reported_where_they_are_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An image, a refused tag or link and Obsidian syntax were all reported at the note's first line, one
    refused thing per note: in a 300-line note the writer hunted for each, one run at a time."""
    note = (FIXTURES / "kb" / "lang" / "gil.md").read_text(encoding="utf-8")
    (tmp_path / "outside.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    tail = [
        "",
        "Fora: ![o](../../outside.png) e `<b onclick=x>` em código",
        "",
        "```html",
        "<script>alert(1)</script>",
        "```",
        "",
        "Um [[wiki]] e <b onclick=x>negrito</b> e [l](javascript:x)",
        "",
        "![w](file:///etc/x.png) e ![n](img/nenhuma.png)",
        "",
        '<img src="data:image/png;base64,AAAA"> e ![d](data:image/png;base64,BBBB)',
    ]
    root = make_content(tmp_path / "kb", {"lang/gil.md": note + "\n".join(tail) + "\n"})
    first = len(note.splitlines()) + 1  # the line of tail[0]
    code, _, err = run_check(capsys, "--content", str(root))
    assert code == 1
    path = f"{root}/lang/gil.md"
    found = [line for line in err.splitlines() if line.startswith(path)]
    assert found == [
        f"{path}:{first + 1}:12: error[image-outside]: image `../../outside.png` is outside the content folder "
        f"({tmp_path / 'outside.png'}): only files under it are packaged",
        f"{path}:{first + 7}:4: warning[obsidian-syntax]: `[[wiki]]` is Obsidian syntax: kbdeck renders GitHub "
        "Markdown, where it is plain text",
        f"{path}:{first + 7}:15: error[unsafe-html]: an event handler attribute `onclick` on `<b>` would run in "
        "every reviewer that shows this text",
        f"{path}:{first + 7}:46: error[unsafe-html]: a link to `javascript:x` (only http(s), mailto, #anchors "
        "and relative paths) would run in every reviewer that shows this text",
        f"{path}:{first + 9}:6: error[unsafe-html]: an image from `file:///etc/x.png` reads a file of this "
        "computer: it shows nowhere else (phones, other machines)",
        f"{path}:{first + 9}:32: error[missing-image]: image `img/nenhuma.png` not found (relative to the file, "
        "or to the content folder)",
        f"{path}:{first + 11}:1: error[unsafe-html]: an image written into the text (`data:image/png;base64,AAAA…`) "
        "is refused, like every address that is not http(s)",
        f"{path}:{first + 11}:47: error[unsafe-html]: an image written into the text (`data:image/png;base64,BBBB…`) "
        "is refused, like every address that is not http(s)",
    ]
    assert "copy the image beside the note" in err and "copy it beside the note" in err


def test_an_example_that_does_not_parse_is_one_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Its docstring is read from the lines before the error: it also got "has no module docstring"."""
    root = make_content(tmp_path, {})
    path = root / "examples/demo/hello.py"
    path.write_text(path.read_text(encoding="utf-8") + "\ndef broken(:\n", encoding="utf-8")
    code, out, _ = run_check(capsys, "--content", str(root), "--format", "json")
    assert code == 1 and [p["code"] for p in json.loads(out)["problems"]] == ["python-syntax"]
    path.write_text(path.read_text(encoding="utf-8").split("\n", 1)[1], encoding="utf-8")  # none at all: said too
    code, out, _ = run_check(capsys, "--content", str(root), "--format", "json")
    assert sorted(p["code"] for p in json.loads(out)["problems"]) == ["missing-docstring", "python-syntax"]


@pytest.mark.parametrize(
    ("tail", "places"),
    [
        # a tag behind what looked like inline code, a tag left open at the end (both were at the note's first line)
        ('\nVeja http://x` <b onclick=alert(1)> `\n\n<div>\n<b title="x\n', [(1, 16), (4, 1)]),
        # the same such tag written twice (both were reported at its first place)
        ("\nVeja http://x` <b onclick=alert(1)> `\n\nDe novo http://y` <b onclick=alert(1)> `\n", [(1, 16), (3, 19)]),
    ],
    ids=["behind-inline-code-and-open", "the-same-tag-twice"],
)
def test_html_only_the_rendered_text_shows_is_reported_where_it_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], tail: str, places: list[tuple[int, int]]
) -> None:
    """What only cmark-gfm's HTML shows is reported at the line and column of the note where it is written."""
    note = (FIXTURES / "kb" / "lang" / "gil.md").read_text(encoding="utf-8")
    root = make_content(tmp_path / "kb", {"lang/gil.md": note + tail})
    first = len(note.splitlines()) + 1
    code, _, err = run_check(capsys, "--content", str(root))
    assert code == 1
    path = f"{root}/lang/gil.md"
    found = [line.split(": error")[0] for line in err.splitlines() if line.startswith(path)]
    assert found == [f"{path}:{first + line}:{col}" for line, col in places], err


def test_github_format_annotates_each_problem_on_its_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--format github`: in GitHub Actions, each problem shows on its line of the pull request's diff."""
    monkeypatch.chdir(FIXTURES)
    code, out, _ = run_check(capsys, "--content", "bad-kb", "--format", "json")
    data = json.loads(out)
    github, out, err = run_check(capsys, "--content", "bad-kb", "--format", "github")
    assert github == code == 1
    *annotations, tally = out.splitlines()
    assert err == "" and tally == f"{data['errors']} errors, {data['warnings']} warnings"
    assert len(annotations) == len(data["problems"])
    for line, problem in zip(annotations, data["problems"], strict=True):
        span = problem["span"]
        assert line.startswith(
            f"::{problem['severity']} file={span['path']},line={span['line']},col={span['col']},"
            f"title=kbdeck {problem['code']}::"
        ), line
    assert (
        "::error file=bad-kb/flashcards/lang/gil.yaml,line=8,col=3,title=kbdeck unknown-key::unknown key `se` in a "
        "card%0A= hint: did you mean `see`?"
    ) in annotations


def test_github_annotations_cannot_be_made_into_other_workflow_commands() -> None:
    """The text comes from the knowledge base: a line break in it would start a command of its own
    (`::add-mask::`); escaped as GitHub's toolkit escapes, it stays inside its annotation."""
    from kbdeck.model.problems import Problems, Span

    problems = Problems()
    problems.warning(Span("a,b:c%.md", 3, 4), "x-y", "key `k\n::add-mask::secret`\r 100%", "h\n::stop-commands::t")
    (line, tally) = problems.render_github().splitlines()
    assert line == (
        "::warning file=a%2Cb%3Ac%25.md,line=3,col=4,title=kbdeck x-y::key `k%0A::add-mask::secret`%0D 100%25"
        "%0A= hint: h%0A::stop-commands::t"
    )
    assert tally == "0 errors, 1 warning"


def test_github_annotations_name_files_by_their_path_in_the_repository(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """GitHub places an annotation by the file's path in the repository: `--content` given as an absolute
    path under the working folder (`$GITHUB_WORKSPACE/content`) still gives `content/…`."""
    root = make_content(tmp_path, {"lang/gil.md": "---\ntitle: x\n---\n\n## A\n\nSee <b onclick=x>y</b>\n"})
    monkeypatch.chdir(tmp_path)
    code, out, _ = run_check(capsys, "--content", str(root.resolve()), "--format", "github")
    relative = root.resolve().relative_to(tmp_path.resolve()).as_posix()
    assert code == 1 and f"::error file={relative}/lang/gil.md,line=7,col=5,title=kbdeck unsafe-html::" in out, out


@pytest.mark.parametrize(
    ("file", "damage", "code"),
    [
        ("lang/gil.md", b"\x00", "control-character"),  # its cards, its day and its mock section refer to it
        ("examples/demo/hello.py", b"\x01", "control-character"),  # a card and a note include it
        ("lang/listas.md", b"\xff", "not-utf8"),
        ("flashcards/lang/gil.yaml", b"\xe9", "not-utf8"),
    ],
)
def test_a_file_that_cannot_be_read_is_reported_once_not_as_missing(
    sample: Path, capsys: pytest.CaptureFixture[str], file: str, damage: bytes, code: str
) -> None:
    """A note with one stray byte made its cards "orphans of a topic with no note", its day list "no
    `lang/gil.md`", and an example's includes "no example": three wrong messages about a file that exists."""
    path = sample / file
    path.write_bytes(path.read_bytes() + damage)
    status, out, _ = run_check(capsys, "--content", str(sample), "--format", "json")
    errors = [p for p in json.loads(out)["problems"] if p["severity"] == "error"]
    assert status == 1
    assert [(e["code"], e["span"]["path"].endswith(file)) for e in errors] == [(code, True)], errors


def test_a_utf16_file_is_named_as_such(sample: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """What Windows editors call "Unicode": the message says which encoding it is, not "byte 0xff"."""
    path = sample / "flashcards/lang/gil.yaml"
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    _, _, err = run_check(capsys, "--content", str(sample))
    assert "error[not-utf8]: file is UTF-16, not UTF-8 (it starts with a UTF-16 byte-order mark)" in err


def test_an_orphan_cards_hint_names_the_content_folder_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The hint said `write content/<topic>.md` whatever the folder was called."""
    root = make_content(tmp_path, {}).rename(tmp_path / "my-notes")
    (root / "lang/listas.md").unlink()
    _, _, err = run_check(capsys, "--content", str(root))
    assert f"hint: write {root / 'lang/listas.md'} or move the card" in err


def test_front_matter_never_closed_is_one_error_naming_the_line_to_add(
    sample: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A note whose closing `---` was forgotten read as one long front matter: a YAML error on a Markdown line,
    "has no text", and every card's `see:` "not a heading". Now the note below is still read."""
    note = sample / "lang/listas.md"
    note.write_text(note.read_text(encoding="utf-8").replace("title: Listas\n---\n", "title: Listas\n"), "utf-8")
    status, out, _ = run_check(capsys, "--content", str(sample), "--format", "json")
    errors = [p for p in json.loads(out)["problems"] if p["severity"] == "error"]
    assert status == 1
    assert [(e["code"], e["span"]["line"], e["hint"]) for e in errors] == [
        ("unclosed-front-matter", 1, "add a line `---` after its last key (line 2), before the note's text")
    ]


def test_a_note_or_card_file_whose_extension_is_not_read_is_an_error(
    sample: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`vectors.YAML` was skipped without a word (its cards missing from the deck), and `listas.MD` made its
    cards "orphans of a topic with no note" and its day "no `lang/listas.md`"."""
    (sample / "lang/listas.md").rename(sample / "lang/listas.MD")
    (sample / "flashcards/lang/gil.yaml").rename(sample / "flashcards/lang/gil.YAML")
    status, out, _ = run_check(capsys, "--content", str(sample), "--format", "json")
    errors = [(p["code"], p["span"]["path"].rsplit("/", 1)[-1], p["hint"]) for p in json.loads(out)["problems"]]
    assert status == 1
    assert errors == [
        ("misnamed-file", "gil.YAML", "rename it to `gil.yaml`"),
        ("misnamed-file", "listas.MD", "rename it to `listas.md`"),
    ]


def test_a_roadmap_by_another_name_is_named_in_the_hint(sample: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (sample / "roadmap.yaml").rename(sample / "Roadmap.yml")
    _, _, err = run_check(capsys, "--content", str(sample))
    assert "error[missing-roadmap]" in err and "hint: rename `Roadmap.yml` to roadmap.yaml" in err


def test_on_a_case_insensitive_disk_roadmap_yaml_is_found_by_the_name_it_was_written_with(tmp_path: Path) -> None:
    """On macOS `Roadmap.yaml` answers to `roadmap.yaml` (so no missing-roadmap), but the folder lists it as
    written: the build looked for the exact name among the files, found none, and stopped with no problem to
    show. Here a second name for the same file stands in for the case-insensitive lookup."""
    from kbdeck.content.load import roadmap_in

    (tmp_path / "Roadmap.yaml").write_text("id: x\n", encoding="utf-8")
    (tmp_path / "roadmap.yaml").hardlink_to(tmp_path / "Roadmap.yaml")  # what the disk answers to
    listed = ["Roadmap.yaml", "a.md"]  # what the folder lists on such a disk
    assert roadmap_in(listed, tmp_path, tmp_path / "roadmap.yaml") == tmp_path / "Roadmap.yaml"
    assert roadmap_in([*listed, "roadmap.yaml"], tmp_path, tmp_path / "roadmap.yaml") == (tmp_path / "roadmap.yaml")
    (tmp_path / "roadmap.yaml").unlink()
    (tmp_path / "roadmap.yaml").write_text("id: y\n", encoding="utf-8")  # two files on a case-sensitive disk
    assert roadmap_in(listed, tmp_path, tmp_path / "roadmap.yaml") is None


def test_a_linked_folder_of_cards_is_said_not_read(
    sample: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`flashcards/lang` made a link to a folder elsewhere: its cards were missing from the deck, and check said
    "0 errors, 0 warnings". A link to a folder of images, or to a folder inside the content, needs no word."""
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (sample / "flashcards/lang").rename(outside / "lang")
    (sample / "flashcards/lang").symlink_to(outside / "lang", target_is_directory=True)
    (outside / "pics").mkdir()
    (outside / "pics/a.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>", encoding="utf-8")
    (sample / "lang/pics").symlink_to(outside / "pics", target_is_directory=True)
    (sample / "lang/again").symlink_to(sample / "lang", target_is_directory=True)
    _, out, _ = run_check(capsys, "--content", str(sample), "--format", "json")
    linked = [p for p in json.loads(out)["problems"] if p["code"] == "linked-folder"]
    assert [(p["severity"], p["span"]["path"].endswith("flashcards/lang")) for p in linked] == [("warning", True)]
    assert "the 2 note, card or example files in it are not read" in linked[0]["message"]


def test_an_underlined_heading_is_a_heading_its_cards_point_to(
    sample: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`Fatiamento` underlined with `---` is a heading on GitHub, and now to kbdeck too: its card's `see:` finds
    it (it was "not a heading", then a warning), and the card carries the section below the underline, up to the
    next heading, itself underlined with `===` (before, the section ran on through it)."""
    from kbdeck.build import build
    from kbdeck.render.assembly import SECTION_FIELD

    note = sample / "lang/listas.md"
    text = note.read_text(encoding="utf-8")
    text = text.replace("## Fatiamento\n", "Fatiamento\n----------\n").replace("## Referências\n", "Referências\n===\n")
    note.write_text(text, "utf-8")
    code, out, _ = run_check(capsys, "--content", str(sample), "--strict", "--format", "json")
    assert (code, json.loads(out)["problems"]) == (0, [])
    result = build(sample, sample.parent / "out")
    assert result.apkg is not None, result.problems.render_text()
    (card,) = [n for n in result.notes if n.topic == "lang/listas"]
    section = card.fields[card.notetype.fields.index(SECTION_FIELD)]
    assert "Texto sobre fatias." in section
    assert "---" not in section and "Referências" not in section and "tutorial" not in section
    page = next(data for name, data in result.media.items() if name.endswith(".html") and b"fatias" in data)
    assert b'<h2 id="fatiamento">Fatiamento</h2>' in page and b'<h1 id="refer\xc3\xaancias">' in page

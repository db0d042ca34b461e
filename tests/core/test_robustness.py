"""The hardening pass, availability items (issue 19, 7–9): hostile input costs bounded time and gives
problems, never a traceback; the environment's failures are exit 2 with a message; builds are
serialised, atomic, and leave no process behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kbtest import FIXTURES, make_content

from kbdeck.build import BuildResult, apkg_name, build
from kbdeck.cli import main
from kbdeck.content.check import check
from kbdeck.content.load import load
from kbdeck.model.problems import Problems

SEEDS = {
    "flashcards/lang/gil.yaml": (FIXTURES / "kb/flashcards/lang/gil.yaml").read_bytes(),
    "roadmap.yaml": (FIXTURES / "kb/roadmap.yaml").read_bytes(),
    "lang/gil.md": (FIXTURES / "kb/lang/gil.md").read_bytes(),
    "flashcards/lang/listas.md": (FIXTURES / "kb/flashcards/lang/listas.md").read_bytes(),
}
NASTY = [
    *(b"\x00", b"\x1f", b"\xff", b"\xed\xa0\x80", b"&a ", b"*a", b"{{c9999999999999999::", b"\t", b"\r", b"9" * 5000),
    *(
        b"!!bool ",
        b"!!timestamp ",
        b"!!binary ",
        b"!!set ",
        b"!!omap ",
        b"!foo ",
        b"[" * 600,
        b"{a: " * 400,
    ),  # tags, depth
]


def mutate(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    for pos, cut, insert in edits:
        at = pos % (len(data) + 1)
        data = data[:at] + insert + data[at + cut :]
    return data


edit = st.tuples(st.integers(0, 10_000), st.integers(0, 8), st.one_of(st.sampled_from(NASTY), st.binary(max_size=12)))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(sorted(SEEDS)), st.lists(edit, min_size=1, max_size=6), st.binary(max_size=200))
def test_any_bytes_in_any_content_file_give_problems_never_a_traceback(
    tmp_path_factory: pytest.TempPathFactory, target: str, edits: list[tuple[int, int, bytes]], noise: bytes
) -> None:
    base = tmp_path_factory.mktemp("fuzz")
    content = make_content(base, {})
    data = mutate(SEEDS[target], edits) if noise[:1] != b"!" else noise
    (content / target).write_bytes(data)
    started = time.perf_counter()
    code = main(["build", "--content", str(content), "--out", str(base / "out")])
    assert code in (0, 1)
    assert time.perf_counter() - started < 10, "one hostile file must not cost more than a few seconds"


@pytest.mark.parametrize(
    "text",
    [
        "- &s [*s]\n",  # refers to itself: looped for ever
        # 350 bytes of nested aliases ("billion laughs"): took 34 s and 2.5 GB
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
        + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8)),
    ],
    ids=["self-reference", "alias-bomb"],
)
def test_yaml_aliases_are_refused_in_bounded_time(
    tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    content = make_content(tmp_path, {"flashcards/lang/gil.yaml": text})
    started = time.perf_counter()
    assert main(["check", "--content", str(content)]) == 1
    assert time.perf_counter() - started < 5
    err = capsys.readouterr().err
    assert "error[yaml-alias]" in err and "Traceback" not in err


def test_a_yaml_alias_is_one_error_where_it_is_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """It was reported at its anchor (`&x`, the line before), with an "empty answer" and a "must be text"
    error for the same value."""
    import json

    cards = "- id: gil-um\n  q: &x Pergunta\n  a: *x\n  see: por-que-existe\n  tags: [a, *x]\n"
    content = make_content(tmp_path, {"flashcards/lang/gil.yaml": cards})
    assert main(["check", "--content", str(content), "--format", "json"]) == 1
    problems = json.loads(capsys.readouterr().out)["problems"]
    assert [(p["code"], p["span"]["line"], p["span"]["col"]) for p in problems] == [
        ("yaml-alias", 3, 6),
        ("yaml-alias", 5, 13),
    ]


@pytest.mark.parametrize(
    ("edit", "code"),
    [
        (
            (
                "flashcards/lang/gil.yaml",
                "- id: gil-output\n",
                '- id: gil-big\n  cloze: "{{c99999999999999999999::x}}"\n  see: por-que-existe\n\n- id: gil-output\n',
            ),
            "malformed-cloze",
        ),
        (("roadmap.yaml", "flashcards: 5,", f"flashcards: {'9' * 5000},"), "wrong-type"),
        (("roadmap.yaml", "deck: Sample KB", 'deck: "Sample\\0KB"'), "control-character"),
        (
            (
                "flashcards/lang/gil.yaml",
                "q: O que o **GIL** protege?",
                "q: |\n    ```python\n    x = " + "-" * 100_000 + "1\n    ```\n  a: x",
            ),
            "python-syntax",
        ),
        (("examples/demo/hello.py", "print(sum([1, 2, 3]))", "x = " + "-" * 200_000 + "1"), "python-syntax"),
        (("flashcards/lang/gil.yaml", "tags: [cpython]", "tags: [!!bool maybe]"), "yaml-value"),  # KeyError
        (("flashcards/lang/gil.yaml", "tags: [cpython]", "tags: [!!timestamp x]"), "yaml-value"),  # AttributeError
        (("flashcards/lang/gil.yaml", "tags: [cpython]", "tags: " + "[" * 3000 + "]" * 3000), "yaml-syntax"),
        (("lang/gil.md", "title:", "deep: " + "{a: " * 3000 + "1" + "}" * 3000 + "\ntitle:"), "yaml-syntax"),
    ],
    ids=[
        "huge-cloze-number",
        "5000-digit-int",
        "nul-in-deck-name",
        "deep-expression",
        "deep-expression-in-an-example",
        "bool-tag-on-a-word",
        "timestamp-tag-on-a-word",
        "yaml-nested-3000-deep",
        "front-matter-nested-3000-deep",
    ],
)
def test_inputs_that_crashed_are_problems(
    tmp_path: Path, edit: tuple[str, str, str], code: str, capsys: pytest.CaptureFixture[str]
) -> None:
    content = make_content(tmp_path, {})
    path, old, new = edit
    text = (content / path).read_text(encoding="utf-8")
    assert old in text
    (content / path).write_text(text.replace(old, new, 1), encoding="utf-8")
    assert main(["build", "--content", str(content), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert f"error[{code}]" in err and "Traceback" not in err


def test_a_very_long_deck_name_still_gives_a_package(tmp_path: Path) -> None:
    content = make_content(tmp_path, {})
    roadmap = content / "roadmap.yaml"
    roadmap.write_text(
        roadmap.read_text(encoding="utf-8").replace("deck: Sample KB", "deck: " + "Ç" * 300), encoding="utf-8"
    )
    result = build(content, tmp_path / "out")
    assert result.apkg is not None and len(result.apkg.name.encode()) <= 130
    assert apkg_name("Ç" * 300) != apkg_name("Ç" * 299 + "D")


def test_an_environment_failure_is_exit_2_with_a_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content = make_content(tmp_path, {})
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    assert main(["build", "--content", str(content), "--out", str(blocker / "out")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("kbdeck: ") and "a-file" in err and "Traceback" not in err


def _kbdeck(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", "from kbdeck.cli import run; run()", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_concurrent_builds_are_serialised_and_the_package_is_whole(tmp_path: Path) -> None:
    content = make_content(tmp_path, {})
    out = tmp_path / "out"
    procs = [_kbdeck("build", "--content", str(content), "--out", str(out)) for _ in range(4)]
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], results
    with zipfile.ZipFile(out / "Sample KB.apkg") as zf:
        assert zf.testzip() is None and "collection.anki2" in zf.namelist()
    leftovers = [p.name for p in out.iterdir() if p.name.endswith(".tmp")]
    leftovers += [p.name for p in content.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads children from /proc (Linux)")
def test_a_killed_cold_build_leaves_no_worker_behind(tmp_path: Path) -> None:
    content = make_content(tmp_path, {})
    for i in range(400):  # enough to keep the workers busy for a moment
        (content / f"flashcards/lang/extra{i}.yaml").write_text(
            f"- id: extra-{i}\n  q: pergunta {i}\n  a: |\n    ```python\n    x = {i}\n    ```\n  see: por-que-existe\n",
            encoding="utf-8",
        )
        (content / f"lang/extra{i}.md").write_text(
            f"---\ntitle: Extra {i}\n---\n\n## Por que existe\n\nx\n", encoding="utf-8"
        )
    proc = _kbdeck("build", "--content", str(content), "--out", str(tmp_path / "out"))
    children: set[int] = set()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not children:
        children = {int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit() and _ppid(int(p.name)) == proc.pid}
        time.sleep(0.02)
    if not children:
        proc.wait(timeout=60)
        pytest.fail("the cold build forked no render worker to observe")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(pid) for pid in children):
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in children), "render workers outlived their killed build"


def _ppid(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return -1


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1][0]
    except (OSError, IndexError):
        return False
    return state != "Z"


@pytest.mark.parametrize("run", ["```", "````", "``````"])
def test_an_included_region_with_backtick_lines_stays_inside_its_block(tmp_path: Path, run: str) -> None:
    """Item 11: a four-backtick line in an included region closed the fence and let the rest of the
    code be rendered as Markdown (and raw HTML)."""
    example = (
        f'"""Exemplo com crases."""\n\n# region: r\ns = """\n{run}\n<b>fora</b>\n"""\nprint("depois")\n# endregion: r\n'
    )
    content = make_content(
        tmp_path,
        {
            "examples/demo/crases.py": example,
            "flashcards/lang/crases.yaml": (
                "- id: gil-crases\n  q: Veja\n  a: |\n    @include examples/demo/crases.py#r\n  see: por-que-existe\n"
            ),
            "lang/crases.md": "---\ntitle: Crases\n---\n\n## Por que existe\n\nx\n",
        },
    )
    result = build(content, tmp_path / "out")
    assert result.apkg is not None, result.problems.render_text()
    answer = next(n.fields[2] for n in result.notes if n.card_id == "gil-crases")
    assert answer.count("<pre") == 1 and "<b>" not in answer
    assert "depois" in answer.split("<pre", 1)[1]


def build_one_answer(tmp_path: Path, name: str, text: str) -> BuildResult:
    """A knowledge base of one card, `gil-<name>` in `flashcards/lang/<name>.yaml`, whose answer is `text`, built."""
    body = "\n".join(f"    {line}" for line in text.split("\n"))
    card = f"- id: gil-{name}\n  q: Pergunta\n  a: |\n{body}\n  see: por-que-existe\n"
    note = "---\ntitle: H\n---\n\n## Por que existe\n\nx\n"
    content = make_content(tmp_path, {f"flashcards/lang/{name}.yaml": card, f"lang/{name}.md": note})
    return build(content, tmp_path / "out")


def test_a_card_that_spells_kbdecks_placeholders_builds_with_its_words(tmp_path: Path) -> None:
    """`$x$ KBDECKMATH00003X` was a traceback (IndexError), in `kbdeck check` and `kbdeck build`."""
    text = "$x$ KBDECKMATH00003X, KBDECKCODEBLOCK00000X\n\n```python\na = 1\n```"
    result = build_one_answer(tmp_path, "fichas", text)
    assert result.apkg is not None, result.problems.render_text()
    answer = next(n.fields[2] for n in result.notes if n.card_id == "gil-fichas")
    assert "\\(x\\) KBDECKMATH00003X, KBDECKCODEBLOCK00000X" in answer and answer.count("<pre") == 1
    content = tmp_path / "content"
    assert main(["check", "--content", str(content)]) == 0


@pytest.mark.parametrize(
    "text",
    [
        '<img src=x onerror="alert(1)">',
        "<IMG SRC=x OnError=alert(1)>",
        "[clique](javascript:alert(1))",
        "[clique](  JaVaScRiPt:alert(1))",
        "[clique](javascript&#58;alert(1))",
        "<javascript:alert(1)>",
        "[ref]\n\n[ref]: javascript:alert(1)",
        '<a href="data:text/html,<script>alert(1)</script>">x</a>',
        '<a href="java\tscript:alert(1)">x</a>',
        "<svg><circle/></svg>",
        '<div style="background:url(https://evil.example/x)">x</div>',
        "<iframe src=https://evil.example></iframe>",
        '<details open ontoggle="alert(1)"><summary>x</summary></details>',
        "<!--><script>alert(1)</script>",  # `<!-->` closes the comment in a browser
        "<!-- x --!><script>alert(1)</script>",
        '<script/=">',  # `="` there is an attribute's name, not a quoted value: the tag closes
        "`code` <!-- never closed <a b=" + "x" * 10 + "> <script>alert(1)</script>",
        # what looked like inline code to the check and is not to cmark-gfm
        '<a title="`" onclick="alert(1)" x="`">x</a>',  # the tag starts first: its backticks are its own
        "\\`<b onclick=alert(1)>`",  # an escaped backtick opens no code span
        "``\n\n[l](javascript:alert(1))\n\n``",  # a code span never reaches into the next paragraph
        "see http://x` <b onclick=alert(1)> `",  # an extended autolink takes the backtick (the HTML check)
        "$$`$$ <b onclick=alert(1)> `",  # math comes first: its backtick opens no code span
        # a tag or comment left open: the markup after the field (a code block, the next field) closes it
        '<div>\n<b title="x',
        "<div>\n<b onclick=alert(1)\n\n```python\nx = 1\n```",
        "<div>\n<!--",
        "<div>\n<![<x> <b onclick=alert(1)>\n</div>",  # Python's parser gave up at `<![<` and read no further
        # MathJax's own links and CSS (real Anki 26.9.3 made `\href{javascript:…}` a live link)
        "$\\href{javascript:alert(1)}{x}$",
        "\\\\(\\href{java&#9;script:alert(1)}{x}\\\\)",
        "$$\\style{position:fixed;top:0}{x}$$",
    ],
)
def test_hostile_html_on_a_card_is_refused(tmp_path: Path, text: str) -> None:
    """Item 13: event handlers and javascript: URLs reached card HTML, which runs in every reviewer."""
    result = build_one_answer(tmp_path, "hostil", text)
    assert result.apkg is None
    problem = next(p for p in result.problems.errors if p.code == "unsafe-html")
    assert problem.span.path.endswith("hostil.yaml") and problem.span.line == 3


@pytest.mark.parametrize(
    "cloze",
    [
        'Veja <b title="{{c1::x}} <img src=x onerror=alert(1)>">texto</b>',
        'Veja <b title="{{c2::x::dica}} <img src=x onerror=alert(1)>">texto</b> {{c1::y}}',
        'Veja <b title="[latex]x[/latex] <img src=x onerror=alert(1)>">texto</b> {{c1::y}}',
        'Veja <b title="[$]x[/$] <img src=x onerror=alert(1)>">texto</b> {{c1::y}}',
    ],
)
def test_a_cloze_deletion_or_latex_inside_a_tag_is_refused(tmp_path: Path, cloze: str) -> None:
    """Anki writes its own markup (quotes, `>`) in place of a deletion or LaTeX: inside a tag that ends the
    tag, and the rest of an attribute's value becomes markup. Shown here in Anki's own renderer, which runs the
    handler on both sides of a card whose text alone holds nothing live."""
    from anki_helpers import new_collection

    from kbdeck.content.rawhtml import _Finder, live_in_html

    assert live_in_html(cloze) == []
    col = new_collection(tmp_path)
    note = col.new_note(col.models.by_name("Cloze"))  # type: ignore[arg-type]
    note["Text"] = cloze
    col.add_note(note, col.decks.id("Default"))  # type: ignore[arg-type]
    card = note.cards()[0]
    for side in (card.question(), card.answer()):
        finder = _Finder()
        finder.feed(side)
        finder.close()
        assert any("`onerror` on `<img>`" in what for _, what, _ in finder.found), side
    col.close()
    content = make_content(
        tmp_path, {"flashcards/lang/clz.yaml": f"- id: gil-clz\n  cloze: {cloze!r}\n  see: por-que-existe\n"}
    )
    (content / "flashcards/lang/clz.yaml").rename(content / "flashcards/lang/gil.yaml")
    result = build(content, tmp_path / "out")
    assert result.apkg is None
    problem = next(p for p in result.problems.errors if p.code == "unsafe-html")
    assert "once Anki shows it" in problem.message and "out of HTML tags" in problem.hint


def test_a_tag_left_open_would_take_the_next_field_in() -> None:
    """Why a field may not end inside a tag or comment: each field alone holds nothing live, but the card
    puts them one after the other, and the browser reads them as one."""
    from kbdeck.content.rawhtml import _Finder, live_in_html
    from kbdeck.render.markdown_html import Renderer

    front, back = '<div>\n<b title="x', '<div>" onclick="alert(1)">y</div>'
    card = Renderer({}).render(front) + "\n\n<hr id=answer>\n\n" + Renderer({}).render(back)
    finder = _Finder()
    finder.feed(card)
    finder.close()
    assert [(kind, what) for kind, what, _ in finder.found] == [
        ("runs", "an event handler attribute `onclick` on `<b>` would run in every reviewer that shows this text")
    ]
    assert live_in_html(back) == []
    assert [(f.kind, f.why.split(":")[0], f.written) for f in live_in_html(front)] == [
        ("open", '`<b title="x` opens a tag or comment that this text never closes', '<b title="x')
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Veja `<script>` e `onclick=` em código inline: não é HTML.",
        "```html\n<script>alert(1)</script>\n```",
        "<kbd>Ctrl</kbd> + <b>K</b> e <details><summary>mais</summary>texto</details>",
        "[docs](https://docs.python.org/3/) e [nota](../lang/gil.md#por-que-existe) e [âncora](#x) e <https://x.org>",
        "Um `a < b` e List<T> no texto",
        "a<b c e x <y e http://x.org/`a` e <https://x.org/`b`>",
        "| a | b |\n|:--|--:|\n| 1 | 2 |",  # cmark-gfm's own alignment style
        "<details>\n<summary>mais</summary>\n\ntexto\n\n</details>",
        "$\\href{https://docs.python.org/3/}{x}$ e `\\style{color:red}` em código",
    ],
)
def test_harmless_html_and_links_are_accepted(tmp_path: Path, text: str) -> None:
    result = build_one_answer(tmp_path, "ok", text)
    assert result.apkg is not None, result.problems.render_text()


def test_a_hostile_source_url_is_refused(tmp_path: Path) -> None:
    content = make_content(tmp_path, {})
    roadmap = content / "roadmap.yaml"
    text = roadmap.read_text(encoding="utf-8")
    roadmap.write_text(
        text.replace("source_url: https://example.org/kb/blob/main/content/", 'source_url: "javascript:alert(1)//"'),
        encoding="utf-8",
    )
    result = build(content, tmp_path / "out")
    assert result.apkg is None and any(p.code == "bad-source-url" for p in result.problems.errors)


def test_the_refused_tags_are_the_ones_the_note_viewer_drops() -> None:
    import importlib.util

    from kbdeck.content.rawhtml import DANGEROUS_TAGS

    sanitize = Path(__file__).parents[2] / "addon/data/sanitize.py"
    spec = importlib.util.spec_from_file_location("addon_sanitize", sanitize)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.DROP_WITH_CONTENT == DANGEROUS_TAGS


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ('lang/aspas"x.md', "---\ntitle: A\n---\n\n## Por que existe\n\nx\n"),
        ("lang/barra\\x.md", "---\ntitle: A\n---\n\n## Por que existe\n\nx\n"),
        ("examples/demo/" + "e" * 210 + ".py", '"""Doc."""\nprint(1)\n'),
    ],
    ids=["quote-in-topic", "backslash-in-topic", "long-example-id"],
)
def test_names_the_add_on_would_refuse_are_refused_by_the_build(tmp_path: Path, path: str, text: str) -> None:
    """Item 12: names the build accepted made the add-on drop the whole knowledge base."""
    content = make_content(tmp_path, {path: text})
    result = build(content, tmp_path / "out")
    assert result.apkg is None
    assert any(p.code == "bad-id" for p in result.problems.errors), result.problems.render_text()


def test_a_knowledge_base_id_fits_the_add_ons_file_names(tmp_path: Path) -> None:
    content = make_content(tmp_path, {})
    roadmap = content / "roadmap.yaml"
    roadmap.write_text(
        roadmap.read_text(encoding="utf-8").replace("id: sample-kb", "id: " + "k" * 101), encoding="utf-8"
    )
    result = build(content, tmp_path / "out")
    assert result.apkg is None and any(p.code == "bad-id" for p in result.problems.errors)


def test_the_build_accepts_exactly_the_ids_the_add_on_reads() -> None:
    import ast

    from kbdeck.content.check import BUNDLE_ID_RE

    tree = ast.parse((Path(__file__).parents[2] / "addon/data/bundle.py").read_text(encoding="utf-8"))
    found = [
        node.value.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        and any(isinstance(target, ast.Name) and target.id == "ID_RE" for target in node.targets)
        and isinstance(node.value, ast.Call)
        and isinstance(node.value.args[0], ast.Constant)
    ]
    assert found == [BUNDLE_ID_RE.pattern]


def _files_by_rglob(root: Path) -> list[Path]:
    """The definition `content_files` replaced: every path `rglob` yields that is a file, no part hidden or a cache."""
    from kbdeck.content.load import skipped

    return [
        p for p in sorted(root.rglob("*")) if not any(skipped(x) for x in p.relative_to(root).parts) and p.is_file()
    ]


def test_content_files_are_the_files_rglob_finds(tmp_path: Path) -> None:
    """A tree with what a content folder may hold by accident: hidden and cache folders, links to files,
    folders and nowhere, a pipe, names with spaces and accents, folders nested deep."""
    from kbdeck.content.load import content_files

    root = tmp_path / "content"
    for rel in [
        "roadmap.yaml", "a/nota.md", "a/b/c/d/e.md", "a/.hidden.md", ".git/config", ".git/objects/x",
        "a/__pycache__/m.pyc", "node_modules/p/index.js", "a/node_modules/q.md", "ç ã/é é.md",
        "examples/g/ex.py", "examples/g/__pycache__/ex.cpython-311.pyc", "z/.cache/f.md", "x.md/inner.md",
    ]:  # fmt: skip
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x", encoding="utf-8")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "far.md").write_text("x", encoding="utf-8")
    (root / "linked-folder").symlink_to(tmp_path / "outside", target_is_directory=True)
    (root / "a" / "linked.md").symlink_to(root / "a" / "nota.md")
    (root / "a" / "loop").symlink_to(root / "a", target_is_directory=True)
    (root / "broken.md").symlink_to(tmp_path / "nowhere.md")
    (root / ".hidden-link.md").symlink_to(root / "roadmap.yaml")
    (root / "empty").mkdir()
    os.mkfifo(root / "a" / "pipe")
    found = content_files(root)
    assert found == _files_by_rglob(root)
    assert root / "a" / "linked.md" in found and root / "x.md" / "inner.md" in found
    assert not any(part in str(p) for p in found for part in ("linked-folder", ".git", "node_modules", "__pycache__"))
    relative = Path(os.path.relpath(root))
    assert content_files(relative) == _files_by_rglob(relative)
    assert content_files(tmp_path / "missing") == [] == content_files(root / "roadmap.yaml")


def test_a_full_disk_while_packaging_is_exit_2_and_keeps_the_previous_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """SQLite reports a full disk as `sqlite3.OperationalError`, not an `OSError`: writing the package's
    collection turned it into a traceback, and so did the build cache when its file could not be
    written even afresh. Now the cache gives up quietly (it is only ever time), and the package's
    failure is the environment's message, exit 2, with the previous package and ledger untouched."""
    import sqlite3

    from kbdeck.apkg import collection
    from kbdeck.support import cache

    content = make_content(tmp_path, {})
    out = tmp_path / "out"
    assert main(["build", "--content", str(content), "--out", str(out)]) == 0
    package = out / "Sample KB.apkg"
    before = package.read_bytes(), (content / ".kbdeck-ledger.json").read_bytes()
    card = next((content / "flashcards").rglob("*.yaml"))
    card.write_text(card.read_text(encoding="utf-8").replace("a: ", "a: Editada. ", 1), encoding="utf-8")

    def full(*args: object, **kwargs: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(collection, "set_models", full)  # written last, whether notes were copied or not
    monkeypatch.setattr(cache.Memo, "_write", full)
    capsys.readouterr()
    assert main(["build", "--content", str(content), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "database or disk is full" in err and "Traceback" not in err, err
    assert (package.read_bytes(), (content / ".kbdeck-ledger.json").read_bytes()) == before
    assert sorted(p.name for p in out.iterdir()) == [".cache", "Sample KB.apkg"]


def test_the_scratch_collection_is_written_beside_the_package_and_leftovers_are_swept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The system's temporary folder may be a small tmpfs (a 300,000-card collection is 1.3 GB): the
    collection is written beside the package. What a killed build left there (a scratch folder, a
    half-written package) is removed by the next build that writes a package, once nothing has
    touched it for `STALE_SECONDS`; a live build's newer files are left alone."""
    import tempfile

    from kbdeck.apkg import package

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "no-such-folder"))
    content = make_content(tmp_path, {})
    out = tmp_path / "out"
    out.mkdir()
    long_ago = time.time() - package.STALE_SECONDS - 60
    old_scratch = out / ".kbdeck-pkg-killed"
    old_scratch.mkdir()
    (old_scratch / "collection.anki2").write_bytes(b"half")
    os.utime(old_scratch / "collection.anki2", (long_ago, long_ago))
    os.utime(old_scratch, (long_ago, long_ago))
    old_zip = out / ".kbdeck-abc.apkg.tmp"
    old_zip.write_bytes(b"PK")
    os.utime(old_zip, (long_ago, long_ago))
    live = out / ".kbdeck-pkg-live"
    live.mkdir()
    (live / "collection.anki2").write_bytes(b"being written")
    mine = out / "notes.txt"
    mine.write_text("the user's own file", encoding="utf-8")
    result = build(content, out)
    assert result.apkg is not None
    with zipfile.ZipFile(result.apkg) as zf:
        assert zf.testzip() is None and "collection.anki2" in zf.namelist()
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [".cache", ".kbdeck-pkg-live", "Sample KB.apkg", "notes.txt"]
    )


@pytest.mark.parametrize(
    "tail",
    [
        "<!--" * 50_000,
        "<a " * 50_000,
        '<a b="' * 50_000,
        "`" * 50_000 + " x " + "``" * 20_000,
        "<b>x</b>\n" + "[x\n" * 150_000,
        "$x$ " + "`" * 1_500,  # the math scan's backtracking code-span regex: 17 s at 1,000, 117 s at 2,000
        "\\]" + "\\[" * 50_000,
        "\\(" * 50_000,
        "<img " * 50_000,  # 100 s: the image search read to the next `>` from every `<img`
        "<h1>" * 50_000,  # 30 s: the heading anchors searched for `</h1>` from every `<h1>`
        "```python\n" + "x = '{{c1::'\n" * 20_000 + "```",  # deletions in code: searched for `}}` from each
        "`x` " + "<!--" * 50_000 + " `y`",  # raw HTML before a code span: each `<!--` searched for `-->`
        "<!--`" * 150_000,  # and each looked for the last `-->` again (5 s at 50,000)
        "`" + "<!A" * 50_000 + "`",
        "`" + '<a b="' * 50_000 + "` " + "\\`" * 50_000,
    ],
    ids=[
        "unclosed-comments",
        "unclosed-tags",
        "unclosed-values",
        "backtick-runs",
        "unclosed-labels",
        "backticks-beside-math",
        "unclosed-display-math",
        "unclosed-inline-math",
        "unclosed-images",
        "unclosed-headings",
        "unclosed-deletions-in-code",
        "unclosed-comments-before-code",
        "unclosed-comments-between-code",
        "declarations-around-code",
        "values-and-escaped-backticks",
    ],
)
def test_markup_that_never_closes_costs_bounded_time(tmp_path: Path, tail: str) -> None:
    """The raw-HTML check read these in quadratic or worse time (`HTMLParser` rescanning to the end from
    each `<`; a backtracking code-span regex): 50,000 backticks took over ten minutes."""
    started = time.perf_counter()
    result = build_one_answer(tmp_path, "longo", "Texto.\n\n" + tail)
    if tail.startswith("<!--"):  # a comment left open is refused: the next field could end it
        assert [p.code for p in result.problems.errors] == ["unsafe-html"], result.problems.render_text()
    else:
        assert result.apkg is not None, result.problems.render_text()
    assert time.perf_counter() - started < 10, "one hostile card must not cost more than a few seconds"


TOKENS = ["<", ">", '"', "'", "=", "/", "!", "-", "--", " ", "\n", "a", "script", "img", "onerror", "x", "src", "style"]
TOKENS += ["?", "[", "CDATA", "iframe", "<!--", "-->", "</", "href", "#", "<a", "<script", "\t", '="', "='", "--!>"]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=40))
def test_the_cut_tail_never_changes_what_the_html_check_finds(tokens: list[str]) -> None:
    """`complete_part` only spares `HTMLParser` a tail with no `>`: the parser finds the same on both."""
    from kbdeck.content.rawhtml import _Finder, complete_part

    def found(text: str) -> list[str]:
        finder = _Finder()
        try:  # as `unsafe` reads: the parser's own errors (`<![<`: "expected name token") end the reading
            finder.feed(text)
            finder.close()
        except AssertionError:
            pass
        return [what for _, what, _ in finder.found]

    text = "".join(tokens)
    assert found(complete_part(text)) == found(text)


def test_code_spans_are_found_as_commonmark_finds_them() -> None:
    """A run of n backticks is closed by the next run of exactly n; a run with none is text."""
    from kbdeck.content.rawhtml import without_code_spans

    cases = {  # blanked, not removed: what is left stays at its line and column
        "a `x` b": "a     b",
        "``a`` b `c": "      b `c",
        "``a`": "``a`",
        "x ``` y ` z ``` w": "x               w",
        "`a\nb` c": "  \n   c",
        "````": "````",
        "` `` `": "      ",
        "`<script>` e <b>": "           e <b>",
        '<a title="`" onclick="x" y="`">': '<a title="`" onclick="x" y="`">',  # the tag came first
        "\\`<b onclick=x>`": "\\`<b onclick=x>`",  # an escaped backtick opens nothing
        "\\\\`<b onclick=x>`": "\\\\               ",  # an escaped backslash escapes nothing
        "<!-- ` --> `<i>`": "<!-- ` -->      ",
    }
    assert {text: without_code_spans(text) for text in cases} == cases


HOSTILE_TOKENS = ["`", "``", "\\", "<b", ' title="', '"', " onclick=x", ">", "</b>", "<!--", "-->", " ", "a", "\n"]
HOSTILE_TOKENS += ["<http://x", "[l](javascript:x)", "$", "*", "<?", "?>", "<!A", "'", "<x@y.z", "![i](file:x)"]
HOSTILE_TOKENS += ["\n\n", "\n# ", "\n- ", "\n> ", "\n1. ", "\n| a |\n|---|\n| ", "\n---\n", "\n```\n", "    "]


@settings(max_examples=4000, deadline=None)
@given(st.lists(st.sampled_from(HOSTILE_TOKENS), max_size=30))
def test_nothing_live_in_the_rendered_html_passes_the_check(tokens: list[str]) -> None:
    """The checker reads Markdown, the reviewer runs HTML: whatever the renderer leaves live (an event
    handler, a `javascript:` link) must be refused. Backticks inside a tag hid its `onclick` from the
    check, which blanked them out as a code span cmark never saw."""
    from kbdeck.content.codeblocks import cut_fences, iter_fences
    from kbdeck.content.rawhtml import _Finder, live_in_html, unsafe, without_code_spans, without_fences
    from kbdeck.render.markdown_html import Renderer

    text = "".join(tokens)
    finder = _Finder()
    finder.feed(Renderer({}).render(text))
    finder.close()
    fenceless = without_fences(text, [(f.start, f.end) for f in iter_fences(text)])
    cut, code_prefix, blocks = cut_fences(text)
    refused = unsafe(without_code_spans(fenceless))
    if finder.found:
        assert refused or live_in_html(cut, code_prefix, len(blocks)), (text, finder.found)
    if not refused:  # the HTML check sees what the renderer makes: it finds nothing the cards do not hold
        assert [f for f in live_in_html(cut, code_prefix, len(blocks)) if f.kind != "open"] == [] or finder.found, text


def test_raw_html_left_open_before_a_code_block_is_read_as_the_card_shows_it(tmp_path: Path) -> None:
    """`<?` opens raw HTML that the browser ends at the next `>`: on the card, the `>` of the code block's markup,
    after which `<b onclick=x>` runs. Blanked out, the code block held no `>`, and the check read the handler as
    inside the `<?`: it must be refused (found by `test_nothing_live_in_the_rendered_html_passes_the_check`).
    The markup the check puts for a block is the renderer's own."""
    from kbdeck.content.rawhtml import CODE_BLOCK_HTML
    from kbdeck.render.highlight import code_block

    assert code_block("", "") == CODE_BLOCK_HTML
    text = "<?\n```\n\n```\n<b onclick=x>"
    content = make_content(tmp_path, {})
    with (content / "flashcards/lang/gil.yaml").open("a", encoding="utf-8") as f:
        f.write(f"\n- id: aberto\n  q: {json.dumps(text)}\n  a: x\n  see: por-que-existe\n")
    problems = Problems()
    kb = load(content, problems)
    assert kb is not None
    check(kb, problems)
    assert any(p.code == "unsafe-html" and "onclick" in p.message for p in problems.errors), problems.render_text()


def test_a_cloze_with_thousands_of_unclosed_deletions_is_refused_in_bounded_time(tmp_path: Path) -> None:
    """Each `{{c1::` searched for a `}}` to the end of the text (30,000 of them: 48 s); still refused."""
    card = "- id: gil-aberto\n  cloze: |\n    {{c1::x}} " + "{{c1::" * 30_000 + "\n  see: por-que-existe\n"
    content = make_content(
        tmp_path,
        {"flashcards/lang/aberto.yaml": card, "lang/aberto.md": "---\ntitle: A\n---\n\n## Por que existe\n\nx\n"},
    )
    started = time.perf_counter()
    result = build(content, tmp_path / "out")
    assert result.apkg is None and any(p.code == "malformed-cloze" for p in result.problems.errors)
    assert time.perf_counter() - started < 10, "one hostile card must not cost more than a few seconds"


def test_markup_the_parser_cannot_read_is_placed_by_its_lines_not_unicode_ones() -> None:
    """Lines are counted as the HTML parser counts them (`\\n`): `str.splitlines` also split at a U+2028 in the
    text, which put the finding on the wrong character."""
    from kbdeck.content.rawhtml import unsafe

    text = "a\u2028" + "b" * 20 + "\n<div>\n" + "x" * 20 + " <![<x> <b onclick=1>\n</div>"
    assert [offset for _, offset, _ in unsafe(text)] == [text.index("<![")]


def test_finding_a_cards_heading_slugs_its_see_once_not_once_per_heading(monkeypatch: pytest.MonkeyPatch) -> None:
    """`heading_for` slugged the card's `see:` again for every heading it passed: a note of 2,000 headings asked
    by its 2,000 cards took 4 million slugs (1.5 s of a check, 0.1 s now). Counted, not timed."""
    import kbdeck.model.slug
    from kbdeck.model.kb import Heading, Topic

    headings = tuple(Heading(2, f"Seção {i}", f"seção-{i}", i) for i in range(500))
    topic = Topic(id="a/b", path=Path("a/b.md"), span=None, title="t", body="", body_line=1, headings=headings)  # type: ignore[arg-type]
    calls: list[str] = []
    slugify = kbdeck.model.slug.slugify
    monkeypatch.setattr(kbdeck.model.slug, "slugify", lambda text: calls.append(text) or slugify(text))
    assert topic.heading_for("Seção 499") is headings[499]
    assert topic.heading_for("#seção-250") is headings[250]
    assert topic.heading_for("nowhere") is None
    assert len(calls) == 3


def test_a_long_notes_heading_index_finds_what_the_scan_finds() -> None:
    """Above `LOOKUP_MIN` headings a note finds a card's heading, and a section its end, through an index:
    the same heading as the scan (the first whose anchor is the `see:` or its slug, or whose text is it),
    the same section text, over repeated texts, anchors that are another heading's text, and misses."""
    import random

    from kbdeck.model.kb import LOOKUP_MIN, Heading, Topic
    from kbdeck.model.slug import Slugger, slugify
    from kbdeck.render.sections import section_markdown

    def scan(topic: Topic, see: str) -> Heading | None:
        wanted = see.lstrip("#")
        return next((h for h in topic.headings if wanted in (h.anchor, h.text) or slugify(wanted) == h.anchor), None)

    rng = random.Random(22)
    words = ["a", "b", "a-1", "A", "b 1", "Ção", "ção"]
    for _ in range(40):
        slugger, lines, headings = Slugger(), [], []
        for i in range(rng.randint(LOOKUP_MIN + 1, LOOKUP_MIN * 3)):
            text, level = " ".join(rng.sample(words, rng.randint(1, 2))), rng.randint(1, 4)
            headings.append(Heading(level, text, slugger.anchor(text), len(lines) + 1))
            lines += [f"{'#' * level} {text}", f"texto {i}"]
        topic = Topic("a/b", Path("a/b.md"), None, "t", "\n".join(lines), 1, headings=tuple(headings))  # type: ignore[arg-type]
        for see in [*words, *(h.anchor for h in headings), "#" + headings[-1].anchor, "nada"]:
            assert topic.heading_for(see) is scan(topic, see), see
        for h in headings:
            nxt = next((o for o in headings if o.line > h.line and o.level <= h.level), None)
            body = lines[h.line : (nxt.line - 1) if nxt else len(lines)]
            assert section_markdown(topic, h) == ("\n".join(body).strip("\n"), False)

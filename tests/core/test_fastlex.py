"""The accelerated lexers (`kbdeck.render.fastlex`) give exactly the tokens stock Pygments gives.

Compared on every code block and example of the shipped knowledge base, on the test fixtures, and on
random text (hypothesis) for each language the content uses and a few more, so that a Pygments
upgrade that breaks the equivalence fails here instead of changing cards.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kbtest import CONTENT, FIXTURES
from pygments.lexer import Lexer, RegexLexer
from pygments.lexers import get_lexer_by_name

from kbdeck.content.codeblocks import iter_fences
from kbdeck.render import fastlex, firstchars, highlight
from kbdeck.render.fragments import Fragments, code_sizes
from kbdeck.render.workers import Workers

LANGS = [
    "python",
    "pycon",
    "sql",
    "postgresql",
    "bash",
    "console",
    "yaml",
    "json",
    "dockerfile",
    "javascript",
    "graphql",
    "http",
    "django",
    "diff",
    "toml",
    "ini",
    "html",
    "markdown",
    "nginx",
    "go",
    "rust",
]
ALIASES = {"py": "python", "python3": "python", "sh": "bash", "shell": "bash", "js": "javascript", "yml": "yaml"}


@functools.cache
def stock(lang: str) -> Lexer:
    return get_lexer_by_name(lang, stripnl=False, ensurenl=False)


@functools.cache
def fast(lang: str) -> Lexer:
    return fastlex.accelerate(get_lexer_by_name(lang, stripnl=False, ensurenl=False))


def tokens(lexer: Lexer, text: str) -> list[tuple[object, str]]:
    return list(lexer.get_tokens(text))


def corpus() -> dict[str, list[str]]:
    """Every fenced block under content/ and the fixtures, by language, and every example file."""
    found: dict[str, list[str]] = {}
    for root in (CONTENT, FIXTURES):
        for path in sorted(root.rglob("*")):
            if path.suffix in (".md", ".yaml", ".yml", ".txt"):
                text = path.read_text(encoding="utf-8", errors="replace")
                # YAML block scalars: fences sit indented, which iter_fences handles
                for fence in iter_fences(text):
                    lang = ALIASES.get(fence.lang, fence.lang)
                    if lang in LANGS:
                        found.setdefault(lang, []).append(fence.code)
            elif path.suffix == ".py":
                found.setdefault("python", []).append(path.read_text(encoding="utf-8", errors="replace"))
    return found


CORPUS = corpus()


def test_the_corpus_covers_the_content_languages() -> None:
    assert len(CORPUS["python"]) > 100
    for lang in ("sql", "bash", "yaml", "dockerfile"):
        assert CORPUS.get(lang), lang


@pytest.mark.parametrize("lang", sorted(CORPUS))
def test_same_tokens_on_the_knowledge_base(lang: str) -> None:
    slow, quick = stock(lang), fast(lang)
    for code in CORPUS[lang]:
        assert tokens(quick, code) == tokens(slow, code)


def test_lexers_are_accelerated_once_they_have_lexed_enough() -> None:
    highlight.lexer_for.cache_clear()
    highlight._lexed.clear()
    block = "def f(x):\n    return x\n"
    highlight.highlight(block, "python")
    lexer = highlight.lexer_for("python")
    assert lexer is not None and "get_tokens_unprocessed" not in vars(lexer)  # a rebuild's one block: stock
    html = highlight.highlight(block * (highlight.ACCELERATE_AFTER // len(block)), "python")
    assert "get_tokens_unprocessed" in vars(lexer)
    assert highlight.highlight(block, "python") == html[: len(highlight.highlight(block, "python"))]


def test_a_batch_with_enough_code_accelerates_before_lexing_any() -> None:
    """In-process rendering (one core) knows the whole batch: past the threshold, the lexer is
    accelerated before its first block, not after `ACCELERATE_AFTER` characters lexed the slow way."""
    highlight.lexer_for.cache_clear()
    highlight._lexed.clear()
    block = "def f(x):\n    return x\n"
    many = [("md", f"Texto {i}\n\n```python\n{block * 40}```\n") for i in range(80)]
    sizes = code_sizes([*many, ("code", "SELECT 1;", "sql", ""), ("md", "no code")])
    assert sizes["python"] >= highlight.ACCELERATE_AFTER and sizes["sql"] == len("SELECT 1;")
    fragments = Fragments({}, workers=Workers(1))  # in-process, as on one core
    lexed: list[bool] = []
    original = highlight.highlight

    def watched(code: str, lang: str) -> str:
        lexer = highlight.lexer_for(lang)
        lexed.append(lexer is not None and "get_tokens_unprocessed" in vars(lexer))
        return original(code, lang)

    highlight.highlight = watched  # type: ignore[assignment]
    try:
        with fragments.batch():
            for _, text in many:
                fragments.render(text)
    finally:
        highlight.highlight = original  # type: ignore[assignment]
    assert lexed and all(lexed), "a block was lexed before the lexer was accelerated"
    highlight.lexer_for.cache_clear()
    highlight._lexed.clear()
    few = Fragments({}, workers=Workers(1))
    with few.batch():  # a rebuild's few blocks: the stock loop, no set-up cost
        few.render(many[0][1])
    lexer = highlight.lexer_for("python")
    assert lexer is None or "get_tokens_unprocessed" not in vars(lexer)


def test_python_is_actually_accelerated() -> None:
    highlight.warm(("python",))
    lexer = highlight.lexer_for("python")
    assert lexer is not None and "get_tokens_unprocessed" in vars(lexer)
    root = fastlex._TABLES[type(lexer)]["root"]
    combined, _, rules = root.entry("d")
    # an identifier's first letter leaves a few of the root state's ~50 rules, joined into one pattern
    assert combined is not None and 2 <= len(rules) < len(root.rules) // 5
    assert len(root.entry("x")[2]) <= 3
    assert root.entry("")[2] == tuple(r for r, t in zip(root.rules, root.tests, strict=True) if t is None)


def test_first_character_tests_over_approximate() -> None:
    def test(pattern: str, flags: int = 0) -> object:
        return firstchars.test_from(firstchars.first(re.compile(pattern, flags)))

    assert test(r"") is None and test(r"a*") is None and test(r"(?=x)") is None  # can match ""
    digits = test(r"\d+")
    assert callable(digits) and digits("7") and digits("٣") and not digits("x")
    words = test(r"(?<!\.)(def|class)\b")
    assert callable(words) and words("d") and words("c") and not words("x")
    negated = test(r"[^\\\n]+")
    assert callable(negated) and negated("a") and not negated("\n") and not negated("\\")
    caseless = test(r"(?i)(rb|br|r)(\")")
    assert callable(caseless) and caseless("R") and caseless("b") and not caseless("x") and caseless("é")
    assert test(r"(?i)ſ") is firstchars.any_char  # ſ matches s case-insensitively: no analysis
    assert test(r"(a)\1") is not None and test(r"(a)?(?(1)b|c)") is firstchars.any_char
    assert test(r"(?a)\w") is firstchars.any_char


def test_flags_backreferences_and_verbose_patterns_are_scoped_or_refused() -> None:
    base = re.compile("", re.MULTILINE).flags  # str patterns also carry re.UNICODE
    assert fastlex._scoped(re.compile(r"(?i)abc", base), base) == "(?i:abc)"
    assert fastlex._scoped(re.compile(r"abc", base), base | re.DOTALL) == "(?-s:abc)"
    assert fastlex._scoped(re.compile("a # comment", base | re.VERBOSE), base) == "(?x:a # comment\n)"
    assert fastlex._scoped(re.compile(r"(a)\1", base), base) is None
    assert fastlex._scoped(re.compile(r"(?P<q>a)(?P=q)", base), base) is None
    assert fastlex._scoped(re.compile(r"(?a)abc", re.MULTILINE), base) is None  # ASCII cannot be scoped


CODEY = st.lists(
    st.sampled_from(
        [
            *"abcdefxyz_019 \t\n\r'\"`\\#$%&*+-./:;<=>?@[]{}()|^~,!",
            *["def ", "class ", "import ", "from ", "f'", 'rb"', '"""', "'''", "{x!r}", "%s", "\\n", "match ", "case "],
            *["SELECT ", "-- ", "/*", "*/", "$$", "${", "<<EOF\n", "---\n", "- ", ": ", "FROM ", "RUN ", "<div>", "->"],
        ]
    ),
    max_size=80,
).map("".join)


@pytest.mark.parametrize("lang", LANGS)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=CODEY)
def test_same_tokens_on_random_text(lang: str, text: str) -> None:
    assert tokens(fast(lang), text) == tokens(stock(lang), text)


@pytest.mark.parametrize(
    ("version", "expected"), [("2.17.2", True), ("2.21.0", True), ("2.16.1", False), ("2.22.0", False), ("3.0", False)]
)
def test_acceleration_is_used_only_with_the_pygments_versions_it_was_compared_with(
    version: str, expected: bool
) -> None:
    assert fastlex.available(version) is expected


def test_without_acceleration_lexers_keep_pygments_loop_and_the_same_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 22: a Pygments outside the tested range, or a Python without `re._parser`, falls back."""
    from pygments.lexers import PythonLexer

    code = "def f(x):\n    return [i ** 2 for i in range(x)]  # ok\n"
    expected = list(PythonLexer().get_tokens(code))
    monkeypatch.setattr(fastlex, "AVAILABLE", False)
    lexer = fastlex.accelerate(PythonLexer())
    assert "get_tokens_unprocessed" not in vars(lexer)
    assert list(lexer.get_tokens(code)) == expected
    monkeypatch.setattr(firstchars, "PARSER", False)
    assert fastlex.available("2.21.0") is False


PREPROCESSED = ["x = 1", "\n\nx = 1\r\ny = 2\r", "\ufeffa\tb\n", "\n", "", "if x:\r    pass\n\n\n"]


@pytest.mark.parametrize("options", [{}, {"stripnl": False, "ensurenl": False}, {"stripall": True, "tabsize": 4}])
@pytest.mark.parametrize("lang", ["python", "sql", "yaml"])
def test_highlights_token_stream_is_pygments_get_tokens(lang: str, options: dict[str, object]) -> None:
    """`highlight.tokens` skips `get_tokens`' wrapper, not its preprocessing: newlines, BOM, stripping, tabs."""
    for lexer in (get_lexer_by_name(lang, **options), fastlex.accelerate(get_lexer_by_name(lang, **options))):
        for text in [*PREPROCESSED, *CORPUS.get(lang, [])[:20]]:
            assert [(t, v) for _, t, v in highlight.tokens(lexer, text)] == tokens(lexer, text), repr(text)


def test_a_lexer_with_filters_goes_through_get_tokens() -> None:
    lexer = get_lexer_by_name("python", stripnl=False, ensurenl=False)
    lexer.add_filter("keywordcase", case="upper")
    assert [v for _, _, v in highlight.tokens(lexer, "def f(): pass")][:2] == ["DEF", " "]


def _fresh(base: type) -> type:
    """A lexer class of its own: Pygments processes (compiles) its rules again on its first instance."""
    return type(f"Fresh{base.__name__}", (base,), {})


def test_lexer_rules_come_from_the_pattern_cache_as_re_compile_makes_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 22: a lexer class's first instance compiles its rules through `patterns.compile_cached`
    (0.02 s → 0.007 s for Python): the same patterns, then read back from the files; `re` put back."""
    import pygments.lexer as module
    from pygments.lexers import PythonLexer

    from kbdeck.render import patterns

    monkeypatch.setenv("KBDECK_CACHE_HOME", str(tmp_path))
    stock_cls = _fresh(PythonLexer)
    stock_lexer = stock_cls(stripnl=False, ensurenl=False)

    def rules(cls: type) -> dict[str, list[tuple[object, ...]]]:
        return {
            name: [(r[0].__self__.pattern, r[0].__self__.flags, r[1], r[2]) for r in rs]
            for name, rs in cls._tokens.items()  # type: ignore[attr-defined]
        }

    for round_ in ("compiled and stored", "read back"):
        cls = _fresh(PythonLexer)
        with fastlex.rules_from_cache():
            assert module.re is not re
            lexer = cls(stripnl=False, ensurenl=False)
        assert module.re is re, round_
        assert rules(cls) == rules(stock_cls), round_
        for code in CORPUS["python"][:50]:
            assert tokens(lexer, code) == tokens(stock_lexer, code)
        stored = len(list(tmp_path.rglob("*.bin")))
        assert stored > 80, round_  # Python's rules, one file each
        monkeypatch.setattr(patterns, "_parser", None)  # from here on, a rule compiled afresh would fail

    with pytest.raises(ZeroDivisionError), fastlex.rules_from_cache():
        _ = 1 / 0
    assert module.re is re
    monkeypatch.setattr(fastlex, "AVAILABLE", False)  # an untested Pygments: its own re.compile
    with fastlex.rules_from_cache():
        assert module.re is re


def test_rule_analyses_are_stored_and_read_back_unchanged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 22: analysing a lexer's rules took 0.03 s per process for Python; what it found is kept in
    the pattern cache, and anything damaged or unexpected there is analysed again."""
    from kbdeck.render import patterns

    monkeypatch.setenv("KBDECK_CACHE_HOME", str(tmp_path))
    langs = [lang for lang in LANGS if isinstance(stock(lang), RegexLexer)]

    def analyse(lang: str) -> dict[str, list[firstchars.First]]:
        return fastlex._analysed(stock(lang)._tokens, type(stock(lang)).__name__)  # type: ignore[attr-defined]

    analysed = {lang: analyse(lang) for lang in langs}
    assert 10 < len(list(tmp_path.rglob("*.json"))) <= len(langs)
    worked = []
    first = firstchars.first
    monkeypatch.setattr(firstchars, "first", lambda p: worked.append(p) or first(p))
    for lang in langs:
        assert analyse(lang) == analysed[lang], lang
    assert worked == []

    states = stock("python")._tokens  # type: ignore[attr-defined]
    family = "first-PythonLexer"
    (path,) = [p for p in tmp_path.rglob("*.json") if set(json.loads(p.read_bytes())["value"]) == set(states)]
    good = path.read_bytes()
    key = json.loads(good)["key"]
    for bad in [
        b"",
        good[: len(good) // 2],
        good.replace(b'"chars", "d"', b'"chars", "e"', 1),  # still JSON: the checksum tells
        json.dumps({"key": "another", "sha256": "", "value": {}}).encode(),
    ]:
        path.write_bytes(bad)
        assert analyse("python") == analysed["python"]
        assert worked, bad[:40]
        assert path.read_bytes() == good  # stored again
        worked.clear()
    for value in [
        {"root": [["bogus"]]},
        {"root": []},
        [],
        {name: [["x", []]] * len(rs) for name, rs in states.items()},
        {name: [[False, [["chars", ""]]]] * len(rs) for name, rs in states.items()},
        {name: [[False, [["chars"]]]] * len(rs) for name, rs in states.items()},
        {name: [[False, [["not", "ab"]]]] * len(rs) for name, rs in states.items()},
        {name: [[False, [5]]] * len(rs) for name, rs in states.items()},
        {name: [[False, [["in", False, "", [], []]]]] * len(rs) for name, rs in states.items()},
    ]:
        patterns.write_json(family, key, value)  # a sound file with the wrong content: not what fastlex writes
        assert analyse("python") == analysed["python"]
        assert worked
        worked.clear()

    monkeypatch.setenv("KBDECK_CACHE_HOME", "")  # keep nothing: analysed each time, nothing written
    before = sorted(tmp_path.rglob("*"))
    assert analyse("python") == analysed["python"]
    assert worked and sorted(tmp_path.rglob("*")) == before


def test_combined_patterns_compile_to_res_own_code_words(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 22: every alternation fastlex compiles while lexing the corpus (all languages) is put together
    from its alternatives' parses into the tree `re` makes of the joined text: the same code words, group
    count and flags, with character classes optimised once per process; where it cannot be (verbose
    patterns, named groups, references), the joined text is parsed."""
    from re import _compiler, _parser  # type: ignore[attr-defined]

    from kbdeck.render import patterns

    monkeypatch.setenv("KBDECK_CACHE_HOME", str(tmp_path))
    seen: list[tuple[list[str], int]] = []
    real = patterns.compile_alternation

    def spy(alternatives: list[str], flags: int) -> re.Pattern[str]:
        seen.append((list(alternatives), flags))
        return real(alternatives, flags)

    monkeypatch.setattr(fastlex, "compile_alternation", spy)
    monkeypatch.setattr(fastlex, "_TABLES", {})
    for lang in LANGS:
        lexer = fastlex.accelerate(get_lexer_by_name(lang, stripnl=False, ensurenl=False))
        for code in CORPUS.get(lang, ["x = 1\n"]):
            tokens(lexer, code)
    assert len(seen) > 100
    monkeypatch.setattr(patterns, "_charsets", {})
    monkeypatch.setattr(patterns, "_trees", {})
    composed = 0
    for alternatives, flags in seen:
        source = "|".join(f"({a})" for a in alternatives)
        expected = _parser.parse(source, flags)
        tree = patterns._joined(alternatives, source, flags)
        if tree is not None:
            composed += 1
            assert (tree.state.groups, tree.state.flags) == (expected.state.groups, expected.state.flags)
            assert patterns._code(tree, flags) == _compiler._code(expected, flags), source[:60]
        assert patterns._code(_parser.parse(source, flags), flags) == _compiler._code(expected, flags)
        compiled = patterns.compile_alternation(alternatives, flags)
        assert (compiled.pattern, compiled.groups, compiled.flags) == (
            source,
            expected.state.groups - 1,
            re.compile(source, flags).flags,
        )
    assert composed > len(seen) * 0.9, (composed, len(seen))  # the fast path is the common one

"""Compiled patterns kept between runs (render/patterns.py): the same pattern as `re.compile`, from a
fresh compile or from the file; anything odd on disk falls back to `re.compile`."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from kbdeck.render import patterns
from kbdeck.render.patterns import compile_cached

SOURCES = [
    (r"(def)(\s+)([a-zA-Z_]\w*)|(class)\b|(?P<num>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?)", 0),
    (r"((?i:select|from|where))|([ \t]+)|(--[^\n]*)|(é+|ß)", re.MULTILINE),
    (r"(?<![\w$])\$([^\s$](?:[^$\n]*?[^\s$\\])?)\$(?![\w$])|(`+)(?:(?!\2).)+?\2", re.DOTALL),
    (r"(\"\"\"|''')((?:.|\n)*?)\1|(#.*$)|([^\W\d]\w*)", re.MULTILINE | re.UNICODE),
]
ALPHABET = [*"defclass 0123.5e+9 selectFROMwhere\t\n-$`x_éßÉ'\"#", '"""', "'''", "SELECT", "def f"]


def texts(seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 30))) for _ in range(400)]


def same(a: re.Pattern[str], b: re.Pattern[str]) -> None:
    assert (a.pattern, a.flags, a.groups, a.groupindex) == (b.pattern, b.flags, b.groups, b.groupindex)
    for text in texts(len(a.pattern)):
        for pos in range(0, len(text) + 1, 3):
            ma, mb = a.match(text, pos), b.match(text, pos)
            assert (ma and (ma.span(), ma.groups(), ma.lastindex)) == (mb and (mb.span(), mb.groups(), mb.lastindex))
        assert [m.span() for m in a.finditer(text)] == [m.span() for m in b.finditer(text)]


@pytest.mark.parametrize(("source", "flags"), SOURCES)
def test_fresh_and_stored_patterns_match_as_re_compile(
    source: str, flags: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KBDECK_CACHE_HOME", str(tmp_path))
    expected = re.compile(source, flags)
    same(compile_cached(source, flags), expected)  # compiled, and written
    assert len(list(tmp_path.rglob("*.bin"))) == 1
    same(compile_cached(source, flags), expected)  # read back


def test_a_damaged_or_foreign_file_is_compiled_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KBDECK_CACHE_HOME", str(tmp_path))
    source, flags = SOURCES[0]
    compile_cached(source, flags)
    (path,) = tmp_path.rglob("*.bin")
    good = path.read_bytes()
    head, code = good.split(b"\n", 1)
    for bad in [
        b"",
        b"garbage",
        head,
        head + b"\n" + code[:-3],  # truncated code words
        head + b"\n" + bytes(len(code)),  # code words the engine refuses
        head.replace(b'"key": "', b'"key": "0') + b"\n" + code,  # another pattern's file
        b'{"key": 1}\n' + code,
    ]:
        path.write_bytes(bad)
        same(compile_cached(source, flags), re.compile(source, flags))
        assert path.read_bytes() == good  # written again


def test_a_bad_pattern_raises_as_re_compile_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KBDECK_CACHE_HOME", str(tmp_path))
    with pytest.raises(re.error):
        compile_cached("(unclosed", 0)
    assert not list(tmp_path.rglob("*.bin"))


def test_nothing_is_kept_when_disabled_unwritable_or_on_another_python(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, flags = SOURCES[1]
    monkeypatch.setenv("KBDECK_CACHE_HOME", "")
    assert patterns.cache_dir() is None
    same(compile_cached(source, flags), re.compile(source, flags))
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    monkeypatch.setenv("KBDECK_CACHE_HOME", str(blocked))
    same(compile_cached(source, flags), re.compile(source, flags))
    monkeypatch.setenv("KBDECK_CACHE_HOME", str(tmp_path / "other"))
    monkeypatch.setattr(patterns, "TESTED_PYTHONS", ((3, 0), (3, 1)))
    same(compile_cached(source, flags), re.compile(source, flags))
    assert not (tmp_path / "other").exists()


def test_the_cache_lives_in_the_users_cache_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KBDECK_CACHE_HOME")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    if patterns.os.name != "nt":
        assert patterns.cache_dir() == tmp_path / "kbdeck" / "patterns"


def test_a_machine_without_a_home_folder_keeps_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.delenv("KBDECK_CACHE_HOME")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(patterns.Path, "home", staticmethod(no_home))
    source, flags = SOURCES[2]
    same(compile_cached(source, flags), re.compile(source, flags))


def test_a_family_of_stored_values_keeps_only_its_newest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A lexer's analysis is stored again under a new key when fastlex or the rules change: the old file
    (never to be read again, 0.1 MB) goes; another family's stays; an odd family name stays a file name."""
    monkeypatch.setenv("KBDECK_CACHE_HOME", str(tmp_path))
    patterns.write_json("first-a.Lexer", "1" * 64, {"v": 1})
    patterns.write_json("first-b.Lexer", "2" * 64, {"v": 2})
    patterns.write_json("first-a.Lexer", "3" * 64, {"v": 3})
    assert patterns.read_json("first-a.Lexer", "3" * 64) == {"v": 3}
    assert patterns.read_json("first-a.Lexer", "1" * 64) is None
    assert patterns.read_json("first-b.Lexer", "2" * 64) == {"v": 2}
    assert sorted(p.name[:13] for p in tmp_path.rglob("*.json")) == ["first-a.Lexer", "first-b.Lexer"]
    patterns.write_json("first-x/../*[y]", "4" * 64, {"v": 4})
    assert patterns.read_json("first-x/../*[y]", "4" * 64) == {"v": 4}
    patterns.write_json("first-a.Lexer-2", "5" * 64, {"v": 5})  # a family whose name extends another's
    patterns.write_json("first-a.Lexer", "6" * 64, {"v": 6})
    assert patterns.read_json("first-a.Lexer-2", "5" * 64) == {"v": 5}
    assert len(list(tmp_path.rglob("*.json"))) == 4


def test_folders_of_python_builds_unused_for_long_are_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Upgrading Python leaves a folder of the old build's compiled patterns; once no process has used it
    for `UNUSED_DAYS`, the next process to look at the cache removes it (and only such folders)."""
    monkeypatch.setenv("KBDECK_CACHE_HOME", str(tmp_path))
    root = tmp_path / "patterns"
    long_ago = patterns.time.time() - (patterns.UNUSED_DAYS + 1) * 86400
    recently = patterns.time.time() - (patterns.UNUSED_DAYS - 1) * 86400
    for name, when in [("0123456789abcdef", long_ago), ("fedcba9876543210", recently), ("notes", long_ago)]:
        (root / name).mkdir(parents=True)
        (root / name / "x.bin").write_bytes(b"x")
        patterns.os.utime(root / name, (when, when))
    (root / "aaaaaaaaaaaaaaaa").write_bytes(b"a file, not a folder")
    patterns.os.utime(root / "aaaaaaaaaaaaaaaa", (long_ago, long_ago))
    mine = root / patterns._TAG
    mine.mkdir()
    patterns.os.utime(mine, (long_ago, long_ago))
    monkeypatch.setattr(patterns, "_looked", set())
    source, flags = SOURCES[0]
    same(compile_cached(source, flags), re.compile(source, flags))
    assert sorted(p.name for p in root.iterdir()) == sorted(
        ["fedcba9876543210", "notes", "aaaaaaaaaaaaaaaa", patterns._TAG]
    )
    assert mine.stat().st_mtime > recently  # marked as used


def test_code_words_are_res_own_with_each_character_class_optimised_once() -> None:
    """Issue 22: `patterns._code` keeps `re`'s character-class optimisation by its arguments (0.1 s of a first
    build on a machine went to optimising Pygments' Unicode classes again and again). The code words are
    the ones `re` makes, whatever was optimised before, for cased and caseless, Unicode and ASCII patterns;
    and `re`'s own function is back in place after each compile, even one that fails."""
    from re import _compiler, _parser  # type: ignore[attr-defined]

    from pygments import unistring as uni

    word = f"[{uni.xid_start}][{uni.xid_continue}]*"
    sources = [
        *SOURCES,
        (word, 0),
        (word, re.IGNORECASE),  # the same classes, other arguments: another optimisation
        (f"({word})|(@{word})|([{uni.Lu}]+)", 0),
        (f"({word})|(@{word})|([{uni.Lu}]+)", re.IGNORECASE),
        (r"[a-zA-Z_]\w*|[^\W\d]+|[\s\S]", re.ASCII),
        (r"[a-zA-Z_]\w*|[^\W\d]+|[\s\S]", re.ASCII | re.IGNORECASE),
        (r"[k\u212a]|[s\u017f]+|[^\u0130-\u0131]", re.IGNORECASE),
    ]
    own = _compiler._optimize_charset
    for _ in range(2):  # optimised afresh, then remembered
        for source, flags in [*sources, *reversed(sources)]:
            expected = _compiler._code(_parser.parse(source, flags), flags)
            assert patterns._code(_parser.parse(source, flags), flags) == expected, (source[:40], flags)
            assert _compiler._optimize_charset is own
    assert patterns._charsets

    def fails(parsed: object, flags: int) -> list[int]:
        raise ZeroDivisionError

    original = _compiler._code
    _compiler._code = fails
    try:
        with pytest.raises(ZeroDivisionError):
            patterns._code(_parser.parse("a", 0), 0)
    finally:
        _compiler._code = original
    assert _compiler._optimize_charset is own


@pytest.mark.parametrize(
    ("alternatives", "flags", "assembled"),
    [
        ([r"(def)(\s+)([a-zA-Z_]\w*)", r"class\b", r"\d+(?:\.\d*)?"], 0, True),
        ([r"(?i:select|from)", r"(?<![\w$])\$[^$]+\$", r"(?>a+)b", r"x*+y", r"(?=z)z|(?!q)w"], re.MULTILINE, True),
        ([r"[^\W\d]\w*", r"(a)(b(c))?", r""], re.DOTALL, True),
        ([r"(?P<num>\d+)", r"x"], 0, False),  # a named group: the joined text is parsed
        ([r"(a)\1", r"x"], 0, False),  # a reference to a group
        ([r"(a)?(?(1)b|c)", r"x"], 0, False),  # a conditional
        ([r"a # comment", r"b"], re.VERBOSE, False),  # verbose: a comment would run on
        ([r"(?u)a", r"b"], 0, False),  # flags for the whole pattern, not at its start once joined
    ],
)
def test_an_alternation_is_put_together_as_re_parses_it_joined(
    alternatives: list[str], flags: int, assembled: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 22: `compile_alternation` puts `(a0)|(a1)|…` together from each alternative's parse (groups
    renumbered), the tree `re` makes of the joined text; what it does not cover is parsed joined."""
    from re import _compiler, _parser  # type: ignore[attr-defined]

    monkeypatch.setenv("KBDECK_CACHE_HOME", str(tmp_path))
    source = "|".join(f"({a})" for a in alternatives)
    tree = patterns._joined(alternatives, source, flags)
    assert (tree is not None) is assembled
    if tree is not None:
        expected = _parser.parse(source, flags)
        assert (tree.state.groups, tree.state.flags) == (expected.state.groups, expected.state.flags)
        assert _compiler._code(tree, flags) == _compiler._code(expected, flags)
    try:
        joined = re.compile(source, flags)  # verbose: the comment runs on, as it does here
    except re.error:  # a reference to the wrapping group, flags not at the start: refused alike
        with pytest.raises(re.error):
            patterns.compile_alternation(alternatives, flags)
        return
    same(patterns.compile_alternation(alternatives, flags), joined)
    same(patterns.compile_alternation(alternatives, flags), joined)  # read back

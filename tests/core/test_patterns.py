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

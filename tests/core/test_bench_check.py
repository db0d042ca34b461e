"""The benchmarks check every package they time (issue 22: "every measured build checked for N notes and
highlighted code"): a build that dropped a card, left a code block plain or missed the edit must stop the
run, not post a good time."""

from __future__ import annotations

import importlib.util
import shutil
import sqlite3
import sys
import zipfile
from pathlib import Path
from types import ModuleType

import pytest

from kbdeck.build import build

BENCH = Path(__file__).resolve().parents[2] / "bench"
N = 7


def _bench_run() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_run", BENCH / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_run"] = module
    spec.loader.exec_module(module)
    return module


bench = _bench_run()


@pytest.fixture
def corpus(tmp_path: Path) -> tuple[Path, Path]:
    """A 7-card bench corpus built once: (content, package)."""
    from corpus import generate  # bench/, on the path once run.py is loaded

    content, _ = generate(N, tmp_path / "corpus")
    result = build(content, tmp_path / "out")
    assert result.apkg is not None, result.problems.render_text()
    return content, result.apkg


def _tampered(apkg: Path, dest: Path, sql: str) -> Path:
    """A copy of `apkg` whose collection went through `sql`."""
    work = dest.parent / "tamper"
    work.mkdir()
    with zipfile.ZipFile(apkg) as zf:
        zf.extractall(work)
        names = zf.namelist()
    conn = sqlite3.connect(work / "collection.anki2")
    conn.execute(sql)
    conn.commit()
    conn.close()
    with zipfile.ZipFile(dest, "w") as out:
        for name in names:
            out.write(work / name, name)
    shutil.rmtree(work)
    return dest


def test_the_corpus_as_built_passes_and_knows_its_code_cards(corpus: tuple[Path, Path]) -> None:
    from corpus import cards_with_code

    _, apkg = corpus
    assert cards_with_code(N) == 5  # cards 2 and 5 of 0–6 have no Python block
    bench.check_package(apkg, N)


def test_a_wrong_count_a_plain_block_or_a_missed_edit_stops_the_run(corpus: tuple[Path, Path], tmp_path: Path) -> None:
    content, apkg = corpus
    with pytest.raises(RuntimeError, match=r"7 notes and 7 cards, not 8"):
        bench.check_package(apkg, N + 1)
    plain = _tampered(
        apkg,
        tmp_path / "plain.apkg",
        "UPDATE notes SET flds = replace(flds, '<span class=\"nf\">', '<span>') "
        "WHERE id = (SELECT min(id) FROM notes WHERE instr(flds, '<span class=\"nf\">') > 0)",
    )
    with pytest.raises(RuntimeError, match=r"4 notes with highlighted Python, not 5"):
        bench.check_package(plain, N)
    dropped = _tampered(apkg, tmp_path / "dropped.apkg", "DELETE FROM notes WHERE id = (SELECT max(id) FROM notes)")
    with pytest.raises(RuntimeError, match=r"6 notes and 7 cards"):
        bench.check_package(dropped, N)
    edited = bench.edit_one_card(content, N, 0)
    with pytest.raises(RuntimeError, match=r"0 notes with the edited text"):
        bench.check_package(apkg, N, edited)  # the package from before the edit


def test_the_rebuild_after_an_edit_carries_it(corpus: tuple[Path, Path]) -> None:
    content, apkg = corpus
    edited = bench.edit_one_card(content, N, 4)
    assert edited == "Resumo (edição 5)"
    result = build(content, apkg.parent)
    assert result.apkg == apkg
    bench.check_package(apkg, N, edited)

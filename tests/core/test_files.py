"""`write_if_changed` with a text in pieces (the ledger's: issue 22, a 300,000-card ledger was 0.2 GB held
whole): the file is rewritten only when the text differs, atomically, and never left half-written."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from kbdeck.support.files import write_if_changed

OLD = "alpha\nbeta\ngamma\n"


def _pieces(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def _scratch(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


@pytest.mark.parametrize("size", [1, 3, 100])
@pytest.mark.parametrize(
    "new",
    [OLD, "alpha\nbeta\ngamma\ndelta\n", "alpha\nbeta\n", "alpha\nBETA\ngamma\n", "", "é→😀\n" + OLD],
    ids=["same", "longer", "shorter", "inside", "empty", "first"],
)
def test_pieces_write_the_text_only_when_it_differs(tmp_path: Path, new: str, size: int) -> None:
    path = tmp_path / "ledger.json"
    path.write_text(OLD, encoding="utf-8")
    os.utime(path, ns=(1, 1))
    wrote = write_if_changed(path, _pieces(new, size))
    assert path.read_bytes() == new.encode("utf-8")
    assert wrote == (new != OLD)
    assert (path.stat().st_mtime_ns == 1) == (new == OLD)  # an unchanged file keeps its time
    assert _scratch(tmp_path) == []


def test_no_file_yet_and_a_whole_text(tmp_path: Path) -> None:
    path = tmp_path / "record.json"
    assert write_if_changed(path, iter(_pieces(OLD, 4)))
    assert path.read_text(encoding="utf-8") == OLD
    assert not write_if_changed(path, OLD) and write_if_changed(path, OLD + "x")
    assert path.read_text(encoding="utf-8") == OLD + "x"


def test_pieces_that_fail_halfway_leave_the_old_file(tmp_path: Path) -> None:
    """A build killed or failing while it writes: the old text stays, no scratch file is left."""
    path = tmp_path / "ledger.json"
    path.write_text(OLD, encoding="utf-8")

    def failing() -> Iterator[str]:
        yield "alpha\n"
        yield "changed\n"
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_if_changed(path, failing())
    assert path.read_text(encoding="utf-8") == OLD
    assert _scratch(tmp_path) == []


def test_a_rewritten_file_keeps_its_permissions_and_a_new_one_gets_the_umasks(tmp_path: Path) -> None:
    """Not a temporary file's 0600: the ledger and the output record are shared through the repository (a
    file readable by its writer alone, after a build, is a surprise to anyone else on the machine)."""
    umask = os.umask(0o022)
    os.umask(umask)
    new = tmp_path / "ledger.json"
    assert write_if_changed(new, _pieces(OLD, 4))
    assert new.stat().st_mode & 0o777 == 0o666 & ~umask
    kept = tmp_path / "record.json"
    kept.write_text(OLD, encoding="utf-8")
    kept.chmod(0o640)
    assert write_if_changed(kept, ["alpha\n", "changed\n"])  # the shared prefix copied first
    assert kept.stat().st_mode & 0o777 == 0o640
    assert write_if_changed(kept, "other\n")
    assert kept.stat().st_mode & 0o777 == 0o640
    assert _scratch(tmp_path) == []

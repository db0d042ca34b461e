"""A rebuild writes its package over the collection the previous build kept (`apkg/recycle.py`), once its
rows are copied, only when nothing else has that file, and always into the bytes a new file would get
(issue 22: an edit's package written into new pages cost more system time than the rest of the edit)."""

from __future__ import annotations

import errno
import hashlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from kbtest import make_content

import kbdeck.apkg.package as package
from kbdeck.apkg import kept, recycle
from kbdeck.build import build

pytestmark = pytest.mark.skipif(not recycle.USABLE, reason="write leases are Linux's")

CARDS = "flashcards/lang/gil.yaml"


def _built(content: Path, out: Path, compress: bool = False) -> Path:
    result = build(content, out, compress=compress)
    assert result.apkg is not None, result.problems.render_text()
    return result.apkg


def _edit(content: Path, step: int) -> None:
    path = content / CARDS
    text = path.read_text(encoding="utf-8")
    old = "as contagens de referência" + (f" ({step - 1})" if step > 1 else "")
    assert old in text
    path.write_text(text.replace(old, f"as contagens de referência ({step})", 1), encoding="utf-8")


def _fresh(content: Path, tmp_path: Path, name: str, compress: bool = False) -> bytes:
    """The package the same content gives in an empty output folder (a new file, nothing kept)."""
    return _built(content, tmp_path / f"fresh-{name}", compress).read_bytes()


def _kept(out: Path) -> Path:
    return out / ".cache" / kept.KEPT_NAME


def test_each_rebuild_writes_over_the_kept_collection_into_the_bytes_of_a_new_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Uncompressed and compressed (the package shorter than the file, cut to length), and back."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    content, out = make_content(tmp_path, {}), tmp_path / "out"
    _built(content, out)
    for step, compress in enumerate([False, False, True, True, False], start=1):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", str(1800000000 + 100 * step))
        _edit(content, step)
        before = _kept(out).stat().st_ino
        apkg = _built(content, out, compress)
        assert apkg.stat().st_ino == before, f"step {step}: a new file"
        assert apkg.read_bytes() == _fresh(content, tmp_path, str(step), compress), f"step {step}"
        assert kept.usable(out / ".cache") is not None  # this build's collection, kept in turn


def test_a_kept_collection_someone_has_open_is_not_written_over(tmp_path: Path) -> None:
    content, out = make_content(tmp_path, {}), tmp_path / "out"
    _built(content, out)
    digest = hashlib.sha256(_kept(out).read_bytes()).hexdigest()
    reader = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import hashlib, sys\n"
            "f = open(sys.argv[1], 'rb')\n"
            "print('open', flush=True)\n"
            "sys.stdin.readline()\n"
            "print(hashlib.sha256(f.read()).hexdigest(), flush=True)\n",
            str(_kept(out)),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout is not None and reader.stdout.readline() == "open\n"
        before = _kept(out).stat().st_ino
        _edit(content, 1)
        apkg = _built(content, out)
        assert apkg.stat().st_ino != before
        out_text, _ = reader.communicate("go\n", timeout=30)
    finally:
        reader.kill()
    assert out_text.strip() == digest, "the file being read was written over"
    assert apkg.read_bytes() == _fresh(content, tmp_path, "read")


def test_a_kept_collection_with_another_name_or_a_link_is_not_written_over(tmp_path: Path) -> None:
    """A hard link (a backup tool's, the user's) keeps the bytes; the kept file replaced by a symbolic link
    is not followed (nor trusted)."""
    content, out = make_content(tmp_path, {}), tmp_path / "out"
    _built(content, out)
    before = _kept(out).read_bytes()
    backup = tmp_path / "backup.anki2"
    os.link(_kept(out), backup)
    _edit(content, 1)
    _built(content, out)
    assert backup.read_bytes() == before
    mine = tmp_path / "mine.txt"
    mine.write_bytes(b"not kbdeck's")
    _kept(out).unlink()
    _kept(out).symlink_to(mine)
    _edit(content, 2)
    apkg = _built(content, out)
    assert mine.read_bytes() == b"not kbdeck's"
    assert apkg.read_bytes() == _fresh(content, tmp_path, "after-link")


def test_only_a_regular_file_on_the_packages_file_system_is_taken(tmp_path: Path) -> None:
    path = tmp_path / "collection.anki2"
    path.write_bytes(b"rows copied")
    assert recycle.take(path, Path("/proc")) is None  # renaming it there would fail
    link = tmp_path / "link.anki2"
    link.symlink_to(path)
    assert recycle.take(link, tmp_path) is None  # not followed
    fd = recycle.take(path, tmp_path)
    assert fd is not None
    os.close(fd)


def test_where_leases_are_missing_the_package_is_a_new_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(recycle, "USABLE", False)
    content, out = make_content(tmp_path, {}), tmp_path / "out"
    _built(content, out)
    _edit(content, 1)
    kept_file = _kept(out)
    with kept_file.open("rb") as old:  # held open: were it written over, this would read the package
        apkg = _built(content, out)
        assert old.read(16) == b"SQLite format 3\0"
    assert apkg.read_bytes() == _fresh(content, tmp_path, "no-leases")


def test_a_build_killed_while_writing_over_it_costs_the_next_one_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The record goes before the file is written over: half a package in the cache is never taken for a
    collection, and the next build writes every note into the bytes of a new file."""
    content, out = make_content(tmp_path, {}), tmp_path / "out"
    first = _built(content, out)
    before = first.read_bytes()
    add = package._add
    seen: list[object] = []

    def failing(zf: Any, name: str, data: Any, compress: bool) -> None:
        add(zf, name, data, compress)
        if name == "collection.anki2":
            seen.append(kept.usable(out / ".cache"))
            raise KeyboardInterrupt  # as if killed halfway

    _edit(content, 1)
    with monkeypatch.context() as m:
        m.setattr(package, "_add", failing)
        with pytest.raises(KeyboardInterrupt):
            build(content, out)
    assert seen == [None] and first.read_bytes() == before
    assert _built(content, out).read_bytes() == _fresh(content, tmp_path, "after-kill")


def test_a_cache_on_another_mount_of_the_same_file_system_gets_a_new_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same device, yet no rename between them (a bind mount): the package goes to a new file after all, and the
    build succeeds with the bytes of a build into an empty folder."""
    content, out = make_content(tmp_path, {}), tmp_path / "out"
    _built(content, out)
    _edit(content, 1)
    replace = Path.replace
    refused: list[Path] = []

    def across_mounts(self: Path, target: Any) -> Path:
        if self == _kept(out):
            refused.append(self)
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        return replace(self, target)

    monkeypatch.setattr(Path, "replace", across_mounts)
    apkg = _built(content, out)
    assert refused, "the kept collection was not the first choice"
    assert not any(p.name.startswith(package.HALF_PREFIX) for p in out.iterdir())
    assert apkg.read_bytes() == _fresh(content, tmp_path, "exdev")
    assert kept.usable(out / ".cache") is not None  # this build's collection is kept all the same

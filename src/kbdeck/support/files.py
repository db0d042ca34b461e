"""Writing a file so that readers see the old version or the new one, never half of one.

A killed build, a full disk or a second build running at the same time must not leave a truncated
ledger, record or trust list behind: each is written to a temporary file of its own beside the
target (unique, so concurrent writers never share one) and renamed over it.
"""

from __future__ import annotations

import os
import secrets
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO


def write_atomically(path: Path, text: str) -> None:
    """Replace `path` with `text` (UTF-8, newlines as given) in one rename."""
    fd, tmp = _new_beside(path)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_if_changed(path: Path, text: str | Iterable[str]) -> bool:
    """`write_atomically` unless the file already holds `text` (its mtime then stays); whether it wrote.

    `text` may come in pieces: each is compared with the old file as it comes, and written from the first
    that differs on (after the prefix they share, copied from the old file), so neither text is ever held
    whole (the ledger of 300,000 cards: its text, pieces, bytes and the old file's were 0.2 GB at once)."""
    pieces = [text] if isinstance(text, str) else text
    try:
        old: BinaryIO | None = path.open("rb")
    except OSError:
        old = None
    out: BinaryIO | None = None
    tmp: Path | None = None
    try:
        same = 0  # bytes of the old file the new text starts with
        for piece in pieces:
            data = piece.encode("utf-8")
            if out is None:
                if old is not None and old.read(len(data)) == data:
                    same += len(data)
                    continue
                tmp, out = _beside(path, old, same)
            out.write(data)
        if out is None:
            if old is not None and not old.read(1):
                return False
            tmp, out = _beside(path, old, same)
        out.close()
        if old is not None:
            old.close()  # before the rename: Windows cannot replace an open file
        assert tmp is not None
        os.replace(tmp, path)
        tmp = None
        return True
    finally:
        for f in (out, old):
            if f is not None:
                f.close()
        if tmp is not None:
            tmp.unlink(missing_ok=True)


def _beside(path: Path, old: BinaryIO | None, same: int) -> tuple[Path, BinaryIO]:
    """A temporary file of its own beside `path`, holding the first `same` bytes of `old`."""
    fd, name = _new_beside(path)
    out = os.fdopen(fd, "wb")
    try:
        if old is not None and same:
            old.seek(0)
            while same > 0:
                block = old.read(min(same, 1 << 20))
                if not block:
                    raise OSError(f"{path} got shorter while it was read")
                out.write(block)
                same -= len(block)
    except BaseException:
        out.close()
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name), out


def _new_beside(path: Path) -> tuple[int, str]:
    """A new file of its own beside `path`, open for writing (unique: concurrent writers never share one), with
    the permissions of the file it is to replace, or for a new file the ones the umask gives. Not a temporary
    file's 0600: the ledger and the output record are shared through the repository, and were left readable
    by their writer alone."""
    try:
        mode: int | None = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        mode = None
    for _ in range(tempfile.TMP_MAX):
        name = str(path.parent / f".{path.name}-{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        except FileExistsError:
            continue
        except OSError as exc:  # a read-only or full disk: name the file being written, not its temporary twin
            raise OSError(exc.errno, exc.strerror, str(path)) from exc
        if mode is not None:
            try:
                os.chmod(name, mode)
            except OSError:
                os.close(fd)
                os.unlink(name)
                raise
        return fd, name
    raise FileExistsError(f"no unused temporary name beside {path}")


def file_state(path: Path) -> list[int]:
    """Size, modification time (to the nanosecond) and inode: a file recorded with this state is judged
    untouched while they match, as `make` judges, without hashing it again (the package, 0.13 s at
    30,000 cards; the kept collection)."""
    st = path.stat()
    return [st.st_size, st.st_mtime_ns, st.st_ino]

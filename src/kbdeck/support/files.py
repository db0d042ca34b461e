"""Writing a file so that readers see the old version or the new one, never half of one.

A killed build, a full disk or a second build running at the same time must not leave a truncated
ledger, record or trust list behind: each is written to a temporary file of its own beside the
target (unique, so concurrent writers never share one) and renamed over it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomically(path: Path, text: str) -> None:
    """Replace `path` with `text` (UTF-8, newlines as given) in one rename."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_if_changed(path: Path, text: str) -> bool:
    """`write_atomically` unless the file already holds `text` (its mtime then stays); whether it wrote."""
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except (OSError, UnicodeDecodeError):
        pass
    write_atomically(path, text)
    return True


def file_state(path: Path) -> list[int]:
    """Size, modification time (to the nanosecond) and inode: a file recorded with this state is judged
    untouched while they match, as `make` judges, without hashing it again (the package, 0.13 s at
    30,000 cards; the kept collection)."""
    st = path.stat()
    return [st.st_size, st.st_mtime_ns, st.st_ino]

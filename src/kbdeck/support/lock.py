"""One build of a knowledge base at a time.

Two builds of the same content (two terminals, `kbdeck watch` and a `make build`) would write the
same ledger, record and package. Each build holds an exclusive lock on the content directory (an
advisory `flock` on the directory itself: no lock file is left in anyone's knowledge base) and on
the output directory; the second build waits for the first and says so.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path


@contextmanager
def build_lock(content: Path, out: Path, say: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold exclusive locks on `content` and `out` (created if needed) for the duration."""
    try:
        import fcntl
    except ImportError:  # Windows: no flock; builds there are not serialised
        yield
        return
    out.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        for folder in (content, out):
            fd = os.open(folder, os.O_RDONLY)
            stack.callback(os.close, fd)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                (say or _stderr)(f"kbdeck: another build is using {folder}; waiting for it to finish…")
                fcntl.flock(fd, fcntl.LOCK_EX)
        yield


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)

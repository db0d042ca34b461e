"""Change notification for `kbdeck watch`: Linux's inotify, through ctypes (stdlib only).

Polling notices a save only at the next look (0.3 s by default) and stats every file at each look;
the kernel says at once that something in a watched folder changed, and costs nothing meanwhile.
It only wakes the watcher up: what changed is still decided by comparing file snapshots, so a missed
or spurious event costs at most a look. `open_events` gives None where inotify is missing (macOS,
Windows) or refused (the per-user watch limit reached), and the watcher polls as before.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import select
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

_IN_NONBLOCK = 0o4000
_IN_CLOEXEC = 0o2000000
_MASK = (
    0x2  # IN_MODIFY
    | 0x4  # IN_ATTRIB
    | 0x8  # IN_CLOSE_WRITE
    | 0x40  # IN_MOVED_FROM
    | 0x80  # IN_MOVED_TO
    | 0x100  # IN_CREATE
    | 0x200  # IN_DELETE
    | 0x400  # IN_DELETE_SELF
    | 0x800  # IN_MOVE_SELF
    | 0x1000000  # IN_ONLYDIR
)


class FolderEvents:
    """An inotify descriptor watching a folder and its sub-folders (those `skip` does not exclude)."""

    def __init__(self, libc: ctypes.CDLL, fd: int, root: Path, skip: Callable[[str], bool]) -> None:
        self._libc = libc
        self._fd = fd
        self._root = root
        self._skip = skip
        self.watched = 0
        """How many folders are watched (after the last `rewatch`)."""

    def rewatch(self) -> bool:
        """Watch every folder under the root (again: a folder created, or removed and made again, since).

        False when the kernel refuses one (the per-user limit reached): the caller should poll.
        Adding a watch that exists already is a no-op for the kernel.
        """
        count = 0
        for folder in _folders(self._root, self._skip):
            if self._libc.inotify_add_watch(self._fd, os.fsencode(folder), _MASK) >= 0:
                count += 1
            elif ctypes.get_errno() == errno.ENOSPC:
                return False
            # any other refusal: the folder vanished since it was listed (its parent's event says so)
        self.watched = count
        return True

    def wait(self, timeout: float) -> bool:
        """Whether something changed within `timeout` seconds (the pending events are read and dropped)."""
        ready, _, _ = select.select([self._fd], [], [], timeout)
        if not ready:
            return False
        try:
            while os.read(self._fd, 65536):
                pass
        except BlockingIOError:
            pass
        return True

    def close(self) -> None:
        os.close(self._fd)


def _folders(root: Path, skip: Callable[[str], bool]) -> Iterator[str]:
    for folder, subfolders, _ in os.walk(root):
        subfolders[:] = [s for s in subfolders if not skip(s)]
        yield folder


def open_events(root: Path, skip: Callable[[str], bool]) -> FolderEvents | None:
    """Events for `root` and its folders except those whose name `skip` refuses, or None where the
    platform or the kernel does not give them."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        init = libc.inotify_init1
    except (OSError, AttributeError):
        return None
    fd = init(_IN_NONBLOCK | _IN_CLOEXEC)
    if fd < 0:
        return None
    events = FolderEvents(libc, fd, root, skip)
    if not events.rewatch():
        events.close()
        return None
    return events

"""`kbdeck watch`: rebuild whenever a content file changes.

What changed is decided by comparing file sizes and modification times (no third-party watcher).
On Linux the kernel wakes the watcher as soon as a folder changes (inotify, `support/notify.py`)
and it builds once nothing was written for `QUIET` seconds; elsewhere, or when the kernel refuses,
it polls (every `interval`, or paced by the cost of a look: `poll_interval`) and builds once the
files stayed put for `QUIET` seconds. A rebuild only re-runs what changed thanks to the build cache,
so the card is rebuilt well within a second of a save.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from .build import build, summary
from .content.load import content_files, shown_path, skipped
from .content.outputs import Policy
from .support.notify import FolderEvents, open_events

Snapshot = dict[Path, tuple[int, int]]

QUIET = 0.15
"""With change events: build once no file changed for this long. An editor's save in several
writes, a branch switch or a copy is one change, not a build of a half-written tree."""
POLL_FASTEST = 0.1
POLL_SLOWEST = 0.3
POLL_SHARE = 0.025
"""Polling without `--interval`: as often as listing the files costs at most this share of a core,
between `POLL_FASTEST` and `POLL_SLOWEST` seconds (the shipped knowledge base lists in 2.5 ms: every
0.1 s, a change seen 0.1 s sooner on average than at 0.3; a 30,000-card one in 28 ms: every 0.3 s)."""
LOOK_EVERY = 2.0
"""With change events: look at the files this often all the same (a network file system may not
report a change made on another machine)."""


def snapshot(root: Path) -> Snapshot:
    out: Snapshot = {}
    for path in content_files(root):
        try:
            st = path.stat()
        except OSError:
            continue
        out[path] = (st.st_mtime_ns, st.st_size)
    return out


def diff(old: Snapshot, new: Snapshot) -> list[str]:
    changed = [f"~ {shown_path(p)}" for p in new if p in old and old[p] != new[p]]
    added = [f"+ {shown_path(p)}" for p in new if p not in old]
    removed = [f"- {shown_path(p)}" for p in old if p not in new]
    return sorted(changed + added + removed)


SHOWN_CHANGES = 6
"""How many changed files a rebuild's heading names (a branch switch can change hundreds)."""


def listing(changes: list[str]) -> str:
    """The changed files, the first `SHOWN_CHANGES` of them and how many more."""
    if len(changes) <= SHOWN_CHANGES:
        return ", ".join(changes)
    return ", ".join(changes[:SHOWN_CHANGES]) + f" and {len(changes) - SHOWN_CHANGES} more"


def watch(
    content: Path,
    out: Path,
    interval: float | None,
    echo: Callable[[str], None] = print,
    max_seconds: float | None = None,
    execute: Policy | None = None,
    events: bool = True,
) -> None:
    """Build once, then rebuild on every change until interrupted (or after `max_seconds`, for tests).

    `events=False` (`--poll`) polls even where the kernel could report changes: a network share or a
    folder mounted into a container changes without the kernel seeing it. Polling is every `interval`
    seconds, or, when None, as `poll_interval` paces it.
    """
    deadline = None if max_seconds is None else time.monotonic() + max_seconds

    def run() -> None:
        if not content.is_dir():  # moved or deleted (a branch switch, a re-clone): it may come back
            echo(f"kbdeck: the content folder {shown_path(content)} is gone; the build resumes when it is back")
            return
        try:
            result = build(content, out, execute=execute)
        except OSError as exc:  # a full disk or a vanished folder: say so and keep watching
            where = f" ({exc.filename})" if exc.filename else ""
            echo(f"kbdeck: {exc.strerror or exc}{where}; will retry on the next change")
            return
        if result.problems.items:
            echo(result.problems.render_text())
        echo(summary(result) if result.changes else "kbdeck: build refused: fix the problems above")

    notifier = open_events(content, skipped) if events else None
    state, took = _timed_snapshot(content)
    every = interval if interval is not None else poll_interval(took)
    settle = QUIET if interval is None else min(interval, QUIET)
    run()
    echo(f"kbdeck: watching {shown_path(content)} (Ctrl-C to stop)")
    try:
        while deadline is None or time.monotonic() < deadline:
            if notifier is not None and not notifier.rewatch():  # the kernel's watch limit reached: poll
                notifier.close()
                notifier = None
            if notifier is not None:
                current = _next_change(notifier, state, content, deadline)
            else:
                current, took = _next_poll(every, settle, state, content)
                if interval is None:
                    every = poll_interval(took)
            if current is None:
                continue
            changes = diff(state, current)
            state = current
            echo(f"\n[{time.strftime('%H:%M:%S')}] " + listing(changes))
            run()
            state = snapshot(content)  # the build may have rewritten the ledger
    finally:
        if notifier is not None:
            notifier.close()


def _next_change(notifier: FolderEvents, state: Snapshot, content: Path, deadline: float | None) -> Snapshot | None:
    """The files once a change settled (no write for `QUIET` seconds), or None when nothing changed."""
    wait = LOOK_EVERY if deadline is None else max(0.0, min(LOOK_EVERY, deadline - time.monotonic()))
    if notifier.wait(wait):
        while notifier.wait(QUIET):
            pass
    current = snapshot(content)
    return None if current == state else current


def _timed_snapshot(content: Path) -> tuple[Snapshot, float]:
    """The files, and how long the look took (what paced polling goes by)."""
    started = time.perf_counter()
    state = snapshot(content)
    return state, time.perf_counter() - started


def poll_interval(took: float) -> float:
    """How long to wait between two looks at the files when one look took `took` seconds."""
    return min(POLL_SLOWEST, max(POLL_FASTEST, took / POLL_SHARE))


def _next_poll(interval: float, settle: float, state: Snapshot, content: Path) -> tuple[Snapshot | None, float]:
    """(the files once they stayed put for `settle` seconds after a change, or None when nothing
    changed; how long the first look took)."""
    time.sleep(interval)
    current, took = _timed_snapshot(content)
    if current == state:
        return None, took
    # build only from files that stayed put a moment: an editor saving in several writes, a branch
    # switch or a half-copied folder would otherwise be built half-way (and a card missing from it
    # reported as removed)
    settled = current
    while True:
        time.sleep(settle)
        current = snapshot(content)
        if current == settled:
            return current, took
        settled = current

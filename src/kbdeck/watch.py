"""`kbdeck watch`: rebuild whenever a content file changes.

Polls file sizes and modification times (no third-party watcher, works on every OS and inside
containers). A rebuild only re-runs what changed thanks to the output cache, so it lands within
a second of a save on a normal knowledge base.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from .build import build, summary
from .content.load import content_files, shown_path
from .content.outputs import Policy

Snapshot = dict[Path, tuple[int, int]]


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


def watch(
    content: Path,
    out: Path,
    interval: float,
    echo: Callable[[str], None] = print,
    max_rounds: int | None = None,
    execute: Policy | None = None,
) -> None:
    """Build once, then rebuild on every change until interrupted (or `max_rounds` polls, for tests)."""

    def run() -> None:
        try:
            result = build(content, out, execute=execute)
        except OSError as exc:  # a full disk or a vanished folder: say so and keep watching
            where = f" ({exc.filename})" if exc.filename else ""
            echo(f"kbdeck: {exc.strerror or exc}{where}; will retry on the next change")
            return
        if result.problems.items:
            echo(result.problems.render_text())
        echo(summary(result) if result.changes else "kbdeck: build refused: fix the problems above")

    state = snapshot(content)
    run()
    echo(f"kbdeck: watching {shown_path(content)} (Ctrl-C to stop)")
    rounds = 0
    while max_rounds is None or rounds < max_rounds:
        time.sleep(interval)
        rounds += 1
        current = snapshot(content)
        if current == state:
            continue
        # build only from files that stayed put for one interval: an editor saving in several writes,
        # a branch switch or a half-copied folder would otherwise be built half-way (and a card
        # missing from it reported as removed)
        settled = current
        while True:
            time.sleep(interval)
            current = snapshot(content)
            if current == settled:
                break
            settled = current
        changes = diff(state, current)
        state = current
        echo(f"\n[{time.strftime('%H:%M:%S')}] " + ", ".join(changes))
        run()
        state = snapshot(content)  # the build may have rewritten the ledger

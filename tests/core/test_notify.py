"""`kbdeck watch` is woken by the kernel on Linux (inotify through ctypes), and polls where it cannot be."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import pytest

import kbdeck.watch
from kbdeck.content.load import skipped
from kbdeck.support.notify import open_events
from kbdeck.watch import listing, watch

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify is Linux's")


def test_a_write_anywhere_below_the_root_wakes_the_watcher_and_hidden_folders_do_not(tmp_path: Path) -> None:
    (tmp_path / "area").mkdir()
    (tmp_path / ".git").mkdir()
    (tmp_path / "node_modules").mkdir()
    events = open_events(tmp_path, skipped)  # the build's own rule: hidden folders, caches
    assert events is not None
    try:
        assert events.watched == 2  # the root and area/
        assert not events.wait(0.05)
        (tmp_path / ".git" / "index").write_text("x")
        (tmp_path / "node_modules" / "m.js").write_text("x")
        assert not events.wait(0.1), "a hidden or skipped folder woke the watcher"
        (tmp_path / "area" / "note.md").write_text("x")
        assert events.wait(1.0)
        assert not events.wait(0.05), "the pending events were not all read"
        (tmp_path / "new").mkdir()  # a new folder: its parent says so; its files once it is watched too
        assert events.wait(1.0)
        assert events.rewatch() and events.watched == 3
        (tmp_path / "new" / "cards.yaml").write_text("x")
        assert events.wait(1.0)
    finally:
        events.close()


def test_a_save_is_built_at_once_not_at_the_next_poll(sample: Path, tmp_path: Path) -> None:
    """With events, a rebuild starts `QUIET` seconds after the save, even with a 10 s polling interval."""
    lines: list[str] = []
    out = tmp_path / "out"
    thread = threading.Thread(target=watch, args=(sample, out, 10.0, lines.append, 4.0), daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not any("watching" in line for line in lines) and time.monotonic() < deadline:
        time.sleep(0.02)
    cards = sample / "flashcards/lang/gil.yaml"
    cards.write_text(cards.read_text(encoding="utf-8").replace("protege?", "protege hoje?"), encoding="utf-8")
    saved = time.monotonic()
    while not any("1 changed" in line for line in lines) and time.monotonic() < saved + 3:
        time.sleep(0.01)
    took = time.monotonic() - saved
    thread.join(timeout=10)
    assert any("1 changed" in line for line in lines), lines
    assert took < 2.0, f"rebuilt {took:.2f} s after the save"
    print(f"save → rebuilt: {took:.2f} s")


def test_the_watcher_polls_when_the_kernel_refuses_more_watches(
    sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The per-user watch limit cannot be reached here without changing the machine's settings: a
    notifier that reports it (rewatch False, as on ENOSPC) stands in for the kernel."""

    class Refused:
        closed = False

        def rewatch(self) -> bool:
            return False

        def close(self) -> None:
            Refused.closed = True

    monkeypatch.setattr(kbdeck.watch, "open_events", lambda root, skip: Refused())
    lines: list[str] = []
    out = tmp_path / "out"
    thread = threading.Thread(target=watch, args=(sample, out, 0.05, lines.append, 3.0), daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not any("watching" in line for line in lines) and time.monotonic() < deadline:
        time.sleep(0.02)
    cards = sample / "flashcards/lang/gil.yaml"
    cards.write_text(cards.read_text(encoding="utf-8").replace("protege?", "protege hoje?"), encoding="utf-8")
    thread.join(timeout=10)
    assert Refused.closed and any("1 changed" in line for line in lines), lines


def test_a_rebuild_after_many_changed_files_names_a_few_and_counts_the_rest() -> None:
    changes = [f"~ content/area/t{i}.md" for i in range(40)]
    shown = listing(changes)
    assert shown.startswith("~ content/area/t0.md, ") and shown.endswith(" and 34 more")
    assert shown.count("~ ") == 6
    assert listing(changes[:2]) == "~ content/area/t0.md, ~ content/area/t1.md"

"""Keeps the latest progress report and recomputes it in the background when it goes stale.

The computation (bundle discovery + two SQL passes + the pure report) always runs in a
`QueryOp`, never on the UI thread; requests that arrive while one runs are coalesced into one
follow-up run. The report goes stale after any collection change (`operation_did_execute`:
reviews, imports, edits, undo), on profile switches, and after `max_age_seconds` (due counts
move with the clock). Views subscribe with `listen` and receive each new report.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from ..data.discovery import clear_cache, discover
from ..data.mock_state import ACTIVE_KEY, read_active
from ..data.progress import build_report
from ..data.queries import read_snapshot
from ..data.report import Report
from ..errors import guard, report
from ..runtime import current

if TYPE_CHECKING:
    from anki.collection import Collection, OpChanges

Listener = Callable[[Report], None]
DEBOUNCE_MS = 400


class ProgressService:
    """The single owner of the current `Report`."""

    def __init__(self) -> None:
        self.report: Report | None = None
        self.computed_at = 0.0
        self.stale = True
        self.running = False
        self.pending = False
        self.runs = 0
        """Completed computations (tests and logs use it)."""
        self._listeners: list[Listener] = []
        self.watchers: list[Callable[[], bool]] = []
        """Views that show numbers now (the progress view registers `is_open`): while one does, a
        change to the collection recomputes soon; the service never imports a view."""
        self._timer_armed = False

    def listen(self, fn: Listener) -> Callable[[], None]:
        """Subscribe; returns the unsubscribe function."""
        self._listeners.append(fn)
        return lambda: self._listeners.remove(fn) if fn in self._listeners else None

    def invalidate(self) -> None:
        self.stale = True

    def needs_refresh(self) -> bool:
        max_age = current.config.max_age_seconds
        return self.stale or self.report is None or time.monotonic() - self.computed_at > max_age

    def request(self, *, force: bool = False) -> None:
        """Recompute in the background if stale (or `force`); returns at once."""
        from aqt import mw

        if mw is None or mw.col is None:
            return
        if self.running:
            self.pending = self.pending or force or self.stale
            return
        if not force and not self.needs_refresh():
            return
        from aqt.operations import QueryOp

        self.running = True
        self.stale = False
        cfg = current.config
        window = max(cfg.retention_days, cfg.chart_days)

        def compute(col: Collection) -> Report:
            found = discover(col.media.dir())
            snapshot = read_snapshot(col, window)
            report = build_report(
                found.bundles,
                snapshot,
                retention_days=cfg.retention_days,
                chart_days=cfg.chart_days,
                problems=found.problems,
            )
            return replace(report, active_mock=read_active(col.get_config(ACTIVE_KEY, None)))

        QueryOp(parent=mw, op=compute, success=guard("what_progress", self._done)).failure(
            guard("what_progress", self._failed)
        ).run_in_background()

    def request_soon(self) -> None:
        """Coalesce bursts (e.g. answering cards quickly) into one request after a short delay."""
        from aqt.qt import QTimer

        if self._timer_armed:
            return
        self._timer_armed = True

        def fire() -> None:
            self._timer_armed = False
            self.request()

        QTimer.singleShot(DEBOUNCE_MS, guard("what_progress", fire))

    def _done(self, result: Report) -> None:
        self.running = False
        self.report = result
        self.computed_at = time.monotonic()
        self.runs += 1
        current.log.debug("progress: read %.1f ms, report %.1f ms", result.read_ms, result.compute_ms)
        for fn in list(self._listeners):
            guard("what_progress", fn)(result)
        self._follow_up()

    def _failed(self, exc: Exception) -> None:
        self.running = False
        self.stale = True
        report("what_progress", exc)
        # no automatic retry: the next render or collection change asks again

    def _follow_up(self) -> None:
        if self.pending:
            self.pending = False
            self.request(force=True)

    def reset(self) -> None:
        """Forget everything (the profile is closing)."""
        self.report = None
        self.stale = True
        self.pending = False
        clear_cache()


service = ProgressService()


def on_operation_did_execute(changes: OpChanges, handler: object | None) -> None:
    if changes.card or changes.note_text or changes.deck or changes.study_queues or changes.notetype or changes.config:
        service.invalidate()
        from aqt import mw

        shown = any(watch() for watch in service.watchers)
        if shown or (mw is not None and mw.state == "deckBrowser"):
            service.request_soon()


def on_profile_will_close() -> None:
    service.reset()


def on_profile_did_open() -> None:
    service.invalidate()


def init_refresh() -> None:
    from aqt import gui_hooks

    gui_hooks.operation_did_execute.append(guard("what_progress", on_operation_did_execute))
    gui_hooks.profile_will_close.append(guard("what_progress", on_profile_will_close))
    gui_hooks.profile_did_open.append(guard("what_progress", on_profile_did_open))

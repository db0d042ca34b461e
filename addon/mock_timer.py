"""The mock interview's timer: a small non-modal window that walks through the sections.

It shows the current section, counts its minutes down (turning red when the time is up; it
never stops you) and starts each section: a flashcard section opens its filtered deck in the
reviewer, a coding section opens the problem's note in the viewer. "Finish" records the result,
"Abandon" (or closing the window) removes the decks without recording anything; both are
mock_session.py's ops. Qt widgets only, no web view: it stays light on top of the reviewer.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from aqt import mw
from aqt.qt import (
    QCloseEvent,
    QDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    Qt,
    QTimer,
    QVBoxLayout,
    qconnect,
)

from .bundle import Bundle
from .errors import guard
from .mock_plan import MockResult, MockRun
from .runtime import current

MockEnd = Callable[[MockRun], None]


class MockTimer(QDialog):
    """Sections, countdown and the buttons of one running mock interview."""

    def __init__(self, run: MockRun, bundle: Bundle, *, on_finish: MockEnd, on_abandon: MockEnd) -> None:
        super().__init__(mw)
        tr = current.tr
        self.run, self.bundle = run, bundle
        self._on_finish, self._on_abandon = on_finish, on_abandon
        self.index = -1
        self.deadline = 0.0
        self.ended = False
        self.closed = False
        """Set when the window closes (Qt deletes it then: no Qt call may follow)."""
        self.setWindowTitle(tr("mock_window", mock=run.title))
        self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, True)
        self.setWindowFlag(Qt.WindowType.WindowContextHelpButtonHint, False)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setObjectName("kbdeck-mock-timer")
        self.title = QLabel(f"<b>{_esc(run.title)}</b>")
        self.section = QLabel()
        self.section.setWordWrap(True)
        self.countdown = QLabel("--:--")
        self.countdown.setObjectName("kbdeck-countdown")
        self.countdown.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.countdown.setStyleSheet("font-size: 34px; font-weight: 600; font-variant-numeric: tabular-nums;")
        self.bar = QProgressBar()
        self.bar.setTextVisible(False)
        self.bar.setMaximumHeight(8)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.next_button = QPushButton(tr("mock_start_section"))
        self.finish_button = QPushButton(tr("mock_finish"))
        self.abandon_button = QPushButton(tr("mock_abandon"))
        buttons = QHBoxLayout()
        for b in (self.next_button, self.finish_button, self.abandon_button):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        for w in (self.title, self.section, self.countdown, self.bar, self.hint):
            layout.addWidget(w)
        layout.addLayout(buttons)
        qconnect(self.next_button.clicked, guard("what_mock", self._on_next))
        qconnect(self.finish_button.clicked, guard("what_mock", self._on_finish_clicked))
        qconnect(self.abandon_button.clicked, guard("what_mock", self._on_abandon_clicked))
        self.ticker = QTimer(self)
        qconnect(self.ticker.timeout, guard("what_mock", self.tick))
        self.resize(360, 220)
        self._describe_next()

    def _on_next(self, _checked: bool = False) -> None:
        self.next_section()

    def _on_finish_clicked(self, _checked: bool = False) -> None:
        if self.ended:
            self.close()
        else:
            self.finish()

    def _on_abandon_clicked(self, _checked: bool = False) -> None:
        self.abandon()

    # ---- sections ----

    def next_section(self) -> None:
        """Start the next section (or finish after the last one)."""
        if self.index + 1 >= len(self.run.sections):
            self.finish()
            return
        from .note_viewer import open_note

        self.index += 1
        s = self.run.sections[self.index]
        self.deadline = time.monotonic() + 60 * s.minutes
        self.bar.setRange(0, max(1, 60 * s.minutes))
        tr = current.tr
        self.section.setText(
            f"<b>{self.index + 1}/{len(self.run.sections)} · {_esc(s.title)}</b> — "
            + _esc(
                tr("mock_section_problem")
                if s.problem
                else tr("mock_section_cards", n=len(s.cards))
                if s.cards
                else tr("mock_section_empty")
            )
        )
        last = self.index + 1 == len(self.run.sections)
        self.next_button.setText(tr("mock_finish") if last else tr("mock_next_section"))
        if s.deck_id and mw is not None:
            from anki.decks import DeckId

            mw.col.decks.select(DeckId(s.deck_id))
            mw.moveToState("review")
            self.hint.setText(_esc(tr("mock_hint_cards")))
        elif s.problem:
            open_note(self.run.kb, s.problem)
            self.hint.setText(_esc(tr("mock_hint_problem")))
        self.ticker.start(1000)
        self.tick()

    def _describe_next(self) -> None:
        tr = current.tr
        total = sum(s.minutes for s in self.run.sections)
        self.section.setText(_esc(tr("mock_ready", n=len(self.run.sections), minutes=total)))

    def remaining(self) -> int:
        """Seconds left in the current section (negative once over time)."""
        return round(self.deadline - time.monotonic()) if self.index >= 0 else 0

    def tick(self) -> None:
        left = self.remaining()
        sign = "-" if left < 0 else ""
        self.countdown.setText(f"{sign}{abs(left) // 60:02d}:{abs(left) % 60:02d}")
        self.bar.setValue(max(0, self.bar.maximum() - max(left, 0)))
        over = left < 0
        self.countdown.setStyleSheet("font-size: 34px; font-weight: 600;" + (" color: #dc2626;" if over else ""))
        if over:
            self.hint.setText(_esc(current.tr("mock_time_up")))

    # ---- the end ----

    def finish(self) -> None:
        self._end(self._on_finish)

    def abandon(self) -> None:
        self._end(self._on_abandon)

    def _end(self, action: MockEnd) -> None:
        if self.ended:
            return
        self.ended = True
        self.ticker.stop()
        for b in (self.next_button, self.finish_button, self.abandon_button):
            b.setEnabled(False)
        action(self.run)

    def show_result(self, result: MockResult | None) -> None:
        """Called once the result is saved (None: abandoned); shows the score, then the window can close."""
        tr = current.tr
        if self.closed:
            return
        if result is None:
            self.close()
            return
        lines = [
            f"{_esc(s.title)}: {s.passed}/{s.answered}" + (f" ({tr.pct(s.pass_rate)})" if s.answered else "")
            for s in result.sections
            if s.cards
        ]
        self.section.setText("<br>".join([f"<b>{_esc(tr('mock_saved'))}</b>", *lines]))
        self.countdown.setText(tr.pct(result.pass_rate))
        self.hint.setText(_esc(tr("mock_minutes", minutes=result.minutes)))
        self.finish_button.setText(tr("close"))
        self.finish_button.setEnabled(True)

    def closeEvent(self, event: QCloseEvent | None) -> None:
        if not self.ended:
            guard("what_mock", self.abandon)()
        self.closed = True
        self.ticker.stop()
        super().closeEvent(event)


def _esc(text: str) -> str:
    import html

    return html.escape(text, quote=False)

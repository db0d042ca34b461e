"""The mock interview's timer: a small window that shows the stored mock in progress and drives it.

A view of mock_state.ActiveMock, never the owner of the state: every button is a step of
mock_session.py run by mock_ops.py (an undoable op on the collection), and the window shows the state the step
returns. The section list says what each section became (✓ taken, – skipped, ▶ running); the
countdown turns red when the time is up (it never stops you). A flashcard section runs in the
reviewer, brought forward; a coding section opens the problem's statement only, the whole note
once the section ends, and asks the learner to grade it. Esc and the close button ask: pause (the
mock stays in the collection, to resume from the progress view or at the next start), abandon,
or keep going. Qt widgets only, no web view: it stays light on top of the reviewer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

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
    QWidget,
    qconnect,
)

from ..data import mock_text as text
from ..data.mock_plan import MockResult
from ..data.mock_state import GRADES, PENDING, RUNNING, UNGRADED, ActiveMock
from ..errors import guard
from ..ops import mock_ops as ops
from ..ops import mock_session as session
from ..runtime import current
from .question import ask, clicked_slot

if TYPE_CHECKING:
    from anki.collection import Collection


class MockTimer(QDialog):
    """Sections, countdown and the buttons of the mock in progress."""

    def __init__(self, active: ActiveMock, *, on_closed: Callable[[], None]) -> None:
        super().__init__(mw)
        tr = current.tr
        self.active = active
        self.outcome: MockResult | None = None
        self.closed = False
        """Set when the window closed (Qt deletes it then: no Qt call may follow)."""
        self._may_close = False
        self._ending = False
        """Finish or Abandon was confirmed: a re-read of the stored state must not close the window."""
        self._on_closed = on_closed
        self._entered = -1
        """The section whose reviewer/note was last opened (entering twice would reopen it)."""
        self.setWindowTitle(tr("mock_window", mock=active.title))
        self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, True)
        self.setWindowFlag(Qt.WindowType.WindowContextHelpButtonHint, False)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setObjectName("kbdeck-mock-timer")
        self.title = QLabel(f"<b>{text.esc(active.title)}</b>")
        self.sections = QLabel()
        self.sections.setObjectName("kbdeck-mock-sections")
        self.sections.setTextFormat(Qt.TextFormat.RichText)
        self.sections.setWordWrap(True)
        self.section = QLabel()
        self.section.setWordWrap(True)
        self.countdown = QLabel("--:--")
        self.countdown.setObjectName("kbdeck-countdown")
        self.countdown.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.bar = QProgressBar()
        self.bar.setTextVisible(False)
        self.bar.setMaximumHeight(8)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.grades = QWidget()
        grade_row = QHBoxLayout(self.grades)
        grade_row.setContentsMargins(0, 0, 0, 0)
        grade_row.addWidget(QLabel(text.esc(tr("mock_grade_question"))))
        self.grade_buttons: dict[str, QPushButton] = {}
        for g in GRADES:
            b = QPushButton(tr(f"mock_grade_{g}"))
            b.setObjectName(f"kbdeck-grade-{g}")
            qconnect(b.clicked, self._grade_clicked(g))
            grade_row.addWidget(b)
            self.grade_buttons[g] = b
        self.main_button = QPushButton()
        self.main_button.setDefault(True)
        self.skip_button = QPushButton(tr("mock_skip"))
        self.finish_button = QPushButton(tr("mock_finish"))
        self.abandon_button = QPushButton(tr("mock_abandon"))
        buttons = QHBoxLayout()
        for b in (self.main_button, self.skip_button, self.finish_button, self.abandon_button):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        for w in (self.title, self.sections, self.section, self.countdown, self.bar, self.hint, self.grades):
            layout.addWidget(w)
        layout.addLayout(buttons)
        qconnect(self.main_button.clicked, clicked_slot(self.main_action))
        qconnect(self.skip_button.clicked, clicked_slot(self.skip))
        qconnect(self.finish_button.clicked, clicked_slot(self.finish))
        qconnect(self.abandon_button.clicked, clicked_slot(self.abandon))
        self.ticker = QTimer(self)
        qconnect(self.ticker.timeout, guard("what_mock", self.tick))
        self.ticker.start(1000)
        self.setMinimumWidth(420)
        self.show_state(active)

    # ---- showing the state ----

    def show_state(self, active: ActiveMock) -> None:
        """Show `active` (what the last step stored)."""
        if self.closed:
            return
        tr = current.tr
        self.active = active
        self.sections.setText("<br>".join(text.section_line(active, i, tr) for i in range(len(active.sections))))
        i, nxt = active.current, active.next_pending
        s = active.sections[i] if i >= 0 else None
        self.grades.setVisible(s is not None and s.status == UNGRADED)
        self.skip_button.setVisible(i < 0 and nxt >= 0)
        for b in (
            self.main_button,
            self.skip_button,
            self.finish_button,
            self.abandon_button,
            *self.grade_buttons.values(),
        ):
            b.setEnabled(True)
        self.main_button.setVisible(s is None or s.status == RUNNING)
        if s is not None and s.status == RUNNING:
            self.main_button.setText(tr("mock_end_section"))
            self.section.setText(text.heading(active, i))
            self.hint.setText(text.esc(text.hint(active, i, tr, text.again_label(tr))))
            self.bar.setRange(0, max(1, 60 * s.minutes))
        elif s is not None:  # a coding section waiting for its grade
            self.section.setText(text.heading(active, i))
            self.hint.setText(text.esc(tr("mock_hint_grade")))
        elif nxt >= 0:
            self.main_button.setText(tr("mock_start_n", n=nxt + 1))
            total = sum(x.minutes for x in active.sections if x.status == PENDING)
            self.section.setText(
                text.esc(tr("mock_ready", n=sum(x.status == PENDING for x in active.sections), minutes=total))
            )
            self.hint.setText(text.esc(tr("mock_next_is", section=active.sections[nxt].title)))
        else:  # every section ended: what is left is to finish
            self.main_button.setText(tr("mock_finish"))
            self.section.setText(text.esc(tr("mock_all_ended")))
            self.hint.setText("")
        self.tick()
        self._fit()

    def _fit(self) -> None:
        """Grow to show every line (a word-wrapped label's minimum height is too small for Qt to keep it)."""
        for label in (self.sections, self.section, self.hint):
            width = max(label.width(), 380)
            label.setMinimumHeight(label.heightForWidth(width) if label.text() else 0)
        self.adjustSize()

    def _grade_clicked(self, grade: str) -> Callable[[bool], None]:
        return clicked_slot(lambda: self.grade(grade))

    def tick(self) -> None:
        if self.closed or self.outcome is not None:
            return
        i = self.active.current
        s = self.active.sections[i] if i >= 0 else None
        running = s is not None and s.status == RUNNING
        nxt = self.active.next_pending
        waiting = s is None and nxt >= 0  # the clock shows the next section's whole time, greyed
        self.countdown.setVisible(running or waiting)
        self.bar.setVisible(running)
        if s is None or s.status != RUNNING:
            minutes = self.active.sections[nxt].minutes if waiting else 0
            self.countdown.setText(f"{minutes:02d}:00")
            self.countdown.setStyleSheet("font-size: 34px; font-weight: 600; color: gray;")
            return
        left = max(s.left_s(session.now_ms()), -5999)  # -99:59 at most (a crash left the clock running)
        sign = "-" if left < 0 else ""
        self.countdown.setText(f"{sign}{abs(left) // 60:02d}:{abs(left) % 60:02d}")
        self.bar.setValue(max(0, self.bar.maximum() - max(left, 0)))
        over = left < 0
        self.countdown.setStyleSheet("font-size: 34px; font-weight: 600;" + (" color: #dc2626;" if over else ""))
        if over:
            self.hint.setText(text.esc(current.tr("mock_time_up")))

    def bring_forward(self) -> None:
        self.show()
        self.raise_()
        self.activateWindow()

    def reload(self) -> None:
        """Re-read the stored state (after a failed step or an undo)."""

        def got(active: ActiveMock | None) -> None:
            if self.closed or self.outcome is not None or self._ending:
                return  # finishing or abandoning: the step's own outcome decides what shows
            if active is None:
                self.close_quietly()
            elif active != self.active:
                self.show_state(active)

        ops.load_stored(got)

    def enter_current(self) -> None:
        """Put the learner where the current section happens: the reviewer, or the problem's statement."""
        i = self.active.current
        if i < 0 or i == self._entered or self.active.sections[i].status != RUNNING:
            return
        self._entered = i
        s = self.active.sections[i]
        if s.problem:
            from .note_viewer import open_note

            open_note(self.active.kb, s.problem, statement_only=True)
        elif s.deck_id and mw is not None:
            from anki.decks import DeckId

            from .focus import bring_main_window_forward

            mw.col.decks.select(DeckId(s.deck_id))
            mw.moveToState("review")
            bring_main_window_forward()
            self.bring_forward()

    # ---- the learner's actions ----

    def main_action(self) -> None:
        i, nxt = self.active.current, self.active.next_pending
        tr = current.tr
        if i >= 0 and self.active.sections[i].status == RUNNING:
            self._step(tr("mock_undo_end"), lambda col, a: session.end_section(col, a, self._parent()))
        elif i < 0 and nxt >= 0:
            self._step(tr("mock_undo_section"), lambda col, a: session.start_section(col, a, nxt, self._parent()))
        elif i < 0:
            self.finish()

    def skip(self) -> None:
        nxt = self.active.next_pending
        if self.active.current < 0 and nxt >= 0:
            self._step(current.tr("mock_undo_skip"), lambda col, a: session.skip_section(col, a, nxt))

    def grade(self, grade: str) -> None:
        self._step(current.tr("mock_undo_grade"), lambda col, a: session.grade_section(col, a, grade))

    def finish(self) -> None:
        tr = current.tr
        a = self.active
        missing = len(a.sections) - a.taken - (1 if a.current >= 0 and a.sections[a.current].status == RUNNING else 0)
        if missing > 0:
            ask(
                tr("mock_finish_title"),
                tr("mock_finish_incomplete", n=missing),
                [(tr("mock_finish_anyway"), self._finish_now), (tr("mock_keep_going"), None)],
                name="kbdeck-mock-finish",
                parent=self,
            )
        else:
            self._finish_now()

    def _finish_now(self) -> None:
        label = current.tr("mock_undo_finish", mock=self.active.title)
        self._ending = True
        self._set_busy()
        ops.step(label, lambda col, a: session.finish_mock(col, a, self._parent()), self._finished, self.reload)

    def abandon(self) -> None:
        tr = current.tr
        ask(
            tr("mock_abandon_title"),
            tr("mock_abandon_question", mock=self.active.title),
            [(tr("mock_abandon"), self._abandon_now), (tr("mock_keep_going"), None)],
            name="kbdeck-mock-abandon",
            parent=self,
        )

    def _abandon_now(self) -> None:
        self._ending = True
        self._set_busy()
        parent = self._parent()

        def gone(col: Collection) -> None:
            session.abandon_mock(col, session.load_active(col), parent)

        ops.run(current.tr("mock_undo_abandon"), gone, lambda _: self.close_quietly(), self.reload)

    def pause_and_close(self) -> None:
        def paused(_: object) -> None:
            self.close_quietly()

        self._set_busy()
        ops.step(current.tr("mock_undo_pause"), lambda col, a: session.pause_mock(col, a), paused, self.reload)

    def _step(self, label: str, fn: ops.Step) -> None:
        self._set_busy()

        def then(out: object) -> None:
            if isinstance(out, ActiveMock):
                self.show_state(out)
                i = out.current
                if i >= 0 and out.sections[i].status == UNGRADED:
                    self._reveal(i)
                self.enter_current()

        ops.step(label, fn, then, self.reload)

    def _reveal(self, i: int) -> None:
        """The coding section ended: the whole note (the solutions) may show now."""
        from .note_viewer import open_note

        open_note(self.active.kb, self.active.sections[i].problem)

    def _set_busy(self) -> None:
        for b in (
            self.main_button,
            self.skip_button,
            self.finish_button,
            self.abandon_button,
            *self.grade_buttons.values(),
        ):
            b.setEnabled(False)

    def _finished(self, result: object) -> None:
        if not isinstance(result, MockResult):
            return
        self.outcome = result
        if mw is not None and mw.state == "review":
            mw.moveToState("deckBrowser")
        self.show_result(result)

    def show_result(self, result: MockResult) -> None:
        """The score, section by section; the window then closes without asking."""
        if self.closed:
            return
        tr = current.tr
        self._may_close = True
        self.sections.setText("<br>".join(text.result_lines(result, tr)))
        self.section.setText("")
        self.countdown.setVisible(result.answered > 0)
        self.countdown.setText(tr.pct(result.pass_rate))
        self.countdown.setStyleSheet("font-size: 34px; font-weight: 600;")
        self.bar.setVisible(False)
        caption = "mock_result_caption" if result.answered else "mock_minutes"
        self.hint.setText(text.esc(tr(caption, minutes=result.minutes)))
        self.grades.setVisible(False)
        for b in (self.main_button, self.skip_button, self.abandon_button):
            b.setVisible(False)
        self._fit()
        self.finish_button.setText(tr("close"))
        self.finish_button.setEnabled(True)
        self.finish_button.clicked.disconnect()
        qconnect(self.finish_button.clicked, clicked_slot(self.close_quietly))

    def _parent(self) -> str:
        return current.config.mock_deck_name

    # ---- closing ----

    def close_quietly(self) -> None:
        """Close without asking (the mock ended, was paused, or Anki is quitting)."""
        if self.closed:
            return
        self._may_close = True
        self.close()

    def reject(self) -> None:
        """Esc: ask, like the close button."""
        self.close()

    def closeEvent(self, event: QCloseEvent | None) -> None:
        if not self._may_close and event is not None:
            event.ignore()
            tr = current.tr
            ask(
                tr("mock_close_title"),
                tr("mock_close_question"),
                [
                    (tr("mock_pause"), guard("what_mock", self.pause_and_close)),
                    (tr("mock_abandon"), self._abandon_now),
                    (tr("mock_keep_going"), None),
                ],
                name="kbdeck-mock-close",
                parent=self,
            )
            return
        self.closed = True
        self.ticker.stop()
        super().closeEvent(event)
        guard("what_mock", self._on_closed)()

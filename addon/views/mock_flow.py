"""Mock interviews inside Anki: starting and resuming, the one timer window, the restart question.

Every step runs through mock_ops.py (one undoable op that reads the stored state afresh) and
hands its outcome to the timer, which only shows it. Anki quitting pauses the running section
(`profile_will_close`: the collection is still open, so the one write happens there); a profile
that opens with a mock in progress asks
*Resume / Abandon / Later* (question.py: Anki keeps running while it asks).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..data.bundle import Bundle, MockInterview
from ..data.mock_state import ActiveMock
from ..errors import guard
from ..ops.mock_ops import load_stored, run
from ..ops.mock_session import abandon_mock, begin_mock, load_active, pause_mock, resume_mock
from ..runtime import current

if TYPE_CHECKING:
    from anki.collection import Collection, OpChanges

    from .mock_timer import MockTimer

_timer: MockTimer | None = None


def running() -> MockTimer | None:
    """The timer window of the mock in progress (tests use it)."""
    return _timer


def start_mock(bundle: Bundle, mock: MockInterview) -> None:
    """Start `mock` (or resume it when it is the one in progress) and show its timer."""
    if _timer is not None and not _timer.closed and (_timer.active.kb, _timer.active.mock) == (bundle.kb.id, mock.id):
        _timer.bring_forward()
        return
    label = current.tr("mock_undo_start", mock=mock.title)
    run(
        label,
        lambda col: resume_mock(col, begin_mock(col, bundle, mock), current.config.mock_deck_name),
        _show,
        _reload,
    )


def resume_stored() -> None:
    """Open the timer of the mock in progress stored in the collection (after a restart, from the view)."""
    label = current.tr("mock_undo_resume")

    def op(col: Collection) -> ActiveMock | None:
        active = load_active(col)
        return resume_mock(col, active, current.config.mock_deck_name) if active is not None else None

    run(label, op, _show, _reload)


def abandon_stored() -> None:
    """Abandon the mock in progress stored in the collection (the restart question, the view)."""

    def op(col: Collection) -> None:
        active = load_active(col)
        abandon_mock(col, active, current.config.mock_deck_name)

    run(current.tr("mock_undo_abandon"), op, lambda _: _closed_timer(), _reload)


def ask_abandon() -> None:
    """Abandon the stored mock in progress, once the learner confirms (the progress view's Abandon)."""

    def ask(active: ActiveMock | None) -> None:
        if active is None:
            return
        from .question import ask as ask_user

        tr = current.tr
        ask_user(
            tr("mock_abandon_title"),
            tr("mock_abandon_question", mock=active.title),
            [(tr("mock_abandon"), abandon_stored), (tr("mock_keep_going"), None)],
            name="kbdeck-mock-abandon",
        )

    load_stored(ask)


def _show(active: object) -> None:
    global _timer
    from .mock_timer import MockTimer

    if not isinstance(active, ActiveMock):
        return
    if _timer is None or _timer.closed:
        _timer = MockTimer(active, on_closed=_closed_timer)
    else:
        _timer.show_state(active)
    _timer.bring_forward()
    _timer.enter_current()


def _reload() -> None:
    """A step failed (the window was behind the stored state): show the state as stored."""
    if _timer is not None and not _timer.closed:
        _timer.reload()


def _closed_timer() -> None:
    global _timer
    timer, _timer = _timer, None
    if timer is not None and not timer.closed:
        timer.close_quietly()


def on_profile_did_open() -> None:
    """An unfinished mock (Anki quit or crashed mid-mock): ask to resume or abandon it."""

    def ask(active: ActiveMock | None) -> None:
        if active is None or (_timer is not None and not _timer.closed):
            return
        from .question import ask as ask_user

        tr = current.tr
        where = tr("mock_where", done=active.taken, n=len(active.sections))
        ask_user(
            tr("mock_unfinished_title"),
            tr("mock_unfinished", mock=active.title, where=where),
            [
                (tr("mock_resume"), resume_stored),
                (tr("mock_abandon"), abandon_stored),
                (tr("mock_later"), None),
            ],
            name="kbdeck-mock-unfinished",
        )

    load_stored(ask)


def on_profile_will_close() -> None:
    """Anki is quitting or switching profiles: stop the section's clock, close the window without asking."""
    from aqt import mw

    if mw is None or mw.col is None:
        return
    active = load_active(mw.col)
    if active is not None:  # the collection closes next: no background op now
        pause_mock(mw.col, active, undoable=False)
    _closed_timer()


def on_operation_did_execute(changes: OpChanges, handler: object | None) -> None:
    """Edit → Undo (or a sync) may change the stored mock under the open timer: it shows it again."""
    if _timer is not None and not _timer.closed and changes.config:
        _timer.reload()


def init_mocks() -> None:
    from aqt import gui_hooks

    gui_hooks.operation_did_execute.append(guard("what_mock", on_operation_did_execute))
    gui_hooks.profile_did_open.append(guard("what_mock", on_profile_did_open))
    gui_hooks.profile_will_close.append(guard("what_mock", on_profile_will_close))

"""The mock's steps as collection operations: one undoable `CollectionOp` each, reading the stored state afresh.

The window may be behind the stored state (Edit → Undo, a sync), so a step never trusts the
state it was shown: `step` loads it inside the op, applies the transition (a mock_session.py
function) and hands the outcome to `then` on the UI thread. A failed step is reported as a
message and `on_failure` lets the caller re-read what is stored. Knows no window: the timer
and the flow pass their callbacks in, so nothing here imports a view.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..data.mock_plan import MockResult
from ..data.mock_state import ActiveMock, MockStateError
from ..errors import UserMessage, guard, report
from ..runtime import current
from .mock_session import load_active

if TYPE_CHECKING:
    from anki.collection import Collection, OpChanges

Step = Callable[["Collection", ActiveMock], "ActiveMock | MockResult | None"]


def step(
    label: str,
    fn: Step,
    then: Callable[[ActiveMock | MockResult | None], None],
    on_failure: Callable[[], None] | None = None,
) -> None:
    """Apply `fn` to the stored state (read fresh inside the op) and hand its outcome to `then`."""

    def op(col: Collection) -> ActiveMock | MockResult | None:
        active = load_active(col)
        if active is None:
            raise UserMessage(current.tr("mock_not_running"))
        return fn(col, active)

    run(label, op, then, on_failure)


def run(
    label: str,
    fn: Callable[[Collection], object],
    then: Callable[[Any], None],
    on_failure: Callable[[], None] | None = None,
) -> None:
    """Run `fn` as one undoable op labelled `label`; its return value goes to `then`."""
    from aqt import mw
    from aqt.operations import CollectionOp

    from .service import service

    assert mw is not None
    out: list[object] = []

    def op(col: Collection) -> OpChanges:
        entry = col.add_custom_undo_entry(label)
        try:
            out.append(fn(col))
        finally:
            changes = col.merge_undo_entries(entry)
        return changes

    def success(_: OpChanges) -> None:
        service.invalidate()
        service.request()
        then(out[0] if out else None)

    def failure(exc: Exception) -> None:
        if isinstance(exc, MockStateError):  # the window was behind the stored state (e.g. after an undo)
            exc = UserMessage(current.tr("mock_out_of_date"))
        report("what_mock", exc)
        if on_failure is not None:
            guard("what_mock", on_failure)()

    CollectionOp(parent=mw, op=op).success(guard("what_mock", success)).failure(failure).run_in_background()


def load_stored(then: Callable[[ActiveMock | None], None]) -> None:
    """Read the stored mock in progress in the background."""
    from aqt import mw
    from aqt.operations import QueryOp

    assert mw is not None
    QueryOp(parent=mw, op=load_active, success=guard("what_mock", then)).failure(
        lambda exc: report("what_mock", exc)
    ).run_in_background()

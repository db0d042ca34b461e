"""Mock interviews marked done, stored in the collection config so they sync with the collection.

`{kb id: {mock id: epoch seconds}}` under one config key (a few bytes per mark, as Anki asks of
config values). Written with an undoable `CollectionOp`; the progress counter "mock interviews
done" reads it back in the same background pass as the card statistics.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from ..data.queries import MOCK_CONFIG_KEY, mock_marks
from ..errors import guard, report
from .service import service

if TYPE_CHECKING:
    from anki.collection import Collection, OpChanges


def set_mock_done(col: Collection, kb_id: str, mock_id: str, done: bool) -> OpChanges:
    marks = mock_marks(col.get_config(MOCK_CONFIG_KEY, {}))
    kb_marks = marks.setdefault(kb_id, {})
    if done:
        kb_marks[mock_id] = int(time.time())
    else:
        kb_marks.pop(mock_id, None)
    if not kb_marks:
        del marks[kb_id]
    return col.set_config(MOCK_CONFIG_KEY, marks, undoable=True)


def toggle_mock(kb_id: str, mock_id: str, done: bool) -> None:
    from aqt import mw
    from aqt.operations import CollectionOp

    assert mw is not None

    def refreshed(_: OpChanges) -> None:
        service.invalidate()
        service.request()

    CollectionOp(parent=mw, op=lambda col: set_mock_done(col, kb_id, mock_id, done)).success(
        guard("what_mock", refreshed)
    ).failure(lambda exc: report("what_mock", exc)).run_in_background()

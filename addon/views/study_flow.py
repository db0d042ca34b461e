"""Study now: the filtered deck filled in the background, then the learner taken to it, in front.

The button's flow (a view's): study.py fills the deck on the collection; once it is filled the
main window shows the deck's overview and comes forward (focus.py), since our dialogs would
otherwise hide it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..data.bundle import Topic
from ..errors import UserMessage, guard, report
from ..ops.study import fill_study_deck, topic_search
from ..runtime import current
from .focus import bring_main_window_forward

if TYPE_CHECKING:
    from anki.collection import Collection, OpChangesWithId


def study_topic(topic: Topic) -> None:
    """Fill the study deck with `topic`'s cards in the background, then open its overview."""
    from anki.decks import DeckId
    from anki.errors import FilteredDeckError, SearchError
    from aqt import mw
    from aqt.operations import CollectionOp

    assert mw is not None
    cfg, tr = current.config, current.tr

    def op(col: Collection) -> OpChangesWithId:
        search = topic_search(col, topic.cards)
        if not search:
            raise UserMessage(tr("study_empty", topic=topic.title))
        return fill_study_deck(col, cfg.study_deck_name, search, cfg.study_limit)

    def success(out: OpChangesWithId) -> None:
        mw.col.decks.select(DeckId(out.id))
        mw.moveToState("overview")
        bring_main_window_forward()

    def failure(exc: Exception) -> None:
        if isinstance(exc, FilteredDeckError | SearchError):
            exc = UserMessage(tr("study_empty", topic=topic.title))
        report("what_study", exc)

    CollectionOp(parent=mw, op=op).success(guard("what_study", success)).failure(failure).run_in_background()

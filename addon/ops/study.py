"""Study this topic now: one reusable filtered deck, refilled with a topic's cards.

The search selects the topic's notes by their `Id` field (the authored card ids from the
bundle: stable, unlike tags, which Anki and users rewrite) restricted to the kbdeck note types,
so another note type with an `Id` field never leaks in. Built with Anki's SearchNode API, which
escapes every value. Functions on a collection only: study_flow.py runs the fill as a
`CollectionOp` and takes the learner to the deck.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..data.queries import notetype_ids
from ..errors import UserMessage
from ..runtime import current

if TYPE_CHECKING:
    from anki.collection import Collection, OpChangesWithId


def topic_search(col: Collection, card_ids: Sequence[str]) -> str:
    """`(Id:a OR Id:b ...) (mid:X OR mid:Y)` for the topic's authored card ids."""
    from anki.collection import SearchNode

    ids = [SearchNode(field=SearchNode.Field(field_name="Id", text=cid)) for cid in dict.fromkeys(card_ids)]
    types = [SearchNode(parsable_text=f"mid:{mid}") for mid in notetype_ids(col)]
    if not ids or not types:
        return ""
    return col.build_search_string(col.group_searches(*ids, joiner="OR"), col.group_searches(*types, joiner="OR"))


def drawable_cards(col: Collection, guids: Sequence[str]) -> list[int]:
    """Cards of the notes with these GUIDs (kbdeck note types only) that can go into a filtered deck:
    not suspended, not buried, not in another filtered deck.

    Plain SQL in chunks, not a search: a mock section over a whole roadmap names a thousand notes,
    and a search `Id:a OR Id:b OR …` that long exceeds SQLite's expression depth (Anki raises
    "Expression tree is too large")."""
    mids = ",".join(str(int(m)) for m in notetype_ids(col))
    db = col.db
    if not mids or db is None:
        return []
    wanted = list(dict.fromkeys(guids))
    found: list[int] = []
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        marks = ",".join("?" * len(chunk))
        found.extend(
            int(cid)
            for cid in db.list(
                f"select c.id from cards c join notes n on n.id = c.nid where n.mid in ({mids}) "
                f"and n.guid in ({marks}) and c.queue >= 0 and c.odid = 0",
                *chunk,
            )
        )
    return sorted(found)


def fill_study_deck(col: Collection, name: str, search: str, limit: int, *, shuffled: bool = False) -> OpChangesWithId:
    """Create the filtered deck `name` or refill it with `search` (raises UserMessage on a name clash).

    Cards come in the order they were added (a topic's authored order), or at random with `shuffled`
    (a mock interview's section)."""
    from anki.decks import DeckId, FilteredDeckConfig

    tr = current.tr
    existing = col.decks.id_for_name(name)
    if existing is not None:
        deck = col.decks.get(existing)
        if deck is not None and not deck.get("dyn"):
            raise UserMessage(tr("study_not_filtered", deck=name))
    fd = col.sched.get_or_create_filtered_deck(deck_id=DeckId(existing or 0))
    fd.name = name
    del fd.config.search_terms[:]
    fd.config.search_terms.append(
        FilteredDeckConfig.SearchTerm(
            search=search,
            limit=limit,
            order=FilteredDeckConfig.SearchTerm.Order.RANDOM if shuffled else FilteredDeckConfig.SearchTerm.Order.ADDED,
        )
    )
    fd.config.reschedule = True
    return col.sched.add_or_update_filtered_deck(fd)

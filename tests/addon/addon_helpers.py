"""Hand-made bundles and rows for the add-on's pure tests, readable at the call site:

b = make_bundle({"w1": {"d1": ["py/gil", "py/gc"]}}, cards={"py/gil": ["gil-1", "gil-2"], "py/gc": ["gc-1"]})
StateRow(NEW, 0, 0, None, guids("gil-1", "gil-2"))
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from addon.data.bundle import Bundle, parse_bundle

NEW, LEARNING, YOUNG, MATURE, SUSPENDED = 1, 2, 3, 4, 5


def guid(card_id: str, kb: str = "kb") -> str:
    """The GUID the build gives the card (bundles whose cards carry other GUIDs are refused)."""
    from kbdeck.model.contract import note_guid

    return note_guid(kb, card_id)


def guids(*card_ids: str, kb: str = "kb") -> str:
    """The space-separated GUID string of a StateRow/AnswerRow."""
    return " ".join(guid(c, kb) for c in card_ids)


def bundle_dict(
    roadmap: dict[str, dict[str, list[str]]],
    cards: dict[str, list[str]],
    *,
    kb: str = "kb",
    title: str = "Test KB",
    generation: int = 1,
    targets: dict[str, int] | None = None,
    mocks: tuple[str, ...] = (),
    examples: tuple[str, ...] = (),
) -> dict[str, Any]:
    """A schema-1 bundle as the pipeline writes it. `roadmap` = {week: {day: [topic ids]}}."""
    topics = {
        tid: {
            "title": tid.split("/")[-1].upper(),
            "area": tid.split("/")[0],
            "tags": [],
            "summary": "",
            "note": f"_kbdeck-{kb}-note-{hashlib.sha1(tid.encode()).hexdigest()[:16]}.html",
            "path": f"{tid}.md",
            "headings": [{"anchor": "intro", "text": "Intro", "level": 2, "line": 3}],
            "cards": list(ids),
            "examples": [],
        }
        for tid, ids in cards.items()
    }
    return {
        "schema_version": 1,
        "kb": {
            "id": kb,
            "title": title,
            "deck": title,
            "language": "en",
            "source_url": "",
            "targets": targets or {"topics": 4, "flashcards": 10, "examples": 2, "mock_interviews": 1},
        },
        "areas": [],
        "weeks": [
            {
                "id": week,
                "title": f"{week.upper()} — title",
                "days": [
                    {"id": day, "title": f"Day {day}", "date": "", "flashcards": 5, "topics": list(tids)}
                    for day, tids in days.items()
                ],
            }
            for week, days in roadmap.items()
        ],
        "topics": topics,
        "cards": {
            cid: {"guid": guid(cid, kb), "topic": tid, "deck": f"{title}::Area"}
            for tid, ids in cards.items()
            for cid in ids
        },
        "examples": [{"id": e, "path": f"examples/{e}.py", "summary": ""} for e in examples],
        "mock_interviews": [
            {"id": m, "title": f"Mock {m}", "when": "", "sections": [{"title": "s", "minutes": 10}]} for m in mocks
        ],
        "build": {"generation": generation, "changed_at": 0, "kbdeck": "test"},
    }


def bundle_name(kb: str = "kb", content: bytes = b"") -> str:
    return f"_kbdeck-{kb}-bundle-{hashlib.sha256(content).hexdigest()[:16]}.json"


def make_bundle(roadmap: dict[str, dict[str, list[str]]], cards: dict[str, list[str]], **kw: Any) -> Bundle:
    data = json.dumps(bundle_dict(roadmap, cards, **kw)).encode()
    return parse_bundle(data, bundle_name(kw.get("kb", "kb"), data))


@dataclass(frozen=True)
class Rebuild:
    """The second build of the shipped knowledge base, and what changed in its content."""

    apkg: Path
    edited: str
    """Card whose answer was edited."""
    moved: str
    """Card moved to another area's flashcard file (so to another deck)."""
    moved_to: str
    """Its new deck."""
    removed: str
    """Card deleted from the content."""
    epoch: int
    """SOURCE_DATE_EPOCH of the rebuild (an hour after the first build)."""

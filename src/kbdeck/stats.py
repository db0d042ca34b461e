"""Counts against the roadmap's targets, and the progress block of the knowledge base's README.

The block in the README.md of the content folder sits between two markers and is rewritten in place by
`kbdeck stats --write-readme`; everything outside the markers is left untouched.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .model.kb import KnowledgeBase
from .model.words import PORTUGUESE, Words


@dataclass(frozen=True)
class Count:
    """A number against its target."""

    have: int
    target: int

    @property
    def met(self) -> bool:
        return self.have >= self.target


def compute(kb: KnowledgeBase) -> dict[str, Any]:
    """The stats as plain data (the JSON output)."""
    rm = kb.roadmap
    per_topic: dict[str, int] = {}
    for card in kb.cards:
        per_topic[card.topic] = per_topic.get(card.topic, 0) + 1
    planned = [t for d in rm.days for t in d.topics]
    days = [
        {
            "id": d.id,
            "week": d.week,
            "title": d.title,
            "topics": len(d.topics),
            "flashcards": sum(per_topic.get(t, 0) for t in d.topics),
            "target": d.flashcards,
        }
        for d in rm.days
    ]
    return {
        "topics": {"have": sum(1 for t in planned if t in kb.topics), "target": rm.targets.topics},
        "flashcards": {"have": len(kb.cards), "target": rm.targets.flashcards},
        "examples": {"have": len(kb.runnable_examples), "target": rm.targets.examples},
        "mock_interviews": {"have": len(rm.mock_interviews), "target": rm.targets.mock_interviews},
        "days": days,
    }


def _mark(have: int, target: int) -> str:
    return "✅" if have >= target else "⏳"


def render_text(stats: dict[str, Any]) -> str:
    lines = []
    for key in ("topics", "flashcards", "examples", "mock_interviews"):
        c = stats[key]
        verdict = "ok" if c["have"] >= c["target"] else "below target"
        lines.append(f"{key.replace('_', ' '):<16} {c['have']:>4} / {c['target']:<4} {verdict}")
    lines.append("")
    lines.append(f"{'day':<8} {'notes':>5} / target  title")  # authored flashcards, not Anki's cards
    for d in stats["days"]:
        flag = "" if d["flashcards"] >= d["target"] else "  (below target)"
        lines.append(f"{d['id']:<8} {d['flashcards']:>5} / {d['target']:<6} {d['title']}{flag}")
    return "\n".join(lines)


def render_block(stats: dict[str, Any], words: Words = PORTUGUESE) -> str:
    """The Markdown progress block for the knowledge base's README, in its language."""
    goal, have, target, day, theme, cards, day_target = words.progress_headers
    rows = [f"| {goal} | {have} | {target} | |", "|---|---:|---:|---|"]
    for key, label in zip(("topics", "flashcards", "examples", "mock_interviews"), words.progress_labels, strict=True):
        c = stats[key]
        rows.append(f"| {label} | {c['have']} | {c['target']} | {_mark(c['have'], c['target'])} |")
    rows += ["", f"| {day} | {theme} | {cards} | {day_target} | |", "|---|---|---:|---:|---|"]
    for d in stats["days"]:
        rows.append(
            f"| {d['id']} | {d['title']} | {d['flashcards']} | {d['target']} | {_mark(d['flashcards'], d['target'])} |"
        )
    return "\n".join([words.progress_start, words.progress_notice, "", *rows, words.progress_end])


def replace_block(readme: str, block: str, words: Words = PORTUGUESE) -> str | None:
    """README text with the block replaced, or None when the markers are missing."""
    start, end = readme.find(words.progress_start), readme.find(words.progress_end)
    if start < 0 or end < start:
        return None
    return readme[:start] + block + readme[end + len(words.progress_end) :]

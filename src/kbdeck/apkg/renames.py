"""Spot card ids that were renamed rather than removed, so the build can say "rename it back".

A renamed id is a new card to Anki: the old card keeps its history but is never updated again,
and the new one starts from zero. Two sources of evidence, best first:
1. `git diff HEAD` of the flashcard files: a hunk that removes one `id:` line and adds another;
2. the ledger: in one topic, exactly one id disappeared and exactly one appeared.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .ledger import Changes

ID_LINE = re.compile(r"^[-+]\s*(?:-\s+)?(?:id|ID):\s*([a-z0-9][a-z0-9-]*)\s*$")


@dataclass(frozen=True)
class Rename:
    """An id that probably changed from `old` to `new`."""

    old: str
    new: str
    evidence: str
    """`git diff` or `same topic`."""


def git_renames(content: Path) -> dict[str, str]:
    """old id → new id from uncommitted edits of flashcard files (empty outside a git work tree)."""
    try:
        proc = subprocess.run(
            ["git", "diff", "HEAD", "-U0", "--no-color", "--no-ext-diff", "--", "."],
            cwd=content / "flashcards" if (content / "flashcards").is_dir() else content,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return {}
    if proc.returncode != 0:
        return {}
    out: dict[str, str] = {}
    removed: list[str] = []
    added: list[str] = []

    def flush() -> None:
        if len(removed) == 1 and len(added) == 1 and removed[0] != added[0]:
            out[removed[0]] = added[0]
        removed.clear()
        added.clear()

    for line in proc.stdout.splitlines():
        if line.startswith("@@"):
            flush()
            continue
        if line.startswith(("---", "+++")):
            continue
        m = ID_LINE.match(line)
        if m:
            (removed if line[0] == "-" else added).append(m.group(1))
    flush()
    return out


def find_renames(changes: Changes, topics_of_new: dict[str, str], content: Path) -> list[Rename]:
    """Likely renames among this build's removed and new ids."""
    new = set(changes.new)
    found: list[Rename] = []
    by_git = git_renames(content)
    claimed: set[str] = set()
    for old, _topic in changes.removed:
        target = by_git.get(old)
        if target in new:
            found.append(Rename(old, target, "git diff"))
            claimed.add(target)
    removed_by_topic: dict[str, list[str]] = {}
    for old, topic in changes.removed:
        if not any(r.old == old for r in found):
            removed_by_topic.setdefault(topic, []).append(old)
    new_by_topic: dict[str, list[str]] = {}
    for card_id in changes.new:
        if card_id not in claimed:
            new_by_topic.setdefault(topics_of_new.get(card_id, ""), []).append(card_id)
    for topic, olds in removed_by_topic.items():
        news = new_by_topic.get(topic, [])
        if len(olds) == 1 and len(news) == 1:
            found.append(Rename(olds[0], news[0], "same topic"))
    return sorted(found, key=lambda r: r.old)

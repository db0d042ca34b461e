"""Heading anchors: the one slug function used by the renderer, the checker and the add-on.

GitHub's algorithm, so that `see:` anchors, card links and the web view of the content agree:
lowercase, keep letters (accents included), digits, `-`, `_` and spaces, turn spaces into `-`;
a repeated heading gets `-1`, `-2`... This module is stdlib-only because the add-on vendors it.
"""

from __future__ import annotations

import re
import unicodedata

_DROP = re.compile(r"[^\w\- ]", re.UNICODE)


def slugify(text: str) -> str:
    """GitHub-compatible anchor for one heading text (without de-duplication)."""
    text = unicodedata.normalize("NFC", text.strip().lower())
    return _DROP.sub("", text).replace(" ", "-")


class Slugger:
    """Assigns unique anchors in document order, as GitHub does for repeated headings."""

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}

    def anchor(self, text: str) -> str:
        base = slugify(text)
        count = self._seen.get(base)
        if count is None:
            self._seen[base] = 0
            return base
        count += 1
        self._seen[base] = count
        candidate = f"{base}-{count}"
        self._seen.setdefault(candidate, 0)
        return candidate

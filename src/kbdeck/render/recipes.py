"""The note memo: what a note's HTML hashes to, known from what the note is made of, without the HTML.

A note's fields are literal parts (its id, the source line, the roadmap crumb) around rendered
fragments, and every fragment is named by its key (a hash of its input, `fragments.py`). So a note's
*recipe* — its fields with each fragment written as its key (`Fragments.keys_only`), its note type,
deck and tags — fixes its HTML. This memo maps a recipe's digest to what the build needs of that HTML
when it does not package it: the content hash the ledger compares, the section digest, and the cards
the note makes. A rebuild whose notes are all in the memo never reads or holds their HTML (at 300,000
cards, 0.8 GB of it); the package then copies unchanged notes from the previous collection
(`apkg/kept.py`), and a note whose HTML is wanted after all renders it again (`RenderedNote.fields`).

Notes that show local images are never memoised: their HTML also depends on the image files.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..model.notetypes import NoteTypeSpec
from ..support.cache import Memo
from .fragments import renderer_fingerprint

FLUSH_EVERY = 20_000
"""New entries written to the cache file at a time (a cold build of 300,000 cards held 80 MB of them)."""

Known = tuple[str, str, tuple[int, ...]]
"""(content hash, section digest, card ordinals)."""


def recipe_digest(notetype: NoteTypeSpec, deck: str, recipe: tuple[str, ...], tags: tuple[str, ...]) -> str:
    """The memo's key: a note's recipe (fields with fragment keys), with everything else its hash covers."""
    return hashlib.sha256("\x1e".join([notetype.name, deck, *recipe, " ".join(tags)]).encode()).hexdigest()


class NoteMemo:
    """Recipe digest → `Known`, in the build cache (its table carries the renderer's fingerprint, as the
    fragments' does: a renderer change empties both)."""

    def __init__(self, cache_dir: Path | None) -> None:
        self.enabled = cache_dir is not None
        self._memo = Memo(cache_dir, "notes", renderer_fingerprint())
        self._known = self._memo.load_texts() if self.enabled else {}
        self._used: set[str] = set()

    @property
    def known(self) -> bool:
        """Whether the memo holds anything (a cold build's is empty: no note needs looking up)."""
        return bool(self._known)

    def get(self, key: str) -> Known | None:
        """What the memo knows of the note with this recipe digest (None: it must be rendered)."""
        value = self._known.get(key)
        if value is None:
            return None
        try:  # "hash section ords": a damaged entry is a miss
            content_hash, section, ords = value.split(" ")
            known = (content_hash, section, tuple(int(o) for o in ords.split(",")) if ords else ())
        except ValueError:
            return None
        if len(content_hash) != 64 or len(section) not in (0, 16) or min(known[2], default=0) < 0:
            return None
        self._used.add(key)
        return known

    def put(self, key: str, known: Known) -> None:
        content_hash, section, ords = known
        self._used.add(key)
        value = f"{content_hash} {section} {','.join(map(str, ords))}"
        if self._known.get(key) != value:
            self._memo.new[key] = value
            # a cold build puts every note: not all of them held at once (appended: `save` makes the key index)
            if len(self._memo.new) >= FLUSH_EVERY and self._memo.add(self._memo.new):
                self._memo.new = {}

    def save(self) -> None:
        """Store the new entries and forget those of notes this build no longer has."""
        self._memo.save(set(self._known) - self._used)
        self._known = {}

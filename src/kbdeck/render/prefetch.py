"""The cold build's head start, behind one seam: render workers forked before loading, fed right after it.

Forking is cheap while the build process is small, so `render_workers` forks before the content
is loaded; once it is, `fragments_for` asks the workers for every fragment the notes will need and
returns at once, so they render while the build checks. A warm build (the cache exists) starts no
worker and renders its few misses in-process when asked. `build.py` calls these two and nothing
else of it, so the storyboard reads load → check → render → package without this interleaving.
"""

from __future__ import annotations

from pathlib import Path

from ..model.kb import KnowledgeBase
from .fragments import Fragments
from .notes import request_fragments
from .workers import Workers, render_workers

__all__ = ["fragments_for", "render_workers"]


def fragments_for(kb: KnowledgeBase, cache: Path | None, workers: Workers) -> Fragments:
    """This build's fragment store; with workers running, every fragment is already on its way."""
    fragments = Fragments(kb.examples, cache, workers)
    if workers.started:
        request_fragments(kb, fragments)
    return fragments

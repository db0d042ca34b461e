"""Finds the bundles in the collection's media folder and keeps the newest per knowledge base.

Bundle names are content-addressed, so a file's content never changes under the same name:
parsed bundles are cached by (name, size, mtime) and a refresh only re-reads new files. Bad
bundles are reported once per file and skipped; nothing here raises for a bad file. Runs in a
background thread (inside a QueryOp), never touches Qt.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

from .bundle import BUNDLE_NAME_RE, MAX_BYTES, Bundle, BundleError, latest_per_kb, parse_bundle


@dataclass(frozen=True)
class Discovery:
    """What the media folder holds."""

    bundles: tuple[Bundle, ...]
    """Newest valid bundle per knowledge base."""
    problems: tuple[str, ...]
    """One readable line per rejected bundle file."""


_Key = tuple[str, int, int]
_cache: dict[_Key, Bundle | str] = {}
_lock = threading.Lock()


def discover(media_dir: str | Path) -> Discovery:
    """Scan `media_dir` (not recursive) for `_kbdeck-<kb>-bundle-<hash>.json` files."""
    found, problems = scan(media_dir)
    return Discovery(tuple(latest_per_kb(found)), tuple(sorted(problems)))


def bundles_of(media_dir: str | Path, kb_id: str) -> list[Bundle]:
    """Every valid bundle of one knowledge base in the media folder (older builds included), oldest first."""
    found, _ = scan(media_dir)
    return sorted((b for b in found if b.kb.id == kb_id), key=lambda b: b.recency)


def scan(media_dir: str | Path) -> tuple[list[Bundle], list[str]]:
    """Every valid bundle in `media_dir` and one line per rejected file (parsed files are cached)."""
    found: list[Bundle] = []
    problems: list[str] = []
    seen: set[_Key] = set()
    try:
        entries = list(os.scandir(media_dir))
    except OSError as exc:
        return [], [f"cannot read the media folder: {exc.strerror or exc}"]
    for entry in entries:
        if not BUNDLE_NAME_RE.match(entry.name):
            continue
        try:
            st = entry.stat()
        except OSError:
            continue
        key = (entry.name, st.st_size, int(st.st_mtime_ns))
        seen.add(key)
        with _lock:
            cached = _cache.get(key)
        if cached is None:
            cached = _load(Path(entry.path), st.st_size)
            with _lock:
                _cache[key] = cached
        if isinstance(cached, str):
            problems.append(cached)
        else:
            found.append(cached)
    with _lock:
        for stale in set(_cache) - seen:
            del _cache[stale]
    return found, problems


def _load(path: Path, size: int) -> Bundle | str:
    if size > MAX_BYTES:
        return f"{path.name}: larger than {MAX_BYTES // 1024 // 1024} MB, ignored"
    try:
        return parse_bundle(path.read_bytes(), path.name)
    except BundleError as exc:
        return f"{path.name}: {exc}" if not str(exc).startswith(path.name) else str(exc)
    except OSError as exc:
        return f"{path.name}: cannot be read ({exc.strerror or exc})"


def clear_cache() -> None:
    """Forget parsed bundles (used when the profile closes)."""
    with _lock:
        _cache.clear()

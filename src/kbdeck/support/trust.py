"""Which knowledge bases this machine's user lets run their output cards' code (`kbdeck trust`).

Trust belongs to the person building, never to the knowledge base: it is stored outside every
knowledge base, in the user's config folder (`$XDG_CONFIG_HOME/kbdeck/trusted.json`, by default
`~/.config/kbdeck/trusted.json`), keyed by the content folder's resolved path and the knowledge
base's id (like direnv's `allow`). A setting inside a knowledge base can never grant it, so a
cloned or downloaded knowledge base runs nothing until its user says so.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .files import write_atomically


def trust_file() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "kbdeck" / "trusted.json"


def _entries() -> list[dict[str, str]]:
    try:
        raw = json.loads(trust_file().read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return []  # no file (or an unreadable one): nothing is trusted, the safe default
    items = raw.get("trusted") if isinstance(raw, dict) else None
    if not isinstance(items, list):
        return []
    return [e for e in items if isinstance(e, dict) and isinstance(e.get("path"), str) and isinstance(e.get("kb"), str)]


def _key(content: Path) -> str:
    return str(content.resolve())


def is_trusted(content: Path, kb_id: str) -> bool:
    key = _key(content)
    return any(e["path"] == key and e["kb"] == kb_id for e in _entries())


def trusted() -> list[tuple[str, str]]:
    """(content path, knowledge base id) of every trusted knowledge base."""
    return sorted((e["path"], e["kb"]) for e in _entries())


def set_trust(content: Path, kb_id: str, allowed: bool) -> bool:
    """Trust (or stop trusting) a knowledge base; whether anything changed. Raises OSError."""
    key = _key(content)
    entries = [e for e in _entries() if e["path"] != key]
    before = is_trusted(content, kb_id)
    if allowed:
        entries.append({"path": key, "kb": kb_id})
    path = trust_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, json.dumps({"trusted": sorted(entries, key=lambda e: e["path"])}, indent=1) + "\n")
    return before != allowed

"""The add-on's settings, parsed once from Anki's config dict into a frozen dataclass.

Anki merges `config.json` (defaults) with the user's edits shallowly, so any key may hold any
JSON value a user typed. Parsing never raises: a wrong value falls back to its default and the
problem is reported, so a typo in the config editor can't break the add-on. Every key is
documented in `config.md`; a test keeps the three (this file, config.json, config.md) in sync.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

LANGUAGES = ("auto", "en", "pt-BR")


@dataclass(frozen=True)
class Config:
    """Every setting of the add-on, with its default."""

    language: str = "auto"
    """UI language: "auto" follows Anki's language, or "en" / "pt-BR"."""
    shortcut: str = "Ctrl+Shift+K"
    """Keyboard shortcut of Tools → kbdeck progress."""
    show_panel: bool = True
    """Show the compact progress panel under the deck list."""
    retention_days: int = 30
    """Window, in days, of the retention figure (pass rate of review answers)."""
    chart_days: int = 30
    """Days shown in the chart of cards studied per day."""
    study_deck_name: str = "kbdeck study"
    """Name of the filtered deck that "study this topic now" creates and refreshes."""
    study_limit: int = 500
    """Most cards pulled into that filtered deck."""
    max_age_seconds: int = 300
    """Recompute the progress at least this often while the deck list is shown."""
    content_folder: str = ""
    """The knowledge base's `content/` folder; enables "open in editor" in the note viewer ("" = off)."""
    editor_command: str = ""
    """Command that opens a note, with `{path}` and `{line}` ("" = the system's default app)."""
    build_folder: str = ""
    """Folder holding the built .apkg (e.g. the repository's `build/`) for "Update from build"."""
    auto_update: bool = False
    """Update automatically when a new build appears in `build_folder`."""
    poll_seconds: int = 5
    """How often the build folder is checked while `auto_update` is on."""
    move_cards: bool = True
    """On update, move cards whose deck changed in the content (only out of the build's own decks)."""
    mock_deck_name: str = "kbdeck mock"
    """Parent of the filtered decks a mock interview creates (one per section)."""


DEFAULTS = Config()
_LIMITS: dict[str, tuple[int, int]] = {
    "retention_days": (1, 3650),
    "chart_days": (7, 365),
    "study_limit": (1, 99999),
    "max_age_seconds": (10, 86400),
    "poll_seconds": (2, 3600),
}
OPTIONAL_TEXT = frozenset({"content_folder", "editor_command", "build_folder"})
"""Settings that may be empty (paths and commands: up to 1000 characters)."""


def parse_config(raw: Mapping[str, Any] | None) -> tuple[Config, list[str]]:
    """Config from Anki's merged dict; returns (config, problems). Unknown keys are reported, not fatal."""
    if raw is None:
        return DEFAULTS, []
    problems: list[str] = []
    values: dict[str, Any] = {}
    known = {f.name for f in fields(Config)}
    for key in sorted(set(raw) - known):
        problems.append(f"unknown config key {key!r} (ignored)")
    for f in fields(Config):
        if f.name not in raw:
            continue
        value = raw[f.name]
        default = getattr(DEFAULTS, f.name)
        ok = _valid(f.name, value, default)
        if ok:
            values[f.name] = value.strip() if isinstance(value, str) else value
        else:
            problems.append(f"config key {f.name!r}: {value!r} is not valid, using {default!r}")
    return Config(**values), problems


def _valid(name: str, value: Any, default: Any) -> bool:
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, int):
        low, high = _LIMITS[name]
        return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
    if name == "language":
        return value in LANGUAGES
    if name in OPTIONAL_TEXT:
        return isinstance(value, str) and len(value) <= 1000 and "\x00" not in value
    return isinstance(value, str) and bool(value.strip()) and len(value) <= 100

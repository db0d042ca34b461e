"""What the settings dialog checks and shows, without Qt: folder hints, the editor test, validation.

Also picks the half of config.md in the user's language for Anki's JSON editor. Each check
looks at the disk the way the setting's consumer does (editor.py expands `~` in the content
folder; the updater lists the build folder as typed) and none raises for a user's mistake: it
returns a line to show. Nothing here imports Qt, so the tests run it without Anki.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from ..data.apkg import newest_build
from ..data.config import OPTIONAL_TEXT, Config, parse_config
from ..data.editor import EditorError, editor_argv, open_file
from ..data.i18n import Translator
from ..runtime import current

PT_MARKER = "<!-- pt-BR -->"
"""Splits config.md into its English and its Portuguese half."""
SAMPLE_NAME = "kbdeck-editor-test.md"


@dataclass(frozen=True)
class Hint:
    """A line under a field: a folder's check or the editor test's outcome."""

    text: str
    ok: bool
    """True confirms; False warns (a folder hint never blocks saving)."""


def folder_hint(name: str, folder: str, tr: Translator) -> Hint | None:
    """What `folder` holds for the setting `name`, as its consumer sees it (None when empty)."""
    folder = folder.strip()
    if not folder:
        return None
    if name == "content_folder":
        root = Path(folder).expanduser()  # as editor.py resolves it
        if not root.is_dir():
            return Hint(tr("set_hint_missing"), False)
        if (root / "roadmap.yaml").is_file():
            return Hint(tr("set_hint_roadmap"), True)
        if (root / "content" / "roadmap.yaml").is_file():  # the repository's root picked instead
            return Hint(tr("set_hint_subfolder", name="content"), False)
        return Hint(tr("set_hint_no_roadmap"), False)
    if not Path(folder).is_dir():  # the updater lists it as typed
        return Hint(tr("set_hint_missing"), False)
    found = newest_build(folder)
    if found is None:
        return Hint(tr("set_hint_no_build"), False)
    return Hint(tr("set_hint_build", file=Path(found.path).name), True)


def first_note(content_folder: str) -> Path | None:
    """The first Markdown note (in path order) of `content_folder` or its subfolders, README files aside."""
    root = Path(content_folder.strip()).expanduser()
    if not content_folder.strip() or not root.is_dir():
        return None
    try:  # two levels only: a folder picked by mistake (a home folder) is never walked
        notes = [
            p
            for pattern in ("*.md", "*/*.md")
            for p in root.glob(pattern)
            if p.name.lower() != "readme.md" and not p.relative_to(root).parts[0].startswith(".") and p.is_file()
        ]
    except OSError:
        return None
    return min(notes, default=None)


def editor_test_file(content_folder: str, tr: Translator, temp_dir: str | None = None) -> Path:
    """The file the Test button opens: the content folder's first note, else a small sample file."""
    note = first_note(content_folder)
    if note is not None:
        return note
    sample = Path(temp_dir or tempfile.gettempdir()) / SAMPLE_NAME
    sample.write_text(tr("set_sample_note"), encoding="utf-8")
    return sample


def run_editor_test(content_folder: str, command: str, tr: Translator, temp_dir: str | None = None) -> Hint:
    """Open the test target at line 1 as "Open in editor" would; the outcome, never an exception."""
    try:
        path = editor_test_file(content_folder, tr, temp_dir)
        open_file(path, 1, command)
        if not command.strip():
            return Hint(tr("set_test_default", file=path.name), True)
        program = Path(editor_argv(command, path, 1)[0]).name
        return Hint(tr("set_test_started", program=program, file=path.name, line=1), True)
    except EditorError as exc:
        return Hint(tr("editor_failed", error=str(exc)), False)
    except Exception as exc:  # the environment (a full temp folder, a broken desktop): said, logged
        current.log.warning("editor test failed", exc_info=True)
        return Hint(tr("editor_failed", error=str(exc) or type(exc).__name__), False)


def validate(values: dict[str, Any], tr: Translator) -> tuple[Config, list[tuple[str, str]]]:
    """The config `values` make, and (setting, message) for each value `parse_config` rejects."""
    config, _ = parse_config(values)
    problems: list[tuple[str, str]] = []
    for f in fields(Config):
        if f.name in values and parse_config({f.name: values[f.name]})[1]:
            problems.append((f.name, _why(f.name, values[f.name], tr)))
    return config, problems


def _why(name: str, value: Any, tr: Translator) -> str:
    label = tr(f"set_{name}")
    if isinstance(value, str) and not value.strip() and name not in OPTIONAL_TEXT:
        return tr("set_invalid_empty", field=label)
    limit = 1000 if name in OPTIONAL_TEXT else 100
    if isinstance(value, str) and len(value.strip()) > limit:
        return tr("set_invalid_long", field=label, n=limit)
    return tr("set_invalid", field=label, value=json.dumps(value, ensure_ascii=False))


def config_help(text: str, lang: str) -> str:
    """The half of config.md in `lang` ("en" / "pt-BR"); the whole text when it has no Portuguese half."""
    english, marker, portuguese = text.partition(PT_MARKER)
    if not marker:
        return text
    if lang == "pt-BR":
        return portuguese.strip() + "\n"
    return english.rstrip().removesuffix("---").rstrip() + "\n"

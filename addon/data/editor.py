"""Open a topic's Markdown source in an editor: the system's default app, or a configured command.

Only when the user configured `content_folder`. The path comes from the bundle (untrusted), so
it must name a `.md` file that resolves inside that folder; the line is the heading's, from the
bundle. A configured command is split like a shell would (`code --goto {path}:{line}`) and run
directly, never through a shell, with `{path}` and `{line}` filled in each argument; without a
`{path}` the path is appended. Nothing here raises for a user's mistake: it returns a message.
"""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

from .bundle import Topic


class EditorError(ValueError):
    """The note's file cannot be opened; the message is for the user."""


def source_file(content_folder: str, topic: Topic) -> Path:
    """The topic's Markdown file inside `content_folder` (raises EditorError when missing or outside)."""
    return _inside(content_folder, topic.path or f"{topic.id}.md", (".md",), "a note path")


CARD_SUFFIXES = (".yaml", ".yml", ".md")


def card_file(content_folder: str, rel: str) -> Path:
    """A card's source file inside `content_folder` (a `flashcards/…` YAML or text file from the
    bundle, so untrusted: it must resolve inside the folder); raises EditorError."""
    return _inside(content_folder, rel, CARD_SUFFIXES, "a flashcard file")


def _inside(content_folder: str, rel: str, suffixes: tuple[str, ...], what: str) -> Path:
    """`rel` (from a bundle: untrusted) as an existing file inside `content_folder`; raises EditorError."""
    root = Path(content_folder).expanduser()
    if not content_folder or not root.is_dir():
        raise EditorError(f"content_folder {content_folder!r} is not a folder")
    if not rel.endswith(suffixes) or "\x00" in rel or Path(rel).is_absolute():
        raise EditorError(f"{rel!r} is not {what}")
    base = root.resolve()
    path = (base / rel).resolve()
    if not path.is_relative_to(base):
        raise EditorError(f"{rel!r} points outside the content folder")
    if not path.is_file():
        raise EditorError(f"{path} does not exist (is content_folder the knowledge base's content/ folder?)")
    return path


def editor_argv(command: str, path: Path, line: int) -> list[str]:
    """The command line for `command` (a template with `{path}` and `{line}`); raises EditorError."""
    try:
        parts = shlex.split(command)
    except ValueError as exc:
        raise EditorError(f"editor_command cannot be split: {exc}") from None
    if not parts:
        raise EditorError("editor_command is empty")
    values = {"{path}": str(path), "{line}": str(max(line, 1))}
    argv = []
    for part in parts:
        for key, value in values.items():
            part = part.replace(key, value)
        argv.append(part)
    if not any("{path}" in p for p in parts):
        argv.append(str(path))
    return argv


def open_file(path: Path, line: int, command: str) -> None:
    """Run `command` on `path` (detached), or hand the file to the system's default app."""
    if command.strip():
        argv = editor_argv(command, path, line)
        try:
            subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
                close_fds=True,
            )
        except OSError as exc:
            raise EditorError(f"{argv[0]!r} could not be started ({exc.strerror or exc})") from None
        return
    from aqt.qt import QUrl
    from aqt.utils import openLink

    openLink(QUrl.fromLocalFile(str(path)))

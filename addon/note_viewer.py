"""The note viewer: a topic's rendered note (media file of the build), sanitized, in a dialog.

The file name comes from the bundle and is checked against the build's naming pattern before
use (no path can escape the media folder); the HTML is rebuilt by the whitelist sanitizer and
styled with the kbdeck note type's own CSS (code highlighting, light and dark), itself made
inert for a `<style>` element. The file is read in a background op; one viewer is reused.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .bundle import NOTE_NAME_RE, Topic
from .errors import UserMessage, guard, report
from .queries import FROZEN_NOTETYPE_IDS
from .runtime import current
from .sanitize import sanitize_css, sanitize_html

if TYPE_CHECKING:
    from anki.collection import Collection

    from .dialog import NoteDialog

MAX_NOTE_BYTES = 4 * 1024 * 1024
_viewer: NoteDialog | None = None


@dataclass(frozen=True)
class LoadedNote:
    """What the viewer shows."""

    title: str
    body: str
    css: str


def note_body(raw_html: str) -> str:
    """The page body: the sanitized note inside the same wrappers as a card, so the note type's CSS applies."""
    return f'<div class="card kbdeck-note"><div class="kb-card">{sanitize_html(raw_html)}</div></div>'


def load_note(col: Collection, topic: Topic) -> LoadedNote:
    """Read and sanitize the note of `topic` (raises UserMessage when it is missing)."""
    from anki.models import NotetypeId

    tr = current.tr
    if not topic.note or not NOTE_NAME_RE.match(topic.note):
        raise UserMessage(tr("note_missing", topic=topic.title))
    path = Path(col.media.dir()) / topic.note
    try:
        if path.stat().st_size > MAX_NOTE_BYTES:
            raise UserMessage(tr("note_missing", topic=topic.title))
        raw = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        raise UserMessage(tr("note_missing", topic=topic.title)) from None
    notetype = col.models.get(NotetypeId(FROZEN_NOTETYPE_IDS[0])) or col.models.by_name("kbdeck Basic")
    css = sanitize_css(str(notetype.get("css", ""))) if notetype else ""
    return LoadedNote(tr("note_title", topic=topic.title), note_body(raw), css)


def open_note(topic: Topic, anchor: str = "") -> None:
    """Show `topic`'s note, scrolled to the top (or to `anchor`)."""
    from aqt import mw
    from aqt.operations import QueryOp

    assert mw is not None

    def show(note: LoadedNote) -> None:
        global _viewer
        from .dialog import NoteDialog

        if _viewer is None:
            _viewer = NoteDialog(on_closed=_forget)
        _viewer.show_note(note.title, note.body, note.css, anchor)
        _viewer.show()
        _viewer.raise_()
        _viewer.activateWindow()

    QueryOp(parent=mw, op=lambda col: load_note(col, topic), success=guard("what_note", show)).failure(
        lambda exc: report("what_note", exc)
    ).run_in_background()


def viewer() -> NoteDialog | None:
    """The open viewer (tests use it)."""
    return _viewer


def _forget() -> None:
    global _viewer
    _viewer = None

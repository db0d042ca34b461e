"""The note viewer: a topic's rendered note (media file of the build), sanitized, in one reused dialog.

Opened from the progress screens ("Open note"), from a card's source link (reviewer, previewer,
card layout: see card_link.py) and from its own bar (the other topics of the day). Which note is
decided in a background op from the bundles in the media folder (note_page.resolve_source /
find_target), never from a path the page sent. The file name comes from the bundle and is checked
against the build's naming pattern (no path can leave the media folder); the HTML is rebuilt by
the whitelist sanitizer and styled with the kbdeck note type's own CSS, itself made inert for a
`<style>` element. The heading a card points to is scrolled to and highlighted.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..data.bundle import NOTE_NAME_RE, Topic
from ..data.discovery import discover
from ..data.editor import EditorError, open_file, source_file
from ..data.mock_plan import statement_of
from ..data.queries import FROZEN_NOTETYPE_IDS
from ..data.sanitize import sanitize_css, sanitize_html
from ..errors import UserMessage, guard, report
from ..runtime import current
from .note_page import Target, find_target, render_page, resolve_source

if TYPE_CHECKING:
    from anki.collection import Collection

    from .dialog import NoteDialog

MAX_NOTE_BYTES = 4 * 1024 * 1024
_viewer: NoteDialog | None = None
_shown: Target | None = None


@dataclass(frozen=True)
class LoadedNote:
    """What the viewer shows."""

    title: str
    body: str
    css: str


def note_body(raw_html: str, notice: str = "") -> str:
    """The page body: the sanitized note inside the same wrappers as a card, so the note type's CSS applies.

    `notice` (plain text) ends the page, e.g. "the rest opens when the section ends" under a statement.
    """
    end = f'<p class="kb-statement-notice"><em>{html.escape(notice)}</em></p>' if notice else ""
    return f'<div class="card kbdeck-note"><div class="kb-card">{sanitize_html(raw_html)}{end}</div></div>'


def load_note(col: Collection, topic: Topic, *, statement_only: bool = False) -> LoadedNote:
    """Read and sanitize the note of `topic` (raises UserMessage when it is missing).

    `statement_only`: a mock's coding section runs, so only the problem's statement shows (the
    solutions follow it in the note: mock_plan.statement_of)."""
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
    notice = ""
    if statement_only:
        raw, cut = statement_of(raw)
        notice = tr("mock_statement_only") if cut else ""
    return LoadedNote(tr("note_title", topic=topic.title), note_body(raw, notice), css)


def open_note(kb_id: str, topic_id: str, anchor: str = "", *, statement_only: bool = False) -> None:
    """Show the note of `topic_id` in knowledge base `kb_id`, at the top (or at heading `anchor`);
    `statement_only` shows just a problem's statement (a mock's coding section is running)."""
    _open(lambda col: find_target(discover(col.media.dir()).bundles, kb_id, topic_id, anchor), statement_only)


def open_source(guid: str, src: str) -> None:
    """Show the note a card's source link points to (`src` = "<topic>.md#<anchor>", `guid` = the card's note)."""
    _open(lambda col: resolve_source(discover(col.media.dir()).bundles, guid, src))


def _open(locate: Callable[[Collection], Target | None], statement_only: bool = False) -> None:
    from aqt import mw
    from aqt.operations import QueryOp

    assert mw is not None

    def op(col: Collection) -> tuple[Target, LoadedNote]:
        target = locate(col)
        if target is None:
            raise UserMessage(current.tr("unknown_topic"))
        return target, load_note(col, target.topic, statement_only=statement_only)

    QueryOp(parent=mw, op=op, success=guard("what_note", _show)).failure(
        lambda exc: report("what_note", exc)
    ).run_in_background()


def _show(loaded: tuple[Target, LoadedNote]) -> None:
    global _viewer, _shown
    from .dialog import NoteDialog

    target, note = loaded
    page = render_page(target, note.body, current.tr, can_edit=bool(current.config.content_folder))
    if _viewer is None:
        _viewer = NoteDialog(on_closed=_forget)
    _shown = target
    _viewer.show_note(note.title, page, note.css, target.anchor)
    _viewer.show()
    _viewer.raise_()
    _viewer.activateWindow()


def edit_shown(kb_id: str, topic_id: str, anchor: str) -> None:
    """ "Open in editor" from the viewer: the shown knowledge base's topic, at its heading's line."""
    cfg = current.config
    if _shown is None or _shown.bundle.kb.id != kb_id or topic_id not in _shown.bundle.topics:
        raise UserMessage(current.tr("unknown_topic"))
    target = Target(_shown.bundle, _shown.bundle.topics[topic_id], anchor)
    line = target.heading.line if target.heading else 1
    try:
        open_file(source_file(cfg.content_folder, target.topic), line, cfg.editor_command)
    except EditorError as exc:
        raise UserMessage(current.tr("editor_failed", error=str(exc))) from None


def viewer() -> NoteDialog | None:
    """The open viewer (tests use it)."""
    return _viewer


def shown() -> Target | None:
    """What the viewer shows (tests use it)."""
    return _shown


def _forget() -> None:
    global _viewer, _shown
    _viewer = None
    _shown = None

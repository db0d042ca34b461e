"""Tools → kbdeck: update from build, and the automatic update when a new build appears.

The newest `.apkg` of the configured build folder (or a file the user picks) goes through
update_op.run_update inside one `CollectionOp` (one undo step; the import progress shown when asked for), then a
summary dialog says what happened. With `auto_update`, the build folder is watched
(`QFileSystemWatcher` on the folder and on its newest build: a new build is looked at ~0.05 s after
it lands, so save → updated card stays within a second) and listed every `poll_seconds` as a
fallback (file systems without change notification); a file is looked into only when its size or
time changed, and imported only when the collection lacks its bundle. An automatic update shows no
progress window, reports itself in a tooltip and redraws the card under review; the full summary
opens only when something needs attention. Never two updates at once.
"""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING

from ..data.apkg import is_whole, newest_build, read_bundle
from ..errors import UserMessage, guard, report
from ..ops.service import service
from ..ops.update_op import UpdateResult, UpdateSummary, has_news, run_update
from ..runtime import current, save_config
from .render_update import render_summary, short_summary

if TYPE_CHECKING:
    from anki.collection import Collection
    from aqt.qt import QFileSystemWatcher, QTimer

    from .dialog import WebDialog

SETTLE_SECONDS = 0.3
"""A build file younger than this that is not a whole zip yet may still be being written (kbdeck
renames a finished file into place, a copy by hand writes it in pieces): look again once it is this
old."""
WATCH_DELAY_MS = 50
"""After a change in the build folder, wait this long (a burst of changes becomes one look)."""

_last: UpdateSummary | None = None
_dialog: WebDialog | None = None
_running = False
_seen: tuple[str, int, int] | None = None
_timer: QTimer | None = None
_watcher: QFileSystemWatcher | None = None
_soon = False


def last_summary() -> UpdateSummary | None:
    """The summary of the last update in this session (tests use it)."""
    return _last


def summary_dialog() -> WebDialog | None:
    return _dialog


def choose_build() -> str | None:
    """The newest build in `build_folder`; without one configured, ask for a file and remember its folder."""
    from aqt import mw
    from aqt.qt import QFileDialog

    tr = current.tr
    folder = current.config.build_folder
    if folder:
        found = newest_build(folder)
        if found is None:
            raise UserMessage(tr("upd_no_build", folder=folder))
        return found.path
    path, _ = QFileDialog.getOpenFileName(mw, tr("upd_choose"), "", "Anki deck package (*.apkg)")
    if not path:
        return None
    save_config(build_folder=os.path.dirname(path))
    return path


def update_now() -> None:
    """Tools → kbdeck: update from build."""
    path = choose_build()
    if path:
        start_update(path, automatic=False)


def start_update(path: str, *, automatic: bool) -> None:
    """Import `path` and reconcile in the background, then report."""
    global _running
    from aqt import mw
    from aqt.import_export.importing import import_progress_update
    from aqt.operations import CollectionOp
    from aqt.qt import QTimer

    assert mw is not None
    if _running:
        return
    _running = True
    cfg, tr = current.config, current.tr

    def op(col: Collection) -> UpdateResult:
        return run_update(col, path, move_cards=cfg.move_cards, undo_label=tr("upd_undo_label"))

    def success(result: UpdateResult) -> None:
        global _running, _last
        _running = False
        _last = result.summary
        service.invalidate()
        service.request_soon()
        s = result.summary
        if not s.changed_anything and s.generation <= s.previous_generation:
            from aqt.utils import tooltip  # the same build again: nothing to read, nothing to decide

            tooltip(tr("upd_nothing"), period=3000, parent=mw)
        elif automatic and not (s.edited or s.conflicting):
            from aqt.utils import tooltip

            tooltip(short_summary(s, tr), period=5000, parent=mw)
        else:
            show_summary(s)
        if automatic:
            # Anki redraws the reviewer when its window gets focus back; the learner editing the note
            # beside it should see the card change as they save, without clicking into Anki. After
            # this callback: Anki tells the screens what changed only once `success` returned.
            QTimer.singleShot(0, guard("what_update", _redraw_reviewer))

    def failure(exc: Exception) -> None:
        global _running
        _running = False
        from ..data.apkg import PackageError

        if isinstance(exc, PackageError):
            exc = UserMessage(tr("upd_bad_package", error=str(exc)))
        report("what_update", exc)

    collection_op = CollectionOp(parent=mw, op=op).success(guard("what_update", success)).failure(failure)
    if not automatic:
        # the import's progress; an automatic update (a fraction of a second, often while the learner
        # is in their editor) shows none: Anki's progress window would delay the result by 0.1-0.5 s
        collection_op = collection_op.with_backend_progress(import_progress_update)
    try:
        collection_op.run_in_background()
    except Exception:
        _running = False
        raise


def _redraw_reviewer() -> None:
    """The card on screen as the update left it (what Anki does when its window gets focus)."""
    from aqt import mw

    if mw is not None and mw.col is not None and mw.state == "review":
        mw.reviewer.refresh_if_needed()


def show_summary(summary: UpdateSummary) -> None:
    global _dialog
    from .dialog import WebDialog

    if _dialog is None:
        _dialog = WebDialog(current.tr("upd_window"), on_closed=_forget_dialog)
        _dialog.resize(620, 560)
    _dialog.set_body(render_summary(summary, current.tr))
    _dialog.show()
    _dialog.raise_()


def _forget_dialog() -> None:
    global _dialog
    _dialog = None


def browse_last(what: str) -> None:
    """ "Show" in the summary: the browser with the notes of one row of the last update."""
    import aqt
    from aqt import mw

    nids = _last.notes.get(what, ()) if _last else ()
    if not nids:
        raise UserMessage(current.tr("upd_nothing_to_show"))
    aqt.dialogs.open("Browser", mw, search=(f"nid:{','.join(map(str, nids))}",))


def take_build(card_id: str) -> None:
    """ "Use the build's text" on a note the last update listed as edited in Anki (one undo step)."""
    global _last
    from dataclasses import replace

    from aqt import mw
    from aqt.operations import CollectionOp
    from aqt.utils import tooltip

    from ..ops.update_op import take_build_text

    edit = next((e for e in _last.edits if e.card_id == card_id), None) if _last else None
    if edit is None or _last is None:
        raise UserMessage(current.tr("upd_nothing_to_show"))
    tr = current.tr
    summary = _last

    def success(_: object) -> None:
        global _last
        _last = replace(summary, edits=tuple(e for e in summary.edits if e is not edit))
        tooltip(tr("upd_taken", id=card_id), period=3000, parent=mw)
        if _dialog is not None:
            _dialog.set_body(render_summary(_last, tr))

    CollectionOp(parent=mw, op=lambda col: take_build_text(col, edit, tr("upd_take_undo"))).success(
        guard("what_update", success)
    ).run_in_background()


def edit_card(card_id: str) -> None:
    """ "Open the source" on a note the last update listed as edited in Anki: its card's file, at its line."""
    from ..data.editor import EditorError, card_file, open_file

    edit = next((e for e in _last.edits if e.card_id == card_id), None) if _last else None
    if edit is None or not edit.file:
        raise UserMessage(current.tr("upd_nothing_to_show"))
    cfg = current.config
    try:
        open_file(card_file(cfg.content_folder, edit.file), edit.line, cfg.editor_command)
    except EditorError as exc:
        raise UserMessage(current.tr("editor_failed", error=str(exc))) from None


# ---- automatic updates ---------------------------------------------------------------------------


def poll() -> None:
    """One look at the build folder (QTimer): start an update when a build the collection lacks appeared."""
    global _seen
    from aqt import mw
    from aqt.operations import QueryOp

    cfg = current.config
    if not cfg.auto_update or not cfg.build_folder or mw is None or mw.col is None or _running:
        return
    if _watcher is not None and not _watcher.directories() and os.path.isdir(cfg.build_folder):
        _watcher.addPath(cfg.build_folder)  # the folder was created (or re-created) since: watch it now
    found = newest_build(cfg.build_folder)
    if found is not None and _watcher is not None and found.path not in _watcher.files():
        _watcher.addPath(found.path)  # a build rewritten in place (a copy over it) changes no folder entry
    if found is None or found.signature == _seen:
        return
    age = time.time() - found.mtime_ns / 1e9
    if age < SETTLE_SECONDS and not is_whole(found.path):
        look_soon(int((SETTLE_SECONDS - age) * 1000) + 20)
        return
    _seen = found.signature

    def check(col: Collection) -> bool:
        return has_news(col, read_bundle(found.path))

    def checked(news: bool) -> None:
        if news:
            start_update(found.path, automatic=True)

    QueryOp(parent=mw, op=check, success=guard("what_update", checked)).failure(
        lambda exc: report("what_update", exc)
    ).run_in_background()


def look_soon(delay_ms: int = WATCH_DELAY_MS) -> None:
    """One look at the build folder shortly (coalesced: many changes in a burst give one look)."""
    global _soon
    from aqt.qt import QTimer

    if _soon:
        return
    _soon = True

    def fire() -> None:
        global _soon
        _soon = False
        poll()

    QTimer.singleShot(delay_ms, guard("what_update", fire))


def _apply_timer() -> None:
    cfg = current.config
    if _timer is None:
        return
    watching = cfg.auto_update and bool(cfg.build_folder)
    if watching:
        _timer.start(cfg.poll_seconds * 1000)
    else:
        _timer.stop()
    if _watcher is not None:
        _unwatch()
        if watching and os.path.isdir(cfg.build_folder):
            _watcher.addPath(cfg.build_folder)


def _on_profile_did_open() -> None:
    global _seen
    _seen = None
    _apply_timer()
    if current.config.auto_update:
        look_soon()  # a build made while Anki was closed is imported now, not at the first poll
    from aqt import mw
    from aqt.operations import QueryOp

    from ..ops.update_op import trash_superseded_everywhere

    # media hygiene in the background: superseded kbdeck files (left by plain imports) go to the trash
    QueryOp(parent=mw, op=trash_superseded_everywhere, success=lambda _: None).run_in_background()


def _on_profile_will_close() -> None:
    if _timer is not None:
        _timer.stop()
    _unwatch()


def _unwatch() -> None:
    if _watcher is not None and (_watcher.directories() or _watcher.files()):
        _watcher.removePaths(_watcher.directories() + _watcher.files())


def init_updater() -> None:
    global _timer, _watcher
    from aqt import gui_hooks, mw
    from aqt.qt import QAction, QFileSystemWatcher, QTimer, qconnect

    assert mw is not None
    action = QAction(current.tr("menu_update"), mw)
    run = guard("what_update", update_now)
    qconnect(action.triggered, lambda _checked=False: run())
    mw.form.menuTools.addAction(action)
    _timer = QTimer(mw)
    qconnect(_timer.timeout, guard("what_update", poll))
    _watcher = QFileSystemWatcher(mw)
    qconnect(_watcher.directoryChanged, lambda _path: guard("what_update", look_soon)())
    qconnect(_watcher.fileChanged, lambda _path: guard("what_update", look_soon)())
    current.config_listeners.append(_apply_timer)
    gui_hooks.profile_did_open.append(guard("what_update", _on_profile_did_open))
    gui_hooks.profile_will_close.append(guard("what_update", _on_profile_will_close))
    _apply_timer()

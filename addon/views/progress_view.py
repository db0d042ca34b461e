"""The full progress view: Tools → kbdeck progress (and a shortcut), a dialog with a web view.

One non-modal dialog at a time. It shows the service's last report at once (or a "computing…"
page) and asks for a fresh one; every new report is swapped into the page in place, keeping
scroll position and open sections. Light/dark switching is handled by AnkiWebView itself
(our CSS only uses Anki's theme variables), so a theme change needs no re-render.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..data.report import Report
from ..errors import guard
from ..ops.service import service
from ..runtime import current
from .markup import esc
from .render_view import VIEW_ID, render_view

if TYPE_CHECKING:
    from aqt.qt import QAction

    from .dialog import ProgressDialog

_dialog: ProgressDialog | None = None
_action: QAction | None = None


def is_open() -> bool:
    return _dialog is not None and _dialog.isVisible()


def dialog() -> ProgressDialog | None:
    """The open dialog (tests use it)."""
    return _dialog


def view_html(report: Report | None) -> str:
    tr = current.tr
    if report is None:
        computing = esc(tr("computing"))
        return f'<div id="{VIEW_ID}" class="kbdeck kb-view kb-loading"><p class="kb-dim">{computing}</p></div>'
    cfg = current.config
    return render_view(report, tr, retention_days=cfg.retention_days, study_deck=cfg.study_deck_name)


def open_view() -> None:
    """Show (or raise) the progress dialog and refresh its numbers."""
    global _dialog
    from .dialog import ProgressDialog

    if _dialog is None:
        _dialog = ProgressDialog(view_html(service.report), current.tr("view_title"), on_closed=_on_closed)
    _dialog.show()
    _dialog.raise_()
    _dialog.activateWindow()
    service.request(force=True)


def _on_closed() -> None:
    global _dialog
    _dialog = None


def on_report(report: Report) -> None:
    if _dialog is not None:
        _dialog.update_body(VIEW_ID, view_html(report))


def _apply_shortcut() -> None:
    if _action is not None:
        from aqt.qt import QKeySequence

        _action.setShortcut(QKeySequence(current.config.shortcut))


def init_progress_view() -> None:
    global _action
    from aqt import mw
    from aqt.qt import QAction, qconnect

    assert mw is not None
    _action = QAction(current.tr("menu_progress"), mw)
    open_guarded = guard("what_view", open_view)
    qconnect(_action.triggered, lambda _checked=False: open_guarded())
    mw.form.menuTools.addAction(_action)
    _apply_shortcut()
    current.config_listeners.append(_apply_shortcut)
    service.listen(on_report)
    service.watchers.append(is_open)

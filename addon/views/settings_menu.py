"""Where the settings dialog opens from: Tools → kbdeck settings and Tools → Add-ons → kbdeck → Config.

One dialog at a time, closed unsaved when the profile closes; config.md (the JSON editor's help)
is shown in the user's language where Anki lets an add-on choose it.
"""

from __future__ import annotations

from pathlib import Path

from aqt.qt import QAction, qconnect

from ..errors import guard
from ..runtime import current
from .settings_checks import config_help
from .settings_dialog import SettingsDialog

_dialog: SettingsDialog | None = None
_action: QAction | None = None


def dialog() -> SettingsDialog | None:
    """The open dialog (tests use it)."""
    return _dialog


def open_settings() -> bool:
    """Show (or raise) the settings dialog with the current config."""
    global _dialog
    if _dialog is None:
        _dialog = SettingsDialog(current.config)
        qconnect(_dialog.finished, lambda _r: _forget())
    _dialog.show()
    _dialog.raise_()
    _dialog.activateWindow()
    return True


def _forget() -> None:
    global _dialog
    _dialog = None


def _config_action() -> bool:
    """Tools → Add-ons → Config: our dialog; if it cannot open, False lets Anki show its JSON editor."""
    return bool(guard("what_settings", open_settings)())


def _config_help() -> str:
    from aqt import mw

    assert mw is not None
    path = Path(mw.addonManager.addonsFolder(current.module)) / "config.md"
    try:
        return config_help(path.read_text(encoding="utf-8"), current.tr.lang)
    except OSError:  # Anki shows the editor without help rather than an error
        return ""


def _close() -> None:
    """Anki is closing the profile: the dialog goes, unsaved (as Cancel)."""
    if _dialog is not None:
        _dialog.reject()


def _retitle() -> None:
    if _action is not None:
        _action.setText(current.tr("menu_settings"))


def init_settings() -> None:
    """The Config button of the add-on, Tools → kbdeck settings, and config.md in the user's language."""
    global _action
    from aqt import gui_hooks, mw

    assert mw is not None
    mw.addonManager.setConfigAction(__name__, _config_action)
    set_help = getattr(mw.addonManager, "set_config_help_action", None)  # not in every supported Anki
    if set_help is not None:
        set_help(__name__, _config_help)
    _action = QAction(current.tr("menu_settings"), mw)
    _action.setMenuRole(QAction.MenuRole.NoRole)  # macOS would move a "settings" entry to the app menu
    open_guarded = guard("what_settings", open_settings)
    qconnect(_action.triggered, lambda _checked=False: open_guarded())
    mw.form.menuTools.addAction(_action)
    current.config_listeners.append(_retitle)
    gui_hooks.profile_will_close.append(guard("what_settings", _close))

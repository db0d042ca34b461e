"""The settings session: Tools → Add-ons → kbdeck → Config and Tools → kbdeck settings open the dialog.

A fresh profile. The dialog is opened the way Anki's Config button does it (the real Add-ons
dialog, its button clicked), folders are picked through "Choose…" (the native folder dialog is
replaced by a scripted answer: offscreen nothing can click it), the editor Test runs a fake
`code` on PATH that records its argv, and OK saves. Then Esc, the window's close button and
Cancel save nothing, an invalid value is refused, Restore defaults and Edit as JSON… work, and
the dialog is shot in English light, English dark and (chosen in the dialog) Portuguese.
"""

from __future__ import annotations

import importlib
import json
import time
from collections.abc import Generator
from pathlib import Path
from typing import Any

from . import checked, shot, sleep, until


def read_json(path: Path) -> Any:
    """The JSON in `path`, or None while it is missing or half written."""
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def scenario(settings: dict[str, Any], r: dict[str, Any]) -> Generator[Any, Any, None]:
    import aqt
    from aqt import mw
    from aqt.addons import ConfigEditor
    from aqt.qt import QApplication, QDialogButtonBox, QEvent, QFileDialog, QKeyEvent, Qt
    from aqt.theme import Theme

    assert mw is not None
    pkg = settings.get("package", "kbdeck")
    runtime = importlib.import_module(f"{pkg}.runtime")
    sd = importlib.import_module(f"{pkg}.views.settings_menu")
    shots = settings["screenshots"]
    kb, builds, empty = Path(settings["kb"]), settings["builds"], settings["empty"]
    content = str(kb / "content")
    editor_log = Path(settings["editor_log"])
    started = time.monotonic()
    r["screens"] = []
    r["scrolls"] = {}

    def log(step: str) -> None:
        r["steps"].append({"step": step, "t": round(time.monotonic() - started, 2)})

    def saved() -> dict[str, Any]:
        return dict(mw.addonManager.getConfig(pkg) or {})

    def is_open() -> Any:
        d = sd.dialog()
        return d if d is not None and d.isVisible() else None

    def closed() -> bool:
        return sd.dialog() is None

    def picture(d: Any, name: str) -> Generator[Any, Any, None]:
        yield sleep(300)  # offscreen, a new window's own first geometry lands late: fit after it
        d.fit(limit=2000)  # the whole dialog in the picture (the offscreen screen is small)
        yield sleep(100)
        r["scrolls"][name] = d.body.height() > d.body.parentWidget().height()  # something hidden below?
        r["screens"].append((yield shot(d, shots, name)))

    def button(d: Any, which: Any) -> Any:
        return d.buttons.button(which)

    Ok, Cancel = QDialogButtonBox.StandardButton.Ok, QDialogButtonBox.StandardButton.Cancel
    tools = {a.text(): a for a in mw.form.menuTools.actions()}
    menu = tools["kbdeck settings"]

    # 1. Tools → Add-ons, select kbdeck, Config: our dialog, not Anki's JSON editor.
    addons = aqt.dialogs.open("AddonsDialog", mw.addonManager)
    addons.form.addonList.setCurrentRow(next(i for i, a in enumerate(addons.addons) if a.dir_name == pkg))
    r["config_button_enabled"] = addons.form.config.isEnabled()
    addons.form.config.click()
    dlg = checked((yield until(is_open, what="settings from the Config button")))
    r["from_config"] = {
        "title": dlg.windowTitle(),
        "values": dlg.values(),
        "json_editors": sum(isinstance(w, ConfigEditor) for w in QApplication.topLevelWidgets() if w.isVisible()),
        "helps": {name: label.text() for name, label in dlg.helps.items()},
        "tooltips": {name: widget.toolTip() for name, widget in dlg.inputs.items()},
        "ranges": {n: [w.minimum(), w.maximum()] for n, w in dlg.inputs.items() if hasattr(w, "maximum")},
    }
    addons.reject()
    r["help_en"] = mw.addonManager.addonConfigHelp(pkg)
    log("opened from the Config button")

    # 2. Choose… asks for a folder (scripted answers: a repository root, a cancel, the content folder).
    answers: list[str] = []
    asked: list[list[str]] = []

    def choose(parent: Any, caption: str, start: str, *rest: Any) -> str:
        asked.append([caption, start, str(parent is dlg)])
        return answers.pop(0)

    def pick(name: str, answer: str) -> str:
        answers.append(answer)
        dlg.choose[name].click()
        hint = dlg.hints[name]
        return hint.text() if hint.isVisibleTo(dlg) else ""

    original = QFileDialog.getExistingDirectory
    QFileDialog.getExistingDirectory = choose
    try:
        r["hints"] = {
            "content_root": pick("content_folder", str(kb)),
            "content_cancel": pick("content_folder", ""),
            "content_empty": pick("content_folder", empty),
            "content_ok": pick("content_folder", content),
            "build_empty": pick("build_folder", empty),
            "build_ok": pick("build_folder", builds),
        }
    finally:
        QFileDialog.getExistingDirectory = original
    r["asked"] = asked
    r["picked"] = {name: dlg.inputs[name].text() for name in ("content_folder", "build_folder")}
    dlg.inputs["build_folder"].setText(str(kb / "nowhere"))
    r["hints"]["build_missing"] = dlg.hints["build_folder"].text()
    dlg.inputs["build_folder"].setText(builds)
    log("folders")

    # 3. Test: the fake `code` gets the content folder's first note at line 1; then a sample file; then a typo.
    def run_test() -> Generator[Any, Any, Any]:
        editor_log.unlink(missing_ok=True)
        dlg.test_button.click()
        return checked((yield until(lambda: read_json(editor_log), what="the editor command")))

    dlg.inputs["editor_command"].setText("code --goto {path}:{line}")
    r["test_argv"] = yield from run_test()
    r["test_label"] = dlg.test_result.text()
    dlg.inputs["content_folder"].setText("")
    r["sample_argv"] = yield from run_test()
    r["sample_label"] = dlg.test_result.text()
    r["sample_text"] = Path(r["sample_argv"][-1].rsplit(":", 1)[0]).read_text()
    dlg.inputs["editor_command"].setText("kbdeck-no-such-editor {path}")
    dlg.test_button.click()
    r["test_error"] = dlg.test_result.text()
    dlg.inputs["content_folder"].setText(content)
    dlg.inputs["editor_command"].setText("code --goto {path}:{line}")
    r["test_argv_again"] = yield from run_test()
    log("editor test")

    # 4. Every other setting, then OK: saved in Anki's config and applied at once.
    filled = {
        "shortcut": "Ctrl+Alt+K",
        "study_deck_name": "My study",
        "mock_deck_name": "My mocks",
        "retention_days": 60,
        "chart_days": 14,
        "study_limit": 250,
        "max_age_seconds": 600,
        "poll_seconds": 3600,  # auto_update on, but no poll within this session
        "auto_update": True,
        "move_cards": False,
        "show_panel": True,
    }
    for name, value in filled.items():
        widget = dlg.inputs[name]
        if isinstance(value, bool):
            widget.setChecked(value)
        elif isinstance(value, int):
            widget.setValue(value)
        else:
            widget.setText(value)
    r["filled"] = dlg.values()
    yield from picture(dlg, "settings-light.png")
    button(dlg, Ok).click()
    checked((yield until(closed, what="closed by OK")))
    r["saved"] = saved()
    r["runtime"] = {k: getattr(runtime.current.config, k) for k in r["saved"]}
    r["progress_shortcut"] = tools["kbdeck progress"].shortcut().toString()
    log("saved")

    # 5. Tools → kbdeck settings shows the saved values; Esc, the close button and Cancel save nothing.
    def reopen() -> Generator[Any, Any, Any]:
        menu.trigger()
        return checked((yield until(is_open, what="settings from the Tools menu")))

    dlg = yield from reopen()
    r["reopened"] = dlg.values()
    edit = dlg.inputs["study_deck_name"]
    edit.setText("Changed by Esc")
    edit.setFocus()
    QApplication.sendEvent(edit, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Escape, Qt.KeyboardModifier.NoModifier))
    checked((yield until(closed, what="closed by Esc")))
    r["after_esc"] = saved()
    dlg = yield from reopen()
    dlg.inputs["chart_days"].setValue(100)
    dlg.close()
    checked((yield until(closed, what="closed by its window")))
    r["after_close"] = saved()
    dlg = yield from reopen()
    dlg.inputs["move_cards"].setChecked(True)
    button(dlg, Cancel).click()
    checked((yield until(closed, what="closed by Cancel")))
    r["after_cancel"] = saved()
    log("nothing saved")

    # 6. Invalid values: the reasons are shown, nothing is saved, the dialog stays open.
    dlg = yield from reopen()
    dlg.inputs["shortcut"].setText("")
    dlg.inputs["mock_deck_name"].setText("   ")
    button(dlg, Ok).click()
    yield sleep(200)
    focus = QApplication.focusWidget()
    r["invalid"] = {
        "open": dlg.isVisible() and sd.dialog() is dlg,
        "error": dlg.error.text() if dlg.error.isVisibleTo(dlg) else "",
        "focus": focus.objectName() if focus is not None else "",
    }
    r["after_invalid"] = saved()
    button(dlg, QDialogButtonBox.StandardButton.RestoreDefaults).click()
    r["restored"] = dlg.values()
    r["restored_error_hidden"] = not dlg.error.isVisibleTo(dlg)
    r["after_restore"] = saved()
    dlg.json_button.click()
    editor = checked((yield until(lambda: next(iter(dlg.findChildren(ConfigEditor)), None), what="JSON editor")))
    r["json_editor"] = {"config": json.loads(editor.form.editor.toPlainText()), "title": editor.windowTitle()}
    editor.reject()
    button(dlg, Cancel).click()
    checked((yield until(closed, what="closed after the JSON editor")))
    r["after_json"] = saved()
    log("invalid, defaults, JSON")

    # 7. Dark mode: a folder without builds (a warning) and a failing test (an error) must stay readable.
    mw.set_theme(Theme.DARK)
    dlg = yield from reopen()
    dlg.inputs["build_folder"].setText(empty)
    dlg.inputs["editor_command"].setText("kbdeck-no-such-editor {path}")
    dlg.test_button.click()
    r["dark"] = {"build_hint": dlg.hints["build_folder"].text(), "test": dlg.test_result.text()}
    yield from picture(dlg, "settings-dark.png")
    button(dlg, Cancel).click()
    checked((yield until(closed, what="dark dialog closed")))
    mw.set_theme(Theme.LIGHT)
    log("dark")

    # 8. Português chosen in the dialog: it is translated at once, then the menu and the help follow.
    dlg = yield from reopen()
    combo = dlg.inputs["language"]
    combo.setCurrentIndex(combo.findData("pt-BR"))
    r["live_title"] = dlg.windowTitle()
    button(dlg, Ok).click()
    checked((yield until(closed, what="closed by OK (pt-BR)")))
    r["menu_pt"] = menu.text()
    r["help_pt"] = mw.addonManager.addonConfigHelp(pkg)
    dlg = yield from reopen()
    r["test_argv_pt"] = yield from run_test()
    r["pt"] = {
        "title": dlg.windowTitle(),
        "boxes": [box.title() for _, box in dlg.boxes],
        "ok": button(dlg, Ok).text(),
        "cancel": button(dlg, Cancel).text(),
        "test": dlg.test_result.text(),
        "labels": {name: label.text() for name, label in dlg.labels.items()},
    }
    yield from picture(dlg, "settings-pt-BR.png")
    button(dlg, Cancel).click()
    checked((yield until(closed, what="pt-BR dialog closed")))
    r["final"] = saved()
    log("pt-BR")
    yield sleep(200)

"""Tools → kbdeck settings (also Tools → Add-ons → kbdeck → Config): every setting in one small dialog.

The dialog edits a copy of `Config`. Only OK writes, through `runtime.save_config`, and only once
`parse_config` accepts every value; a rejected value is named in the dialog and nothing is saved.
Cancel, Esc and closing the window save nothing. Folder hints look at the disk and the editor
Test runs `editor.open_file`, the same path as "Open in editor" (both in settings_checks.py, Qt-free);
neither ever raises into Anki. Anki's JSON editor stays one click away ("Edit as JSON…").
"""

from __future__ import annotations

from dataclasses import asdict, fields
from pathlib import Path
from typing import Any, cast

from aqt.qt import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    Qt,
    QVBoxLayout,
    QWidget,
    qconnect,
)

from ..data.config import _LIMITS, DEFAULTS, LANGUAGES, OPTIONAL_TEXT, Config
from ..data.i18n import Translator, translator
from ..errors import guard
from ..runtime import current, save_config
from .settings_checks import Hint, folder_hint, run_editor_test, validate

SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("set_sec_general", ("language", "shortcut", "show_panel")),
    ("set_sec_kb", ("content_folder", "editor_command")),
    ("set_sec_updates", ("build_folder", "auto_update", "poll_seconds", "move_cards")),
    (
        "set_sec_study",
        ("retention_days", "chart_days", "max_age_seconds", "study_deck_name", "study_limit", "mock_deck_name"),
    ),
)
"""Every field of `Config` once, in the order shown (a test checks it)."""
FOLDERS = ("content_folder", "build_folder")
LANGUAGE_KEYS = {"auto": "set_language_auto", "en": "set_language_en", "pt-BR": "set_language_pt_br"}

# ---- the dialog ------------------------------------------------------------------------------


class SettingsDialog(QDialog):
    """One non-modal dialog with a widget per setting; `values()` is what OK would save."""

    geometry_key = "kbdeck-settings"

    def __init__(self, config: Config, parent: QWidget | None = None) -> None:
        from aqt import mw
        from aqt.utils import restoreGeom

        super().__init__(parent or mw)
        self.setWindowFlag(Qt.WindowType.WindowContextHelpButtonHint, False)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.mgr = mw.addonManager if mw is not None else None  # what Anki's ConfigEditor reads from its parent
        self.inputs: dict[str, QWidget] = {}
        self.labels: dict[str, QLabel] = {}
        self.helps: dict[str, QLabel] = {}
        self.hints: dict[str, QLabel] = {}
        self.boxes: list[tuple[str, QGroupBox]] = []
        self.choose: dict[str, QPushButton] = {}
        self.test_button = QPushButton()
        self.test_result = self._small()
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.hide()
        self.json_button = QPushButton()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.RestoreDefaults
        )
        self._build()
        self.load(config)
        self.resize(760, 700)
        self.fit()
        restoreGeom(self, self.geometry_key)  # a size the user chose wins

    # -- building ------------------------------------------------------------------------------

    def _small(self) -> QLabel:
        label = QLabel()
        label.setWordWrap(True)
        font = label.font()
        font.setPointSizeF(font.pointSizeF() * 0.9)
        label.setFont(font)
        return label

    def _build(self) -> None:
        body = QWidget()
        column = QVBoxLayout(body)
        for section, names in SECTIONS:
            box = QGroupBox()
            form = QFormLayout(box)
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
            column.addWidget(box)
            self.boxes.append((section, box))
            for name in names:
                self._add_row(form, name)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        self.body = body
        bottom = QHBoxLayout()
        bottom.addWidget(self.json_button)
        bottom.addStretch(1)
        bottom.addWidget(self.buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.error)
        layout.addLayout(bottom)
        qconnect(self.buttons.accepted, self.accept)
        qconnect(self.buttons.rejected, self.reject)
        restore = self.buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults)
        assert restore is not None
        for clicked, action in (
            (restore.clicked, self.restore_defaults),
            (self.json_button.clicked, self.edit_json),
            (self.test_button.clicked, self.try_editor),
        ):
            guarded = guard("what_settings", action)
            qconnect(clicked, lambda _checked=False, run=guarded: run())
        self._paint()

    def _add_row(self, form: QFormLayout, name: str) -> None:
        default = getattr(DEFAULTS, name)
        widget: QWidget
        if name == "language":
            combo = QComboBox()
            for code in LANGUAGES:
                combo.addItem(code, code)
            qconnect(combo.currentIndexChanged, lambda _i: self.retranslate())
            widget = combo
        elif isinstance(default, bool):
            widget = QCheckBox()
        elif isinstance(default, int):
            spin = QSpinBox()
            spin.setRange(*_LIMITS[name])
            spin.setGroupSeparatorShown(False)
            spin.setMinimumWidth(110)  # one width for all, whatever their number of digits
            widget = spin
        else:
            edit = QLineEdit()
            edit.setMaxLength(1000 if name in OPTIONAL_TEXT else 100)
            if name in FOLDERS:
                qconnect(edit.textChanged, lambda _t: self.refresh_hints())
            widget = edit
        widget.setObjectName(name)
        self.inputs[name] = widget
        line = QHBoxLayout()
        line.addWidget(widget, 0 if isinstance(widget, (QSpinBox, QComboBox)) else 1)
        if name in FOLDERS:
            button = self.choose[name] = QPushButton()
            choose = guard("what_settings", self.choose_folder)
            qconnect(button.clicked, lambda _c=False, n=name: choose(n))
            line.addWidget(button)
        elif name == "editor_command":
            line.addWidget(self.test_button)
        if isinstance(widget, (QSpinBox, QComboBox)):
            line.addStretch(1)
        cell = QVBoxLayout()
        cell.setSpacing(2)
        cell.addLayout(line)
        help_label = self.helps[name] = self._small()
        cell.addWidget(help_label)
        if name in FOLDERS:
            hint = self.hints[name] = self._small()
            cell.addWidget(hint)
        elif name == "editor_command":
            self.test_result.hide()
            cell.addWidget(self.test_result)
        label = self.labels[name] = QLabel()
        label.setBuddy(widget)
        form.addRow(label, cell)

    def _paint(self) -> None:
        """Colours of the small labels, from Anki's theme (light or dark)."""
        from aqt import colors
        from aqt.theme import theme_manager

        subtle = theme_manager.var(colors.FG_SUBTLE)
        for label in self.helps.values():
            label.setStyleSheet(f"color: {subtle}")
        self.error.setStyleSheet(f"color: {theme_manager.var(colors.ACCENT_DANGER)}")
        self._colors = {
            True: theme_manager.var(colors.STATE_REVIEW),
            False: theme_manager.var(colors.FG),
        }

    def _show_hint(self, label: QLabel, hint: Hint | None, *, error: bool = False) -> None:
        from aqt import colors
        from aqt.theme import theme_manager

        if hint is None:
            label.hide()
            return
        color = theme_manager.var(colors.ACCENT_DANGER) if error else self._colors[hint.ok]
        label.setStyleSheet(f"color: {color}")
        label.setText(hint.text if hint.ok or error else f"⚠ {hint.text}")
        label.show()

    # -- state ---------------------------------------------------------------------------------

    @property
    def lang(self) -> Translator:
        """The language chosen in the dialog (it retranslates itself when that changes)."""
        return translator(str(self.values()["language"]))

    def values(self) -> dict[str, Any]:
        """What the widgets hold now, one entry per setting."""
        out: dict[str, Any] = {}
        for name, widget in self.inputs.items():
            if isinstance(widget, QCheckBox):
                out[name] = widget.isChecked()
            elif isinstance(widget, QSpinBox):
                out[name] = widget.value()
            elif isinstance(widget, QComboBox):
                out[name] = widget.currentData()
            else:
                out[name] = cast(QLineEdit, widget).text()
        return out

    def load(self, config: Config) -> None:
        """Show `config` in the widgets (nothing is saved)."""
        for f in fields(Config):
            widget, value = self.inputs[f.name], getattr(config, f.name)
            if isinstance(widget, QCheckBox):
                widget.setChecked(bool(value))
            elif isinstance(widget, QSpinBox):
                widget.setValue(int(value))
            elif isinstance(widget, QComboBox):
                widget.setCurrentIndex(max(widget.findData(value), 0))
            else:
                cast(QLineEdit, widget).setText(str(value))
        self.test_result.hide()
        self.error.hide()
        self.retranslate()

    def retranslate(self) -> None:
        tr = self.lang
        self.setWindowTitle(tr("set_title"))
        for section, box in self.boxes:
            box.setTitle(tr(section))
        for name, label in self.labels.items():
            widget = self.inputs[name]
            text = tr(f"set_{name}")
            help_text = tr(f"set_{name}_help", path="{path}", line="{line}")
            if isinstance(widget, QCheckBox):
                widget.setText(text)
                label.setText("")
            else:
                label.setText(text)
            self.helps[name].setText(help_text)
            for item in (label, widget):
                item.setToolTip(help_text)
        combo = cast(QComboBox, self.inputs["language"])
        for index, code in enumerate(LANGUAGES):
            combo.setItemText(index, tr(LANGUAGE_KEYS[code]))
        for name, button in self.choose.items():
            button.setText(tr("set_choose"))
            button.setToolTip(tr(f"set_choose_{name}"))
        self.test_button.setText(tr("set_test"))
        self.test_button.setToolTip(tr("set_test_help"))
        self.json_button.setText(tr("set_json"))
        self.json_button.setToolTip(tr("set_json_help"))
        standard = QDialogButtonBox.StandardButton
        for role, key in (
            (standard.Ok, "set_ok"),
            (standard.Cancel, "set_cancel"),
            (standard.RestoreDefaults, "set_restore"),
        ):
            if (box_button := self.buttons.button(role)) is not None:
                box_button.setText(tr(key))
        width = max(label.sizeHint().width() for label in self.labels.values())
        for label in self.labels.values():  # one label column across the boxes
            label.setMinimumWidth(width)
        self.refresh_hints()

    def fit(self, limit: int | None = None) -> None:
        """As tall as the content at the current width (nothing to scroll), up to `limit` (the screen)."""
        if limit is None:
            screen = self.screen()
            limit = screen.availableGeometry().height() - 80 if screen is not None else 800
        layout = self.body.layout()
        if layout is not None:
            layout.activate()  # texts just changed (hints, the test's outcome) count too
        width = self.width() - 40
        body = layout.heightForWidth(width) if layout is not None and layout.hasHeightForWidth() else -1
        wanted = (body if body > 0 else self.body.sizeHint().height()) + self.buttons.sizeHint().height() + 40
        self.resize(self.width(), min(wanted, limit))

    def refresh_hints(self) -> None:
        values, tr = self.values(), self.lang
        for name, label in self.hints.items():
            self._show_hint(label, folder_hint(name, str(values[name]), tr))

    # -- actions -------------------------------------------------------------------------------

    def choose_folder(self, name: str) -> None:
        edit = cast(QLineEdit, self.inputs[name])
        start = str(Path(edit.text().strip()).expanduser()) if edit.text().strip() else str(Path.home())
        chosen = QFileDialog.getExistingDirectory(self, self.lang(f"set_choose_{name}"), start)
        if chosen:
            edit.setText(chosen)

    def try_editor(self) -> None:
        values = self.values()
        hint = run_editor_test(str(values["content_folder"]), str(values["editor_command"]), self.lang)
        self._show_hint(self.test_result, hint, error=not hint.ok)

    def restore_defaults(self) -> None:
        self.load(DEFAULTS)

    def edit_json(self) -> None:
        """Anki's own JSON editor (with config.md beside it); what it saves is shown here afterwards."""
        from aqt import mw
        from aqt.addons import ConfigEditor

        assert mw is not None
        raw = mw.addonManager.getConfig(current.module) or {}
        editor = ConfigEditor(cast(Any, self), current.module, raw)  # it reads `mgr` off its parent
        reload = guard("what_settings", self.load)
        qconnect(editor.accepted, lambda: reload(current.config))

    def accept(self) -> None:
        if guard("what_settings", self._save)():
            super().accept()

    def _save(self) -> bool:
        config, problems = validate(self.values(), self.lang)
        if problems:
            self.error.setText("\n".join(message for _, message in problems))
            self.error.show()
            self.inputs[problems[0][0]].setFocus()
            return False
        self.error.hide()
        save_config(**asdict(config))
        return True

    def done(self, result: int) -> None:
        from aqt.utils import saveGeom

        saveGeom(self, self.geometry_key)
        super().done(result)

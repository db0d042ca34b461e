"""A question with a few answers that never blocks Anki: a message box shown with `open()`, not `exec()`.

Anki keeps running while it is up (the mock's clock ticks, background ops finish), and the
answer arrives as a callback. Esc and the window's close button give the last answer, which
callers make the harmless one ("Keep going", "Later"). Open questions are kept by name, one per
name, so asking twice raises the first instead of stacking boxes, and tests can answer them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ..errors import guard

if TYPE_CHECKING:
    from aqt.qt import QMessageBox, QWidget

Answer = tuple[str, Callable[[], None] | None]
_open: dict[str, QMessageBox] = {}


def ask(title: str, text: str, answers: Sequence[Answer], *, name: str, parent: QWidget | None = None) -> None:
    """Show `text` with one button per answer (the first is the default, the last is Esc's)."""
    from aqt import mw
    from aqt.qt import QMessageBox, Qt

    if name in _open:
        _open[name].raise_()
        _open[name].activateWindow()
        return
    box = QMessageBox(parent or mw)
    box.setObjectName(name)
    box.setWindowTitle(title)
    box.setText(text)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowModality(Qt.WindowModality.WindowModal if parent else Qt.WindowModality.NonModal)
    buttons = []
    for i, (label, _) in enumerate(answers):
        role = QMessageBox.ButtonRole.RejectRole if i == len(answers) - 1 else QMessageBox.ButtonRole.AcceptRole
        buttons.append(box.addButton(label, role))
    box.setDefaultButton(buttons[0])
    box.setEscapeButton(buttons[-1])

    def done(_result: int) -> None:
        _open.pop(name, None)
        clicked = box.clickedButton()
        index = buttons.index(clicked) if clicked in buttons else len(answers) - 1
        callback = answers[index][1]
        if callback is not None:
            guard("what_mock", callback)()

    box.finished.connect(done)
    _open[name] = box
    box.open()


def shown(name: str) -> QMessageBox | None:
    """The open question called `name` (tests use it)."""
    return _open.get(name)


def answer(name: str, label: str) -> bool:
    """Click the answer `label` of the open question `name` (tests use it); False when there is none."""
    box = _open.get(name)
    if box is None:
        return False
    for button in box.buttons():
        if button.text() == label:
            button.click()
            return True
    return False


def clicked_slot(action: Callable[[], None]) -> Callable[[bool], None]:
    """A button's `clicked(bool)` slot running `action` guarded (an error becomes a message, never a crash)."""
    guarded = guard("what_mock", action)

    def slot(_checked: bool = False) -> None:
        guarded()

    return slot

"""Qt dialogs hosting an AnkiWebView: the progress view and the note viewer.

Both load our CSS/JS from the add-on's web exports, route bridge messages through the same
`kbdeck:` handler (bridge.py, via Anki's webview_did_receive_js_message hook), remember their
geometry and clean the web view up when closed. Only this module creates Qt widgets.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from aqt import mw
from aqt.qt import QCloseEvent, QDialog, Qt, QVBoxLayout, QWidget, qconnect
from aqt.utils import restoreGeom, saveGeom
from aqt.webview import AnkiWebView

from ..errors import guard
from ..runtime import current

_PAGE_STYLE = "<style>body { margin: 0; } html { background: var(--canvas); }</style>"


def mathjax_scripts(web: str) -> list[str]:
    """The reviewer's MathJax, as Anki's card previewer loads it: Anki's configuration (`js/mathjax.js`, the
    `\\(…\\)` and `\\[…\\]` delimiters cards use), ours on top (`mathjax_safe.js`: no `\\href`/`\\style`, since
    the viewer shows any deck's notes), then the TeX bundle this Anki ships (`tex-chtml-full.js`;
    `tex-chtml.js` in older versions). None found: the formulas stay as written."""
    try:
        from aqt.utils import aqt_data_path

        folder = aqt_data_path() / "web" / "js" / "vendor" / "mathjax"
    except Exception:  # an Anki without the helper: formulas as written, as before
        return []
    for name in ("tex-chtml-full.js", "tex-chtml.js"):
        if (folder / name).is_file():
            return ["js/mathjax.js", f"{web}/mathjax_safe.js", f"js/vendor/mathjax/{name}"]
    return []


class WebDialog(QDialog):
    """A non-modal dialog whose whole content is one AnkiWebView."""

    geometry_key = "kbdeck-web"

    def __init__(self, title: str, *, on_closed: Callable[[], None] | None = None, parent: QWidget | None = None):
        super().__init__(parent or mw)
        self.setWindowTitle(title)
        self.setWindowFlag(Qt.WindowType.WindowContextHelpButtonHint, False)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._on_closed = on_closed
        self.web = AnkiWebView(parent=self, title=self.geometry_key)
        self.web.set_bridge_command(self._on_bridge_cmd, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.web)
        self.resize(980, 760)
        restoreGeom(self, self.geometry_key)
        qconnect(self.finished, guard("what_view", self._cleanup))

    def set_body(self, body: str, *, head: str = "", math: bool = False) -> None:
        """Load `body` with our CSS and JS; with `math`, Anki's own MathJax too (`kbdeck.js` typesets)."""
        web = current.web_base
        scripts = [*(mathjax_scripts(web) if math else []), f"{web}/kbdeck.js"]
        self.web.stdHtml(body, css=[f"{web}/kbdeck.css"], js=scripts, head=_PAGE_STYLE + head, context=self)

    def update_body(self, element_id: str, html: str) -> None:
        """Swap one element in place (keeps scroll and open sections); reload the page if it is missing."""
        script = f"window.kbdeck ? window.kbdeck.replace({json.dumps(element_id)}, {json.dumps(html)}) : false"

        def after(replaced: object) -> None:
            if replaced is not True:
                self.set_body(html)

        self.web.evalWithCallback(script, guard("what_view", after))

    def _on_bridge_cmd(self, cmd: str) -> None:
        # `kbdeck:` messages are consumed earlier by bridge.on_js_message; anything else is not ours.
        current.log.debug("ignored bridge message %r", cmd[:80])

    def closeEvent(self, event: QCloseEvent | None) -> None:
        saveGeom(self, self.geometry_key)
        super().closeEvent(event)

    def reject(self) -> None:
        saveGeom(self, self.geometry_key)
        super().reject()

    def _cleanup(self, _result: int = 0) -> None:
        self.web.cleanup()
        if self._on_closed is not None:
            self._on_closed()
            self._on_closed = None


class ProgressDialog(WebDialog):
    """The full progress view."""

    geometry_key = "kbdeck-progress"

    def __init__(self, body: str, title: str, *, on_closed: Callable[[], None] | None = None):
        super().__init__(title, on_closed=on_closed)
        self.set_body(body)


class NoteDialog(WebDialog):
    """Shows one topic note (already sanitized), scrolled to the top or to a heading."""

    geometry_key = "kbdeck-note"

    def __init__(self, *, on_closed: Callable[[], None] | None = None):
        super().__init__("kbdeck", on_closed=on_closed)
        self.resize(820, 760)
        restoreGeom(self, self.geometry_key)

    def show_note(self, title: str, body: str, css: str, anchor: str = "") -> None:
        """Show `body`, scrolled to the heading `anchor` (highlighted) or to the top."""
        self.setWindowTitle(title)
        self.set_body(body, head=f"<style>{css}</style>", math="\\(" in body or "\\[" in body)
        self.web.eval(f"window.kbdeck && window.kbdeck.showAnchor({json.dumps(anchor)});")

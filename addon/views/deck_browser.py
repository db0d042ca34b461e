"""The compact progress panel under Anki's deck list.

`deck_browser_will_render_content` must answer synchronously, so it renders the last report
(or a "computing…" placeholder) from memory; `deck_browser_did_render` then asks the service
for a fresh report in the background, and when one arrives the panel is swapped in place by
`kbdeck.replace` in web/kbdeck.js (no page reload, no scroll jump, no SQL on the UI thread).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ..data.report import Report
from ..errors import guard
from ..ops.service import service
from ..runtime import current
from .render_panel import PANEL_ID, render_panel, render_placeholder

if TYPE_CHECKING:
    from aqt.deckbrowser import DeckBrowser, DeckBrowserContent
    from aqt.webview import WebContent


def panel_html() -> str:
    report = service.report
    tr = current.tr
    if report is None:
        return render_placeholder(tr)
    return render_panel(report, tr, retention_days=current.config.retention_days)


def on_deck_browser_will_render_content(deck_browser: DeckBrowser, content: DeckBrowserContent) -> None:
    if current.config.show_panel:
        content.stats += panel_html()


def on_deck_browser_did_render(deck_browser: DeckBrowser) -> None:
    if current.config.show_panel:
        service.request()


def on_webview_will_set_content(web_content: WebContent, context: object | None) -> None:
    from aqt.deckbrowser import DeckBrowser

    if isinstance(context, DeckBrowser) and current.config.show_panel:
        web_content.css.append(f"{current.web_base}/kbdeck.css")
        web_content.js.append(f"{current.web_base}/kbdeck.js")


def on_report(report: Report) -> None:
    """Swap the fresh panel into the deck list, if the deck list is what the main window shows."""
    from aqt import mw

    if mw is None or mw.state != "deckBrowser" or not current.config.show_panel:
        return
    html = render_panel(report, current.tr, retention_days=current.config.retention_days)
    mw.web.eval(f"window.kbdeck && window.kbdeck.replace({json.dumps(PANEL_ID)}, {json.dumps(html)});")


def init_deck_browser() -> None:
    from aqt import gui_hooks

    gui_hooks.deck_browser_will_render_content.append(guard("what_progress", on_deck_browser_will_render_content))
    gui_hooks.deck_browser_did_render.append(guard("what_progress", on_deck_browser_did_render))
    gui_hooks.webview_will_set_content.append(guard("what_progress", on_webview_will_set_content))
    service.listen(on_report)

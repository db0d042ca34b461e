"""Card → note: a card's source link opens the note viewer in the reviewer, previewer and card layout.

The back template links to its heading with `<a href="{{SourceURL}}" data-kbdeck-src="{{Source}}">`:
a web link on phones and on a desktop without the add-on. With the add-on, web/card_link.js
(added to those three pages only) catches the click before Anki hands the URL to the browser
and sends `kbdeck:src:{"src": ...}`; the bridge accepts that one command from card pages and
calls `open_card_source` with the page's owner, from which we take the card's note GUID, so the
knowledge base is the one that built this card. web/card_link.css shows links that only the
add-on can follow (cards built without a `source_url`).
"""

from __future__ import annotations

from ..errors import UserMessage, guard
from ..runtime import current

SCRIPT = "card_link.js"
STYLE = "card_link.css"


def is_card_page(context: object | None) -> bool:
    """The reviewer, a previewer (the browser's included) or the card layout screen."""
    from aqt.browser.previewer import Previewer
    from aqt.clayout import CardLayout
    from aqt.reviewer import Reviewer

    return isinstance(context, Reviewer | Previewer | CardLayout)


def note_guid(context: object | None) -> str:
    """The GUID of the note whose card the page shows ("" when there is none)."""
    from aqt.browser.previewer import Previewer
    from aqt.clayout import CardLayout
    from aqt.reviewer import Reviewer

    if isinstance(context, Reviewer):
        card = context.card
        return card.note().guid if card is not None else ""
    if isinstance(context, Previewer):
        shown = context.card()
        return shown.note().guid if shown is not None else ""
    if isinstance(context, CardLayout):
        return str(context.note.guid)
    return ""


def open_card_source(context: object | None, src: str) -> None:
    """Open the note the card's link points to (the bridge has checked that `context` is a card page)."""
    from .note_viewer import open_source

    if not src.strip():
        raise UserMessage(current.tr("unknown_topic"))
    open_source(note_guid(context), src)


def on_webview_will_set_content(web_content: object, context: object | None) -> None:
    from aqt.webview import WebContent

    if isinstance(web_content, WebContent) and is_card_page(context):
        web_content.css.append(f"{current.web_base}/{STYLE}")
        web_content.js.append(f"{current.web_base}/{SCRIPT}")


def init_card_link() -> None:
    from aqt import gui_hooks

    gui_hooks.webview_will_set_content.append(guard("what_note", on_webview_will_set_content))

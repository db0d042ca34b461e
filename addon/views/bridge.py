"""The `kbdeck:` bridge protocol between our pages and Python.

Pages send `kbdeck:<command>:<json object>`; commands are whitelisted, values must be short
strings naming a knowledge base / topic / mock interview of the bundles, and only our own pages
(the deck list and our dialogs) may send them; card pages (reviewer, previewer, card layout),
whose content comes from decks, may send only `src` (open the note of the card's source link),
and which note that is gets decided in Python from the card and the bundles. Messages without
the prefix are passed on untouched, so other add-ons and Anki keep working.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from ..data.bundle import Bundle, Topic
from ..errors import UserMessage, report
from ..runtime import current

PREFIX = "kbdeck:"
COMMANDS = frozenset(
    {
        "view",
        "refresh",
        "study",
        "note",
        "edit",
        "src",
        "mock-done",
        "mock-undo",
        "mock-start",
        "mock-abandon",
        "update",
        "browse",
        "take-build",
        "edit-card",
    }
)
CARD_COMMANDS = frozenset({"src"})
"""What a card page may ask for."""
KEYS = ("kb", "topic", "mock", "anchor", "src", "what")
MAX_VALUE = 300


class BadMessage(ValueError):
    """A `kbdeck:` message that is not a valid command."""


@dataclass(frozen=True)
class Command:
    """One parsed bridge message."""

    name: str
    kb: str = ""
    topic: str = ""
    mock: str = ""
    anchor: str = ""
    src: str = ""
    """A card's `data-kbdeck-src` ("<topic>.md#<anchor>")."""
    what: str = ""
    """Which notes of the last update summary to show in the browser (or, for `take-build`, which
    edited card's text to replace with the build's: looked up in the summary Python kept)."""


def parse_message(message: str) -> Command | None:
    """None for messages that are not ours; raises BadMessage for malformed `kbdeck:` ones."""
    if not message.startswith(PREFIX):
        return None
    name, _, payload = message[len(PREFIX) :].partition(":")
    if name not in COMMANDS:
        raise BadMessage(f"unknown command {name[:40]!r}")
    try:
        data = json.loads(payload) if payload else {}
    except ValueError:
        raise BadMessage("payload is not JSON") from None
    if not isinstance(data, dict):
        raise BadMessage("payload is not an object")
    values: dict[str, str] = {}
    for key in KEYS:
        value = data.get(key, "")
        if not isinstance(value, str) or len(value) > MAX_VALUE:
            raise BadMessage(f"bad {key}")
        values[key] = value
    return Command(name, **values)


def _from_our_page(context: object | None) -> bool:
    from aqt.deckbrowser import DeckBrowser

    from .dialog import WebDialog

    return isinstance(context, DeckBrowser | WebDialog)


def _allowed(command: Command, context: object | None) -> bool:
    from .card_link import is_card_page

    if command.name in CARD_COMMANDS:
        return is_card_page(context)
    return _from_our_page(context)


def on_js_message(handled: tuple[bool, object], message: str, context: object | None) -> tuple[bool, object]:
    if not message.startswith(PREFIX):
        return handled
    try:
        command = parse_message(message)
        if command is not None and _allowed(command, context):
            dispatch(command, context)
        else:
            current.log.warning("ignored %r from %s", message[:80], type(context).__name__)
    except BadMessage as exc:  # a page (or a card's script) sent garbage: note it, bother nobody
        current.log.warning("ignored bad message %r: %s", message[:80], exc)
    except Exception as exc:  # never let a page message break Anki's bridge
        report("what_view", exc)
    return (True, None)


def dispatch(command: Command, context: object | None = None) -> None:
    from ..ops.mocks import toggle_mock
    from ..ops.service import service
    from . import card_link, note_viewer, updater
    from .mock_flow import ask_abandon, start_mock
    from .progress_view import open_view
    from .study_flow import study_topic

    name = command.name
    if name == "view":
        open_view()
    elif name == "refresh":
        service.invalidate()
        service.request(force=True)
    elif name == "study":
        study_topic(_find_topic(command.kb, command.topic))
    elif name == "note":
        note_viewer.open_note(command.kb, command.topic, command.anchor)
    elif name == "edit":
        note_viewer.edit_shown(command.kb, command.topic, command.anchor)
    elif name == "src":
        card_link.open_card_source(context, command.src)
    elif name == "mock-abandon":
        ask_abandon()
    elif name in ("mock-done", "mock-undo", "mock-start"):
        bundle = _find_bundle(command.kb)
        mock = next((m for m in bundle.mock_interviews if m.id == command.mock), None)
        if mock is None:
            raise UserMessage(current.tr("unknown_topic"))
        if name == "mock-start":
            start_mock(bundle, mock)
        else:
            toggle_mock(command.kb, command.mock, name == "mock-done")
    elif name == "update":
        updater.update_now()
    elif name == "browse":
        updater.browse_last(command.what)
    elif name == "take-build":
        updater.take_build(command.what)
    elif name == "edit-card":
        updater.edit_card(command.what)


def _find_bundle(kb_id: str) -> Bundle:
    from ..ops.service import service

    report_ = service.report
    for kb in report_.kbs if report_ else ():
        if kb.bundle.kb.id == kb_id:
            return kb.bundle
    raise UserMessage(current.tr("unknown_topic"))


def _find_topic(kb_id: str, topic_id: str) -> Topic:
    topic = _find_bundle(kb_id).topics.get(topic_id)
    if topic is None:
        raise UserMessage(current.tr("unknown_topic"))
    return topic


def init_bridge() -> None:
    from aqt import gui_hooks

    gui_hooks.webview_did_receive_js_message.append(on_js_message)

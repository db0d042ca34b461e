"""The `kbdeck:` bridge protocol between our pages and Python.

Pages send `kbdeck:<command>:<json object>`; commands are whitelisted, values must be short
strings naming a knowledge base / topic / mock interview of the current report, and only our
own pages (the deck list and our dialogs) may send them. Messages without the prefix are
passed on untouched, so other add-ons and Anki keep working.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from .bundle import Bundle, Topic
from .errors import UserMessage, report
from .runtime import current

PREFIX = "kbdeck:"
COMMANDS = frozenset({"view", "refresh", "study", "note", "mock-done", "mock-undo"})
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
    for key in ("kb", "topic", "mock"):
        value = data.get(key, "")
        if not isinstance(value, str) or len(value) > MAX_VALUE:
            raise BadMessage(f"bad {key}")
        values[key] = value
    return Command(name, **values)


def _from_our_page(context: object | None) -> bool:
    from aqt.deckbrowser import DeckBrowser

    from .dialog import WebDialog

    return isinstance(context, DeckBrowser | WebDialog)


def on_js_message(handled: tuple[bool, object], message: str, context: object | None) -> tuple[bool, object]:
    if not message.startswith(PREFIX):
        return handled
    try:
        command = parse_message(message)
        if command is not None and _from_our_page(context):
            dispatch(command)
        else:
            current.log.warning("ignored %r from %s", message[:80], type(context).__name__)
    except BadMessage as exc:  # a page (or a card's script) sent garbage: note it, bother nobody
        current.log.warning("ignored bad message %r: %s", message[:80], exc)
    except Exception as exc:  # never let a page message break Anki's bridge
        report("what_view", exc)
    return (True, None)


def dispatch(command: Command) -> None:
    from .mocks import toggle_mock
    from .note_viewer import open_note
    from .progress_view import open_view
    from .service import service
    from .study import study_topic

    if command.name == "view":
        open_view()
    elif command.name == "refresh":
        service.invalidate()
        service.request(force=True)
    elif command.name in ("study", "note"):
        topic = _find_topic(command.kb, command.topic)
        (study_topic if command.name == "study" else open_note)(topic)
    elif command.name in ("mock-done", "mock-undo"):
        bundle = _find_bundle(command.kb)
        if command.mock not in {m.id for m in bundle.mock_interviews}:
            raise UserMessage(current.tr("unknown_topic"))
        toggle_mock(command.kb, command.mock, command.name == "mock-done")


def _find_bundle(kb_id: str) -> Bundle:
    from .service import service

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

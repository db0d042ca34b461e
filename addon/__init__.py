"""kbdeck for Anki: roadmap progress of kbdeck knowledge bases (panel, full view, note viewer, card → note,
update from a build, mock interviews).

Composition root, and the only module with import-time effects: inside Anki it wires each
feature with its `init_*` function; imported anywhere else (tests, tools, a plain Python
shell) it does nothing, so the pure modules can be imported and tested without Anki running.
"""

from __future__ import annotations

import sys


def _running_in_anki() -> bool:
    """True only when Anki's main window exists (add-ons are imported after `aqt.mw` is set)."""
    aqt = sys.modules.get("aqt")
    return aqt is not None and getattr(aqt, "mw", None) is not None


def _init() -> None:
    from .ops.service import init_refresh
    from .runtime import init_runtime
    from .views.bridge import init_bridge
    from .views.card_link import init_card_link
    from .views.deck_browser import init_deck_browser
    from .views.mock_flow import init_mocks
    from .views.progress_view import init_progress_view
    from .views.settings_menu import init_settings
    from .views.updater import init_updater

    init_runtime(__name__)
    init_refresh()
    init_deck_browser()
    init_progress_view()
    init_card_link()
    init_updater()
    init_settings()
    init_bridge()
    init_mocks()


if _running_in_anki():
    try:
        _init()
    except Exception as exc:  # a broken start must not take Anki (or other add-ons) down with it
        from .errors import report

        report("what_view", exc)

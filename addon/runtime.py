"""The add-on's process-wide state inside Anki: its folder name, config, logger and translator.

Set up once by `init_runtime` from the composition root; every other module reads it through
the accessors here instead of touching `mw.addonManager` itself. Config changes made in Anki's
config editor are re-parsed here, so features always see a valid `Config`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .data.config import Config, parse_config
from .data.i18n import Translator, translator

WEB_EXPORTS = r"web/.*\.(css|js)"


@dataclass
class Runtime:
    """Everything module-level the features share."""

    module: str = "kbdeck"
    """The add-on's package name (the folder: "kbdeck" or an AnkiWeb id)."""
    config: Config = field(default_factory=Config)
    log: logging.Logger = field(default_factory=lambda: logging.getLogger("kbdeck"))
    config_listeners: list[Callable[[], None]] = field(default_factory=list)
    """Called after the user saved a new config."""

    @property
    def web_base(self) -> str:
        """URL prefix of `addon/web/` on Anki's media server."""
        return f"/_addons/{self.module}/web"

    @property
    def tr(self) -> Translator:
        """Re-evaluated on each use: Anki's language can change while running."""
        return translator(self.config.language)


current = Runtime()


def init_runtime(module: str) -> None:
    """Read the config, register the web exports and the config-changed callback."""
    from aqt import mw

    assert mw is not None
    current.module = mw.addonManager.addonFromModule(module)
    get_logger = getattr(mw.addonManager, "get_logger", None)  # Anki ≥ 24.04
    if get_logger is not None:
        current.log = get_logger(module)
    _load_config(mw.addonManager.getConfig(module))
    mw.addonManager.setWebExports(module, WEB_EXPORTS)
    mw.addonManager.setConfigUpdatedAction(module, _on_config_updated)


def _load_config(raw: dict[str, Any] | None) -> None:
    current.config, problems = parse_config(raw)
    for problem in problems:
        current.log.warning("config: %s", problem)


def _on_config_updated(raw: dict[str, Any] | None) -> None:
    _load_config(raw)
    for listener in current.config_listeners:
        try:  # one broken listener must not keep the others from the new settings
            listener()
        except Exception:
            current.log.exception("applying the new settings failed in %s", getattr(listener, "__name__", listener))


def save_config(**changes: Any) -> None:
    """Write settings to Anki's config of the add-on (as if edited by the user) and apply them."""
    from aqt import mw

    assert mw is not None
    raw = dict(mw.addonManager.getConfig(current.module) or {})
    raw.update(changes)
    mw.addonManager.writeConfig(current.module, raw)
    _on_config_updated(raw)

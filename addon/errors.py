"""The one place where the add-on's exceptions stop: logged in full, shown as one readable line.

Every hook handler, bridge command and background-op callback runs through `guard` (or calls
`report`), so no exception of ours ever reaches Anki's error dialog or breaks another add-on's
hook. Users see a short tooltip naming what failed; the traceback goes to the add-on's log
(Tools → Add-ons → kbdeck → View Files → logs/).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from .runtime import current

P = ParamSpec("P")
R = TypeVar("R")


class UserMessage(Exception):
    """An expected failure whose message is already written for the user (no traceback logged)."""


def report(what_key: str, exc: BaseException) -> None:
    """Log `exc` and tell the user, without ever raising."""
    tr = current.tr
    try:
        if isinstance(exc, UserMessage):
            current.log.info("%s: %s", what_key, exc)
            message = str(exc)
        else:
            current.log.error("%s failed", what_key, exc_info=(type(exc), exc, exc.__traceback__))
            message = tr("error", what=tr(what_key), error=str(exc)[:200] or type(exc).__name__)
        _show(message)
    except Exception:  # pragma: no cover - last resort: never let error reporting fail loudly
        pass


def _show(message: str) -> None:
    from aqt import mw
    from aqt.utils import tooltip

    if mw is not None:
        tooltip(message, period=6000, parent=mw)


def guard(what_key: str, fn: Callable[P, R]) -> Callable[P, R | None]:
    """`fn` with every exception reported (and None returned) instead of propagated."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | None:
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            report(what_key, exc)
            return None

    return wrapper

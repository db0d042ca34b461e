"""Shared fixtures: real files in tmp_path (helpers live in kbtest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from kbtest import make_content

if TYPE_CHECKING:
    from chromium import Chromium


@pytest.fixture(autouse=True)
def own_config(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private config folder: no test reads or writes the developer's own `kbdeck trust` list."""
    config = tmp_path_factory.mktemp("xdg-config")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    # compiled patterns (render/patterns.py): one cache for the session, never the developer's own
    monkeypatch.setenv("KBDECK_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "kbdeck-cache"))
    return config


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """A private copy of the sample knowledge base (tests may edit it)."""
    return make_content(tmp_path, {})


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)
    yield tmp_path


@pytest.fixture(scope="module")
def browser() -> Iterator[Chromium]:
    """Headless Chromium for a module's pages. Without it the test fails with the install command: it never
    skips. (Imported here, not at the top: most of the suite needs no browser.)"""
    from chromium import Chromium, ChromiumMissing

    try:
        instance = Chromium()
    except ChromiumMissing as exc:
        pytest.fail(str(exc), pytrace=False)
    with instance:
        yield instance

"""Helpers for the add-on tests: the add-on folder importable as the package `addon`, real builds."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
for path in (ROOT, Path(__file__).parent):  # `import addon...` and `import addon_helpers`
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))


@pytest.fixture(scope="session")
def built_deck(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped knowledge base, built from a private copy of content/ (the repository is never written).

    KBDECK_TEST_CONTENT=<dir> builds another content tree instead (e.g. while content/ is mid-edit).
    """
    from kbdeck.build import build

    tmp = tmp_path_factory.mktemp("deck")
    content = tmp / "content"
    shutil.copytree(Path(os.environ.get("KBDECK_TEST_CONTENT", ROOT / "content")), content)
    cache = ROOT / "build" / ".cache"
    if cache.is_dir():  # output cards already run by `make build`: reuse their results (keyed by code hash)
        shutil.copytree(cache, tmp / "out" / ".cache")
    result = build(content, tmp / "out")
    assert result.apkg is not None, "the content does not build:\n" + result.problems.render_text()
    return result.apkg

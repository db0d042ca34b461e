"""Helpers for the add-on tests: the add-on folder importable as the package `addon`, real builds."""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
for path in (ROOT, Path(__file__).parent):  # `import addon...` and `import addon_helpers`
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from addon_helpers import Rebuild  # noqa: E402  (importable once the paths above are set)


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


@pytest.fixture(scope="session")
def rebuilt_deck(tmp_path_factory: pytest.TempPathFactory, built_deck: Path) -> Rebuild:
    """v2 of `built_deck`: built from a copy of its content (and its ledger) where one card's answer is
    edited, one card moves to another area's flashcard file and one card is removed; stamped an hour later."""
    import yaml

    from kbdeck.build import build

    tmp = tmp_path_factory.mktemp("deck2")
    content = tmp / "content"
    shutil.copytree(built_deck.parent.parent / "content", content)
    shutil.copytree(built_deck.parent / ".cache", tmp / "out" / ".cache")
    areas = sorted(p for p in (content / "flashcards").iterdir() if p.is_dir())
    source = next(f for f in sorted(areas[0].glob("*.yaml")) if len(yaml.safe_load(f.read_text())) >= 3)
    target = sorted(areas[-1].glob("*.yaml"))[0]
    cards = yaml.safe_load(source.read_text())
    edited, moved, removed = cards[0], cards[1], cards[2]
    key = "a" if "a" in edited else ("cloze" if "cloze" in edited else "extra")
    edited[key] = f"{edited.get(key, '')}\n\nEditado na v2."
    moved.pop("see", None)
    dump = {"allow_unicode": True, "sort_keys": False, "width": 1000}
    source.write_text(yaml.safe_dump([edited, *cards[3:]], **dump))
    target.write_text(yaml.safe_dump([*yaml.safe_load(target.read_text()), moved], **dump))
    epoch = int(time.time()) + 3600
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    try:
        result = build(content, tmp / "out")
    finally:
        if old is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old
    assert result.apkg is not None and result.changes is not None, result.problems.render_text()
    assert set(result.changes.changed) == {edited["id"], moved["id"]}, result.changes
    deck = next(n.deck for n in result.notes if n.card_id == moved["id"])
    return Rebuild(result.apkg, edited["id"], moved["id"], deck, removed["id"], epoch)

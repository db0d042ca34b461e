"""Shared test helpers: real files in tmp_path, real builds, a real Anki collection."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
CONTENT = ROOT / "content"


def make_content(tmp_path: Path, files: dict[str, str], base: str | None = "kb") -> Path:
    """A content tree in tmp_path: a copy of a fixture KB (or nothing) plus/overridden by `files`."""
    root = tmp_path / "content"
    if base:
        shutil.copytree(FIXTURES / base, root)
    else:
        root.mkdir()
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """A private copy of the sample knowledge base (tests may edit it)."""
    return make_content(tmp_path, {})


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)
    yield tmp_path

"""Shared test helpers (importable as `kbtest`): paths, and content trees in tmp_path.

Kept out of conftest.py because several test folders have a conftest of their own, and
`from conftest import ...` would then depend on sys.path order.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

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

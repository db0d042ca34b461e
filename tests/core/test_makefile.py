"""The Makefile's first contact: what `make build` says when the Python it finds is too old."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from kbtest import ROOT

OLD_PYTHON = """#!/bin/sh
# answers as Python 3.10 would: too old for kbdeck's version check, and its version
case "$1" in
  -V) echo "Python 3.10.13" ;;
  -c) exit 1 ;;
  *) echo "not expected: $*" >&2; exit 3 ;;
esac
"""


def make(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["make", "-s", *args], cwd=folder, capture_output=True, text=True, timeout=60)


def test_an_old_python_or_a_venv_made_with_one_is_told_with_what_to_run(tmp_path: Path) -> None:
    """pip said "requires a different Python: 3.10.13 not in '>=3.11'", and since the .venv it had made stayed,
    a retry with a newer Python said it again."""
    shutil.copy(ROOT / "Makefile", tmp_path)
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    old = tmp_path / "python3.10"
    old.write_text(OLD_PYTHON, encoding="utf-8")
    old.chmod(0o755)
    first = make(tmp_path, "build", f"PYTHON={old}")
    assert first.returncode != 0
    assert f"kbdeck needs Python 3.11 or newer, and {old} is Python 3.10.13: run make with a newer one" in first.stdout
    assert not (tmp_path / ".venv").exists()
    (tmp_path / ".venv/bin").mkdir(parents=True)
    shutil.copy(old, tmp_path / ".venv/bin/python")  # a .venv an earlier try made with it
    again = make(tmp_path, "build", "PYTHON=python3")
    assert again.returncode != 0
    assert "and .venv was made with Python 3.10.13: remove it (rm -rf .venv)" in again.stdout

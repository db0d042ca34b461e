"""The package imports and re-imports correctly in every supported Anki version (`scripts/compat.py`).

Never skipped: the first run creates one venv per Anki version under build/compat/ (40-50 s with an
empty pip cache; the venvs are created in parallel while the decks build), later runs reuse them (~7 s).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "compat.py"


def supported_versions() -> tuple[str, ...]:
    """`VERSIONS` as written in the script."""
    tree = ast.parse(SCRIPT.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "VERSIONS" for t in node.targets):
            return tuple(ast.literal_eval(node.value))
    raise AssertionError("VERSIONS not found in scripts/compat.py")


def test_every_supported_anki_version_imports_and_updates_the_deck() -> None:
    proc = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True, timeout=1200)
    report = proc.stdout + proc.stderr
    assert proc.returncode == 0, report
    versions = supported_versions()
    for version in versions:
        assert f"anki {version}: ok (" in proc.stdout, report
    assert f"{len(versions)} passed, 0 failed" in proc.stdout, report
    # the packaged add-on's update from build runs in every version its manifest claims, and the oldest
    # version tested at all is below that minimum only because the add-on needs 23.12.1's import API
    for line in proc.stdout.splitlines():
        if line.startswith("anki ") and not line.startswith("anki 2.1."):
            assert line.count("add-on update ok") == 2, line
    import json

    manifest = json.loads((ROOT / "addon" / "manifest.json").read_text(encoding="utf-8"))
    oldest_claimed = min(v for v in versions if not v.startswith("2.1."))
    yy, mm, patch = (int(x) for x in oldest_claimed.split("."))
    assert manifest["min_point_version"] == yy * 10000 + mm * 100 + patch

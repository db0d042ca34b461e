"""Package the Anki add-on: addon/ → build/kbdeck.ankiaddon.

An .ankiaddon is a zip of the add-on folder's *contents* (no top-level folder). Only what the
add-on needs at run time goes in: Python modules (the root's and data/, ops/, views/),
manifest.json, config.json, config.md, locale/*.json (the UI strings) and web/ assets; never
__pycache__, meta.json (Anki writes it on install) or user_files/. Files of
src/kbdeck that the add-on must import are copied in through VENDOR (the add-on never imports
kbdeck itself). Entries are sorted with fixed dates, so the same sources give the same bytes.

    python scripts/package_addon.py [--out build/kbdeck.ankiaddon]
"""

from __future__ import annotations

import argparse
import json
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADDON = ROOT / "addon"
DEFAULT_OUT = ROOT / "build" / "kbdeck.ankiaddon"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
TOP_FILES = {"manifest.json", "config.json", "config.md"}
WEB_SUFFIXES = {".css", ".js", ".svg", ".png"}
ROLES = {"data", "ops", "views"}
"""The add-on's packages by role (addon/data, addon/ops, addon/views): their modules ship too."""
VENDOR: dict[str, str] = {"src/kbdeck/model/contract.py": "data/contract.py"}
"""Repository path → path inside the package, for stdlib-only kbdeck modules the add-on imports: the
bundle contract (addon/data/contract.py is the same bytes, so the add-on runs from its folder too;
a test fails when the two differ)."""


def addon_files(addon: Path = ADDON) -> dict[str, Path]:
    """Archive name → source file, for everything the add-on ships."""
    files: dict[str, Path] = {}
    for path in sorted(addon.rglob("*")):
        rel = path.relative_to(addon)
        if not path.is_file() or "__pycache__" in rel.parts or rel.parts[0] == "user_files":
            continue
        name = rel.as_posix()
        if (
            (len(rel.parts) == 1 and (path.suffix == ".py" or name in TOP_FILES))
            or (len(rel.parts) == 2 and rel.parts[0] in ROLES and path.suffix == ".py")
            or (rel.parts[0] == "web" and path.suffix in WEB_SUFFIXES)
            or (len(rel.parts) == 2 and rel.parts[0] == "locale" and path.suffix == ".json")
        ):
            files[name] = path
    for source, target in VENDOR.items():
        files[target] = ROOT / source
    return files


def package(out: Path = DEFAULT_OUT, addon: Path = ADDON) -> Path:
    """Write the .ankiaddon atomically and return its path."""
    files = addon_files(addon)
    manifest = json.loads(files["manifest.json"].read_text(encoding="utf-8"))
    if manifest.get("package") != "kbdeck" or "__init__.py" not in files:
        raise SystemExit("addon/ must hold __init__.py and a manifest.json with package 'kbdeck'")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, path in sorted(files.items()):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, path.read_bytes())
    tmp.replace(out)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Package addon/ as an .ankiaddon file.")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output file (default: build/kbdeck.ankiaddon)")
    args = parser.parse_args(argv)
    out = package(args.out)
    with zipfile.ZipFile(out) as zf:
        count = len(zf.namelist())
    shown = out.relative_to(ROOT) if out.is_relative_to(ROOT) else out
    print(f"kbdeck add-on → {shown} ({count} files, {out.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

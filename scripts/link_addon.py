"""Install a development copy of the add-on: a symlink <Anki base>/addons21/kbdeck → addon/.

Restart Anki to load code changes (CSS/JS changes show on the next page render). Anki writes
meta.json (your config edits) into the linked folder; packaging leaves it out.

    python scripts/link_addon.py [BASE]     # BASE: Anki's data folder, or its addons21 folder
    python scripts/link_addon.py --unlink [BASE]

Without BASE: $ANKI_BASE, else Anki's default data folder for this system.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADDON = ROOT / "addon"
PACKAGE = "kbdeck"


def default_base() -> Path:
    """Anki's default data folder (what `aqt.profiles.ProfileManager` uses without `-b`)."""
    if os.environ.get("ANKI_BASE"):
        return Path(os.environ["ANKI_BASE"])
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA", Path.home() / "AppData" / "Roaming")) / "Anki2"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "Anki2"
    return Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "Anki2"


def addons_folder(base: Path) -> Path:
    return base if base.name == "addons21" else base / "addons21"


def link(base: Path) -> Path:
    target = addons_folder(base) / PACKAGE
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_symlink():
        if target.resolve() == ADDON.resolve():
            return target
        target.unlink()
    elif target.exists():
        raise SystemExit(f"{target} exists and is not a link: remove the installed add-on first (Tools → Add-ons)")
    target.symlink_to(ADDON.resolve(), target_is_directory=True)
    return target


def unlink(base: Path) -> Path:
    target = addons_folder(base) / PACKAGE
    if target.is_symlink():
        target.unlink()
    elif target.exists():
        raise SystemExit(f"{target} is not a link made by this script; leaving it alone")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Link addon/ into a local Anki profile's addons21 folder.")
    parser.add_argument("base", nargs="?", type=Path, help="Anki data folder or its addons21 folder")
    parser.add_argument("--unlink", action="store_true", help="remove the link instead")
    args = parser.parse_args(argv)
    base = args.base or default_base()
    if args.unlink:
        print(f"removed {unlink(base)}")
    else:
        print(f"{link(base)} → {ADDON} (restart Anki to load it)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Regenerate docs/gallery/: screenshots of real cards on a phone and on desktop, light and dark (`make screenshots`).

The cards come from tests/fixtures/cards-kb, built by kbdeck, imported into a real Anki collection and
rendered by Anki; pages and checks are the ones tests/render uses (tests/card_pages.py), so a gallery
picture is never taken of a card that fails them. Needs Debian's `chromium`.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from card_pages import ANKIDROID, DESKTOP, page_html, problems, render_cards, show  # noqa: E402
from chromium import Chromium, ChromiumMissing  # noqa: E402

OUT = ROOT / "docs" / "gallery"
# (file stem, card, side)
SHOTS = (
    ("basic", "codigo-linha-longa-1", "answer"),
    ("cloze-in-code", "codigo-cloze-2", "answer"),
    ("output", "codigo-saida-1", "answer"),
)
DEVICES = (("phone", ANKIDROID, 360), ("desktop", DESKTOP, 800))


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="kbdeck-gallery-") as tmp:
        work = Path(tmp)
        content = work / "content"
        shutil.copytree(ROOT / "tests" / "fixtures" / "cards-kb", content)
        cards = {c.name: c for c in render_cards(content, work)}
        try:
            browser = Chromium()
        except ChromiumMissing as exc:
            print(f"gallery: {exc}", file=sys.stderr)
            return 2
        OUT.mkdir(parents=True, exist_ok=True)
        with browser:
            for stem, name, side in SHOTS:
                for device, client, width in DEVICES:
                    for theme in ("light", "dark"):
                        html = page_html(client, theme, cards[name], side)
                        page = work / f"{stem}-{device}-{theme}.html"
                        probe = show(browser, page, html, client, width, height=120, scale=1.5)
                        if found := problems(probe):
                            print(f"gallery: {page.name}: " + "; ".join(found), file=sys.stderr)
                            return 1
                        png = OUT / f"{stem}-{device}-{theme}.png"
                        browser.screenshot(png)
                        print(f"{png.relative_to(ROOT)}  {png.stat().st_size // 1024} KiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

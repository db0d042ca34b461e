"""Every card of the shipped deck, as AnkiDroid shows its answer on a 360 px phone, in a real browser.

The rendering tests (`tests/render/`) look at a code-heavy fixture in every client, width and theme; this
one looks at what a learner actually studies: all 1,400 cards, built and imported into real Anki. The
answer is checked because it carries the question too (both note types show the front above the back),
and a revealed deletion is at least as wide as its `[...]`. On 2026-12-04 the same sweep over both
sides in the dark theme found nothing either (2,816 pages). Chromium is required: without it this fails
with the install command, it never skips.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from card_pages import ANKIDROID, page_html, problems, render_cards, show
from chromium import Chromium
from kbtest import CONTENT


def test_every_shipped_card_fits_a_phone_and_reads_well(browser: Chromium, tmp_path: Path) -> None:
    shutil.copytree(CONTENT, tmp_path / "content")  # a copy: the build never rewrites the committed ledger
    cards = render_cards(tmp_path / "content", tmp_path)
    assert len(cards) > 1000
    failures = []
    for card in cards:
        probe = show(browser, tmp_path / "page.html", page_html(ANKIDROID, "light", card, "answer"), ANKIDROID, 360)
        failures += [f"{card.name}: {p}" for p in problems(probe)]
    assert not failures, f"{len(failures)} problems on AnkiDroid at 360 px:\n" + "\n".join(failures[:40])

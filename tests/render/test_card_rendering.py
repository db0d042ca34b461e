"""Cards in a real browser: every card of a code-heavy deck, rendered by Anki, shown as each client shows it.

For AnkiDroid and AnkiMobile at 360 and 414 px and desktop at 800 px, light and dark: no page-level
horizontal scroll, nothing clipped, code never wraps (it scrolls inside its block), and every text
colour, each code token and the clozes inside code included, is at least 4.5:1 against the
background it is painted on, read from computed styles. Screenshots go to build/screenshots/cards/.
Chromium is required: without it these tests fail with the install command, they never skip.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import chromium
import pytest
from card_pages import (
    ANKIDROID,
    ANKIMOBILE,
    DESKTOP,
    THEMES,
    VIEWPORTS,
    Client,
    RenderedCard,
    page_html,
    problems,
    render_cards,
    show,
)
from chromium import Chromium, ChromiumMissing
from kbtest import FIXTURES, ROOT, make_content

SHOTS = ROOT / "build" / "screenshots" / "cards"


@pytest.fixture(scope="module")
def cards(tmp_path_factory: pytest.TempPathFactory) -> list[RenderedCard]:
    """Every card of the code-heavy fixture plus the sample knowledge base."""
    out = []
    for fixture in ("cards-kb", "kb"):
        work = tmp_path_factory.mktemp(fixture)
        out += render_cards(make_content(work, {}, base=fixture), work)
    return out


def test_the_deck_has_the_cards_we_mean_to_look_at(cards: list[RenderedCard]) -> None:
    names = {c.name for c in cards}
    assert {"codigo-linha-longa-1", "codigo-cloze-1", "codigo-cloze-3", "codigo-saida-1", "codigo-tabela-1"} <= names
    long_line = next(c for c in cards if c.name == "codigo-linha-longa-1")
    assert 'class="kb-code kb-numbered"' in long_line.question and ">client.py<" in long_line.question
    cloze = next(c for c in cards if c.name == "codigo-cloze-2")
    assert re.search(r'<span class="cloze"[^>]*>\[decorador\]</span>', cloze.question)
    assert re.search(r'<span class="cloze"[^>]*>contextmanager</span>', cloze.answer)


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize(("client", "width"), VIEWPORTS, ids=[f"{c.name}-{w}" for c, w in VIEWPORTS])
def test_cards_fit_and_read_well(
    browser: Chromium, cards: list[RenderedCard], client: Client, width: int, theme: str, tmp_path: Path
) -> None:
    failures = []
    scrolled = 0
    for card in cards:
        for side in ("question", "answer"):
            html = page_html(client, theme, card, side)
            probe = show(browser, tmp_path / f"{card.name}-{side}.html", html, client, width)
            browser.screenshot(SHOTS / f"{client.name}-{width}-{theme}" / f"{card.name}-{side}.png")
            failures += [f"{card.name} {side}: {p}" for p in problems(probe)]
            scrolled += sum(p["scrollWidth"] > p["clientWidth"] for p in probe["pres"])
            if card.name.startswith("codigo-saida") and side == "answer":
                assert probe["sourceShown"], "the source footer must show when the card has a SourceURL"
    assert not failures, f"{client.name} at {width}px, {theme}:\n" + "\n".join(failures)
    if width < 800:
        assert scrolled, "the long lines must scroll inside their code blocks on a phone"


@pytest.mark.parametrize("client", [ANKIDROID, DESKTOP], ids=lambda c: c.name)
def test_source_footer_without_url_is_hidden_without_the_add_on(
    browser: Chromium, client: Client, tmp_path: Path
) -> None:
    roadmap = (FIXTURES / "kb" / "roadmap.yaml").read_text(encoding="utf-8")
    content = make_content(tmp_path, {"roadmap.yaml": re.sub(r"(?m)^source_url:.*\n", "", roadmap)})
    card = next(c for c in render_cards(content, tmp_path) if c.name == "gil-o-que-e-1")
    assert 'class="kb-src kb-src-local"' in card.answer and "href=" not in card.answer.split('class="kb-src')[1]
    probe = show(browser, tmp_path / "page.html", page_html(client, "light", card, "answer"), client, 360)
    assert probe["sourceShown"] is False  # only the add-on (desktop) can open it, and it shows it again
    assert not problems(probe)


def test_a_missing_chromium_fails_with_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KBDECK_CHROMIUM", raising=False)
    monkeypatch.setattr(chromium.shutil, "which", lambda _: None)
    with pytest.raises(ChromiumMissing, match=r"apt-get install -y chromium"):
        chromium.find_chromium()


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_a_kbdeck_init_image_shows_on_a_phone_and_fits(browser: Chromium, tmp_path: Path, theme: str) -> None:
    """Issue 21: images are packaged and fit a 360 px phone (AnkiDroid's page classes), offline."""
    from kbdeck.cli import main

    content = tmp_path / "kb"
    assert main(["init", str(content)]) == 0
    cards = render_cards(content, tmp_path)
    card = next(c for c in cards if c.name.startswith("vectors-picture"))
    page = tmp_path / "pages" / f"picture-{theme}.html"
    html = page_html(ANKIDROID, theme, card, "question")
    assert "_kbdeck-my-kb-img-" in html
    page.parent.mkdir(parents=True, exist_ok=True)
    for media in (tmp_path / "build").glob("*.apkg"):  # the media, next to the page, as Anki serves them
        with zipfile.ZipFile(media) as zf:
            for index, name in json.loads(zf.read("media")).items():
                if "-img-" in name:
                    (page.parent / name).write_bytes(zf.read(index))
    show(browser, page, html, ANKIDROID, 360)
    image = browser.evaluate(
        "(() => { const i = document.querySelector('img'); const r = i.getBoundingClientRect();"
        " return {loaded: i.complete && i.naturalWidth > 0, width: r.width,"
        " scroll: document.documentElement.scrollWidth, view: document.documentElement.clientWidth}; })()"
    )
    assert image["loaded"], image
    assert 0 < image["width"] <= 360 and image["scroll"] <= image["view"], image


@pytest.mark.parametrize("client", [ANKIDROID, ANKIMOBILE], ids=lambda c: c.name)
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_note_section_on_the_card_reads_well_on_a_phone(
    browser: Chromium, cards: list[RenderedCard], tmp_path: Path, client: Client, theme: str
) -> None:
    """Issue 20: the back of every card carries its note section in a closed <details> (no JavaScript);
    opened at 360 px it fits (no sideways page scroll), and every colour meets AA in both themes."""
    with_section = [c for c in cards if 'class="kb-section"' in c.answer]
    assert len(with_section) == len(cards), "every card carries its note section"
    failures = []
    for card in with_section[:12]:
        html = page_html(client, theme, card, "answer")
        assert "<details" in html and "<script" not in html.split("</style>")[-1]
        opened = html.replace('<details class="kb-section">', '<details class="kb-section" open>')
        probe = show(browser, tmp_path / f"{client.name}-{theme}-{card.name}.html", opened, client, 360)
        failures += [f"{card.name}: {p}" for p in problems(probe)]
        if card is with_section[0]:
            SHOTS.mkdir(parents=True, exist_ok=True)
            browser.screenshot(SHOTS / f"section-{client.name}-{theme}.png")
    assert not failures, "\n".join(failures)

"""Card pages as each Anki client shows them, rendered by Anki itself, and the checks we run on them in a browser.

A deck is built with `kbdeck.build.build`, imported into a real `anki.collection.Collection`, and each
card is rendered by Anki's own template renderer (`card.question()` / `card.answer()`, which carry the
note type CSS). The page around it copies what each client sets on `<html>` and `<body>` (the classes
our CSS keys on: `.mobile`, `.nightMode`, `.night_mode`, `.night-mode`), from
shared/notes/anki-platform.md §6. `PROBE_JS` measures the page; `problems()` turns the measurements
into readable failures. Shared by tests/render and scripts/gallery.py.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from anki_helpers import import_apkg, new_collection
from chromium import Chromium
from css_contrast import AA, contrast, parse_colour

from kbdeck.build import build


@dataclass(frozen=True)
class Client:
    """The classes one Anki client puts on a card page."""

    name: str
    """Short name, used in file names."""
    html: str
    """`<html>` classes in light mode."""
    html_dark: str
    """`<html>` classes in dark mode."""
    body: str
    """`<body>` classes in light mode; `{n}` is the card's template number (1-based)."""
    body_dark: str
    """`<body>` classes in dark mode."""
    mobile: bool
    """Emulate a touch phone (viewport meta honoured, overlay scrollbars)."""


ANKIDROID = Client(
    "ankidroid",
    "mobile android linux js",
    "mobile android linux js",
    "card card{n}",
    "card card{n} nightMode night_mode",
    True,
)
ANKIMOBILE = Client(
    "ankimobile",
    "webkit safari mobile iphone js",
    "webkit safari mobile iphone js",
    "card card{n}",
    "card card{n} nightMode",
    True,
)
DESKTOP = Client(
    "desktop",
    "linux chrome",
    "night-mode linux chrome",
    "card card{n} isLin",
    "card card{n} isLin nightMode night_mode",
    False,
)
# (client, CSS width): two phone widths per mobile client, one desktop reviewer width.
VIEWPORTS = [(ANKIDROID, 360), (ANKIDROID, 414), (ANKIMOBILE, 360), (ANKIMOBILE, 414), (DESKTOP, 800)]
THEMES = ("light", "dark")


@dataclass(frozen=True)
class RenderedCard:
    """One card as Anki renders it."""

    name: str
    """`<card id>-<template number>`, e.g. `codigo-cloze-2`."""
    number: int
    """Template number (cloze number for cloze cards), 1-based."""
    question: str
    """`card.question()`: `<style>` with the note type CSS + the front."""
    answer: str
    """`card.answer()`."""


def render_cards(content: Path, work: Path) -> list[RenderedCard]:
    """Build `content`, import the package into a fresh collection and render every card with Anki."""
    result = build(content, work / "build")
    assert result.apkg is not None, result.problems.render_text()
    col = new_collection(work)
    try:
        import_apkg(col, result.apkg)
        cards = []
        for cid in sorted(col.find_cards("")):
            card = col.get_card(cid)
            number = card.ord + 1
            cards.append(RenderedCard(f"{card.note()['Id']}-{number}", number, card.question(), card.answer()))
        return sorted(cards, key=lambda c: c.name)
    finally:
        col.close()


def page_html(client: Client, theme: str, card: RenderedCard, side: str) -> str:
    """A complete page as `client` would show this side of the card."""
    dark = theme == "dark"
    html_cls = client.html_dark if dark else client.html
    body_cls = (client.body_dark if dark else client.body).format(n=card.number)
    content = card.question if side == "question" else card.answer
    return (
        f'<!doctype html>\n<html class="{html_cls}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{card.name} {side}</title></head>\n"
        f'<body class="{body_cls}"><div id="qa">{content}</div></body></html>\n'
    )


PROBE_JS = r"""
(() => {
  const W = window.innerWidth;
  const bgStack = (el) => {
    const stack = [];
    for (let e = el; e; e = e.parentElement) {
      const c = getComputedStyle(e).backgroundColor;
      stack.push(c);
      const m = c.match(/rgba\(.*,\s*([\d.]+)\)$/);
      if (!m || parseFloat(m[1]) >= 1) return stack;
    }
    stack.push("rgb(255, 255, 255)");  // the canvas
    return stack;
  };
  const describe = (el) =>
    el.tagName.toLowerCase() + (el.className ? "." + String(el.className).trim().split(/\s+/).join(".") : "");
  const root = document.querySelector("#qa") || document.body;  // the card, not the client's own chrome
  const texts = [];
  const clipped = [];
  for (const el of root.querySelectorAll("*")) {
    if (!el.checkVisibility || !el.checkVisibility()) continue;
    const cs = getComputedStyle(el);
    const own = [...el.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join("").trim();
    const after = getComputedStyle(el, "::after").content;
    if (own || (after && after !== "none" && after !== "normal")) {
      texts.push({el: describe(el), text: (own || after).slice(0, 40), color: cs.color, bg: bgStack(el),
                  inCode: !!el.closest("pre.kb-code"), size: cs.fontSize});
    }
    const scroller = el.closest("pre.kb-code, .kb-table");
    const r = el.getBoundingClientRect();
    if ((!scroller || scroller === el) && r.width > 0 && (r.right > W + 0.5 || r.left < -0.5)) {
      clipped.push(`${describe(el)} is outside the viewport (${Math.round(r.left)}..${Math.round(r.right)} of ${W})`);
    }
    const blocky = !cs.display.startsWith("inline") && cs.display !== "contents";
    const scrollsX = cs.overflowX === "auto" || cs.overflowX === "scroll";
    if (blocky && !scrollsX && el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0) {
      clipped.push(`${describe(el)} content is wider than its box (${el.scrollWidth} > ${el.clientWidth})`);
    }
    if (blocky && (cs.overflowY === "hidden" || cs.overflowY === "clip") && el.scrollHeight > el.clientHeight + 1) {
      clipped.push(`${describe(el)} cuts its content vertically (${el.scrollHeight} > ${el.clientHeight})`);
    }
  }
  const pres = [...root.querySelectorAll("pre.kb-code")].map(pre => {
    const cs = getComputedStyle(pre);
    const code = pre.querySelector("code");
    const gutter = pre.querySelector(".kb-gutter");
    const lh = parseFloat(cs.lineHeight);
    const inner = pre.scrollHeight - parseFloat(cs.paddingTop) - parseFloat(cs.paddingBottom);
    return {lines: code.textContent.split("\n").length, renderedLines: Math.round(inner / lh),
            gutterLines: gutter ? gutter.textContent.split("\n").length : null,
            scrollWidth: pre.scrollWidth, clientWidth: pre.clientWidth, overflowX: cs.overflowX,
            whiteSpace: cs.whiteSpace};
  });
  const src = root.querySelector(".kb-src");
  return {innerWidth: W, scrollWidth: document.documentElement.scrollWidth, texts, clipped, pres,
          sourceShown: !!(src && src.checkVisibility()), scripts: root.querySelectorAll("script").length};
})()
"""


def _opaque(stack: list[str]) -> str:
    """Blend a background stack (element first, ending with an opaque colour) into one rgb() string."""
    r, g, b, _ = parse_colour(stack[-1])
    for layer in reversed(stack[:-1]):
        lr, lg, lb, la = parse_colour(layer)
        r, g, b = (lr * la + r * (1 - la), lg * la + g * (1 - la), lb * la + b * (1 - la))
    return f"#{round(r):02x}{round(g):02x}{round(b):02x}"


def _hex(colour: str) -> str:
    r, g, b, a = parse_colour(colour)
    assert a == 1, f"text colour with transparency: {colour}"
    return f"#{round(r):02x}{round(g):02x}{round(b):02x}"


def problems(probe: dict[str, Any]) -> list[str]:
    """Everything wrong with a measured page, as sentences."""
    out = []
    if probe["scrollWidth"] > probe["innerWidth"]:
        out.append(f"page scrolls horizontally: scrollWidth {probe['scrollWidth']} > innerWidth {probe['innerWidth']}")
    out += probe["clipped"]
    for t in probe["texts"]:
        fg, bg = _hex(t["color"]), _opaque(t["bg"])
        ratio = contrast(fg, bg)
        if ratio < AA:
            out.append(f"contrast {ratio:.2f} < {AA} for {t['el']} {t['text']!r}: {fg} on {bg}")
    for i, pre in enumerate(probe["pres"]):
        if pre["whiteSpace"] != "pre":
            out.append(f"code block {i} wraps (white-space: {pre['whiteSpace']})")
        if pre["renderedLines"] != pre["lines"]:
            out.append(f"code block {i} shows {pre['renderedLines']} lines for {pre['lines']} lines of code")
        if pre["scrollWidth"] > pre["clientWidth"] and pre["overflowX"] not in ("auto", "scroll"):
            out.append(f"code block {i} overflows without a scrollbar")
        if pre["gutterLines"] is not None and pre["gutterLines"] != pre["lines"]:
            out.append(f"code block {i}: {pre['gutterLines']} line numbers for {pre['lines']} lines")
    if probe["scripts"]:
        out.append(f"{probe['scripts']} <script> elements: nothing visible may need JavaScript")
    return out


def show(
    browser: Chromium, page: Path, html: str, client: Client, width: int, height: int = 0, scale: float = 2
) -> dict[str, Any]:
    """Write the page, load it at `width` (phones at `scale` device pixels per CSS pixel) as `client`, measure it."""
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(html, encoding="utf-8")
    height = height or (760 if client.mobile else 900)
    browser.viewport(width, height, mobile=client.mobile, scale=scale if client.mobile else 1)
    browser.open(page)
    probe: dict[str, Any] = browser.evaluate(PROBE_JS)
    return probe


def dump(probe: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in probe.items() if k != "texts"}, indent=1)

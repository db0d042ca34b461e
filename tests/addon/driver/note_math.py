"""Formulas in the note viewer: a `kbdeck init` knowledge base's note with math, typeset by Anki's MathJax.

A fresh profile imports the deck; the note with formulas opens at the top (light, then dark), then at
the heading below its display formula (typesetting changes the page's height: the heading must still be
the one shown); a note without formulas must not load MathJax at all.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Generator
from typing import Any

from . import checked, js, shot, until, until_js
from .probes import VIEWER, when

MATH = """(() => {
  const note = document.querySelector('.kbdeck-note');
  const t = document.querySelector('.kb-target');
  return {typeset: document.querySelectorAll('.kbdeck-note mjx-container').length,
          raw: /\\\\\\(|\\\\\\[/.test(note ? note.innerText : ''),
          mathjax: typeof window.MathJax !== 'undefined',
          night: document.documentElement.classList.contains('night-mode'),
          target: t ? {id: t.id, top: Math.round(t.getBoundingClientRect().top)} : null,
          below_bar: Math.round(document.querySelector('.kb-nav').getBoundingClientRect().height + 16)};
})()"""


HOSTILE = r"""(() => ({
  links: [...document.querySelectorAll('.kbdeck-note mjx-container [href]')].map(a => a.getAttribute('href')),
  styled: [...document.querySelectorAll('.kbdeck-note mjx-container [style]')]
    .filter(e => /outline/.test(e.getAttribute('style'))).length,
  errors: document.querySelectorAll('.kbdeck-note mjx-merror, .kbdeck-note [data-mjx-error]').length,
  formulas: [...document.querySelectorAll('.kbdeck-note mjx-container mjx-assistive-mml')]
    .map(m => m.textContent.replace(/\s+/g, '')),
  page: [document.documentElement.scrollWidth, document.documentElement.clientWidth],
  text: (document.querySelector('.kbdeck-note') || {}).innerText || ''}))()"""


def scenario(settings: dict[str, Any], r: dict[str, Any]) -> Generator[Any, Any, None]:
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest
    from aqt import mw
    from aqt.operations import CollectionOp
    from aqt.theme import Theme

    assert mw is not None
    note_viewer = importlib.import_module(f"{settings.get('package', 'kbdeck')}.views.note_viewer")
    shots, kb = settings["screenshots"], settings["kb"]
    done: list[Any] = []
    request = ImportAnkiPackageRequest(package_path=settings["apkg"], options=ImportAnkiPackageOptions())
    CollectionOp(parent=mw, op=lambda col: col.import_anki_package(request)).success(done.append).run_in_background()
    checked((yield until(lambda: done, what="import")))
    r["screens"], r["pages"] = [], {}

    def show(topic: str, anchor: str, name: str, ready: str, height: int = 600) -> Generator[Any, Any, None]:
        note_viewer.open_note(kb, topic, anchor)
        viewer = checked((yield until(note_viewer.viewer, what="note viewer")))
        viewer.resize(820, height)
        loaded = when(VIEWER, f"v.dataset.topic === {json.dumps(topic)} && v.dataset.anchor === {json.dumps(anchor)}")
        checked((yield until_js(viewer.web, loaded, what=f"the note of {topic}")))
        r["pages"][name] = checked((yield until_js(viewer.web, f"(p => ({ready}) && p)({MATH})", what=name)))
        r["screens"].append((yield shot(viewer, shots, f"{name}.png")))
        return viewer

    typeset = "p.typeset >= 2 && !p.raw"
    viewer = yield from show(settings["math_topic"], "", "note-math-light", typeset)
    mw.set_theme(Theme.DARK)
    checked((yield until_js(viewer.web, "document.documentElement.classList.contains('night-mode')", what="dark")))
    yield from show(settings["math_topic"], "", "note-math-dark", f"{typeset} && p.night")
    mw.set_theme(Theme.LIGHT)
    topic, anchor = settings["below_math"]
    # a short window, so the page can scroll the heading up to just below the bar
    at_heading = f"{typeset} && p.target && Math.abs(p.target.top - p.below_bar) <= 2"
    yield from show(topic, anchor, "note-math-heading", at_heading, height=320)
    yield from show(settings["plain_topic"], "", "note-plain", "!p.mathjax")
    r["plain_later"] = yield js(note_viewer.viewer().web, MATH)
    # a hostile deck's note (kbdeck refuses to build one): MathJax's \href and \style must not reach the page
    from pathlib import Path

    marker = settings["hostile_marker"]
    for page in Path(mw.col.media.dir()).glob(f"_kbdeck-{kb}-note-*.html"):
        text = page.read_text(encoding="utf-8")
        if marker in text:
            evil = r"\(\href{javascript:alert(1)}{x} + \style{outline:7px solid blue}{z} + \href{https://example.org/}{w}\)"
            evil += r" \(\require{html}\style{outline:7px solid blue}{q} + \href{javascript:alert(2)}{q}\)"
            page.write_text(text.replace(marker, f"{marker}</p><p>{evil}", 1), encoding="utf-8")
    yield from show(settings["math_topic"], "", "note-hostile", typeset)
    r["hostile"] = yield js(note_viewer.viewer().web, HOSTILE)

"""The note viewer's bar at a narrow and a wide window, light and dark, and "Study now" from the progress view.

A fresh profile imports the shipped deck (a CollectionOp, as File → Import does). The note of the
roadmap's busiest day is opened at 480 and 1000 px wide: its page layout (the day's pills, their
label, the headings' sizes) is measured in the page, at the top and scrolled down, in light and in
dark mode. A note at a heading gives the gallery's screen; a coding-problem note (in no roadmap day)
shows no day band. Last, "Study now" in the full progress view, with the main window minimized
behind it: the progress view must get out of the way and the main window come forward on the overview.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Generator
from typing import Any

from . import checked, js, shot, until, until_js
from .probes import VIEW, VIEWER, when

LAYOUT = """(() => {
  const v = document.getElementById('kbdeck-viewer');
  const n = document.querySelector('.kbdeck-note');
  if (!v || !n) return null;
  const vw = document.documentElement.clientWidth, vh = document.documentElement.clientHeight;
  const box = el => (r => ({left: r.left, right: r.right, top: r.top, bottom: r.bottom}))(el.getBoundingClientRect());
  const seen = el => {
    const r = el.getBoundingClientRect();
    if (r.width <= 0 || r.height <= 0 || r.left < 0 || r.top < 0 || r.right > vw + 0.5 || r.bottom > vh + 0.5)
      return false;
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return !!hit && (hit === el || el.contains(hit)) && getComputedStyle(el).visibility === 'visible';
  };
  const size = el => parseFloat(getComputedStyle(el).fontSize);
  const pills = v.querySelector('.kb-pills'), label = v.querySelector('.kb-day > .kb-label');
  const nav = v.querySelector('.kb-nav');
  return {topic: v.dataset.topic, width: window.innerWidth, client: vw, height: vh, scrollY: Math.round(window.scrollY),
    night: document.documentElement.classList.contains('night-mode'),
    day: !!v.querySelector('.kb-day'),
    pills: pills ? {scrollWidth: pills.scrollWidth, clientWidth: pills.clientWidth} : null,
    items: [...v.querySelectorAll('.kb-pills .kb-pill')].map(p => ({
      topic: p.dataset.topic || 'current', title: p.title, text: p.textContent, visible: seen(p),
      top: Math.round(p.getBoundingClientRect().top), cut: p.scrollWidth > p.clientWidth})),
    label: label ? {text: label.textContent, visible: seen(label)} : null,
    nav: nav ? box(nav) : null,
    h1: [...n.querySelectorAll('h1')].map(size), h2: [...n.querySelectorAll('h2')].map(size),
    h3: [...n.querySelectorAll('h3')].map(size)};
})()"""


def scenario(settings: dict[str, Any], r: dict[str, Any]) -> Generator[Any, Any, None]:
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest
    from aqt import mw
    from aqt.operations import CollectionOp
    from aqt.qt import QApplication
    from aqt.theme import Theme

    assert mw is not None
    pkg = settings.get("package", "kbdeck")
    note_viewer = importlib.import_module(f"{pkg}.views.note_viewer")
    progress_view = importlib.import_module(f"{pkg}.views.progress_view")
    shots, kb = settings["screenshots"], settings["kb"]
    mw.resize(1100, 860)
    r["screens"], r["layouts"] = [], {}

    # 1. Import the shipped deck the way File → Import does.
    done: list[Any] = []
    request = ImportAnkiPackageRequest(package_path=settings["apkg"], options=ImportAnkiPackageOptions())
    CollectionOp(parent=mw, op=lambda col: col.import_anki_package(request)).success(done.append).run_in_background()
    checked((yield until(lambda: done, what="import")))

    def show(topic: str, anchor: str = "") -> Generator[Any, Any, Any]:
        note_viewer.open_note(kb, topic, anchor)
        viewer = checked((yield until(note_viewer.viewer, what="note viewer")))
        probe = when(VIEWER, f"v.dataset.topic === {json.dumps(topic)} && v.dataset.anchor === {json.dumps(anchor)}")
        checked((yield until_js(viewer.web, probe, what=f"the note of {topic}")))
        return viewer

    def measure(viewer: Any, width: int, name: str) -> Generator[Any, Any, None]:
        viewer.resize(width, 760)
        ready = when(LAYOUT, f"window.innerWidth === {width} && document.fonts.status === 'loaded'")
        top = checked((yield until_js(viewer.web, f"(window.scrollTo(0, 0), {ready})", what=f"{width} px")))
        r["screens"].append((yield shot(viewer, shots, f"{name}.png")))
        yield js(viewer.web, "window.scrollTo(0, 1500)")
        scrolled = checked((yield until_js(viewer.web, when(LAYOUT, "window.scrollY > 0"), what="scrolled")))
        yield js(viewer.web, "window.scrollTo(0, 0)")
        r["layouts"][name] = {"top": top, "scrolled": scrolled}

    # 2. The busiest day's note: narrow and wide, light then dark.
    viewer = yield from show(settings["busy_topic"])
    for theme in ("light", "dark"):
        if theme == "dark":
            mw.set_theme(Theme.DARK)
            dark = "document.documentElement.classList.contains('night-mode')"
            checked((yield until_js(viewer.web, dark, what="dark viewer")))
        yield from measure(viewer, 480, f"viewer-narrow-{theme}")
        yield from measure(viewer, 1000, f"viewer-wide-{theme}")
    mw.set_theme(Theme.LIGHT)
    checked((yield until_js(viewer.web, "!document.documentElement.classList.contains('night-mode')", what="light")))

    # 2b. The day of the longest topic title, narrow: that pill is cut with an ellipsis, its title whole.
    viewer = yield from show(settings["beside_long_topic"])
    yield from measure(viewer, 480, "viewer-long-title-narrow")

    # 3. A note at a heading (the gallery's screen), then a coding problem: no day band.
    topic, anchor = settings["heading"]
    viewer.resize(900, 700)
    checked((yield until_js(viewer.web, "window.innerWidth === 900", what="900 px")))
    viewer = yield from show(topic, anchor)
    at_heading = when(VIEWER, "t && t.getBoundingClientRect().top < 200 && window.innerWidth === 900")
    r["heading"] = checked((yield until_js(viewer.web, at_heading, what="viewer at the heading")))
    r["screens"].append((yield shot(viewer, shots, "viewer-heading-light.png")))
    viewer = yield from show(settings["problem_topic"])
    r["problem"] = checked((yield until_js(viewer.web, when(LAYOUT, "window.innerWidth === 900"), what="problem note")))
    r["screens"].append((yield shot(viewer, shots, "viewer-problem-light.png")))

    # 4. "Study now" in the progress view while the note viewer is open and the main window minimized.
    next(a for a in mw.form.menuTools.actions() if a.text() == "kbdeck progress").trigger()
    view = checked((yield until(progress_view.dialog, what="progress view")))
    checked((yield until_js(view.web, VIEW, what="progress view page")))
    mw.showMinimized()
    view.activateWindow()
    checked((yield until(lambda: QApplication.activeWindow() is view, what="the progress view active")))
    r["before_study"] = {"minimized": mw.isMinimized(), "view_active": QApplication.activeWindow() is view}
    study = "document.querySelector('.kb-callout button[data-kbdeck=study]')"
    r["study_topic"] = yield js(view.web, f"{study}.dataset.topic")
    yield js(view.web, f"{study}.click()")
    checked((yield until(lambda: mw.state == "overview", what="the study deck's overview")))
    yield until(lambda: QApplication.activeWindow() is mw, timeout_s=5)  # recorded below, asserted by the test
    r["after_study"] = {
        "state": mw.state,
        "deck": mw.col.decks.name(mw.col.decks.get_current_id()),
        "view_open": progress_view.dialog() is not None,
        "view_visible": view.isVisible() if progress_view.dialog() is not None else False,
        "viewer_open": note_viewer.viewer() is not None,
        "minimized": mw.isMinimized(),
        "visible": mw.isVisible(),
        "main_active": mw.isActiveWindow(),
        "active_is_main": QApplication.activeWindow() is mw,
    }
    r["screens"].append((yield shot(mw, shots, "viewer-study-overview.png")))

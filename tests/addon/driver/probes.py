"""What the driver reads back: DOM probes of our pages and the SQL truth of the collection.

Each probe is a JS expression returning a JSON-able object, or null while the page is not ready;
`when` adds a readiness condition. `truth` computes the same figures straight from the collection
with Anki's searches and plain SQL, for the tests to compare against the DOM.
"""

from __future__ import annotations

from typing import Any

LOOK = """{filled: [...ROOT.querySelectorAll('.kb-fill')].filter(s => parseFloat(s.style.width) > 0).length,
  segments: ROOT.querySelectorAll('.kb-seg').length,
  newBackground: [...new Set([...ROOT.querySelectorAll('.kb-seg.kb-new')].map(
    s => getComputedStyle(s).backgroundColor))],
  track: ROOT.querySelector('.kb-bar') ? getComputedStyle(ROOT.querySelector('.kb-bar')).backgroundColor : null,
  retention: ROOT.querySelector('.kb-stats [data-retention]')?.innerText || null}"""
"""How the bars and the retention figure look inside ROOT: learner-progress segments with a width, the
computed colour of the new (not seen) segments, the track's colour."""

PANEL = """(() => {
  const p = document.getElementById('kbdeck-panel');
  if (!p || p.classList.contains('kb-loading')) return null;
  const kb = p.querySelector('.kb-panel-kb');
  return {kbs: p.dataset.kbs, text: p.innerText, kb: kb ? Object.assign({}, kb.dataset) : null,
          look: LOOK_P,
          day: p.querySelector('[data-day]')?.dataset.day || null,
          topic: p.querySelector('.kb-topic')?.dataset.topic || null,
          buttons: [...p.querySelectorAll('button[data-kbdeck]')].map(b => b.dataset.kbdeck),
          background: getComputedStyle(p).backgroundColor};
})()"""

VIEW = """(() => {
  const v = document.getElementById('kbdeck-view');
  if (!v || v.classList.contains('kb-loading')) return null;
  const kb = v.querySelector('section.kb-kb');
  return {kbs: v.dataset.kbs, kb: kb ? Object.assign({}, kb.dataset) : null,
          counters: [...v.querySelectorAll('[data-counter]')].map(c => Object.assign(
            {inGuide: !!c.closest('.kb-counters'), inAbout: !!c.closest('.kb-about')}, c.dataset)),
          topics: [...v.querySelectorAll('tr[data-topic]')].map(r => Object.assign(
            {section: r.closest('details')?.dataset.section || 'roadmap'}, r.dataset)),
          days: [...v.querySelectorAll('details[data-day]')].map(d => Object.assign({open: d.open}, d.dataset)),
          weeks: [...v.querySelectorAll('details[data-week]')].map(d => Object.assign({open: d.open}, d.dataset)),
          today: v.querySelector('.kb-today') ? Object.assign(
            {text: v.querySelector('.kb-today').innerText}, v.querySelector('.kb-today').dataset) : null,
          look: LOOK_V, height: document.body.scrollHeight,
          mocks: [...v.querySelectorAll('[data-mock]')].map(m => Object.assign({}, m.dataset)),
          bars: [...v.querySelectorAll('svg.kb-chart rect')].map(r => Number(r.dataset.value)),
          warnings: [...v.querySelectorAll('.kb-warning')].map(w => w.innerText),
          text: v.innerText.slice(0, 4000), nightMode: document.documentElement.classList.contains('night-mode'),
          background: getComputedStyle(document.body).backgroundColor};
})()"""

NOTE = """(() => {
  const n = document.querySelector('.kbdeck-note');
  if (!n) return null;
  return {title: n.querySelector('h1')?.textContent, scrollY: window.scrollY,
          scripts: n.querySelectorAll('script').length,
          handlers: n.querySelectorAll('[onclick],[onerror],[onload]').length,
          headings: [...n.querySelectorAll('h2[id]')].map(h => h.id), pre: n.querySelectorAll('pre').length,
          color: getComputedStyle(n).color, background: getComputedStyle(n).backgroundColor};
})()"""


PANEL = PANEL.replace("LOOK_P", LOOK.replace("ROOT", "p"))
VIEW = VIEW.replace("LOOK_V", LOOK.replace("ROOT", "v"))


def when(probe: str, condition: str) -> str:
    """`probe`, answering null until the JS `condition` holds (it may use the probe's variables)."""
    return probe.replace("return {", f"if (!({condition})) return null; return {{", 1)


def truth(col: Any) -> dict[str, Any]:
    """The same figures straight from the collection (Anki's searches and plain SQL)."""
    kbdeck = '(note:"kbdeck Basic" OR note:"kbdeck Cloze")'
    cutoff = col.sched.day_cutoff
    reviews, passed = col.db.first(
        "select count(), coalesce(sum(ease > 1), 0) from revlog where type = 1 and ease between 1 and 4 and id >= ?",
        (cutoff - 30 * 86400) * 1000,
    )
    return {
        "total": len(col.find_cards(kbdeck)),
        "new": len(col.find_cards(f"{kbdeck} is:new -is:suspended")),
        "seen": len(col.find_cards(f"{kbdeck} -is:new")),
        "due": len(col.find_cards(f"{kbdeck} is:due")),
        "suspended": len(col.find_cards(f"{kbdeck} is:suspended")),
        "notes": len(col.find_notes(kbdeck)),
        "answers_today": col.db.scalar(
            "select count() from revlog where ease between 1 and 4 and id >= ?", (cutoff - 86400) * 1000
        ),
        "reviews": reviews,
        "passed": passed,
    }


VIEWER = """(() => {
  const v = document.getElementById('kbdeck-viewer');
  const n = document.querySelector('.kbdeck-note');
  if (!v || !n) return null;
  const t = n.querySelector('.kb-target');
  const nav = v.querySelector('.kb-nav');
  return {kb: v.dataset.kb, topic: v.dataset.topic, anchor: v.dataset.anchor,
          target: t ? t.id : null, targetTag: t ? t.tagName : null,
          targetTop: t ? Math.round(t.getBoundingClientRect().top) : null,
          navBottom: nav ? Math.round(nav.getBoundingClientRect().bottom) : null, scrollY: window.scrollY,
          pills: [...v.querySelectorAll('.kb-pills [data-topic], .kb-pills .kb-current')].map(
            p => p.dataset.topic || 'current'),
          current: v.querySelector('.kb-pill.kb-current')?.textContent || null,
          edit: !!v.querySelector('button[data-kbdeck=edit]'),
          scripts: n.querySelectorAll('script').length,
          title: n.querySelector('h1')?.textContent};
})()"""

SUMMARY = """(() => {
  const s = document.getElementById('kbdeck-update');
  if (!s) return null;
  return {data: Object.assign({}, s.dataset), text: s.innerText,
          rows: [...s.querySelectorAll('tr[data-row]')].map(r => [r.dataset.row, Number(r.dataset.count)]),
          warnings: [...s.querySelectorAll('[data-warning]')].map(w => w.dataset.warning),
          edited: [...s.querySelectorAll('[data-warning=edited] code')].map(c => c.textContent)};
})()"""

CARD_LINK = """(() => {
  const a = document.querySelector('#qa a[data-kbdeck-src], a[data-kbdeck-src]');
  if (!a) return null;
  const r = a.getBoundingClientRect();
  return {src: a.dataset.kbdeckSrc, href: a.getAttribute('href'), visible: r.width > 0 && r.height > 0,
          addon: document.documentElement.classList.contains('kbdeck-addon')};
})()"""


def scheduling(col: Any) -> dict[str, list[int]]:
    """Every card's scheduling state (JSON keys are strings)."""
    rows = col.db.all("select id, type, queue, ivl, due, reps, lapses, factor, left from cards")
    return {str(row[0]): list(row[1:]) for row in rows}

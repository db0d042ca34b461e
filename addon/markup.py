"""Small HTML building blocks shared by the panel and the full view: escaping, bars, buttons.

Every value that enters HTML goes through `esc`/`attrs` here (bundle text is untrusted), and
buttons carry their command in `data-kbdeck*` attributes that `web/kbdeck.js` turns into
`pycmd("kbdeck:...")` messages: no inline JavaScript, no value ever spliced into a script.
"""

from __future__ import annotations

import html

from .i18n import Translator
from .report import Counts

SEGMENTS = ("new", "learning", "young", "mature", "suspended")


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def attrs(**values: object) -> str:
    """` name="value"` pairs, escaped; `data_x` becomes `data-x`; None values are left out."""
    return "".join(f' {k.replace("_", "-")}="{esc(v)}"' for k, v in values.items() if v is not None)


def count_attrs(c: Counts) -> str:
    """The numbers of a row as data attributes, for tests and for anyone scripting the page."""
    return attrs(
        data_total=c.total,
        data_new=c.new,
        data_learning=c.learning,
        data_young=c.young,
        data_mature=c.mature,
        data_suspended=c.suspended,
        data_seen=c.seen,
        data_due=c.due,
        data_reviews=c.reviews,
        data_passed=c.passed,
    )


def state_bar(c: Counts, tr: Translator, *, slim: bool = False) -> str:
    """A stacked bar new | learning | young | mature | suspended; each part has a tooltip."""
    parts = []
    if c.total:
        for name in SEGMENTS:
            n = getattr(c, name)
            if n:
                width = 100.0 * n / c.total
                tip = f"{tr('state_' + name)}: {tr.num(n)} ({tr.pct(width)})"
                parts.append(f'<span class="kb-seg kb-{name}" style="width:{width:.3f}%"{attrs(title=tip)}></span>')
    cls = "kb-bar kb-slim" if slim else "kb-bar"
    return f'<div class="{cls}" role="img"{attrs(aria_label=_bar_label(c, tr))}>{"".join(parts)}</div>'


def _bar_label(c: Counts, tr: Translator) -> str:
    return ", ".join(f"{tr('state_' + name)} {tr.num(getattr(c, name))}" for name in SEGMENTS)


def legend(c: Counts, tr: Translator) -> str:
    items = "".join(
        f'<span class="kb-legend-item"><span class="kb-swatch kb-{name}"></span>{esc(tr("state_" + name))} '
        f"<b>{tr.num(getattr(c, name))}</b></span>"
        for name in SEGMENTS
    )
    return f'<div class="kb-legend">{items}</div>'


def button(label: str, command: str, *, primary: bool = False, title: str | None = None, **data: str) -> str:
    """A button that sends `kbdeck:<command>:<json of data>` when clicked (see web/kbdeck.js)."""
    cls = "kb-btn kb-primary" if primary else "kb-btn"
    data_attrs = attrs(**{f"data_{k}": v for k, v in data.items()})
    command_attrs = attrs(data_kbdeck=command, title=title)
    return f'<button type="button" class="{cls}"{command_attrs}{data_attrs}>{esc(label)}</button>'


def pct_bar(value: float, *, kind: str = "seen") -> str:
    """A thin single-value bar (0–100)."""
    width = max(0.0, min(100.0, value))
    return f'<div class="kb-mini"><span class="kb-mini-fill kb-{kind}" style="width:{width:.2f}%"></span></div>'


def stats_line(c: Counts, tr: Translator, *, fsrs: bool, retention_days: int) -> str:
    """The line "42% seen · 10% mature · 35 due today · retention 87%" (+ retrievability with FSRS)."""
    items = [
        tr("seen", pct=tr.pct(c.pct_seen)),
        tr("mature_pct", pct=tr.pct(c.pct_mature)),
        tr("due_today", n=c.due),
        tr("retention", pct=tr.pct(c.retention)) if c.retention is not None else tr("retention_none", n=retention_days),
    ]
    if fsrs and c.retrievability is not None:
        items.append(tr("retrievability", pct=tr.pct(c.retrievability)))
    return '<div class="kb-stats">' + " · ".join(f"<span>{esc(i)}</span>" for i in items) + "</div>"

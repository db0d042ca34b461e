"""Small HTML building blocks shared by the panel and the full view: escaping, bars, buttons.

Every value that enters HTML goes through `esc`/`attrs` here (bundle text is untrusted), and
buttons carry their command in `data-kbdeck*` attributes that `web/kbdeck.js` turns into
`pycmd("kbdeck:...")` messages: no inline JavaScript, no value ever spliced into a script.
"""

from __future__ import annotations

import html

from ..data.i18n import Translator
from ..data.report import Counts

SEGMENTS = ("new", "learning", "young", "mature", "suspended")
"""Card states, in the legend's order."""
BAR_ORDER = ("mature", "young", "learning", "new", "suspended")
"""The bar fills from the left with what the learner achieved; new cards are the empty track left
over (never a colour: a fresh deck's bar must look empty, not complete); suspended ones sit apart
at the right end."""
FILLED = frozenset({"mature", "young", "learning"})
"""Segments that show the learner's progress (class `kb-fill`)."""


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
        data_answered=c.answered,
        data_notes=c.notes,
    )


def state_bar(c: Counts, tr: Translator, *, slim: bool = False) -> str:
    """A stacked bar mature | young | learning | (new: the empty track) | suspended; each part has a tooltip."""
    parts = []
    if c.total:
        for name in BAR_ORDER:
            n = getattr(c, name)
            if n:
                width = 100.0 * n / c.total
                tip = f"{tr('state_' + name)}: {tr.num(n)} ({tr.pct(width)})"
                cls = f"kb-seg kb-{name} kb-fill" if name in FILLED else f"kb-seg kb-{name}"
                parts.append(f'<span class="{cls}" style="width:{width:.3f}%"{attrs(title=tip)}></span>')
    cls = "kb-bar kb-slim" if slim else "kb-bar"
    return f'<div class="{cls}" role="img"{attrs(aria_label=_bar_label(c, tr))}>{"".join(parts)}</div>'


def _bar_label(c: Counts, tr: Translator) -> str:
    return ", ".join(f"{tr('state_' + name)} {tr.num(getattr(c, name))}" for name in SEGMENTS)


def legend(c: Counts, tr: Translator) -> str:
    """The bar's key, in the bar's order (new cards: an empty swatch, like the track they are)."""
    items = "".join(
        f'<span class="kb-legend-item"><span class="kb-swatch kb-{name}"></span>{esc(tr("state_" + name))} '
        f"<b>{tr.num(getattr(c, name))}</b></span>"
        for name in BAR_ORDER
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
        f"<span>{esc(tr('seen', pct=tr.pct(c.pct_seen)))}</span>",
        f"<span>{esc(tr('mature_pct', pct=tr.pct(c.pct_mature)))}</span>",
        f"<span>{esc(tr('due_today', n=c.due))}</span>",
        retention(c, tr, retention_days),
    ]
    if fsrs and c.retrievability is not None:
        items.append(f"<span>{esc(tr('retrievability', pct=tr.pct(c.retrievability)))}</span>")
    return '<div class="kb-stats">' + " · ".join(items) + "</div>"


def retention(c: Counts, tr: Translator, retention_days: int) -> str:
    """Retention, or why there is none yet: it needs review answers, and learning steps are not reviews.

    "No reviews" is said only to someone who answered nothing in the window although cards were
    seen (a break); before the first review it is "no data yet", with a hint (issue 17).
    """
    if c.retention is not None:
        return f'<span data-retention="{c.retention:.1f}">{esc(tr("retention", pct=tr.pct(c.retention)))}</span>'
    if c.answered or not c.seen:
        tip = tr("retention_learning_tip", n=c.answered) if c.answered else tr("retention_first_tip")
        return (
            f'<span data-retention="none"{attrs(title=tip)}>{esc(tr("retention_no_data"))} '
            f'<span class="kb-hint">{esc(tr("retention_hint"))}</span></span>'
        )
    return f'<span data-retention="none">{esc(tr("retention_none", n=retention_days))}</span>'

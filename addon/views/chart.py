"""The "cards studied per day" chart as inline SVG: no JavaScript, no external library.

Colours come from CSS classes (`kb-chart-*` in web/kbdeck.css), so the same markup follows
Anki's light and dark themes. Pure function of the numbers, easy to snapshot in tests.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from ..data.i18n import Translator
from .markup import esc

WIDTH, HEIGHT = 640, 150
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 34, 8, 10, 22
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day_label(epoch: float, tr: Translator) -> str:
    """Short date of a day: "Nov 3" (en) or "3/11" (pt-BR)."""
    t = time.localtime(epoch)
    return f"{t.tm_mday}/{t.tm_mon:02d}" if tr.lang == "pt-BR" else f"{_MONTHS_EN[t.tm_mon - 1]} {t.tm_mday}"


def nice_max(value: int) -> int:
    """Smallest 1/2/5 × 10^k not below `value` (at least 5): the top of the y axis."""
    step = 1
    while True:
        for m in (1, 2, 5):
            if m * step >= max(value, 5):
                return m * step
        step *= 10


def render_chart(daily: Sequence[int], day_cutoff: int, tr: Translator) -> str:
    """Bars of answers per day, oldest first (the last bar is today, which ends at `day_cutoff`)."""
    n = len(daily)
    if n == 0:
        return ""
    top = nice_max(max(daily))
    plot_w, plot_h = WIDTH - PAD_LEFT - PAD_RIGHT, HEIGHT - PAD_TOP - PAD_BOTTOM
    slot = plot_w / n
    bar_w = max(1.0, slot * 0.72)
    out = [
        f'<svg class="kb-chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" preserveAspectRatio="xMidYMid meet" '
        f'role="img" aria-label="{esc(tr("chart_title", n=n))}">'
    ]
    for frac in (0.0, 0.5, 1.0):
        y = PAD_TOP + plot_h * (1 - frac)
        out.append(f'<line class="kb-chart-grid" x1="{PAD_LEFT}" x2="{WIDTH - PAD_RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        out.append(
            f'<text class="kb-chart-axis" x="{PAD_LEFT - 5}" y="{y + 4:.1f}" text-anchor="end">'
            f"{esc(tr.num(top * frac))}</text>"
        )
    for i, value in enumerate(daily):
        day_start = day_cutoff - (n - i) * 86400
        label = tr("chart_today") if i == n - 1 else day_label(day_start + 43200, tr)
        h = plot_h * value / top
        x = PAD_LEFT + i * slot + (slot - bar_w) / 2
        cls = "kb-chart-bar kb-chart-today" if i == n - 1 else "kb-chart-bar"
        out.append(
            f'<rect class="{cls}" x="{x:.1f}" y="{PAD_TOP + plot_h - h:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
            f'rx="1.5" data-day="{i}" data-value="{value}"><title>{esc(label)}: '
            f"{esc(tr('chart_total', n=value))}</title></rect>"
        )
    for i in sorted({0, n // 2, n - 1}):
        day_start = day_cutoff - (n - i) * 86400
        label = tr("chart_today") if i == n - 1 else day_label(day_start + 43200, tr)
        x = PAD_LEFT + i * slot + slot / 2
        anchor = "end" if i == n - 1 else ("start" if i == 0 else "middle")
        out.append(
            f'<text class="kb-chart-axis" x="{x:.1f}" y="{HEIGHT - 6}" text-anchor="{anchor}">{esc(label)}</text>'
        )
    out.append("</svg>")
    return "".join(out)

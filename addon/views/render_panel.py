"""The compact panel under Anki's deck list: one overall bar, the current day and the next topic.

A pure function of the report (no Anki calls), so the deck browser can render it on the UI
thread in well under a millisecond and tests can snapshot it. The element keeps the id
`kbdeck-panel`, which `web/kbdeck.js` replaces in place when a fresh report arrives.
"""

from __future__ import annotations

from ..data.i18n import Translator
from ..data.report import KbProgress, Report
from .markup import attrs, button, count_attrs, esc, state_bar, stats_line

PANEL_ID = "kbdeck-panel"


def render_placeholder(tr: Translator) -> str:
    """What the deck list shows until the first report arrives (computed in the background)."""
    return f'<div id="{PANEL_ID}" class="kbdeck kb-panel kb-loading"><span>{esc(tr("computing"))}</span></div>'


def render_panel(report: Report, tr: Translator, *, retention_days: int = 30) -> str:
    if not report.kbs:
        return _empty(report, tr)
    body = "".join(_kb(kb, tr, retention_days) for kb in report.kbs)
    return f'<div id="{PANEL_ID}" class="kbdeck kb-panel"{attrs(data_kbs=len(report.kbs))}>{body}</div>'


def _empty(report: Report, tr: Translator) -> str:
    text = tr("kb_without_cards") if report.bundles_found else tr("no_kb_title")
    return (
        f'<div id="{PANEL_ID}" class="kbdeck kb-panel kb-empty" data-kbs="0">'
        f'<div class="kb-head"><span class="kb-title">{esc(text)}</span></div>'
        f'<div class="kb-help">{tr("no_kb_help")}</div></div>'
    )


def _kb(kb: KbProgress, tr: Translator, retention_days: int) -> str:
    info = kb.bundle.kb
    c = kb.counts
    head = (
        f'<div class="kb-head"><span class="kb-title">{esc(info.title)}</span>'
        f'<span class="kb-count">{esc(tr("cards_n", n=c.total))}</span>'
        f"{button(tr('open_view'), 'view', kb=info.id)}</div>"
    )
    lines = [head, state_bar(c, tr), stats_line(c, tr, fsrs=kb.fsrs, retention_days=retention_days)]
    if kb.current_day is None:
        lines.append(f'<div class="kb-next kb-done">{esc(tr("roadmap_done"))}</div>')
    else:
        day = kb.current_day
        week_title = day.week.title.split(" —")[0]
        lines.append(
            f'<div class="kb-row"><span class="kb-label">{esc(tr("current_day"))}</span>'
            f'<span class="kb-day"{attrs(data_day=day.day.id)}>{esc(week_title)} › {esc(day.day.title)}</span>'
            f'<span class="kb-dim">{esc(tr("topics_of_day", done=day.topics_studied, n=len(day.topics)))}'
            "</span></div>"
        )
    if kb.next_topic is not None:
        t = kb.next_topic.topic
        actions = button(tr("study_now"), "study", primary=True, kb=info.id, topic=t.id)
        if t.note:
            actions += button(tr("open_note"), "note", kb=info.id, topic=t.id)
        lines.append(
            f'<div class="kb-row"><span class="kb-label">{esc(tr("next_topic"))}</span>'
            f'<span class="kb-topic"{attrs(data_topic=t.id)}>{esc(t.title)}</span>'
            f'<span class="kb-actions">{actions}</span></div>'
        )
    return f'<div class="kb-panel-kb"{attrs(data_kb=info.id)}{count_attrs(c)}>{"".join(lines)}</div>'

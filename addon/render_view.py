"""The full progress view: counters, chart, and the roadmap tree weeks → days → topics.

A pure function of the report. Collapsing uses native `<details>` (no script); actions are
`data-kbdeck` buttons handled by web/kbdeck.js. Every number also sits in `data-*` attributes
so the real-Anki tests can compare the page with SQL truth.
"""

from __future__ import annotations

import time

from .chart import render_chart
from .i18n import Translator
from .markup import attrs, button, count_attrs, esc, legend, pct_bar, state_bar, stats_line
from .mock_plan import MockResult
from .report import Counter, Counts, DayProgress, KbProgress, Report, TopicProgress

VIEW_ID = "kbdeck-view"
MAX_HISTORY_SHOWN = 5


def render_view(report: Report, tr: Translator, *, retention_days: int = 30, study_deck: str = "") -> str:
    parts = [f'<div id="{VIEW_ID}" class="kbdeck kb-view"{attrs(data_kbs=len(report.kbs))}>']
    updated = tr("updated", ms=round(report.read_ms + report.compute_ms))
    parts.append(
        f'<div class="kb-toolbar"><span class="kb-dim">{esc(updated)}</span>'
        f"{button(tr('menu_update'), 'update', title=tr('update_tip'))}{button(tr('refresh'), 'refresh')}</div>"
    )
    if not report.kbs:
        text = tr("kb_without_cards") if report.bundles_found else tr("no_kb_title")
        parts.append(f'<div class="kb-empty"><h2>{esc(text)}</h2><p>{tr("no_kb_help")}</p></div>')
    for kb in report.kbs:
        parts.append(_kb(kb, report, tr, retention_days, study_deck))
    if report.problems:  # a bad bundle (e.g. from a shared deck) is worth a note, not the top of the page
        items = "".join(f"<li>{esc(p)}</li>" for p in report.problems[:20])
        parts.append(f'<div class="kb-warning"><b>{esc(tr("problems_title"))}</b><ul>{items}</ul></div>')
    parts.append(_definitions(tr, retention_days))
    parts.append("</div>")
    return "".join(parts)


def _kb(kb: KbProgress, report: Report, tr: Translator, retention_days: int, study_deck: str) -> str:
    info = kb.bundle.kb
    c = kb.counts
    out = [f'<section class="kb-kb"{attrs(data_kb=info.id, data_generation=kb.bundle.generation)}{count_attrs(c)}>']
    out.append(f'<h1>{esc(info.title)} <span class="kb-dim">{esc(tr("cards_n", n=c.total))}</span></h1>')
    out.append(state_bar(c, tr))
    out.append(legend(c, tr))
    out.append(stats_line(c, tr, fsrs=kb.fsrs, retention_days=retention_days))
    if c.missing:
        out.append(f'<div class="kb-warning">{esc(tr("missing_cards", n=c.missing))}</div>')
    out.append('<div class="kb-grid">')
    out.append(_counters(kb, tr))
    out.append(
        f'<div class="kb-card kb-chart-card"><h3>{esc(tr("chart_title", n=report.chart_days))}</h3>'
        f'<div class="kb-dim">{esc(tr("chart_total", n=sum(kb.daily)))}</div>'
        f"{render_chart(kb.daily, report.day_cutoff, tr)}</div>"
    )
    out.append("</div>")
    out.append(_next(kb, tr, study_deck))
    for week in kb.weeks:
        wc = week.counts
        out.append(
            f'<details class="kb-week" open{attrs(data_week=week.week.id)}{count_attrs(wc)}><summary>'
            f'<span class="kb-name">{esc(week.week.title)}</span>{state_bar(wc, tr, slim=True)}'
            f'<span class="kb-num kb-dim">{esc(tr("seen", pct=tr.pct(wc.pct_seen)))}</span></summary>'
        )
        for day in week.days:
            out.append(_day(day, kb, tr, study_deck))
        out.append("</details>")
    if kb.other_topics:
        out.append(f'<details class="kb-week kb-other" open><summary><span class="kb-name">{esc(tr("other_topics"))}')
        out.append(f"</span></summary>{_topics_table(kb.other_topics, kb, tr, study_deck)}</details>")
    if kb.bundle.mock_interviews:
        out.append(_mocks(kb, tr))
    out.append("</section>")
    return "".join(out)


def _counters(kb: KbProgress, tr: Translator) -> str:
    rows = [
        ("counter_topics", kb.topics_studied, "topics"),
        ("counter_flashcards", kb.flashcards, "flashcards"),
        ("counter_examples", kb.examples, "examples"),
        ("counter_mocks", kb.mock_interviews, "mocks"),
    ]
    # a counter the knowledge base has nothing of (no examples, no mock interviews) is not shown: a full
    # bar for "0 of 0" reads as an achievement
    items = "".join(
        _counter(tr(key), counter, name, tr) for key, counter, name in rows if counter.have or counter.target
    )
    note = f'<div class="kb-note-small kb-dim">{esc(tr("def_studied"))}</div>'
    return f'<div class="kb-card kb-counters"><h3>{esc(tr("counters"))}</h3>{items}{note}</div>'


def _counter(label: str, counter: Counter, name: str, tr: Translator) -> str:
    pct = 100.0 * counter.have / counter.target if counter.target else 100.0
    done = " kb-met" if counter.target and counter.have >= counter.target else ""
    return (
        f'<div class="kb-counter{done}"{attrs(data_counter=name, data_have=counter.have, data_target=counter.target)}>'
        f'<div class="kb-counter-line"><span>{esc(label)}</span><span><b>{esc(tr.num(counter.have))}</b>'
        f' <span class="kb-dim">/ {esc(tr("of_target", n=counter.target))}</span></span></div>'
        f"{pct_bar(pct, kind='target')}</div>"
    )


def _next(kb: KbProgress, tr: Translator, study_deck: str) -> str:
    if kb.current_day is None or kb.next_topic is None:
        return f'<div class="kb-callout kb-done"><span class="kb-done-text">{esc(tr("roadmap_done"))}</span></div>'
    day, t = kb.current_day, kb.next_topic.topic
    studied = tr("topics_of_day", done=day.topics_studied, n=len(day.topics))
    return (
        f'<div class="kb-callout"><span class="kb-label">{esc(tr("current_day"))}</span>'
        f'<span>{esc(day.week.title)} › <b>{esc(day.day.title)}</b> <span class="kb-dim">{esc(studied)}</span></span>'
        f'<span class="kb-label">{esc(tr("next_topic"))}</span>'
        f"<span><b>{esc(t.title)}</b> {_actions(kb, kb.next_topic, tr, study_deck)}</span></div>"
    )


def _day(day: DayProgress, kb: KbProgress, tr: Translator, study_deck: str) -> str:
    dc = day.counts
    current = kb.current_day is not None and kb.current_day.day.id == day.day.id
    cls = "kb-day kb-current" if current else ("kb-day kb-complete" if day.done else "kb-day")
    date = f' <span class="kb-dim">{esc(day.day.date)}</span>' if day.day.date else ""
    return (
        f'<details class="{cls}"{" open" if current or not day.done else ""}{attrs(data_day=day.day.id)}'
        f"{count_attrs(dc)}><summary>"
        f'<span class="kb-name">{esc(day.day.title)}{date}</span>{state_bar(dc, tr, slim=True)}'
        f'<span class="kb-num kb-dim">{esc(tr("topics_of_day", done=day.topics_studied, n=len(day.topics)))}'
        f"</span></summary>{_topics_table(day.topics, kb, tr, study_deck)}</details>"
    )


# Column widths (%), fixed so that the tables of every day line up; the action buttons get the rest.
_COLUMNS = [("col_topic", 26), ("col_cards", 6), ("", 14), ("col_seen", 7), ("col_mature", 8), ("col_due", 6)]
_COLUMNS_FSRS = [("col_topic", 23), ("col_cards", 6), ("", 11), ("col_seen", 7), ("col_mature", 8), ("col_due", 6)]


def _topics_table(topics: tuple[TopicProgress, ...], kb: KbProgress, tr: Translator, study_deck: str) -> str:
    columns = (
        [*_COLUMNS_FSRS, ("col_retention", 8), ("col_retrievability", 8)]
        if kb.fsrs
        else [*_COLUMNS, ("col_retention", 8)]
    )
    actions = 100 - sum(w for _, w in columns)
    cols = "".join(f'<col style="width:{w}%">' for _, w in columns) + f'<col style="width:{actions}%">'
    ths = "".join(f"<th>{esc(tr(h)) if h else ''}</th>" for h, _ in columns) + "<th></th>"
    rows = "".join(_topic_row(tp, kb, tr, study_deck) for tp in topics)
    return (
        f'<table class="kb-topics"><colgroup>{cols}</colgroup><thead><tr>{ths}</tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )


def _topic_row(tp: TopicProgress, kb: KbProgress, tr: Translator, study_deck: str) -> str:
    c: Counts = tp.counts
    t = tp.topic
    mark = '<span class="kb-check" title="✓">✓</span>' if tp.studied else ""
    cells = [
        f'<td class="kb-tname">{mark}<span{attrs(title=t.summary or None)}>{esc(t.title)}</span></td>',
        f'<td class="kb-num">{esc(tr.num(c.total))}</td>',
        f'<td class="kb-barcell">{state_bar(c, tr, slim=True)}</td>',
        f'<td class="kb-num">{esc(tr.pct(c.pct_seen))}</td>',
        f'<td class="kb-num">{esc(tr.pct(c.pct_mature))}</td>',
        f'<td class="kb-num">{esc(tr.num(c.due))}</td>',
        f'<td class="kb-num">{esc(tr.pct(c.retention))}</td>',
    ]
    if kb.fsrs:
        cells.append(f'<td class="kb-num">{esc(tr.pct(c.retrievability))}</td>')
    cells.append(f'<td class="kb-actions">{_actions(kb, tp, tr, study_deck, primary=False)}</td>')
    cls = "kb-topic kb-studied" if tp.studied else "kb-topic"
    return (
        f'<tr class="{cls}"{attrs(data_topic=t.id, data_studied=int(tp.studied))}{count_attrs(c)}>{"".join(cells)}</tr>'
    )


def _actions(kb: KbProgress, tp: TopicProgress, tr: Translator, study_deck: str, *, primary: bool = True) -> str:
    kb_id, t = kb.bundle.kb.id, tp.topic
    out = ""
    if tp.counts.total:
        tip = tr("study_now_tip", deck=study_deck)
        out += button(tr("study_now"), "study", primary=primary, title=tip, kb=kb_id, topic=t.id)
    if t.note:
        out += button(tr("open_note"), "note", kb=kb_id, topic=t.id)
    return out


def _mocks(kb: KbProgress, tr: Translator) -> str:
    items = []
    kb_id = kb.bundle.kb.id
    for m in kb.bundle.mock_interviews:
        done = m.id in kb.mocks_done
        history = kb.mock_history.get(m.id, ())
        start = button(tr("mock_start"), "mock-start", primary=not done, kb=kb_id, mock=m.id)
        if done:
            badge = f'<span class="kb-badge">✓ {esc(tr("done"))}</span>'
            action = badge + start + button(tr("undo_done"), "mock-undo", kb=kb_id, mock=m.id)
        else:
            action = start + button(tr("mark_done"), "mock-done", kb=kb_id, mock=m.id)
        items.append(
            f"<li{attrs(data_mock=m.id, data_done=int(done), data_results=len(history))}>"
            f'<div class="kb-mock-line"><span class="kb-name">{esc(m.title)}</span>'
            f'<span class="kb-dim">{esc(tr("mock_meta", n=len(m.sections), minutes=m.minutes))}</span>'
            f'<span class="kb-actions">{action}</span></div>{_history(history, tr)}</li>'
        )
    return f'<div class="kb-card kb-mocks"><h3>{esc(tr("mock_interviews"))}</h3><ul>{"".join(items)}</ul></div>'


def _history(results: tuple[MockResult, ...], tr: Translator) -> str:
    """The last results of a mock, newest first: date, overall pass rate, and each flashcard section's score."""
    if not results:
        return ""
    rows = []
    for r in reversed(results[-MAX_HISTORY_SHOWN:]):
        day = time.strftime("%Y-%m-%d", time.localtime(r.at))
        sections = " · ".join(
            f"{esc(s.title)} {f'{s.passed}/{s.answered}' if s.answered else '—'}" for s in r.sections if s.cards
        )
        rows.append(
            f'<li{attrs(data_at=r.at, data_answered=r.answered)}><span class="kb-date">{esc(day)}</span>'
            f'<b>{esc(tr.pct(r.pass_rate))}</b> <span class="kb-dim">{sections}'
            f" · {esc(tr('mock_minutes', minutes=r.minutes))}</span></li>"
        )
    return f'<ul class="kb-history" aria-label="{esc(tr("mock_history"))}">{"".join(rows)}</ul>'


def _definitions(tr: Translator, retention_days: int) -> str:
    keys = ("def_states", "def_seen", "def_retention", "def_retrievability", "def_studied")
    items = "".join(f"<li>{esc(tr(k, n=retention_days))}</li>" for k in keys)
    return f'<details class="kb-definitions"><summary>{esc(tr("legend"))}</summary><ul>{items}</ul></details>'

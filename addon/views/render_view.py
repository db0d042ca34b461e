"""The full progress view: today's step, the learner's study guide, the chart, and the roadmap tree.

A pure function of the report. What the learner did and what the author wrote stay apart: the
study guide counts the learner's topics, cards and mock interviews against the roadmap's own
size; the author's targets (notes, examples) are one plain line about the knowledge base, never
a progress bar. Only today's week and day are open; finished and future ones are one line each.
Collapsing uses native `<details>` (no script); actions are `data-kbdeck` buttons handled by
web/kbdeck.js. Every number also sits in `data-*` attributes so the real-Anki tests can compare
the page with SQL truth. Timings are the log's business, never the page's.
"""

from __future__ import annotations

import time

from ..data.i18n import Translator
from ..data.mock_plan import MockResult
from ..data.mock_state import ActiveMock
from ..data.mock_text import outcome
from ..data.report import Counter, Counts, DayProgress, KbProgress, Report, TopicProgress, WeekProgress, total
from .chart import render_chart
from .markup import attrs, button, count_attrs, esc, legend, pct_bar, state_bar, stats_line

VIEW_ID = "kbdeck-view"
MAX_HISTORY_SHOWN = 5


def render_view(report: Report, tr: Translator, *, retention_days: int = 30, study_deck: str = "") -> str:
    parts = [f'<div id="{VIEW_ID}" class="kbdeck kb-view"{attrs(data_kbs=len(report.kbs))}>']
    parts.append(
        f'<div class="kb-toolbar">{button(tr("menu_update"), "update", title=tr("update_tip"))}'
        f"{button(tr('refresh'), 'refresh')}</div>"
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
    size = f"{tr('cards_n', n=c.total)} ({tr('notes_n', n=c.notes)})"
    out.append(f'<h1>{esc(info.title)} <span class="kb-dim">{esc(size)}</span></h1>')
    out.append(_today(kb, tr, study_deck))
    out.append(state_bar(c, tr))
    out.append(legend(c, tr))
    out.append(stats_line(c, tr, fsrs=kb.fsrs, retention_days=retention_days))
    if c.missing:
        out.append(f'<div class="kb-warning">{esc(tr("missing_cards", n=c.missing))}</div>')
    out.append('<div class="kb-grid">')
    out.append(_guide(kb, tr))
    out.append(
        f'<div class="kb-card kb-chart-card"><h3>{esc(tr("chart_title", n=report.chart_days))}</h3>'
        f'<div class="kb-dim">{esc(tr("chart_total", n=sum(kb.daily)))}</div>'
        f"{render_chart(kb.daily, report.day_cutoff, tr)}</div>"
    )
    out.append("</div>")
    out.append(_about(kb, tr))
    for week in kb.weeks:
        out.append(_week(week, kb, tr, study_deck))
    if kb.bundle.mock_interviews:
        out.append(_mocks(kb, tr, report.active_mock))
    if kb.mock_topics:
        out.append(_mock_problems(kb, tr, study_deck))
    if kb.other_topics:
        out.append(
            f'<details class="kb-week kb-other" data-section="other"><summary><span class="kb-name">'
            f"{esc(tr('other_topics'))}</span></summary>{_topics_table(kb.other_topics, kb, tr, study_deck)}</details>"
        )
    out.append("</section>")
    return "".join(out)


def _today(kb: KbProgress, tr: Translator, study_deck: str) -> str:
    """The first thing on the page: where the learner is and what to do now."""
    c = kb.counts
    head = (
        f'<div class="kb-today-head"><span class="kb-today-title">{esc(tr("today"))}</span>'
        f'<span class="kb-dim">{esc(tr("due_today", n=c.due))} · '
        f"{esc(tr('studied_today', n=kb.answers_today))}</span></div>"
    )
    data = attrs(data_due=c.due, data_answers_today=kb.answers_today)
    rows = [head]
    if kb.current_day is None:
        rows.append(f'<span class="kb-done-text">{esc(tr("roadmap_done"))}</span>')
    else:
        day = kb.current_day
        studied = tr("topics_of_day", done=day.topics_studied, n=len(day.topics))
        rows.append(
            f'<span class="kb-label">{esc(tr("current_day"))}</span><span{attrs(data_day=day.day.id)}>'
            f'{esc(day.week.title)} › <b>{esc(day.day.title)}</b> <span class="kb-dim">{esc(studied)}</span></span>'
        )
    if kb.next_topic is not None:
        tp = kb.next_topic
        rows.append(
            f'<span class="kb-label">{esc(tr("next_topic"))}</span><span{attrs(data_topic=tp.topic.id)}>'
            f"<b>{esc(tp.topic.title)}</b> {_actions(kb, tp, tr, study_deck)}</span>"
        )
    cls = "kb-callout kb-today kb-done" if kb.current_day is None else "kb-callout kb-today"
    return f'<div class="{cls}"{data}>{"".join(rows)}</div>'


def _guide(kb: KbProgress, tr: Translator) -> str:
    """The learner's study guide: topics studied, cards seen, mock interviews done, each of the roadmap's own."""
    c = kb.counts
    rows = [("counter_topics", kb.topics_studied, "topics"), ("counter_seen", Counter(c.seen, c.total), "seen")]
    if kb.mock_interviews.target:
        rows.append(("counter_mocks", kb.mock_interviews, "mocks"))
    items = "".join(_counter(tr(key), counter, name, tr) for key, counter, name in rows)
    note = f'<div class="kb-note-small kb-dim">{esc(tr("def_studied"))}</div>'
    return f'<div class="kb-card kb-counters"><h3>{esc(tr("counters"))}</h3>{items}{note}</div>'


def _counter(label: str, counter: Counter, name: str, tr: Translator) -> str:
    pct = 100.0 * counter.have / counter.target if counter.target else 0.0
    return (
        f'<div class="kb-counter"{attrs(data_counter=name, data_have=counter.have, data_target=counter.target)}>'
        f'<div class="kb-counter-line"><span>{esc(label)}</span><span><b>{esc(tr.num(counter.have))}</b>'
        f' <span class="kb-dim">{esc(tr("of_n", n=counter.target))}</span></span></div>'
        f"{pct_bar(pct, kind='progress')}</div>"
    )


def _about(kb: KbProgress, tr: Translator) -> str:
    """The author's figures against the author's targets: plain text about the knowledge base, not progress."""
    items = []
    for name, counter, key in (("flashcards", kb.flashcards, "notes_written"), ("examples", kb.examples, "examples_n")):
        if counter.have or counter.target:  # "0 examples (goal 0)" says nothing
            goal = f" ({tr('author_goal', n=counter.target)})" if counter.target else ""
            data = attrs(data_counter=name, data_have=counter.have, data_target=counter.target)
            items.append(f"<span{data}>{esc(tr(key, n=counter.have) + goal)}</span>")
    if not items:
        return ""
    return (
        f'<div class="kb-about kb-dim"{attrs(title=tr("about_kb_tip"))}><span class="kb-label">'
        f"{esc(tr('about_kb'))}</span> {' · '.join(items)}</div>"
    )


def _week(week: WeekProgress, kb: KbProgress, tr: Translator, study_deck: str) -> str:
    """A week: open only when it holds the current day (finished and future weeks are one line)."""
    wc = week.counts
    current = kb.current_day is not None and kb.current_day.week.id == week.week.id
    studied = sum(d.topics_studied for d in week.days)
    n = sum(len(d.topics) for d in week.days)
    out = [
        f'<details class="kb-week"{" open" if current else ""}{attrs(data_week=week.week.id)}{count_attrs(wc)}>'
        f'<summary><span class="kb-name">{esc(week.week.title)}</span>{state_bar(wc, tr, slim=True)}'
        f'<span class="kb-num kb-dim">{esc(tr("topics_of_day", done=studied, n=n))}</span></summary>'
    ]
    out.extend(_day(day, kb, tr, study_deck) for day in week.days)
    out.append("</details>")
    return "".join(out)


def _day(day: DayProgress, kb: KbProgress, tr: Translator, study_deck: str) -> str:
    dc = day.counts
    current = kb.current_day is not None and kb.current_day.day.id == day.day.id
    cls = "kb-day kb-current" if current else ("kb-day kb-complete" if day.done else "kb-day")
    date = f' <span class="kb-dim">{esc(day.day.date)}</span>' if day.day.date else ""
    return (
        f'<details class="{cls}"{" open" if current else ""}{attrs(data_day=day.day.id)}'
        f"{count_attrs(dc)}><summary>"
        f'<span class="kb-name">{esc(day.day.title)}{date}</span>{state_bar(dc, tr, slim=True)}'
        f'<span class="kb-num kb-dim">{esc(tr("topics_of_day", done=day.topics_studied, n=len(day.topics)))}'
        f"</span></summary>{_topics_table(day.topics, kb, tr, study_deck)}</details>"
    )


def _mock_problems(kb: KbProgress, tr: Translator, study_deck: str) -> str:
    """The mock interviews' coding problems (topics no day lists), each row naming its mock interviews."""
    problems = total(tp.counts for tp in kb.mock_topics)
    studied = sum(tp.studied for tp in kb.mock_topics)
    return (
        f'<details class="kb-week kb-problems" data-section="mock-problems"{count_attrs(problems)}><summary>'
        f'<span class="kb-name">{esc(tr("problems_of_mocks"))}</span>{state_bar(problems, tr, slim=True)}'
        f'<span class="kb-num kb-dim">{esc(tr("topics_of_day", done=studied, n=len(kb.mock_topics)))}</span>'
        f"</summary>{_topics_table(kb.mock_topics, kb, tr, study_deck, of_mock=True)}</details>"
    )


# Column widths (%), fixed so that the tables of every day line up; the action buttons get the rest.
_COLUMNS = [("col_topic", 26), ("col_cards", 6), ("", 14), ("col_seen", 7), ("col_mature", 8), ("col_due", 6)]
_COLUMNS_FSRS = [("col_topic", 23), ("col_cards", 6), ("", 11), ("col_seen", 7), ("col_mature", 8), ("col_due", 6)]


def _topics_table(
    topics: tuple[TopicProgress, ...], kb: KbProgress, tr: Translator, study_deck: str, *, of_mock: bool = False
) -> str:
    """The topics' rows; `of_mock` names under each topic the mock interviews it is the coding problem of."""
    columns = (
        [*_COLUMNS_FSRS, ("col_retention", 8), ("col_retrievability", 8)]
        if kb.fsrs
        else [*_COLUMNS, ("col_retention", 8)]
    )
    actions = 100 - sum(w for _, w in columns)
    cols = "".join(f'<col style="width:{w}%">' for _, w in columns) + f'<col style="width:{actions}%">'
    ths = "".join(f"<th>{esc(tr(h)) if h else ''}</th>" for h, _ in columns) + "<th></th>"
    rows = "".join(
        _topic_row(tp, kb, tr, study_deck, context=", ".join(kb.mocks_of(tp.topic.id)) if of_mock else "")
        for tp in topics
    )
    return (
        f'<table class="kb-topics"><colgroup>{cols}</colgroup><thead><tr>{ths}</tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )


def _topic_row(tp: TopicProgress, kb: KbProgress, tr: Translator, study_deck: str, *, context: str = "") -> str:
    c: Counts = tp.counts
    t = tp.topic
    mark = '<span class="kb-check" title="✓">✓</span>' if tp.studied else ""
    under = f'<span class="kb-context kb-dim">{esc(context)}</span>' if context else ""
    cells = [
        f'<td class="kb-tname">{mark}<span{attrs(title=t.summary or None)}>{esc(t.title)}</span>{under}</td>',
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


def _mocks(kb: KbProgress, tr: Translator, active: ActiveMock | None = None) -> str:
    """Each mock with its state: in progress (Resume / Abandon), done, or not yet; and its last results.

    One mock runs at a time per collection: while one is in progress, the others' Start says which."""
    items = []
    kb_id = kb.bundle.kb.id
    for m in kb.bundle.mock_interviews:
        done = m.id in kb.mocks_done
        history = kb.mock_history.get(m.id, ())
        running = active is not None and (active.kb, active.mock) == (kb_id, m.id)
        if running and active is not None:
            where = tr("mock_where", done=active.taken, n=len(active.sections))
            state = "paused" if active.current < 0 or active.paused else "running"
            badge = f'<span class="kb-badge kb-in-progress">{esc(tr("mock_in_progress", where=where))}</span>'
            action = (
                badge
                + button(tr("mock_resume"), "mock-start", primary=True, kb=kb_id, mock=m.id)
                + button(tr("mock_abandon"), "mock-abandon", kb=kb_id, mock=m.id)
            )
        else:
            state = "done" if done else "todo"
            busy = tr("mock_other_running", mock=active.title) if active is not None else None
            start = button(
                tr("mock_start"), "mock-start", primary=not done and active is None, title=busy, kb=kb_id, mock=m.id
            )
            if done:
                badge = f'<span class="kb-badge">✓ {esc(tr("done"))}</span>'
                action = badge + start + button(tr("undo_done"), "mock-undo", kb=kb_id, mock=m.id)
            else:
                action = start + button(tr("mark_done"), "mock-done", kb=kb_id, mock=m.id)
        items.append(
            f"<li{attrs(data_mock=m.id, data_done=int(done), data_state=state, data_results=len(history))}>"
            f'<div class="kb-mock-line"><span class="kb-name">{esc(m.title)}</span>'
            f'<span class="kb-dim">{esc(tr("mock_meta", n=len(m.sections), minutes=m.minutes))}</span>'
            f'<span class="kb-actions">{action}</span></div>{_history(history, tr)}</li>'
        )
    return f'<div class="kb-card kb-mocks"><h3>{esc(tr("mock_interviews"))}</h3><ul>{"".join(items)}</ul></div>'


def _history(results: tuple[MockResult, ...], tr: Translator) -> str:
    """The last results of a mock, newest first: date, pass rate of the cards, each section's outcome
    (cards passed, a coding section's grade, or skipped), and whether every section was taken."""
    if not results:
        return ""
    rows = []
    for r in reversed(results[-MAX_HISTORY_SHOWN:]):
        day = time.strftime("%Y-%m-%d", time.localtime(r.at))
        sections = " · ".join(f"{esc(s.title)} {esc(outcome(s, tr))}" for s in r.sections)
        incomplete = "" if r.complete else f' <span class="kb-badge kb-incomplete">{esc(tr("mock_incomplete"))}</span>'
        rows.append(
            f"<li{attrs(data_at=r.at, data_answered=r.answered, data_complete=int(r.complete))}>"
            f'<span class="kb-date">{esc(day)}</span>'
            f'<b>{esc(tr.pct(r.pass_rate))}</b>{incomplete} <span class="kb-dim">{sections}'
            f" · {esc(tr('mock_minutes', minutes=r.minutes))}</span></li>"
        )
    return f'<ul class="kb-history" aria-label="{esc(tr("mock_history"))}">{"".join(rows)}</ul>'


def _definitions(tr: Translator, retention_days: int) -> str:
    keys = ("def_units", "def_states", "def_seen", "def_retention", "def_retrievability", "def_studied")
    items = "".join(f"<li>{esc(tr(k, n=retention_days))}</li>" for k in keys)
    return f'<details class="kb-definitions"><summary>{esc(tr("legend"))}</summary><ul>{items}</ul></details>'

"""What the mock timer says: its section list, hints and result lines, as small rich-text strings.

Pure (the translator is passed in), so the wording is tested without Qt; mock_timer.py only puts
these strings in its labels. Titles come from a bundle (untrusted): everything is escaped here.
"""

from __future__ import annotations

import html

from .i18n import Translator, anki_language, normalize
from .mock_plan import MockResult, SectionResult
from .mock_state import PENDING, RUNNING, SKIPPED, TAKEN, UNGRADED, ActiveMock

ICONS = {PENDING: "○", RUNNING: "▶", UNGRADED: "▶", TAKEN: "✓", SKIPPED: "–"}


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def section_line(active: ActiveMock, i: int, tr: Translator) -> str:
    """`▶ 1. Python (8 cards, 10 min)`, with what became of it (grade, skipped); the current one bold."""
    s = active.sections[i]
    if s.problem:
        what = tr("mock_section_problem")
    else:
        what = tr("mock_section_cards", n=len(s.cards)) if s.cards else tr("mock_section_empty")
    if s.grade:
        extra = f" — {tr('mock_outcome_' + s.grade)}"
    else:
        extra = f" — {tr('mock_skipped')}" if s.status == SKIPPED else ""
    detail = f"<span style='color:gray'>({esc(what)}, {s.minutes} min){esc(extra)}</span>"
    line = f"{ICONS[s.status]} {i + 1}. {esc(s.title)} {detail}"
    return f"<b>{line}</b>" if s.status in (RUNNING, UNGRADED) else line


def heading(active: ActiveMock, i: int) -> str:
    return f"<b>{i + 1}/{len(active.sections)} · {esc(active.sections[i].title)}</b>"


def hint(active: ActiveMock, i: int, tr: Translator, again: str) -> str:
    """What to do in the running section (plain text)."""
    s = active.sections[i]
    if s.problem:
        return tr("mock_hint_problem")
    if not s.deck_id:
        return tr("mock_section_empty")
    return tr("mock_hint_cards", again=again)


def outcome(s: SectionResult, tr: Translator) -> str:
    """What became of a finished section: "skipped", its grade (coding), or its cards passed/answered."""
    if s.status == "skipped":
        return tr("mock_skipped")
    if s.grade:
        return tr(f"mock_outcome_{s.grade}")  # in a sentence: the buttons' "Partly" reads "partly" here
    return f"{s.passed}/{s.answered}" if s.answered else "—"


def result_lines(result: MockResult, tr: Translator) -> list[str]:
    """The saved result: a head line, then each section's outcome (with the pass rate of its cards)."""
    lines = [f"<b>{esc(tr('mock_saved') if result.complete else tr('mock_saved_incomplete'))}</b>"]
    for s in result.sections:
        rate = f" ({tr.pct(s.pass_rate)})" if s.answered else ""
        lines.append(f"{esc(s.title)}: {esc(outcome(s, tr) + rate)}")
    return lines


def again_label(tr: Translator) -> str:
    """Anki's own name of the Again button ("De novo" in Anki pt-BR), when the add-on speaks Anki's language."""
    if normalize(anki_language()) == tr.lang:
        try:
            from aqt.utils import tr as anki_tr

            return str(anki_tr.studying_again())
        except Exception:  # no Anki UI (tests) or an Anki without this string: ours says the same
            pass
    return tr("again_button")

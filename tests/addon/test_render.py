"""Panel, full view and chart HTML: escaping, structure, the numbers in data attributes."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from addon_helpers import MATURE, NEW, YOUNG, guids, make_bundle

from addon.bridge import BadMessage, Command, parse_message
from addon.chart import nice_max, render_chart
from addon.i18n import Translator
from addon.progress import build_report
from addon.queries import AnswerRow, Snapshot, StateRow
from addon.render_panel import render_panel, render_placeholder
from addon.render_view import render_view
from addon.report import Report

EN, PT = Translator("en"), Translator("pt-BR")
ROADMAP = {"w1": {"d1": ["py/gil", "py/gc"]}, "w2": {"d2": ["db/pg"]}}
CARDS = {"py/gil": ["gil-1", "gil-2"], "py/gc": ["gc-1"], "db/pg": ["pg-1"]}


def report(bundle_kw: dict[str, object] | None = None, fsrs: bool = False) -> Report:
    b = make_bundle(ROADMAP, CARDS, mocks=("m1",), **(bundle_kw or {}))
    snap = Snapshot(
        [
            StateRow(YOUNG, 1, 1, 90 if fsrs else None, guids("gil-1", "gil-2")),
            StateRow(MATURE, 1, 0, None, guids("gc-1")),
            StateRow(NEW, 0, 0, None, guids("pg-1")),
        ],
        [AnswerRow(0, 1, 1, guids("gil-1")), AnswerRow(2, 1, 0, guids("gc-1"))],
        fsrs,
        100,
        1_800_000_000,
        30,
        {"kb": {"m1": 1}},
        2.0,
    )
    return build_report([b], snap, retention_days=30, chart_days=30)


class _Checker(HTMLParser):
    """Collects tags and fails on unbalanced non-void elements."""

    VOID = frozenset({"br", "hr", "img", "line", "input", "meta", "link", "col"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, (tag, self.stack[-5:])
        self.stack.pop()


def parse(markup: str) -> _Checker:
    checker = _Checker()
    checker.feed(markup)
    checker.close()
    assert checker.stack == [], checker.stack
    return checker


def test_the_panel_shows_the_overall_numbers_current_day_and_next_topic() -> None:
    html = render_panel(report(), EN)
    tags = parse(html).tags
    kb = next(a for t, a in tags if t == "div" and a.get("data-kb") == "kb")
    assert (kb["data-total"], kb["data-seen"], kb["data-due"]) == ("4", "3", "2")
    assert "75% seen" in html and "25% mature" in html and "2 due today" in html and "retention 50%" in html
    assert 'data-day="d2"' in html and 'data-topic="db/pg"' in html
    study = next(a for t, a in tags if t == "button" and a.get("data-kbdeck") == "study")
    assert (study["data-kb"], study["data-topic"]) == ("kb", "db/pg")


def test_the_panel_explains_how_to_get_a_deck_when_there_is_none() -> None:
    empty = Report(())
    html = render_panel(empty, EN)
    assert "kbdeck build" in html and "File → Import" in html
    assert "Arquivo → Importar" in render_panel(empty, PT)
    assert "kb-loading" in render_placeholder(EN)


def test_the_view_has_every_topic_with_its_numbers_and_actions() -> None:
    html = render_view(report(), EN, study_deck="kbdeck study")
    tags = parse(html).tags
    rows = {a["data-topic"]: a for t, a in tags if t == "tr" and "data-topic" in a}
    assert set(rows) == {"py/gil", "py/gc", "db/pg"}
    assert (rows["py/gil"]["data-total"], rows["py/gil"]["data-young"], rows["py/gil"]["data-studied"]) == (
        "2",
        "2",
        "1",
    )
    assert rows["db/pg"]["data-new"] == "1"
    counters = {a["data-counter"]: (a["data-have"], a["data-target"]) for t, a in tags if "data-counter" in a}
    assert counters == {"topics": ("2", "4"), "flashcards": ("4", "10"), "examples": ("0", "2"), "mocks": ("1", "1")}
    assert any(t == "svg" for t, _ in tags)
    assert sum(1 for t, a in tags if t == "button" and a.get("data-kbdeck") == "note") == 4  # 3 rows + next topic
    assert 'data-mock="m1" data-done="1"' in html
    assert "every card of it has been seen at least once" in html


def test_retrievability_appears_only_with_fsrs() -> None:
    assert "Retriev." not in render_view(report(), EN)
    html = render_view(report(fsrs=True), EN)
    assert "Retriev." in html and "avg. retrievability" in html


def test_untrusted_text_is_escaped_everywhere() -> None:
    evil = '<img src=x onerror="alert(1)">'
    rep = report({"title": evil})
    for html in (render_panel(rep, EN), render_view(rep, EN)):
        parse(html)
        assert "<img" not in html and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html


def test_portuguese_ui() -> None:
    html = render_view(report(), PT)
    assert "Tópicos estudados" in html and "Estudar agora" in html and "75% vistos" in html


def test_the_chart_is_inline_svg_with_one_bar_per_day() -> None:
    svg = render_chart([0] * 29 + [7], 1_800_000_000, EN)
    assert svg.startswith("<svg") and svg.count("<rect") == 30
    assert re.search(r'data-day="29" data-value="7"', svg)
    assert "today: 7 answers" in svg
    assert render_chart([], 0, EN) == ""
    assert [nice_max(v) for v in (0, 5, 6, 11, 99, 101, 4000)] == [5, 5, 10, 20, 100, 200, 5000]


@pytest.mark.parametrize(
    ("message", "command"),
    [
        ("kbdeck:view:", Command("view")),
        ('kbdeck:study:{"kb":"kb","topic":"py/gil"}', Command("study", "kb", "py/gil")),
        ('kbdeck:mock-done:{"kb":"kb","mock":"m1","extra":1}', Command("mock-done", "kb", mock="m1")),
        ("open:123", None),
        ("kbdeckish", None),
    ],
)
def test_bridge_messages(message: str, command: Command | None) -> None:
    assert parse_message(message) == command


@pytest.mark.parametrize(
    "message",
    [
        "kbdeck:rm-rf:{}",
        "kbdeck:study:not json",
        "kbdeck:study:[1]",
        'kbdeck:note:{"kb": 1}',
        "kbdeck:note:" + "x" * 999,
    ],
)
def test_bad_bridge_messages_are_rejected(message: str) -> None:
    with pytest.raises(BadMessage):
        parse_message(message)


def test_the_view_lists_each_mocks_results_newest_first_with_a_start_button() -> None:
    from addon.mock_plan import MockResult, SectionResult

    b = make_bundle(ROADMAP, CARDS, mocks=("m1",))
    results = (
        MockResult(1_700_000_000, 40, (SectionResult("<b>Py</b>", 8, 8, 6), SectionResult("DB", 8, 0, 0))),
        MockResult(1_700_900_000, 35, (SectionResult("Py", 8, 8, 8),)),
    )
    snap = Snapshot(
        [StateRow(NEW, 0, 0, None, guids("gil-1"))],
        [],
        False,
        100,
        1_800_000_000,
        30,
        {},
        1.0,
        (0, 0.0),
        {"kb": {"m1": results, "ghost": results}},
    )
    html = render_view(build_report([b], snap, retention_days=30, chart_days=30), EN)
    assert 'data-mock="m1" data-done="0" data-results="2"' in html
    assert 'data-kbdeck="mock-start"' in html and 'data-kbdeck="update"' in html
    history = re.findall(r'data-at="(\d+)"', html)
    assert history == ["1700900000", "1700000000"]
    assert "&lt;b&gt;Py&lt;/b&gt; 6/8 · DB —" in html and "100%" in html and "<b>Py" not in html


def test_the_update_summary_shows_every_count_and_what_undo_cannot_do() -> None:
    from addon.render_update import render_summary, short_summary
    from addon.update_op import UpdateSummary

    s = UpdateSummary(
        "Python Senior KB.apkg",
        "<KB>",
        5,
        4,
        new=1,
        updated=2,
        unchanged=300,
        moved=3,
        orphaned=1,
        tags_restored=1,
        edited=("id-<1>",),
        conflicting=2,
        held=1,
        media_trashed=4,
        notes={"new": (1,), "updated": (2, 3), "moved": (4,), "orphaned": (5,), "edited": (6,)},
    )
    html = render_summary(s, EN)
    assert 'data-new="1" data-updated="2" data-unchanged="300" data-moved="3" data-orphaned="1" data-edited="1"' in html
    assert html.count('data-kbdeck="browse"') == 5 and "&lt;KB&gt;" in html and "id-&lt;1&gt;" in html
    assert {"edited", "conflicting", "held"} <= set(re.findall(r'data-warning="(\w+)"', html))
    assert "4 superseded" in html and "build 4 → 5" in html
    assert "3 moved" in short_summary(s, EN) and "1 edited in Anki" in short_summary(s, EN)
    assert "movidas" in short_summary(s, PT)


def test_counters_a_knowledge_base_has_nothing_of_are_not_shown() -> None:
    """Issue 21: "Runnable examples 0/0" and "Mock interviews 0/0" showed as full bars."""
    b = make_bundle(ROADMAP, CARDS, targets={"topics": 3, "flashcards": 4, "examples": 0, "mock_interviews": 0})
    snap = Snapshot(
        [StateRow(NEW, 0, 0, None, guids("gil-1", "gil-2", "gc-1", "pg-1"))], [], False, 100, 1_800_000_000, 30, {}, 2.0
    )
    html = render_view(build_report([b], snap, retention_days=30, chart_days=30), EN)
    assert 'data-counter="topics"' in html and 'data-counter="flashcards"' in html
    assert 'data-counter="examples"' not in html and 'data-counter="mocks"' not in html
    full = render_view(report(), EN)  # targets of 2 examples and 1 mock: both shown
    assert 'data-counter="examples"' in full and 'data-counter="mocks"' in full


def test_take_build_is_a_command_of_our_pages_only() -> None:
    command = parse_message('kbdeck:take-build:{"what": "gil-1"}')
    assert command is not None and command.name == "take-build" and command.what == "gil-1"
    from addon.bridge import CARD_COMMANDS

    assert "take-build" not in CARD_COMMANDS  # a card page (deck content) can never ask for it

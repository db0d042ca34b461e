"""Panel, full view and chart HTML: escaping, structure, the numbers in data attributes."""

from __future__ import annotations

import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest
from addon_helpers import LEARNING, MATURE, NEW, YOUNG, guids, make_bundle

from addon.data.i18n import Translator
from addon.data.progress import build_report
from addon.data.queries import AnswerRow, Snapshot, StateRow
from addon.data.report import Counts, Report
from addon.views.bridge import BadMessage, Command, parse_message
from addon.views.chart import nice_max, render_chart
from addon.views.markup import state_bar, stats_line
from addon.views.render_panel import render_panel, render_placeholder
from addon.views.render_view import render_view

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
    """Collects tags (and the classes of the elements around each) and fails on unbalanced non-void elements."""

    VOID = frozenset({"br", "hr", "img", "line", "input", "meta", "link", "col"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.classes: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.inside: list[frozenset[str]] = []
        """For each tag of `tags`: the classes of the elements it sits in."""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self.inside.append(frozenset(" ".join(self.classes).split()))
        if tag not in self.VOID:
            self.stack.append(tag)
            self.classes.append(dict(attrs).get("class") or "")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self.inside.append(frozenset(" ".join(self.classes).split()))

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, (tag, self.stack[-5:])
        self.stack.pop()
        self.classes.pop()

    def within(self, cls: str) -> list[tuple[str, dict[str, str | None]]]:
        """The tags inside an element of class `cls`."""
        return [t for t, around in zip(self.tags, self.inside, strict=True) if cls in around]


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
    assert counters == {
        "topics": ("2", "3"),  # the roadmap's 3 topics (the author's target says 4)
        "seen": ("3", "4"),
        "mocks": ("1", "1"),
        "flashcards": ("4", "10"),
        "examples": ("0", "2"),
    }
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
    from addon.data.mock_plan import MockResult, SectionResult

    b = make_bundle(ROADMAP, CARDS, mocks=("m1",))
    results = (
        MockResult(
            1_700_000_000,
            40,
            (
                SectionResult("<b>Py</b>", 8, 8, 6),
                SectionResult("DB", 8, 0, 0, status="skipped"),
                SectionResult("Code", 0, 0, 0, grade="unsolved"),
            ),
            complete=False,
        ),
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
    assert 'data-mock="m1" data-done="0" data-state="todo" data-results="2"' in html
    assert 'data-kbdeck="mock-start"' in html and 'data-kbdeck="update"' in html
    history = re.findall(r'data-at="(\d+)" data-answered="\d+" data-complete="(\d)"', html)
    assert history == [("1700900000", "1"), ("1700000000", "0")]
    assert "&lt;b&gt;Py&lt;/b&gt; 6/8 · DB skipped · Code not solved" in html and "100%" in html and "<b>Py" not in html
    assert html.count(">incomplete</span>") == 1  # the older result did not take every section


def test_a_mock_in_progress_offers_resume_and_abandon_and_the_others_say_why_not() -> None:
    from addon.data.mock_state import ActiveMock, SectionState

    b = make_bundle(ROADMAP, CARDS, mocks=("m1", "m2"))
    active = ActiveMock("kb", "m1", "Mock m1", 1, (SectionState("Py", 10, (1,), status="taken"), SectionState("X", 5)))
    snap = Snapshot([StateRow(NEW, 0, 0, None, guids("gil-1"))], [], False, 100, 1_800_000_000, 30, {}, 1.0, (0, 0.0))
    report = replace(build_report([b], snap, retention_days=30, chart_days=30), active_mock=active)
    html = render_view(report, EN)
    running = re.search(r'<li data-mock="m1"[^>]*data-state="paused".*?</li>', html)
    assert running and "In progress: 1 of 2 sections taken" in running.group(0)
    assert 'data-kbdeck="mock-abandon"' in running.group(0) and ">Resume</button>" in running.group(0)
    other = re.search(r'<li data-mock="m2"[^>]*data-state="todo".*?</li>', html)
    assert other and "“Mock m1” is still in progress" in other.group(0) and "kb-primary" not in other.group(0)


def test_the_update_summary_shows_every_count_and_what_undo_cannot_do() -> None:
    from addon.ops.update_op import UpdateSummary
    from addon.views.render_update import render_summary, short_summary

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


def test_the_update_summary_says_one_card_not_one_cards() -> None:
    """A row's label agrees with its count ("1 cards moved to their new deck" read as a bug), in both
    languages (pt-BR takes the singular for 0 and 1, as Anki's own strings do)."""
    from addon.ops.update_op import UpdateSummary
    from addon.views.render_update import render_summary

    def rows(moved: int, orphaned: int, tr: Translator) -> dict[str, str]:
        s = UpdateSummary("KB.apkg", "KB", 2, 1, new=0, updated=2, unchanged=1, moved=moved, orphaned=orphaned)
        html = render_summary(s, tr)
        found = re.findall(r'<tr data-row="(\w+)"[^>]*>.*?</b></td><td>(.*?)</td>', html)
        return dict(found)

    one, two = rows(1, 1, EN), rows(2, 3, EN)
    assert one["moved"] == "card moved to its new deck" and two["moved"] == "cards moved to their new deck"
    assert one["orphaned"].startswith("note that left") and two["orphaned"].startswith("notes that left")
    assert one["unchanged"] == "note unchanged" and one["new"] == "new notes"  # 0 is plural in English
    assert one["updated"].startswith("notes updated")
    one, two = rows(1, 0, PT), rows(2, 3, PT)
    assert one["moved"] == "cartão movido para o novo baralho" and two["moved"] == "cartões movidos para o novo baralho"
    assert one["orphaned"].startswith("nota que saiu") and two["orphaned"].startswith("notas que saíram")
    assert one["new"] == "nota nova" and two["updated"].startswith("notas atualizadas")


def test_an_edited_notes_comparison_reads_as_the_card_does() -> None:
    """The comparison of a note edited in Anki dropped every tag for a space: `list`/`dict` read "list / dict"
    and "threading.Lock ." (seen on the update screenshot). Inline tags now go without one; a paragraph or a
    line break still separates words."""
    from addon.ops.update_op import EditedNote, FieldDiff, UpdateSummary
    from addon.views.render_update import render_summary

    anki = "<p>Estruturas de <code>list</code>/<code>dict</code>.</p><p>Use <code>threading.Lock</code>.<br>Fim</p>"
    build = anki.replace("Fim", "Fim do cartão")
    edit = EditedNote("gil-1", 1, (FieldDiff("Back", anki, build),), ("gil-1", "q", build), "", 0)
    s = UpdateSummary("KB.apkg", "KB", 2, 1, new=0, updated=0, unchanged=1, edited=("gil-1",), edits=(edit,))
    html = render_summary(s, EN)
    cell = re.search(r'<td class="kb-anki">(.*?)</td>', html, re.S)
    assert cell is not None
    text = re.sub(r"<[^>]+>", "", cell.group(1))
    assert "Estruturas de list/dict. Use threading.Lock. Fim" in text, text
    assert "<mark>" in re.search(r'<td class="kb-build">(.*?)</td>', html, re.S).group(1)  # type: ignore[union-attr]


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
    from addon.views.bridge import CARD_COMMANDS

    assert "take-build" not in CARD_COMMANDS  # a card page (deck content) can never ask for it


# ---- issue 17: honest progress --------------------------------------------------------------------------

CSS = (Path(__file__).resolve().parents[2] / "addon" / "web" / "kbdeck.css").read_text()


def fresh_report() -> Report:
    """Right after the import: every card new, no answer yet."""
    b = make_bundle(ROADMAP, CARDS, mocks=("m1",))
    snap = Snapshot(
        [StateRow(NEW, 0, 0, None, guids("gil-1", "gil-2", "gc-1", "pg-1"))], [], False, 100, 1_800_000_000, 30, {}, 2.0
    )
    return build_report([b], snap, retention_days=30, chart_days=30)


def test_new_cards_are_the_empty_track_so_a_fresh_decks_bars_look_empty() -> None:
    """Issue 17: "new" was the primary-button blue, so a fresh deck's bars read as complete."""
    for html in (render_panel(fresh_report(), EN), render_view(fresh_report(), EN)):
        tags = parse(html).tags
        segments = [a["class"] or "" for t, a in tags if "kb-seg" in (a.get("class") or "").split()]
        assert segments and all(cls == "kb-seg kb-new" for cls in segments)  # nothing of the learner's filled
        assert not any("kb-fill" in (a.get("class") or "") for _, a in tags)
    # the CSS: a new segment shows the track through; a bar is a visible track in light and dark
    assert re.search(r"\.kbdeck \.kb-new \{ background: transparent; \}", CSS)
    assert "--kb-new" not in CSS and "var(--state-new" not in CSS
    assert re.search(r"\.kbdeck \.kb-bar \{[^}]*background: var\(--kb-track\);[^}]*box-shadow: inset", CSS)
    assert re.search(r"\.night-mode \.kbdeck \{[^}]*--kb-track:[^}]*--kb-track-edge:", CSS)


def test_the_bar_fills_from_the_left_with_progress_and_sets_suspended_cards_apart() -> None:
    c = Counts(total=10, new=4, learning=1, young=2, mature=2, suspended=1)
    html = state_bar(c, EN)
    order = re.findall(r'class="kb-seg kb-(\w+)', html)
    assert order == ["mature", "young", "learning", "new", "suspended"]
    assert [cls for cls in re.findall(r'class="([^"]+)"', html) if "kb-fill" in cls] == [
        "kb-seg kb-mature kb-fill",
        "kb-seg kb-young kb-fill",
        "kb-seg kb-learning kb-fill",
    ]
    assert 'title="New (not seen): 4 (40%)"' in html
    assert re.search(r"\.kbdeck \.kb-seg\.kb-suspended \{ margin-left: auto; \}", CSS)


@pytest.mark.parametrize(
    ("counts", "says", "never"),
    [
        (Counts(total=30), "retention: no data yet (after your first reviews)", "no reviews"),
        (  # 21 answers to new cards: learning steps, none a review
            Counts(total=30, new=15, learning=15, seen=15, answered=21),
            "retention: no data yet (after your first reviews)",
            "no reviews",
        ),
        (Counts(total=30, young=30, seen=30), "no reviews in 30 days", "no data yet"),  # a break: true
        (Counts(total=30, young=30, seen=30, reviews=4, passed=3, answered=4), "retention 75%", "no data"),
    ],
)
def test_retention_says_no_data_yet_until_the_first_review(counts: Counts, says: str, never: str) -> None:
    """Issue 17: "no reviews in 30 days" right after 21 answers."""
    line = stats_line(counts, EN, fsrs=False, retention_days=30)
    text = re.sub(r"<[^>]+>", "", line)
    assert says in text and never not in text
    if counts.answered and not counts.reviews:
        assert 'title="Your 21 answers so far were learning steps.' in line


def test_after_answering_new_cards_the_panel_and_view_say_no_data_yet() -> None:
    b = make_bundle(ROADMAP, CARDS)
    snap = Snapshot(
        [StateRow(LEARNING, 1, 1, None, guids("gil-1", "gil-2")), StateRow(NEW, 0, 0, None, guids("gc-1", "pg-1"))],
        [AnswerRow(0, 0, 1, guids(*["gil-1"] * 11, *["gil-2"] * 10))],
        False,
        100,
        1_800_000_000,
        30,
        {},
        2.0,
    )
    rep = build_report([b], snap, retention_days=30, chart_days=30)
    for html in (render_panel(rep, EN), render_view(rep, EN)):
        assert "retention: no data yet" in html and "no reviews" not in html
        assert 'data-answered="21"' in html and 'data-reviews="0"' in html
    assert "21 cards studied today" in render_view(rep, EN)
    pt = render_panel(rep, PT)
    assert "retenção: ainda sem dados" in pt and "sem revisões" not in pt


def test_only_the_current_day_and_its_week_are_open() -> None:
    """Issue 17: every day expanded made a 3,600 px page; finished and future days are one line each."""
    b = make_bundle({"w1": {"d1": ["py/gil"], "d2": ["py/gc"]}, "w2": {"d3": ["db/pg"]}}, CARDS)
    snap = Snapshot(
        [StateRow(YOUNG, 1, 0, None, guids("gil-1", "gil-2")), StateRow(NEW, 0, 0, None, guids("gc-1", "pg-1"))],
        [],
        False,
        100,
        1_800_000_000,
        30,
        {},
        2.0,
    )
    tags = parse(render_view(build_report([b], snap, retention_days=30, chart_days=30), EN)).tags
    details = {a.get("data-day") or a.get("data-week"): "open" in a for t, a in tags if t == "details"}
    assert details == {"w1": True, "d1": False, "d2": True, "w2": False, "d3": False, None: False}
    finished = parse(render_view(report(), EN)).tags  # d1 done, d2 current (w2)
    assert [a.get("data-day") or a.get("data-week") for t, a in finished if t == "details" and "open" in a] == [
        "w2",
        "d2",
    ]


def test_the_view_starts_with_today_and_shows_no_timings() -> None:
    rep = report()
    html = render_view(rep, EN, study_deck="kbdeck study")
    checker = parse(html)
    assert html.index("kb-today") < html.index('class="kb-bar"') < html.index("kb-counters")
    today = next(a for t, a in checker.tags if "kb-today" in (a.get("class") or ""))
    assert (today["data-due"], today["data-answers-today"]) == ("2", "1")
    buttons = [a for t, a in checker.within("kb-today") if t == "button"]
    assert [(a["data-kbdeck"], a["class"]) for a in buttons] == [("study", "kb-btn kb-primary"), ("note", "kb-btn")]
    text = re.sub(r"<[^>]+>", " ", html)
    assert "Today" in text and "2 due today" in text and "1 card studied today" in text
    assert "Day d2" in text and " ms" not in text and "updated in" not in text
    assert "atualizado em" not in render_view(rep, PT)


def test_one_unit_cards_and_notes_said_explicitly() -> None:
    """Issue 17: the build's 526 (notes), Anki's 736 (cards) and the view's "Flashcards 526" for one deck."""
    b = make_bundle(ROADMAP, CARDS)
    snap = Snapshot(
        [StateRow(NEW, 0, 0, None, guids("gil-1", "gil-1", "gil-1", "gil-2", "gc-1", "pg-1"))],
        [],
        False,
        100,
        1_800_000_000,
        30,
        {},
        2.0,
    )
    rep = build_report([b], snap, retention_days=30, chart_days=30)
    view, panel = render_view(rep, EN), render_panel(rep, EN)
    panel_text = re.sub(r"<[^>]+>", " ", panel)
    assert "6 cards (4 notes)" in view and "6 cards" in panel_text and "notes" not in panel_text
    assert "4 notes written (author&#x27;s goal: 10)" in view
    assert "Flashcards in your collection" not in view
    assert "6 cartões (4 notas)" in render_view(rep, PT)
    one = build_report(
        [make_bundle({"w": {"d": ["py/gc"]}}, {"py/gc": ["gc-1"]})],
        Snapshot([StateRow(NEW, 0, 0, None, guids("gc-1"))], [], False, 100, 1_800_000_000, 30, {}, 2.0),
        retention_days=30,
        chart_days=30,
    )
    assert "1 card (1 note)" in render_view(one, EN) and "1 cartão (1 nota)" in render_view(one, PT)


def test_the_authors_targets_are_kept_apart_from_the_learners_study_guide() -> None:
    """Issue 17: "flashcards 526/250, examples 37/20" were shown as the learner's green progress."""
    b = make_bundle(ROADMAP, CARDS, mocks=("m1",), examples=("ex/a", "ex/b", "ex/c"))
    snap = Snapshot(
        [StateRow(NEW, 0, 0, None, guids("gil-1", "gil-2", "gc-1", "pg-1"))], [], False, 100, 1_800_000_000, 30, {}, 2.0
    )
    checker = parse(render_view(build_report([b], snap, retention_days=30, chart_days=30), EN))
    guide = {a["data-counter"] for t, a in checker.within("kb-counters") if "data-counter" in a}
    about = {a["data-counter"] for t, a in checker.within("kb-about") if "data-counter" in a}
    assert guide == {"topics", "seen", "mocks"} and about == {"flashcards", "examples"}
    assert not any(t == "div" and "kb-mini" in (a.get("class") or "") for t, a in checker.within("kb-about"))
    fills = [a["style"] for t, a in checker.within("kb-counters") if "kb-mini-fill" in (a.get("class") or "")]
    assert fills == ["width:0.00%"] * 3  # a fresh deck: nothing studied, nothing filled
    html = render_view(build_report([b], snap, retention_days=30, chart_days=30), EN)
    assert "3 runnable examples (author&#x27;s goal: 2)" in html and "About this knowledge base" in html


def test_a_mocks_coding_problem_is_listed_with_its_mock_not_outside_the_roadmap() -> None:
    """Issue 17: Coin change and LRU cache sat under "Topics outside the roadmap"."""
    from test_progress import mock_bundle

    b = mock_bundle()
    snap = Snapshot(
        [StateRow(NEW, 0, 0, None, guids("gil-1", "gil-2", "gc-1", "pg-1", "coin-1", "coin-2", "lru-1", "extra-1"))],
        [],
        False,
        100,
        1_800_000_000,
        30,
        {},
        2.0,
    )
    checker = parse(render_view(build_report([b], snap, retention_days=30, chart_days=30), EN))
    problems = [a["data-topic"] for t, a in checker.within("kb-problems") if t == "tr" and "data-topic" in a]
    other = [a["data-topic"] for t, a in checker.within("kb-other") if t == "tr" and "data-topic" in a]
    assert problems == ["problems/coin", "problems/lru"] and other == ["misc/extra"]
    html = render_view(build_report([b], snap, retention_days=30, chart_days=30), EN)
    assert "Coding problems of the mock interviews" in html
    assert '<span class="kb-context kb-dim">Mock m1, Mock m2</span>' in html

"""Card → note without Qt: which note a card's link names, the viewer page, "open in editor", the bridge
rules for card pages, and what the card's link does without the add-on (phones, a bare desktop)."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest
from addon_helpers import bundle_dict, guid, make_bundle
from anki.collection import Collection
from anki_helpers import import_apkg

from addon.data.bundle import parse_bundle
from addon.data.editor import EditorError, editor_argv, source_file
from addon.data.i18n import Translator
from addon.views.bridge import BadMessage, Command, parse_message
from addon.views.note_page import find_target, render_page, resolve_source, split_source

ROADMAP = {"w1": {"d1": ["py/gil", "py/gc", "py/async"]}}
CARDS = {"py/gil": ["gil-1", "gil-2"], "py/gc": ["gc-1"], "py/async": ["as-1"], "db/pg": ["pg-1"]}
TR = Translator("en")


def test_the_link_names_the_topic_of_the_build_that_made_the_card() -> None:
    mine = make_bundle(ROADMAP, CARDS, kb="mine")
    fork = make_bundle(ROADMAP, CARDS, kb="fork")  # same topic ids, other GUIDs
    target = resolve_source([fork, mine], guid("gil-1", "mine"), "py/gil.md#intro")
    assert target is not None
    assert (target.bundle.kb.id, target.topic.id, target.anchor) == ("mine", "py/gil", "intro")


def test_an_unknown_anchor_means_the_top_and_a_bad_path_the_cards_own_topic() -> None:
    b = make_bundle(ROADMAP, CARDS)
    assert resolve_source([b], guid("gil-1"), "py/gil.md#nope").anchor == ""  # type: ignore[union-attr]
    target = resolve_source([b], guid("gil-1"), "../../etc/passwd#intro")
    assert target is not None and target.topic.id == "py/gil" and target.anchor == "intro"


def test_a_card_no_build_knows_is_found_by_its_path_or_not_at_all() -> None:
    b = make_bundle(ROADMAP, CARDS)
    assert resolve_source([b], "someone-elses-guid", "py/gc.md").topic.id == "py/gc"  # type: ignore[union-attr]
    assert resolve_source([b], "someone-elses-guid", "nowhere.md#intro") is None
    assert find_target([b], "other-kb", "py/gc") is None


def test_a_file_name_with_a_hash_or_spaces_keeps_its_anchor() -> None:
    """A note `lang/c# basics.md`: its cards' links read `lang/c# basics.md#intro`. The link was cut at the
    first `#`, so the viewer opened at the top of the note, or not at all for a card no build knows."""
    b = make_bundle({"w1": {"d1": ["lang/c# basics"]}}, {"lang/c# basics": ["cs-1"]})
    target = resolve_source([b], guid("cs-1"), "lang/c# basics.md#intro")
    assert target is not None and (target.topic.id, target.anchor) == ("lang/c# basics", "intro")
    unknown = resolve_source([b], "someone-elses-guid", "lang/c# basics.md#intro")
    assert unknown is not None and (unknown.topic.id, unknown.anchor) == ("lang/c# basics", "intro")
    assert split_source("lang/c# basics.md") == ("lang/c# basics.md", "")
    assert split_source(" py/gil.md#por-que-existe ") == ("py/gil.md", "por-que-existe")


def test_the_page_has_the_days_topics_and_moves_between_them() -> None:
    b = make_bundle(ROADMAP, CARDS)
    page = render_page(find_target([b], "kb", "py/gc", "intro"), "<p>note</p>", TR, can_edit=True)  # type: ignore[arg-type]
    assert page.count('data-kbdeck="note"') == 4  # two other topics of the day, previous and next
    assert 'class="kb-pill kb-current" aria-current="page" title="GC">GC<' in page
    assert 'data-kbdeck="edit"' in page and 'title="py/gc.md:3"' in page and 'data-anchor="intro"' in page
    other = render_page(find_target([b], "kb", "db/pg"), "", TR, can_edit=False)  # type: ignore[arg-type]
    assert 'data-kbdeck="note"' not in other and 'data-kbdeck="edit"' not in other  # in no roadmap day


def day_band(page: str) -> str:
    """The day's band of a viewer page ("" when it has none)."""
    found = re.search(r'<div class="kb-day".*?</div></div>', page)
    return found.group(0) if found else ""


def test_the_days_band_has_its_label_then_every_topic_as_a_pill_with_its_full_title() -> None:
    data = bundle_dict(ROADMAP, CARDS)
    data["topics"]["py/async"]["title"] = 'Async & await — "a title long enough to be cut"'
    b = parse_bundle(json.dumps(data).encode(), f"_kbdeck-kb-bundle-{'0' * 16}.json")
    band = day_band(render_page(find_target([b], "kb", "py/gc"), "", TR, can_edit=False))  # type: ignore[arg-type]
    label, pills = band.split('<div class="kb-pills">')
    assert label.count('class="kb-label"') == 1 and ">Topics of the day</span>" in label  # beside the pills, not in
    assert re.findall(r'title="([^"]*)"', pills) == [
        "GIL",
        "GC",
        "Async &amp; await — &quot;a title long enough to be cut&quot;",
    ]
    assert pills.count('class="kb-btn kb-pill"') == 2 and pills.count('class="kb-pill kb-current"') == 1
    pt = Translator("pt-BR")
    assert ">Tópicos do dia</span>" in day_band(render_page(find_target([b], "kb", "py/gc"), "", pt, can_edit=False))  # type: ignore[arg-type]


def test_no_day_band_when_there_is_no_other_topic_of_the_day() -> None:
    roadmap = {"w1": {"d1": ["py/gil"], "d2": ["py/gc", "py/async"]}}
    b = make_bundle(roadmap, CARDS)
    for topic in ("py/gil", "db/pg"):  # alone in its day; in no day (a coding problem, say)
        page = render_page(find_target([b], "kb", topic), "<h1>T</h1>", TR, can_edit=True)  # type: ignore[arg-type]
        assert day_band(page) == "" and "kb-pills" not in page and "Topics of the day" not in page
        assert 'data-kbdeck="note"' not in page and 'data-kbdeck="edit"' in page
    assert day_band(render_page(find_target([b], "kb", "py/gc"), "", TR, can_edit=False))  # type: ignore[arg-type]


def test_bundle_text_is_escaped_on_the_page() -> None:
    data = bundle_dict(ROADMAP, CARDS, title="<img src=x onerror=alert(1)>")
    data["topics"]["py/gil"]["title"] = '"><script>alert(1)</script>'
    raw = json.dumps(data).encode()
    b = parse_bundle(raw, f"_kbdeck-kb-bundle-{'0' * 16}.json")
    page = render_page(find_target([b], "kb", "py/gc"), "", TR, can_edit=True)  # type: ignore[arg-type]
    assert "<script>" not in page and "<img" not in page and "&lt;script&gt;" in page


def test_the_editor_opens_only_markdown_files_inside_the_content_folder(tmp_path: Path) -> None:
    content = tmp_path / "content"
    (content / "py").mkdir(parents=True)
    (content / "py" / "gil.md").write_text("# GIL\n")
    (tmp_path / "secret.md").write_text("no")
    b = make_bundle(ROADMAP, CARDS)
    assert source_file(str(content), b.topics["py/gil"]) == (content / "py" / "gil.md").resolve()
    for path in ("../secret.md", str(tmp_path / "secret.md"), "py/gil.py", "py/missing.md"):
        topic = dataclasses.replace(b.topics["py/gil"], path=path)
        with pytest.raises(EditorError):
            source_file(str(content), topic)
    with pytest.raises(EditorError):
        source_file("", b.topics["py/gil"])


def test_the_editor_command_is_a_template_run_without_a_shell() -> None:
    path = Path("/kb/py/gil notes.md")
    assert editor_argv("code --goto {path}:{line}", path, 12) == ["code", "--goto", "/kb/py/gil notes.md:12"]
    assert editor_argv("gvim +{line}", path, 0) == ["gvim", "+1", "/kb/py/gil notes.md"]
    assert editor_argv("sh -c 'echo {path}; rm -rf ~'", path, 3) == ["sh", "-c", "echo /kb/py/gil notes.md; rm -rf ~"]
    with pytest.raises(EditorError):
        editor_argv("code 'unclosed", path, 1)


def test_card_pages_may_only_ask_for_a_note() -> None:
    assert parse_message('kbdeck:src:{"src":"py/gil.md#intro"}') == Command("src", src="py/gil.md#intro")
    assert parse_message('kbdeck:browse:{"what":"edited"}') == Command("browse", what="edited")
    with pytest.raises(BadMessage):
        parse_message('kbdeck:src:{"src":' + '"' + "x" * 400 + '"}')
    from addon.views import bridge

    seen: list[Command] = []
    original = bridge.dispatch
    bridge.dispatch = lambda command, context=None: seen.append(command)  # type: ignore[assignment]
    try:
        from aqt.reviewer import Reviewer

        reviewer = Reviewer.__new__(Reviewer)
        for message in ('kbdeck:src:{"src":"a.md"}', 'kbdeck:study:{"kb":"kb","topic":"py/gil"}', "kbdeck:update:{}"):
            assert bridge.on_js_message((False, None), message, reviewer) == (True, None)
        assert bridge.on_js_message((False, None), "play:q:0", reviewer) == (False, None)
    finally:
        bridge.dispatch = original  # type: ignore[assignment]
    assert [c.name for c in seen] == ["src"]


# ---- the link without the add-on -----------------------------------------------------------------


@pytest.fixture(scope="module")
def card_page(tmp_path_factory: pytest.TempPathFactory, built_deck: Path) -> tuple[str, str, str]:
    """(answer HTML without a SourceURL, answer HTML with one, the note type's CSS) rendered by Anki."""
    col = Collection(str(tmp_path_factory.mktemp("cardpage") / "c.anki2"))
    try:
        import_apkg(col, built_deck)
        nid = next(n for n in col.find_notes('note:"kbdeck Basic"') if "#" in col.get_note(n)["Source"])
        note = col.get_note(nid)
        plain = note.cards()[0].answer()
        note["SourceURL"] = f"https://example.org/kb/{note['Source']}"
        col.update_note(note)
        linked = col.get_note(nid).cards()[0].answer()
        css = str(note.note_type()["css"])  # type: ignore[index]
    finally:
        col.close()
    return plain, linked, css


def test_with_a_source_url_the_link_is_a_web_link_on_every_client(card_page: tuple[str, str, str]) -> None:
    _, linked, _ = card_page
    link = re.search(r'<a class="kb-src-link" href="(https://[^"]+)" data-kbdeck-src="([^"]+)"', linked)
    assert link and link.group(1).endswith(link.group(2))


def test_without_one_the_link_is_hidden_on_phones(card_page: tuple[str, str, str]) -> None:
    plain, _, css = card_page
    assert re.search(r'<div class="kb-src kb-src-local"><a class="kb-src-link kb-nolink" data-kbdeck-src="', plain)
    assert "href=" not in plain.split("kb-src-local", 1)[1].split("</div>", 1)[0]
    assert re.search(r"(^|\})\s*\.kb-src-local\s*\{\s*display:\s*none", css)


def test_without_one_the_link_is_hidden_on_a_desktop_without_the_add_on(card_page: tuple[str, str, str]) -> None:
    _, _, css = card_page
    assert re.search(r"(^|\})\s*\.kb-src-local\s*\{\s*display:\s*none", css)


def test_the_add_on_shows_that_link_whatever_the_note_types_css_says() -> None:
    css = (Path(__file__).resolve().parents[2] / "addon" / "web" / "card_link.css").read_text()
    assert re.search(r"html\.kbdeck-addon \.kb-src-local\s*\{\s*display:\s*block", css)

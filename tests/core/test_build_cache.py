"""The build cache and the fast paths (issue 11) never change what a build produces.

Rebuilds with a warm cache, a rebuild that skips packaging, parallel rendering and libyaml must
give exactly what a cold, serial, pure-Python build gives; anything a card depends on (an included
example region, kbdeck's version) must invalidate what was cached for it.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import shutil
import sqlite3
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from kbtest import CONTENT, FIXTURES, make_content

import kbdeck
import kbdeck.apkg.bundle
import kbdeck.apkg.ledger
import kbdeck.content.load
import kbdeck.content.yamlspan
import kbdeck.render.fragments
import kbdeck.render.workers
from kbdeck.apkg.bundle import FieldDigests
from kbdeck.apkg.ledger import SCHEMA, Entry, Ledger, ledger_text, parse_ledger
from kbdeck.build import BuildResult, build, summary
from kbdeck.content.check import check
from kbdeck.content.load import load
from kbdeck.content.outputs import OutputRunner, Policy, read_record, record_path
from kbdeck.content.yamlspan import parse_yaml
from kbdeck.model.contract import GUID_NAMESPACE, note_guid
from kbdeck.model.kb import Kind, KnowledgeBase
from kbdeck.model.problems import Problems
from kbdeck.render.assembly import REVERSE_SUFFIX, SECTION_FIELD, output_code, reversed_fields
from kbdeck.render.assembly import fields_of as assembly_fields_of
from kbdeck.render.fragments import Fragments
from kbdeck.render.highlight import code_block
from kbdeck.render.markdown_html import Renderer
from kbdeck.render.notes import _placed, card_order, render_notes
from kbdeck.render.workers import Workers, render_workers

INCLUDING = {
    "flashcards/lang/listas.yaml": """
        - id: listas-soma-incluida
          q: Quanto vale a soma?
          a: |
            Veja:

            @include examples/demo/hello.py#soma
          see: fatiamento
        """
}


def built(content: Path, out: Path, execute: Policy | None = None) -> BuildResult:
    result = build(content, out, execute=execute)
    assert result.apkg is not None, result.problems.render_text()
    return result


def fields_of(result: BuildResult) -> dict[str, tuple[str, ...]]:
    return {n.card_id: n.fields for n in result.notes}


def test_warm_rebuild_renders_nothing_and_gives_the_same_bytes(
    sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first = built(sample, tmp_path / "out")
    apkg = first.apkg
    assert apkg is not None
    data = apkg.read_bytes()
    (apkg.parent / ".cache" / "package.json").unlink()  # force packaging, from cached fragments only
    monkeypatch.setattr(kbdeck.render.fragments.Renderer, "render", lambda self, text: pytest.fail("rendered again"))
    again = built(sample, tmp_path / "out")
    assert apkg.read_bytes() == data
    assert fields_of(again) == fields_of(first)
    assert again.changes is not None and len(again.changes.unchanged) == 5


def test_cached_build_equals_a_build_without_cache(
    sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    built(sample, tmp_path / "warm")
    clone = tmp_path / "clone"
    shutil.copytree(sample, clone)  # same ledger, no cache
    warm = built(sample, tmp_path / "warm")
    cold = built(clone, tmp_path / "cold")
    assert warm.apkg is not None and cold.apkg is not None
    assert warm.apkg.read_bytes() == cold.apkg.read_bytes()


def test_noop_rebuild_skips_packaging_but_reports_and_stays_identical(
    sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first = built(sample, tmp_path / "out")
    assert first.apkg is not None
    before = first.apkg.stat().st_mtime_ns, first.apkg.read_bytes()
    monkeypatch.setattr("kbdeck.build.write_apkg", lambda *a: pytest.fail("packaged an unchanged build"))
    again = built(sample, tmp_path / "out")
    assert (first.apkg.stat().st_mtime_ns, first.apkg.read_bytes()) == before
    assert "0 new, 0 changed, 5 unchanged, 0 removed" in summary(again)
    monkeypatch.undo()

    # a package that is not the one the cache remembers is always written again, identically
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first.apkg.write_bytes(b"not a package")
    built(sample, tmp_path / "out")
    assert first.apkg.read_bytes() == before[1]


def test_editing_an_included_region_invalidates_the_cards_that_show_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    content = make_content(tmp_path, INCLUDING)
    first = built(content, tmp_path / "out")
    hello = content / "examples/demo/hello.py"
    hello.write_text(hello.read_text(encoding="utf-8").replace("[1, 2, 3]", "[4, 5, 6]"), encoding="utf-8")
    again = built(content, tmp_path / "out", Policy.MISSING)  # the output card's code changed: it must run
    assert again.changes is not None
    assert set(again.changes.changed) == {"listas-soma-incluida", "gil-output-include"}
    answer = fields_of(again)["listas-soma-incluida"][2]
    assert ">4</span>" in answer and ">4</span>" not in fields_of(first)["listas-soma-incluida"][2]
    clone = tmp_path / "clone"
    shutil.copytree(content, clone)
    assert fields_of(again) == fields_of(built(clone, tmp_path / "no-cache"))


def test_a_new_kbdeck_version_renders_everything_again(
    sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built(sample, tmp_path / "out")
    rendered: list[str] = []
    original = Renderer.render

    def spy(self: Renderer, text: str) -> str:
        rendered.append(text)
        return original(self, text)

    monkeypatch.setattr(kbdeck.render.fragments.Renderer, "render", spy)
    built(sample, tmp_path / "out")
    assert rendered == []
    monkeypatch.setattr(kbdeck, "__version__", "999.0.0")
    built(sample, tmp_path / "out")
    assert len(rendered) >= 5
    # the fragments of the old version are gone from the file, not kept beside the new ones
    conn = sqlite3.connect(tmp_path / "out" / ".cache" / "cache.sqlite")
    tables = [name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    conn.close()
    assert len([t for t in tables if t.startswith("fragments_")]) == 1, tables
    assert len([t for t in tables if t.startswith("checked_")]) == 1, tables


def test_parallel_rendering_equals_serial(sample: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kb = load(sample, Problems())
    assert kb is not None

    def runner() -> OutputRunner:
        return OutputRunner(read_record(record_path(sample), "3.11"), "3.11")

    serial = render_notes(kb, Problems(), runner(), Fragments(kb.examples, workers=Workers(1)))
    monkeypatch.setattr(kbdeck.render.fragments, "PARALLEL_MIN", 1)
    with render_workers(None, 2) as workers:
        fragments = Fragments(kb.examples, workers=workers)
        parallel = render_notes(kb, Problems(), runner(), fragments)
    assert fragments.rendered > 0
    assert parallel == serial


def test_problems_are_the_same_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Load and check results come from the cache on a rebuild, problems included."""
    monkeypatch.chdir(FIXTURES)
    runs = []
    for _ in range(2):
        problems = Problems()
        kb = load(Path("bad-kb"), problems, tmp_path / "cache")
        assert kb is not None
        check(kb, problems, tmp_path / "cache")
        runs.append((problems.render_text(), kb))
    uncached = Problems()
    kb = load(Path("bad-kb"), uncached)
    assert kb is not None
    check(kb, uncached)
    assert uncached.errors
    assert runs[0] == runs[1] == (uncached.render_text(), kb)


def test_field_digests_from_the_cache_are_the_digests_of_the_fields(
    sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bundle's per-note digest (what the add-on compares with Anki's fields) is remembered by
    the note's content hash and section digest: a rebuild hashes no unchanged note again, and every
    digest it gives equals the digest of the note's fields, before and after an edit."""
    out = tmp_path / "out"
    first = built(sample, out)
    cards = sample / "flashcards/lang/gil.yaml"
    cards.write_text(cards.read_text(encoding="utf-8").replace("protege?", "protege hoje?"), encoding="utf-8")
    hashed: list[str] = []
    real = kbdeck.apkg.bundle.fields_digest

    def counting(joined: str) -> str:
        hashed.append(joined)
        return real(joined)

    monkeypatch.setattr(kbdeck.apkg.bundle, "fields_digest", counting)
    second = built(sample, out)
    assert second.changes is not None and len(second.changes.changed) == 1
    assert len(hashed) == 1, "an unchanged note was hashed again"
    digests = FieldDigests(out / ".cache")
    for result in (first, second):
        for note in result.notes:
            assert digests.of(note) == real("\x1f".join(note.fields))
    assert {n.card_id: digests.of(n) for n in first.notes} != {n.card_id: digests.of(n) for n in second.notes}


def test_a_rebuild_from_another_directory_reads_the_cache_and_shows_its_own_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The parse cache is keyed by what a file holds, not by where the build was started from
    (issue 22): from the content's parent and then from inside it, the second load parses nothing,
    and every problem and span names the file as seen from the second directory."""
    root = tmp_path / "work" / "bad-kb"
    shutil.copytree(FIXTURES / "bad-kb", root)
    cache = tmp_path / "cache"
    monkeypatch.chdir(root.parent)
    first = Problems()
    assert load(Path("bad-kb"), first, cache) is not None
    assert first.items and all(p.span.path.startswith("bad-kb/") for p in first.items)

    def refuse(name: str) -> object:
        def parse(*args: object) -> object:
            pytest.fail(f"{name} parsed again")

        parse.__name__ = name  # the cache key names the parser
        return parse

    for name in ("load_topic", "load_example", "load_yaml_cards", "load_text_cards", "load_roadmap"):
        monkeypatch.setattr(kbdeck.content.load, name, refuse(name))
    monkeypatch.chdir(root / "flashcards")
    again = Problems()
    kb = load(Path(".."), again, cache)
    assert kb is not None
    monkeypatch.undo()  # the parsers back, for a load without the cache from the same directory
    monkeypatch.chdir(root / "flashcards")
    fresh = Problems()
    uncached = load(Path(".."), fresh)
    assert again.render_text() == fresh.render_text() and "../" in again.render_text()
    assert kb == uncached
    assert {c.span.path for c in kb.cards} == {c.span.path for c in uncached.cards}
    assert all(c.span.path.startswith("../flashcards/") for c in kb.cards)


# libyaml composes most files; where it would differ from PyYAML's own parser, that parser decides
YAML_PIECES = [
    *("- ", "id: ", "q: ", "a: |\n", "a: >-\n", "  ", "\n", "\n- id: x\n  q: ", "&a ", "*a", "{", "}", "[", "]"),
    *(", ", "'", '"', "# c", "---\n", "!x ", "!!str ", "? ", ": ", "{{c1::a}}", "ç", "é", "\t", "\ufeff"),
    *("|#", "\u2028", "yes", "0x1F", "~", "<<: *a\n", "|2\n", "  - ", "a b", "-1", "%", "@", "`", "|", ">"),
]
yaml_text = st.lists(st.sampled_from(YAML_PIECES), max_size=25).map("".join)


def _parsed(text: str) -> tuple[object, list[str]]:
    problems = Problems()
    try:
        located = parse_yaml(text, "f.yaml", problems)
        value: object = repr(located)
    except Exception as err:  # the comparison is the point, not the outcome
        value = type(err).__name__
    return value, [p.render() for p in problems.items]


@settings(max_examples=2000, deadline=None, derandomize=True)
@given(yaml_text)
def test_libyaml_and_pure_python_parse_alike(text: str) -> None:
    fast = _parsed(text)
    saved = kbdeck.content.yamlspan._FAST_LOADER
    kbdeck.content.yamlspan._FAST_LOADER = None
    try:
        assert fast == _parsed(text)
    finally:
        kbdeck.content.yamlspan._FAST_LOADER = saved


LENIENT_PIECES = ["|", ">", "#", "-", "+", "0", "9", "a", " ", "\n", "\t", "\x85", "\u2028", "\u2029", "\ufeff", "|2-"]


def test_what_libyaml_accepts_where_pyyaml_refuses_is_found_as_the_regex_finds_it() -> None:
    definition = re.compile("\t|\x85|\u2028|\u2029|\ufeff|[|>][-+0-9]*#")
    rng = random.Random(22)
    texts = ["".join(rng.choice(LENIENT_PIECES) for _ in range(rng.randint(0, 12))) for _ in range(20_000)]
    for text in [*texts, "a: |-2# c", "a: >+#", "x # c\na: |\n  b", "a: 1-#"]:
        assert kbdeck.content.yamlspan._lenient_in_libyaml(text) == bool(definition.search(text)), repr(text)


@pytest.mark.parametrize("char", [*"\x00\x01\x08\x0b\x0e\x1b\x1f", "\ud800", "\udfff"])
def test_only_an_escape_can_put_a_forbidden_character_in_a_yaml_value(char: str) -> None:
    """Why `yamlspan` checks only double-quoted scalars: written as itself, the character is a syntax error."""
    for text in ["a: b{}c\n", "a: |\n  b{}c\n", "a: 'b{}c'\n", "- {}\n", "a: >\n  x{}\n", "a: !!str b{}\n"]:
        problems = Problems()
        parse_yaml(text.format(char), "f.yaml", problems)
        assert [p.code for p in problems.items] == ["yaml-syntax"], repr(text)
    problems = Problems()
    escaped = parse_yaml(f'a: "b\\u{ord(char):04x}c"\n', "f.yaml", problems)
    assert escaped is not None and escaped.value["a"].value == "bc"
    assert [p.code for p in problems.items] == ["control-character"]


def test_libyaml_is_used() -> None:
    assert kbdeck.content.yamlspan._FAST_LOADER is getattr(yaml, "CSafeLoader", None)


def test_ledger_text_is_json_dumps_with_indent(monkeypatch: pytest.MonkeyPatch) -> None:
    """Entries come in pieces of `LEDGER_CHUNK` (two here, so that most ledgers take several)."""
    monkeypatch.setattr(kbdeck.apkg.ledger, "LEDGER_CHUNK", 2)
    rng = random.Random(11)
    alphabet = 'ab-é"\\\n\t\u2028→😀\x00/'

    def word() -> str:
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6)))

    def kind() -> str:
        return rng.choice(["", "basic", "cloze"])

    for _ in range(300):
        notes = {
            word(): Entry(word(), rng.randint(0, 10**10), word(), kind(), rng.choice(["", "ab12"]))
            for _ in range(rng.randint(0, 4))
        }
        stamps = {word(): Entry(word(), rng.randint(0, 9), "") for _ in range(rng.randint(0, 3))}
        removed = {word(): Entry(word(), rng.randint(0, 10**10), word(), kind()) for _ in range(rng.randint(0, 2))}
        ledger = Ledger(word(), rng.randint(0, 99), notes, stamps, removed)
        data: dict[str, object] = {
            "schema": SCHEMA,
            "kb": ledger.kb,
            "generation": ledger.generation,
            "notes": {k: e.as_json() for k, e in sorted(notes.items())},
            "stamps": {k: e.as_json() for k, e in sorted(stamps.items())},
        }
        if removed:
            data["removed"] = {k: e.as_json() for k, e in sorted(removed.items())}
        text = ledger_text(ledger)
        assert text == json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
        assert parse_ledger(text) == ledger


def test_note_guid_is_unchanged() -> None:
    """GUIDs are review history: the faster digit loop must give the very same strings."""

    def reference(kb_id: str, card_id: str) -> str:
        digest = hashlib.sha256(f"{GUID_NAMESPACE}:{kb_id}:{card_id}".encode()).digest()
        alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
        n = int.from_bytes(digest[:12], "big")
        out = []
        for _ in range(14):
            n, r = divmod(n, len(alphabet))
            out.append(alphabet[r])
        return "kb" + "".join(out)

    assert note_guid("sample-kb", "gil-o-que-e") == reference("sample-kb", "gil-o-que-e")
    assert all(note_guid("kb", f"card-{i}") == reference("kb", f"card-{i}") for i in range(20000))


def test_workers_count_the_cores_this_process_may_use_not_the_machines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pinned to one core (taskset, a container's cpuset) a cold build renders in-process: two workers
    taking turns on one core only added pickling (25% slower on the 3,000-card bench)."""
    import kbdeck.render.workers as pool

    monkeypatch.setattr(pool.os, "sched_getaffinity", lambda _pid: {0}, raising=False)
    monkeypatch.setattr(pool.os, "cpu_count", lambda: 8)
    assert pool.Workers().count == 1
    with pool.render_workers(tmp_path / "cold-cache") as workers:
        assert not workers.started
    monkeypatch.setattr(pool.os, "sched_getaffinity", lambda _pid: {0, 1, 2}, raising=False)
    assert pool.Workers().count == 3


def test_cards_of_one_section_share_its_html_and_a_read_ledger_shares_its_words(sample: Path, tmp_path: Path) -> None:
    """Memory at scale (issue 22): the cards that carry one note section hold one copy of its HTML (two
    `see:` spellings of a heading included), and a ledger read back holds one string per topic and kind."""
    result = built(sample, tmp_path / "out")
    sections: dict[str, list[str]] = {}
    for note in result.notes:
        if section := note.fields[note.notetype.fields.index(SECTION_FIELD)]:
            sections.setdefault(section, []).append(section)
    shared = [copies for copies in sections.values() if len(copies) > 1]
    assert len(shared) == 2 and {len(c) for c in shared} == {2}  # gil.yaml: two headings, two cards each
    assert all(all(c is copies[0] for c in copies) for copies in shared)
    ledger = parse_ledger((sample / ".kbdeck-ledger.json").read_text(encoding="utf-8"))
    entries = [e for e in ledger.notes.values() if e.topic == "lang/gil"]
    kinds = {e.kind: e.kind for e in entries}  # basic and cloze
    assert len(entries) == 4 and all(e.topic is entries[0].topic and e.kind is kinds[e.kind] for e in entries)


def test_a_first_build_holds_its_texts_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pickling a string leaves a UTF-8 copy of it inside the string (CPython caches it there). A first
    build pickled every parsed file for the cache and sent every text to its workers, so each
    non-ASCII card text carried a second copy to the end of the build: 20 MB more at 30,000 cards (and
    packaging did the same to each note's front field, binding it as the sort field)."""
    content = make_content(tmp_path, {})
    monkeypatch.setattr(kbdeck.render.fragments, "PARALLEL_MIN", 1)
    monkeypatch.setattr(kbdeck.render.workers, "usable_cpus", lambda: 2)  # a cold build's workers
    result = built(content, tmp_path / "out")
    assert result.kb is not None
    texts = [t for c in result.kb.cards for t in (c.q, c.a, c.cloze) if not t.isascii()]
    fronts = [n.fields[1] for n in result.notes if not n.fields[1].isascii()]  # the sort field it packaged
    assert len(texts) >= 2 and len(fronts) >= 2
    assert [sys.getsizeof(t) for t in texts] == [sys.getsizeof((t + ".")[:-1]) for t in texts]
    assert [sys.getsizeof(t) for t in fronts] == [sys.getsizeof((t + ".")[:-1]) for t in fronts]


def test_a_fragment_stored_as_anything_but_text_is_rendered_again(tmp_path: Path) -> None:
    """A damaged or foreign cache file may hold a blob where a fragment's HTML should be: the fragment
    store reads only text values (filtered in SQLite, `Memo.load_texts`) and renders the rest again."""
    from kbdeck.render.fragments import renderer_fingerprint
    from kbdeck.support.cache import Memo, text_key

    memo = Memo(tmp_path, "fragments", renderer_fingerprint())
    good, bad = text_key("md", "*kept*"), text_key("md", "**again**")
    memo.new = {good: "<p>from the cache</p>\n", bad: b"<p>a blob</p>"}
    memo.save()
    assert Memo(tmp_path, "fragments", renderer_fingerprint()).load_texts() == {good: "<p>from the cache</p>\n"}
    assert len(Memo(tmp_path, "fragments", renderer_fingerprint()).load()) == 2
    fragments = Fragments({}, tmp_path, Workers(1))
    assert fragments.render("*kept*") == "<p>from the cache</p>\n"
    assert fragments.render("**again**") == Renderer({}).render("**again**")
    assert fragments.rendered == 1


def test_entries_added_in_chunks_are_appended_and_keyed_once_read(tmp_path: Path) -> None:
    """`Memo.add` appends while the table has no key index (a cold build's chunks: its keys, digests, fell all
    over an index kept up to date and the file was rewritten chunk after chunk); the first read or save makes
    the index, keeping the newest row of a key added twice, as a replace would have; after it, a key added
    again replaces its row."""
    from kbdeck.support.cache import Memo

    def rows_and_indexes() -> tuple[list[tuple[str, str]], list[str]]:
        conn = sqlite3.connect(tmp_path / "cache.sqlite")
        try:
            rows = conn.execute("SELECT key, CAST(value AS TEXT) FROM t_f ORDER BY rowid").fetchall()
            indexes = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")]
            return rows, indexes
        finally:
            conn.close()

    assert Memo(tmp_path, "t", "f").add({"b": "1", "a": "1"})  # in the order given: the order they are read in
    assert Memo(tmp_path, "t", "f").add({"a": "2"})  # killed before anything read them: "a" twice
    assert rows_and_indexes() == ([("b", "1"), ("a", "1"), ("a", "2")], [])
    assert Memo(tmp_path, "t", "f").load_texts() == {"a": "2", "b": "1"}  # a full read needs no index
    assert Memo(tmp_path, "t", "f").get_texts(["a", "b"]) == {"a": "2", "b": "1"}
    assert rows_and_indexes() == ([("b", "1"), ("a", "2")], ["t_f_key"])
    assert Memo(tmp_path, "t", "f").add({"d": "1", "a": "3", "c": "1"})  # into the index: in key order
    assert rows_and_indexes() == ([("b", "1"), ("a", "3"), ("c", "1"), ("d", "1")], ["t_f_key"])
    saved = Memo(tmp_path, "t", "g")  # another version's save: its table keyed, the other version's dropped
    saved.new = {"c": "1"}
    saved.save()
    conn = sqlite3.connect(tmp_path / "cache.sqlite")
    names = sorted(n for (n,) in conn.execute("SELECT name FROM sqlite_master"))
    conn.close()
    assert names == ["t_g", "t_g_key"]


def test_a_cache_of_the_layout_before_is_dropped_not_read(tmp_path: Path) -> None:
    """The parse cache's table was `parsed` (its key the primary key); it is now `parsed_k`, and the old one goes
    with the first save, as another version's table does."""
    from kbdeck.support.cache import Memo

    conn = sqlite3.connect(tmp_path / "cache.sqlite")
    with conn:
        conn.execute("CREATE TABLE parsed (key TEXT PRIMARY KEY, value NOT NULL)")
        conn.execute("INSERT INTO parsed VALUES ('a', 'old')")
    conn.close()
    memo = Memo(tmp_path, "parsed")
    assert memo.load() == {}
    memo.new = {"a": "new"}
    memo.save()
    conn = sqlite3.connect(tmp_path / "cache.sqlite")
    tables = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    conn.close()
    assert tables == ["parsed_k"]
    assert Memo(tmp_path, "parsed").load() == {"a": "new"}


def test_released_fragments_let_go_of_the_keys_used_and_never_prune_after(tmp_path: Path) -> None:
    """`release` lets go of the keys the build asked for (notes that render their fields again keep the store
    alive to the end of the build: at 300,000 cards those keys were 0.1 GB); what is asked after it is not
    counted, so a `save` after it keeps every stored fragment instead of pruning those it never saw asked."""
    fragments = Fragments({}, tmp_path, Workers(1))
    fragments.render("*one*")
    fragments.render("*two*")
    fragments.save(prune=True)
    fragments.release()
    assert not fragments._used
    assert fragments.render("*one*") == Renderer({}).render("*one*")  # read back from the store
    assert not fragments._used
    fragments.load_all()  # the whole store known: a counted save would prune all but what it was asked
    fragments.render("*three*")
    fragments.save(prune=True)
    again = Fragments({}, tmp_path, Workers(1))
    again.load_all()
    assert len(again._known) == 3
    again.render("*three*")
    again.save(prune=True)  # before `release`, a complete build prunes what it did not ask for
    kept = Fragments({}, tmp_path, Workers(1))
    kept.load_all()
    assert len(kept._known) == 1


@pytest.mark.parametrize("damage", [b"", b"\x80\x05garbage", b"\x80\x05Q."])
def test_a_damaged_parse_cache_entry_is_parsed_again(sample: Path, tmp_path: Path, damage: bytes) -> None:
    """The parse cache holds pickles: an entry cut short, not a pickle, or naming a reference that does not
    exist is a miss (the file is parsed again, the same package comes out), never a traceback."""
    first = built(sample, tmp_path / "out")
    assert first.apkg is not None
    before = first.apkg.read_bytes()
    (first.apkg.parent / ".cache" / "package.json").unlink()  # package again, from what the cache gives
    conn = sqlite3.connect(tmp_path / "out" / ".cache" / "cache.sqlite")
    with conn:
        assert conn.execute("UPDATE parsed_k SET value = ?", (damage,)).rowcount >= 5
    conn.close()
    again = built(sample, tmp_path / "out")
    assert again.apkg is not None and again.apkg.read_bytes() == before
    assert not again.problems.items


class _Plain:
    """The renderer with no cache and no keys, as `fields_of` would use it: the oracle for filled recipes."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.renderer = Renderer(kb.examples)

    def render(self, text: str) -> str:
        return self.renderer.render(text)

    def code(self, code: str, lang: str, label: str = "") -> str:
        return code_block(code, lang, label=label)


REVERSED = (
    "\n- id: gil-reverso\n  q: Quem protege as **contagens de referência**?\n  a: O `GIL`.\n"
    "  see: por-que-existe\n  reverse: true\n"
)


@pytest.mark.parametrize("which", ["shipped", "kb", "cards-kb"])
def test_notes_are_their_recipes_filled_in_with_the_plain_renderers_html(which: str, tmp_path: Path) -> None:
    """A rendered note's fields are its recipe (fragment keys, `Fragments.keys_only`) filled in with the HTML
    (`Fragments.filled`): they must be, field for field, what the card's fields are with every fragment rendered
    on the spot, for every card (shared note sections, output cards, clozes with `hide:`, reverse notes)."""
    content = CONTENT if which == "shipped" else make_content(tmp_path, {}, which)
    if which == "kb":  # and a card with a reverse note
        with (content / "flashcards/lang/gil.yaml").open("a", encoding="utf-8") as f:
            f.write(REVERSED)
    kb = load(content, Problems())
    assert kb is not None
    python = kb.roadmap.python
    runner = OutputRunner(read_record(record_path(content), python), python)
    notes = {n.card_id: n.fields for n in render_notes(kb, Problems(), runner, Fragments(kb.examples))}
    outputs = [(c.id, code) for c in kb.cards if c.kind is Kind.OUTPUT if (code := output_code(c, kb)) is not None]
    results = runner.run_all(outputs)
    plain = _Plain(kb)
    compared = 0
    for _, card, place in _placed(kb, card_order(kb)):
        result = results.get(card.id)
        if card.id not in notes:
            continue
        _, fields = assembly_fields_of(card, place, plain, runner.shown(result) if result else "")  # type: ignore[arg-type]
        assert notes[card.id] == fields, card.id
        if card.reverse:
            assert notes[card.id + REVERSE_SUFFIX] == reversed_fields(card.id, fields)
        compared += 1
    assert compared == len(kb.cards) > 0, "every card rendered and compared"
    if which == "shipped":  # every kind of card the recipes must cover
        assert {c.kind for c in kb.cards} == set(Kind) and any(c.hide for c in kb.cards)
    assert which != "kb" or any(c.reverse for c in kb.cards)

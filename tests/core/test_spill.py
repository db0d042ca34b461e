"""A deck too large to hold as HTML (issue 22: a cold 300,000-card build held 2 GB of it): its fragments go
to the store as the workers return them, its notes are rendered a chunk at a time and let go of their fields,
and the bundle and the package render them again a chunk at a time. The package must be byte for byte the
one a build holding everything writes; the thresholds are lowered here so that seven notes are "too many"."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from kbtest import make_content

import kbdeck.apkg.package
import kbdeck.render.fragments
import kbdeck.render.notes
import kbdeck.render.staged
from kbdeck.apkg.package import Package
from kbdeck.build import BuildResult, build
from kbdeck.render.assembly import RenderedNote
from kbdeck.render.fragments import Fragments
from kbdeck.render.staged import STAGED_NAME
from kbdeck.support.cache import Memo

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
CARDS = "flashcards/lang/gil.yaml"
IMAGE_CARD = "gil-o-que-e"


class Held:
    """What a build held: the most fragments at once (read at each `forget`) and the store's writes."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.most = 0
        self.adds: list[int] = []
        forget, add = Fragments.forget, Memo.add

        def forgetting(frags: Fragments) -> None:
            self.most = max(self.most, len(frags._known))
            forget(frags)

        def adding(memo: Memo, entries: dict[str, str | bytes]) -> bool:
            self.adds.append(len(entries))
            return add(memo, entries)

        monkeypatch.setattr(Fragments, "forget", forgetting)
        monkeypatch.setattr(Memo, "add", adding)


def _too_many(monkeypatch: pytest.MonkeyPatch) -> None:
    """Seven notes count as a deck too large to hold, chunks of two, workers for every miss."""
    monkeypatch.setattr(kbdeck.render.notes, "SPILL_NOTES", 1)
    monkeypatch.setattr(kbdeck.render.fragments, "SPILL_MIN", 1)
    monkeypatch.setattr(kbdeck.render.notes, "FIELDS_CHUNK", 2)
    monkeypatch.setattr(kbdeck.apkg.package, "ROWS_CHUNK", 3)
    monkeypatch.setattr(kbdeck.render.fragments, "PARALLEL_MIN", 1)
    monkeypatch.setattr(kbdeck.render.fragments, "SPILL_EVERY", 3)


def _with_image(tmp_path: Path) -> Path:
    content = make_content(tmp_path, {})
    cards = content / CARDS
    text = cards.read_text(encoding="utf-8")
    cards.write_text(
        text.replace("q: O que o **GIL** protege?", 'q: "O que o **GIL** protege? ![gil](img/gil.png)"'),
        encoding="utf-8",
    )
    with cards.open("a", encoding="utf-8") as f:  # and a card that makes two notes
        f.write(
            "\n- id: gil-reverso\n  q: Quem protege as **contagens de referência**?\n  a: O `GIL`.\n"
            "  see: por-que-existe\n  reverse: true\n"
        )
    (content / "flashcards/lang/img").mkdir()
    (content / "flashcards/lang/img/gil.png").write_bytes(PNG)
    return content


def _built(content: Path, out: Path) -> BuildResult:
    result = build(content, out)
    assert result.apkg is not None, result.problems.render_text()
    return result


def _stored_fragments(out: Path) -> Iterator[str]:
    import sqlite3

    conn = sqlite3.connect(out / ".cache" / "cache.sqlite")
    try:
        tables = [
            n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'fragments%'")
        ]
        for table in tables:
            yield from (k for (k,) in conn.execute(f"SELECT key FROM {table}"))
    finally:
        conn.close()


def test_a_deck_too_large_to_hold_is_rendered_in_chunks_into_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cold, then one card edited: each package equals the one a build holding everything writes into an
    empty folder; the notes hold no fields (but the one showing an image: its files are attached to its
    HTML), the workers' fragments reached the store in several writes, and at no time were they all held."""
    content = _with_image(tmp_path)
    out = tmp_path / "out"
    with monkeypatch.context() as m:
        _too_many(m)
        held = Held(m)
        cold = _built(content, out)
    stored = len(list(_stored_fragments(out)))
    assert [n.card_id for n in cold.notes if n.held is not None] == [IMAGE_CARD]
    assert len(cold.notes) == 7 and cold.changes is not None and len(cold.changes.new) == 7
    assert any(n.card_id == "gil-reverso::reverse" and n.held is None for n in cold.notes)
    # each let go of its fields with their digest: the bundle renders none of them again
    from kbdeck.apkg.bundle import encoded_bundle
    from kbdeck.model.contract import fields_digest

    assert all(n.fields_digest == fields_digest("\x1f".join(n.fields)) for n in cold.notes if n.held is None)

    def never(chunk: object) -> Iterator[tuple[str, ...]]:
        raise AssertionError("the bundle rendered a note's fields again")

    assert cold.kb is not None
    encoded_bundle(cold.kb, cold.notes, {}, None, never)  # type: ignore[arg-type]
    # the workers wrote what they rendered to the store themselves (their writes are not counted here: they are
    # other processes); the build wrote one fragment (an output card's, rendered later, in-process)
    assert stored >= 17 and sum(held.adds) <= 1, (held.adds, stored)
    assert 0 < held.most < stored / 2, (held.most, stored)
    fresh = _built(content, tmp_path / "fresh-cold")
    assert fresh.changes is not None and not fresh.changes.changed and not fresh.changes.new
    assert all(n.held is not None for n in fresh.notes)
    assert cold.apkg is not None and fresh.apkg is not None
    assert cold.apkg.read_bytes() == fresh.apkg.read_bytes()

    cards = content / CARDS
    cards.write_text(
        cards.read_text(encoding="utf-8").replace("contagens de referência.", "contagens de referência (editado).", 1),
        encoding="utf-8",
    )
    with monkeypatch.context() as m:
        _too_many(m)
        edit = _built(content, out)
    assert edit.changes is not None and len(edit.changes.changed) == 1
    fresh = _built(content, tmp_path / "fresh-edit")
    assert fresh.changes is not None and not fresh.changes.changed
    assert edit.apkg is not None and fresh.apkg is not None
    assert edit.apkg.read_bytes() == fresh.apkg.read_bytes()


@pytest.mark.parametrize("failing", ["in the workers", "everywhere"])
def test_a_store_that_cannot_take_the_fragments_leaves_them_to_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    """A store a worker cannot write to sends its HTML back: the build stores it itself, a chunk of notes at a
    time, or, when it cannot either (a full disk), holds every fragment. The same package."""
    content = _with_image(tmp_path)
    build_pid = os.getpid()
    with monkeypatch.context() as m:
        _too_many(m)
        held = Held(m)
        append = Memo.append

        def appending(memo: Memo, entries: dict[str, str | bytes]) -> tuple[int, int] | None:
            ok = os.getpid() == build_pid and failing != "everywhere"
            return append(memo, entries) if ok else None

        m.setattr(Memo, "append", appending)
        full = _built(content, tmp_path / "out")
    assert [n.card_id for n in full.notes if n.held is not None] == [IMAGE_CARD]
    if failing == "everywhere":
        assert held.most >= 17, held.most  # every fragment, held
    else:
        assert len(list(_stored_fragments(tmp_path / "out"))) >= 17
        assert len([n for n in held.adds if n]) > 2, held.adds  # a chunk of notes' at a time
    fresh = _built(content, tmp_path / "fresh")
    assert full.apkg is not None and fresh.apkg is not None
    assert full.apkg.read_bytes() == fresh.apkg.read_bytes()


def test_the_bundle_encodes_its_cards_by_chunk_into_the_bytes_of_the_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`encoded_bundle` writes the cards' entries a few at a time into the rest's encoding: the bytes are those
    of the whole bundle encoded at once (sorted card ids across chunks, a reverse card's own entry)."""
    import kbdeck.apkg.bundle as bundle
    from kbdeck.model.contract import canonical

    content = _with_image(tmp_path)
    result = _built(content, tmp_path / "out")
    assert result.kb is not None
    notes = list(reversed(result.notes))  # not in card id order
    whole = canonical(bundle.bundle_data(result.kb, notes, {}, bundle.FieldDigests(None)))
    monkeypatch.setattr(bundle, "CARDS_CHUNK", 2)
    assert bundle.encoded_bundle(result.kb, notes, {}, None).value() == whole
    assert whole.count(b'"guid"') == 7 and b"gil-reverso::reverse" in whole


def test_the_bundle_stores_its_digests_a_chunk_at_a_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With more cards than a chunk, each chunk's field digests go to the store once its entries are encoded
    (`FieldDigests.flush`), not held to the end: the next build finds every one, and the bytes are the same."""
    import kbdeck.apkg.bundle as bundle

    content = _with_image(tmp_path)
    result = _built(content, tmp_path / "out")
    assert result.kb is not None
    notes = result.notes
    held: list[int] = []
    add = Memo.add

    def adding(memo: Memo, entries: dict[str, object]) -> bool:
        if memo.base == "field_digests":
            held.append(len(entries))
        return add(memo, entries)  # type: ignore[arg-type]

    monkeypatch.setattr(Memo, "add", adding)
    monkeypatch.setattr(bundle, "CARDS_CHUNK", 2)
    cache = tmp_path / "cache"
    first = bundle.encoded_bundle(result.kb, notes, {}, cache).value()
    assert held == [2, 2, 2, 1]
    digests = bundle.FieldDigests(cache)
    assert len(digests._stored) == len(notes) == 7

    def never(chunk: list[object]) -> Iterator[tuple[str, ...]]:
        raise AssertionError("a stored digest was hashed again")

    assert bundle.encoded_bundle(result.kb, notes, {}, cache, never).value() == first  # type: ignore[arg-type]


def test_entries_added_to_the_store_drop_other_versions_tables(tmp_path: Path) -> None:
    """A store written only through `Memo.add` (every chunk flushed) still drops another kbdeck version's table,
    as `save` does: a cache never keeps entries no version will read again."""
    import sqlite3

    old = Memo(tmp_path, "field_digests", "a" * 24)
    old.new = {"k": "v"}
    old.save()
    assert Memo(tmp_path, "field_digests", "b" * 24).add({"k": "w"})
    conn = sqlite3.connect(tmp_path / "cache.sqlite")
    tables = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    conn.close()
    assert tables == ["field_digests_" + "b" * 24]


def test_workers_that_store_their_html_take_larger_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each chunk a worker stores is one transaction into the store's key index: a worker that stores what it
    renders takes up to `STORED_CHUNK_MAX` jobs at once, one that sends its HTML back `CHUNK_MAX` (its results
    are held by the build until used). Both give every fragment."""
    import kbdeck.render.workers
    from kbdeck.render.fragments import renderer_fingerprint
    from kbdeck.render.workers import Workers
    from kbdeck.support.cache import text_key

    monkeypatch.setattr(kbdeck.render.workers, "CHUNK_MAX", 2)
    monkeypatch.setattr(kbdeck.render.workers, "STORED_CHUNK_MAX", 5)
    texts = [f"*{i}*" for i in range(80)]
    jobs = [("md", t) for t in texts]
    keys = [text_key("md", t) for t in texts]
    workers = Workers(2)
    try:
        sent = workers.submit({}, jobs)
        assert {s.stop - s.start for s, _ in sent} == {2}
        assert [h for _, f in sent for h in f.result() or ()] == [f"<p><em>{i}</em></p>" for i in range(80)]
        stored = workers.submit({}, jobs, (str(tmp_path), renderer_fingerprint()), keys)
        assert {s.stop - s.start for s, _ in stored} == {5}
        rows = [(s, f.result()) for s, f in stored]
    finally:
        workers.close()
    memo = Memo(tmp_path, "fragments", renderer_fingerprint())
    for s, where in rows:  # each chunk's rows, where the worker said they went
        assert isinstance(where, tuple)
        assert memo.rows(*where, keys) == {
            k: f"<p><em>{i}</em></p>" for i, k in enumerate(keys) if s.start <= i < s.stop
        }
    assert memo.get_texts(keys) == {k: f"<p><em>{i}</em></p>" for i, k in enumerate(keys)}


class Rendered:
    """The notes whose fields the package asked to render again (`fields_in_chunks`, through the build)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import kbdeck.build

        self.asked: list[str] = []
        original = kbdeck.build.fields_in_chunks

        def counting(notes: Sequence[RenderedNote], frags: Fragments) -> Iterator[tuple[str, ...]]:
            self.asked.extend(n.card_id for n in notes if n.held is None)
            return original(notes, frags)

        monkeypatch.setattr(kbdeck.build, "fields_in_chunks", counting)


def test_notes_that_let_go_of_their_fields_leave_them_staged_for_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cold and after an edit, the package copies the fields of the notes rendered in chunks from the staged file
    (`render/staged.py`) and renders none of them again; the file is gone once the build ends, and the bytes are
    those of a build that held everything."""
    content = _with_image(tmp_path)
    out = tmp_path / "out"
    with monkeypatch.context() as m:
        _too_many(m)
        rendered = Rendered(m)
        cold = _built(content, out)
    assert sorted(n.staged or 0 for n in cold.notes) == [0, 1, 2, 3, 4, 5, 6]  # all but the image card's
    assert rendered.asked == [] and not (out / ".cache" / STAGED_NAME).exists()
    fresh = _built(content, tmp_path / "fresh")
    assert cold.apkg is not None and fresh.apkg is not None
    assert cold.apkg.read_bytes() == fresh.apkg.read_bytes()

    cards = content / CARDS
    edited = cards.read_text(encoding="utf-8").replace("# soma", "# a soma", 1)
    cards.write_text(edited, encoding="utf-8")
    with monkeypatch.context() as m:
        _too_many(m)
        rendered = Rendered(m)
        edit = _built(content, out)
    assert edit.changes is not None and len(edit.changes.changed) == 1
    assert [n.card_id for n in edit.notes if n.staged] == list(edit.changes.changed)  # others: the kept collection
    assert rendered.asked == []
    fresh = _built(content, tmp_path / "fresh-edit")
    assert edit.apkg is not None and fresh.apkg is not None
    assert edit.apkg.read_bytes() == fresh.apkg.read_bytes()


@pytest.mark.parametrize("broken", ["cannot be made", "gone before the package", "damaged before the package"])
def test_staged_fields_that_fail_are_rendered_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, broken: str
) -> None:
    """A staged file that cannot be written (a folder squats its name), or that is gone or damaged by the time the
    package copies from it: the package renders those notes again, into the same bytes."""
    import kbdeck.apkg.package

    content = _with_image(tmp_path)
    out = tmp_path / "out"
    staged_path = out / ".cache" / STAGED_NAME
    write = kbdeck.apkg.package.write_apkg

    def spoiling(pkg: Package, cache: Path, fields_of: object, staged: Path | None) -> None:
        assert staged == staged_path
        if broken == "gone before the package":
            staged.unlink()
        else:
            staged.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
        write(pkg, cache, fields_of, staged)  # type: ignore[arg-type]

    with monkeypatch.context() as m:
        _too_many(m)
        if broken == "cannot be made":
            m.setattr(kbdeck.render.staged, "discard", lambda path: None)
            (staged_path / "squatter").mkdir(parents=True)
        else:
            m.setattr(kbdeck.build, "write_apkg", spoiling)
        rendered = Rendered(m)
        built = _built(content, out)
    assert len(rendered.asked) == 6, rendered.asked
    fresh = _built(content, tmp_path / "fresh")
    assert built.apkg is not None and fresh.apkg is not None
    assert built.apkg.read_bytes() == fresh.apkg.read_bytes()


def test_a_killed_builds_staged_fields_go_with_the_next_build(tmp_path: Path) -> None:
    """A build killed between rendering and packaging leaves its staged file (as large as the collection) in the
    cache: the next build removes it, even one with nothing to render."""
    content = _with_image(tmp_path)
    out = tmp_path / "out"
    _built(content, out)
    left = out / ".cache" / STAGED_NAME
    left.write_bytes(b"x" * 1000)
    (out / ".cache" / (STAGED_NAME + "-journal")).write_bytes(b"x")
    noop = _built(content, out)
    assert noop.changes is not None and not noop.changes.changed
    assert sorted(p.name for p in (out / ".cache").iterdir() if p.name.startswith("staged")) == []


def test_a_cold_build_makes_its_first_notes_before_the_workers_are_done(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The chunks the workers stored are taken as the notes need them (`Fragments._take`, reading the rows each
    worker reported): the first notes are made and staged before the last chunk is taken, and the store's key
    index is made only after it (made earlier, each chunk a worker still added would have gone into it)."""
    import kbdeck.render.workers
    from kbdeck.render.fragments import _Sent
    from kbdeck.render.staged import Staged

    events: list[str] = []
    result, put, keyed = Fragments._result, Staged.put, Memo._keyed

    def taking(frags: Fragments, chunk: _Sent) -> tuple[int, int] | None:
        if chunk.future is not None:
            events.append("take")
        return result(frags, chunk)

    def putting(staged: Staged, flds: str, sfld: bytes) -> int | None:
        events.append("put")
        return put(staged, flds, sfld)

    def keying(memo: Memo, conn: object) -> None:
        if memo.base == "fragments":
            events.append("keyed")
        keyed(memo, conn)  # type: ignore[arg-type]

    content = _with_image(tmp_path)
    with monkeypatch.context() as m:
        _too_many(m)
        m.setattr(kbdeck.render.workers, "STORED_CHUNK_MAX", 2)
        m.setattr(Fragments, "_result", taking)
        m.setattr(Staged, "put", putting)
        m.setattr(Memo, "_keyed", keying)
        cold = _built(content, tmp_path / "out")
    takes = [i for i, e in enumerate(events) if e == "take"]
    assert len(takes) >= 5, events
    assert events.index("put") < takes[-1] and "keyed" not in events[: takes[-1]], events
    fresh = _built(content, tmp_path / "fresh")
    assert cold.apkg is not None and fresh.apkg is not None
    assert cold.apkg.read_bytes() == fresh.apkg.read_bytes()

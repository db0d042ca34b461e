"""A rebuild that copies unchanged notes from the kept collection and knows them from the note memo
writes exactly the package a full write gives (issue 22: a no-op and an edit hold no HTML).

Every check compares bytes: the package built with a warm cache (notes from the memo, fields copied
from `.cache/collection.anki2`) against one built from the same content and ledger into an empty output
folder (every note rendered and written from Python).
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from kbtest import make_content

import kbdeck.render.notes
from kbdeck.apkg import kept
from kbdeck.build import BuildResult, build

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)

CARDS = "flashcards/lang/gil.yaml"
NOTE = "lang/gil.md"


def _built(content: Path, out: Path) -> BuildResult:
    result = build(content, out)
    assert result.apkg is not None, result.problems.render_text()
    return result


class Rendered:
    """Counts the notes whose fields had to be rendered again (`RenderedNote.fields` of a memo's note; each
    once, though `fields_in_chunks` assembles it twice: first to name its fragments, then with them)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.notes: set[tuple[str, bool]] = set()
        again = kbdeck.render.notes._again

        def counted(item: Any, reverse: bool, renderer: Any) -> tuple[str, ...]:
            self.notes.add((item[0].id, reverse))
            return again(item, reverse, renderer)

        monkeypatch.setattr(kbdeck.render.notes, "_again", counted)

    @property
    def count(self) -> int:
        return len(self.notes)

    def reset(self) -> None:
        self.notes.clear()


def _same_as_fresh(content: Path, out: Path, tmp_path: Path, name: str) -> BuildResult:
    """Build into `out` (warm), then the same content into a new folder; the packages must be equal."""
    warm = _built(content, out)
    assert warm.apkg is not None
    fresh = _built(content, tmp_path / f"fresh-{name}")
    assert fresh.apkg is not None
    assert fresh.changes is not None and not fresh.changes.changed and not fresh.changes.new, name
    assert warm.apkg.read_bytes() == fresh.apkg.read_bytes(), f"{name}: the copied package differs"
    return warm


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


EDITS: list[tuple[str, Callable[[Path], None]]] = [
    ("answer", lambda c: _edit(c / CARDS, "as contagens de referência.", "as contagens de referência (editado).")),
    (
        "section only",
        lambda c: _edit(c / NOTE, "Contagem de referências sem locks finos.", "Contagem sem locks finos."),
    ),
    (
        "card added",
        lambda c: _edit(
            c / CARDS, "- id: gil-cloze-codigo", "- id: gil-novo\n  q: Novo?\n  a: Sim.\n\n- id: gil-cloze-codigo"
        ),
    ),
    ("cloze gains a card", lambda c: _edit(c / CARDS, "([1, 2, 3])", "([{{c2::1}}, 2, 3])")),
    ("tags", lambda c: _edit(c / CARDS, "tags: [cpython]", "tags: [cpython, memoria]")),
    ("card removed", lambda c: _edit(c / CARDS, "- id: gil-novo\n  q: Novo?\n  a: Sim.\n\n", "")),
    ("reordered", lambda c: _reorder(c / CARDS)),
    (
        "reverse added",
        lambda c: _edit(c / CARDS, "  see: por-que-existe\n  tags:", "  see: por-que-existe\n  reverse: true\n  tags:"),
    ),
]


def _reorder(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    head, *cards = text.split("\n- id: ")
    cards[0], cards[1] = cards[1], cards[0]
    if not cards[0].endswith("\n\n"):
        cards = [c.rstrip("\n") + "\n\n" for c in cards[:-1]] + [cards[-1]]
    path.write_text("\n- id: ".join([head, *cards]), encoding="utf-8")


def test_each_edit_copies_the_unchanged_notes_and_gives_the_bytes_of_a_full_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    content, out = make_content(tmp_path, {}), tmp_path / "out"
    first = _built(content, out)
    assert all(n.held is not None for n in first.notes)  # a cold build renders every note
    assert kept.usable(out / ".cache") is not None
    rendered = Rendered(monkeypatch)
    noop = _same_as_fresh(content, out, tmp_path, "no-op")
    assert noop.notes and all(n.held is None for n in noop.notes), "a no-op holds no note's HTML"
    for step, (name, edit) in enumerate(EDITS):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", str(1800000000 + 100 * (step + 1)))
        edit(content)
        rendered.reset()
        result = _same_as_fresh(content, out, tmp_path, name)
        assert result.changes is not None
        assert rendered.count <= 1, f"{name}: {rendered.count} notes rendered again instead of copied"
        held = {n.card_id for n in result.notes if n.held is not None}
        changed = {*result.changes.changed, *result.changes.new, *result.changes.sections}
        rendered_with = {c.removesuffix("::reverse") for c in changed}  # a new reverse renders its card too
        assert held <= changed | rendered_with, (name, held, changed)
    rendered.reset()
    last = _same_as_fresh(content, out, tmp_path, "no-op at the end")
    assert rendered.count == 0 and all(n.held is None for n in last.notes)


def test_a_memo_note_renders_its_fields_again_when_asked(tmp_path: Path) -> None:
    content, out = make_content(tmp_path, {}), tmp_path / "out"
    cold = {n.card_id: n.fields for n in _built(content, out).notes}
    warm = _built(content, out)
    assert all(n.held is None for n in warm.notes)
    assert {n.card_id: n.fields for n in warm.notes} == cold


def _kept_file(out: Path) -> Path:
    return out / ".cache" / kept.KEPT_NAME


def test_a_kept_collection_touched_since_is_not_trusted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Changed behind kbdeck's back (here: a note's fields rewritten, size kept), the kept file fails its
    record's check and every note is written from Python: the package is still right."""
    content, out = make_content(tmp_path, {}), tmp_path / "out"
    _built(content, out)
    path = _kept_file(out)
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE notes SET flds = replace(flds, 'GIL', 'XYZ')")
    conn.close()
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1))
    assert kept.usable(out / ".cache") is None
    rendered = Rendered(monkeypatch)
    _edit(content / CARDS, "Veja `sys.getrefcount`.", "Veja `sys.getrefcount` (editado).")
    result = _same_as_fresh(content, out, tmp_path, "touched")
    assert rendered.count == len(result.notes) - 1  # all but the edited note rendered again
    assert kept.usable(out / ".cache") is not None  # and the new collection is kept


def test_a_damaged_kept_collection_falls_back_to_a_full_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A kept file whose record still matches but whose database cannot be read (bad bytes): the copy
    fails inside SQLite, the file is forgotten and the collection written whole, with no error shown."""
    content, out = make_content(tmp_path, {}), tmp_path / "out"
    _built(content, out)
    cache = out / ".cache"
    path = _kept_file(out)
    path.write_bytes(b"not a database" * 1000)
    record = json.loads((cache / kept.RECORD_NAME).read_text(encoding="utf-8"))
    st = path.stat()
    record["file"] = [st.st_size, st.st_mtime_ns, st.st_ino]
    (cache / kept.RECORD_NAME).write_text(json.dumps(record), encoding="utf-8")
    assert kept.usable(cache) == path
    _edit(content / CARDS, "Veja `sys.getrefcount`.", "Veja `sys.getrefcount` (de novo).")
    result = _same_as_fresh(content, out, tmp_path, "damaged")
    assert not result.problems.errors
    assert kept.usable(cache) is not None and path.read_bytes()[:15] == b"SQLite format 3"


def test_a_kept_collection_of_other_notes_copies_nothing_and_misses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another knowledge base built into the same output folder left its collection there: no GUID
    matches, so every note is rendered again and written from Python."""
    content, out = make_content(tmp_path, {}), tmp_path / "out"
    _built(content, out)
    other = make_content(tmp_path / "other", {})
    _edit(other / "roadmap.yaml", "id: ", "id: outra-")
    _built(other, out)  # its package has another name; the cache is the folder's
    rendered = Rendered(monkeypatch)
    _edit(content / CARDS, "Veja `sys.getrefcount`.", "Veja `sys.getrefcount` (outra vez).")
    result = _same_as_fresh(content, out, tmp_path, "other")
    assert rendered.count == len(result.notes) - 1


def test_notes_showing_images_are_never_known_from_the_memo(tmp_path: Path) -> None:
    """An image's bytes are part of its note (the packaged copy's name): the note renders every build,
    and a new image with the same name gives a changed note and the bytes of a full write."""
    content = make_content(tmp_path, {})
    _edit(content / CARDS, "q: O que o **GIL** protege?", 'q: "O que o **GIL** protege? ![gil](img/gil.png)"')
    (content / "flashcards/lang/img").mkdir()
    (content / "flashcards/lang/img/gil.png").write_bytes(PNG)
    out = tmp_path / "out"
    _built(content, out)
    warm = _built(content, out)
    held = [n.card_id for n in warm.notes if n.held is not None]
    assert held == ["gil-o-que-e"]
    (content / "flashcards/lang/img/gil.png").write_bytes(PNG + b"\0")
    result = _same_as_fresh(content, out, tmp_path, "image")
    assert result.changes is not None and result.changes.changed == ("gil-o-que-e",)


def test_a_damaged_memo_entry_is_a_miss(tmp_path: Path) -> None:
    content, out = make_content(tmp_path, {}), tmp_path / "out"
    cold = _built(content, out)
    conn = sqlite3.connect(out / ".cache" / "cache.sqlite")
    (table,) = next(
        r for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'notes%'")
    )
    with conn:
        conn.execute(f"UPDATE {table} SET value = 'nonsense' WHERE rowid = (SELECT min(rowid) FROM {table})")
        conn.execute(f"UPDATE {table} SET value = '{'0' * 64} 12 0' WHERE rowid = (SELECT max(rowid) FROM {table})")
        conn.execute(f"UPDATE {table} SET value = '{'0' * 64}  -1' WHERE rowid = (SELECT max(rowid) - 1 FROM {table})")
    conn.close()
    warm = _built(content, out)
    assert sum(n.held is not None for n in warm.notes) == 3
    assert [(n.content_hash, n.section, n.ords) for n in warm.notes] == [
        (n.content_hash, n.section, n.ords) for n in cold.notes
    ]


@pytest.mark.parametrize("between", ["dry run", "blocking error"])
def test_an_edit_that_reached_the_memo_but_not_the_package_is_not_copied_from_the_older_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, between: str
) -> None:
    """A build that renders but writes no package (`--dry-run`, or an error elsewhere) puts the edited
    note in the memo; the next build knows it from there, while the kept row still has the old text:
    its content hash tells them apart and the note renders again."""
    content, out = make_content(tmp_path, {}), tmp_path / "out"
    _built(content, out)
    _edit(content / CARDS, "as contagens de referência.", "as contagens de referência (nova).")
    if between == "dry run":
        assert build(content, out, dry_run=True).apkg is None
    else:
        _edit(content / "flashcards/lang/listas.md", "See: fatiamento", "See: fatiamento\nID: listas-fatia")
        assert build(content, out).apkg is None
        _edit(content / "flashcards/lang/listas.md", "See: fatiamento\nID: listas-fatia", "See: fatiamento")
    rendered = Rendered(monkeypatch)
    result = _same_as_fresh(content, out, tmp_path, between)
    # the edited note, known from the memo, has no kept row of its hash: it alone renders again (after the
    # error, whose build made no bundle, for the bundle's field digest too)
    assert rendered.notes == {("gil-o-que-e", False)}
    note = next(n for n in result.notes if n.card_id == "gil-o-que-e")
    assert note.held is None and "(nova)" in note.fields[2]


def test_the_fragment_store_forgets_what_no_note_uses_once_it_adds_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rebuilds that read fragments by key do not know which stored ones are stale without a pass over all
    keys: they make it once the unused ones exceed a quarter of the used (plus `STALE_SPARE`). The store
    then holds only what the build used, and a no-op after it still finds every fragment."""
    import kbdeck.render.fragments
    from kbdeck.render.fragments import STALE_SPARE, renderer_fingerprint
    from kbdeck.support.cache import Memo

    content, out = make_content(tmp_path, {}), tmp_path / "out"
    _built(content, out)
    stored = Memo(out / ".cache", "fragments", renderer_fingerprint())
    base = stored.count()
    for i in range(STALE_SPARE + base):
        _edit(content / CARDS, "Veja `sys.getrefcount`", f"Veja `sys.getrefcount` ({i})")
        _built(content, out)
        _edit(content / CARDS, f"Veja `sys.getrefcount` ({i})", "Veja `sys.getrefcount`")
        if stored.count() < base + i + 1:
            break
    else:
        pytest.fail(f"the store grew to {stored.count()} fragments for {base} used")
    assert stored.count() <= base + 1
    fresh = {n.card_id: n.fields for n in _built(content, tmp_path / "fresh").notes}
    warm = _built(content, out)  # the text is back as it was: that card renders, the others come from the memo
    assert [n.card_id for n in warm.notes if n.held is not None] == ["gil-o-que-e"]

    def no_render(*args: object) -> str:
        raise AssertionError("a fragment the notes use was forgotten")

    monkeypatch.setattr(kbdeck.render.fragments, "render_job", no_render)
    assert {n.card_id: n.fields for n in warm.notes} == fresh


def test_a_compressed_package_copies_the_same_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`--compress` deflates the zip's entries; the kept collection is the raw one, copied just the same."""
    content, out = make_content(tmp_path, {}), tmp_path / "out"
    assert build(content, out, compress=True).apkg is not None
    rendered = Rendered(monkeypatch)
    _edit(content / CARDS, "Veja `sys.getrefcount`.", "Veja `sys.getrefcount` (comprimido).")
    warm = build(content, out, compress=True)
    fresh = build(content, tmp_path / "fresh", compress=True)
    assert warm.apkg is not None and fresh.apkg is not None
    assert warm.apkg.read_bytes() == fresh.apkg.read_bytes()
    assert rendered.count == 0


def test_a_no_op_renders_nothing_and_reads_the_store_by_batch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A warm no-op takes every fragment it needs (the topic notes') from the store, asked for in one
    query per `IN_CHUNK` keys (here one), never renders one, and gives the same package."""
    import kbdeck.render.fragments
    from kbdeck.support.cache import Memo

    content, out = make_content(tmp_path, {}), tmp_path / "out"
    first = _built(content, out)
    assert first.apkg is not None
    before = first.apkg.read_bytes()

    def no_render(*args: object) -> str:
        raise AssertionError("a no-op rendered a fragment")

    queries: list[int] = []
    get_texts = Memo.get_texts

    def counted(self: Memo, keys: list[str]) -> dict[str, str]:
        queries.append(len(keys))
        return get_texts(self, keys)

    monkeypatch.setattr(kbdeck.render.fragments, "render_job", no_render)
    monkeypatch.setattr(Memo, "get_texts", counted)
    result = _built(content, out)
    assert result.apkg is not None and result.apkg.read_bytes() == before
    assert queries and max(queries) > 1, queries  # the topic notes' fragments, asked for together


def test_the_kept_collection_is_let_go_before_the_zip_and_a_failed_zip_costs_only_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once its rows are copied, the previous collection is no longer kept before the zip is written (the zip is
    written over it, `test_recycle.py`, or into the pages it frees); a build that then fails leaves the previous
    package, and the next writes every note from Python into the same bytes as a build into an empty folder."""
    import kbdeck.apkg.package as package

    content, out = make_content(tmp_path, {}), tmp_path / "out"
    first = _built(content, out)
    assert first.apkg is not None
    before = first.apkg.read_bytes()
    seen: list[bool] = []
    add = package._add

    def adding(zf: Any, name: str, data: Any, compress: bool) -> None:
        if name == "collection.anki2":
            seen.append(kept.usable(out / ".cache") is not None)
            raise OSError("disk full")
        add(zf, name, data, compress)

    _edit(content / CARDS, "Veja `sys.getrefcount`.", "Veja `sys.getrefcount` (editado).")
    with monkeypatch.context() as m:
        m.setattr(package, "_add", adding)
        with pytest.raises(OSError, match="disk full"):
            build(content, out)
    assert seen == [False]
    assert first.apkg.read_bytes() == before and kept.usable(out / ".cache") is None
    rendered = Rendered(monkeypatch)
    result = _same_as_fresh(content, out, tmp_path, "after-failed-zip")
    assert rendered.count == len(result.notes)  # every note rendered again (the failed build memoised the edit)
    assert kept.usable(out / ".cache") is not None


@pytest.mark.skipif(not hasattr(os, "posix_fadvise"), reason="no posix_fadvise on this platform: nothing is advised")
def test_the_package_to_be_replaced_lets_go_of_its_pages_first_and_stays_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before the new collection is written, the kernel is told the previous package will not be read again
    (`let_go_of_pages`); the file itself is untouched, so a build that then fails still leaves it whole."""
    import kbdeck.apkg.package as package

    content, out = make_content(tmp_path, {}), tmp_path / "out"
    first = _built(content, out)
    assert first.apkg is not None
    before = first.apkg.read_bytes()
    events: list[str] = []
    advise, write = os.posix_fadvise, package._write_collection

    def advising(fd: int, offset: int, length: int, advice: int) -> None:
        events.append(f"{os.readlink(f'/proc/self/fd/{fd}')} {offset} {length} {advice}")
        advise(fd, offset, length, advice)

    def failing(*args: Any, **kwargs: Any) -> None:
        events.append("collection")
        raise sqlite3.OperationalError("disk I/O error")

    _edit(content / CARDS, "Veja `sys.getrefcount`.", "Veja `sys.getrefcount` (editado).")
    with monkeypatch.context() as m:
        m.setattr(os, "posix_fadvise", advising)
        m.setattr(package, "_write_collection", failing)
        with pytest.raises(OSError, match="could not write the package's collection"):
            build(content, out)
    # advised once, before the write from the kept collection and the full write it falls back to
    assert events == [f"{first.apkg.resolve()} 0 0 {os.POSIX_FADV_DONTNEED}", "collection", "collection"]
    assert first.apkg.read_bytes() == before
    with monkeypatch.context() as m:
        m.setattr(package, "_write_collection", write)
        assert _built(content, out).apkg is not None

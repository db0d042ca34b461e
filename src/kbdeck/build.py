"""The build as a storyboard: load → check → render → package. Each stage lives in its own module."""

from __future__ import annotations

import functools
import gc
import hashlib
import json
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import ParamSpec, TypeVar

from .apkg.bundle import Encoded, encoded_bundle
from .apkg.ledger import (
    LEDGER_NAME,
    Changes,
    Ledger,
    LedgerError,
    LedgerOfAnotherKnowledgeBase,
    ledger_path,
    read_ledger,
    update,
    write_ledger,
)
from .apkg.package import Package, is_current, notetype_hash, package_digest, remember, write_apkg
from .apkg.renames import find_renames
from .content.check import check
from .content.images import Images
from .content.load import load, shown_path
from .content.outputs import RECORD_NAME, Policy, record_path, runner_for, write_record
from .model.contract import media_name
from .model.kb import KnowledgeBase
from .model.notetypes import BASIC, CLOZE
from .model.problems import Problems, Span
from .model.words import words_for
from .render.assembly import RenderedNote
from .render.fragments import Fragments
from .render.notes import attach_images, fields_in_chunks, render_notes, render_topic_html
from .render.prefetch import fragments_for, render_workers
from .render.staged import Staged, staging
from .support.cache import forget_texts
from .support.lock import build_lock

P = ParamSpec("P")
R = TypeVar("R")


@dataclass
class BuildResult:
    """What a build did, for the CLI summary and for tests."""

    problems: Problems
    kb: KnowledgeBase | None = None
    notes: list[RenderedNote] = field(default_factory=list)
    changes: Changes | None = None
    ledger: Ledger | None = None
    apkg: Path | None = None
    media: dict[str, bytes] = field(default_factory=dict)
    seconds: float = 0.0
    ran: int = 0
    """Output-card snippets executed (0 when every output came from the record)."""
    record_written: bool = False
    """Whether the output record changed on disk."""

    @property
    def ok(self) -> bool:
        return self.apkg is not None or (self.changes is not None and not self.problems.errors)


MANY_CHANGED = 10
"""More changed notes than this (or than 5% of the deck) get a word about tags in the report."""


def apkg_name(deck: str) -> str:
    """`build/<deck>.apkg`: the root deck name, minus characters that are unsafe in file names, and
    shortened (with a hash of the whole name, so two long names stay apart) to fit every file system."""
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "-", deck).strip() or "deck"
    if len(name.encode()) > 120:
        digest = hashlib.sha256(deck.encode()).hexdigest()[:8]
        name = name.encode()[:100].decode("utf-8", "ignore").rstrip() + f"-{digest}"
    return name + ".apkg"


def forgetting_texts(func: Callable[P, R]) -> Callable[P, R]:
    """Run `func`, then drop the text digests the build cache remembered for it (`cache.text_key`)."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        finally:
            forget_texts()

    return wrapper


def without_collections(func: Callable[P, R]) -> Callable[P, R]:
    """Run `func` with the cyclic garbage collector off (and on again after, if it was on).

    A build allocates millions of long-lived objects and no cyclic garbage: with Python's default
    thresholds the collector rescanned the growing heap for a third of a large build; with raised
    thresholds its passes still found nothing to free and took 2.3 s of a cold 300,000-card build (60
    young passes and one of the middle generation) and 0.6 s of its no-op. Whatever a build leaves in
    cycles (a traceback's frames) goes at the first collection after it.
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        enabled = gc.isenabled()
        gc.disable()
        try:
            return func(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    return wrapper


@forgetting_texts
@without_collections
def build(
    content: Path,
    out: Path,
    *,
    dry_run: bool = False,
    strict: bool = False,
    compress: bool = False,
    execute: Policy | None = None,
) -> BuildResult:
    """Load, check, render and package `content` into `out`. Output cards come from the record;
    `execute` says what may run besides (`Policy.ALL`: every snippet, and the record is rewritten);
    by default only a trusted knowledge base runs the snippets that have no record.
    One build of a content directory at a time (`lock.build_lock`)."""
    # a deck too large to hold as HTML leaves its notes' fields in a scratch file for the package (render/staged.py)
    with build_lock(content, out), staging(None if dry_run else out / ".cache") as staged:
        return _build(content, out, staged, dry_run=dry_run, strict=strict, compress=compress, execute=execute)


def _build(
    content: Path,
    out: Path,
    staged: Staged | None,
    *,
    dry_run: bool,
    strict: bool,
    compress: bool,
    execute: Policy | None,
) -> BuildResult:
    started = time.perf_counter()
    problems = Problems()
    result = BuildResult(problems)
    cache = out / ".cache"
    with render_workers(cache) as workers:  # a cold build's head start: render/prefetch.py
        kb = load(content, problems, cache)
        if kb is None:
            return result
        result.kb = kb
        fragments = fragments_for(kb, cache, workers)
        check(kb, problems, cache)
        runner = runner_for(content, kb.roadmap.id, kb.roadmap.python, problems, policy=execute)
        if runner is None:
            fragments.save(prune=False)
            return result
        notes = render_notes(kb, problems, runner, fragments, staged)
        images = Images(kb.roadmap.id, kb.root)
        notes = attach_images(kb, notes, images)
        result.ran = runner.ran
        if problems.blocking(strict):
            fragments.save(prune=False)
            return result
        media, note_files = render_topic_notes(kb, fragments, images)
        media.update(images.media)
        fragments.save(prune=True)
    # the fragment store and the text digests served checking and rendering; the notes hold the HTML they
    # need (a note from the note memo reads it again if asked): let the rest go before the bundle and the
    # ledger are made (at 300,000 cards, 0.2 GB they reuse)
    fragments.release()
    forget_texts()

    def fields_of(chunk: Sequence[RenderedNote]) -> Iterator[tuple[str, ...]]:
        return fields_in_chunks(chunk, fragments)

    encoded = encoded_bundle(kb, notes, note_files, cache, fields_of)
    stamps = {
        f"notetype:{BASIC.name}": notetype_hash(BASIC),
        f"notetype:{CLOZE.name}": notetype_hash(CLOZE),
        "bundle": encoded.digest(),
    }
    stamped = stamp(content, kb, notes, stamps, problems, out / apkg_name(kb.roadmap.deck), encoded)
    if stamped is None:
        return result
    ledger, changes = stamped
    if changes.kind_changed:
        refuse_kind_changes(kb, changes, problems)
        return result
    result.notes, result.changes, result.ledger = notes, changes, ledger
    data = encoded.with_build(ledger.generation, ledger.stamps["bundle"].changed_at)
    media[media_name(kb.roadmap.id, "bundle", data, ".json")] = data
    result.media = media
    if not dry_run:
        out.mkdir(parents=True, exist_ok=True)
        path = out / apkg_name(kb.roadmap.deck)
        package = Package(
            path,
            kb.roadmap.id,
            kb.roadmap.deck,
            kb.roadmap.title,
            notes,
            {n.guid: ledger.notes[n.card_id].changed_at for n in notes},
            {name.split(":", 1)[1]: e.changed_at for name, e in ledger.stamps.items() if name.startswith("notetype:")},
            media,
            compress,
        )
        digest = package_digest(package)
        if not is_current(path, digest, cache / "package.json"):  # else: the same bytes are already there
            write_apkg(package, cache, fields_of, staged.usable() if staged is not None else None)
            remember(path, digest, cache / "package.json")
            fragments.release()
        write_ledger(ledger_path(content), ledger)
        result.record_written = write_record(record_path(content), runner.updated_record())
        result.apkg = path
    result.seconds = time.perf_counter() - started
    return result


def stamp(
    content: Path,
    kb: KnowledgeBase,
    notes: list[RenderedNote],
    stamps: dict[str, str],
    problems: Problems,
    previous_apkg: Path | None = None,
    encoded: Encoded | None = None,
) -> tuple[Ledger, Changes] | None:
    """The new ledger and what changed since the previous build; None when the previous ledger cannot be
    used (`open_ledger` says why). A ledger with no notes (missing, or rebuilt from nothing) is first filled
    from the package the previous build left at `previous_apkg` (`recover.py`). The previous ledger is let
    go on return: holding both to the end of a 300,000-card build cost 0.1 GB of its peak."""
    old = open_ledger(content, kb, problems)
    if old is None:
        return None
    notes_now = {
        n.card_id: (n.content_hash, n.topic, "cloze" if n.notetype is CLOZE else "basic", n.section) for n in notes
    }
    if not old.notes and not old.removed and previous_apkg is not None and encoded is not None:
        recover_ledger(content, kb, old, notes_now, previous_apkg, encoded, problems)
    return update(old, notes_now, stamps)


def recover_ledger(
    content: Path,
    kb: KnowledgeBase,
    ledger: Ledger,
    notes_now: dict[str, tuple[str, str, str, str]],
    previous_apkg: Path,
    encoded: Encoded,
    problems: Problems,
) -> None:
    """Fill an empty ledger from the previous package, if there is one, and say so."""
    from .apkg.recover import previous_build, seed

    previous = previous_build(previous_apkg, kb.roadmap.id)
    if previous is None or not previous.cards:
        return
    digests = {card_id: str(card["fields"]) for card_id, card in json.loads(encoded.value())["cards"].items()}
    kept = seed(ledger, previous, [(i, *note) for i, note in notes_now.items()], digests)
    path = ledger_path(content)
    problems.warning(
        Span(shown_path(path)),
        "ledger-recovered",
        f"the build ledger was missing or empty: recovered from {shown_path(previous_apkg)} (generation "
        f"{previous.generation}, {len(previous.cards)} notes): {kept} unchanged notes keep their dates, so an "
        "import leaves them and their Anki-side tags alone",
        f"commit {shown_path(path)} with the content: on a machine without a previous build, every note "
        "would be re-stamped",
    )


def open_ledger(content: Path, kb: KnowledgeBase, problems: Problems) -> Ledger | None:
    """The previous build's ledger; None (with a problem saying how to recover) when it is damaged or
    belongs to another knowledge base id: building on would re-stamp or duplicate every note."""
    path = ledger_path(content)
    try:
        return read_ledger(path, kb.roadmap.id)
    except LedgerOfAnotherKnowledgeBase as exc:
        problems.error(
            kb.roadmap.id_span or kb.roadmap.span,
            "kb-id-changed",
            f"the ledger {shown_path(path)} {exc}: a new id gives every note a new identity, so an import "
            "would add every card again beside the old ones (their reviews stay with the old ones)",
            f"put `id: {exc.ledger_kb}` back in roadmap.yaml; to start a new deck on purpose, delete "
            f"{LEDGER_NAME} first",
        )
    except LedgerError as exc:
        problems.error(
            Span(shown_path(path), *exc.at),
            "bad-ledger",
            f"the build ledger {exc}; building now would re-stamp every note, and a plain import would drop "
            "every note's Anki-side tags",
            "restore it (resolve the merge conflict, or `git checkout -- <file>`), or run "
            "`kbdeck ledger --rebuild` to repair it keeping every stamp it can read",
        )
    return None


def refuse_kind_changes(kb: KnowledgeBase, changes: Changes, problems: Problems) -> None:
    """A card that moved between basic and cloze under the same id can never be updated in Anki."""
    spans = {c.id: c.span for c in kb.cards}
    for card_id, was, now in changes.kind_changed:
        problems.error(
            spans.get(card_id, kb.roadmap.span),
            "kind-changed",
            f"card `{card_id}` was a {was} card and is a {now} card now: Anki cannot change a note's type "
            "on import, so the note would keep its old text for ever",
            f"give it a new id (the old note keeps its history and stops updating), or make it a {was} card again",
        )


def render_topic_notes(
    kb: KnowledgeBase, fragments: Fragments, images: Images | None = None
) -> tuple[dict[str, bytes], dict[str, str]]:
    """Each topic note as a content-addressed HTML media file: (media, topic id → file name)."""
    topics = sorted(kb.topics.values(), key=lambda t: t.id)
    with fragments.batch():
        for topic in topics:
            render_topic_html(kb, fragments, topic)
    media: dict[str, bytes] = {}
    note_files: dict[str, str] = {}
    for topic in topics:
        page = render_topic_html(kb, fragments, topic)
        if images is not None:
            page = images.attach(page, [Path(topic.span.path).parent, kb.root])
        data = page.encode()
        name = media_name(kb.roadmap.id, "note", data, ".html")
        media[name] = data
        note_files[topic.id] = name
    return media, note_files


def _count(n: int, word: str) -> str:
    """`1 note`, `2 notes`: the summary is read by people, who notice `1 examples`."""
    return f"{n} {word}{'s' * (n != 1)}"


def summary(result: BuildResult, dry_run: bool = False) -> str:
    """The one-screen report printed after a build."""
    kb, changes = result.kb, result.changes
    if kb is None or changes is None:
        return ""
    kind_tag = f"kb::{words_for(kb.roadmap.language).kind_tag}::"
    kinds_by = Counter(t.split("::")[-1] for n in result.notes for t in n.tags if t.startswith(kind_tag))
    decks = {n.deck for n in result.notes}
    # a note is one authored flashcard; Anki schedules cards (one per note, one per cloze deletion)
    cards = sum(len(n.ords) for n in result.notes)
    target = shown_path(result.apkg) if result.apkg else "(dry run: nothing written)"
    gen = result.ledger.generation if result.ledger else 0
    first = gen <= 1 and not (changes.changed or changes.unchanged or changes.removed)
    lines = [
        f"kbdeck: {kb.roadmap.title} → {target}",
        f"  {_count(len(result.notes), 'note')} ({', '.join(f'{k} {v}' for k, v in sorted(kinds_by.items()))}) "
        f"→ {_count(cards, 'Anki card')}",
        f"  {_count(len(kb.topics), 'topic')}, {_count(len(decks), 'deck')}; "
        f"{_count(len(kb.runnable_examples), 'example')}; {_count(len(kb.roadmap.mock_interviews), 'mock interview')}",
        f"  first build: {_count(len(changes.new), 'new note')}"
        if first
        else f"  since the last build: {len(changes.new)} new, {len(changes.changed)} changed, "
        f"{len(changes.unchanged)} unchanged, {len(changes.removed)} removed notes",
    ]
    if changes.sections:
        one = len(changes.sections) == 1
        lines.append(
            f"  {_count(len(changes.sections), 'card')} {'carries' if one else 'carry'} a changed note section (the "
            f"card itself is unchanged): not re-stamped, so a plain File → Import keeps Anki's copy and "
            f"{'its' if one else 'their'} tags; the add-on's update brings it"
        )
    if changes.restored:
        lines.append(
            f"  back unchanged (they keep their old time, so Anki keeps their notes and tags): "
            f"{', '.join(changes.restored[:10])}"
            + (f" … and {len(changes.restored) - 10} more" if len(changes.restored) > 10 else "")
        )
    if len(changes.changed) > max(MANY_CHANGED, len(result.notes) // 20):
        lines.append(
            f"  NOTE: {len(changes.changed)} existing notes changed. Importing this package updates them, and a plain "
            "File → Import replaces an updated note's tags with the package's (leech, marked and your own tags "
            "on those notes are dropped); the kbdeck add-on's update from build puts them back"
        )
    if changes.changed and len(changes.changed) <= 10:
        lines.append(f"  changed: {', '.join(changes.changed)}")
    if changes.new and len(changes.new) <= 10:
        lines.append(f"  new: {', '.join(changes.new)}")
    if changes.removed:
        lines.append(
            f"  WARNING: {_count(len(changes.removed), 'card id')} of the previous build "
            f"{'is' if len(changes.removed) == 1 else 'are'} gone; in Anki "
            f"{'that card keeps its' if len(changes.removed) == 1 else 'those cards keep their'} history but will "
            "never be updated again (if you renamed an id, rename it back):"
        )
        renamed = {r.old: r for r in find_renames(changes, {n.card_id: n.topic for n in result.notes}, kb.root)}
        for cid, topic in changes.removed[:20]:
            r = renamed.get(cid)
            hint = f" → looks renamed to `{r.new}` ({r.evidence}): rename it back to keep its history" if r else ""
            lines.append(f"    - {cid} (was in {topic}){hint}")
        if len(changes.removed) > 20:
            lines.append(f"    … and {len(changes.removed) - 20} more")
    if result.ran:
        lines.append(
            f"  ran {_count(result.ran, 'output card')}"
            + ("; recorded their output in " + RECORD_NAME if result.record_written else "")
        )
    if result.problems.warnings:
        lines.append(f"  {_count(len(result.problems.warnings), 'warning')}, printed above")
    lines.append(f"  build generation {gen}{' (would be)' if dry_run else ''}, {result.seconds:.2f} s")
    return "\n".join(lines)

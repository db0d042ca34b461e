"""Stage 3 of the build: every card → its Anki note, in study order, with what earlier builds left.

Pure: the same knowledge base gives the same `RenderedNote`s, whose `content_hash` is what the
ledger compares to decide whether a note changed. One note's assembly is `assembly.py`; here, the
deck's: output cards' results, the build cache (fragments rendered together, in parallel) and the note
memo (a note known by its recipe is not rendered at all).
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Iterator, Sequence
from pathlib import Path

from ..content.images import Images
from ..content.outputs import OutputRunner, Policy, RunResult, drift_diff
from ..model.contract import fields_digest, note_guid
from ..model.kb import Card, Kind, KnowledgeBase, Topic
from ..model.notetypes import NoteTypeSpec, note_columns
from ..model.problems import Problems
from ..support.cache import forget_texts
from .assembly import (
    REVERSE_SUFFIX,
    Place,
    RenderedNote,
    fields_of,
    output_code,
    rendered_note,
    reverse_note,
    reversed_fields,
)
from .fragments import Fragments
from .markdown_html import Renderer
from .recipes import NoteMemo, recipe_digest
from .staged import Staged


def card_order(kb: KnowledgeBase) -> list[Card]:
    """Cards in study order: roadmap days, topics within the day, cards within the file."""
    rank: dict[str, int] = {}
    for day in kb.roadmap.days:
        for topic in day.topics:
            rank.setdefault(topic, len(rank))
    for mock in kb.roadmap.mock_interviews:
        for section in mock.sections:
            if section.problem:
                rank.setdefault(section.problem, len(rank))
    return sorted(kb.cards, key=lambda c: (rank.get(c.topic, len(rank)), c.topic, c.order))


def _placed(kb: KnowledgeBase, ordered: list[Card]) -> Iterator[tuple[int, Card, Place]]:
    """(new-card position, card, its topic's place) for every card whose topic and area exist (the
    others are reported by check); one `Place` per topic."""
    areas = {a.id: a for a in kb.roadmap.areas}
    places: dict[str, Place] = {}
    for due, card in enumerate(ordered, start=1):  # position 0 misleads Anki: a filtered deck kept that card last
        topic = kb.topics.get(card.topic)
        area = areas.get(card.topic.split("/")[0])
        if topic is None or area is None:
            continue
        place = places.get(topic.id) or places.setdefault(topic.id, Place(kb, topic, area))
        yield due, card, place


def request_fragments(kb: KnowledgeBase, fragments: Fragments) -> None:
    """Ask for every fragment the cards and topic notes will need, without waiting for them.

    A cold build calls this right after loading, so that its workers render while it checks; the
    requests are the ones `render_notes` and `render_topic_html` make (an output card's printed
    output, not known yet, is left for later: it is a small plain block).
    """
    with fragments.prefetch():
        for _, card, place in _placed(kb, card_order(kb)):
            fields_of(card, place, fragments, "")
        for topic in kb.topics.values():
            render_topic_html(kb, fragments, topic)


def render_notes(
    kb: KnowledgeBase,
    problems: Problems,
    runner: OutputRunner,
    fragments: Fragments | None = None,
    staged: Staged | None = None,
) -> list[RenderedNote]:
    """Render every card; output-card failures become problems at the card.

    `fragments` (with a cache) reuses earlier renders, and the note memo (`recipes.py`) spares a note
    found there its HTML: it is known by its hashes and renders again only if asked. The other cards
    are laid out once, as recipes (fields with fragment keys, `Fragments.keys_only`), in a batch that collects
    the fragments they name, so that those missing from the cache render together (in parallel); the recipes
    are then filled in with the HTML (`Fragments.filled`): one pass over the cards, where assembling each card
    in the batch and again once its fragments were there, plus its recipe for the memo, made three (at
    300,000 cards, about 2 s of CPU). A deck too large to hold as HTML renders a chunk at a time, and its notes
    leave their fields in `staged` for the package.
    """
    own = fragments is None
    frags = fragments or Fragments(kb.examples)
    ordered = card_order(kb)
    snippets = [(c.id, output_code(c, kb)) for c in ordered if c.kind is Kind.OUTPUT]
    results = runner.run_all([(card_id, code) for card_id, code in snippets if code is not None])
    plan: list[_Item] = []
    for due, card, place in _placed(kb, ordered):
        result = results.get(card.id)
        if result is not None and not report_output(card, result, runner, problems):
            continue
        plan.append((card, place, due, runner.shown(result) if result else ""))
    memo = NoteMemo(frags.cache_dir)
    kb_id = kb.roadmap.id
    try:
        # per card: its note (and its reverse's), None where it must render; and their recipes' digests
        known = [_from_memo(item, memo, frags, kb_id) for item in plan]
        todo = [i for i, (item_notes, _) in enumerate(known) if None in item_notes]
        # a deck too large to hold as HTML renders a chunk at a time, its notes let go of their fields (into
        # `staged`, for the package; `fields_in_chunks` renders them again for anything else)
        spilled = (frags.spilled or len(todo) >= SPILL_NOTES) and frags.spill()
        if not spilled and len(todo) * 4 > len(plan):  # most notes to render: one read of every stored fragment
            frags.load_all()
        size = FIELDS_CHUNK if spilled else max(len(todo), 1)
        for start in range(0, len(todo), size):
            part = todo[start : start + size]
            # each note's recipe first (its fields with fragment keys): the batch collects the fragments they
            # name, read from the store or rendered together, and the fields are the recipes filled in
            with frags.batch(), frags.keys_only():
                recipes = {i: _recipe(plan[i], frags) for i in part}
            for i in part:
                known[i] = _made(plan[i], recipes[i], known[i], memo, frags, kb_id, spilled, staged), []
            if spilled:
                frags.forget()
                if staged is not None:
                    staged.flush()
        notes: list[RenderedNote] = []
        for item_notes, _ in known:
            notes.extend(n for n in item_notes if n is not None)
        memo.save()
        return notes
    finally:
        if staged is not None:
            staged.close()
        if own:
            frags.close()


_Item = tuple[Card, "Place", int, str]
"""A card to render: the card, its topic's place, its new-card position and its shown output."""

SPILL_NOTES = 50_000
"""Notes to render from which a rebuild holds neither their fragments nor their fields (`Fragments.spill`; a
cold build's workers decide it by `fragments.SPILL_MIN`): below, holding them is faster (at 30,000 cards,
about 0.2 GB); above, it grew to 2 GB at 300,000."""

FIELDS_CHUNK = 2_000
"""Notes rendered (or rendered again) together when their HTML is not held: their fragments are read from
the store in one go and let go of after."""


def _made(
    item: _Item,
    recipe: tuple[NoteTypeSpec, tuple[str, ...]],
    known: tuple[list[RenderedNote | None], list[str]],
    memo: NoteMemo,
    frags: Fragments,
    kb_id: str,
    spilled: bool,
    staged: Staged | None = None,
) -> list[RenderedNote | None]:
    """A card's note (and its reverse's), its recipe filled in, put in the note memo; with `spilled`, without
    their fields (but for notes that show images: `attach_images` needs them), which go to `staged` when there
    is one."""
    card, place, due, _ = item
    notetype, parts = recipe
    fields = tuple(frags.filled(part) for part in parts)
    tags = place.tags(card)
    note = rendered_note(card.id, note_guid(kb_id, card.id), notetype, fields, tags, place.deck, due, place.topic.id)
    item_notes, keys = known
    made = [note, reverse_note(note, kb_id)] if len(item_notes) == 2 else [note]
    if memo.enabled and not keys:  # an empty memo (a cold build) was not asked: work them out now
        keys = _memo_keys(item, notetype, parts)
    out: list[RenderedNote | None] = []
    for reverse, n in enumerate(made):
        if (reverse < len(keys) or spilled) and not any("<img" in f for f in n.fields):  # images: files count too
            if reverse < len(keys):  # no keys without a memo
                memo.put(keys[reverse], (n.content_hash, n.section, n.ords))
            if spilled:
                flds, sfld = note_columns(n.fields)
                row = staged.put(flds, sfld) if staged is not None else None
                again = _Again(item, bool(reverse), frags)
                n = dataclasses.replace(n, held=None, again=again, fields_digest=fields_digest(flds), staged=row)
        out.append(n)
    return out


def fields_in_chunks(notes: Sequence[RenderedNote], frags: Fragments) -> Iterator[tuple[str, ...]]:
    """Each note's fields, in order. Those a note does not hold render again `FIELDS_CHUNK` notes at a time:
    a first assembly only names the fragments they need, which are read from the store together (one query
    per 500, not one per fragment) and let go of after the chunk, so a large deck's HTML is never held whole
    (nor the digests of its texts: `forget_texts`; this runs after checking and rendering, which share them)."""
    for start in range(0, len(notes), FIELDS_CHUNK):
        chunk = notes[start : start + FIELDS_CHUNK]
        if all(n.held is not None for n in chunk):
            yield from (n.fields for n in chunk)
            continue
        with frags.batch():
            for n in chunk:
                if n.held is None:
                    n.fields  # noqa: B018  (asks for its fragments: the batch reads them at its end)
        yield from (n.fields for n in chunk)
        frags.forget()
        forget_texts()


def _from_memo(
    item: _Item, memo: NoteMemo, frags: Fragments, kb_id: str
) -> tuple[list[RenderedNote | None], list[str]]:
    """The card's note (and its reverse's) as the memo knows them, without their HTML (None for each it
    does not know), and the digests of their recipes."""
    card, place, due, _ = item
    if not memo.known:
        return ([None, None] if card.reverse else [None]), []
    notetype, keys = _recipe_keys(item, frags)
    tags = place.tags(card)
    notes: list[RenderedNote | None] = []
    for reverse, key in enumerate(keys):
        found = memo.get(key)
        if found is None:
            notes.append(None)
            continue
        cid = card.id + REVERSE_SUFFIX if reverse else card.id
        content_hash, section, ords = found
        again = _Again(item, bool(reverse), frags)
        topic = place.topic.id
        notes.append(
            RenderedNote(
                cid,
                note_guid(kb_id, cid),
                notetype,
                None,
                tags,
                place.deck,
                due,
                topic,
                content_hash,
                section,
                ords,
                again,
            )
        )
    return notes, keys


def _recipe(item: _Item, frags: Fragments) -> tuple[NoteTypeSpec, tuple[str, ...]]:
    """The card's note type and recipe: its fields with each fragment's key (asked with `keys_only`)."""
    card, place, _, output = item
    return fields_of(card, place, frags, output)


def _recipe_keys(item: _Item, frags: Fragments) -> tuple[NoteTypeSpec, list[str]]:
    """The card's note type and the digests of its recipe (and its reverse's): the note memo's keys."""
    with frags.keys_only():
        notetype, recipe = _recipe(item, frags)
    return notetype, _memo_keys(item, notetype, recipe)


def _memo_keys(item: _Item, notetype: NoteTypeSpec, recipe: tuple[str, ...]) -> list[str]:
    """The digests of the card's recipe and its reverse's."""
    card, place, _, _ = item
    tags = place.tags(card)
    keys = [recipe_digest(notetype, place.deck, recipe, tags)]
    if card.reverse:
        keys.append(recipe_digest(notetype, place.deck, reversed_fields(card.id, recipe), tags))
    return keys


class _Again:
    """`RenderedNote.again` of a note that does not hold its fields: `_again` with its arguments, in 56 bytes (a
    `functools.partial`, with the tuple and dict it makes, took 200: 60 MB held to the end of a 300,000-card
    build)."""

    __slots__ = ("frags", "item", "reverse")

    def __init__(self, item: _Item, reverse: bool, frags: Fragments) -> None:
        self.item, self.reverse, self.frags = item, reverse, frags

    def __call__(self) -> tuple[str, ...]:
        return _again(self.item, self.reverse, self.frags)


def _again(item: _Item, reverse: bool, renderer: Fragments) -> tuple[str, ...]:
    """The fields of a note that does not hold them, rendered again (`RenderedNote.fields`); in a batch, with
    its missing fragments left empty (`fields_in_chunks`)."""
    card, place, _, output = item
    _, fields = fields_of(card, place, renderer, output)
    return reversed_fields(card.id, fields) if reverse else fields


def report_output(card: Card, result: RunResult, runner: OutputRunner, problems: Problems) -> bool:
    """Report what is wrong with an output card's result at the card; whether it can be shown."""
    span = card.span_of("include" if card.include else "code")
    if not result.ok:
        unrecorded = not result.ran and result.recorded is None and runner.policy is Policy.RECORDED
        if unrecorded:
            problems.error(span, "output-unrecorded", f"output card `{card.id}` has no recorded output", result.hint)
        else:
            problems.error(span, "output-failed", f"output card `{card.id}` failed ({result.error})", result.hint)
        return False
    if result.ran and result.recorded is None and runner.verify and runner.policy is Policy.ALL:
        problems.warning(
            span,
            "output-unrecorded",
            f"output card `{card.id}` runs, but its output is not recorded yet",
            "`kbdeck build` records it (with `--execute`, or in a trusted knowledge base)",
        )
    if result.drifted:
        diff = drift_diff(result.recorded or "", result.stdout, card.id)
        if runner.foreign:
            problems.warning(
                span,
                "output-differs",
                f"output card `{card.id}` prints something else under Python {runner.ran_under} than its "
                f"record for Python {runner.python} (the card keeps the record):\n{diff}",
                f"the knowledge base declares Python {runner.python}; install `python{runner.python}` to run "
                "its snippets under that version",
            )
        elif runner.verify:
            problems.error(
                span,
                "output-drift",
                f"output card `{card.id}`: the recorded output no longer matches what the code prints:\n{diff}",
                "if the new output is right, record it with `kbdeck build --execute` (and check the card's text)",
            )
    return True


def attach_images(kb: KnowledgeBase, notes: list[RenderedNote], images: Images) -> list[RenderedNote]:
    """Cards whose HTML shows local images, pointed at the packaged copies (the others as they are)."""
    files = {c.id: c.span.path for c in kb.cards}  # a Path only for the few cards with images (30,000 Paths: 0.3 s)
    out = []
    for note in notes:
        if note.held is None or not any("<img" in f for f in note.held):  # a memo's note shows no image
            out.append(note)
            continue
        path = files.get(note.card_id.removesuffix(REVERSE_SUFFIX))  # a reverse: its card's file
        bases = [Path(path).parent if path else kb.root, kb.root]
        fields = tuple(images.attach(f, bases) for f in note.fields)
        if fields == note.fields:
            out.append(note)
        else:
            n = note
            out.append(rendered_note(n.card_id, n.guid, n.notetype, fields, n.tags, n.deck, n.due, n.topic))
    return out


def render_topic_html(kb: KnowledgeBase, renderer: Renderer | Fragments, topic: Topic) -> str:
    """A topic note as an HTML fragment (title + body), for the add-on's note viewer."""
    body = renderer.render(topic.body)
    head = f'<article class="kb-note" data-topic="{html.escape(topic.id)}"><h1>{html.escape(topic.title)}</h1>'
    return f"{head}\n{body}</article>\n"

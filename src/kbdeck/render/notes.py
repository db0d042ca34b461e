"""Stage 3 of the build: cards and notes → field HTML, tags, deck, order and identity.

Pure: the same knowledge base gives the same `RenderedNote`s, whose `content_hash` is what the
ledger compares to decide whether a note changed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..content.clozes import parse_hides
from ..content.codeblocks import hide_in_includes, resolve_include
from ..content.images import Images
from ..content.outputs import OutputRunner, Policy, RunResult, drift_diff
from ..model.contract import fields_digest, note_guid
from ..model.kb import Area, Card, Kind, KnowledgeBase, Topic
from ..model.notetypes import BASIC, CLOZE, NoteTypeSpec, card_ords
from ..model.problems import Problems
from ..model.words import words_for
from ..support.cache import forget_texts, text_digest
from .fragments import Fragments
from .markdown_html import Renderer
from .recipes import NoteMemo, recipe_digest
from .sections import section_markdown


@dataclass(frozen=True, slots=True)
class RenderedNote:
    """One Anki note, ready to package."""

    card_id: str
    """Authored id."""
    guid: str
    """Anki note GUID: stable hash of (knowledge base id, card id)."""
    notetype: NoteTypeSpec
    """Basic or Cloze."""
    held: tuple[str, ...] | None
    """The field values when the note holds them; None for a note known from the note memo (`fields`)."""
    tags: tuple[str, ...]
    """Sorted Anki tags."""
    deck: str
    """Full deck name."""
    due: int
    """New-card position (roadmap order)."""
    topic: str
    """Topic id."""
    content_hash: str
    """Hash of everything Anki stores for the note (fields, tags, note type) but its section."""
    section: str
    """Digest of the note section it carries ("" when none): the ledger tells section changes apart."""
    ords: tuple[int, ...]
    """The Anki cards the note makes (template or cloze ordinals, in genanki's order)."""
    again: Callable[[], tuple[str, ...]] | None = None
    """Renders the fields again, for a note that does not hold them."""
    fields_digest: str | None = None
    """`contract.fields_digest` of the fields, worked out as a note rendered in chunks lets go of them (`_made`):
    the bundle would otherwise render them again for it (12 s of a 300,000-card cold build)."""

    @property
    def fields(self) -> tuple[str, ...]:
        """Field values in the note type's order (rendered again, not kept, when the note does not hold them)."""
        if self.held is not None:
            return self.held
        assert self.again is not None, "a note holds its fields or knows how to render them"
        return self.again()


def rendered_note(
    card_id: str,
    guid: str,
    notetype: NoteTypeSpec,
    fields: tuple[str, ...],
    tags: tuple[str, ...],
    deck: str,
    due: int,
    topic: str,
) -> RenderedNote:
    """A note that holds its fields, with the hashes and cards worked out from them."""
    digest = note_digest(notetype, deck, fields, tags)
    section = fields[notetype.fields.index(SECTION_FIELD)]
    ords = tuple(card_ords(notetype, fields)) if notetype.is_cloze else _basic_ords(notetype, fields)
    return RenderedNote(
        card_id,
        guid,
        notetype,
        fields,
        tags,
        deck,
        due,
        topic,
        digest,
        text_digest(section)[:16] if section else "",
        ords,
    )


_BASIC_ORDS: dict[tuple[object, ...], tuple[int, ...]] = {}


def _basic_ords(notetype: NoteTypeSpec, fields: tuple[str, ...]) -> tuple[int, ...]:
    """A front/back note's cards depend only on which of its fields are empty."""
    key = (notetype.model_id, *(not f for f in fields))
    found = _BASIC_ORDS.get(key)
    if found is None:
        found = _BASIC_ORDS[key] = tuple(card_ords(notetype, fields))
    return found


def tag_part(text: str) -> str:
    """A tag component: no spaces (Anki splits on them) and no `::` inside."""
    return re.sub(r"\s+", "-", text.strip()).replace("::", "-")


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


def output_code(card: Card, kb: KnowledgeBase) -> str | None:
    """The code an output card runs; None when its include does not resolve (check reports that)."""
    if card.include:
        code, _ = resolve_include(card.include, kb.examples)
        return code
    return card.code.strip("\n")


def _placed(kb: KnowledgeBase, ordered: list[Card]) -> Iterator[tuple[int, Card, _Place]]:
    """(new-card position, card, its topic's place) for every card whose topic and area exist (the
    others are reported by check); one `_Place` per topic."""
    areas = {a.id: a for a in kb.roadmap.areas}
    places: dict[str, _Place] = {}
    for due, card in enumerate(ordered, start=1):  # position 0 misleads Anki: a filtered deck kept that card last
        topic = kb.topics.get(card.topic)
        area = areas.get(card.topic.split("/")[0])
        if topic is None or area is None:
            continue
        place = places.get(topic.id) or places.setdefault(topic.id, _Place(kb, topic, area))
        yield due, card, place


def request_fragments(kb: KnowledgeBase, fragments: Fragments) -> None:
    """Ask for every fragment the cards and topic notes will need, without waiting for them.

    A cold build calls this right after loading, so that its workers render while it checks; the
    requests are the ones `render_notes` and `render_topic_html` make (an output card's printed
    output, not known yet, is left for later: it is a small plain block).
    """
    with fragments.prefetch():
        for _, card, place in _placed(kb, card_order(kb)):
            _fields(card, place, fragments, "")
        for topic in kb.topics.values():
            render_topic_html(kb, fragments, topic)


def render_notes(
    kb: KnowledgeBase, problems: Problems, runner: OutputRunner, fragments: Fragments | None = None
) -> list[RenderedNote]:
    """Render every card; output-card failures become problems at the card.

    `fragments` (with a cache) reuses earlier renders, and the note memo (`recipes.py`) spares a note
    found there its HTML: it is known by its hashes and renders again only if asked. The other cards
    are assembled in a batch that collects the fragments missing from the cache, so that they render
    together (in parallel); the cards that met one are assembled again afterwards.
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
        # a deck too large to hold as HTML renders a chunk at a time, its notes let go of their fields
        # (`fields_in_chunks` renders them again for the bundle and the package)
        spilled = (frags.spilled or len(todo) >= SPILL_NOTES) and frags.spill()
        if not spilled and len(todo) * 4 > len(plan):  # most notes to render: one read of every stored fragment
            frags.load_all()
        size = FIELDS_CHUNK if spilled else max(len(todo), 1)
        for start in range(0, len(todo), size):
            part = todo[start : start + size]
            with frags.batch():
                drafts = {i: _render_card(*plan[i], frags) for i in part}
            for i in part:
                # a card that met a fragment still to be rendered is assembled again, now that it is
                known[i] = _made(plan[i], drafts[i], known[i], memo, frags, kb_id, spilled), []
            if spilled:
                frags.forget()
        notes: list[RenderedNote] = []
        for item_notes, _ in known:
            notes.extend(n for n in item_notes if n is not None)
        memo.save()
        return notes
    finally:
        if own:
            frags.close()


_Item = tuple[Card, "_Place", int, str]
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
    draft: RenderedNote | None,
    known: tuple[list[RenderedNote | None], list[str]],
    memo: NoteMemo,
    frags: Fragments,
    kb_id: str,
    spilled: bool,
) -> list[RenderedNote | None]:
    """A rendered card's note (and its reverse's), put in the note memo; with `spilled`, without their fields
    (but for notes that show images: `attach_images` needs them)."""
    note = draft or _assembled(*item, frags)
    item_notes, keys = known
    made = [note, _reverse(note, kb_id)] if len(item_notes) == 2 else [note]
    if memo.enabled and not keys:  # an empty memo (a cold build) was not asked: work them out now
        _, keys = _recipe_keys(item, frags)
    out: list[RenderedNote | None] = []
    for reverse, n in enumerate(made):
        if (reverse < len(keys) or spilled) and not any("<img" in f for f in n.fields):  # images: files count too
            if reverse < len(keys):  # no keys without a memo
                memo.put(keys[reverse], (n.content_hash, n.section, n.ords))
            if spilled:
                digest = fields_digest("\x1f".join(n.fields))
                n = dataclasses.replace(n, held=None, again=_Again(item, bool(reverse), frags), fields_digest=digest)
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


def _recipe_keys(item: _Item, frags: Fragments) -> tuple[NoteTypeSpec, list[str]]:
    """The card's note type and the digests of its recipe (and its reverse's): the note memo's keys."""
    card, place, _, output = item
    with frags.keys_only():
        notetype, recipe = _fields(card, place, frags, output)
    tags = place.tags(card)
    keys = [recipe_digest(notetype, place.deck, recipe, tags)]
    if card.reverse:
        keys.append(recipe_digest(notetype, place.deck, _reversed(card.id, recipe), tags))
    return notetype, keys


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
    _, fields = _fields(card, place, renderer, output)
    return _reversed(card.id, fields) if reverse else fields


def _reversed(card_id: str, fields: tuple[str, ...]) -> tuple[str, ...]:
    """A reverse note's fields (a card marked `reverse: true` gets it as a note of its own): its own id, the
    question and answer swapped, so the frozen note types never gain a template (a note type whose
    templates change breaks every user's next import)."""
    _, front, back, *rest = fields
    return (card_id + REVERSE_SUFFIX, back, front, *rest)


def _reverse(note: RenderedNote, kb_id: str) -> RenderedNote:
    rid = note.card_id + REVERSE_SUFFIX
    return rendered_note(
        rid,
        note_guid(kb_id, rid),
        note.notetype,
        _reversed(note.card_id, note.fields),
        note.tags,
        note.deck,
        note.due,
        note.topic,
    )


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


class _Place:
    """What the cards of one topic share, worked out once per topic: the roadmap line, the source
    fields of each heading cards point to, the tag sets and the deck."""

    def __init__(self, kb: KnowledgeBase, topic: Topic, area: Area) -> None:
        self.kb = kb
        self.topic = topic
        self.words = words_for(kb.roadmap.language)
        rm = kb.roadmap
        self.deck = f"{rm.deck}::{area.deck}"
        if rm.subdecks == "topic":
            self.deck += "::" + (" ".join(topic.title.replace("::", "-").split()) or topic.id)
        day = rm.day_of(topic.id)
        week = next((w for w in rm.weeks if day and any(d is day for d in w.days)), None)
        roadmap = " › ".join(x for x in (week.title.split(" —")[0] if week else "", day.title if day else "") if x)
        self.roadmap = f"{roadmap} · {topic.title}" if roadmap else topic.title
        self.base_tags = {f"kb::{topic.area}::{topic.id.split('/', 1)[1].replace('/', '::')}"}
        if day is not None and week is not None:
            self.base_tags.add(f"kb::{week.id}::{day.id}")
        self.base_tags.update(tag_part(t) for t in topic.tags if tag_part(t))
        self._common: dict[str, tuple[str, ...]] = {}
        self._tags: dict[tuple[str, tuple[str, ...]], tuple[str, ...]] = {}
        self._sections: dict[str, tuple[str, bool]] = {}
        self._with_section: dict[tuple[tuple[str, ...], str], tuple[str, ...]] = {}

    def common(self, see: str) -> tuple[str, ...]:
        """Source, SourceURL, Topic, Roadmap and the spare fields of a card with this `see:`."""
        found = self._common.get(see)
        if found is None:
            topic, rm = self.topic, self.kb.roadmap
            heading = topic.heading_for(see) if see else None
            source = f"{topic.id}.md" + (f"#{heading.anchor}" if heading else "")
            source_url = f"{rm.source_url}{source}" if rm.source_url else ""
            crumb = topic.title + (f" › {heading.text}" if heading else "")
            escape = html.escape
            found = self._common[see] = (
                escape(source),
                escape(source_url),
                escape(crumb),
                escape(self.roadmap),
                "",
                "",
            )
        return found

    def section(self, see: str) -> tuple[str, bool]:
        """The Markdown of the note section a card with this `see:` carries, and whether it was cut."""
        found = self._sections.get(see)
        if found is None:
            heading = self.topic.heading_for(see) if see else None
            found = self._sections[see] = section_markdown(self.topic, heading)
        return found

    def with_section(self, see: str, body: str) -> tuple[str, ...]:
        """`common(see)` with the note section's HTML in Reserved1. One tuple, and one string, for all the
        cards that carry the same section (it is 3 KB or more of HTML per card where sections are long)."""
        common = self.common(see)
        key = (common, body)  # two spellings of one heading give equal fields: one copy
        found = self._with_section.get(key)
        if found is None:
            section = f'<div class="kb-section-text">{body}</div>'
            found = self._with_section[key] = (*common[:4], section, common[5])
        return found

    def continues(self, see: str) -> str:
        """The line under a cut section: where the rest is (with the web link when there is one)."""
        _, source_url, crumb, *_ = self.common(see)
        where = f'<a href="{source_url}">{crumb}</a>' if source_url else f"<b>{crumb}</b>"
        text = html.escape(self.words.section_continues).replace(html.escape("{where}"), where)
        return f'<p class="kb-section-more">{text}</p>'

    def tags(self, card: Card) -> tuple[str, ...]:
        """The card's sorted Anki tags."""
        key = (card.kind.value, card.tags)
        found = self._tags.get(key)
        if found is None:
            tags = {*self.base_tags, f"kb::{self.words.kind_tag}::{card.kind.value}"}
            tags.update(tag_part(t) for t in card.tags if tag_part(t))
            found = self._tags[key] = tuple(sorted(tags))
        return found


def _fields(card: Card, place: _Place, renderer: Fragments, output: str) -> tuple[NoteTypeSpec, tuple[str, ...]]:
    extra = renderer.render(card.extra) if card.extra.strip() else ""
    common = place.common(card.see)
    section, cut = place.section(card.see)
    if section:  # the note's section travels with the card (phones have no add-on): spare field Reserved1
        common = place.with_section(card.see, renderer.render(section) + (place.continues(card.see) if cut else ""))
    if card.kind is Kind.CLOZE:
        return CLOZE, (card.id, renderer.render(_with_hides(card, place.kb)), extra, *common)
    if card.kind is Kind.OUTPUT:
        code = output_code(card, place.kb) or ""
        label = Path(card.include.split("#")[0]).name if card.include else "python"
        words = place.words
        front = renderer.render(card.q or words.output_question) + renderer.code(code, "python", label=label)
        back = f'<div class="kb-output">{renderer.code(output, "", label=words.output_label)}</div>'
        return BASIC, (card.id, front, back, extra, *common)
    return BASIC, (card.id, renderer.render(card.q), renderer.render(card.a), extra, *common)


def _with_hides(card: Card, kb: KnowledgeBase) -> str:
    """A cloze card's text; with `hide:` entries, its includes expanded and those texts made deletions in
    them (the renderer keys the result by its text, so an edit of the example renders it again)."""
    if not card.hide:
        return card.cloze
    return hide_in_includes(card.cloze, kb.examples, parse_hides(card.hide))[0]


def _render_card(card: Card, place: _Place, due: int, output: str, renderer: Fragments) -> RenderedNote | None:
    """The card's note; None when a fragment it needs is still to be rendered (in a batch: `placeholders`
    grew). Its digest and GUID then wait for the second assembly: a cold build hashed every note twice."""
    before = renderer.placeholders
    notetype, fields = _fields(card, place, renderer, output)
    if renderer.placeholders != before:
        return None
    guid = note_guid(place.kb.roadmap.id, card.id)
    return rendered_note(card.id, guid, notetype, fields, place.tags(card), place.deck, due, place.topic.id)


def _assembled(card: Card, place: _Place, due: int, output: str, renderer: Fragments) -> RenderedNote:
    """`_render_card` outside a batch, where every fragment is there."""
    note = _render_card(card, place, due, output, renderer)
    assert note is not None, "a fragment was left unrendered outside a batch"
    return note


REVERSE_SUFFIX = "::reverse"
"""A reverse card's id is its card's plus this (`:` never appears in an authored id, so no clash)."""


SECTION_FIELD = "Reserved1"
"""The spare field that carries the note section (the note types' field lists stay frozen)."""


def note_digest(notetype: NoteTypeSpec, deck: str, fields: tuple[str, ...], tags: tuple[str, ...]) -> str:
    """`RenderedNote.content_hash`: everything Anki stores for the note, except the note section it
    carries. A section edit is not a card edit: stamping it would make a plain File → Import replace the
    tags of every card of that section; it reaches the collection through the add-on's update (and with
    the card's next real edit), see `RenderedNote.section`."""
    at = notetype.fields.index(SECTION_FIELD)
    kept = (*fields[:at], "", *fields[at + 1 :])
    return hashlib.sha256("\x1e".join([notetype.name, deck, *kept, " ".join(tags)]).encode()).hexdigest()


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

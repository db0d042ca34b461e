"""One card → one Anki note: its fields, tags, deck, identity and hashes (stage 3 of the build, one note at a time).

`Place` holds what the cards of one topic share (deck, roadmap line, tags, the note sections cards carry);
`fields_of` lays a card's fragments out in its note type's fields; `rendered_note` hashes what Anki stores.
`notes.py` runs this over the whole deck, with the build cache and the note memo.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from ..content.clozes import parse_hides
from ..content.codeblocks import hide_in_includes, resolve_include
from ..model.contract import note_guid
from ..model.kb import Area, Card, Kind, KnowledgeBase, Topic
from ..model.notetypes import BASIC, CLOZE, NoteTypeSpec, card_ords
from ..model.words import words_for
from ..support.cache import text_digest
from .fragments import Fragments
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
    staged: int | None = None
    """Its row in the build's staged fields (`staged.py`), for a note that let go of them there: the package copies
    them from it rather than render them again."""

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


def output_code(card: Card, kb: KnowledgeBase) -> str | None:
    """The code an output card runs; None when its include does not resolve (check reports that)."""
    if card.include:
        code, _ = resolve_include(card.include, kb.examples)
        return code
    return card.code.strip("\n")


def reversed_fields(card_id: str, fields: tuple[str, ...]) -> tuple[str, ...]:
    """A reverse note's fields (a card marked `reverse: true` gets it as a note of its own): its own id, the
    question and answer swapped, so the frozen note types never gain a template (a note type whose
    templates change breaks every user's next import)."""
    _, front, back, *rest = fields
    return (card_id + REVERSE_SUFFIX, back, front, *rest)


def reverse_note(note: RenderedNote, kb_id: str) -> RenderedNote:
    rid = note.card_id + REVERSE_SUFFIX
    return rendered_note(
        rid,
        note_guid(kb_id, rid),
        note.notetype,
        reversed_fields(note.card_id, note.fields),
        note.tags,
        note.deck,
        note.due,
        note.topic,
    )


class Place:
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
        # file and roadmap ids may hold spaces (`My Notes/First steps.md`), and Anki splits tags on them
        self.base_tags = {"::".join(["kb", *map(tag_part, [topic.area, *topic.id.split("/")[1:]])])}
        if day is not None and week is not None:
            self.base_tags.add(f"kb::{tag_part(week.id)}::{tag_part(day.id)}")
        self.base_tags.update(tag_part(t) for t in topic.tags if tag_part(t))
        self._common: dict[str, tuple[str, ...]] = {}
        self._tags: dict[tuple[str, tuple[str, ...]], tuple[str, ...]] = {}
        self._sections: dict[str, tuple[str, bool]] = {}
        self._lines: list[str] | None = None
        """The note's body as lines, split on the first section asked for (then shared by all)."""
        self._with_section: dict[tuple[tuple[str, ...], str], tuple[str, ...]] = {}

    def common(self, see: str) -> tuple[str, ...]:
        """Source, SourceURL, Topic, Roadmap and the spare fields of a card with this `see:`."""
        found = self._common.get(see)
        if found is None:
            topic, rm = self.topic, self.kb.roadmap
            heading = topic.heading_for(see) if see else None
            at = f"#{heading.anchor}" if heading else ""
            source = f"{topic.id}.md{at}"
            # a web address: the file's name quoted (a space or a `#` in it would end the path there)
            source_url = f"{rm.source_url}{quote(f'{topic.id}.md')}{at}" if rm.source_url else ""
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
            if self._lines is None:
                self._lines = self.topic.body.split("\n")
            found = self._sections[see] = section_markdown(self.topic, heading, self._lines)
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


def fields_of(card: Card, place: Place, renderer: Fragments, output: str) -> tuple[NoteTypeSpec, tuple[str, ...]]:
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

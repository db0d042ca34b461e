"""Stage 3 of the build: cards and notes → field HTML, tags, deck, order and identity.

Pure: the same knowledge base gives the same `RenderedNote`s, whose `content_hash` is what the
ledger compares to decide whether a note changed.
"""

from __future__ import annotations

import hashlib
import html
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

from .cards import DEFAULT_OUTPUT_QUESTION
from .codeblocks import resolve_include
from .highlight import code_block
from .markdown_html import Renderer
from .model import Card, Kind, KnowledgeBase, Topic
from .notetypes import BASIC, CLOZE, NoteTypeSpec
from .outputs import OutputRunner
from .problems import Problems

GUID_NAMESPACE = uuid.UUID("6f0d6a8e-5a3c-4f43-9d0e-6b8f3f9a1c27")
OUTPUT_LABEL = "saída"


@dataclass(frozen=True)
class RenderedNote:
    """One Anki note, ready to package."""

    card_id: str
    """Authored id."""
    guid: str
    """Anki note GUID: stable hash of (knowledge base id, card id)."""
    notetype: NoteTypeSpec
    """Basic or Cloze."""
    fields: tuple[str, ...]
    """Field values in the note type's order."""
    tags: tuple[str, ...]
    """Sorted Anki tags."""
    deck: str
    """Full deck name."""
    due: int
    """New-card position (roadmap order)."""
    topic: str
    """Topic id."""
    content_hash: str
    """Hash of everything Anki stores for the note (fields, tags, note type)."""


def note_guid(kb_id: str, card_id: str) -> str:
    """GUID from identity only, never from content or position, so edits keep review history."""
    digest = hashlib.sha256(f"{GUID_NAMESPACE}:{kb_id}:{card_id}".encode()).digest()
    alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    n = int.from_bytes(digest[:12], "big")
    out = []
    for _ in range(14):
        n, r = divmod(n, len(alphabet))
        out.append(alphabet[r])
    return "kb" + "".join(out)


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


def output_code(card: Card, kb: KnowledgeBase) -> str:
    if card.include:
        code, _ = resolve_include(card.include, kb.examples)
        return code or ""
    return card.code.strip("\n")


def render_notes(kb: KnowledgeBase, problems: Problems, runner: OutputRunner) -> list[RenderedNote]:
    """Render every card; output-card failures become problems at the card."""
    renderer = Renderer(kb.examples)
    ordered = card_order(kb)
    outputs = [c for c in ordered if c.kind is Kind.OUTPUT]
    codes = [output_code(c, kb) for c in outputs]
    results = dict(zip([c.id for c in outputs], runner.run_all(codes), strict=True))
    areas = {a.id: a for a in kb.roadmap.areas}
    notes = []
    for due, card in enumerate(ordered):
        topic = kb.topics.get(card.topic)
        area = areas.get(card.topic.split("/")[0])
        if topic is None or area is None:
            continue  # reported by check
        result = results.get(card.id)
        if result is not None and not result.ok:
            problems.error(
                card.span_of("include" if card.include else "code"),
                "output-failed",
                f"output card `{card.id}`: the code failed ({result.error})",
                "the snippet must run alone with `python -c` and exit 0",
            )
            continue
        notes.append(
            _render_card(
                kb, card, topic, f"{kb.roadmap.deck}::{area.deck}", due, renderer, result.stdout if result else ""
            )
        )
    return notes


def _render_card(
    kb: KnowledgeBase, card: Card, topic: Topic, deck: str, due: int, renderer: Renderer, output: str
) -> RenderedNote:
    rm = kb.roadmap
    heading = topic.heading_for(card.see) if card.see else None
    source = f"{topic.id}.md" + (f"#{heading.anchor}" if heading else "")
    source_url = f"{rm.source_url}{source}" if rm.source_url else ""
    crumb = topic.title + (f" › {heading.text}" if heading else "")
    day = rm.day_of(topic.id)
    week = next((w for w in rm.weeks if day and day in w.days), None)
    roadmap = " › ".join(x for x in (week.title.split(" —")[0] if week else "", day.title if day else "") if x)
    roadmap = f"{roadmap} · {topic.title}" if roadmap else topic.title
    extra = renderer.render(card.extra) if card.extra.strip() else ""
    common = (html.escape(source), html.escape(source_url), html.escape(crumb), html.escape(roadmap), "", "")
    if card.kind is Kind.CLOZE:
        notetype = CLOZE
        fields: tuple[str, ...] = (card.id, renderer.render(card.cloze), extra, *common)
    elif card.kind is Kind.OUTPUT:
        notetype = BASIC
        code = output_code(card, kb)
        label = Path(card.include.split("#")[0]).name if card.include else "python"
        front = renderer.render(card.q or DEFAULT_OUTPUT_QUESTION) + code_block(code, "python", label=label)
        back = f'<div class="kb-output">{code_block(output, "", label=OUTPUT_LABEL)}</div>'
        fields = (card.id, front, back, extra, *common)
    else:
        notetype = BASIC
        fields = (card.id, renderer.render(card.q), renderer.render(card.a), extra, *common)
    area = topic.area
    tags = {f"kb::{area}::{topic.id.split('/', 1)[1].replace('/', '::')}", f"kb::tipo::{card.kind.value}"}
    if day is not None and week is not None:
        tags.add(f"kb::{week.id}::{day.id}")
    tags.update(tag_part(t) for t in (*topic.tags, *card.tags) if tag_part(t))
    sorted_tags = tuple(sorted(tags))
    digest = hashlib.sha256("\x1e".join([notetype.name, deck, *fields, " ".join(sorted_tags)]).encode()).hexdigest()
    return RenderedNote(card.id, note_guid(rm.id, card.id), notetype, fields, sorted_tags, deck, due, topic.id, digest)


def render_topic_html(kb: KnowledgeBase, renderer: Renderer, topic: Topic) -> str:
    """A topic note as an HTML fragment (title + body), for the add-on's note viewer."""
    body = renderer.render(topic.body)
    head = f'<article class="kb-note" data-topic="{html.escape(topic.id)}"><h1>{html.escape(topic.title)}</h1>'
    return f"{head}\n{body}</article>\n"

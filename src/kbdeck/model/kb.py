"""The loaded knowledge base: frozen dataclasses, each remembering where it was written.

Loaders build these; checks, rendering, packaging and stats only read them. Nothing here knows
about Anki: the note-type contract lives in `notetypes.py`.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from .problems import Span


class Kind(StrEnum):
    """The three card kinds of the content format."""

    BASIC = "basic"
    CLOZE = "cloze"
    OUTPUT = "output"


@dataclass(frozen=True, slots=True)
class Card:
    """One flashcard as authored."""

    id: str
    """Authored, stable identity; the note GUID derives from it and nothing else."""
    topic: str
    """Topic id (`python-internals/gil`), from the flashcard file's path."""
    kind: Kind
    """basic, cloze or output."""
    span: Span
    """Where the card starts."""
    q: str = ""
    """Question Markdown (basic, output)."""
    a: str = ""
    """Answer Markdown (basic)."""
    cloze: str = ""
    """Cloze Markdown (cloze)."""
    code: str = ""
    """Python source that runs at build time (output; filled from `include` when used)."""
    include: str = ""
    """`examples/<group>/<name>.py#region` the code comes from (output), or empty."""
    extra: str = ""
    """Markdown under the answer."""
    see: str = ""
    """Heading anchor (or heading text) in the topic note."""
    tags: tuple[str, ...] = ()
    """The card's own tags."""
    field_spans: tuple[str | int, ...] = ()
    """Where each key's value starts, for precise messages: `(key, line, col, key, line, col, …)` in the
    card's own file. Flat, not a tuple of spans: a 300,000-card knowledge base holds 1.2 million of them,
    and pairs of (key, Span) cost 380 bytes a card more (`span_of` builds the Span when a message needs it)."""
    order: int = 0
    """Position in its file, for roadmap ordering."""
    reverse: bool = False
    """Basic cards: also make the reverse card (answer → question), a note of its own (`<id>::reverse`)."""
    hide: tuple[str, ...] = ()
    """Cloze cards: `c1::text` entries, each hiding its text in the code the card includes (`@include`), so a
    deletion inside code needs no copy of the code: the card shows the tested example's region itself."""

    def span_of(self, key: str) -> Span:
        """Span of a key's value, or of the card when the key is absent."""
        spans = self.field_spans
        try:
            at = spans.index(key)  # only keys are strings
        except ValueError:
            return self.span
        return Span(self.span.path, int(spans[at + 1]), int(spans[at + 2]))


@dataclass(frozen=True, slots=True)
class Heading:
    """A heading of a topic note."""

    level: int
    """1–6."""
    text: str
    """Heading text as written (inline Markdown stripped of `#`)."""
    anchor: str
    """Unique GitHub-compatible anchor."""
    line: int
    """1-based line in the note file (of its first line)."""
    lines: int = 1
    """How many lines of the file it takes: 1 for a `#` heading, its text's and the underline's for one
    underlined with `===` or `---`. Its section starts after them."""


@dataclass(frozen=True, slots=True)
class Topic:
    """A topic note: `content/<area>/<topic>.md`."""

    id: str
    """Path without `.md`, e.g. `python-internals/gil`."""
    path: Path
    """File on disk."""
    span: Span
    """Start of the file."""
    title: str
    """From front matter."""
    body: str
    """Markdown after the front matter."""
    body_line: int
    """Line where the body starts (for spans inside it)."""
    tags: tuple[str, ...] = ()
    """From front matter."""
    summary: str = ""
    """From front matter."""
    headings: tuple[Heading, ...] = ()
    """Headings in order, with anchors."""
    _lookup: tuple[dict[str, int], dict[str, int], list[int]] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    """Where each anchor and each heading text first is, and each heading's line: made when a long note is
    first asked."""

    @property
    def area(self) -> str:
        return self.id.split("/", 1)[0]

    def heading_for(self, see: str) -> Heading | None:
        """The heading a `see:` value names: the first whose anchor is it or its slug, or whose text is it."""
        from .slug import slugify

        wanted = see.lstrip("#")
        slug = slugify(wanted)  # once, not once per heading: a note of 2,000 headings asked by its 2,000 cards
        if len(self.headings) <= LOOKUP_MIN:
            for h in self.headings:
                if h.anchor == wanted or slug == h.anchor or h.text == wanted:
                    return h
            return None
        by_anchor, by_text, _ = self._lookup or self._index()
        found = [i for i in (by_anchor.get(wanted), by_anchor.get(slug), by_text.get(wanted)) if i is not None]
        return self.headings[min(found)] if found else None

    def position(self, heading: Heading) -> int:
        """Where `heading`, one of this note's, is in `headings` (found by its line: two headings may share
        an anchor, as on GitHub, when a text is another's anchor with a counter: `a`, `a-1`, `a`)."""
        if len(self.headings) <= LOOKUP_MIN:
            return self.headings.index(heading)
        return bisect.bisect_left((self._lookup or self._index())[2], heading.line)

    def _index(self) -> tuple[dict[str, int], dict[str, int], list[int]]:
        by_anchor: dict[str, int] = {}
        by_text: dict[str, int] = {}
        for i, h in enumerate(self.headings):
            by_anchor.setdefault(h.anchor, i)
            by_text.setdefault(h.text, i)
        lookup = (by_anchor, by_text, [h.line for h in self.headings])
        object.__setattr__(self, "_lookup", lookup)  # a cache on a frozen dataclass
        return lookup


LOOKUP_MIN = 32
"""Headings above which a note finds a card's heading through an index (below, a scan is as fast and a note
keeps no dictionaries: a 300,000-card knowledge base has tens of thousands of notes)."""


@dataclass(frozen=True, slots=True)
class Region:
    """A named region of an example."""

    name: str
    """As in `# region: name`."""
    text: str
    """Dedented source between the markers (nested markers removed)."""
    line: int
    """1-based line of the `# region:` marker."""


@dataclass(frozen=True, slots=True)
class Example:
    """A runnable example, `content/examples/<group>/<name>.py`, or a file of code in another language that
    one runs (`.sql`, `.sh`, …: `examples.REGION_COMMENT`), whose regions cards include the same way."""

    id: str
    """`<group>/<name>` (path below examples/ without `.py`; other files keep their suffix: `<group>/<name>.sql`)."""
    path: Path
    """File on disk."""
    span: Span
    """Start of the file."""
    source: str
    """Whole file."""
    docstring: str = ""
    """Module docstring."""
    regions: tuple[Region, ...] = ()
    """Named regions."""

    def region(self, name: str) -> Region | None:
        return next((r for r in self.regions if r.name == name), None)

    @property
    def runnable(self) -> bool:
        """A Python example (`python content/examples/<group>/<name>.py` exits 0), which the knowledge base's
        counts and the add-on's list are made of. A file in another language is code that one of them runs,
        and a `_name.py` module is a helper they import (Python's mark for "private"): cards may include both,
        neither is an example of its own."""
        return self.path.suffix == ".py" and not self.path.name.startswith("_")


@dataclass(frozen=True)
class Area:
    """A subject area; one subdeck."""

    id: str
    """Folder name under content/."""
    deck: str
    """Subdeck title."""
    span: Span
    """Where it is declared."""


@dataclass(frozen=True)
class Day:
    """One study day of the roadmap."""

    id: str
    """e.g. `dia-1`."""
    title: str
    """Shown in the roadmap."""
    week: str
    """Week id."""
    flashcards: int
    """Flashcard target for the day."""
    topics: tuple[str, ...]
    """Topic ids in study order."""
    span: Span
    """Where it is declared."""
    topic_spans: tuple[Span, ...] = ()
    """Where each topic reference is written."""
    date: str = ""
    """Optional planned date."""


@dataclass(frozen=True)
class Week:
    """A week of the roadmap."""

    id: str
    """e.g. `semana-5`."""
    title: str
    """Shown in the roadmap."""
    days: tuple[Day, ...]
    """In order."""
    span: Span
    """Where it is declared."""


@dataclass(frozen=True)
class MockSection:
    """A time-boxed section of a mock interview."""

    title: str
    """Shown to the user."""
    minutes: int
    """Time box."""
    span: Span
    """Where it is declared."""
    cards: int = 0
    """How many cards to draw (card sections)."""
    topics: tuple[str, ...] = ()
    """Topics to draw from."""
    areas: tuple[str, ...] = ()
    """Areas to draw from."""
    problem: str = ""
    """Topic id of a coding problem note (problem sections)."""


@dataclass(frozen=True)
class MockInterview:
    """A mock interview of the roadmap."""

    id: str
    """e.g. `mock-1`."""
    title: str
    """Shown to the user."""
    sections: tuple[MockSection, ...]
    """In order."""
    span: Span
    """Where it is declared."""
    when: str = ""
    """Week id or free text."""


@dataclass(frozen=True)
class Targets:
    """The study guide's goals."""

    topics: int = 0
    flashcards: int = 0
    examples: int = 0
    mock_interviews: int = 0


@dataclass(frozen=True)
class Roadmap:
    """content/roadmap.yaml."""

    id: str
    """Knowledge base id; part of every GUID."""
    title: str
    """Human title."""
    deck: str
    """Root deck name; also the .apkg file name."""
    span: Span
    """Start of the file."""
    language: str = "en"
    """Content language (BCP 47): picks the words kbdeck writes on cards and tags (`words.py`)."""
    source_url: str = ""
    """Web base of content/, for links on phones."""
    python: str = ""
    """Python minor version (`3.11`) whose output the output cards show; empty: the running one."""
    subdecks: str = "area"
    """`area` (a subdeck per area) or `topic` (an area's subdeck holds a subdeck per topic)."""
    id_span: Span | None = None
    """Where `id:` is written (the place to point at when it changed)."""
    targets: Targets = field(default_factory=Targets)
    """Goals."""
    areas: tuple[Area, ...] = ()
    """In study order."""
    weeks: tuple[Week, ...] = ()
    """In order."""
    mock_interviews: tuple[MockInterview, ...] = ()
    """In order."""

    @property
    def days(self) -> tuple[Day, ...]:
        return tuple(d for w in self.weeks for d in w.days)

    def day_of(self, topic: str) -> Day | None:
        """The first day that lists `topic` (a dict built once: scanning every day per topic was
        quadratic in the roadmap's size, the 300k-card bench's top cost after GC)."""
        return self._day_index().get(topic)

    def _day_index(self) -> dict[str, Day]:
        index: dict[str, Day] | None = self.__dict__.get("_days_by_topic")
        if index is None:
            index = {}
            for d in self.days:
                for t in d.topics:
                    index.setdefault(t, d)
            object.__setattr__(self, "_days_by_topic", index)  # a cache on a frozen dataclass: not a field
        return index


@dataclass(frozen=True)
class KnowledgeBase:
    """Everything loaded from one content directory."""

    root: Path
    """The content directory."""
    roadmap: Roadmap
    """The plan."""
    topics: dict[str, Topic]
    """By topic id."""
    cards: tuple[Card, ...]
    """In load order (file order)."""
    examples: dict[str, Example]
    """By example id."""
    readme: Path | None = None
    """content/README.md when present."""
    unreadable: frozenset[str] = frozenset()
    """Files (posix paths below `root`) that exist but could not be read as text: their own problem is
    reported, and checks say nothing more of what they hold (a card's note is not "missing")."""

    def unread(self, rel: str) -> bool:
        """Whether the file at `rel` (below `root`) exists but was not read: what it defines is unknown."""
        return rel in self.unreadable

    def unread_note(self, topic_id: str) -> bool:
        """Whether topic `topic_id`'s note exists but was not read (so it is not "missing")."""
        return self.unread(f"{topic_id}.md")

    @property
    def runnable_examples(self) -> list[Example]:
        """The Python examples, by id: what the summary, `kbdeck stats` and the add-on count and list (a .sql
        file is code one of them runs)."""
        return sorted((e for e in self.examples.values() if e.runnable), key=lambda e: e.id)

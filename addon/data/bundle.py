"""The bundle a kbdeck build ships inside the .apkg, read back as typed, validated data.

The bundle comes from a deck file, which may be shared: it is untrusted input. Parsing checks
every field's type, caps sizes, drops what it does not know and never evaluates anything; a
bundle that fails the check is rejected with a message naming the offending path, so a bad
deck can never crash Anki. Strings are kept as text: whoever puts them into HTML escapes them.
What the build and this reader must agree on (names, GUIDs, digests, version) is contract.py, the
same bytes as the build's `src/kbdeck/model/contract.py`; the data's shape is what
`src/kbdeck/apkg/bundle.py` writes. Stdlib only, so the pure tests run without Anki.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .contract import BUNDLE_NAME_RE as BUNDLE_NAME_RE  # the contract's, re-exported for the readers
from .contract import NOTE_NAME_RE as NOTE_NAME_RE
from .contract import SCHEMA_VERSION as SCHEMA_VERSION
from .contract import note_guid

MAX_BYTES = 32 * 1024 * 1024
MAX_TEXT = 2000
MAX_ITEMS = 200_000
ID_RE = re.compile(r"^[^\x00-\x1f\"\\]{1,200}$")


class BundleError(ValueError):
    """The bundle is not a valid kbdeck bundle; the message says where and why."""


@dataclass(frozen=True)
class Targets:
    """The study guide's goals (from roadmap.yaml `targets`)."""

    topics: int = 0
    flashcards: int = 0
    examples: int = 0
    mock_interviews: int = 0


@dataclass(frozen=True)
class KbInfo:
    """Who the knowledge base is."""

    id: str
    """Stable knowledge-base id (`roadmap.yaml` `id`)."""
    title: str
    """Human title."""
    deck: str
    """Root deck name."""
    language: str
    """Content language, e.g. pt-BR."""
    targets: Targets
    source_url: str = ""
    """Web base of the content ("" when the build has none)."""


@dataclass(frozen=True)
class Day:
    """One day of the roadmap."""

    id: str
    title: str
    date: str
    flashcards: int
    """The day's flashcard target."""
    topics: tuple[str, ...]
    """Topic ids in study order."""


@dataclass(frozen=True)
class Week:
    """One week of the roadmap: a list of days."""

    id: str
    title: str
    days: tuple[Day, ...]


@dataclass(frozen=True)
class Heading:
    """A heading of a topic note, with its anchor in the rendered HTML."""

    anchor: str
    text: str
    level: int
    line: int = 0
    """1-based line of the heading in the topic's Markdown file (0 when unknown), for "open in editor"."""


@dataclass(frozen=True)
class Topic:
    """A topic note and what hangs on it."""

    id: str
    title: str
    area: str
    note: str
    """Media file name of the rendered note ("" when the build had none or the name was unsafe)."""
    path: str
    summary: str
    headings: tuple[Heading, ...]
    cards: tuple[str, ...]
    """Authored card ids (one per note) in file order."""
    examples: tuple[str, ...]


@dataclass(frozen=True)
class CardRef:
    """Where an authored card lives: its note GUID, topic and deck."""

    id: str
    guid: str
    topic: str
    deck: str
    fields: str = ""
    """Digest of the note's fields in this build (`fields_digest`); empty in bundles before it existed."""
    file: str = ""
    """The file the card is written in, relative to the content folder (empty in older bundles)."""
    line: int = 0
    """Its line there."""


@dataclass(frozen=True)
class MockSection:
    """One time-boxed part of a mock interview: flashcards drawn from topics/areas, or a coding problem."""

    title: str
    minutes: int
    cards: int
    """How many flashcards to draw (0 for a problem section)."""
    topics: tuple[str, ...]
    areas: tuple[str, ...]
    problem: str
    """Topic id of the coding-problem note ("" for a flashcard section)."""


@dataclass(frozen=True)
class MockInterview:
    """A mock interview of the roadmap."""

    id: str
    title: str
    when: str
    sections: tuple[MockSection, ...]

    @property
    def minutes(self) -> int:
        return sum(s.minutes for s in self.sections)


@dataclass(frozen=True)
class Bundle:
    """One validated bundle."""

    file_name: str
    schema_version: int
    generation: int
    """Build generation: grows with every build that changed something."""
    kb: KbInfo
    weeks: tuple[Week, ...]
    topics: Mapping[str, Topic]
    cards: Mapping[str, CardRef]
    examples: tuple[str, ...]
    mock_interviews: tuple[MockInterview, ...]
    guids: Mapping[str, str] = field(default_factory=dict)
    """Note GUID → authored card id (derived)."""
    areas: Mapping[str, str] = field(default_factory=dict)
    """Area id → its full deck name (the decks the build places cards in)."""
    changed_at: int = 0
    """When the build's bundle last changed (epoch seconds; 0 for bundles that do not say)."""

    @property
    def recency(self) -> tuple[int, int, str]:
        """The order of a knowledge base's bundles, oldest first: by when the bundle changed, then generation
        (ties by file name, so the choice is stable). The time comes first because a build whose ledger was
        lost starts again at generation 1 while its time goes on; within one ledger both only grow (a stamp
        is always later than the one before it, whatever the machine's clock)."""
        return (self.changed_at, self.generation, self.file_name)

    def day_of(self, topic_id: str) -> tuple[Week, Day] | None:
        """The first roadmap day that lists `topic_id`."""
        for week in self.weeks:
            for day in week.days:
                if topic_id in day.topics:
                    return week, day
        return None


class _Reader:
    """Typed access to a JSON object with error messages that name the path."""

    def obj(self, value: Any, path: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise BundleError(f"{path}: expected an object, got {type(value).__name__}")
        return value

    def lst(self, value: Any, path: str) -> list[Any]:
        if not isinstance(value, list):
            raise BundleError(f"{path}: expected a list, got {type(value).__name__}")
        if len(value) > MAX_ITEMS:
            raise BundleError(f"{path}: more than {MAX_ITEMS} items")
        return value

    def text(self, o: dict[str, Any], key: str, path: str, *, default: str | None = None) -> str:
        value = o.get(key, default)
        if value is None:
            value = default
        if not isinstance(value, str):
            raise BundleError(f"{path}.{key}: expected text, got {type(value).__name__}")
        return value[:MAX_TEXT]

    def ident(self, value: Any, path: str) -> str:
        if not isinstance(value, str) or not ID_RE.match(value):
            raise BundleError(f"{path}: {str(value)[:60]!r} is not a valid id")
        return value

    def int_(self, o: dict[str, Any], key: str, path: str, *, default: int = 0) -> int:
        value = o.get(key, default)
        if value is None:
            return default
        if not isinstance(value, int) or isinstance(value, bool):
            raise BundleError(f"{path}.{key}: expected an integer, got {type(value).__name__}")
        return max(0, min(value, 10**12))


def _digest(value: str) -> str:
    return value if re.fullmatch(r"[0-9a-f]{16}", value) else ""


def parse_bundle(data: bytes, file_name: str) -> Bundle:
    """Validate and convert one bundle file; raises `BundleError` with a readable message."""
    if len(data) > MAX_BYTES:
        raise BundleError(f"{file_name}: larger than {MAX_BYTES // 1024 // 1024} MB")
    try:
        raw = json.loads(data.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise BundleError(f"{file_name}: not valid JSON ({str(exc)[:120]})") from None
    r = _Reader()
    root = r.obj(raw, "bundle")
    version = root.get("schema_version")
    if version != SCHEMA_VERSION:
        raise BundleError(f"bundle.schema_version: {version!r} is not supported (this add-on reads {SCHEMA_VERSION})")
    kb = _kb(r, r.obj(root.get("kb"), "bundle.kb"))
    named = BUNDLE_NAME_RE.match(file_name)
    if named is None or named.group("kb") != kb.id:
        raise BundleError(f"{file_name}: the file name does not match the bundle's kb.id {kb.id!r}")
    build = r.obj(root.get("build", {}), "bundle.build")
    generation = r.int_(build, "generation", "bundle.build")
    changed_at = r.int_(build, "changed_at", "bundle.build")
    topics = _topics(r, r.obj(root.get("topics", {}), "bundle.topics"))
    cards: dict[str, CardRef] = {}
    for cid, value in r.obj(root.get("cards", {}), "bundle.cards").items():
        path = f"bundle.cards[{cid[:60]!r}]"
        o = r.obj(value, path)
        ref = CardRef(
            r.ident(cid, path),
            r.ident(o.get("guid"), f"{path}.guid"),
            r.text(o, "topic", path),
            r.text(o, "deck", path),
            _digest(r.text(o, "fields", path, default="")),
            r.text(o, "file", path, default=""),
            r.int_(o, "line", path),
        )
        if ref.guid != note_guid(kb.id, ref.id):
            raise BundleError(f"{path}.guid: not the GUID of card {ref.id!r} of knowledge base {kb.id!r}")
        cards[ref.id] = ref
    weeks = tuple(
        _week(r, r.obj(w, f"bundle.weeks[{i}]"), i) for i, w in enumerate(r.lst(root.get("weeks", []), "bundle.weeks"))
    )
    examples = tuple(
        r.ident(r.obj(e, f"bundle.examples[{i}]").get("id"), f"bundle.examples[{i}].id")
        for i, e in enumerate(r.lst(root.get("examples", []), "bundle.examples"))
    )
    mocks = tuple(
        _mock(r, r.obj(m, f"bundle.mock_interviews[{i}]"), i)
        for i, m in enumerate(r.lst(root.get("mock_interviews", []), "bundle.mock_interviews"))
    )
    guids = {c.guid: c.id for c in cards.values()}
    areas: dict[str, str] = {}
    for i, a in enumerate(r.lst(root.get("areas", []), "bundle.areas")):
        ao = r.obj(a, f"bundle.areas[{i}]")
        areas[r.ident(ao.get("id"), f"bundle.areas[{i}].id")] = r.text(ao, "deck", f"bundle.areas[{i}]", default="")
    return Bundle(file_name, version, generation, kb, weeks, topics, cards, examples, mocks, guids, areas, changed_at)


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not allowed")


def _kb(r: _Reader, o: dict[str, Any]) -> KbInfo:
    t = r.obj(o.get("targets", {}), "bundle.kb.targets")
    targets = Targets(
        r.int_(t, "topics", "bundle.kb.targets"),
        r.int_(t, "flashcards", "bundle.kb.targets"),
        r.int_(t, "examples", "bundle.kb.targets"),
        r.int_(t, "mock_interviews", "bundle.kb.targets"),
    )
    kb_id = r.ident(o.get("id"), "bundle.kb.id")
    return KbInfo(
        kb_id,
        r.text(o, "title", "bundle.kb", default=kb_id) or kb_id,
        r.text(o, "deck", "bundle.kb", default=""),
        r.text(o, "language", "bundle.kb", default=""),
        targets,
        r.text(o, "source_url", "bundle.kb", default=""),
    )


def _week(r: _Reader, o: dict[str, Any], i: int) -> Week:
    path = f"bundle.weeks[{i}]"
    days = []
    for j, d in enumerate(r.lst(o.get("days", []), f"{path}.days")):
        dp = f"{path}.days[{j}]"
        do = r.obj(d, dp)
        topics = tuple(r.ident(t, f"{dp}.topics[{k}]") for k, t in enumerate(r.lst(do.get("topics", []), dp)))
        days.append(
            Day(
                r.ident(do.get("id"), f"{dp}.id"),
                r.text(do, "title", dp, default=""),
                r.text(do, "date", dp, default=""),
                r.int_(do, "flashcards", dp),
                topics,
            )
        )
    return Week(r.ident(o.get("id"), f"{path}.id"), r.text(o, "title", path, default=""), tuple(days))


def _topics(r: _Reader, raw: dict[str, Any]) -> dict[str, Topic]:
    topics: dict[str, Topic] = {}
    for tid, value in raw.items():
        path = f"bundle.topics[{tid[:60]!r}]"
        o = r.obj(value, path)
        note = r.text(o, "note", path, default="")
        headings = []
        for k, h in enumerate(r.lst(o.get("headings", []), f"{path}.headings")):
            ho = r.obj(h, f"{path}.headings[{k}]")
            headings.append(
                Heading(
                    r.text(ho, "anchor", path, default=""),
                    r.text(ho, "text", path, default=""),
                    r.int_(ho, "level", path),
                    r.int_(ho, "line", path),
                )
            )
        topics[tid] = Topic(
            id=r.ident(tid, path),
            title=r.text(o, "title", path, default=tid) or tid,
            area=r.text(o, "area", path, default=""),
            note=note if NOTE_NAME_RE.match(note) else "",
            path=r.text(o, "path", path, default=""),
            summary=r.text(o, "summary", path, default=""),
            headings=tuple(headings),
            cards=tuple(r.ident(c, f"{path}.cards[{k}]") for k, c in enumerate(r.lst(o.get("cards", []), path))),
            examples=tuple(
                r.ident(e, f"{path}.examples[{k}]") for k, e in enumerate(r.lst(o.get("examples", []), path))
            ),
        )
    return topics


def _mock(r: _Reader, o: dict[str, Any], i: int) -> MockInterview:
    path = f"bundle.mock_interviews[{i}]"
    sections = []
    for k, s in enumerate(r.lst(o.get("sections", []), f"{path}.sections")):
        sp = f"{path}.sections[{k}]"
        so = r.obj(s, sp)
        problem = so.get("problem") or ""
        sections.append(
            MockSection(
                r.text(so, "title", sp, default=""),
                min(r.int_(so, "minutes", sp), 24 * 60),
                min(r.int_(so, "cards", sp), 10_000),
                tuple(r.ident(t, f"{sp}.topics[{j}]") for j, t in enumerate(r.lst(so.get("topics") or [], sp))),
                tuple(r.ident(a, f"{sp}.areas[{j}]") for j, a in enumerate(r.lst(so.get("areas") or [], sp))),
                r.ident(problem, f"{sp}.problem") if problem else "",
            )
        )
    return MockInterview(
        r.ident(o.get("id"), f"{path}.id"),
        r.text(o, "title", path, default=""),
        r.text(o, "when", path, default=""),
        tuple(sections),
    )


def latest_per_kb(bundles: list[Bundle]) -> list[Bundle]:
    """The newest bundle of each knowledge base (`Bundle.recency`), ordered by title."""
    best: dict[str, Bundle] = {}
    for b in bundles:
        current = best.get(b.kb.id)
        if current is None or b.recency > current.recency:
            best[b.kb.id] = b
    return sorted(best.values(), key=lambda b: (b.kb.title.casefold(), b.kb.id))

"""The note viewer's page, and which note a card's source link points to.

A card's back links to its heading as `data-kbdeck-src="<area>/<topic>.md#<anchor>"`. That text
comes from the card (untrusted, possibly from a shared deck), so it only ever selects among
what the bundles offer: the knowledge base is the one whose build made the card (its note GUID),
the topic must exist in that bundle, the anchor must be one of the topic's headings. The page is
a pure function of the bundle: a bar with the roadmap day and its topics (to move between the
topics of the day), "open in editor" when a content folder is configured, then the sanitized
note. The day's band is left out when it has nothing to move to (a coding problem belongs to no
day; a day may hold one topic). Every value is escaped; actions are `data-kbdeck` buttons
(web/kbdeck.js).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..data.bundle import Bundle, Heading, Topic
from ..data.i18n import Translator
from .markup import attrs, button, esc

VIEWER_ID = "kbdeck-viewer"


@dataclass(frozen=True)
class Target:
    """A topic note to show, and the heading to show it at."""

    bundle: Bundle
    topic: Topic
    anchor: str = ""
    """A heading anchor of the topic ("" = the top)."""

    @property
    def heading(self) -> Heading | None:
        return next((h for h in self.topic.headings if h.anchor == self.anchor), None) if self.anchor else None


def topic_of_path(path: str) -> str:
    """`python-internals/gil.md` → `python-internals/gil`."""
    return path[:-3] if path.endswith(".md") else path


def split_source(src: str) -> tuple[str, str]:
    """`area/topic.md#anchor` → (`area/topic.md`, `anchor`). A file's name may hold a `#` of its own
    (`c#.md`), an anchor never does (a heading's slug keeps letters, digits, `-` and `_`): so the
    anchor is what follows the last `#`, and only when the text does not end with the file's `.md`."""
    src = src.strip()
    if src.endswith(".md") or "#" not in src:
        return src, ""
    path, _, anchor = src.rpartition("#")
    return path, anchor


def find_target(bundles: Iterable[Bundle], kb_id: str, topic_id: str, anchor: str = "") -> Target | None:
    """The topic `topic_id` of knowledge base `kb_id`, at `anchor` when it is one of its headings."""
    for b in bundles:
        if b.kb.id == kb_id and topic_id in b.topics:
            return _at(b, b.topics[topic_id], anchor)
    return None


def resolve_source(bundles: Iterable[Bundle], guid: str, src: str) -> Target | None:
    """Where a card's source link points: its build's topic named in `src` (else the card's own topic)."""
    path, anchor = split_source(src)
    wanted = topic_of_path(path)
    candidates = list(bundles)
    for b in candidates:  # the build that made this card first: topic ids may repeat across forks
        card_id = b.guids.get(guid)
        if card_id is None:
            continue
        topic = b.topics.get(wanted) or b.topics.get(b.cards[card_id].topic)
        if topic is not None:
            return _at(b, topic, anchor)
    for b in candidates:  # a card unknown to every build (e.g. a new note in the card layout screen)
        if wanted in b.topics:
            return _at(b, b.topics[wanted], anchor)
    return None


def _at(bundle: Bundle, topic: Topic, anchor: str) -> Target:
    known = {h.anchor for h in topic.headings}
    return Target(bundle, topic, anchor if anchor in known else "")


def render_page(target: Target, note_html: str, tr: Translator, *, can_edit: bool) -> str:
    """The whole viewer page: navigation bar + the (already sanitized) note."""
    b, t = target.bundle, target.topic
    kb = b.kb.id
    place = b.day_of(t.id)
    crumb = [esc(b.kb.title)]
    siblings: tuple[str, ...] = ()
    if place is not None:
        week, day = place
        crumb += [esc(week.title.split(" —")[0]), esc(day.title)]
        siblings = tuple(s for s in day.topics if s in b.topics)
    actions = ""
    if t.id in siblings:
        i = siblings.index(t.id)
        if i > 0:
            actions += button("‹", "note", title=b.topics[siblings[i - 1]].title, kb=kb, topic=siblings[i - 1])
        if i + 1 < len(siblings):
            actions += button("›", "note", title=b.topics[siblings[i + 1]].title, kb=kb, topic=siblings[i + 1])
    if can_edit:
        line = target.heading.line if target.heading else 0
        tip = f"{t.path}:{line}" if line else t.path
        actions += button(tr("open_in_editor"), "edit", title=tip, kb=kb, topic=t.id, anchor=target.anchor)
    data = attrs(data_kb=kb, data_topic=t.id, data_anchor=target.anchor)
    return (
        f'<div id="{VIEWER_ID}" class="kbdeck kb-viewer"{data}>'
        f'<nav class="kb-nav"><div class="kb-nav-line"><span class="kb-crumb">{" › ".join(crumb)}</span>'
        f'<span class="kb-nav-actions">{actions}</span></div>'
        f"{_day_band(b, siblings, t.id, tr)}</nav>"
        f"{note_html}</div>"
    )


def _day_band(b: Bundle, siblings: tuple[str, ...], current: str, tr: Translator) -> str:
    """The other topics of the day as pills that wrap, under a label of their own ("" when there are none)."""
    if not any(s != current for s in siblings):
        return ""
    pills = "".join(_pill(b.topics[s], b.kb.id, current=s == current) for s in siblings)
    label = esc(tr("topics_of_the_day"))
    return (
        f'<div class="kb-day" role="group" aria-labelledby="kb-day-label">'
        f'<span class="kb-label" id="kb-day-label">{label}</span><div class="kb-pills">{pills}</div></div>'
    )


def _pill(topic: Topic, kb: str, *, current: bool) -> str:
    """A topic of the day; the full title is its tooltip, since a long one is cut with an ellipsis."""
    if current:
        return (
            f'<span class="kb-pill kb-current" aria-current="page"{attrs(title=topic.title)}>{esc(topic.title)}</span>'
        )
    data = attrs(data_kbdeck="note", title=topic.title, data_kb=kb, data_topic=topic.id)
    return f'<button type="button" class="kb-btn kb-pill"{data}>{esc(topic.title)}</button>'

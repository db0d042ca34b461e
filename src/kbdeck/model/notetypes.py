"""The note-type contract: fixed ids, frozen field lists, templates. One source of truth.

FROZEN: model ids and field/template *names and order* never change once released: Anki matches
note types by id plus this schema, and any schema change makes it create a second note type and
skip every update ("note type has changed"). Spare fields exist for future needs. Template HTML
and CSS may change freely (they are updated on re-import).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

BASIC_MODEL_ID = 1739812401
CLOZE_MODEL_ID = 1739812402
BASIC_NAME = "kbdeck Basic"
CLOZE_NAME = "kbdeck Cloze"

BASIC_FIELDS = ("Id", "Front", "Back", "Extra", "Source", "SourceURL", "Topic", "Roadmap", "Reserved1", "Reserved2")
CLOZE_FIELDS = ("Id", "Text", "Extra", "Source", "SourceURL", "Topic", "Roadmap", "Reserved1", "Reserved2")
SORT_FIELD = 1
"""The field Anki sorts and searches a note by (`sortf`, its `sfld` column): the front, or the cloze text."""
BASIC_TEMPLATE_NAME = "Card 1"
CLOZE_TEMPLATE_NAME = "Cloze"

# The footer links to the note's heading. With a SourceURL it is a plain https link (it works on every
# client; the add-on intercepts it on desktop through `data-kbdeck-src`). Without one only the add-on
# can open it, so `kb-src-local` is hidden by the CSS and the add-on (desktop) shows it again.
_SOURCE_LINK = (
    "{{#Topic}}"
    '{{#SourceURL}}<div class="kb-src"><a class="kb-src-link" href="{{SourceURL}}" data-kbdeck-src="{{Source}}">'
    "{{Topic}}</a></div>{{/SourceURL}}"
    '{{^SourceURL}}<div class="kb-src kb-src-local"><a class="kb-src-link kb-nolink" data-kbdeck-src="{{Source}}">'
    "{{Topic}}</a></div>{{/SourceURL}}"
    "{{/Topic}}"
)
_CRUMB = '{{#Roadmap}}<div class="kb-crumb">{{Roadmap}}</div>{{/Roadmap}}'
# The note's section under the heading the card comes from, on the card itself (phones have no add-on):
# closed until opened, no JavaScript, labelled topic › heading.
_SECTION = '{{#Reserved1}}<details class="kb-section"><summary>{{Topic}}</summary>{{Reserved1}}</details>{{/Reserved1}}'

BASIC_QFMT = f'<div class="kb-card kb-front">{_CRUMB}<div class="kb-q">{{{{Front}}}}</div></div>'
BASIC_AFMT = (
    f'<div class="kb-card kb-back">{_CRUMB}<div class="kb-q">{{{{Front}}}}</div>'
    '<hr id="answer"><div class="kb-a">{{Back}}</div>'
    '{{#Extra}}<div class="kb-extra">{{Extra}}</div>{{/Extra}}'
    f"{_SECTION}{_SOURCE_LINK}</div>"
)
CLOZE_QFMT = f'<div class="kb-card kb-front">{_CRUMB}<div class="kb-q kb-cloze">{{{{cloze:Text}}}}</div></div>'
CLOZE_AFMT = (
    f'<div class="kb-card kb-back">{_CRUMB}<div class="kb-q kb-cloze">{{{{cloze:Text}}}}</div>'
    '{{#Extra}}<hr id="answer"><div class="kb-extra">{{Extra}}</div>{{/Extra}}'
    f"{_SECTION}{_SOURCE_LINK}</div>"
)


@dataclass(frozen=True)
class NoteTypeSpec:
    """Everything that defines one note type."""

    model_id: int
    name: str
    fields: tuple[str, ...]
    template_name: str
    qfmt: str
    afmt: str
    is_cloze: bool
    req: tuple[tuple[int, str, tuple[int, ...]], ...]
    """Which fields must be non-empty for each template's card: (template, "all"|"any", field indexes),
    as genanki computes it from `qfmt` (`tests/core/test_collection.py` keeps the two equal)."""


BASIC = NoteTypeSpec(
    BASIC_MODEL_ID, BASIC_NAME, BASIC_FIELDS, BASIC_TEMPLATE_NAME, BASIC_QFMT, BASIC_AFMT, False, ((0, "any", (1, 7)),)
)
CLOZE = NoteTypeSpec(
    CLOZE_MODEL_ID, CLOZE_NAME, CLOZE_FIELDS, CLOZE_TEMPLATE_NAME, CLOZE_QFMT, CLOZE_AFMT, True, ((0, "all", (6,)),)
)


def note_columns(fields: tuple[str, ...]) -> tuple[str, bytes]:
    """A note's `flds` and `sfld` columns as the collection stores them: the fields joined with U+001F, and the
    sort field as UTF-8 bytes (`apkg/collection.NOTE_ROW` says why bytes)."""
    return "\x1f".join(fields), fields[SORT_FIELD].encode()


CLOZE_FIELD_RE = re.compile(r"{{[^}]*?cloze:(?:[^}]?:)*(.+?)}}")
CLOZE_RE = re.compile(r"{{c(\d+)::.+?}}", re.DOTALL)


def card_ords(spec: NoteTypeSpec, fields: tuple[str, ...]) -> list[int]:
    """The cards a note gets, as genanki decides them (`Note.cards`), in its order."""
    if not spec.is_cloze:
        return [ord_ for ord_, how, required in spec.req if (all if how == "all" else any)(fields[i] for i in required)]
    ords: set[int] = set()
    for name in set(CLOZE_FIELD_RE.findall(spec.qfmt)):
        index = spec.fields.index(name) if name in spec.fields else -1
        value = fields[index] if index >= 0 else ""
        end = value.rfind("}}") + 2  # no deletion ends later (an unclosed `{{c` would search to the end)
        ords.update(int(m) - 1 for m in CLOZE_RE.findall(value, 0, end) if int(m) > 0)
    return list(ords)

"""The summary of an update from a build: what changed, what needs attention, what undo can revert.

A pure function of `UpdateSummary`. Every count also sits in a `data-*` attribute (the real-Anki
tests read them); "Show" buttons send `kbdeck:browse` with a fixed list name, and Python looks
the notes up in the summary it kept, so the page never carries ids or searches of its own.
"""

from __future__ import annotations

from ..data.i18n import Translator
from ..data.reconcile import ORPHAN_TAG
from ..ops.update_op import EditedNote, UpdateSummary
from .markup import attrs, button, esc

SUMMARY_ID = "kbdeck-update"
ROWS = (
    ("new", "upd_new"),
    ("updated", "upd_updated"),
    ("unchanged", "upd_unchanged"),
    ("moved", "upd_moved"),
    ("orphaned", "upd_orphaned"),
    ("edited", "upd_edited"),
    ("tags_restored", "upd_tags_restored"),
)
MAX_LISTED = 30


def render_summary(s: UpdateSummary, tr: Translator) -> str:
    counts = {
        "new": s.new,
        "updated": s.updated,
        "unchanged": s.unchanged,
        "moved": s.moved,
        "orphaned": s.orphaned,
        "edited": len(s.edited),
        "tags_restored": s.tags_restored,
    }
    data = attrs(**{f"data_{k}": v for k, v in counts.items()}, data_conflicting=s.conflicting, data_held=s.held)
    out = [f'<div id="{SUMMARY_ID}" class="kbdeck kb-update"{data}>']
    gens = tr("upd_generations", old=s.previous_generation, new=s.generation) if s.previous_generation else ""
    out.append(f"<h1>{esc(tr('upd_title', kb=s.kb_title))}</h1>")
    out.append(f'<p class="kb-dim">{esc(s.file)}{" · " + esc(gens) if gens else ""}</p>')
    if not s.changed_anything and not s.edited:
        out.append(f'<div class="kb-callout kb-done">{esc(tr("upd_nothing"))}</div>')
    out.append('<table class="kb-summary"><tbody>')
    for key, label in ROWS:
        n = counts[key]
        notes = s.notes.get(key, ())
        show = button(tr("upd_show"), "browse", what=key) if n and notes and key != "unchanged" else ""
        out.append(
            f'<tr{attrs(data_row=key, data_count=n)} class="{"kb-zero" if not n else ""}">'
            f'<td class="kb-num"><b>{esc(tr.num(n))}</b></td><td>{esc(tr(label, n=n, tag=ORPHAN_TAG))}</td>'
            f'<td class="kb-actions">{show}</td></tr>'
        )
    out.append("</tbody></table>")
    out.extend(_warnings(s, tr))
    out.append(f'<p class="kb-dim kb-undo">{esc(tr("upd_undo"))} {esc(tr("upd_not_undoable", n=s.media_trashed))}</p>')
    out.append("</div>")
    return "".join(out)


def _warnings(s: UpdateSummary, tr: Translator) -> list[str]:
    out = []
    if s.edited:
        detailed = {e.card_id: e for e in s.edits}
        ids = "".join(_edited_item(i, detailed.get(i), tr) for i in s.edited[:MAX_LISTED])
        more = f"<li>… {esc(tr.num(len(s.edited) - MAX_LISTED))}</li>" if len(s.edited) > MAX_LISTED else ""
        out.append(
            f'<div class="kb-warning" data-warning="edited"><b>{esc(tr("upd_edited_title", n=len(s.edited)))}</b>'
            f"<p>{esc(tr('upd_edited_help'))}</p><ul>{ids}{more}</ul></div>"
        )
    if s.conflicting:
        out.append(
            f'<div class="kb-warning" data-warning="conflicting">{esc(tr("upd_conflicting", n=s.conflicting))}</div>'
        )
    if s.held:
        out.append(f'<div class="kb-warning" data-warning="held">{esc(tr("upd_held", n=s.held))}</div>')
    if s.orphaned:
        out.append(f'<p class="kb-dim">{esc(tr("upd_orphan_help", tag=ORPHAN_TAG))}</p>')
    return out


def short_summary(s: UpdateSummary, tr: Translator) -> str:
    """One line for a tooltip (automatic updates)."""
    return tr(
        "upd_short",
        kb=s.kb_title,
        new=s.new,
        updated=s.updated,
        moved=s.moved,
        orphaned=s.orphaned,
        edited=len(s.edited),
    )


_BLOCK_TAG = (
    r"<(?:/?(?:p|div|br|hr|li|ul|ol|dl|dt|dd|tr|td|th|table|thead|tbody|pre|blockquote|details|summary|h[1-6])\b)[^>]*>"
)
"""Tags that end a line or a cell: a space where they were. Inline ones (`code`, `b`, `span`…) go without one,
or `` `list`/`dict` `` read "list / dict" and "threading.Lock ." in the comparison."""


def _plain(html_text: str) -> str:
    """A field's HTML as the text a person compares (tags dropped, entities decoded), shortened."""
    import html
    import re

    text = re.sub(r"<[^>]*>", "", re.sub(_BLOCK_TAG, " ", html_text, flags=re.IGNORECASE))
    text = " ".join(html.unescape(text).split())
    return text if len(text) <= 600 else text[:600] + " …"


def _edited_item(card_id: str, edit: EditedNote | None, tr: Translator) -> str:
    """One edited note: its id and, when known, each differing field in Anki and in the build, with the
    choice to take the build's text (keeping Anki's needs nothing: it is what the update did)."""
    if edit is None or not edit.diffs:
        return f"<li><code>{esc(card_id)}</code></li>"
    rows = []
    for d in edit.diffs:
        anki, build = _marked(_plain(d.anki), _plain(d.build))
        rows.append(
            f'<tr data-field="{esc(d.name)}"><th>{esc(d.name)}</th>'
            f'<td class="kb-anki"><span class="kb-dim">{esc(tr("upd_in_anki"))}</span> {anki}</td>'
            f'<td class="kb-build"><span class="kb-dim">{esc(tr("upd_in_build"))}</span> {build}</td></tr>'
        )
    take = button(tr("upd_take_build"), "take-build", what=card_id)
    if edit.file:
        take += button(tr("upd_open_source"), "edit-card", what=card_id, title=f"{edit.file}:{edit.line}")
    return (
        f"<li{attrs(data_edited=card_id)}><details><summary><code>{esc(card_id)}</code></summary>"
        f'<table class="kb-diff">{"".join(rows)}</table><p>{take}</p></details></li>'
    )


def _marked(old: str, new: str) -> tuple[str, str]:
    """Both texts escaped, with the words that differ wrapped in `<mark>` (a word-level diff)."""
    import difflib

    a, b = old.split(" "), new.split(" ")
    left: list[str] = []
    right: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        one, two = esc(" ".join(a[i1:i2])), esc(" ".join(b[j1:j2]))
        if op == "equal":
            left.append(one)
            right.append(two)
        else:
            if one:
                left.append(f"<mark>{one}</mark>")
            if two:
                right.append(f"<mark>{two}</mark>")
    return " ".join(left), " ".join(right)

"""The second scripted session: card → note, update from a rebuilt deck.

A fresh profile; the build folder holds v1 of the shipped deck. Tools → kbdeck: update from
build imports it. In the reviewer, a card's answer shows its source link: clicking it opens
the note viewer at the card's heading ("Open in editor" runs a recording command); the same
link works in the card layout screen and in Anki's previewer. Cards are answered, tagged
leech/marked, one note is edited in Anki; then v2 lands in the build folder and the automatic
update imports it (its summary opens because of the note edited in Anki). (Mock interviews
have their own sessions: driver/mock.py.)
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import time
from collections.abc import Generator
from pathlib import Path
from typing import Any

from . import checked, js, review, shot, sleep, until, until_js
from .probes import CARD_LINK, SUMMARY, VIEWER, scheduling, when

KBDECK = '(note:"kbdeck Basic" OR note:"kbdeck Cloze")'


def run_op(op: Any) -> Any:
    """Run `op(col)` as a CollectionOp (as the add-on and Anki do); its result comes back."""
    from aqt import mw
    from aqt.operations import CollectionOp

    def request(cb: Any) -> None:
        CollectionOp(parent=mw, op=op).success(cb).failure(cb).run_in_background()

    return request


def scenario(settings: dict[str, Any], r: dict[str, Any]) -> Generator[Any, Any, None]:
    import aqt
    from aqt import mw

    assert mw is not None
    pkg = settings.get("package", "kbdeck")
    runtime = importlib.import_module(f"{pkg}.runtime")
    note_viewer = importlib.import_module(f"{pkg}.views.note_viewer")
    updater = importlib.import_module(f"{pkg}.views.updater")
    shots = settings["screenshots"]
    mw.resize(1100, 860)
    started = time.monotonic()

    def log(step: str, **data: Any) -> None:
        r["steps"].append({"step": step, "t": round(time.monotonic() - started, 2), **data})

    recorder = Path(settings["editor_log"])
    command = f'"{settings["python"]}" -c "import sys,json; open(sys.argv[1],\'w\').write(json.dumps(sys.argv[2:]))"'
    runtime.save_config(
        build_folder=settings["builds"],
        content_folder=settings["content"],
        editor_command=f"{command} {recorder} {{path}} {{line}}",
    )

    # 1. Tools → kbdeck: update from build, on a profile without the deck: the first import.
    action = next(a for a in mw.form.menuTools.actions() if a.text() == "kbdeck: update from build")
    action.trigger()
    dialog = checked((yield until(updater.summary_dialog, what="first summary")))
    r["first_summary"] = checked((yield until_js(dialog.web, SUMMARY, what="first summary page")))
    dialog.close()
    log("first import")

    # 2. Review: the card with a source link first, then the notes that v2 changes.
    col = mw.col
    edited, moved, removed = settings["edited"], settings["moved"], settings["removed"]
    (edited_nid,) = col.find_notes(f"Id:{edited} {KBDECK}")
    deck_id = col.get_card(col.find_cards(f"Id:{edited} {KBDECK}")[0]).did
    candidates = [
        n
        for n in col.find_notes(f'deck:"{col.decks.name(deck_id)}" note:"kbdeck Basic"', order=True)
        if "#" in col.get_note(n)["Source"] and col.get_note(n)["Id"] not in (edited, moved, removed)
    ]
    link_note = col.get_note(candidates[0])
    r["link_card"] = {"id": link_note["Id"], "source": link_note["Source"]}
    first = [c for n in (link_note.id, edited_nid) for c in col.card_ids_of_note(n)]
    first += col.find_cards(f"Id:{moved} {KBDECK}")
    checked((yield run_op(lambda c: c.sched.reposition_new_cards(first, 0, 1, False, True))))
    mw.col.decks.select(deck_id)
    mw.moveToState("review")
    checked((yield until(lambda: mw.reviewer.state == "question" and mw.reviewer.card, what="first question")))
    r["reviewer_card"] = mw.reviewer.card.note()["Id"]
    mw.reviewer._showAnswer()
    checked((yield until(lambda: mw.reviewer.state == "answer", what="answer")))
    shown = when(CARD_LINK, "getComputedStyle(document.getElementById('qa')).opacity === '1'")
    r["card_link"] = checked((yield until_js(mw.reviewer.web, shown, what="source link on the answer")))
    mw.fade_in_webview()  # what focusing the window does: offscreen nothing has focus, so Anki keeps it faded
    r["screens"] = [(yield shot(mw, shots, "card-source-link.png"))]

    # 3. Click the source link: the viewer opens at the card's heading, highlighted.
    yield js(mw.reviewer.web, "document.querySelector('a[data-kbdeck-src]').click()")
    viewer = checked((yield until(note_viewer.viewer, what="note viewer")))
    viewer.resize(900, 700)
    probe = when(VIEWER, "t && t.getBoundingClientRect().top < 200")
    r["viewer"] = checked((yield until_js(viewer.web, probe, what="viewer at the heading")))
    r["reviewer_state_after_click"] = mw.reviewer.state
    r["screens"].append((yield shot(viewer, shots, "note-viewer-heading.png")))
    log("viewer from the reviewer")

    # 4. Open in editor: the configured command gets the note's path and the heading's line.
    recorder.unlink(missing_ok=True)
    yield js(viewer.web, "document.querySelector('button[data-kbdeck=edit]').click()")
    checked((yield until(recorder.exists, what="editor command")))
    yield sleep(100)
    r["editor_argv"] = json.loads(recorder.read_text())

    # 5. The same link in the card layout screen and in Anki's previewer (the browser's is a subclass).
    from aqt.clayout import CardLayout

    viewer.close()
    checked((yield until(lambda: note_viewer.viewer() is None, what="viewer closed")))
    layout = CardLayout(mw, mw.col.get_note(link_note.id), ord=0, parent=mw)
    layout.pform.preview_back.setChecked(True)
    layout.on_preview_toggled()
    checked((yield until_js(layout.preview_web, CARD_LINK, what="link in the card layout")))
    yield js(layout.preview_web, "document.querySelector('a[data-kbdeck-src]').click()")
    checked((yield until(lambda: note_viewer.shown(), what="viewer from the card layout")))
    r["from_clayout"] = [note_viewer.shown().topic.id, note_viewer.shown().anchor]
    layout.reject()
    note_viewer.viewer().close()
    checked((yield until(lambda: note_viewer.viewer() is None, what="viewer closed")))
    from aqt.browser.previewer import Previewer

    class OneCardPreviewer(Previewer):
        """Anki's previewer (the browser's is a subclass) showing one card's answer."""

        def card(self) -> Any:
            return mw.col.get_card(first[0])

        def card_changed(self) -> bool:
            return False

    previewer = OneCardPreviewer(None, mw, lambda: None)
    previewer.open()
    yield sleep(350)  # the previewer renders at most every 300 ms
    previewer._state = "answer"  # what its ">" button does
    previewer.render_card()
    checked((yield until_js(previewer._web, CARD_LINK, what="link in the previewer")))
    yield js(previewer._web, "document.querySelector('a[data-kbdeck-src]').click()")
    checked((yield until(lambda: note_viewer.shown(), what="viewer from the previewer")))
    r["from_previewer"] = [note_viewer.shown().topic.id, note_viewer.shown().anchor]
    previewer.close()
    note_viewer.viewer().close()
    log("card layout and previewer")

    # 6. Study: answer the first cards (the link card, the edited and the moved notes), tag and edit in Anki.
    yield from review(mw, deck_id, (3, 3, 1, 3, 4, 3))
    mw.moveToState("deckBrowser")
    r["reviewed"] = {
        cid: bool(mw.col.db.scalar(f"select count() from cards where nid = {nid} and type != 0"))
        for cid, nid in ((edited, edited_nid), (moved, mw.col.find_notes(f"Id:{moved} {KBDECK}")[0]))
    }
    own = next(
        n
        for n in mw.col.find_notes(KBDECK, order=True)
        if mw.col.get_note(n)["Id"] not in (edited, moved, removed, link_note["Id"])
    )

    def tag_and_edit(c: Any) -> Any:
        c.tags.bulk_add([edited_nid], "leech marked")
        note = c.get_note(own)
        note.fields[2] += "<p>my note</p>"
        return c.update_note(note)

    checked((yield run_op(tag_and_edit)))
    r["own_edit"] = mw.col.get_note(own)["Id"]
    r["before_update"] = {"revlog": mw.col.db.scalar("select count() from revlog"), "cards": scheduling(mw.col)}
    log("studied")

    # 7. v2 appears in the build folder; the automatic update imports it.
    runtime.save_config(auto_update=True, poll_seconds=2)
    target = Path(settings["builds"]) / Path(settings["v2"]).name
    tmp = target.with_suffix(".tmp")
    shutil.copyfile(settings["v2"], tmp)
    os.replace(tmp, target)
    dialog = checked((yield until(updater.summary_dialog, timeout_s=20, what="automatic update")))
    r["summary"] = checked((yield until_js(dialog.web, SUMMARY, what="summary page")))
    dialog.resize(660, 760)
    r["screens"].append((yield shot(dialog, shots, "update-summary.png")))
    c = mw.col
    edited_note = c.get_note(edited_nid)
    r["after_update"] = {
        "revlog": c.db.scalar("select count() from revlog"),
        "cards": scheduling(c),
        "edited_text": "Editado na v2" in " ".join(edited_note.fields),
        "edited_tags": edited_note.tags,
        "moved_decks": sorted({c.decks.name(c.get_card(x).did) for x in c.find_cards(f"Id:{moved} {KBDECK}")}),
        "orphans": [c.get_note(n)["Id"] for n in c.find_notes("tag:kbdeck::orphan")],
        "own_kept": "my note" in c.get_note(own).fields[2],
        "undo": c.undo_status().undo,
    }
    runtime.save_config(auto_update=False)
    yield js(dialog.web, "document.querySelector('button[data-kbdeck=browse][data-what=orphaned]').click()")
    browser = checked((yield until(lambda: aqt.dialogs._dialogs["Browser"][1], what="browser with the orphans")))
    checked((yield until(lambda: browser.table.len() > 0, what="browser rows")))
    r["browse"] = {
        "rows": browser.table.len(),
        "search": browser.form.searchEdit.lineEdit().text(),
        "orphan_cards": len(mw.col.find_cards("tag:kbdeck::orphan")),
    }
    browser.close()
    # the note edited in Anki: its diff, then "use the build's text" (one undo step)
    own_id = r["own_edit"]
    yield js(dialog.web, f"document.querySelector('[data-edited=\"{own_id}\"] details').open = true")
    r["screens"].append((yield shot(dialog, shots, "update-edited-diff.png")))
    r["diff_fields"] = checked(
        (
            yield until_js(
                dialog.web,
                f"[...document.querySelectorAll('[data-edited=\"{own_id}\"] [data-field]')].map(e => e.dataset.field)",
                what="diff rows",
            )
        )
    )
    yield js(dialog.web, f'document.querySelector(\'button[data-kbdeck="take-build"][data-what="{own_id}"]\').click()')
    checked((yield until(lambda: "my note" not in mw.col.get_note(own).fields[2], what="the build's text taken")))
    r["take_build"] = {"own_text_gone": "my note" not in mw.col.get_note(own).fields[2]}
    dialog.close()
    log("updated")

    yield sleep(200)

"""Import probe for `scripts/compat.py`: runs *inside* one Anki version's venv (PyPI `anki` only, no kbdeck).

    python compat_probe.py CASE.json [CASE.json ...]

Each case file (written by compat.py) names a v1 and a v2 package and what kbdeck put in them. For each
case: import v1 into a fresh collection, check notes, cards, note types, decks, tags, media and rendering,
study a few cards through the v3 scheduler, tag an unchanged note in Anki, import v2 (one card's text
edited) and check that exactly that note was updated and nothing else moved. Prints one JSON line per case:
{"name", "ok", "error", "notes", "cards", "updated", "answered", "addon"}. Then, where the add-on's
manifest allows this version, the packaged add-on's own update from build runs (v1, a mark, v2).

Only API that exists in every supported version is used; the import call is the one difference: Anki
2.1.66 has `Collection.import_anki_package(path)` (the new importer, without options: update if newer),
23.10+ take an `ImportAnkiPackageRequest` (options left at their defaults: update if newer, no merge).
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any

from anki.collection import Collection
from anki.scheduler.v3 import CardAnswer

try:
    from anki.buildinfo import version as ANKI_VERSION
except ImportError:  # pragma: no cover
    ANKI_VERSION = "?"

try:  # 23.10+
    from anki.collection import ImportAnkiPackageRequest
except ImportError:  # 2.1.66
    ImportAnkiPackageRequest = None

ANKI_TAGS = ("marked", "leech", "kbdeck-compat")


class ProbeError(AssertionError):
    pass


def check(cond: object, message: str) -> None:
    if not cond:
        raise ProbeError(message)


def import_apkg(col: Collection, path: str) -> Any:
    """Import like File → Import with default options; return the import log."""
    if ImportAnkiPackageRequest is not None:
        result = col.import_anki_package(ImportAnkiPackageRequest(package_path=path))
    else:
        result = col.import_anki_package(path)
    col.models._clear_cache()  # the desktop UI does this after the op
    return result.log


def note_id(col: Collection, guid: str) -> int:
    nid = col.db.scalar("select id from notes where guid = ?", guid)
    check(nid, f"note {guid} missing")
    return int(nid)


def snapshot(col: Collection) -> tuple[list[Any], list[Any], list[Any]]:
    cards = col.db.all(
        "select id, nid, did, ord, type, queue, due, ivl, factor, reps, lapses, left, odue, data from cards order by id"
    )
    notes = col.db.all("select id, guid, mid, mod, tags, flds from notes order by id")
    revlog = col.db.all("select * from revlog order by id")
    return cards, notes, revlog


def answer_top(col: Collection, rating: Any) -> int | None:
    """Answer the card at the top of the queue, like the reviewer; its id, or None when nothing is due."""
    queued = col.sched.get_queued_cards()
    if not queued.cards:
        return None
    top = queued.cards[0]
    card = col.get_card(top.card.id)
    card.start_timer()
    col.sched.answer_card(col.sched.build_answer(card=card, states=top.states, rating=rating))
    return int(card.id)


def study(col: Collection, root_deck: str, answers: int, first: int) -> int:
    """Answer card `first` (moved to the front with Browse → Reposition), then `answers` more (Again, then Good)."""
    check(col.v3_scheduler(), "a new collection is not on the v3 scheduler")
    col.sched.reposition_new_cards([first], starting_from=0, step_size=1, randomize=False, shift_existing=True)
    col.decks.select(col.get_card(first).did)
    answered = answer_top(col, CardAnswer.GOOD)
    check(answered == first, f"the repositioned card {first} is not at the top of its deck's queue ({answered})")
    did = col.decks.id_for_name(root_deck)
    check(did, f"root deck {root_deck!r} missing")
    col.decks.select(did)
    done = 1
    for i in range(answers):
        if answer_top(col, CardAnswer.GOOD if i % 3 else CardAnswer.AGAIN) is None:
            break
        done += 1
    return done


def check_v1(col: Collection, case: dict[str, Any], log: Any) -> int:
    notes = case["notes"]
    check(
        len(log.new) == len(notes) and not log.updated and not log.duplicate and not log.conflicting,
        f"v1 import log: new={len(log.new)} updated={len(log.updated)} duplicate={len(log.duplicate)} "
        f"conflicting={len(log.conflicting)}, expected new={len(notes)}",
    )
    check(col.note_count() == len(notes), f"{col.note_count()} notes, expected {len(notes)}")
    expected_cards = sum(n["cards"] for n in notes)
    check(col.card_count() == expected_cards, f"{col.card_count()} cards, expected {expected_cards}")

    kbdeck_types = sorted(nt.name for nt in col.models.all_names_and_ids() if nt.name.startswith("kbdeck"))
    check(kbdeck_types == sorted(case["notetypes"]), f"kbdeck note types: {kbdeck_types}")
    for name, spec in case["notetypes"].items():
        model = col.models.get(spec["id"])
        check(model is not None, f"note type {name} not imported with id {spec['id']}")
        check(model["name"] == name, f"note type {spec['id']} is named {model['name']!r}, expected {name!r}")
        fields = [f["name"] for f in model["flds"]]
        check(fields == spec["fields"], f"{name} fields {fields}, expected {spec['fields']}")
        templates = [t["name"] for t in model["tmpls"]]
        check(templates == [spec["template"]], f"{name} templates {templates}")
        check(model["type"] == (1 if spec["cloze"] else 0), f"{name} has type {model['type']}")

    decks = {d.name for d in col.decks.all_names_and_ids()}
    missing = sorted(set(case["decks"]) - decks)
    check(not missing, f"decks missing: {missing}")

    deck_names = {d.id: d.name for d in col.decks.all_names_and_ids()}
    for expected in notes:
        note = col.get_note(note_id(col, expected["guid"]))
        what = f"note {expected['id']}"
        check(note.mid == case["notetypes"][expected["notetype"]]["id"], f"{what}: note type {note.mid}")
        check(list(note.fields) == expected["fields"], f"{what}: fields differ from the package")
        check(sorted(note.tags) == sorted(expected["tags"]), f"{what}: tags {note.tags}, expected {expected['tags']}")
        cards = note.cards()
        check(len(cards) == expected["cards"], f"{what}: {len(cards)} cards, expected {expected['cards']}")
        for card in cards:
            check(deck_names.get(card.did) == expected["deck"], f"{what}: card in deck {deck_names.get(card.did)!r}")
    media_dir = Path(col.media.dir())
    missing = sorted(name for name in case["media"] if not (media_dir / name).is_file())
    check(not missing, f"media files missing: {missing[:3]}")
    check_looks(col, case["looks"]["v1"], "v1")
    return check_rendering(col)


def check_looks(col: Collection, looks: dict[str, dict[str, str]], which: str) -> None:
    """The note types' templates and CSS are the package's (set on first import, updated on re-import)."""
    for name, look in looks.items():
        model = col.models.by_name(name)
        check(model is not None, f"note type {name} missing")
        got = {"qfmt": model["tmpls"][0]["qfmt"], "afmt": model["tmpls"][0]["afmt"], "css": model["css"]}
        differ = [k for k in look if got[k] != look[k]]
        check(not differ, f"{name}: {', '.join(differ)} differ from the {which} package")


def check_rendering(col: Collection) -> int:
    """Render every card: both sides non-empty; every cloze front hides its deletion."""
    cloze_hidden = 0
    for cid in col.find_cards(""):
        card = col.get_card(cid)
        question, answer_html = card.question(), card.answer()
        name = card.note_type()["name"]
        what = f"card {card.note()['Id']} ({name}, ord {card.ord})"
        check('class="kb-q' in question and question.strip(), f"{what}: empty or foreign question HTML")
        check(answer_html.strip() and 'class="kb-card kb-back"' in answer_html, f"{what}: empty answer HTML")
        if name == "kbdeck Cloze":
            check(re.search(r"class=\"?cloze", question), f"{what}: no cloze deletion on the front")
            check("{{c" not in question, f"{what}: raw cloze syntax on the front")
            cloze_hidden += "[...]" in question
        else:
            check('id="answer"' in answer_html, f"{what}: no answer separator")
    check(cloze_hidden, "no cloze front shows [...]")
    return cloze_hidden


def run_case(case: dict[str, Any], tmp: Path) -> dict[str, Any]:
    out: dict[str, Any] = {"name": case["name"], "ok": False, "error": ""}
    col = Collection(str(tmp / f"{case['name']}.anki2"))
    try:
        log = import_apkg(col, case["v1"])
        check_v1(col, case, log)
        out["notes"], out["cards"] = col.note_count(), col.card_count()

        edited, kept = case["edited"], case["kept"]
        edited_nid, kept_nid = note_id(col, edited["guid"]), note_id(col, kept["guid"])
        edited_cid = col.db.scalar("select id from cards where nid = ? order by ord", edited_nid)
        out["answered"] = study(col, case["root_deck"], 5, edited_cid)
        kept_note = col.get_note(kept_nid)
        for tag in ANKI_TAGS:
            kept_note.add_tag(tag)
        col.update_note(kept_note)
        cards_before, notes_before, revlog_before = snapshot(col)
        check(len(revlog_before) >= 6, f"only {len(revlog_before)} reviews logged")
        types_before = sorted((nt.id, nt.name) for nt in col.models.all_names_and_ids())

        log = import_apkg(col, case["v2"])
        check(not log.conflicting, f"v2: {len(log.conflicting)} notes conflicting (note type schema mismatch)")
        check(not log.new, f"v2 added notes: {[n.fields[0] for n in log.new]}")
        updated = [n.fields[0] for n in log.updated]
        out["updated"] = ", ".join(updated)
        check(updated == [edited["id"]], f"v2 updated {updated}, expected [{edited['id']!r}]")
        check(len(log.duplicate) == len(case["notes"]) - 1, f"v2 skipped {len(log.duplicate)} notes")
        types_after = sorted((nt.id, nt.name) for nt in col.models.all_names_and_ids())
        check(types_after == types_before, f"note types changed: {types_before} -> {types_after}")
        check(not [n for _, n in types_after if n.endswith("+")], f"a '+' note type appeared: {types_after}")
        check(col.models.by_name("kbdeck Basic+") is None, "kbdeck Basic+ exists")

        check_looks(col, case["looks"]["v2"], "v2")
        cards_after, notes_after, revlog_after = snapshot(col)
        check(cards_after == cards_before, "card rows (scheduling state, decks) changed")
        check(revlog_after == revlog_before, "revlog changed")
        check(len(notes_after) == len(notes_before), f"{len(notes_before)} notes -> {len(notes_after)}")
        changed = [b[1] for b, a in zip(notes_before, notes_after, strict=True) if a != b]
        check(changed == [edited["guid"]], f"note rows changed: {len(changed)} (expected only {edited['id']})")
        note = col.get_note(edited_nid)
        check(edited["marker"] in note[edited["field"]], f"edited text not in {edited['id']}.{edited['field']}")
        check(list(note.fields) == edited["fields"], f"{edited['id']}: fields differ from the v2 package")
        tags = set(col.get_note(kept_nid).tags)
        check(set(ANKI_TAGS) <= tags, f"Anki-side tags on unchanged note {kept['id']} lost: {sorted(tags)}")
        check(col.db.scalar("select count() from revlog where cid = ?", edited_cid), "edited card has no reviews")
        out["addon"] = run_addon_update(case, tmp)
        out["ok"] = True
    except ProbeError as exc:
        out["error"] = str(exc)
    except Exception as exc:  # an API missing in this version, a crash in the importer...
        where = traceback.extract_tb(exc.__traceback__)[-1]
        out["error"] = f"{type(exc).__name__}: {exc} (at {Path(where.filename).name}:{where.lineno})"
    finally:
        col.close()
    return out


def point_version(version: str) -> int:
    """Anki's point version: `2.1.66` → 66, `23.12.1` → 231201 (what an add-on's `min_point_version` means)."""
    parts = [int(p) for p in re.findall(r"\d+", version)[:3]] + [0, 0, 0]
    return parts[2] if parts[0] == 2 else parts[0] * 10000 + parts[1] * 100 + parts[2]


def run_addon_update(case: dict[str, Any], tmp: Path) -> str:
    """The packaged add-on's update from build, in this Anki: v1, then a mark in Anki, then v2 (one card
    edited; its stamp is older than the mark, so Anki's own import would skip it). "ok", "skipped …",
    or raises ProbeError."""
    addon = case.get("addon")
    if not addon:
        return "skipped (no add-on in the case)"
    if point_version(ANKI_VERSION) < case["addon_min_point_version"]:
        return f"skipped (below the manifest's minimum {case['addon_min_point_version']})"
    sys.path.insert(0, str(Path(addon).parent))
    import importlib

    update_op = importlib.import_module(f"{Path(addon).name}.ops.update_op")
    col = Collection(str(tmp / f"{case['name']}-addon.anki2"))
    try:
        first = update_op.run_update(col, case["v1"]).summary
        check(first.new == len(case["notes"]), f"add-on update of v1 added {first.new} notes")
        edited = case["edited"]
        nid = note_id(col, edited["guid"])
        note = col.get_note(nid)
        note.add_tag("marked")
        col.update_note(note)
        second = update_op.run_update(col, case["v2"]).summary
        note = col.get_note(nid)
        check(list(note.fields) == edited["fields"], f"add-on update: {edited['id']} not updated (marked in Anki)")
        check("marked" in note.tags, f"add-on update: {edited['id']} lost its `marked` tag")
        check(second.updated == 1 and not second.edited, f"add-on summary: {second.updated} updated, {second.edited}")
    finally:
        col.close()
    return "ok"


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory(prefix="kbdeck-compat-") as tmp:
        for path in argv:
            case = json.loads(Path(path).read_text(encoding="utf-8"))
            print(json.dumps({"anki": ANKI_VERSION, **run_case(case, Path(tmp))}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

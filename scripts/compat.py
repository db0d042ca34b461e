"""Prove the `.apkg` imports correctly into every supported Anki version (`make compat`).

Builds two decks with kbdeck (the sample knowledge base tests/fixtures/kb and the shipped content/,
each copied to a temporary directory), twice: v1, then v2 with one card's text edited and a later
SOURCE_DATE_EPOCH. Then, for each Anki version, runs `compat_probe.py` inside that version's own venv
(PyPI `anki==<version>`, created once under build/compat/venv-<version>/ and reused), which imports v1
into a fresh collection, checks it, studies a few cards, tags a note in Anki, imports v2 and checks that
only the edited note changed.

One line per version (`anki 24.11: ok (...)` or `anki 24.11: FAIL <reason>`) and a closing
`N passed, M failed` line; exit 1 when any version fails. Nothing is skipped.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kbdeck.build import BuildResult, build
from kbdeck.model.kb import Kind
from kbdeck.model.notetypes import BASIC, CLOZE

ROOT = Path(__file__).resolve().parent.parent
# The oldest supported release, the last release of each later year, and the newest: keep in sync with the README.
VERSIONS = ("2.1.66", "23.12.1", "24.11", "25.9.5", "26.9.3")
COMPAT = ROOT / "build" / "compat"
PROBE = Path(__file__).resolve().parent / "compat_probe.py"
DECKS = {"sample": ROOT / "tests" / "fixtures" / "kb", "content": ROOT / "content"}
V1_EPOCH, V2_EPOCH = 1_700_000_000, 1_800_000_000
MARKER = "kbdeck-compat-v2"
PROBE_TIMEOUT_S = 600


class CompatError(Exception):
    pass


# --- one venv per Anki version ------------------------------------------------------------------


def venv_dir(version: str) -> Path:
    return COMPAT / f"venv-{version}"


def ensure_venv(version: str) -> tuple[Path, float]:
    """The venv's python (creating the venv on first use) and the seconds spent creating it."""
    venv = venv_dir(version)
    python, stamp = venv / "bin" / "python", venv / ".kbdeck-compat"
    COMPAT.mkdir(parents=True, exist_ok=True)
    with open(COMPAT / f"venv-{version}.lock", "w") as lock:  # a concurrent run waits instead of racing
        fcntl.flock(lock, fcntl.LOCK_EX)
        if python.exists() and stamp.is_file() and stamp.read_text().strip() == version:
            return python, 0.0
        started = time.perf_counter()
        shutil.rmtree(venv, ignore_errors=True)
        for cmd in (
            [sys.executable, "-m", "venv", str(venv)],
            [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", f"anki=={version}"],
        ):
            proc = subprocess.run(cmd, capture_output=True, text=True)
            if proc.returncode:
                lines = [ln for ln in (proc.stderr + proc.stdout).splitlines() if ln.strip() and "WARNING" not in ln]
                raise CompatError(f"cannot create the venv ({' '.join(cmd[2:4])}): {' | '.join(lines[-3:])}")
        stamp.write_text(version + "\n")
        return python, time.perf_counter() - started


# --- the decks ----------------------------------------------------------------------------------


@dataclass
class Edit:
    card_id: str
    path: Path
    old: str
    new: str


def run_build(content: Path, out: Path, epoch: int) -> BuildResult:
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    try:
        result = build(content, out)
    finally:
        if saved is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved
    if result.apkg is None:
        raise CompatError(f"kbdeck build of {content} failed:\n{result.problems.render_text()}")
    return result


def pick_edit(result: BuildResult, content: Path) -> Edit:
    """A basic card from a YAML file whose question's first line can take one more word, safely."""
    assert result.kb is not None
    files = sorted((content / "flashcards").rglob("*.yaml"))
    for card in result.kb.cards:
        first = card.q.strip().splitlines()[0].strip() if card.kind is Kind.BASIC and card.q.strip() else ""
        if not first or first.startswith(("```", "@include", "|", "#", "-", ">")):
            continue
        for path in files:
            text = path.read_text(encoding="utf-8")
            if not re.search(rf"^\s*-\s+id:\s*{re.escape(card.id)}\s*$", text, re.M) or text.count(first) != 1:
                continue
            lines = [ln for ln in text.splitlines() if ln.rstrip().endswith(first)]
            if len(lines) == 1:
                return Edit(card.id, path, lines[0], f"{lines[0].rstrip()} {MARKER}")
    raise CompatError("no basic card whose question can be edited")


def packaged_looks(apkg: Path) -> dict[str, dict[str, str]]:
    """Templates and CSS of each note type, as written into the package."""
    with zipfile.ZipFile(apkg) as zf, tempfile.TemporaryDirectory() as tmp:
        db = Path(zf.extract("collection.anki2", tmp))
        conn = sqlite3.connect(db)
        try:
            (models,) = conn.execute("SELECT models FROM col").fetchone()
        finally:
            conn.close()
    return {
        m["name"]: {"qfmt": m["tmpls"][0]["qfmt"], "afmt": m["tmpls"][0]["afmt"], "css": m["css"]}
        for m in json.loads(models).values()
    }


def expected_cards(notetype: str, fields: tuple[str, ...]) -> int:
    if notetype != CLOZE.name:
        return 1
    return max(1, len(set(re.findall(r"\{\{c(\d+)::", fields[CLOZE.fields.index("Text")]))))


def packaged_addon(work: Path) -> dict[str, Any]:
    """The add-on as users install it (`scripts/package_addon.py`), unpacked for the probe to import."""
    folder = work / "addon" / "kbdeck_addon"
    if not folder.is_dir():
        sys.path.insert(0, str(ROOT / "scripts"))
        from package_addon import package

        archive = package(work / "kbdeck.ankiaddon")
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(folder)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return {"addon": str(folder), "addon_min_point_version": int(manifest["min_point_version"])}


def make_case(name: str, source: Path, work: Path) -> dict[str, Any]:
    """Build v1 and v2 of one deck; the case file the probe checks against."""
    content = work / name / "content"
    shutil.copytree(source, content)
    out = COMPAT / "out" / name  # persistent: keeps the output-card cache between runs
    v1 = run_build(content, out, V1_EPOCH)
    v1_apkg = shutil.copy2(v1.apkg, work / name / "v1.apkg")  # type: ignore[arg-type]
    edit = pick_edit(v1, content)
    edit.path.write_text(edit.path.read_text(encoding="utf-8").replace(edit.old, edit.new), encoding="utf-8")
    v2 = run_build(content, out, V2_EPOCH)
    v2_apkg = shutil.copy2(v2.apkg, work / name / "v2.apkg")  # type: ignore[arg-type]
    if v2.changes is None or v2.changes.changed != (edit.card_id,) or v2.changes.new or v2.changes.removed:
        raise CompatError(f"{name}: v2 should change only {edit.card_id}, got {v2.changes}")
    assert v1.kb is not None
    notes = [
        {
            "guid": n.guid,
            "id": n.card_id,
            "notetype": n.notetype.name,
            "fields": list(n.fields),
            "tags": list(n.tags),
            "deck": n.deck,
            "cards": expected_cards(n.notetype.name, n.fields),
        }
        for n in v1.notes
    ]
    decks = {v1.kb.roadmap.deck}
    for n in v1.notes:
        parts = n.deck.split("::")
        decks.update("::".join(parts[: i + 1]) for i in range(len(parts)))
    edited = next(n for n in v2.notes if n.card_id == edit.card_id)
    kept = next(n for n in v1.notes if n.card_id != edit.card_id and n.notetype is BASIC)
    case = {
        "name": name,
        "v1": str(v1_apkg),
        "v2": str(v2_apkg),
        "root_deck": v1.kb.roadmap.deck,
        "notes": notes,
        "decks": sorted(decks),
        "media": sorted(v1.media),
        "notetypes": {
            spec.name: {
                "id": spec.model_id,
                "fields": list(spec.fields),
                "template": spec.template_name,
                "cloze": spec.is_cloze,
            }
            for spec in (BASIC, CLOZE)
        },
        "edited": {
            "guid": edited.guid,
            "id": edited.card_id,
            "field": "Front",
            "marker": MARKER,
            "fields": list(edited.fields),
        },
        "kept": {"guid": kept.guid, "id": kept.card_id},
        "looks": {"v1": packaged_looks(Path(v1_apkg)), "v2": packaged_looks(Path(v2_apkg))},
        **packaged_addon(work),
    }
    path = work / f"{name}.json"
    path.write_text(json.dumps(case, ensure_ascii=False), encoding="utf-8")
    return {"path": path, "notes": len(notes)}


# --- running the probes -------------------------------------------------------------------------


def same_version(reported: str, wanted: str) -> bool:
    """`25.09.5` (anki.buildinfo) is PyPI's `25.9.5`."""
    return [int(p) for p in re.findall(r"\d+", reported)] == [int(p) for p in re.findall(r"\d+", wanted)]


def probe(version: str, python: Path, cases: list[Path]) -> tuple[bool, str]:
    """(ok, summary or failure reason) for one Anki version."""
    try:
        proc = subprocess.run(
            [str(python), str(PROBE), *map(str, cases)], capture_output=True, text=True, timeout=PROBE_TIMEOUT_S
        )
    except subprocess.TimeoutExpired:
        return False, f"probe timed out after {PROBE_TIMEOUT_S} s"
    results = []
    for line in proc.stdout.splitlines():
        if line.startswith("{"):
            results.append(json.loads(line))
    if proc.returncode or len(results) != len(cases):
        tail = " | ".join(proc.stderr.strip().splitlines()[-3:])
        return False, f"probe exited {proc.returncode} after {len(results)}/{len(cases)} cases: {tail}"
    bad_version = next((r["anki"] for r in results if not same_version(r["anki"], version)), None)
    if bad_version:
        return False, f"the venv runs anki {bad_version}"
    failed = [f"{r['name']}: {r['error']}" for r in results if not r["ok"]]
    if failed:
        return False, "; ".join(failed)
    parts = [
        f"{r['name']}: {r['notes']} notes, {r['cards']} cards, {r['answered']} answered, 1 updated ({r['updated']}), "
        f"add-on update {r.get('addon', '?')}"
        for r in results
    ]
    return True, "; ".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--versions", default=",".join(VERSIONS), help="comma-separated Anki versions (PyPI)")
    parser.add_argument("--decks", default=",".join(DECKS), help=f"comma-separated, of: {', '.join(DECKS)}")
    args = parser.parse_args(argv)
    versions = [v for v in args.versions.split(",") if v]
    names = [d for d in args.decks.split(",") if d]
    unknown = sorted(set(names) - set(DECKS))
    if unknown or not versions or not names:
        parser.error(f"unknown decks {unknown}" if unknown else "nothing to check")
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(versions)) as pool, tempfile.TemporaryDirectory() as tmp:
        venvs: dict[str, Future[tuple[Path, float]]] = {v: pool.submit(ensure_venv, v) for v in versions}
        cases, broken = [], []
        for name in names:
            try:
                cases.append(make_case(name, DECKS[name], Path(tmp)))
            except CompatError as exc:
                broken.append(name)
                print(f"deck {name}: FAIL {exc}")
        built = time.perf_counter() - started

        def check(version: str) -> tuple[bool, str]:
            try:
                python, seconds = venvs[version].result()
            except CompatError as exc:
                return False, str(exc)
            if not cases:
                return False, "no deck to import"
            ok, message = probe(version, python, [c["path"] for c in cases])
            message = f"({message})" if ok else message
            return ok, message + (f" [venv created in {seconds:.0f} s]" if seconds else "")

        results = dict(zip(versions, pool.map(check, versions), strict=True))
    for version, (ok, message) in results.items():
        print(f"anki {version}: {'ok' if ok else 'FAIL'} {message}")
    passed = sum(ok for ok, _ in results.values())
    elapsed = time.perf_counter() - started
    tail = f"; deck(s) not built: {', '.join(broken)}" if broken else ""
    print(f"{passed} passed, {len(results) - passed} failed{tail} ({elapsed:.0f} s, decks built in {built:.0f} s)")
    return 0 if passed == len(results) and not broken else 1


if __name__ == "__main__":
    sys.exit(main())

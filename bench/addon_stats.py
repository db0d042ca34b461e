"""Benchmark of the add-on's progress computation on a big collection (80k cards, 240k reviews).

Generates a real Anki collection (PyPI `anki`) with the kbdeck note types, 80,000 notes/cards in
a synthetic 12-week roadmap and 240,000 revlog rows, with direct SQL inserts (genanki-free,
seconds instead of minutes), plus a matching bundle in the media folder. Then times, best of N:
bundle discovery, the two SQL passes, the pure report, the panel HTML and the full view HTML.

    .venv/bin/python bench/addon_stats.py [--cards 80000] [--reviews 240000] [--runs 5] [--fsrs]

Targets: progress computation (discovery + SQL + report) < 200 ms; panel render < 50 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from anki.collection import Collection  # noqa: E402

from addon.data import aggregate, i18n  # noqa: E402
from addon.data.contract import note_guid  # noqa: E402
from addon.data.discovery import clear_cache, discover  # noqa: E402
from addon.data.progress import build_report  # noqa: E402
from addon.data.queries import read_snapshot  # noqa: E402
from addon.data.report import Report  # noqa: E402
from addon.views.render_panel import render_panel  # noqa: E402
from addon.views.render_view import render_view  # noqa: E402

KB = "bench-kb"
WEEKS, DAYS, TOPICS = 12, 5, 5
T = TypeVar("T")


def make_collection(path: Path, cards: int, reviews: int, fsrs: bool, seed: int = 1) -> Collection:
    """A collection with `cards` kbdeck notes (one card each) spread over the roadmap, plus a bundle."""
    rng = random.Random(seed)
    col = Collection(str(path))
    mm = col.models
    nt = mm.new("kbdeck Basic")
    for name in ("Id", "Front", "Back", "Extra", "Source", "SourceURL", "Topic", "Roadmap", "Reserved1", "Reserved2"):
        mm.add_field(nt, mm.new_field(name))
    tmpl = mm.new_template("Card 1")
    tmpl["qfmt"], tmpl["afmt"] = "{{Front}}", "{{Back}}"
    mm.add_template(nt, tmpl)
    mid = mm.add(nt).id
    did = col.decks.id(f"{KB}::All")
    assert did is not None
    timing = col.sched._timing_today()
    today, cutoff = timing.days_elapsed, timing.next_day_at
    n_topics = WEEKS * DAYS * TOPICS
    topic_ids = [f"area-{t % 8}/topic-{t:03d}" for t in range(n_topics)]
    base_id = int(time.time() * 1000) - 400 * 86400 * 1000
    note_rows, card_rows = [], []
    topic_cards: dict[str, list[str]] = {t: [] for t in topic_ids}
    bundle_cards: dict[str, dict[str, str]] = {}
    seen_cards = []
    for i in range(cards):
        topic = topic_ids[i * n_topics // cards]
        cid_text = f"card-{i:06d}"
        guid = note_guid(KB, cid_text)  # the add-on refuses a bundle claiming GUIDs outside its namespace
        nid = cid = base_id + i
        tags = f" kb::{topic.replace('/', '::')} "
        flds = "\x1f".join((cid_text, f"Question {i}", f"Answer {i}", "", f"{topic}.md", "", topic, "", "", ""))
        note_rows.append((nid, guid, mid, 0, -1, tags, flds, f"Question {i}", 0, 0, ""))
        x = rng.random()
        if x < 0.30:
            ctype, queue, due, ivl, data = 0, 0, i, 0, ""
        else:
            if x < 0.35:
                ctype, queue, due, ivl = 1, 1, cutoff - rng.randint(0, 80000), 0
            elif x < 0.70:
                ivl = rng.randint(1, 20)
                ctype, queue, due = 2, 2, today + rng.randint(-3, ivl)
            elif x < 0.95:
                ivl = rng.randint(21, 400)
                ctype, queue, due = 2, 2, today + rng.randint(-3, ivl)
            else:
                ivl = rng.randint(1, 100)
                ctype, queue, due = 2, -1, today + rng.randint(-3, ivl)
            lrt = (cutoff - 86400) - rng.randint(0, 30) * 86400
            data = json.dumps({"s": round(rng.uniform(1, 90), 3), "d": round(rng.uniform(1, 9), 3), "lrt": lrt})
            seen_cards.append(cid)
        card_rows.append((cid, nid, did, 0, 0, -1, ctype, queue, due, ivl, 2500, 1, 0, 0, 0, 0, 0, data))
        topic_cards[topic].append(cid_text)
        bundle_cards[cid_text] = {"guid": guid, "topic": topic, "deck": f"{KB}::All"}
    start_ms = (cutoff - 365 * 86400) * 1000
    rev_rows = []
    for j in range(reviews):
        rid = start_ms + j * (365 * 86400 * 1000 // reviews) + rng.randint(0, 999)
        ease = rng.choices((1, 2, 3, 4), (10, 10, 70, 10))[0]
        rtype = rng.choices((0, 1, 2), (20, 70, 10))[0]
        rev_rows.append((rid, rng.choice(seen_cards), -1, ease, 10, 5, 2500, 8000, rtype))
    col.set_config("fsrs", fsrs)
    col.close()
    # Bulk rows go straight into the SQLite file: Anki's executemany is a JSON round-trip per call.
    with sqlite3.connect(path) as db:
        db.executemany("insert into notes values (?,?,?,?,?,?,?,?,?,?,?)", note_rows)
        db.executemany("insert into cards values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", card_rows)
        db.executemany("insert into revlog values (?,?,?,?,?,?,?,?,?)", rev_rows)
    db.close()
    col = Collection(str(path))
    weeks = [
        {
            "id": f"week-{w + 1}",
            "title": f"Week {w + 1}",
            "days": [
                {
                    "id": f"day-{w * DAYS + d + 1}",
                    "title": f"Day {w * DAYS + d + 1}",
                    "date": "",
                    "flashcards": 30,
                    "topics": topic_ids[(w * DAYS + d) * TOPICS : (w * DAYS + d + 1) * TOPICS],
                }
                for d in range(DAYS)
            ],
        }
        for w in range(WEEKS)
    ]
    bundle = {
        "schema_version": 1,
        "kb": {
            "id": KB,
            "title": "Bench KB",
            "deck": KB,
            "language": "en",
            "source_url": "",
            "targets": {"topics": n_topics, "flashcards": cards, "examples": 10, "mock_interviews": 2},
        },
        "areas": [],
        "weeks": weeks,
        "topics": {
            t: {
                "title": f"Topic {t}",
                "area": t.split("/")[0],
                "note": "",
                "path": f"{t}.md",
                "headings": [],
                "cards": topic_cards[t],
                "examples": [],
                "tags": [],
                "summary": "",
            }
            for t in topic_ids
        },
        "cards": bundle_cards,
        "examples": [{"id": f"ex/{k}", "path": "", "summary": ""} for k in range(10)],
        "mock_interviews": [],
        "build": {"generation": 1, "changed_at": 0, "kbdeck": "bench"},
    }
    media = Path(col.media.dir())
    (media / f"_kbdeck-{KB}-bundle-{'0' * 16}.json").write_text(json.dumps(bundle))
    return col


def best_of(runs: int, fn: Callable[[], T]) -> tuple[float, T]:
    """Best wall-clock time in ms (the best run is the one least disturbed by other processes)."""
    best, result = float("inf"), None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        best = min(best, (time.perf_counter() - started) * 1000)
    assert result is not None
    return best, result


def best_cpu(runs: int, fn: Callable[[], object]) -> float:
    """Best CPU time of this process in ms: what the work costs when the machine is shared."""
    best = float("inf")
    for _ in range(runs):
        started = time.process_time()
        fn()
        best = min(best, (time.process_time() - started) * 1000)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cards", type=int, default=80_000)
    ap.add_argument("--reviews", type=int, default=240_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--fsrs", action="store_true", help="turn FSRS on (adds average retrievability)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="kbdeck-bench-") as tmp:
        started = time.perf_counter()
        col = make_collection(Path(tmp) / "collection.anki2", args.cards, args.reviews, args.fsrs)
        gen_s = time.perf_counter() - started
        assert col.db is not None
        reviews = col.db.scalar("select count() from revlog")
        fsrs = "on" if args.fsrs else "off"
        print(f"collection: {col.card_count()} cards, {reviews} reviews, fsrs={fsrs} (generated in {gen_s:.1f} s)")
        media = col.media.dir()

        def compute() -> Report:
            found = discover(media)
            return build_report(found.bundles, read_snapshot(col, 30), retention_days=30, chart_days=30)

        clear_cache()
        aggregate._index_cache.clear()
        aggregate._missing_cache.clear()
        t_cold, _ = best_of(1, compute)  # first refresh after an import: parses the bundle, builds the index
        t_disc, disc = best_of(args.runs, lambda: discover(media))
        t_sql, snap = best_of(args.runs, lambda: read_snapshot(col, 30))
        t_rep, report = best_of(
            args.runs, lambda: build_report(disc.bundles, snap, retention_days=30, chart_days=30, problems=())
        )
        t_total, _ = best_of(args.runs, compute)
        cpu_total = best_cpu(args.runs, compute)
        tr = i18n.Translator("en")
        t_panel, panel = best_of(args.runs, lambda: render_panel(report, tr))
        t_view, view = best_of(args.runs, lambda: render_view(report, tr))
        kb = report.kbs[0]
        print(
            f"  {len(snap.states)} state rows, {len(snap.answers)} answer rows; {kb.counts.total} cards, "
            f"{kb.counts.seen} seen, {kb.counts.due} due, retention {kb.counts.retention or 0:.1f}%"
        )
        print(f"  bundle discovery (cached)  {t_disc:8.1f} ms")
        print(f"  SQL passes (2)             {t_sql:8.1f} ms")
        print(f"  report (pure Python)       {t_rep:8.1f} ms")
        ok = "OK" if t_total < 200 else "SLOW"
        print(f"  progress computation       {t_total:8.1f} ms   target < 200 ms  {ok}   (first run {t_cold:.0f} ms)")
        print(f"    of which CPU time        {cpu_total:8.1f} ms   (load average now {os.getloadavg()[0]:.1f})")
        ok = "OK" if t_panel < 50 else "SLOW"
        print(f"  panel render               {t_panel:8.2f} ms   target < 50 ms   {ok}   ({len(panel) // 1024} KiB)")
        print(f"  full view render           {t_view:8.1f} ms   ({len(view) // 1024} KiB)")
        col.close()


if __name__ == "__main__":
    main()

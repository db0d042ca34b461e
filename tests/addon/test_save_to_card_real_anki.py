"""Issue 22: save → card updated in the open Anki reviewer, with `kbdeck watch` and the add-on's
auto-update, end to end in real Anki (offscreen) on the shipped knowledge base.

The suite checks that each save shows, without Anki's window getting focus, within `HANG_S`; the
target itself (a median ≤ 1 s) is a timing, and timings belong to `bench/`, not to the suite (on a
loaded machine the poll mode's median moved from 0.63 to 1.03 s between runs of the same code):
`bench/save_to_card.py` runs this test repeatedly with `KBDECK_SAVE_TO_CARD_REPORT` set and judges the
medians it reports."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from harness import prepare_base, run_anki

ROOT = Path(__file__).resolve().parents[2]


def first_question(content: Path) -> tuple[str, Path, str]:
    """A card with an id and a plain question: its id, its file and its question's first line."""
    for path in sorted((content / "flashcards").rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        for card in yaml.safe_load(text) or []:
            q = card.get("q") if isinstance(card, dict) else None
            if isinstance(q, str) and card.get("id") and "{{" not in q and "`" not in q:
                first = q.strip().splitlines()[0]
                lines = [ln for ln in text.splitlines() if first in ln]
                if len(lines) == 1 and len(first) > 20:
                    return str(card["id"]), path, lines[0]
    raise AssertionError("no card with a plain one-line question in the content")


@pytest.fixture(scope="module", params=["events", "poll"])
def session(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, built_deck: Path
) -> dict[str, Any]:
    """`kbdeck watch` woken by the kernel (Linux's default) and polling (`--poll`, as on macOS and
    Windows, every 0.3 s)."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from package_addon import package

    tmp = tmp_path_factory.mktemp("save-to-card")
    content, builds = tmp / "content", tmp / "builds"
    shutil.copytree(built_deck.parent.parent / "content", content)
    shutil.copytree(built_deck.parent / ".cache", builds / ".cache")  # as after a `make build`
    card, path, line = first_question(content)
    kbdeck = Path(sys.executable).parent / "kbdeck"
    watch = subprocess.Popen(
        [str(kbdeck), "watch", "--content", str(content), "--out", str(builds)]
        + (["--poll"] if request.param == "poll" else []),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(watch.stdout or []), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 60
        while not any("watching" in ln for ln in lines) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert any("watching" in ln for ln in lines), "".join(lines)
        base = tmp / "base"
        config = {"build_folder": str(builds), "auto_update": True, "poll_seconds": 3600}
        prepare_base(base, package(tmp / "kbdeck.ankiaddon"), config=config)
        run = run_anki(
            base,
            {
                "scenario": "save_to_card",
                "results": str(tmp / "results.json"),
                "screenshots": str(tmp / "shots"),
                "card": card,
                "file": str(path),
                "line": line,
                "watchdog_s": 100,
            },
        )
    finally:
        watch.terminate()
        watch.wait(timeout=10)
    reader.join(timeout=5)
    results = run.results
    assert results.get("status") == "ok", json.dumps(results, indent=2)[-3000:] + run.output[-3000:] + "".join(lines)
    results["_watch"] = "".join(lines)
    results["_card"] = card
    results["_mode"] = request.param
    return results


HANG_S = 5.0
"""Longer than this for one save is a hang, not a slow machine (the old failure: the card redrawn
only once Anki's window got focus back, i.e. never while the learner is in their editor)."""


def test_each_save_shows_in_the_open_reviewer(session: dict[str, Any]) -> None:
    rounds = session["rounds"]
    print(f"save → card in the reviewer ({session['_mode']}), s:", rounds)
    print("phases (s after the save):", session["phases"])
    report = os.environ.get("KBDECK_SAVE_TO_CARD_REPORT")
    if report:  # bench/save_to_card.py collects the timings
        with open(report, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"mode": session["_mode"], "rounds": rounds, "phases": session["phases"]}) + "\n")
    assert session["reviewer_card"] == session["_card"] == session["reviewer_card_after"]
    assert not session["focused"] and not session["focused_after"], "Anki's window had focus: it redraws by itself"
    assert len(rounds) == 3 and max(rounds) < HANG_S, (rounds, session["phases"])
    assert session["_watch"].count("1 changed") == 3, session["_watch"]


def test_the_reviewer_stays_on_the_question_it_showed(session: dict[str, Any]) -> None:
    assert session["state_after"] == "question"
    assert os.path.exists(session["screen"])

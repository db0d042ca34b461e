"""A build landing in the build folder reaches the open collection within a second (real Anki, offscreen),
noticed by the folder watcher alone (tests/addon/driver/watch.py)."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from addon_helpers import Rebuild
from harness import prepare_base, run_anki

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory, built_deck: Path, rebuilt_deck: Rebuild) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT / "scripts"))
    from package_addon import package

    tmp = tmp_path_factory.mktemp("anki-watch")
    builds = tmp / "builds"
    builds.mkdir()
    shutil.copy2(built_deck, builds / built_deck.name)
    base = tmp / "base"
    config = {"build_folder": str(builds), "auto_update": True, "poll_seconds": 3600}
    prepare_base(base, package(tmp / "kbdeck.ankiaddon"), config=config)
    run = run_anki(
        base,
        {
            "scenario": "watch",
            "results": str(tmp / "results.json"),
            "builds": str(builds),
            "v1": str(built_deck),
            "v2": str(rebuilt_deck.apkg),
            "edited": rebuilt_deck.edited,
            "watchdog_s": 100,
        },
    )
    assert run.results.get("status") == "ok", json.dumps(run.results, indent=2)[-3000:] + run.output[-3000:]
    return run.results


def test_the_watcher_alone_brings_each_new_build_in_within_a_second(session: dict[str, Any]) -> None:
    assert session["watching"], "the build folder is not watched"
    assert session["v2_text_has_edit"]
    assert len(session["rounds"]) == 3 and max(session["rounds"]) < 1.0, session["rounds"]
    print("build landed → collection updated, s:", session["rounds"])


def test_a_build_copied_in_by_hand_is_imported_once_whole_and_never_half(session: dict[str, Any]) -> None:
    assert session["half_imported"] is False and session["hand_copy_imported"] is True
    assert [line for line in session["log"] if line.startswith("ERROR")] == [], session["log"]

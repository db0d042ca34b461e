"""Every example runs for real (PostgreSQL and Redis started by the test itself); nothing is skipped."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from kbtest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
from run_examples import EXAMPLES, discover, run_one
from services import services

ALL = discover()


@pytest.fixture(scope="session")
def services_env() -> Iterator[dict[str, str]]:
    """Throwaway PostgreSQL + Redis for the whole session; a missing server fails the tests, never skips."""
    with services() as env:
        yield env


def test_there_are_enough_examples() -> None:
    assert len(ALL) >= 20


@pytest.mark.parametrize("path", ALL, ids=[p.relative_to(EXAMPLES).as_posix() for p in ALL])
def test_example_runs(path: Path, services_env: dict[str, str]) -> None:
    ok, seconds, output = run_one(path, services_env)
    assert ok, f"{path.name} failed after {seconds:.1f} s:\n{output}"


def test_example_without_services_says_how_to_start_them() -> None:
    needs_pg = next(p for p in ALL if "KB_PG_DSN" in p.read_text(encoding="utf-8"))
    ok, _, output = run_one(needs_pg, {"KB_PG_DSN": "", "KB_REDIS_URL": ""})
    assert not ok
    assert "scripts/services.py run" in output

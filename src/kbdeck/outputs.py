"""Output cards: run their code at build time; the real stdout becomes the answer.

Results are cached by a hash of (interpreter, code), so a rebuild runs only new or edited
snippets; snippets run in parallel subprocesses with a timeout. A failure is a content problem
pointing at the card, never an exception.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

TIMEOUT_S = 20.0


@dataclass(frozen=True)
class RunResult:
    """What one snippet did."""

    ok: bool
    """Exit code 0 within the timeout."""
    stdout: str
    """Captured standard output."""
    error: str
    """Why it failed (last lines of stderr, or the timeout)."""


def _key(code: str) -> str:
    return hashlib.sha256(f"{sys.version}\0{code}".encode()).hexdigest()


def _run(code: str) -> RunResult:
    env = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONIOENCODING": "utf-8", "PYTHONDONTWRITEBYTECODE": "1"}
    with tempfile.TemporaryDirectory(prefix="kbdeck-run-") as tmp:
        try:
            proc = subprocess.run(
                [sys.executable, "-c", code],
                cwd=tmp,
                env=env,
                capture_output=True,
                text=True,
                timeout=TIMEOUT_S,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:
            return RunResult(False, "", f"timed out after {TIMEOUT_S:.0f} s")
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-3:])
        return RunResult(False, proc.stdout, f"exit code {proc.returncode}: {tail}")
    return RunResult(True, proc.stdout, "")


class OutputRunner:
    """Runs snippets with a persistent cache under the build directory."""

    def __init__(self, cache_file: Path | None) -> None:
        self.cache_file = cache_file
        self._cache: dict[str, str] = {}
        if cache_file is not None and cache_file.is_file():
            try:
                self._cache = json.loads(cache_file.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                self._cache = {}  # a corrupt cache is only a slower build
        self._dirty = False
        self._failed: dict[str, RunResult] = {}

    def run_all(self, snippets: list[str]) -> list[RunResult]:
        """Results in input order; only uncached successful runs are stored."""
        todo = sorted({c for c in snippets if _key(c) not in self._cache})
        if todo:
            from concurrent.futures import ThreadPoolExecutor  # only when snippets must run

            with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
                for code, result in zip(todo, pool.map(_run, todo), strict=True):
                    if result.ok:
                        self._cache[_key(code)] = result.stdout
                        self._dirty = True
                    else:
                        self._failed[code] = result
        return [self._failed.get(c) or RunResult(True, self._cache[_key(c)], "") for c in snippets]

    def save(self) -> None:
        if self.cache_file is None or not self._dirty:
            return
        self.cache_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.cache_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(self._cache, sort_keys=True), encoding="utf-8")
        tmp.replace(self.cache_file)

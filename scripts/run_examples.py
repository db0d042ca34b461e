"""Run every example in content/examples against throwaway PostgreSQL and Redis (`make examples`).

One line per example (name, time, ok/FAIL) and a closing `N passed, M failed` line; exit 1 when
any example fails. Services are started once for the whole run. Nothing is skipped: an example
that needs a missing service fails, with the reason.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from services import ServiceError, services

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "content" / "examples"
TIMEOUT_S = 120


def discover(root: Path = EXAMPLES) -> list[Path]:
    """Every runnable example: `<group>/<name>.py`, skipping private modules and caches."""
    return sorted(p for p in root.glob("*/*.py") if not p.name.startswith("_") and "__pycache__" not in p.parts)


def run_one(path: Path, env: dict[str, str], timeout: float = TIMEOUT_S) -> tuple[bool, float, str]:
    """(ok, seconds, output tail) for one example, run from a scratch directory."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="kb-example-") as cwd:
        try:
            proc = subprocess.run(
                [sys.executable, str(path)],
                cwd=cwd,
                env={**os.environ, **env},
                capture_output=True,
                text=True,
                timeout=timeout,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired as err:
            out = (err.stdout or b"").decode(errors="replace") if isinstance(err.stdout, bytes) else (err.stdout or "")
            return False, time.perf_counter() - started, f"timed out after {timeout:.0f} s\n{out[-2000:]}"
    output = (proc.stdout + proc.stderr)[-3000:]
    return proc.returncode == 0, time.perf_counter() - started, output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("filter", nargs="*", help="only examples whose path contains one of these")
    args = parser.parse_args(argv)
    paths = [p for p in discover() if not args.filter or any(f in str(p) for f in args.filter)]
    try:
        with services() as env:
            failed = []
            for path in paths:
                ok, seconds, output = run_one(path, env)
                name = path.relative_to(EXAMPLES).as_posix()
                print(f"{name:<55} {seconds:6.2f}s  {'ok' if ok else 'FAIL'}", flush=True)
                if not ok:
                    failed.append(name)
                    print("    " + output.strip().replace("\n", "\n    "), flush=True)
    except ServiceError as err:
        print(f"examples: cannot start services: {err}", file=sys.stderr)
        return 2
    print(f"{len(paths) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""First contact: a fresh clone's `make build`, timed as a new user runs it (issue 15).

Clones the repository's HEAD into a temporary directory (no .venv, no build/), runs `make build`
there and reports the whole command's time (virtual environment and install included) and the
build's own time, read from the build summary. Then it times `kbdeck build` alone again with a
cold build directory, which is what a user pays on every build after the first. Each step runs
`--repeat` times in a new clone; the medians are printed, and every run with `--json`.

The install step depends on the package index (a warm pip cache, a local mirror or the network):
that is why the build is also reported on its own.

    .venv/bin/python bench/first_contact.py [--repeat 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def one_run(work: Path) -> dict[str, float]:
    clone = work / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    # a new user: not even kbdeck's compiled patterns (render/patterns.py) from an earlier build
    env = {**os.environ, "KBDECK_CACHE_HOME": str(work / "user-cache")}
    started = time.perf_counter()
    proc = subprocess.run(["make", "build"], cwd=clone, capture_output=True, text=True, env=env)
    make_s = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"make build failed in a fresh clone:\n{proc.stdout}\n{proc.stderr}")
    reported = re.search(r"build generation \d+, ([\d.]+) s", proc.stdout)
    if "ran " in proc.stdout:
        raise SystemExit(f"a fresh clone's build ran output cards:\n{proc.stdout}")
    shutil.rmtree(clone / "build")
    started = time.perf_counter()
    subprocess.run([str(clone / ".venv/bin/kbdeck"), "build"], cwd=clone, check=True, capture_output=True, env=env)
    cold_s = time.perf_counter() - started
    return {
        "make_build_s": make_s,
        "build_reported_s": float(reported[1]) if reported else -1.0,
        "cold_build_s": cold_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    runs = []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory(prefix="kbdeck-first-contact-") as tmp:
            runs.append(one_run(Path(tmp)))
    medians = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
    if args.json:
        print(json.dumps({"medians": medians, "runs": runs}))
        return
    print(f"fresh clone, median of {len(runs)}:")
    print(f"  make build (venv + install + build + add-on): {medians['make_build_s']:.1f} s")
    print(f"  the build itself (its summary):               {medians['build_reported_s']:.2f} s")
    print(f"  kbdeck build again, cold build directory:      {medians['cold_build_s']:.2f} s")


if __name__ == "__main__":
    main()

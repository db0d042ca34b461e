"""How kbdeck grows with the deck: cold, no-op and one-card-edit builds at several sizes, kbdeck only.

    .venv/bin/python bench/scale.py --n 30000 --n 300000 [--repeat 1] [--json]

Issue 22's targets: the largest size within 11× the time of a size ten times smaller (linear growth
gives 10×), and its peak memory under 1.5 GB. Same corpus and harness as `run.py` (whole processes,
`wait4` CPU time, the tree's summed VmHWM, every package checked by `run.check_package`); ankdown is left
out (at 300,000 cards it alone would take minutes per run). Prints the times, the CPU each step used
split into user and system time (system time is page faults and file I/O, what grows faster than the
deck on a VM), the bytes each step wrote (which should grow as the deck does: once, they grew 27× for 10×
the cards), and with `--json` one JSON line. With `--repeat` above 1, each step's median and fastest
run, and the growth of the fastest runs too (on a shared VM, the least disturbed ones).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus import generate  # noqa: E402
from run import WORK, Run, check_package, cold_start, edit_one_card, timed  # noqa: E402

STEPS = ("cold", "noop", "one_edit")
MEMORY_LIMIT_MB = 1536
GROWTH_LIMIT = 11.0


def measure(n: int, repeat: int) -> dict[str, float]:
    content, _ = generate(n, WORK / f"n{n}")
    out = WORK / f"n{n}" / "out-scale"
    kbdeck = Path(sys.executable).parent / "kbdeck"
    cmd = [str(kbdeck), "build", "--content", str(content), "--out", str(out)]
    runs: dict[str, list[Run]] = {s: [] for s in STEPS}
    edited = ""  # the corpus as generated, or as the last round's edit left it
    for r in range(repeat):
        cold_start(content, out)
        for step in STEPS:
            if step == "one_edit":
                edited = edit_one_card(content, n, r)
            runs[step].append(timed(cmd))
            check_package(next(out.glob("*.apkg")), n, edited)  # untimed: n notes, highlighted code, the edit
    result: dict[str, float] = {"n": n}
    for step, items in runs.items():
        result[f"{step}_s"] = round(statistics.median(r.seconds for r in items), 2)
        result[f"{step}_min_s"] = round(min(r.seconds for r in items), 2)
        result[f"{step}_mb"] = round(max(r.hwm_mb for r in items))
        result[f"{step}_user_s"] = round(statistics.median(r.cpu - r.system for r in items), 2)
        result[f"{step}_sys_s"] = round(statistics.median(r.system for r in items), 2)
        result[f"{step}_written_mb"] = round(statistics.median(r.written_mb for r in items))
    return result


def cell(res: dict[str, float], step: str, repeat: int) -> str:
    """A step's median (with its fastest run when there are several) and peak memory."""
    fastest = f" (min {res[f'{step}_min_s']:.2f})" if repeat > 1 else ""
    return f"{res[f'{step}_s']:.2f}{fastest} ({res[f'{step}_mb']:.0f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--n", type=int, action="append", required=True, help="cards (repeatable; the first is the base)"
    )
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = [measure(n, args.repeat) for n in args.n]
    base = results[0]
    what = "median s (min) (peak MB)" if args.repeat > 1 else "s (peak MB)"
    print(f"| cards | {' | '.join(f'{s} {what}' for s in STEPS)} | growth of medians vs {base['n']:,.0f} |")
    print("|---:|" + "---:|" * (len(STEPS) + 1))
    verdicts = []
    for res in results:
        growth = [res[f"{s}_s"] / base[f"{s}_s"] for s in STEPS]
        cells = " | ".join(cell(res, s, args.repeat) for s in STEPS)
        print(f"| {res['n']:,.0f} | {cells} | {' / '.join(f'{g:.1f}×' for g in growth)} |")
        if res is not base:
            scale = res["n"] / base["n"]
            limit = GROWTH_LIMIT * scale / 10
            peak = max(res[f"{s}_mb"] for s in STEPS)
            verdicts.append(
                f"- {res['n']:,.0f} cards within {limit:.0f}× the {base['n']:,.0f} times: "
                f"{'met' if max(growth) <= limit else 'NOT met'} ({max(growth):.1f}×)"
            )
            if args.repeat > 1:  # the fastest run of each step against the fastest: the least disturbed ones
                fastest = [res[f"{s}_min_s"] / base[f"{s}_min_s"] for s in STEPS]
                verdicts.append(
                    f"- … fastest runs against fastest runs ({', '.join(STEPS)}): "
                    f"{' / '.join(f'{g:.1f}×' for g in fastest)}"
                )
            memory = "met" if peak < MEMORY_LIMIT_MB else "NOT met"
            verdicts.append(f"- peak memory < {MEMORY_LIMIT_MB} MB: {memory} ({peak:.0f} MB)")
    print("\n| cards | CPU s, user + system: " + " | ".join(STEPS) + " | growth of user / system CPU |")
    print("|---:|" + "---:|" * (len(STEPS) + 1))
    for res in results:
        cells = " | ".join(f"{res[f'{s}_user_s']:.2f} + {res[f'{s}_sys_s']:.2f}" for s in STEPS)
        user = [res[f"{s}_user_s"] / base[f"{s}_user_s"] for s in STEPS]
        system = [res[f"{s}_sys_s"] / max(base[f"{s}_sys_s"], 0.01) for s in STEPS]
        growth = " · ".join(f"{u:.1f}× / {k:.1f}×" for u, k in zip(user, system, strict=True))
        print(f"| {res['n']:,.0f} | {cells} | {growth} |")
    print("\n| cards | MB written: " + " | ".join(STEPS) + " | growth |")
    print("|---:|" + "---:|" * (len(STEPS) + 1))
    for res in results:
        cells = " | ".join(f"{res[f'{s}_written_mb']:,.0f}" for s in STEPS)
        growth = " / ".join(f"{res[f'{s}_written_mb'] / max(base[f'{s}_written_mb'], 1):.1f}×" for s in STEPS)
        print(f"| {res['n']:,.0f} | {cells} | {growth} |")
    print("\n".join(["", *verdicts]))
    if args.json:
        print(json.dumps(results))


if __name__ == "__main__":
    main()

"""Time kbdeck against ankdown and the packaging floor on a generated corpus (issue 11).

Every step runs as a whole process, timed from spawn to exit, with its CPU time (from `wait4`) and
its peak memory: "peak MB" is the sum of each process's own peak resident set (VmHWM, the kernel's
high-water mark, read every 50 ms), an upper bound that counts
pages shared by forked workers in each. The summed PSS (`--json`) is read every 0.5 s only: reading
it walks the page tables and slowed the process being measured (a 30,000-card rebuild by 0.5 s).

- kbdeck cold build: no build directory (no cache) and no ledger;
- kbdeck first build on a machine: the same, and kbdeck's compiled patterns (`render/patterns.py`, kept
  under the user's cache folder like Python's bytecode) not there either;
- kbdeck no-op rebuild: the same again, nothing changed;
- kbdeck one-card edit: one card's answer edited, then a rebuild;
- ankdown (PyPI, in its own venv under build/bench/) with `--highlight`, on the same cards;
- the packaging floor: genanki writing kbdeck's already-rendered notes (`bench/floor.py`).

Every measured package is checked after its step, untimed (`check_package`): N notes and N cards, the
Python block of every card that has one highlighted, and after an edit the edited text in its note; a
failed check stops the run. An untimed warm-up runs each tool once first (bytecode and file caches,
as on a user's machine); then each step runs `--repeat` times, interleaved, and the median is reported. Each step starts
after `sync`: a 30,000-card build writes ~250 MB, and the next step must not pay for flushing it. kbdeck's caches
are keyed by its own source, so editing src/kbdeck during a run spoils it: the run says so. Usage:
`python bench/run.py --n 3000 [--n 30000] [--repeat 5] [--json]`.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = ROOT / "build" / "bench"
sys.path.insert(0, str(HERE))

from corpus import CARDS_PER_TOPIC, cards_with_code, generate  # noqa: E402

from kbdeck.render.workers import usable_cpus  # noqa: E402  (the cores kbdeck itself counts)

STEPS = ("kbdeck_cold", "kbdeck_one_edit", "kbdeck_noop", "ankdown", "floor", "kbdeck_first")
LABELS = {
    "kbdeck_cold": "kbdeck cold build (no cache)",
    "kbdeck_first": "kbdeck cold, first on the machine",
    "kbdeck_one_edit": "kbdeck rebuild, one card edited",
    "kbdeck_noop": "kbdeck rebuild, nothing changed",
    "ankdown": "ankdown 0.7.1 --highlight",
    "floor": "packaging floor (genanki only)",
}


@dataclass(frozen=True)
class Run:
    """One timed process."""

    seconds: float
    """Wall time from spawn to exit."""
    cpu: float
    """User + system CPU of the process and the children it waited for."""
    pss_mb: float
    """Peak of the tree's summed proportional set size (shared pages split between their sharers)."""
    hwm_mb: float
    """Sum over the tree's processes of each one's peak resident set (VmHWM): an upper bound."""
    system: float = 0.0
    """The system (kernel) part of `cpu`: page faults, file I/O. It is what grows faster than the deck
    on a VM that backs memory on first touch (bench/README.md, growth)."""
    written_mb: float = 0.0
    """Bytes the process and its children handed to `write` (`wchar`), 0 where /proc cannot tell: against the
    size of the files a build leaves, what it wrote more than once (a 300,000-card cold build once wrote
    15.2 GB for 4.1 GB of files)."""


def _written() -> int:
    """`wchar` of this process and of the children it has waited for (Linux adds theirs when they are reaped)."""
    try:
        for line in Path("/proc/self/io").read_text().splitlines():
            if line.startswith("wchar:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _tree(root: int) -> list[int]:
    """`root` and its descendants, from each process's `children` list (no scan of all of /proc)."""
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        try:
            for task in os.scandir(f"/proc/{pid}/task"):
                with open(f"{task.path}/children", "rb") as f:
                    todo.extend(int(c) for c in f.read().split())
        except OSError:
            continue
    return out


def _kb(path: str, field: bytes) -> int:
    try:
        with open(path, "rb") as f:
            for line in f:
                if line.startswith(field):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


# Steps run as on a user's machine: with bytecode caches (a sandbox may set PYTHONDONTWRITEBYTECODE,
# which makes every process compile its modules again and slows the tool with the most modules).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> Run:
    """Run `cmd` to completion; raise with its stderr when it fails."""
    os.sync()  # the previous step's writes are flushed first, so that no step pays for another's
    written = _written()
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            cmd, cwd=cwd, env=env or ENV, stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL
        )
        pss, hwm = [0], [0]
        done = threading.Event()

        def sample() -> None:
            # VmHWM is the kernel's own high-water mark: cheap to read, and a late read loses
            # nothing. PSS needs a walk of the page tables (smaps_rollup) that slows the process
            # measured, so it is read only every 0.5 s.
            rounds = 0
            while not done.wait(0.05):
                tree = _tree(proc.pid)
                hwm[0] = max(hwm[0], sum(_kb(f"/proc/{p}/status", b"VmHWM:") for p in tree))
                if rounds % 10 == 0:
                    pss[0] = max(pss[0], sum(_kb(f"/proc/{p}/smaps_rollup", b"Pss:") for p in tree))
                rounds += 1

        sampler = threading.Thread(target=sample, daemon=True)
        if Path("/proc/self/smaps_rollup").exists():
            sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        done.set()
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}:\n{err.read().decode(errors='replace')}")
    cpu = usage.ru_utime + usage.ru_stime
    return Run(seconds, cpu, pss[0] / 1024, hwm[0] / 1024, usage.ru_stime, (_written() - written) / 1e6)


def ankdown_command() -> tuple[list[str] | None, str]:
    """ankdown in its own venv (created on first use), or None and why it is not available."""
    venv = WORK / "ankdown-venv"
    exe = venv / "bin" / "ankdown"
    if not exe.exists():
        try:
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
            subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "ankdown"], check=True, capture_output=True)
        except subprocess.CalledProcessError as err:
            return None, f"pip install ankdown failed: {err.stderr.decode(errors='replace')[-400:]}"
    return [str(exe)], ""


def edit_one_card(content: Path, n: int, round_: int) -> str:
    """Change the answer of the card in the middle of the corpus (a different text each round); returns the
    new text, which the package built next must carry."""
    idx = n // 2
    topic = idx // CARDS_PER_TOPIC
    path = content / "flashcards" / f"area-{topic % 10:02d}" / f"topic-{topic:04d}.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index(f"- id: c{idx:06d}\n")
    at = text.index("    Resumo", start)
    end = text.index(":", at)
    edited = f"Resumo (edição {round_ + 1})"
    path.write_text(text[:at] + f"    {edited}" + text[end:], encoding="utf-8")
    return edited


HIGHLIGHTED = '<span class="nf">process_'
"""Pygments' span on the function name of a card's Python block: how kbdeck, ankdown `--highlight` and the
floor (kbdeck's HTML) all show highlighted corpus code."""


@contextlib.contextmanager
def collection_of(apkg: Path) -> Iterator[Path]:
    """The package's `collection.anki2`, extracted (streamed) into a temporary folder for the block's length."""
    with tempfile.TemporaryDirectory(prefix="kbdeck-bench-") as tmp:
        db = Path(tmp) / "collection.anki2"
        with zipfile.ZipFile(apkg) as zf, zf.open("collection.anki2") as src, db.open("wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        yield db


def check_package(apkg: Path, n: int, edited: str = "") -> None:
    """Raise unless `apkg` holds the corpus: `n` notes and `n` cards, the Python block of every card that has
    one highlighted, and (after an edit) the edited text in exactly one note. Every measured build is checked
    (untimed, after its step): a build that dropped cards or left code plain cannot be fast by accident."""
    with collection_of(apkg) as db:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            notes, cards = conn.execute("SELECT (SELECT count(*) FROM notes), (SELECT count(*) FROM cards)").fetchone()
            having = "SELECT count(*) FROM notes WHERE instr(flds, ?) > 0"
            code = conn.execute(having, (HIGHLIGHTED,)).fetchone()[0]
            found = conn.execute(having, (edited,)).fetchone()[0] if edited else 0
        finally:
            conn.close()
    wrong = []
    if (notes, cards) != (n, n):
        wrong.append(f"{notes} notes and {cards} cards, not {n}")
    expected = cards_with_code(n)
    if code != expected:
        wrong.append(f"{code} notes with highlighted Python, not {expected}")
    if edited and found != 1:
        wrong.append(f"{found} notes with the edited text {edited!r}, not 1")
    if wrong:
        raise RuntimeError(f"{apkg}: " + "; ".join(wrong))


def dump_floor_input(apkg: Path, dest: Path) -> None:
    """kbdeck's rendered notes, note types and decks as `bench/floor.py` input."""
    with collection_of(apkg) as db:
        conn = sqlite3.connect(db)
        (models_json, decks_json, stamp) = conn.execute("SELECT models, decks, mod FROM col").fetchone()
        decks = {int(k): v["name"] for k, v in json.loads(decks_json).items()}
        models = [
            {
                "id": int(m["id"]),
                "name": m["name"],
                "fields": [f["name"] for f in m["flds"]],
                "template": m["tmpls"][0]["name"],
                "qfmt": m["tmpls"][0]["qfmt"],
                "afmt": m["tmpls"][0]["afmt"],
                "css": m["css"],
                "type": m["type"],
                "sortf": m["sortf"],
            }
            for m in json.loads(models_json).values()
        ]
        rows = conn.execute(
            "SELECT n.guid, n.mid, n.flds, n.tags, c.did, c.due FROM notes n JOIN cards c ON c.nid = n.id "
            "WHERE c.ord = 0 ORDER BY c.due"
        ).fetchall()
        conn.close()
    notes = [
        {
            "guid": g,
            "model": mid,
            "fields": f.split("\x1f"),
            "tags": t.split(),
            "deck_id": did,
            "deck": decks[did],
            "due": due,
        }
        for g, mid, f, t, did, due in rows
    ]
    dest.write_text(json.dumps({"timestamp": stamp, "models": models, "notes": notes}), encoding="utf-8")


def cold_start(content: Path, out: Path) -> None:
    """What a cold build starts from: no build folder (no cache, no package) and no ledger."""
    shutil.rmtree(out, ignore_errors=True)
    (content / ".kbdeck-ledger.json").unlink(missing_ok=True)


def source_digest() -> str:
    """kbdeck's source as its caches see it (`cache.py` hashes the same files)."""
    files = sorted((ROOT / "src" / "kbdeck").rglob("*.py"))
    return hashlib.sha256(b"".join(p.name.encode() + p.read_bytes() for p in files)).hexdigest()


def bench(n: int, repeat: int) -> dict[str, object]:
    base = WORK / f"n{n}"
    content, ankdown_dir = generate(n, base)
    out = base / "out"
    kbdeck = Path(sys.executable).parent / "kbdeck"
    build_cmd = [
        str(kbdeck) if kbdeck.exists() else sys.executable,
        "build",
        "--content",
        str(content),
        "--out",
        str(out),
    ]
    if not kbdeck.exists():
        build_cmd[1:1] = ["-m", "kbdeck.cli"]
    ankdown, why = ankdown_command()
    floor_input = base / "floor-notes.json"
    runs: dict[str, list[Run]] = {step: [] for step in STEPS}
    # kbdeck's compiled patterns live in a folder of the bench's own, warm after the warm-up as the
    # bytecode caches are; the "first on the machine" step gets an empty one each time
    ENV["KBDECK_CACHE_HOME"] = str(base / "kbdeck-cache")
    # untimed warm-up: writes the bytecode caches and fills the OS file cache for every tool
    cold_start(content, out)
    timed(build_cmd)
    dump_floor_input(next(out.glob("*.apkg")), floor_input)
    timed([sys.executable, str(HERE / "floor.py"), str(floor_input), str(base / "floor.apkg")])
    if ankdown is not None:
        timed([*ankdown, "-r", ".", "-p", str(base / "ankdown.apkg"), "--highlight"], ankdown_dir)
    source = source_digest()
    package = next(out.glob("*.apkg"))  # the warm-up's
    edited = ""  # the corpus as generated, or as the last round's edit left it
    for r in range(repeat):
        cold_start(content, out)
        runs["kbdeck_cold"].append(timed(build_cmd))
        check_package(package, n, edited)
        runs["kbdeck_noop"].append(timed(build_cmd))
        check_package(package, n, edited)
        edited = edit_one_card(content, n, r)
        runs["kbdeck_one_edit"].append(timed(build_cmd))
        check_package(package, n, edited)
        if ankdown is not None:
            runs["ankdown"].append(
                timed([*ankdown, "-r", ".", "-p", str(base / "ankdown.apkg"), "--highlight"], ankdown_dir)
            )
            check_package(base / "ankdown.apkg", n)  # ankdown's tree is not edited
        runs["floor"].append(
            timed([sys.executable, str(HERE / "floor.py"), str(floor_input), str(base / "floor.apkg")])
        )
        check_package(base / "floor.apkg", n)  # the warm-up's notes, from before any edit
        cold_start(content, out)
        with tempfile.TemporaryDirectory(prefix="kbdeck-cache-") as fresh:
            runs["kbdeck_first"].append(timed(build_cmd, env={**ENV, "KBDECK_CACHE_HOME": fresh}))
        check_package(package, n, edited)
    result: dict[str, object] = {"n": n, "repeat": repeat, "cores": usable_cpus(), "python": platform.python_version()}
    for step, items in runs.items():
        if not items:
            result[f"{step}_s"] = None
            continue
        result[f"{step}_s"] = round(statistics.median(x.seconds for x in items), 3)
        result[f"{step}_runs_s"] = [round(x.seconds, 3) for x in items]
        result[f"{step}_cpu_s"] = round(statistics.median(x.cpu for x in items), 3)
        result[f"{step}_mem_mb"] = round(max(x.hwm_mb for x in items), 1)
        result[f"{step}_pss_mb"] = round(max(x.pss_mb for x in items), 1)
    if why:
        result["ankdown_error"] = why
    if source_digest() != source:
        result["warning"] = "src/kbdeck changed during the run (kbdeck's caches were invalidated): run again"
    return result


def per_round(res: dict[str, object], top: str, bottom: str) -> list[float]:
    """`top / bottom` in each round (the steps of a round run one after the other)."""
    tops, bottoms = res.get(f"{top}_runs_s"), res.get(f"{bottom}_runs_s")
    if not isinstance(tops, list) or not isinstance(bottoms, list):
        return []
    return [t / b for t, b in zip(tops, bottoms, strict=False) if b]


def targets(res: dict[str, object], small: dict[str, object] | None) -> list[tuple[str, str, bool | None]]:
    """(target, measured, met) for one N; growth needs the smaller run too."""

    def num(key: str) -> float | None:
        value = res.get(key)
        return float(value) if isinstance(value, int | float) else None

    cold, edit, noop, ank, floor = (num(f"{s}_s") for s in STEPS[:5])
    rows: list[tuple[str, str, bool | None]] = []
    if cold and ank:
        rounds = per_round(res, "ankdown", "kbdeck_cold")
        spread = f" (rounds {min(rounds):.2f}–{max(rounds):.2f}×)" if len(rounds) > 1 else ""
        rows.append(("cold build ≥ 2× faster than ankdown", f"{ank / cold:.2f}×{spread}", ank / cold >= 2))
    first = num("kbdeck_first_s")
    if first and ank:
        rows.append(("… the first on the machine (no compiled patterns)", f"{ank / first:.2f}×", ank / first >= 2))
    if edit and noop:
        rounds = per_round(res, "kbdeck_one_edit", "kbdeck_noop")
        spread = f" (rounds {min(rounds):.2f}–{max(rounds):.2f}×)" if len(rounds) > 1 else ""
        rows.append(
            ("one-card edit ≤ 1.5× kbdeck's own no-op (issue 22)", f"{edit / noop:.2f}×{spread}", edit / noop <= 1.5)
        )
    if edit and floor:
        rows.append(
            ("one-card edit ≤ 1.2× the packaging floor (issue 11)", f"{edit / floor:.2f}×", edit / floor <= 1.2)
        )
    if noop is not None and res["n"] == 3000:
        rows.append(("no-op rebuild < 0.5 s (at 3,000)", f"{noop:.2f} s", noop < 0.5))
    mem = max((num(f"{s}_mem_mb") or 0) for s in ("kbdeck_cold", "kbdeck_one_edit", "kbdeck_noop"))
    if res["n"] == 30000:
        rows.append(("peak memory < 400 MB (at 30,000)", f"{mem:.0f} MB", mem < 400))
    if small is not None:
        factor = int(res["n"]) / int(small["n"])  # type: ignore[call-overload]
        for step in ("kbdeck_cold", "kbdeck_one_edit", "kbdeck_noop"):
            a, b = num(f"{step}_s"), small.get(f"{step}_s")
            if a and isinstance(b, int | float) and b:
                limit = 1.1 * factor
                rows.append(
                    (f"{step} grows linearly (≤ {limit:.0f}× for {factor:.0f}× cards)", f"{a / b:.1f}×", a / b <= limit)
                )
    return rows


def table(res: dict[str, object], rows: list[tuple[str, str, bool | None]]) -> str:
    lines = [
        f"n = {res['n']:,} cards, median of {res['repeat']} run(s), {res['cores']} usable core(s), "
        f"Python {res['python']}",
        "",
        f"| {'step':34} | {'wall s':>7} | {'cpu s':>7} | {'peak MB':>7} |",
        f"|{'-' * 36}|{'-' * 9}|{'-' * 9}|{'-' * 9}|",
    ]
    for step in STEPS:
        if res.get(f"{step}_s") is None:
            lines.append(f"| {LABELS[step]:34} | {'n/a':>7} | {'':>7} | {'':>7} |")
            continue
        wall, cpu, mem = res[f"{step}_s"], res[f"{step}_cpu_s"], res[f"{step}_mem_mb"]
        lines.append(f"| {LABELS[step]:34} | {wall:>7.2f} | {cpu:>7.2f} | {mem:>7.0f} |")
    lines.append("")
    lines.extend(f"- {name}: {measured} — {'met' if ok else 'NOT met'}" for name, measured, ok in rows)
    if res.get("ankdown_error"):
        lines.append(f"- ankdown: {res['ankdown_error']}")
    if res.get("warning"):
        lines.append(f"- WARNING: {res['warning']}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, action="append", required=True, help="cards in the corpus (repeatable)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per step; the median is reported (default 5)")
    parser.add_argument("--json", action="store_true", help="also print one JSON line per N")
    args = parser.parse_args()
    results: list[dict[str, object]] = []
    for n in sorted(args.n):
        res = bench(n, args.repeat)
        rows = targets(res, results[0] if results else None)
        res["targets"] = {name: {"measured": measured, "met": ok} for name, measured, ok in rows}
        results.append(res)
        print(table(res, rows), end="\n\n", flush=True)
        if args.json:
            print(json.dumps(res, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()

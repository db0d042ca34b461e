"""Output cards: the printed output of their code, recorded with the content, run only with consent.

An output card's answer is what its snippet prints. Running snippets at every build made a fresh
clone need every package the snippets import, made builds slow, and ran a stranger's code on the
machine of whoever built their knowledge base. So the outputs are *recorded* in a committed file
next to the ledger (`content/.kbdeck-outputs.json`, like Quarto's `_freeze/`), keyed by a hash of
the knowledge base's declared Python minor version and the code. A build reads the record and runs
nothing it can find there. A snippet without a record runs only when the user said so: `--execute`
on the command line, or this knowledge base trusted on this machine (`trust.py`); never because of
a setting inside the knowledge base.

Running a snippet is not sandboxing it: it runs with the user's permissions. What it gets is an
empty temporary working directory, a minimal environment (no inherited secrets), no stdin, and a
timeout that kills its whole process group. This module must never raise for a snippet's fault:
every failure is a `RunResult` that the renderer turns into a problem at the card.
"""

from __future__ import annotations

import contextlib
import enum
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..model.problems import Problems, Span
from ..support.files import write_if_changed
from ..support.jsonfile import conflict_line, error_place
from .chars import BAD_CHARS, describe_char

RECORD_NAME = ".kbdeck-outputs.json"
SCHEMA = 1
TIMEOUT_S = 20.0
MAX_OUTPUT = 1_000_000
"""Bytes of stdout kept from one snippet: more is an error (a card cannot show it anyway)."""

EXAMPLES_INSTALL = "pip install -e '.[examples]'"
"""How kbdeck's own repository installs its examples' packages (named in the missing-module hint)."""


class Policy(enum.Enum):
    """What a run may execute."""

    RECORDED = "recorded"
    """Only recorded outputs; an unrecorded snippet is a problem (the default for any knowledge base)."""
    MISSING = "missing"
    """Run the snippets that have no record (a trusted knowledge base)."""
    ALL = "all"
    """Run every snippet and compare with the record (`--execute`)."""


@dataclass(frozen=True)
class RunResult:
    """What one snippet printed, or why there is nothing to show."""

    ok: bool
    """Exit code 0 within the timeout, or found in the record."""
    stdout: str
    """The printed output (from the run, or recorded)."""
    error: str = ""
    """Why it failed (last lines of stderr, the timeout, no record)."""
    hint: str = ""
    """How to fix the failure."""
    ran: bool = False
    """Whether this run executed it (False: taken from the record)."""
    recorded: str | None = None
    """What the record held before this run (None: no record)."""

    @property
    def drifted(self) -> bool:
        """The snippet ran and printed something other than its record."""
        return self.ran and self.recorded is not None and self.recorded != self.stdout


def record_path(content: Path) -> Path:
    return content / RECORD_NAME


def current_python() -> str:
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def record_key(python: str, code: str) -> str:
    """The record's key for a snippet: what ran (Python minor version) and the code itself."""
    return hashlib.sha256(f"{python}\0{code}".encode()).hexdigest()


@dataclass
class Record:
    """The committed file: `{key: {"cards": [...], "stdout": "..."}}` for one declared Python."""

    python: str
    outputs: dict[str, dict[str, object]] = field(default_factory=dict)


class RecordError(Exception):
    """The record file exists but cannot be used (damaged, another schema); `at` says where (line, column)."""

    def __init__(self, message: str, at: tuple[int, int] = (1, 1), conflict: bool = False) -> None:
        super().__init__(message)
        self.at = at
        self.conflict = conflict


def read_record(path: Path, python: str) -> Record:
    """The record, or an empty one when the file does not exist. Damage raises `RecordError`:
    silently ignoring it would re-run (or refuse) every output card with no word why."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Record(python)
    except (OSError, UnicodeDecodeError) as exc:
        raise RecordError(f"cannot be read ({exc})") from exc
    conflict = conflict_line(text)
    if conflict is not None:  # each output has its own key: keeping both sides' entries resolves it
        raise RecordError("has unresolved merge conflict markers (<<<<<<< … >>>>>>>)", (conflict, 1), conflict=True)
    try:
        raw = json.loads(text)
    except (ValueError, RecursionError) as exc:  # RecursionError: `[[[[…` nested thousands deep
        raise RecordError(f"is not valid JSON ({str(exc)[:120]})", error_place(exc)) from exc
    if not isinstance(raw, dict) or raw.get("schema") != SCHEMA or not isinstance(raw.get("outputs"), dict):
        raise RecordError(f"is not a kbdeck output record (schema {SCHEMA})")
    outputs: dict[str, dict[str, object]] = {}
    for key, entry in raw["outputs"].items():
        if not (isinstance(entry, dict) and isinstance(entry.get("stdout"), str)):
            raise RecordError(f"entry `{key}` has no `stdout` text")
        bad = BAD_CHARS.search(entry["stdout"])
        if bad is not None:  # only an edit by hand puts one there (the runner refuses such output)
            raise RecordError(f"entry `{key}` holds {describe_char(bad.group())} in its `stdout`")
        outputs[key] = entry
    return Record(str(raw.get("python", python)), outputs)


def record_text(record: Record) -> str:
    return json.dumps(
        {"outputs": record.outputs, "python": record.python, "schema": SCHEMA},
        ensure_ascii=False,
        indent=1,
        sort_keys=True,
    )


def write_record(path: Path, record: Record) -> bool:
    """Write the record atomically when its text changed; whether it did."""
    return write_if_changed(path, record_text(record) + "\n")


def interpreter(python: str) -> tuple[str, str]:
    """(executable, its minor version) to run snippets for a knowledge base that declares `python`.

    The running interpreter when it is that version (it has the packages installed beside kbdeck);
    else `python<version>` from PATH; else the running interpreter, whose results the caller
    reports as coming from another version.
    """
    if current_python() == python:
        return sys.executable, python
    found = shutil.which(f"python{python}")
    if found:
        return found, python
    return sys.executable, current_python()


def snippet_env(tmp: Path) -> dict[str, str]:
    """The whole environment a snippet sees: nothing inherited but PATH (no tokens, no keys)."""
    env = {
        "PATH": os.environ.get("PATH", os.defpath),
        "HOME": str(tmp / "home"),
        "TMPDIR": str(tmp / "tmp"),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYTHONHASHSEED": "0",
        "PYTHONIOENCODING": "utf-8",
        "PYTHONUTF8": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONNOUSERSITE": "1",
    }
    if os.name == "nt":  # Windows processes cannot start without these
        env["SYSTEMROOT"] = os.environ.get("SYSTEMROOT", "")
        env["TEMP"] = env["TMP"] = env["TMPDIR"]
    return env


_MISSING_MODULE = re.compile(r"ModuleNotFoundError: No module named '([\w.]+)'")


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """Kill the snippet and everything it started (its own session/process group)."""
    if os.name == "nt":
        proc.kill()
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


def run_snippet(code: str, executable: str = sys.executable, timeout: float = TIMEOUT_S) -> RunResult:
    """Run `code` with `executable -c` in an empty temporary directory and a minimal environment."""
    with tempfile.TemporaryDirectory(prefix="kbdeck-run-") as tmp_name:
        tmp = Path(tmp_name)
        for sub in ("home", "tmp", "work"):
            (tmp / sub).mkdir()
        try:
            proc = subprocess.Popen(
                [executable, "-c", code],
                cwd=tmp / "work",
                env=snippet_env(tmp),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
            )
        except (OSError, ValueError) as exc:  # no interpreter; a NUL in the code
            return RunResult(False, "", f"could not start {executable} ({exc})")
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            proc.communicate()
            return RunResult(
                False, "", f"timed out after {timeout:.0f} s", "a snippet must finish quickly and print its output"
            )
        finally:
            _kill_group(proc)  # what it left running in the background dies with it
    stderr = err.decode("utf-8", "replace")
    if proc.returncode != 0:
        tail = "\n".join(stderr.strip().splitlines()[-3:])
        missing = _MISSING_MODULE.search(stderr)
        if missing:
            return RunResult(
                False,
                "",
                f"exit code {proc.returncode}: the snippet imports `{missing[1]}`, which {executable} cannot find",
                f"install the knowledge base's example packages for that interpreter "
                f"(in kbdeck's own repository: `{EXAMPLES_INSTALL}`), then run again",
            )
        return RunResult(
            False, "", f"exit code {proc.returncode}: {tail}", "the snippet must run alone with `python -c` and exit 0"
        )
    if len(out) > MAX_OUTPUT:
        return RunResult(False, "", f"printed {len(out):,} bytes", f"print at most {MAX_OUTPUT:,} bytes")
    try:
        stdout = out.decode("utf-8")
    except UnicodeDecodeError as exc:
        return RunResult(False, "", f"printed bytes that are not UTF-8 ({exc.reason} at byte {exc.start})")
    bad = BAD_CHARS.search(stdout)
    if bad is not None:  # the output becomes a field: U+001F there would split the note in Anki
        line = stdout.count("\n", 0, bad.start()) + 1
        return RunResult(
            False,
            "",
            f"printed {describe_char(bad.group())} (line {line} of its output), which no card may hold",
            "print plain text: no terminal colours or control characters (tab and newline are fine)",
        )
    return RunResult(True, stdout, ran=True)


def drift_diff(recorded: str, actual: str, card_id: str) -> str:
    """A unified diff of a recorded output against what the snippet prints now."""
    import difflib  # only when an output drifted

    lines = difflib.unified_diff(
        recorded.splitlines(), actual.splitlines(), f"{card_id} (recorded)", f"{card_id} (now)", lineterm=""
    )
    return "\n".join(lines)


class OutputRunner:
    """Answers output cards from the record, running snippets only as `policy` allows."""

    def __init__(self, record: Record, python: str, policy: Policy = Policy.RECORDED, *, verify: bool = False) -> None:
        self.record = record
        self.python = python
        """The declared Python minor version: part of every key."""
        self.policy = policy
        self.verify = verify
        """A check of the record (`check --execute`): a drifted output is an error, not an update."""
        self.executable, self.ran_under = (sys.executable, python) if policy is Policy.RECORDED else interpreter(python)
        self.ran = 0
        """Snippets executed by this run."""
        self._used: dict[str, tuple[str, list[str]]] = {}

    @property
    def foreign(self) -> bool:
        """Whether snippets run under another Python than the declared one."""
        return self.ran_under != self.python

    def run_all(self, cards: Sequence[tuple[str, str]]) -> dict[str, RunResult]:
        """`{card id: result}` for `(card id, code)` pairs."""
        keys = {card_id: record_key(self.python, code) for card_id, code in cards}
        codes = {keys[card_id]: code for card_id, code in cards}
        to_run = sorted(
            k
            for k in codes
            if self.policy is Policy.ALL or (self.policy is Policy.MISSING and k not in self.record.outputs)
        )
        fresh: dict[str, RunResult] = {}
        if to_run:
            from concurrent.futures import ThreadPoolExecutor  # only when snippets must run

            with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
                results = pool.map(lambda k: run_snippet(codes[k], self.executable), to_run)
                fresh = dict(zip(to_run, results, strict=True))
            self.ran += len(to_run)
        out: dict[str, RunResult] = {}
        for card_id, _ in cards:
            key = keys[card_id]
            entry = self.record.outputs.get(key)
            recorded = entry["stdout"] if entry is not None else None
            assert recorded is None or isinstance(recorded, str)
            result = fresh.get(key)
            if result is None:
                result = (
                    RunResult(True, recorded, recorded=recorded)
                    if recorded is not None
                    else RunResult(
                        False,
                        "",
                        "no recorded output for this code",
                        "run `kbdeck build --execute` if you trust this code (it runs on your machine), "
                        "or `kbdeck trust` to let this knowledge base run new snippets when it builds",
                    )
                )
            elif result.ok:
                result = RunResult(True, result.stdout, ran=True, recorded=recorded)
            out[card_id] = result
            if result.ok:
                # under another Python than the declared one, the record (which describes the declared
                # one) wins; the caller warns about the difference
                kept = recorded if (self.foreign and recorded is not None) else result.stdout
                self._used.setdefault(key, (kept, []))[1].append(card_id)
        return out

    def shown(self, result: RunResult) -> str:
        """The output a card shows for `result` (the record's, when running under another Python)."""
        if self.foreign and result.recorded is not None:
            return result.recorded
        return result.stdout

    def updated_record(self) -> Record:
        """The record for exactly the snippets of this run (removed cards' outputs are dropped)."""
        return Record(
            self.python,
            {key: {"cards": sorted(ids), "stdout": stdout} for key, (stdout, ids) in self._used.items()},
        )


def runner_for(
    content: Path,
    kb_id: str,
    declared: str,
    problems: Problems,
    *,
    policy: Policy | None = None,
    verify: bool = False,
) -> OutputRunner | None:
    """The runner for a knowledge base: its record, and what the user allowed (`policy`, from the
    command line; else a trusted knowledge base runs what has no record, and any other runs nothing).
    None when the record is damaged (a problem at its path says how to recover)."""
    from ..support.trust import is_trusted
    from .load import shown_path

    python = declared or current_python()
    path = record_path(content)
    try:
        record = read_record(path, python)
    except RecordError as exc:
        problems.error(
            Span(shown_path(path), *exc.at),
            "bad-output-record",
            f"the output record {exc}",
            (
                "resolve the conflict keeping the entries of both sides (each output has its own key), or "
                if exc.conflict
                else ""
            )
            + "restore it from version control (`git checkout -- <file>`), or delete it and run "
            "`kbdeck build --execute` to record every output card again",
        )
        return None
    if record.python != python:  # the declared version changed: every key changes with it
        record = Record(python)
    if policy is None:
        policy = Policy.MISSING if is_trusted(content, kb_id) else Policy.RECORDED
    return OutputRunner(record, python, policy, verify=verify)

"""The CLI: every command and flag documented in the README; stats, ids and watch behave."""

from __future__ import annotations

import argparse
import json
import re
import threading
import time
from pathlib import Path

import pytest
from kbtest import ROOT, make_content

from kbdeck.cli import build_parser, main
from kbdeck.watch import watch


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_every_command_and_flag_is_documented() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, sub in subcommands().items():
        heading = re.search(rf"^### `kbdeck {name}(?: [^`]*)?`$", readme, re.M)
        assert heading, f"README has no `### kbdeck {name} ...` section"
        for action in sub._actions:
            for flag in action.option_strings:
                if flag not in ("-h", "--help"):
                    assert flag in heading.group(0), f"{flag} of `kbdeck {name}` is not in its README heading"


def test_stats_json_and_readme_block(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_content(
        tmp_path,
        {"README.md": "# Guia\n\n<!-- kbdeck:progresso:start -->\nvelho\n<!-- kbdeck:progresso:end -->\nfim\n"},
    )
    assert main(["stats", "--content", str(root), "--format", "json", "--write-readme"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["flashcards"] == {"have": 5, "target": 5}
    assert data["days"] == [
        {"id": "dia-1", "week": "semana-1", "title": "Fundamentos", "topics": 2, "flashcards": 5, "target": 4}
    ]
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert "velho" not in readme and "| Flashcards | 5 | 5 | ✅ |" in readme and readme.endswith("fim\n")


def test_stats_write_readme_without_markers_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_content(tmp_path, {"README.md": "# Guia\n"})
    assert main(["stats", "--content", str(root), "--write-readme"]) == 2
    assert "kbdeck:progresso:start" in capsys.readouterr().err


def test_ids_fills_only_missing_ids_and_keeps_layout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_content(
        tmp_path,
        {
            "flashcards/lang/listas.md": (
                "# Listas\n\nQ: O que `xs[::-1]` devolve?\nA: Uma cópia invertida.\nSee: fatiamento\n\n"
                "ID: listas-fatia\nQ: E `xs[1:]`?\nA: Tudo menos o primeiro.\nSee: fatiamento\n"
            ),
        },
    )
    gil = root / "flashcards/lang/gil.yaml"
    gil.write_text(
        gil.read_text(encoding="utf-8")
        + "\n# sem id\n- q: Quando threads ajudam?\n  a: Em I/O.\n  see: por-que-existe\n",
        encoding="utf-8",
    )
    before = gil.read_text(encoding="utf-8")
    assert main(["ids", "--content", str(root)]) == 0
    assert "2 ids written" in capsys.readouterr().out
    after = gil.read_text(encoding="utf-8")
    assert after.replace("- id: gil-quando-threads-ajudam\n  q: Quando", "- q: Quando") == before
    listas = (root / "flashcards/lang/listas.md").read_text(encoding="utf-8")
    assert listas.startswith("# Listas\n\nID: listas-o-que-devolve\nQ: O que")
    assert main(["check", "--content", str(root), "--strict"]) == 0
    assert main(["ids", "--content", str(root)]) == 0
    assert "every card already has an id" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("events", "interval"), [(True, 0.05), (False, 0.05), (False, None)], ids=["events", "polling", "paced-polling"]
)
def test_watch_rebuilds_after_an_edit(sample: Path, tmp_path: Path, events: bool, interval: float | None) -> None:
    lines: list[str] = []
    out = tmp_path / "out"
    thread = threading.Thread(target=watch, args=(sample, out, interval, lines.append, 3.0, None, events), daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not (out / "Sample KB.apkg").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    cards = sample / "flashcards/lang/gil.yaml"
    cards.write_text(
        cards.read_text(encoding="utf-8").replace("Pergunta", "Questão").replace("protege?", "protege hoje?"),
        encoding="utf-8",
    )
    thread.join(timeout=30)
    text = "\n".join(lines)
    assert "~ " in text and "gil.yaml" in text
    assert "1 changed" in text


@pytest.mark.parametrize(
    ("events", "interval"), [(True, 0.3), (False, 0.3), (False, None)], ids=["events", "polling", "paced-polling"]
)
def test_watch_builds_only_once_the_files_stopped_changing(
    sample: Path, tmp_path: Path, events: bool, interval: float | None
) -> None:
    """A save in several writes (a card file empty for a moment) must never be built half-way: the
    missing cards would be reported removed and, once back, cost their notes' tags (issue 19).
    `gap` between the writes is a third of the quiet time (`QUIET`) the watcher waits for, and half
    the fastest paced poll."""
    gap = 0.05
    lines: list[str] = []
    out = tmp_path / "out"
    thread = threading.Thread(target=watch, args=(sample, out, interval, lines.append, 4.0, None, events), daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not (out / "Sample KB.apkg").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    cards = sample / "flashcards/lang/gil.yaml"
    whole = cards.read_text(encoding="utf-8").replace("protege?", "protege hoje?")
    for cut in (0, len(whole) // 3, 2 * len(whole) // 3):  # an editor writing the file in pieces
        cards.write_text(whole[:cut], encoding="utf-8")
        time.sleep(gap)
    cards.write_text(whole, encoding="utf-8")
    thread.join(timeout=30)
    text = "\n".join(lines)
    assert "removed" in text and " 0 removed" in text and "WARNING" not in text and "error" not in text
    assert text.count("first build: 5 new notes") == 1 and text.count("since the last build") == 1  # and one rebuild
    assert "1 changed" in text


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("\ufeff- q: Com BOM?\n  a: Sim.\n  see: por-que-existe\n", True),
        ("- q: Com CRLF?\r\n  a: Sim.\r\n  see: por-que-existe\r\n", True),
        ("- &base\n  q: Com âncora?\n  a: Sim.\n  see: por-que-existe\n", False),
        ("- !!map\n  q: Com tag?\n  a: Sim.\n  see: por-que-existe\n", False),
        ("- {q: Fluxo?, a: Sim., see: por-que-existe}\n", False),
    ],
    ids=["bom", "crlf", "anchor", "tag", "flow"],
)
def test_ids_never_corrupts_a_file(
    tmp_path: Path, text: str, written: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 19, item 10: files with a BOM, YAML anchors or tags came out broken."""
    root = make_content(tmp_path, {"lang/novo.md": "---\ntitle: Novo\n---\n\n## Por que existe\n\nx\n"})
    path = root / "flashcards/lang/novo.yaml"
    path.write_bytes(text.encode("utf-8"))
    code = main(["ids", "--content", str(root)])
    out = capsys.readouterr().out
    after = path.read_bytes().decode("utf-8")
    if written:
        assert code == 0 and "id novo-" in out
        assert after.startswith("\ufeff") == text.startswith("\ufeff")
        if "\r\n" in text:  # every line keeps the file's own line ending, the inserted one too
            assert after.count("\n") == after.count("\r\n") == text.count("\r\n") + 1
        else:
            assert "\r" not in after
        assert main(["check", "--content", str(root)]) in (0, 1)
        assert "missing-id" not in capsys.readouterr().err
    else:
        assert code == 1 and "not written: add `id:` to this card by hand" in out
        assert after == text  # untouched


def test_paced_polling_looks_as_often_as_it_can_afford() -> None:
    from kbdeck.watch import POLL_FASTEST, POLL_SLOWEST, poll_interval

    assert poll_interval(0.0005) == POLL_FASTEST == 0.1  # a small knowledge base: every 0.1 s
    assert poll_interval(0.004) == pytest.approx(0.16)  # 2.5 % of a core
    assert poll_interval(0.028) == POLL_SLOWEST == 0.3  # 30,000 cards: as before


def test_a_missing_content_folder_gets_the_command_that_would_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`kbdeck init my-kb`, then `kbdeck build` inside it or beside it: the default `content` is not there,
    and the hint names the folder that is (quoted for the shell), or says how to start one."""
    (tmp_path / "my kb").mkdir()
    (tmp_path / "my kb" / "roadmap.yaml").write_text("id: x\n", encoding="utf-8")
    (tmp_path / "not-a-kb").mkdir()
    monkeypatch.chdir(tmp_path)
    assert main(["build"]) == 2
    err = capsys.readouterr().err
    assert "content directory `content` not found" in err
    assert "hint: a folder here with a roadmap.yaml: `kbdeck build --content 'my kb'`" in err and "not-a-kb" not in err
    monkeypatch.chdir(tmp_path / "my kb")
    assert main(["check"]) == 2
    assert "`kbdeck check --content .`" in capsys.readouterr().err
    for name in ("b", "c", "d", "e"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "roadmap.yaml").write_text("id: x\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["build"]) == 2
    err = capsys.readouterr().err
    assert "--content b` or `kbdeck build --content c` or `kbdeck build --content d` (2 more)" in err
    monkeypatch.chdir(tmp_path / "not-a-kb")
    assert main(["watch"]) == 2
    assert "`--content DIR` (`kbdeck init DIR` starts one)" in capsys.readouterr().err


def test_ids_writes_the_other_cards_of_a_file_with_one_it_cannot_edit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One flow-style card used to leave every card of its file without an id, each "not written: its
    layout is not one kbdeck edits"; and the line printed for an id was the one before the ids above it
    were inserted."""
    root = make_content(tmp_path, {"lang/novo.md": "---\ntitle: Novo\n---\n\n## Por que existe\n\nx\n"})
    path = root / "flashcards/lang/novo.yaml"
    text = (
        "# cards\n- q: Um?\n  a: Sim.\n  see: por-que-existe\n\n- {q: Fluxo?, a: Sim., see: por-que-existe}\n\n"
        "-   q: |\n      Recuado?\n    a: Sim.\n    see: por-que-existe\n- # comentário primeiro\n  q: Três?\n"
        "  a: Sim.\n  see: por-que-existe\n"
    )
    path.write_text(text, encoding="utf-8")
    assert main(["ids", "--content", str(root)]) == 1  # one card is left to the author
    out = capsys.readouterr().out
    lines = path.read_text(encoding="utf-8").split("\n")
    printed = re.findall(r"novo\.yaml:(\d+): id (\S+)", out)
    assert [i for _, i in printed] == ["novo-um", "novo-recuado", "novo-tres"], out
    for line, card_id in printed:
        assert lines[int(line) - 1].strip(" -") == f"id: {card_id}", (line, lines)
    assert "novo.yaml:6:3: not written" in out and "a flow mapping" in out and "1 left to you" in out
    assert main(["check", "--content", str(root)]) == 1
    err = capsys.readouterr().err
    assert err.count("error[missing-id]") == 1 and "novo.yaml:7:" in err  # the flow card alone, one line down


def test_a_file_where_a_folder_goes_is_named_as_such(
    sample: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--out` or `--content` naming a file: said in those words (it read "File exists" or "not found")."""
    a_file = tmp_path / "notes.txt"
    a_file.write_text("x", encoding="utf-8")
    assert main(["build", "--content", str(sample), "--out", str(a_file)]) == 2
    assert f"output directory `{a_file}` is a file, not a folder" in capsys.readouterr().err
    assert main(["check", "--content", str(a_file)]) == 2
    assert f"content directory `{a_file}` is a file, not a folder" in capsys.readouterr().err
    assert a_file.read_text(encoding="utf-8") == "x"


def test_ids_leaves_a_file_whole_when_its_edit_would_not_read_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The guard no real layout reaches today (kbdeck's insertions read back): forced here, the file stays
    byte for byte, each card it would have edited is listed with that reason, the flow card with its own."""
    import kbdeck.content.ids as ids

    root = make_content(tmp_path, {"lang/novo.md": "---\ntitle: Novo\n---\n\n## Por que existe\n\nx\n"})
    path = root / "flashcards/lang/novo.yaml"
    text = "- q: Um?\n  a: Sim.\n  see: por-que-existe\n- {q: Fluxo?, a: Sim., see: por-que-existe}\n"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setattr(ids, "_reads_back", lambda *args: False)
    assert main(["ids", "--content", str(root)]) == 1
    out = capsys.readouterr().out
    assert path.read_text(encoding="utf-8") == text
    assert f"novo.yaml:1:3: not written: add `id:` to this card by hand ({ids.READ_BACK})" in out
    assert f"novo.yaml:4:3: not written: add `id:` to this card by hand ({ids.LAYOUT})" in out
    assert "0 ids written, 2 left to you" in out


def test_a_deleted_working_folder_is_named_and_absolute_paths_still_work(tmp_path: Path) -> None:
    """A terminal left in a folder that was deleted (re-cloned, `git clean`): every command said only
    "No such file or directory; nothing half-written was left behind", even with absolute paths."""
    import subprocess
    import sys

    content = make_content(tmp_path, {})
    gone = tmp_path / "gone"
    gone.mkdir()
    # the installed command, as a user runs it (`python -c` would also put the deleted folder on sys.path,
    # where CPython 3.13.0 then fails to import `socket` with a SystemError of its own)
    kbdeck = str(Path(sys.executable).parent / "kbdeck")

    def in_gone(args: str) -> subprocess.CompletedProcess[str]:
        script = f"cd {gone} && rmdir {gone} && {kbdeck} {args}"
        return subprocess.run(["sh", "-c", script], capture_output=True, text=True, timeout=120)

    built = in_gone(f"build --content {content} --out {tmp_path / 'out'}")
    assert built.returncode == 0, built.stderr
    assert list((tmp_path / "out").glob("*.apkg"))
    for args, relative in (
        ("check", "--content (`content` is relative)"),
        ("init", "the folder (`content` is relative)"),
    ):
        gone.mkdir()
        refused = in_gone(args)
        assert refused.returncode == 2
        assert refused.stderr.splitlines() == [
            "kbdeck: the current folder no longer exists (it was deleted or moved)",
            "  = hint: `cd` to a folder that exists (the same path again, if it was made anew), or give absolute "
            f"paths: {relative}",
        ]


@pytest.mark.parametrize("events", [True, False], ids=["events", "polling"])
def test_watch_says_when_the_content_folder_is_gone_and_builds_when_it_is_back(
    sample: Path, tmp_path: Path, events: bool
) -> None:
    """A branch switch or a re-clone moves the folder away for a moment: it said only "No such file or
    directory (…); will retry on the next change"."""
    import shutil

    lines: list[str] = []
    out = tmp_path / "out"
    thread = threading.Thread(target=watch, args=(sample, out, 0.2, lines.append, 6.0, None, events), daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not any("watching" in line for line in lines) and time.monotonic() < deadline:
        time.sleep(0.05)
    aside = tmp_path / "aside"
    sample.rename(aside)
    while not any("is gone" in line for line in lines) and time.monotonic() < deadline:
        time.sleep(0.05)
    shutil.move(str(aside), str(sample))
    thread.join(timeout=30)
    gone = [line for line in lines if "is gone" in line]
    assert (
        gone
        and gone[0].startswith("kbdeck: the content folder ")
        and gone[0].endswith("is gone; the build resumes when it is back")
    )
    after = lines[lines.index(gone[0]) + 1 :]
    assert any("since the last build: 0 new, 0 changed" in line for line in after), lines
    assert not any("No such file" in line for line in lines), lines


@pytest.mark.parametrize(
    ("name", "hint"),
    [("EROFS", "make"), ("ENOSPC", "free some space on the disk of")],  # a read-only checkout or volume; a full disk
)
def test_a_folder_the_build_cannot_write_is_named_with_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], name: str, hint: str
) -> None:
    """A read-only content folder said "Read-only file system (…/..kbdeck-ledger.json-1740a1175970.tmp)":
    the temporary file's name, and no word of why kbdeck writes there. The file meant is named, with a hint.
    (The disk is made read-only or full where kbdeck opens its file beside the ledger: as root, no folder
    refuses a write.)"""
    import errno
    import os

    from kbdeck.support import files

    code = getattr(errno, name)
    content = make_content(tmp_path, {})
    real_open = os.open

    def refusing(path: str, *args: object, **kwargs: object) -> int:
        if Path(path).parent == content:
            raise OSError(code, os.strerror(code), path)
        return real_open(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(files.os, "open", refusing)
    assert main(["build", "--content", str(content), "--out", str(tmp_path / "out")]) == 2
    lines = capsys.readouterr().err.splitlines()
    ledger = content / ".kbdeck-ledger.json"
    assert lines[0] == f"kbdeck: {os.strerror(code)} ({ledger}); nothing half-written was left behind"
    assert lines[1].startswith(f"  = hint: {hint} `{content}`"), lines
    assert not ledger.exists() and not list(content.glob(".*.tmp"))


WORKER_SCRIPT = """
import sys, time
from pathlib import Path
import kbdeck.render.fragments, kbdeck.render.workers
from kbdeck.cli import run

mode, started = sys.argv[1], Path(sys.argv[2])
render_job, drain = kbdeck.render.workers.render_job, kbdeck.render.fragments.Fragments._drain

def busy(renderer, job):  # in a worker: say it is rendering, then take long enough to be interrupted there
    started.touch()
    time.sleep(0.2)
    return render_job(renderer, job)

def idle(self):  # in the build: every fragment is back, the workers wait for more, the build goes on
    drain(self)
    started.touch()
    time.sleep(30)

if mode == "busy":
    kbdeck.render.workers.render_job = busy
else:
    kbdeck.render.fragments.Fragments._drain = idle
kbdeck.render.workers.usable_cpus = lambda: 2  # a cold build with workers, even on one core
kbdeck.render.fragments.PARALLEL_MIN = 1
sys.argv[1:] = ["build", "--content", sys.argv[3], "--out", sys.argv[4]]
run()
"""


@pytest.mark.parametrize("mode", ["busy", "idle"])
def test_ctrl_c_during_a_cold_build_stops_every_process_quietly(tmp_path: Path, mode: str) -> None:
    """Ctrl-C in a terminal interrupts the whole process group: each render worker waiting for work died
    printing its own traceback, and the build said nothing. Now the workers leave it to the build, which
    says so and exits 130 with no process left, whether the workers were rendering or waiting; the next
    build works."""
    import os
    import signal
    import subprocess
    import sys

    content, out, started = make_content(tmp_path, {}), tmp_path / "out", tmp_path / "started"
    proc = subprocess.Popen(
        [sys.executable, "-c", WORKER_SCRIPT, mode, str(started), str(content), str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground command
    )
    deadline = time.monotonic() + 60
    while not started.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert started.exists(), proc.communicate()
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert err.strip() == "kbdeck: interrupted; nothing half-written was left behind"
    for _ in range(100):  # the workers are gone with it
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        pytest.fail("a worker outlived the interrupted build")
    assert main(["build", "--content", str(content), "--out", str(out)]) == 0


@pytest.mark.parametrize("command", [["docs"], ["stats", "--format", "json"], ["check", "--format", "json"]])
def test_a_reader_that_stops_reading_ends_the_command_quietly(sample: Path, command: list[str]) -> None:
    """`kbdeck docs | head` printed a BrokenPipeError traceback (docs and init were outside the handler),
    and other commands "kbdeck: Broken pipe; nothing half-written…". Now: exit 141 (128 + SIGPIPE, as a
    command killed by it), nothing on stderr."""
    import os
    import subprocess
    import sys

    read, write = os.pipe()
    os.close(read)  # the reader is gone before the first write: every write fails, deterministically
    args = [*command, "--content", str(sample)] if command != ["docs"] else command
    try:
        proc = subprocess.run(
            [sys.executable, "-c", "from kbdeck.cli import run; run()", *args],
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    finally:
        os.close(write)
    assert (proc.returncode, proc.stderr) == (141, "")


def test_an_output_that_cannot_hold_every_character_gets_a_question_mark(sample: Path, tmp_path: Path) -> None:
    """Redirected on Windows (`kbdeck build > build.log`) Python writes cp1252, which has no `→`: the summary
    of a build that had already written its package ended in a UnicodeEncodeError traceback, exit 1."""
    import os
    import subprocess
    import sys

    proc = subprocess.run(
        [str(Path(sys.executable).parent / "kbdeck"), "build", "--content", str(sample), "--out", str(tmp_path)],
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": "cp1252"},
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr.decode("cp1252", "replace")
    assert b"Traceback" not in proc.stderr
    assert b"kbdeck: Sample KB ? " in proc.stdout  # `→`, which cp1252 cannot hold


@pytest.mark.parametrize("interval", ["-1", "0", "nan", "inf", "1e9", "soon"])
def test_a_watch_interval_that_is_no_time_to_wait_is_refused(
    interval: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--interval -1` was a ValueError traceback at the first poll; 0 and nan a loop that never sleeps. (A
    folder that does not exist: were the interval taken, the command stops there instead of watching.)"""
    with pytest.raises(SystemExit) as exited:
        main(["watch", "--content", str(tmp_path / "none"), "--out", str(tmp_path / "out"), "--interval", interval])
    assert exited.value.code == 2
    assert f"argument --interval: {interval!r} is not a number of seconds above 0" in capsys.readouterr().err

"""The hardening pass, availability items (issue 19, 7–9): hostile input costs bounded time and gives
problems, never a traceback; the environment's failures are exit 2 with a message; builds are
serialised, atomic, and leave no process behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kbtest import FIXTURES, make_content

from kbdeck.build import apkg_name, build
from kbdeck.cli import main

SEEDS = {
    "flashcards/lang/gil.yaml": (FIXTURES / "kb/flashcards/lang/gil.yaml").read_bytes(),
    "roadmap.yaml": (FIXTURES / "kb/roadmap.yaml").read_bytes(),
    "lang/gil.md": (FIXTURES / "kb/lang/gil.md").read_bytes(),
    "flashcards/lang/listas.md": (FIXTURES / "kb/flashcards/lang/listas.md").read_bytes(),
}
NASTY = [b"\x00", b"\x1f", b"\xff", b"\xed\xa0\x80", b"&a ", b"*a", b"{{c9999999999999999::", b"\t", b"\r", b"9" * 5000]


def mutate(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    for pos, cut, insert in edits:
        at = pos % (len(data) + 1)
        data = data[:at] + insert + data[at + cut :]
    return data


edit = st.tuples(st.integers(0, 10_000), st.integers(0, 8), st.one_of(st.sampled_from(NASTY), st.binary(max_size=12)))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(sorted(SEEDS)), st.lists(edit, min_size=1, max_size=6), st.binary(max_size=200))
def test_any_bytes_in_any_content_file_give_problems_never_a_traceback(
    tmp_path_factory: pytest.TempPathFactory, target: str, edits: list[tuple[int, int, bytes]], noise: bytes
) -> None:
    base = tmp_path_factory.mktemp("fuzz")
    content = make_content(base, {})
    data = mutate(SEEDS[target], edits) if noise[:1] != b"!" else noise
    (content / target).write_bytes(data)
    started = time.perf_counter()
    code = main(["build", "--content", str(content), "--out", str(base / "out")])
    assert code in (0, 1)
    assert time.perf_counter() - started < 10, "one hostile file must not cost more than a few seconds"


@pytest.mark.parametrize(
    "text",
    [
        "- &s [*s]\n",  # refers to itself: looped for ever
        # 350 bytes of nested aliases ("billion laughs"): took 34 s and 2.5 GB
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
        + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8)),
    ],
    ids=["self-reference", "alias-bomb"],
)
def test_yaml_aliases_are_refused_in_bounded_time(
    tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    content = make_content(tmp_path, {"flashcards/lang/gil.yaml": text})
    started = time.perf_counter()
    assert main(["check", "--content", str(content)]) == 1
    assert time.perf_counter() - started < 5
    err = capsys.readouterr().err
    assert "error[yaml-alias]" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("edit", "code"),
    [
        (
            (
                "flashcards/lang/gil.yaml",
                "- id: gil-output\n",
                '- id: gil-big\n  cloze: "{{c99999999999999999999::x}}"\n  see: por-que-existe\n\n- id: gil-output\n',
            ),
            "malformed-cloze",
        ),
        (("roadmap.yaml", "flashcards: 5,", f"flashcards: {'9' * 5000},"), "wrong-type"),
        (("roadmap.yaml", "deck: Sample KB", 'deck: "Sample\\0KB"'), "control-character"),
        (
            (
                "flashcards/lang/gil.yaml",
                "q: O que o **GIL** protege?",
                "q: |\n    ```python\n    x = " + "-" * 100_000 + "1\n    ```\n  a: x",
            ),
            "python-syntax",
        ),
    ],
    ids=["huge-cloze-number", "5000-digit-int", "nul-in-deck-name", "deep-expression"],
)
def test_inputs_that_crashed_are_problems(
    tmp_path: Path, edit: tuple[str, str, str], code: str, capsys: pytest.CaptureFixture[str]
) -> None:
    content = make_content(tmp_path, {})
    path, old, new = edit
    text = (content / path).read_text(encoding="utf-8")
    assert old in text
    (content / path).write_text(text.replace(old, new, 1), encoding="utf-8")
    assert main(["build", "--content", str(content), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert f"error[{code}]" in err and "Traceback" not in err


def test_a_very_long_deck_name_still_gives_a_package(tmp_path: Path) -> None:
    content = make_content(tmp_path, {})
    roadmap = content / "roadmap.yaml"
    roadmap.write_text(
        roadmap.read_text(encoding="utf-8").replace("deck: Sample KB", "deck: " + "Ç" * 300), encoding="utf-8"
    )
    result = build(content, tmp_path / "out")
    assert result.apkg is not None and len(result.apkg.name.encode()) <= 130
    assert apkg_name("Ç" * 300) != apkg_name("Ç" * 299 + "D")


def test_an_environment_failure_is_exit_2_with_a_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content = make_content(tmp_path, {})
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    assert main(["build", "--content", str(content), "--out", str(blocker / "out")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("kbdeck: ") and "a-file" in err and "Traceback" not in err


def _kbdeck(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", "from kbdeck.cli import run; run()", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_concurrent_builds_are_serialised_and_the_package_is_whole(tmp_path: Path) -> None:
    content = make_content(tmp_path, {})
    out = tmp_path / "out"
    procs = [_kbdeck("build", "--content", str(content), "--out", str(out)) for _ in range(4)]
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], results
    with zipfile.ZipFile(out / "Sample KB.apkg") as zf:
        assert zf.testzip() is None and "collection.anki2" in zf.namelist()
    leftovers = [p.name for p in out.iterdir() if p.name.endswith(".tmp")]
    leftovers += [p.name for p in content.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads children from /proc (Linux)")
def test_a_killed_cold_build_leaves_no_worker_behind(tmp_path: Path) -> None:
    content = make_content(tmp_path, {})
    for i in range(400):  # enough to keep the workers busy for a moment
        (content / f"flashcards/lang/extra{i}.yaml").write_text(
            f"- id: extra-{i}\n  q: pergunta {i}\n  a: |\n    ```python\n    x = {i}\n    ```\n  see: por-que-existe\n",
            encoding="utf-8",
        )
        (content / f"lang/extra{i}.md").write_text(
            f"---\ntitle: Extra {i}\n---\n\n## Por que existe\n\nx\n", encoding="utf-8"
        )
    proc = _kbdeck("build", "--content", str(content), "--out", str(tmp_path / "out"))
    children: set[int] = set()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not children:
        children = {int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit() and _ppid(int(p.name)) == proc.pid}
        time.sleep(0.02)
    if not children:
        proc.wait(timeout=60)
        pytest.fail("the cold build forked no render worker to observe")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(pid) for pid in children):
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in children), "render workers outlived their killed build"


def _ppid(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return -1


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1][0]
    except (OSError, IndexError):
        return False
    return state != "Z"

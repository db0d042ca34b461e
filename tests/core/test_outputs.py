"""Recorded outputs and the execution policy (issue 15): a build runs nobody's code unless asked.

Every test here works on real files and real subprocesses. The "canary" snippets write a file at an
absolute path outside their temporary directory: where that file appears, the code ran.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest
from kbtest import make_content

from kbdeck.build import build, summary
from kbdeck.cli import main
from kbdeck.content.outputs import RECORD_NAME, Policy, record_key, run_snippet
from kbdeck.watch import watch


def output_card(code: str, card_id: str) -> dict[str, str]:
    """An output card in a topic of its own (`lang/canario`)."""
    body = "\n".join(f"                {line}" for line in code.splitlines())
    return {
        "flashcards/lang/canario.yaml": f"""
        - id: {card_id}
          code: |
{body}
          see: por-que-existe
        """,
        "lang/canario.md": "---\ntitle: Canário\n---\n\n## Por que existe\n\nTexto.\n",
    }


def canary_card(marker: Path, card_id: str = "gil-canario") -> dict[str, str]:
    """A card whose code leaves `marker` behind when it runs."""
    return output_card(
        f"open({str(marker)!r}, 'w').write('ran'); print('escrevi fora do diretório temporário')", card_id
    )


def record_of(content: Path) -> dict[str, dict[str, object]]:
    data = json.loads((content / RECORD_NAME).read_text(encoding="utf-8"))
    outputs: dict[str, dict[str, object]] = data["outputs"]
    return outputs


def test_a_recorded_knowledge_base_builds_without_running_anything(tmp_path: Path) -> None:
    """The record answers every output card: even code whose packages are not installed builds."""
    code = "import pacote_que_nao_existe_aqui\nprint(pacote_que_nao_existe_aqui.versao())"
    content = make_content(tmp_path, output_card(code, "gil-precisa-de-pacote"))
    record = json.loads((content / RECORD_NAME).read_text(encoding="utf-8"))
    record["outputs"][record_key("3.11", code)] = {"cards": ["gil-precisa-de-pacote"], "stdout": "versão 1.0\n"}
    (content / RECORD_NAME).write_text(json.dumps(record), encoding="utf-8")
    result = build(content, tmp_path / "out")
    assert result.apkg is not None, result.problems.render_text()
    assert result.ran == 0 and "ran " not in summary(result)
    back = next(n.fields[2] for n in result.notes if n.card_id == "gil-precisa-de-pacote")
    assert "versão 1.0" in back


def test_the_record_and_a_full_execution_give_the_same_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    recorded = make_content(tmp_path / "a", {})
    executed = make_content(tmp_path / "b", {})
    (executed / RECORD_NAME).unlink()
    a = build(recorded, tmp_path / "out-a")
    b = build(executed, tmp_path / "out-b", execute=Policy.ALL)
    assert a.apkg and b.apkg and a.ran == 0 and b.ran == 2
    assert a.apkg.read_bytes() == b.apkg.read_bytes()
    assert (recorded / RECORD_NAME).read_bytes() == (executed / RECORD_NAME).read_bytes()


@pytest.mark.parametrize("command", ["check", "build", "build --dry-run", "watch"])
def test_an_unrecorded_snippet_never_runs_without_consent(
    tmp_path: Path, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    marker = tmp_path / "pwned"
    content = make_content(tmp_path, canary_card(marker))
    out = tmp_path / "out"
    if command == "watch":
        lines: list[str] = []
        watch(content, out, 0.01, echo=lines.append, max_seconds=0.05)
        text = "\n".join(lines)
    else:
        code = main([*command.split(), "--content", str(content), *(["--out", str(out)] if "build" in command else [])])
        assert code == 1
        text = capsys.readouterr().err
    assert not marker.exists(), "the snippet ran without the user's consent"
    assert (
        "canario.yaml:2:" in text
        and "error[output-unrecorded]: output card `gil-canario` has no recorded output" in text
    )
    assert "kbdeck build --execute" in text and "kbdeck trust" in text
    assert not (out / "Sample KB.apkg").exists()


def test_execute_runs_the_new_card_once_and_records_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    marker = tmp_path / "ran"
    content = make_content(tmp_path, canary_card(marker))
    assert main(["build", "--content", str(content), "--out", str(tmp_path / "out"), "--execute"]) == 0
    assert marker.exists()
    assert "ran 3 output cards; recorded their output in .kbdeck-outputs.json" in capsys.readouterr().out
    assert any(v["cards"] == ["gil-canario"] for v in record_of(content).values())
    marker.unlink()
    assert main(["build", "--content", str(content), "--out", str(tmp_path / "out")]) == 0
    assert not marker.exists(), "a recorded snippet ran again"
    assert "ran " not in capsys.readouterr().out


def test_a_trusted_knowledge_base_runs_only_what_has_no_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    marker = tmp_path / "ran"
    content = make_content(tmp_path, canary_card(marker))
    assert main(["trust", "--content", str(content)]) == 0
    assert "now trusted" in capsys.readouterr().out
    trusted_file = Path(os.environ["XDG_CONFIG_HOME"]) / "kbdeck" / "trusted.json"
    assert str(content.resolve()) in trusted_file.read_text(encoding="utf-8")
    assert not list(content.rglob("trusted*")), "trust must live outside the knowledge base"
    result = build(content, tmp_path / "out")
    assert result.apkg is not None and result.ran == 1 and marker.exists()  # only the new card ran
    assert "ran 1 output card; recorded their output" in summary(result)
    assert main(["trust", "--list"]) == 0 and "sample-kb" in capsys.readouterr().out
    assert main(["trust", "--content", str(content), "--revoke"]) == 0
    assert "no longer trusted" in capsys.readouterr().out
    (content / "flashcards/lang/canario.yaml").write_text(
        (content / "flashcards/lang/canario.yaml").read_text(encoding="utf-8").replace("print('", "print('! "),
        encoding="utf-8",
    )
    marker.unlink()
    assert build(content, tmp_path / "out").apkg is None and not marker.exists()


def test_a_setting_inside_the_knowledge_base_cannot_grant_trust(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    content = make_content(tmp_path, canary_card(marker))
    roadmap = content / "roadmap.yaml"
    roadmap.write_text(roadmap.read_text(encoding="utf-8") + "trust: true\nexecute: true\n", encoding="utf-8")
    (content / ".config" / "kbdeck").mkdir(parents=True)
    (content / ".config" / "kbdeck" / "trusted.json").write_text(
        json.dumps({"trusted": [{"path": str(content.resolve()), "kb": "sample-kb"}]}), encoding="utf-8"
    )
    result = build(content, tmp_path / "out")
    assert result.apkg is None and not marker.exists()


def test_check_execute_passes_on_the_record_and_fails_with_a_diff_when_it_lies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = make_content(tmp_path, {})
    assert main(["check", "--content", str(content), "--execute"]) == 0
    assert "ran 2 output cards" in capsys.readouterr().out
    record = json.loads((content / RECORD_NAME).read_text(encoding="utf-8"))
    key = next(k for k, v in record["outputs"].items() if v["cards"] == ["gil-output"])
    record["outputs"][key]["stdout"] = "7\n"  # edited by hand: the code prints 6
    (content / RECORD_NAME).write_text(json.dumps(record), encoding="utf-8")
    assert main(["check", "--content", str(content)]) == 0  # without --execute the record is trusted
    capsys.readouterr()
    assert main(["check", "--content", str(content), "--execute"]) == 1
    err = capsys.readouterr().err
    assert "error[output-drift]: output card `gil-output`: the recorded output no longer matches" in err
    assert "--- gil-output (recorded)" in err and "-7" in err and "+6" in err
    assert "kbdeck build --execute" in err
    # build --execute records reality again; the check then passes
    assert main(["build", "--content", str(content), "--out", str(tmp_path / "out"), "--execute"]) == 0
    assert main(["check", "--content", str(content), "--execute"]) == 0


@pytest.mark.parametrize(
    "damage", ["<<<<<<< HEAD\n{}\n=======\n", "[" * 100_000 + "]" * 100_000], ids=["conflict", "deep"]
)
def test_a_damaged_record_is_an_error_never_a_silent_reset(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], damage: str
) -> None:
    content = make_content(tmp_path, {})
    (content / RECORD_NAME).write_text(damage, encoding="utf-8")
    assert main(["build", "--content", str(content), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    what = "has unresolved merge conflict markers" if damage.startswith("<") else "is not valid JSON"
    assert f"{RECORD_NAME}:1:1: error[bad-output-record]: the output record {what}" in err
    assert "git checkout" in err and "Traceback" not in err


def test_a_damaged_record_is_reported_where_the_damage_is(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A merge left its markers at line 3, or a hand edit a stray comma: the message pointed at line 1."""
    content = make_content(tmp_path, {})
    path = content / RECORD_NAME
    good = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join([*good[:2], "<<<<<<< HEAD\n", *good[2:]]), encoding="utf-8")
    assert main(["build", "--content", str(content), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert f"{RECORD_NAME}:3:1: error[bad-output-record]: the output record has unresolved merge conflict" in err
    assert "keeping the entries of both sides" in err
    path.write_text("".join([*good[:2], good[2].rstrip("\n") + ",,\n", *good[3:]]), encoding="utf-8")
    assert main(["build", "--content", str(content), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert f"{RECORD_NAME}:3:{len(good[2])}: error[bad-output-record]: the output record is not valid JSON" in err


def test_the_environment_a_snippet_sees(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KBDECK_TEST_SECRET", "hunter2")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "abc")
    code = (
        "import os, sys, json\n"
        "print(json.dumps({'env': sorted(os.environ), 'cwd': os.getcwd(), 'files': os.listdir('.'),"
        " 'home': os.environ['HOME'], 'stdin': sys.stdin.read(), 'hashseed': os.environ['PYTHONHASHSEED']}))"
    )
    result = run_snippet(code)
    assert result.ok, result.error
    seen = json.loads(result.stdout)
    assert "KBDECK_TEST_SECRET" not in seen["env"] and "AWS_SECRET_ACCESS_KEY" not in seen["env"]
    assert set(seen["env"]) <= {
        "PATH",
        "HOME",
        "TMPDIR",
        "LANG",
        "LC_ALL",
        "LC_CTYPE",
        "PYTHONHASHSEED",
        "PYTHONIOENCODING",
        "PYTHONUTF8",
        "PYTHONDONTWRITEBYTECODE",
        "PYTHONNOUSERSITE",
    }
    assert (
        seen["files"] == [] and "kbdeck-run-" in seen["cwd"] and seen["home"].startswith(str(Path(seen["cwd"]).parent))
    )
    assert seen["stdin"] == "" and seen["hashseed"] == "0"
    assert not Path(seen["cwd"]).exists(), "the temporary directory outlives the run"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead for our purpose
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (OSError, IndexError):
        return True


def _wait_dead(pid: int, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.05)
    return False


@pytest.mark.skipif(sys.platform == "win32", reason="process groups are POSIX")
@pytest.mark.parametrize("parent", ["hangs", "exits"])
def test_a_snippets_children_die_with_it(tmp_path: Path, parent: str) -> None:
    pidfile = tmp_path / "child.pid"
    code = (
        "import subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'],"
        " stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        f"open({str(pidfile)!r}, 'w').write(str(child.pid))\n" + ("time.sleep(120)\n" if parent == "hangs" else "")
    )
    started = time.monotonic()
    result = run_snippet(code, timeout=3)
    assert time.monotonic() - started < 20
    assert result.ok is (parent == "exits")
    if parent == "hangs":
        assert result.error == "timed out after 3 s"
    assert _wait_dead(int(pidfile.read_text())), "a process started by the snippet outlived it"


def test_a_missing_module_names_it_and_the_install_command() -> None:
    result = run_snippet("import kbdeck_no_such_module_xyz")
    assert not result.ok
    assert "`kbdeck_no_such_module_xyz`" in result.error
    assert "pip install -e '.[examples]'" in result.hint


def test_output_that_is_not_utf8_is_a_problem_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = make_content(tmp_path, output_card('import sys; sys.stdout.buffer.write(b"\\xff\\xfe")', "gil-bytes"))
    assert main(["check", "--content", str(content), "--execute"]) == 1
    err = capsys.readouterr().err
    assert "error[output-failed]: output card `gil-bytes` failed (printed bytes that are not UTF-8" in err
    assert "Traceback" not in err


def test_output_with_a_control_character_is_a_problem_not_a_broken_package(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """U+001F is Anki's field separator: printed by a snippet, it would split its note on import."""
    content = make_content(tmp_path, output_card('print("a\\x1fb")', "gil-separador"))
    assert main(["build", "--content", str(content), "--out", str(tmp_path / "out"), "--execute"]) == 1
    err = capsys.readouterr().err
    assert (
        "error[output-failed]: output card `gil-separador` failed (printed the control character U+001F "
        "(line 1 of its output), which no card may hold)"
    ) in err
    assert "no terminal colours" in err and "Traceback" not in err
    assert not list((tmp_path / "out").glob("*.apkg"))


@pytest.mark.parametrize("bad", ["\\udc80", "\\u001f"])
def test_a_record_holding_a_bad_character_is_an_error_not_a_traceback(
    tmp_path: Path, bad: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A lone surrogate (JSON `\\udc80`) in a hand-edited record crashed the build with a traceback."""
    content = make_content(tmp_path, {})
    path = content / RECORD_NAME
    data = json.loads(path.read_text(encoding="utf-8"))
    key = next(iter(data["outputs"]))
    text = json.dumps(data, ensure_ascii=True)
    path.write_text(text.replace(json.dumps(data["outputs"][key]["stdout"]), f'"6{bad}"', 1), encoding="utf-8")
    assert main(["build", "--content", str(content), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert f"error[bad-output-record]: the output record entry `{key}` holds " in err
    assert "in its `stdout`" in err and "Traceback" not in err


def test_the_declared_python_is_used_when_it_is_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "bin" / "python3.99"
    fake.parent.mkdir()
    fake.write_text(f"#!/bin/sh\nexec {sys.executable} -c 'print(\"python 3.99 ran this\")'\n", encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    content = make_content(tmp_path, {})
    roadmap = content / "roadmap.yaml"
    roadmap.write_text(
        roadmap.read_text(encoding="utf-8").replace('python: "3.11"', 'python: "3.99"'), encoding="utf-8"
    )
    result = build(content, tmp_path / "out", execute=Policy.ALL)
    assert result.apkg is not None, result.problems.render_text()
    assert all("python 3.99 ran this" in n.fields[2] for n in result.notes if n.card_id.startswith("gil-output"))
    assert json.loads((content / RECORD_NAME).read_text(encoding="utf-8"))["python"] == "3.99"


def test_another_python_warns_which_cards_differ_and_keeps_the_record(tmp_path: Path) -> None:
    content = make_content(tmp_path, {})
    roadmap = content / "roadmap.yaml"
    roadmap.write_text(
        roadmap.read_text(encoding="utf-8").replace('python: "3.11"', 'python: "3.98"'), encoding="utf-8"
    )
    first = build(content, tmp_path / "out", execute=Policy.ALL)  # no python3.98 anywhere: runs here
    assert first.apkg is not None
    record = json.loads((content / RECORD_NAME).read_text(encoding="utf-8"))
    key = next(k for k, v in record["outputs"].items() if v["cards"] == ["gil-output"])
    record["outputs"][key]["stdout"] = "6 (no 3.98)\n"
    (content / RECORD_NAME).write_text(json.dumps(record), encoding="utf-8")
    again = build(content, tmp_path / "out", execute=Policy.ALL)
    assert again.apkg is not None
    warning = next(p for p in again.problems.warnings if p.code == "output-differs")
    here = "{}.{}".format(*sys.version_info[:2])  # the Python the snippet ran under: this one
    assert f"`gil-output` prints something else under Python {here} than its record for Python 3.98" in warning.message
    assert "+6" in warning.message and "python3.98" in warning.hint
    back = next(n.fields[2] for n in again.notes if n.card_id == "gil-output")
    assert "6 (no 3.98)" in back  # the card keeps what the declared Python prints
    assert record_of(content)[key]["stdout"] == "6 (no 3.98)\n"


@pytest.mark.parametrize(("written", "shown"), [("3.10", "3.1"), ("3", "3"), ('"three"', "three")])
def test_the_declared_python_must_be_a_quoted_minor_version(
    tmp_path: Path, written: str, shown: str, capsys: pytest.CaptureFixture[str]
) -> None:
    content = make_content(tmp_path, {})
    roadmap = content / "roadmap.yaml"
    roadmap.write_text(roadmap.read_text(encoding="utf-8").replace('"3.11"', written), encoding="utf-8")
    assert main(["check", "--content", str(content)]) == 1
    err = capsys.readouterr().err
    assert "roadmap.yaml:4:9: error[bad-python]: `python` must be a quoted Python minor version" in err
    assert f"got {shown}" in err

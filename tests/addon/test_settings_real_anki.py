"""The settings dialog inside the real Anki desktop app (offscreen), opened the ways a user opens it.

One scripted session (tests/addon/driver/settings.py) on a fresh profile: a small knowledge base
folder, a build folder, an empty folder, and a fake `code` first on PATH that records its argv.
Screenshots go to build/screenshots/addon/ (settings-light, settings-dark, settings-pt-BR).
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
from harness import prepare_base, run_anki

from addon.data.config import _LIMITS, Config

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "build" / "screenshots" / "addon"
DEFAULTS = json.loads((ROOT / "addon" / "config.json").read_text())
FAKE_EDITOR = """#!{python}
import json, sys
with open({log!r}, "w") as f:
    json.dump(sys.argv[1:], f)
"""


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("settings")
    kb = tmp / "python-senior-kb"  # laid out like the repository: content/ and build/
    content = kb / "content"
    for rel, text in {
        "roadmap.yaml": "weeks: []\n",
        "README.md": "# About\n",
        "python/intro.md": "# Intro\n",
        "python/zz-last.md": "# Last\n",
        ".drafts/a.md": "# Hidden\n",
    }.items():
        (content / rel).parent.mkdir(parents=True, exist_ok=True)
        (content / rel).write_text(text)
    (kb / "build").mkdir()
    (kb / "build" / "Python Senior KB.apkg").write_bytes(b"not read by the dialog")
    (tmp / "empty").mkdir()
    (tmp / "tmpdir").mkdir()
    (tmp / "bin").mkdir()
    code = tmp / "bin" / "code"
    code.write_text(FAKE_EDITOR.format(python=sys.executable, log=str(tmp / "editor.json")))
    code.chmod(0o755)
    return {"tmp": tmp, "kb": kb, "content": content, "builds": kb / "build"}


@pytest.fixture(scope="module")
def session(folders: dict[str, Path]) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT / "scripts"))
    from package_addon import package

    tmp = folders["tmp"]
    base = tmp / "base"
    prepare_base(base, package(tmp / "kbdeck.ankiaddon"))
    run = run_anki(
        base,
        {
            "scenario": "settings",
            "results": str(tmp / "results.json"),
            "screenshots": str(SCREENSHOTS),
            "kb": str(folders["kb"]),
            "builds": str(folders["builds"]),
            "empty": str(tmp / "empty"),
            "editor_log": str(tmp / "editor.json"),
            "watchdog_s": 100,
        },
        env={"PATH": f"{tmp / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}", "TMPDIR": str(tmp / "tmpdir")},
    )
    results = run.results
    assert results.get("status") == "ok", (
        json.dumps({k: results.get(k) for k in ("status", "errors", "steps", "log")}, indent=2)
        + "\n--- Anki output (tail) ---\n"
        + run.output[-6000:]
    )
    results["_output"], results["_seconds"] = run.output, run.seconds
    return results


@pytest.fixture(scope="module")
def saved_values(session: dict[str, Any], folders: dict[str, Path]) -> dict[str, Any]:
    """What step 4 of the session filled in and saved."""
    return {
        **DEFAULTS,
        "content_folder": str(folders["content"]),
        "build_folder": str(folders["builds"]),
        "editor_command": "code --goto {path}:{line}",
        "shortcut": "Ctrl+Alt+K",
        "study_deck_name": "My study",
        "mock_deck_name": "My mocks",
        "retention_days": 60,
        "chart_days": 14,
        "study_limit": 250,
        "max_age_seconds": 600,
        "poll_seconds": 3600,
        "auto_update": True,
        "move_cards": False,
    }


def test_the_session_ran_and_nothing_escaped_into_anki(session: dict[str, Any]) -> None:
    assert session["_seconds"] < 90
    assert "Traceback" not in session["_output"], session["_output"][-4000:]
    assert [line for line in session["log"] if line.startswith("ERROR")] == []


def test_the_config_button_opens_the_dialog_with_the_defaults(session: dict[str, Any]) -> None:
    opened = session["from_config"]
    assert session["config_button_enabled"]
    assert opened["json_editors"] == 0  # Anki's JSON editor did not open instead
    assert opened["title"] == "kbdeck — settings"
    assert opened["values"] == DEFAULTS


def test_every_setting_has_a_help_text_and_the_limits_of_the_config(session: dict[str, Any]) -> None:
    opened = session["from_config"]
    names = {f.name for f in fields(Config)}
    assert set(opened["helps"]) == set(opened["tooltips"]) == names
    for name in names:
        assert len(opened["helps"][name]) > 20 and opened["tooltips"][name] == opened["helps"][name], name
    assert "{path}" in opened["helps"]["editor_command"] and "{line}" in opened["helps"]["editor_command"]
    assert opened["ranges"] == {name: list(limits) for name, limits in _LIMITS.items()}


def test_choose_asks_for_a_folder_and_the_hints_say_what_it_holds(
    session: dict[str, Any], folders: dict[str, Path]
) -> None:
    kb, content = folders["kb"], folders["content"]
    captions = [caption for caption, _, _ in session["asked"]]
    assert captions == ["Choose the knowledge base's content folder"] * 4 + ["Choose the build folder"] * 2
    assert all(parent == "True" for _, _, parent in session["asked"])
    assert session["asked"][1][1] == str(kb)  # the next Choose… starts where the field points
    hints = session["hints"]
    assert hints["content_root"] == "⚠ No roadmap.yaml here, but its subfolder content/ has one: choose that one."
    assert hints["content_cancel"] == hints["content_root"]  # a cancelled dialog changes nothing
    assert hints["content_empty"].startswith("⚠ No roadmap.yaml in this folder")
    assert hints["content_ok"] == "✓ roadmap.yaml found."
    assert hints["build_empty"].startswith("⚠ No .apkg in this folder yet")
    assert hints["build_ok"] == "✓ Newest build: Python Senior KB.apkg"
    assert hints["build_missing"] == "⚠ This folder does not exist."
    assert session["picked"] == {"content_folder": str(content), "build_folder": str(folders["builds"])}


def test_the_editor_test_opens_a_real_file_through_the_editor_command(
    session: dict[str, Any], folders: dict[str, Path]
) -> None:
    first = folders["content"] / "python" / "intro.md"  # README and hidden folders skipped
    assert session["test_argv"] == session["test_argv_again"] == ["--goto", f"{first}:1"]
    assert session["test_label"].startswith("✓ Started code on intro.md, line 1.")
    sample = folders["tmp"] / "tmpdir" / "kbdeck-editor-test.md"  # no content folder: a sample file
    assert session["sample_argv"] == ["--goto", f"{sample}:1"]
    assert session["sample_text"].startswith("# kbdeck\n") and "Test button" in session["sample_text"]
    assert "kbdeck-editor-test.md" in session["sample_label"]
    assert session["test_error"].startswith("The note could not be opened in the editor:")
    assert "'kbdeck-no-such-editor' could not be started" in session["test_error"]


def test_ok_saves_every_value_and_applies_it(session: dict[str, Any], saved_values: dict[str, Any]) -> None:
    assert session["filled"] == saved_values
    assert session["saved"] == saved_values
    assert session["runtime"] == saved_values  # the add-on's parsed config
    assert session["progress_shortcut"] == "Ctrl+Alt+K"  # applied at once


def test_esc_the_close_button_and_cancel_save_nothing(session: dict[str, Any], saved_values: dict[str, Any]) -> None:
    assert session["reopened"] == saved_values  # Tools → kbdeck settings shows what was saved
    assert session["after_esc"] == session["after_close"] == session["after_cancel"] == saved_values


def test_an_invalid_value_is_explained_and_not_saved(session: dict[str, Any], saved_values: dict[str, Any]) -> None:
    invalid = session["invalid"]
    assert invalid["open"] and invalid["focus"] == "shortcut"
    assert invalid["error"].splitlines() == [
        "Not saved: “Shortcut” cannot be empty.",
        "Not saved: “Mock interview deck” cannot be empty.",
    ]
    assert session["after_invalid"] == saved_values


def test_restore_defaults_and_edit_as_json(session: dict[str, Any], saved_values: dict[str, Any]) -> None:
    assert session["restored"] == DEFAULTS and session["restored_error_hidden"]
    assert session["after_restore"] == saved_values  # restoring fills the fields; only OK would save
    assert session["json_editor"]["config"] == saved_values
    assert session["after_json"] == saved_values


def test_dark_mode_shows_the_warnings(session: dict[str, Any]) -> None:
    assert session["dark"]["build_hint"].startswith("⚠ No .apkg")
    assert "could not be started" in session["dark"]["test"]


def test_portuguese_chosen_in_the_dialog(session: dict[str, Any], saved_values: dict[str, Any]) -> None:
    assert session["live_title"] == "kbdeck — configurações"  # translated before OK
    assert session["final"] == {**saved_values, "language": "pt-BR"}
    assert session["menu_pt"] == "Configurações do kbdeck"
    pt = session["pt"]
    assert pt["title"] == "kbdeck — configurações" and (pt["ok"], pt["cancel"]) == ("OK", "Cancelar")
    assert pt["boxes"] == [
        "Geral",
        "Base de conhecimento e editor",
        "Atualizar a partir do build",
        "Progresso e estudo",
    ]
    assert pt["labels"]["content_folder"] == "Pasta de conteúdo" and pt["labels"]["show_panel"] == ""
    assert pt["test"].startswith("✓ code foi iniciado com intro.md, linha 1.")
    assert session["test_argv_pt"] == session["test_argv"]


def test_the_json_editors_help_follows_the_language(session: dict[str, Any]) -> None:
    english, portuguese = session["help_en"], session["help_pt"]
    assert "(default <code>" in english and "padrão" not in english
    assert "(padrão <code>" in portuguese and "(default" not in portuguese


def test_screenshots(session: dict[str, Any]) -> None:
    names = [Path(p).name for p in session["screens"]]
    assert names == ["settings-light.png", "settings-dark.png", "settings-pt-BR.png"]
    for name in names:
        assert (SCREENSHOTS / name).stat().st_size > 5_000
    assert session["scrolls"] == dict.fromkeys(names, False)  # each shows the whole dialog, nothing scrolled away

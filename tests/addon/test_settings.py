"""The settings dialog's pure helpers: folder hints, the editor test, validation, the help per language.

Real folders in tmp_path and a real editor command (a Python one-liner that records its argv);
the dialog itself runs in the real Anki session of test_settings_real_anki.py.
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import fields
from pathlib import Path

import pytest

from addon.data.config import DEFAULTS, LANGUAGES, Config
from addon.data.i18n import EN, PT_BR, Translator
from addon.views.settings_checks import (
    PT_MARKER,
    SAMPLE_NAME,
    config_help,
    editor_test_file,
    first_note,
    folder_hint,
    run_editor_test,
    validate,
)
from addon.views.settings_dialog import LANGUAGE_KEYS, SECTIONS

ADDON = Path(__file__).resolve().parents[2] / "addon"
EN_TR, PT_TR = Translator("en"), Translator("pt-BR")


def make_files(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def recorder(log: Path) -> str:
    """An editor command that writes the argv it got to `log`."""
    script = "import sys, json; open(sys.argv[1], 'w').write(json.dumps(sys.argv[2:]))"
    return f'"{sys.executable}" -c "{script}" "{log}" {{path}} {{line}}'


def recorded(log: Path) -> list[str]:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            return list(json.loads(log.read_text()))
        except (OSError, ValueError):
            time.sleep(0.05)
    raise AssertionError("the editor command never ran")


# ---- every setting has a row, a label and a help text in both languages ---------------------------


def test_the_dialog_shows_every_setting_once() -> None:
    shown = [name for _, names in SECTIONS for name in names]
    assert sorted(shown) == sorted(f.name for f in fields(Config)) and len(shown) == len(set(shown))


@pytest.mark.parametrize("name", [f.name for f in fields(Config)])
def test_every_setting_has_a_label_and_a_help_text_in_both_languages(name: str) -> None:
    for table in (EN, PT_BR):
        assert table[f"set_{name}"] and len(table[f"set_{name}_help"]) > 20


def test_every_language_and_box_has_a_name() -> None:
    assert set(LANGUAGE_KEYS) == set(LANGUAGES)
    assert all(key in EN and key in PT_BR for key in [*LANGUAGE_KEYS.values(), *(s for s, _ in SECTIONS)])


# ---- folder hints ----------------------------------------------------------------------------------


def test_the_content_folder_hint(tmp_path: Path) -> None:
    repo = make_files(tmp_path / "kb", {"content/roadmap.yaml": "weeks: []\n", "notes.txt": ""})
    hint = lambda folder: folder_hint("content_folder", str(folder), EN_TR)  # noqa: E731
    assert hint("") is None and hint("   ") is None  # empty: the feature is off, nothing to say
    assert hint(repo / "content") == hint(f"  {repo / 'content'}  ") is not None
    assert hint(repo / "content").ok and hint(repo / "content").text == "✓ roadmap.yaml found."
    root = hint(repo)
    assert root is not None and not root.ok and "subfolder content/" in root.text
    none = hint(tmp_path)
    assert none is not None and not none.ok and none.text.startswith("No roadmap.yaml in this folder")
    missing = hint(tmp_path / "nowhere")
    assert missing is not None and (missing.ok, missing.text) == (False, "This folder does not exist.")


def test_the_content_folder_hint_expands_the_home_folder_like_open_in_editor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_files(tmp_path / "kb" / "content", {"roadmap.yaml": ""})
    monkeypatch.setenv("HOME", str(tmp_path))
    hint = folder_hint("content_folder", "~/kb/content", EN_TR)
    assert hint is not None and hint.ok


def test_the_build_folder_hint_names_the_newest_build(tmp_path: Path) -> None:
    builds = make_files(tmp_path / "build", {"old.apkg": "", "notes.md": ""})
    none = folder_hint("build_folder", str(tmp_path), EN_TR)  # builds one level down are not looked for
    assert none is not None and not none.ok and none.text.startswith("No .apkg in this folder yet")
    (builds / "Python Senior KB.apkg").write_bytes(b"")
    os.utime(builds / "old.apkg", (1_000_000, 1_000_000))
    found = folder_hint("build_folder", str(builds), EN_TR)
    assert found is not None and found.ok and found.text == "✓ Newest build: Python Senior KB.apkg"
    pt = folder_hint("build_folder", str(builds), PT_TR)
    assert pt is not None and pt.text == "✓ Build mais novo: Python Senior KB.apkg"
    missing = folder_hint("build_folder", str(tmp_path / "nowhere"), PT_TR)
    assert missing is not None and missing.text == "Esta pasta não existe."


# ---- the file the Test button opens --------------------------------------------------------------


def test_the_first_note_skips_readmes_hidden_folders_and_deep_files(tmp_path: Path) -> None:
    content = make_files(
        tmp_path / "content",
        {
            "README.md": "",
            ".drafts/a.md": "",
            "a/deeper/aaa.md": "",
            "python/intro.md": "",
            "python/zz.md": "",
            "roadmap.yaml": "",
        },
    )
    assert first_note(str(content)) == content / "python" / "intro.md"
    (content / "flashcards.md").write_text("")
    assert first_note(str(content)) == content / "flashcards.md"  # path order: the top level file sorts first
    assert first_note("") is None and first_note(str(tmp_path / "nowhere")) is None
    assert first_note(str(make_files(tmp_path / "empty", {"README.md": ""}))) is None


def test_without_a_content_folder_the_test_opens_a_sample_file(tmp_path: Path) -> None:
    sample = editor_test_file("", EN_TR, str(tmp_path))
    assert sample == tmp_path / SAMPLE_NAME and sample.read_text().startswith("# kbdeck\n")
    assert "Testar" in editor_test_file(str(tmp_path / "nowhere"), PT_TR, str(tmp_path)).read_text()


def test_the_editor_test_runs_the_command_on_the_first_note_at_line_1(tmp_path: Path) -> None:
    content = make_files(tmp_path / "content", {"roadmap.yaml": "", "python/intro.md": "# Intro\n"})
    log = tmp_path / "argv.json"
    hint = run_editor_test(str(content), recorder(log), EN_TR, str(tmp_path))
    assert recorded(log) == [str(content / "python" / "intro.md"), "1"]
    program = Path(sys.executable).name
    assert hint.ok and hint.text.startswith(f"✓ Started {program} on intro.md, line 1.")


def test_the_editor_test_reports_every_failure_instead_of_raising(tmp_path: Path) -> None:
    def test(command: str, temp_dir: Path = tmp_path) -> str:
        hint = run_editor_test("", command, EN_TR, str(temp_dir))
        assert not hint.ok
        return hint.text

    assert test("kbdeck-no-such-editor {path}") == (
        "The note could not be opened in the editor: 'kbdeck-no-such-editor' could not be started "
        "(No such file or directory)"
    )
    assert "editor_command cannot be split" in test("code 'unclosed")
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    assert test("code {path}", blocker).startswith("The note could not be opened in the editor: ")


# ---- validation --------------------------------------------------------------------------------------


def test_the_defaults_are_valid() -> None:
    assert validate({f.name: getattr(DEFAULTS, f.name) for f in fields(Config)}, EN_TR) == (DEFAULTS, [])


def test_values_are_saved_stripped() -> None:
    config, problems = validate({"study_deck_name": "  My deck ", "build_folder": " /x/build "}, EN_TR)
    assert problems == [] and (config.study_deck_name, config.build_folder) == ("My deck", "/x/build")


def test_each_rejected_value_is_named_with_the_reason() -> None:
    values = {
        "shortcut": "",
        "mock_deck_name": "   ",
        "study_deck_name": "x" * 101,
        "build_folder": "y" * 1001,
        "content_folder": "a\x00b",
        "chart_days": 3,
        "language": "de",
        "editor_command": "",  # may be empty
    }
    config, problems = validate(values, EN_TR)
    assert problems == [
        ("language", 'Not saved: “Language” cannot be "de".'),
        ("shortcut", "Not saved: “Shortcut” cannot be empty."),
        ("chart_days", "Not saved: “Chart length (days)” cannot be 3."),
        ("study_deck_name", "Not saved: “Study deck” is too long (at most 100 characters)."),
        ("content_folder", 'Not saved: “Content folder” cannot be "a\\u0000b".'),
        ("build_folder", "Not saved: “Build folder” is too long (at most 1,000 characters)."),
        ("mock_deck_name", "Not saved: “Mock interview deck” cannot be empty."),
    ]  # in Config's field order
    assert config.shortcut == DEFAULTS.shortcut  # what parse_config falls back to (never saved: OK refuses)


def test_the_reasons_are_in_the_dialogs_language() -> None:
    _, problems = validate({"shortcut": " ", "build_folder": "y" * 1001}, PT_TR)
    assert [message for _, message in problems] == [
        "Não salvo: “Atalho” não pode ficar vazio.",
        "Não salvo: “Pasta de builds” é longo demais (no máximo 1.000 caracteres).",
    ]


# ---- config.md: English and Portuguese halves ---------------------------------------------------


def test_the_config_help_shows_the_half_in_the_language() -> None:
    text = "English **help**\n\n---\n\n" + PT_MARKER + "\nAjuda em **português**\n"
    assert config_help(text, "en") == "English **help**\n"
    assert config_help(text, "pt-BR") == "Ajuda em **português**\n"
    assert config_help("only one language\n", "pt-BR") == "only one language\n"


def test_the_real_config_md_splits_cleanly() -> None:
    doc = (ADDON / "config.md").read_text()
    english, portuguese = config_help(doc, "en"), config_help(doc, "pt-BR")
    assert "(default `" in english and "(padrão `" not in english and PT_MARKER not in english
    assert "(padrão `" in portuguese and "(default `" not in portuguese and PT_MARKER not in portuguese
    assert not english.rstrip().endswith("---")
    assert "Edit as JSON…" in english and "Editar como JSON…" in portuguese  # the button's own names
    assert EN["menu_settings"] in english and PT_BR["menu_settings"] in portuguese

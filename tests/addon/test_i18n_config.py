"""UI strings (both languages complete) and the config (code, config.json and config.md agree)."""

from __future__ import annotations

import json
import re
import string
from dataclasses import fields
from pathlib import Path

import pytest

from addon.data.config import _LIMITS, DEFAULTS, Config, parse_config
from addon.data.i18n import EN, PT_BR, Translator, normalize
from addon.views.markup import SEGMENTS

ADDON = Path(__file__).resolve().parents[2] / "addon"


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_both_languages_have_the_same_keys() -> None:
    assert set(EN) == set(PT_BR), set(EN) ^ set(PT_BR)


@pytest.mark.parametrize("key", sorted(EN))
def test_both_languages_use_the_same_placeholders(key: str) -> None:
    assert placeholders(EN[key]) == placeholders(PT_BR[key])


def test_every_key_used_in_the_code_exists() -> None:
    used: set[str] = set()
    for path in ADDON.rglob("*.py"):
        text = path.read_text()
        used.update(re.findall(r"\btr\(\s*\"([a-z_]+)\"[,)]", text))
        used.update(re.findall(r"\btr\(\s*'([a-z_]+)'[,)]", text))
        used.update(re.findall(r"(?:report|guard)\(\s*\"(what_[a-z_]+)\"", text))
    used.update(f"state_{name}" for name in SEGMENTS)  # built as "state_" + name
    assert used, "the scan found no keys"
    assert used <= set(EN), used - set(EN)


@pytest.mark.parametrize(
    ("anki_lang", "table"), [("pt_BR", "pt-BR"), ("pt-BR", "pt-BR"), ("pt_PT", "pt-BR"), ("en", "en"), ("de", "en")]
)
def test_anki_languages_map_to_a_table(anki_lang: str, table: str) -> None:
    assert normalize(anki_lang) == table


def test_numbers_follow_the_language() -> None:
    en, pt = Translator("en"), Translator("pt_BR")
    assert (en.num(12345), pt.num(12345)) == ("12,345", "12.345")
    assert (en.pct(87.5, 1), pt.pct(87.5, 1)) == ("87.5%", "87,5%")
    assert en.pct(None) == "—"
    assert pt("due_today", n=3) == "3 para hoje"


def test_config_json_holds_exactly_the_defaults() -> None:
    raw = json.loads((ADDON / "config.json").read_text())
    assert raw == {f.name: getattr(DEFAULTS, f.name) for f in fields(Config)}


@pytest.mark.parametrize(("lang", "word"), [("en", "default"), ("pt-BR", "padrão")])
def test_config_md_documents_every_key_with_its_default_in_both_languages(lang: str, word: str) -> None:
    from addon.views.settings_checks import PT_MARKER, config_help

    doc = (ADDON / "config.md").read_text()
    assert doc.count(PT_MARKER) == 1  # English first, then Portuguese
    half = config_help(doc, lang)
    documented = re.findall(r"^- `([a-z_]+)` \(", half, re.M)
    assert documented == [f.name for f in fields(Config)]  # every key once, in the dataclass's order
    for f in fields(Config):
        default = json.dumps(getattr(DEFAULTS, f.name), ensure_ascii=False)
        limit = _LIMITS.get(f.name)
        limits = f", {limit[0]}–{limit[1]}" if limit else ""  # the ranges config.py enforces
        assert f"`{f.name}` ({word} `{default}`{limits})" in half, f.name


def test_a_bad_config_falls_back_to_defaults_and_says_why() -> None:
    cfg, problems = parse_config(
        {"language": "klingon", "chart_days": 0, "show_panel": "yes", "study_deck_name": " My deck ", "typo": 1}
    )
    assert cfg.language == "auto" and cfg.chart_days == 30 and cfg.show_panel is True
    assert cfg.study_deck_name == "My deck"
    assert len(problems) == 4
    assert parse_config(None) == (DEFAULTS, [])


def test_the_manifest_is_what_anki_expects() -> None:
    manifest = json.loads((ADDON / "manifest.json").read_text())
    assert manifest["package"] == "kbdeck" and manifest["name"]
    assert manifest["min_point_version"] == 231201  # 23.12.1: the oldest version make compat runs the update in
    import jsonschema
    from aqt.addons import AddonManager

    jsonschema.validate(manifest, AddonManager._manifest_schema)


def test_paths_and_commands_may_be_empty_other_texts_may_not() -> None:
    cfg, problems = parse_config(
        {
            "content_folder": "",
            "editor_command": "code --goto {path}:{line}",
            "build_folder": "/x/build",
            "poll_seconds": 1,
        }
    )
    assert (cfg.content_folder, cfg.build_folder) == ("", "/x/build")
    assert cfg.editor_command == "code --goto {path}:{line}" and cfg.poll_seconds == 5
    assert parse_config({"mock_deck_name": " "})[0].mock_deck_name == "kbdeck mock"
    assert parse_config({"build_folder": "x\x00"})[0].build_folder == ""
    assert len(problems) == 1


def test_counts_take_the_singular_where_the_language_does() -> None:
    en, pt = Translator("en"), Translator("pt_BR")
    assert [en("cards_n", n=k) for k in (0, 1, 2, 1234)] == ["0 cards", "1 card", "2 cards", "1,234 cards"]
    # CLDR (and Anki's own pt-BR strings): 0 and 1 are singular in Portuguese
    assert [pt("cards_n", n=k) for k in (0, 1, 2, 1234)] == ["0 cartão", "1 cartão", "2 cartões", "1.234 cartões"]
    assert pt("upd_not_undoable", n=1).count("1 arquivo kbdeck substituído foi") == 1
    assert en("mock_meta", n=1, minutes=5) == "1 section, 5 min"
    assert en("due_today", n=True) == "True due today"  # a bool is not a count: left as it is


@pytest.mark.parametrize("key", sorted(k for k in EN if k.endswith(":one")))
def test_a_singular_form_belongs_to_a_plural_one_with_the_same_placeholders(key: str) -> None:
    """A singular form never drops or adds a value. Most carry the count (`{n}`); a label shown beside a
    count of its own (the update summary's rows: "1 | card moved to its new deck") is given `n` without
    showing it, so the count need not be in its text."""
    base = key.removesuffix(":one")
    assert base in EN and base in PT_BR and key in PT_BR
    assert placeholders(EN[key]) == placeholders(EN[base]) == placeholders(PT_BR[key]) == placeholders(PT_BR[base])

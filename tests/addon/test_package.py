"""Packaging and dev-linking the add-on, and the rules the add-on's code must keep."""

from __future__ import annotations

import ast
import importlib
import json
import re
import shutil
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ADDON = ROOT / "addon"
sys.path.insert(0, str(ROOT / "scripts"))

import link_addon  # noqa: E402
import package_addon  # noqa: E402


def test_the_ankiaddon_is_the_folder_contents_without_caches_or_meta(tmp_path: Path) -> None:
    folder = tmp_path / "addon"
    shutil.copytree(ADDON, folder)
    for junk in ("__pycache__/x.pyc", "meta.json", "user_files/notes.txt", "web/__pycache__/y.pyc"):
        (folder / junk).parent.mkdir(parents=True, exist_ok=True)
        (folder / junk).write_text("{}")
    with zipfile.ZipFile(package_addon.package(tmp_path / "kbdeck.ankiaddon", folder)) as zf:
        names = zf.namelist()
        manifest = json.loads(zf.read("manifest.json"))
    assert manifest["package"] == "kbdeck"
    assert "__init__.py" in names and "config.json" in names and "config.md" in names
    assert "web/kbdeck.css" in names and "web/kbdeck.js" in names
    assert {"locale/en.json", "locale/pt-BR.json"} <= set(names)  # the UI strings
    assert {p.relative_to(ADDON).as_posix() for p in ADDON.rglob("*.py")} <= set(names)
    assert not any(
        "__pycache__" in n
        or n.endswith(".pyc")
        or n == "meta.json"
        or "/" in re.sub(r"^(web|locale|data|ops|views)/", "", n)
        for n in names
    )
    assert not any(n.startswith("user_files") for n in names)


def test_packaging_is_reproducible_and_includes_vendored_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = package_addon.package(tmp_path / "a.ankiaddon").read_bytes()
    assert package_addon.package(tmp_path / "b.ankiaddon").read_bytes() == first
    monkeypatch.setattr(package_addon, "VENDOR", {"src/kbdeck/model/slug.py": "_vendor/slug.py"})
    with zipfile.ZipFile(package_addon.package(tmp_path / "c.ankiaddon")) as zf:
        assert zf.read("_vendor/slug.py") == (ROOT / "src/kbdeck/model/slug.py").read_bytes()


def test_link_and_unlink_a_dev_copy(tmp_path: Path) -> None:
    base = tmp_path / "Anki2"
    target = link_addon.link(base)
    assert target == base / "addons21" / "kbdeck" and target.resolve() == ADDON.resolve()
    assert link_addon.link(base / "addons21") == target  # idempotent, also given addons21 itself
    link_addon.unlink(base)
    assert not target.exists()
    (target).mkdir(parents=True)
    with pytest.raises(SystemExit, match="not a link"):
        link_addon.link(base)


ALLOWED = {"aqt", "anki", "markdown"}


MODULES = sorted(ADDON.rglob("*.py"))
"""Every module of the add-on: the root's and its role packages' (data/, ops/, views/)."""


def module_of(path: Path) -> str:
    parts = path.relative_to(ADDON).with_suffix("").parts
    return ".".join(["addon", *(p for p in parts if p != "__init__")])


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(ADDON).as_posix())
def test_the_addon_imports_only_what_anki_ships(path: Path) -> None:
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots = {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots = {node.module.split(".")[0]}
        else:
            continue
        bad = {r for r in roots if r not in sys.stdlib_module_names and r not in ALLOWED and r != "__future__"}
        assert not bad, f"{path.name} imports {bad}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(ADDON).as_posix())
def test_modules_are_small(path: Path) -> None:
    assert len(path.read_text().splitlines()) <= 400


def test_importing_the_addon_outside_anki_has_no_effect() -> None:
    from aqt import gui_hooks

    hooks = [gui_hooks.deck_browser_will_render_content, gui_hooks.operation_did_execute]
    before = [len(h._hooks) for h in hooks]
    for path in MODULES:
        importlib.import_module(module_of(path))
    assert [len(h._hooks) for h in hooks] == before

"""The add-on's modules by role, with imports that run one way (lazy imports inside functions included).

Roles, bottom up, each a package: **data** (addon/data: what the add-on reads — the bundle, the
collection's numbers, the mock's state, settings, strings; no Qt, no add-on state), then
`runtime.py` and `errors.py` at the root (process-wide state and error reporting), **ops**
(addon/ops: changes to the collection and the background work that runs them), **views**
(addon/views: windows, pages and the flows behind their buttons), and the composition root
`__init__.py`. Data never imports the runtime, an op or a view; an op never imports a view.
"""

from __future__ import annotations

import ast
from pathlib import Path

from import_graph import import_cycles

ADDON = Path(__file__).resolve().parents[2] / "addon"
ROLES = {
    "data": (
        "config", "i18n", "contract", "bundle", "apkg", "discovery", "sanitize", "queries", "aggregate",
        "progress", "report", "mock_state", "mock_plan", "mock_text", "reconcile", "editor",
    ),
    "base": ("runtime", "errors"),
    "ops": ("service", "study", "mocks", "mock_session", "mock_ops", "update_op"),
    "views": (
        "markup", "chart", "render_panel", "render_view", "render_update", "note_page", "dialog", "question",
        "focus", "progress_view", "note_viewer", "deck_browser", "card_link", "mock_timer", "mock_flow",
        "settings_dialog", "settings_menu", "settings_checks", "updater", "bridge", "study_flow",
    ),
    "root": ("__init__",),
}  # fmt: skip
LEVEL = {"data": 0, "base": 1, "ops": 2, "views": 3, "root": 4}


def role_of(module: str) -> str:
    return next(role for role, names in ROLES.items() if module in names)


def imports() -> dict[str, set[str]]:
    """Module → the add-on modules it imports (`from .x import`, `from . import x`, anywhere in the file)."""
    paths = [p for p in ADDON.rglob("*.py") if not (p.name == "__init__.py" and p.parent != ADDON)]
    names = {p.stem for p in paths}
    out: dict[str, set[str]] = {}
    for path in paths:
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                if node.module:  # `.x`, `..data.x`: the module is the last part
                    deps.add(node.module.split(".")[-1])
                else:  # `from . import x`, `from ..ops import x`
                    deps.update(a.name for a in node.names if a.name in names)
        out[path.stem] = (deps & names) - {path.stem}
    return out


def test_each_module_lives_in_its_roles_package() -> None:
    for path in ADDON.rglob("*.py"):
        if path.name == "__init__.py" and path.parent != ADDON:
            continue
        role = role_of(path.stem)
        folder = path.parent.relative_to(ADDON).as_posix()
        assert folder == (role if role in ("data", "ops", "views") else "."), f"{path.stem}: {folder} ≠ {role}"


def test_every_module_has_a_role() -> None:
    named = {m for ms in ROLES.values() for m in ms}
    assert set(imports()) == named, set(imports()) ^ named


def test_imports_run_down_the_roles() -> None:
    graph = imports()
    upward = [f"{m} → {d}" for m, deps in graph.items() for d in deps if LEVEL[role_of(d)] > LEVEL[role_of(m)]]
    assert upward == []


def test_no_module_import_cycle() -> None:
    assert import_cycles(imports()) == []

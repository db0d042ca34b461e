"""The add-on's modules by role, with imports that run one way (lazy imports inside functions included).

Roles, bottom up: **data** (what the add-on reads: the bundle, the collection's numbers, the mock's
state, settings, strings: no Qt), **ops** (changes to the collection and the background work that
runs them), **views** (windows, pages and the flows behind their buttons), and the composition root
`__init__.py`. `runtime.py` and `errors.py` are the process-wide state and error reporting every
role uses. A data module never imports an op or a view; an op never imports a view; no module cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

ADDON = Path(__file__).resolve().parents[2] / "addon"
ROLES = {
    "base": ("runtime", "errors", "config", "i18n"),
    "data": (
        "identity", "bundle", "apkg", "discovery", "sanitize", "queries", "aggregate", "progress", "report",
        "mock_state", "mock_plan", "mock_text", "reconcile", "settings_checks", "editor",
    ),
    "ops": ("service", "study", "mocks", "mock_session", "mock_ops", "update_op"),
    "views": (
        "markup", "chart", "render_panel", "render_view", "render_update", "note_page", "dialog", "question",
        "focus", "progress_view", "note_viewer", "deck_browser", "card_link", "mock_timer", "mock_flow",
        "settings_dialog", "settings_menu", "updater", "bridge", "study_flow",
    ),
    "root": ("__init__",),
}  # fmt: skip
LEVEL = {"base": 0, "data": 1, "ops": 2, "views": 3, "root": 4}


def role_of(module: str) -> str:
    return next(role for role, names in ROLES.items() if module in names)


def imports() -> dict[str, set[str]]:
    """Module → the add-on modules it imports (`from .x import`, `from . import x`, anywhere in the file)."""
    names = {p.stem for p in ADDON.glob("*.py")}
    out: dict[str, set[str]] = {}
    for path in ADDON.glob("*.py"):
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                if node.module:
                    deps.add(node.module.split(".")[0])
                else:
                    deps.update(a.name for a in node.names if a.name in names)
        out[path.stem] = deps - {path.stem}
    return out


def test_every_module_has_a_role() -> None:
    named = {m for ms in ROLES.values() for m in ms}
    assert set(imports()) == named, set(imports()) ^ named


def test_imports_run_down_the_roles() -> None:
    graph = imports()
    upward = [f"{m} → {d}" for m, deps in graph.items() for d in deps if LEVEL[role_of(d)] > LEVEL[role_of(m)]]
    assert upward == []


def test_no_module_import_cycle() -> None:
    graph = imports()
    done: set[str] = set()
    cycles: list[str] = []

    def visit(node: str, path: list[str]) -> None:
        for dep in sorted(graph[node]):
            if dep in path:
                cycles.append(" → ".join([*path[path.index(dep) :], dep]))
            elif dep not in done:
                visit(dep, [*path, dep])
        done.add(node)

    for name in sorted(graph):
        if name not in done:
            visit(name, [name])
    assert sorted(set(cycles)) == []

"""The layout tells the architecture: stage packages whose imports all run one way, and no module cycle.

`model` and `support` at the bottom, then `content` (load → check), `render`, `apkg` (package), and the
commands on top (build, cli, watch, ...). A test reads every `import` of src/kbdeck with `ast` (also
those inside functions: a lazy import is still a dependency) and fails on an arrow that runs upward.
"""

from __future__ import annotations

import ast
from pathlib import Path

from import_graph import import_cycles

SRC = Path(__file__).resolve().parents[2] / "src" / "kbdeck"
LAYERS = {"model": 0, "support": 0, "content": 1, "render": 2, "apkg": 3, "": 4}
"""Package → level; "" is the top (kbdeck/*.py: the storyboard and the commands). `templates/` holds
`kbdeck init`'s example knowledge bases (data, with example code), not kbdeck's code."""


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(p for p in parts if p != "__init__")


def package_of(module: str) -> str:
    return module.split(".")[0] if "." in module else ""


def imports() -> dict[str, set[str]]:
    """kbdeck module → the kbdeck modules it imports ("" = the root package's __init__)."""
    modules = {module_name(p): p for p in SRC.rglob("*.py") if "templates" not in p.relative_to(SRC).parts}
    out: dict[str, set[str]] = {}
    for name, path in modules.items():
        here = name.split(".")[:-1] if path.name != "__init__.py" else name.split(".")
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = here[: len(here) - (node.level - 1)] if node.level > 1 else here
                target = [*base, *(node.module.split(".") if node.module else [])]
                for alias in node.names:  # `from . import x` may name a module
                    candidate = ".".join([*target, alias.name])
                    deps.add(candidate if candidate in modules else ".".join(target))
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("kbdeck"):
                deps.add(node.module.removeprefix("kbdeck").lstrip("."))  # type: ignore[union-attr]
        out[name] = {d for d in deps if d in modules and d != name}
    return out


def test_every_module_sits_in_a_known_stage_package() -> None:
    assert {package_of(m) for m in imports()} <= set(LAYERS), {package_of(m) for m in imports()}


def test_imports_never_run_up_the_stages() -> None:
    upward = [
        f"{m} → {d}"
        for m, deps in imports().items()
        for d in deps
        if d and LAYERS[package_of(d)] > LAYERS[package_of(m)]
    ]
    assert upward == []


def test_packages_of_the_same_level_do_not_import_each_other() -> None:
    sideways = [
        f"{m} → {d}"
        for m, deps in imports().items()
        for d in deps
        if d and package_of(d) != package_of(m) and LAYERS[package_of(d)] == LAYERS[package_of(m)]
    ]
    assert sideways == []


def test_no_module_import_cycle() -> None:
    assert import_cycles(imports()) == []


def test_the_reader_finds_the_arrows_it_should() -> None:
    graph = imports()
    assert "content.load" in graph["build"] and "model.kb" in graph["content.load"]
    assert "support.cmark" in graph["render.markdown_html"]  # `from ..support import cmark`


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert import_cycles({"a": {"b"}, "b": {"c"}, "c": {"a", "outside"}, "d": {"a"}}) == ["a → b → c → a"]
    assert import_cycles({"a": {"b"}, "b": set()}) == []

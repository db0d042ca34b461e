"""Cycles in an import graph, for the layout tests of the core (tests/core) and of the add-on (tests/addon)."""

from __future__ import annotations

from collections.abc import Mapping, Set


def import_cycles(graph: Mapping[str, Set[str]]) -> list[str]:
    """Every import cycle a depth-first walk meets, as "a → b → a" (empty when the graph has none).

    Nodes are visited once (white → on the path → done), so the walk is linear in the graph's size;
    a dependency that is not a node of the graph (the package root, a name outside it) is ignored.
    """
    done: set[str] = set()
    cycles: list[str] = []

    def visit(node: str, path: list[str]) -> None:
        for dep in sorted(graph.get(node, ())):
            if dep in path:
                cycles.append(" → ".join([*path[path.index(dep) :], dep]))
            elif dep in graph and dep not in done:
                visit(dep, [*path, dep])
        done.add(node)

    for name in sorted(graph):
        if name not in done:
            visit(name, [name])
    return sorted(set(cycles))

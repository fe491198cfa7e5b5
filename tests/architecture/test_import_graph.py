"""The import graph of ixempra_gui, as grimp (import-linter's engine) builds it: no circles
anywhere, and the widgets import neither the rules nor the journal, not even for type checking.

grimp counts every import statement: at module level, inside functions, and under
``if TYPE_CHECKING`` (a circle there is still a circle a reader has to untangle). The layer
contracts themselves are import-linter's (pyproject.toml, ``lint-imports`` in CI); these tests
name what breaks in the words a reviewer needs.
"""

from __future__ import annotations

import grimp
import pytest

PACKAGE = "ixempra_gui"


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(PACKAGE, cache_dir=None)


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """One concrete circle per strongly connected group of modules (Tarjan), each named
    from its first module back to it."""
    modules = sorted(graph.modules)
    edges = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(root: str) -> None:
        work = [(root, iter(edges[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1 or node in edges[node]:
                    groups.append(sorted(group))

    for module in modules:
        if module not in index:
            visit(module)
    return [_circle(group, edges) for group in groups]


def _circle(group: list[str], edges: dict[str, list[str]]) -> list[str]:
    """A shortest path from the group's first module back to itself, inside the group."""
    start, members = group[0], set(group)
    paths = {start: [start]}
    queue = [start]
    for node in queue:
        for child in edges[node]:
            if child == start:
                return [*paths[node], start]
            if child in members and child not in paths:
                paths[child] = [*paths[node], child]
                queue.append(child)
    raise AssertionError(f"no circle through {start}")  # a group always has one


def test_no_import_circle_anywhere(graph: grimp.ImportGraph) -> None:
    circles = [" → ".join(circle) for circle in _cycles(graph)]
    assert circles == [], "import circles:\n" + "\n".join(circles)


def test_the_circle_finder_finds_and_names_a_circle() -> None:
    """The finder itself, on a graph with a known circle (a test that cannot fail is none)."""
    graph = grimp.ImportGraph()
    for name in ("pkg", "pkg.a", "pkg.b", "pkg.c", "pkg.d"):
        graph.add_module(name)
    graph.add_import(importer="pkg.a", imported="pkg.b")
    graph.add_import(importer="pkg.b", imported="pkg.c")
    graph.add_import(importer="pkg.c", imported="pkg.a")
    graph.add_import(importer="pkg.c", imported="pkg.d")
    assert _cycles(graph) == [["pkg.a", "pkg.b", "pkg.c", "pkg.a"]]


@pytest.mark.parametrize("forbidden", ["ixempra_gui.core", "ixempra_gui.journal"])
def test_the_widgets_import_neither_the_rules_nor_the_journal(
    graph: grimp.ImportGraph, forbidden: str
) -> None:
    """ui reaches them only through presentation (which re-exports the types it needs)."""
    widgets = graph.find_children("ixempra_gui.ui") | {"ixempra_gui.ui"}
    direct = sorted(
        f"{importer} → {imported}"
        for importer in widgets
        for imported in graph.find_modules_directly_imported_by(importer)
        if imported == forbidden or imported.startswith(forbidden + ".")
    )
    assert direct == []

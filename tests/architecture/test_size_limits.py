"""Small modules and short functions, measured so they cannot creep back (issue 15, point 9):
no module of ixempra_gui over 400 lines, tables included (data moves to resources/ or a module
of its own), and no function over 60 lines, data literals aside.

A function's length runs from its ``def`` (or first decorator) to its last line, docstring,
comments and blank lines included; a nested function counts in its parent and on its own.
"Data literals aside": the lines of a literal table inside a function (a dict, list, tuple or
set display whose every item is a constant: strings, numbers, None, True/False, or such
displays) are not counted, as they would not be in a module of their own. Expressions,
calls and f-strings are code and count.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import REPO

MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
SOURCES = sorted((REPO / "ixempra_gui").rglob("*.py"))


def _is_constant_literal(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return isinstance(node.operand, ast.Constant)
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return all(_is_constant_literal(item) for item in node.elts)
    if isinstance(node, ast.Dict):
        return all(
            key is not None and _is_constant_literal(key) and _is_constant_literal(value)
            for key, value in zip(node.keys, node.values, strict=True)
        )
    return False


def _literal_lines(function: ast.AST) -> set[int]:
    """The lines of constant tables (containers only: a lone constant is not a table)."""
    lines: set[int] = set()
    for node in ast.walk(function):
        if isinstance(node, ast.List | ast.Tuple | ast.Set | ast.Dict) and _is_constant_literal(
            node
        ):
            assert node.end_lineno is not None
            lines.update(range(node.lineno, node.end_lineno + 1))
    return lines


def function_lengths(source: str) -> list[tuple[str, int, int]]:
    """(qualified name, first line, length without data literals) of every function."""
    found: list[tuple[str, int, int]] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                first = min([child.lineno, *(d.lineno for d in child.decorator_list)])
                assert child.end_lineno is not None
                span = set(range(first, child.end_lineno + 1))
                name = f"{prefix}{child.name}"
                found.append((name, first, len(span - _literal_lines(child))))
                visit(child, f"{name}.")
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")
            else:
                visit(child, prefix)

    visit(ast.parse(source), "")
    return found


def _name(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


@pytest.mark.parametrize("path", SOURCES, ids=_name)
def test_no_module_over_400_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES, f"{_name(path)}: {lines} lines (at most {MAX_MODULE_LINES})"


@pytest.mark.parametrize("path", SOURCES, ids=_name)
def test_no_function_over_60_lines(path: Path) -> None:
    long = [
        f"{_name(path)}:{line} {name}: {length} lines"
        for name, line, length in function_lengths(path.read_text(encoding="utf-8"))
        if length > MAX_FUNCTION_LINES
    ]
    assert long == [], f"functions over {MAX_FUNCTION_LINES} lines: {long}"


def test_the_measure_counts_code_and_sets_constant_tables_aside() -> None:
    body = "\n".join(f"    x{i} = compute({i})" for i in range(61))
    table = "\n".join(f"        'key{i}': ('text', {i}, None)," for i in range(80))
    source = (
        f"def long():\n{body}\n"
        f"def table():\n    rows = {{\n{table}\n    }}\n    return rows\n"
        "class C:\n    def method(self):\n        def inner():\n            return [f(1)]\n"
    )
    lengths = {name: length for name, _, length in function_lengths(source)}
    assert lengths["long"] == 62  # code counts, every line
    assert lengths["table"] == 2  # the def and the return: the table is data
    assert lengths["C.method"] == 3 and lengths["C.method.inner"] == 2

"""Imports belong at the top of a module (issue 15, point 5): what the window's first frame
does not need is reached through the lazy seams (``presentation.loader``, ``ui.loader``), not
through imports scattered in function bodies. An import inside a function is allowed only with
a comment, on its line or directly above its block of imports, that says why it must be local
(e.g. the self-test's checks: a part missing from an install fails that check only).
``if TYPE_CHECKING:`` imports are at module level and are not concerned.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import REPO

SOURCES = sorted((REPO / "ixempra_gui").rglob("*.py"))


def unexplained_local_imports(source: str) -> list[int]:
    """Line numbers of imports inside a function with no comment saying why."""
    lines = source.splitlines()
    found: list[int] = []

    def reason(line: str) -> bool:
        """A comment that is not only a directive to a tool (``# type: ignore``, ``# noqa``)."""
        comment = line.partition("#")[2].strip() if "#" in line else ""
        return bool(comment) and not comment.startswith(("type:", "noqa", "pragma:"))

    def explained(block: list[ast.stmt]) -> bool:
        first = block[0].lineno
        above = lines[first - 2].strip() if first >= 2 else ""
        return reason(lines[first - 1]) or (above.startswith("#") and reason(above))

    def visit(node: ast.AST, in_function: bool) -> None:
        for field in ("body", "orelse", "finalbody", "handlers"):
            statements = getattr(node, field, None)
            if not isinstance(statements, list):
                continue
            block: list[ast.stmt] = []
            for statement in [*statements, None]:
                if isinstance(statement, ast.Import | ast.ImportFrom) and in_function:
                    block.append(statement)
                    continue
                if block and not explained(block):
                    found.extend(s.lineno for s in block)
                block = []
        for child in ast.iter_child_nodes(node):
            inner = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            visit(child, inner)

    visit(ast.parse(source), False)
    return sorted(set(found))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_every_import_in_a_function_says_why_it_is_local(path: Path) -> None:
    lines = unexplained_local_imports(path.read_text(encoding="utf-8"))
    assert lines == [], f"{path.name}: imports inside functions without a reason, lines {lines}"


def test_the_rule_sees_imports_in_functions_and_their_comments() -> None:
    source = (
        "import os\n"
        "def bare():\n    import json\n    return json\n"
        "def explained():\n    # only here: the CLI does not need it\n    import json\n"
        "    from decimal import Decimal\n\n    import re\n    return json\n"
        "def trailing():\n    import json  # only here: start-up\n    return json\n"
        "class C:\n    def m(self):\n        if True:\n            from x import y\n"
        "def typed():\n    import barcode  # type: ignore[import-untyped]\n"
    )
    assert unexplained_local_imports(source) == [3, 18, 20]

"""The core is pure: no module under ixempra_gui/core (nor the journal, nor the CLIs) imports Qt.

The import-linter contracts in pyproject.toml say the same; this test needs no extra tool, and
CI also runs the core tests where PySide6 is not installed at all.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

JOURNAL = sorted((REPO / "ixempra_gui" / "journal").rglob("*.py"))
CORE = sorted((REPO / "ixempra_gui" / "core").glob("*.py"))
# The site journal's driver, allowed only where the PostgreSQL journal lives (issue 14).
PSYCOPG_ALLOWED = ("postgres", "site_config.py")
PURE = [
    *CORE,
    *JOURNAL,
    *(
        path
        for layer in ("presentation", "cli", "system")
        for path in sorted((REPO / "ixempra_gui" / layer).rglob("*.py"))
    ),
]
FORBIDDEN = ("PySide6", "shiboken6", "ixempra_gui.ui", "ixempra_gui.app")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", PURE, ids=lambda p: p.name)
def test_no_qt_import(path: Path) -> None:
    bad = {n for n in _imports(path) if n.split(".")[0] in FORBIDDEN or n.startswith(FORBIDDEN)}
    assert not bad, f"{path.name} imports {bad}"


def test_cli_run_loads_no_qt_module() -> None:
    code = (
        "import sys, ixempra_gui.cli.calc as c; "
        "c.main(['--height','170','--weight','70','--regimen','monotherapy','--ast','30',"
        "'--ast-uln','40','--alt','25','--alt-uln','40','--bilirubin','0.8',"
        "'--bilirubin-uln','1.2','--json']); "
        "print(sorted(m for m in sys.modules if m.startswith(('PySide6','shiboken6'))))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize("path", CORE, ids=lambda p: p.name)
def test_core_uses_only_stdlib_pint_biip_and_itself(path: Path) -> None:
    bad = {
        n
        for n in _imports(path)
        if not (
            n.split(".")[0] in sys.stdlib_module_names
            or n.split(".")[0] in ("pint", "biip")
            or n == "ixempra_gui"  # the version string
            or n.startswith("ixempra_gui.core")
        )
    }
    assert not bad, f"{path.name} imports {bad}"


@pytest.mark.parametrize("path", JOURNAL, ids=lambda p: p.relative_to(REPO).as_posix())
def test_journal_uses_only_stdlib_pint_platformdirs_and_the_core(path: Path) -> None:
    # site_settings (where the settings folder is) and private_files (owner-only, atomic files)
    # are stdlib-only helpers the journal shares with the window (the anchor lives beside the
    # window's settings.ini).
    allowed_ours = (
        "ixempra_gui.core",
        "ixempra_gui.journal",
        "ixempra_gui.system",
    )
    relative = path.relative_to(REPO / "ixempra_gui" / "journal").parts
    drivers = ("psycopg",) if relative[0] in PSYCOPG_ALLOWED else ()
    if relative[0] == "bag_label.py":  # the bag label's Code 128 (python-barcode), drawn lazily
        drivers = ("barcode",)
    bad = {
        n
        for n in _imports(path)
        if not (
            n.split(".")[0] in sys.stdlib_module_names
            or n.split(".")[0] in ("pint", "platformdirs", *drivers)
            or n == "ixempra_gui"
            or n.startswith(allowed_ours)
        )
    }
    assert not bad, f"{path.name} imports {bad}"


def test_journal_cli_run_loads_no_qt_module(tmp_path: Path) -> None:
    code = (
        "import sys, ixempra_gui.cli.journal as j; j.main(['list']); "
        "print(sorted(m for m in sys.modules if m.startswith(('PySide6','shiboken6'))))"
    )
    env = {**os.environ, "IXEMPRA_DATA_DIR": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, env=env
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "[]"

"""Shared test helpers. No Qt here: the core tests also run where PySide6 is not installed."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from pg_support import pg_cluster, pg_site  # noqa: F401  (fixtures of the PostgreSQL tests)

# Before anything imports Qt: a QGuiApplication reads this once, and CI has no display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# Before any fixture runs (module- and session-scoped ones run before the per-test folders
# below): the session's own settings and journal folders, so nothing a test does can reach the
# developer's real settings, journal or journal anchor (issue 13.4: the anchor lives in the
# settings folder and is not keyed by the journal's path).
_SESSION_FOLDER = Path(tempfile.mkdtemp(prefix="ixempra-tests-"))
os.environ["IXEMPRA_CONFIG_DIR"] = str(_SESSION_FOLDER / "config")
os.environ["IXEMPRA_DATA_DIR"] = str(_SESSION_FOLDER / "data")
atexit.register(shutil.rmtree, _SESSION_FOLDER, ignore_errors=True)

REPO = Path(__file__).resolve().parent.parent
SHARED_SPEC = REPO.parent / "shared" / "spec"

# A normal adult with normal labs (reference case v01): tests change one thing at a time.
V01 = {
    "--height": "170 cm",
    "--weight": "70 kg",
    "--regimen": "monotherapy",
    "--ast": "30 U/L",
    "--ast-uln": "40 U/L",
    "--alt": "25 U/L",
    "--alt-uln": "40 U/L",
    "--bilirubin": "0.8 mg/dL",
    "--bilirubin-uln": "1.2 mg/dL",
    "--anc": "1800",
    "--platelets": "150000",
}


def order_kwargs(**changes: Any) -> dict[str, Any]:
    """V01 as Order keyword arguments, with changes."""
    base = {key[2:].replace("-", "_"): value for key, value in V01.items()}
    base.update(changes)
    return base


def run_module(
    module: str,
    args: list[str],
    env_changes: dict[str, str | None] | None = None,
    stdin: str = "",
) -> subprocess.CompletedProcess[str]:
    """``python -m module args`` in a fresh interpreter, from the checkout (None unsets);
    ``stdin`` is its standard input (never the terminal: nothing can prompt)."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    for name, value in (env_changes or {}).items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
    )


def run_calc(args: list[str]) -> subprocess.CompletedProcess[str]:
    """Run the real ixempra-calc entry point."""
    return run_module("ixempra_gui.cli.calc", args)


def cli_args(
    changes: dict[str, str | None] | None = None, flags: tuple[str, ...] = ()
) -> list[str]:
    """V01 as CLI arguments; a change to None drops that option."""
    merged: dict[str, str | None] = {**V01, **(changes or {})}
    args = [part for key, value in merged.items() if value is not None for part in (key, value)]
    return [*args, *flags]


@pytest.fixture(autouse=True)
def _private_settings(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Every test gets its own settings and journal folders: the user's real settings and
    journal are never read or written, and no test sees another's (the window reads
    IXEMPRA_CONFIG_DIR, and the journal, when a patient id is typed, IXEMPRA_DATA_DIR). No
    machine's site.ini or IXEMPRA_JOURNAL_URL points a test at a site journal: tests that
    want one set them."""
    monkeypatch.setenv("IXEMPRA_CONFIG_DIR", str(tmp_path_factory.mktemp("config")))
    monkeypatch.setenv("IXEMPRA_DATA_DIR", str(tmp_path_factory.mktemp("data")))
    site = tmp_path_factory.mktemp("site")
    monkeypatch.setenv("IXEMPRA_SITE_INI", str(site / "site.ini"))  # absent unless written
    monkeypatch.delenv("IXEMPRA_JOURNAL_URL", raising=False)


@pytest.fixture(autouse=True)
def _no_unanswered_message_box(monkeypatch: pytest.MonkeyPatch) -> None:
    """A window test never waits for ever: QMessageBox's static functions wait for a click
    that never comes offscreen, and the whole run would hang. A test that expects a box
    replaces it (monkeypatch) or answers it; any other fails at once and says what the box
    would have said. Only where Qt is already loaded (the core tests never load it)."""
    widgets = sys.modules.get("PySide6.QtWidgets")
    if widgets is None:
        return

    def unexpected(*args: object, **_kwargs: object) -> None:
        said = next((a for a in args[2:] if isinstance(a, str)), args)
        raise AssertionError(f"an unexpected message box would wait for a click: {said}")

    for name in ("information", "warning", "critical", "question", "about"):
        monkeypatch.setattr(widgets.QMessageBox, name, unexpected)


@pytest.fixture(scope="session")
def reference_cases() -> list[dict[str, Any]]:
    path = SHARED_SPEC / "reference-cases.json"
    if not path.is_file():
        pytest.skip(
            f"visible reference cases not found at {path} (../shared is not beside the repo)"
        )
    return json.loads(path.read_text(encoding="utf-8"))

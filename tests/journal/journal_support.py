"""Helpers for the journal tests (a plain module: a conftest.py here would shadow the shared one).

Imported as ``journal_support``: pytest puts this folder on sys.path (rootdir-relative imports).
"""

from __future__ import annotations

import sqlite3
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

from conftest import cli_args, order_kwargs, run_module

from ixempra_gui.core.calculator import calculate
from ixempra_gui.core.models import Order
from ixempra_gui.journal.entries import NewRecord
from ixempra_gui.journal.store import DEFAULT_ANCHOR, Journal

DAY0 = date(2025, 3, 1)


def new_record(
    patient_id: str = "MRN-1",
    administered_on: date = DAY0,
    prepared_by: str = "A. Pharmacist",
    verified_by: str = "B. Checker",
    **order_changes: Any,
) -> NewRecord:
    """A verified reference-case v01 dose (72.8 mg, 75 units), with changes to the order."""
    order = Order(**order_kwargs(**order_changes))
    return NewRecord(patient_id, administered_on, prepared_by, verified_by, order, calculate(order))


def fill(folder: Path, count: int, *, anchor: Any = DEFAULT_ANCHOR, **kwargs: Any) -> list[int]:
    """Record ``count`` doses (each for its own patient) and return their ids. ``anchor``: the
    test's own anchor (its IXEMPRA_CONFIG_DIR) by default; None for a journal made outside any
    test's settings (a module fixture)."""
    with Journal.open(folder, anchor=anchor) as journal:
        return [journal.record(new_record(patient_id=f"P-{i}", **kwargs)).id for i in range(count)]


def raw(folder: Path) -> sqlite3.Connection:
    """A connection that is not the app's: what someone with the sqlite3 shell would have."""
    return sqlite3.connect(folder / "journal.sqlite3", isolation_level=None)


def run_journal(
    folder: Path, args: list[str], env: dict[str, str | None] | None = None
) -> subprocess.CompletedProcess[str]:
    """The real ixempra-journal, with IXEMPRA_DATA_DIR set to ``folder``."""
    return run_module(
        "ixempra_gui.journal_cli", args, {"IXEMPRA_DATA_DIR": str(folder), **(env or {})}
    )


def run_calc_in(folder: Path, args: list[str]) -> subprocess.CompletedProcess[str]:
    """The real ixempra-calc, with IXEMPRA_DATA_DIR set to ``folder``."""
    return run_module("ixempra_gui.cli", args, {"IXEMPRA_DATA_DIR": str(folder)})


def record_args(
    patient_id: str,
    administered_on: str = DAY0.isoformat(),
    changes: dict[str, str | None] | None = None,
    flags: tuple[str, ...] = (),
    prepared_by: str = "A. Pharmacist",
    verified_by: str = "B. Checker",
) -> list[str]:
    """``ixempra-journal record`` arguments for reference case v01 (with changes)."""
    return [
        "record",
        *cli_args(changes, flags),
        "--patient-id",
        patient_id,
        "--administered-on",
        administered_on,
        "--prepared-by",
        prepared_by,
        "--verified-by",
        verified_by,
    ]


def printed_id(stdout: str) -> int:
    """The record id ``record`` printed alone on its last line."""
    last = stdout.rstrip("\n").splitlines()[-1]
    assert last.isdigit(), f"last line is not an id alone: {last!r}"
    return int(last)


# A process that records ``count`` doses in a tight loop through the API, printing
# "<id> <patient id>" after each commit: what the crash and concurrency tests kill or race.
LOOP_SCRIPT = """
import sys
from datetime import date
from ixempra_gui.core.calculator import calculate
from ixempra_gui.core.models import Order
from ixempra_gui.journal.entries import NewRecord
from ixempra_gui.journal.store import Journal
order = Order(height="170 cm", weight="70 kg", regimen="monotherapy", ast="30 U/L",
              ast_uln="40 U/L", alt="25 U/L", alt_uln="40 U/L", bilirubin="0.8 mg/dL",
              bilirubin_uln="1.2 mg/dL", anc="1800", platelets="150000")
result = calculate(order)
tag, count = sys.argv[1], int(sys.argv[2])
with Journal.open() as journal:
    for i in range(count):
        new = NewRecord(f"{tag}-{i}", date(2025, 3, 1), "A", "B", order, result)
        stored = journal.record(new, acknowledge_history=True)
        print(stored.id, stored.patient_id, flush=True)
"""


def start_loop(folder: Path, tag: str, count: int) -> subprocess.Popen[str]:
    import os
    import sys

    from conftest import REPO

    env = dict(os.environ, PYTHONPATH=str(REPO), IXEMPRA_DATA_DIR=str(folder))
    return subprocess.Popen(
        [sys.executable, "-c", LOOP_SCRIPT, tag, str(count)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=REPO,
    )


def complete_lines(stdout: str) -> list[str]:
    """Lines that were written whole (a killed process may stop mid-line)."""
    return [line[:-1] for line in stdout.splitlines(keepends=True) if line.endswith("\n")]

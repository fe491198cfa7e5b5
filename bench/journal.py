"""What recording one verified dose costs, against a bare SQLite insert + commit, same disk, same
run.

Both sides use one open connection in WAL mode with ``synchronous=FULL`` (so each commit waits
for the disk), in the same folder, and write about the same number of bytes per row; the
baseline is the cheapest durable write SQLite can do, so the ratio is the journal's own
overhead: building the record (the ``--json`` result, canonical JSON, SHA-256), taking the write
lock, checking the chain's head, reading the patient's history, inserting, and updating the head.
Target: ratio <= 3 (issue #6). Iterations alternate between the two sides, so drift in the
disk's speed hits both; medians of many. Prints figures only; never fails on timings.

Run from the repository root: python bench/journal.py [--dir FOLDER] [--count N]
(the default folder is a temporary one inside the current directory: put it on the disk the
journal will live on; /tmp may be a RAM disk, where fsync costs nothing).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if importlib.util.find_spec("ixempra_gui") is None:  # a checkout that is not installed
    sys.path.insert(0, str(REPO_ROOT))

from ixempra_gui.core.calculator import calculate  # noqa: E402
from ixempra_gui.core.models import Order  # noqa: E402
from ixempra_gui.journal.chain import canonical_json  # noqa: E402
from ixempra_gui.journal.entries import NewRecord  # noqa: E402
from ixempra_gui.journal.store import Journal  # noqa: E402

# Reference case v01.
ORDER = Order(
    height="170 cm",
    weight="70 kg",
    regimen="monotherapy",
    ast="30 U/L",
    ast_uln="40 U/L",
    alt="25 U/L",
    alt_uln="40 U/L",
    bilirubin="0.8 mg/dL",
    bilirubin_uln="1.2 mg/dL",
)
PATIENTS = 40  # records rotate over this many patients, each dosed every 21 days


def filesystem_of(path: Path) -> str:
    """Best effort: the mount's file system type (Linux), for the printout."""
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return "unknown"
    best, kind = "", "unknown"
    target = str(path.resolve())
    for line in mounts:
        parts = line.split()
        if len(parts) >= 3 and target.startswith(parts[1]) and len(parts[1]) > len(best):
            best, kind = parts[1], f"{parts[2]} on {parts[1]}"
    return kind


def bare_connection(path: Path, journal_mode: str = "WAL") -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA journal_mode = {journal_mode}")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, data TEXT NOT NULL)")
    return conn


def run(folder: Path, count: int) -> None:
    result = calculate(ORDER)
    if not result.ready_to_prepare:
        raise RuntimeError("reference case v01 did not compute")
    day = date(2025, 3, 1)
    records = [
        NewRecord(
            f"MRN-{i % PATIENTS:04d}",
            day + timedelta(days=21 * (i // PATIENTS)),
            "A. Pharmacist",
            "B. Checker",
            ORDER,
            result,
        )
        for i in range(count + 20)
    ]
    journal = Journal.open(folder / "journal")
    # The same code without waiting for the disk: what the journal itself costs (CPU, writes).
    cpu_only = Journal.open(folder / "no-sync")
    cpu_only._conn.execute("PRAGMA synchronous = OFF")
    bare = bare_connection(folder / "bare.sqlite3")
    # The baseline writes rows as large as a journal record's signed content.
    payload = "x" * len(canonical_json(journal.record(records[0]).content))

    # SQLite's default mode (rollback journal): more syncs per commit; shown for context only.
    default = bare_connection(folder / "default.sqlite3", "DELETE")

    def bare_insert(conn: sqlite3.Connection = bare) -> None:
        conn.execute("BEGIN")
        conn.execute("INSERT INTO t (data) VALUES (?)", (payload,))
        conn.execute("COMMIT")

    for new in records[1:20]:  # warm-up: caches, the WAL files, the first pages
        journal.record(new, acknowledge_history=True)
        cpu_only.record(new, acknowledge_history=True)
        bare_insert()
        bare_insert(default)
    ours: list[float] = []
    base: list[float] = []
    rollback: list[float] = []
    no_sync: list[float] = []
    clock = time.perf_counter
    for new in records[20:]:
        t0 = clock()
        journal.record(new, acknowledge_history=True)
        t1 = clock()
        bare_insert()
        t2 = clock()
        bare_insert(default)
        t3 = clock()
        cpu_only.record(new, acknowledge_history=True)
        t4 = clock()
        ours.append(t1 - t0)
        base.append(t2 - t1)
        rollback.append(t3 - t2)
        no_sync.append(t4 - t3)
    assert journal.verify().ok
    row_bytes = len(payload)
    journal.close()
    cpu_only.close()
    bare.close()
    default.close()

    def ms(values: list[float], q: float | None = None) -> str:
        if q is None:
            return f"{statistics.median(values) * 1e3:.3f} ms"
        return f"{statistics.quantiles(values, n=10)[int(q * 10) - 1] * 1e3:.3f} ms"

    med_ours, med_base = statistics.median(ours), statistics.median(base)
    ratio = med_ours / med_base
    print(f"{count} alternating iterations, medians (p90 in brackets); row about {row_bytes} B")
    print(f"  record one verified dose (Journal.record): {ms(ours)} [{ms(ours, 0.9)}]")
    print(f"  bare INSERT + COMMIT, WAL, synchronous=FULL: {ms(base)} [{ms(base, 0.9)}]")
    verdict = "ok" if ratio <= 3 else "ABOVE TARGET"
    print(f"  ratio {ratio:.2f} (target <= 3) {verdict}")
    print(
        f"  for context, bare INSERT + COMMIT in SQLite's default rollback-journal mode, "
        f"synchronous=FULL: {ms(rollback)} (ratio {med_ours / statistics.median(rollback):.2f})"
    )
    print(
        f"  for context, the same journal code with synchronous=OFF (no wait for the disk): "
        f"{ms(no_sync)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, default=Path.cwd(), help="disk to measure on")
    parser.add_argument("--count", type=int, default=300, help="iterations (default 300)")
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=".ixempra-bench-", dir=args.dir))
    try:
        print(
            f"Python {platform.python_version()} | SQLite {sqlite3.sqlite_version} | "
            f"{platform.platform()}"
        )
        print(f"folder {folder} ({filesystem_of(folder)}), pid {os.getpid()}")
        run(folder, args.count)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()

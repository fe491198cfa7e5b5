"""What recording one verified dose costs, against a bare SQLite insert + commit, same disk, same
run.

Both sides use one open connection in WAL mode with ``synchronous=FULL`` (so each commit waits
for the disk), in the same folder, and write about the same number of bytes per row; the
baseline is the cheapest durable write SQLite can do, so the ratio is the journal's own
overhead: building the record (the ``--json`` result, canonical JSON, SHA-256), taking the write
lock, checking the journal (counts, head, anchor, what was added), reading the patient's
history, inserting, and updating the head. Since issue 13 it also keeps its anchor after each
commit (a small file written, synced and renamed: a second durable write, shown alone on its
own line). Target: ratio <= 3 (issue #6). Iterations alternate between the two sides, so drift
in the disk's speed hits both; medians of many. Prints figures only; never fails on timings.

Then the full chain walk at a process start (issue 13.2), timed at 100,000 records against
reading and hashing every record of the same file.

Run from the repository root:
python bench/journal.py [--dir FOLDER] [--count N] [--walk-records N]
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
    anc="1800 /mm3",  # counts are required before every cycle (issue 12)
    platelets="150000 /mm3",
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
    # Each journal keeps its own anchor (issue 13.4) in the bench folder, as the app keeps the
    # user's: never this user's own anchor.
    from ixempra_gui.journal.anchor import AnchorFile, Head

    journal = Journal.open(folder / "journal", anchor=AnchorFile(folder / "anchor-1.json"))
    # The same code without waiting for the disk: what the journal itself costs (CPU, writes).
    cpu_only = Journal.open(folder / "no-sync", anchor=AnchorFile(folder / "anchor-2.json"))
    cpu_only._conn.execute("PRAGMA synchronous = OFF")
    # The same code keeping no anchor: the SQLite part alone, as before issue 13.
    unanchored = Journal.open(folder / "unanchored", anchor=None)
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
        unanchored.record(new, acknowledge_history=True)
        bare_insert()
        bare_insert(default)
    ours: list[float] = []
    base: list[float] = []
    rollback: list[float] = []
    no_sync: list[float] = []
    anchored: list[float] = []
    without_anchor: list[float] = []
    clock = time.perf_counter
    anchor = AnchorFile(folder / "anchor" / "journal-anchor.json")
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
        anchor.write(Head(len(anchored) + 1, "a" * 64), "bench")
        t5 = clock()
        unanchored.record(new, acknowledge_history=True)
        without_anchor.append(clock() - t5)
        anchored.append(t5 - t4)
        ours.append(t1 - t0)
        base.append(t2 - t1)
        rollback.append(t3 - t2)
        no_sync.append(t4 - t3)
    assert journal.verify().ok
    row_bytes = len(payload)
    journal.close()
    cpu_only.close()
    unanchored.close()
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
    print(
        f"  keeping the anchor (issue 13.4: a small file written, synced and renamed after "
        f"each commit), alone: {ms(anchored)}"
    )
    print(
        f"  the same journal keeping no anchor (the SQLite part alone): {ms(without_anchor)} "
        f"(ratio {statistics.median(without_anchor) / med_base:.2f})"
    )


def build_chain(folder: Path, count: int) -> Path:
    """A journal of ``count`` real-sized records (the content of one verified dose, with its
    own id, patient, date and link each), written in one transaction: what the walk reads."""
    result = calculate(ORDER)
    with Journal.open(folder, anchor=None) as journal:
        template = journal.record(
            NewRecord("MRN-0000", date(2025, 3, 1), "A. Pharmacist", "B. Checker", ORDER, result)
        ).content
        conn = journal._conn
        conn.execute("BEGIN IMMEDIATE")
        prev = journal.stored_head()
        assert prev is not None
        prev_hash = prev.hash
        day = date(2000, 1, 1)
        for rid in range(2, count + 1):
            patient = f"MRN-{rid % 5000:04d}"
            content = dict(
                template,
                id=rid,
                prev_hash=prev_hash,
                patient_id=patient,
                patient_key=patient.lower(),
                administered_on=(day + timedelta(days=rid // 5000 * 21)).isoformat(),
            )
            prev_hash = journal._insert(content)
        conn.execute("COMMIT")
    return folder / "journal.sqlite3"


def python_walk(path: Path) -> None:
    """The walk as it was before schema 3 (each record parsed by Python's json): for context."""
    from ixempra_gui.journal.chain import ChainRow, signed_fields, walk

    conn = sqlite3.connect(path)
    rows = (
        ChainRow(rid, digest, text, signed_fields(text))
        for rid, digest, text in conn.execute("SELECT id, hash, content FROM records ORDER BY id")
    )
    report = walk(rows, None)
    conn.close()
    assert report.problem is not None or report.records  # used: the head was not given


def run_walk(folder: Path, count: int) -> None:
    """The full walk at a process start, per record, against reading and hashing every record
    (the least any walk can do), same file, same run; then one open within a session."""
    import hashlib

    from ixempra_gui.journal import integrity

    path = build_chain(folder / "chain", count)
    clock = time.perf_counter

    def read_only() -> None:
        conn = sqlite3.connect(path)
        for _ in conn.execute("SELECT id, hash, content FROM records ORDER BY id"):
            pass
        conn.close()

    def read_and_hash() -> None:
        conn = sqlite3.connect(path)
        for _rid, digest, text in conn.execute("SELECT id, hash, content FROM records ORDER BY id"):
            if hashlib.sha256(text.encode("ascii")).hexdigest() != digest:
                raise AssertionError("bad hash")
        conn.close()

    def full_walk() -> None:
        integrity.forget_walks()  # as a new process
        journal = Journal.open_read_only(folder / "chain", anchor=None)
        assert journal is not None
        with journal:
            assert journal.check().ok

    def session_open() -> None:  # the window's next read: counts, head, what was added
        journal = Journal.open_read_only(folder / "chain", anchor=None)
        assert journal is not None
        with journal:
            assert journal.check().ok

    def best(fn, repeat: int = 3) -> float:
        times = []
        for _ in range(repeat):
            t0 = clock()
            fn()
            times.append(clock() - t0)
        return min(times)

    read_only()  # warm the page cache: every side then reads from memory
    base_read = best(read_only)
    base_hash = best(read_and_hash)
    ours = best(full_walk)
    session = best(session_open, 20)
    old = best(lambda: python_walk(path), 1)
    us = 1e6 / count
    print(f"\nfull chain walk at {count} records (best of 3, file in the page cache)")
    print(f"  walk at a process start (Journal.check): {ours * us:.1f} µs a record, {ours:.2f} s")
    print(f"  baseline: read and SHA-256 every record: {base_hash * us:.1f} µs a record")
    print(f"  ratio {ours / base_hash:.2f} (the walk's own cost over reading and hashing)")
    print(f"  for context: reading alone {base_read * us:.1f} µs a record; the walk parsing each")
    print(f"  record with Python's json (before schema 3): {old * us:.1f} µs a record")
    print(f"  an open within a window session (nothing added): {session * 1e3:.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, default=Path.cwd(), help="disk to measure on")
    parser.add_argument("--count", type=int, default=300, help="iterations (default 300)")
    parser.add_argument(
        "--walk-records",
        type=int,
        default=100_000,
        help="records in the journal whose full walk is timed (default 100000; 0: skip)",
    )
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
        if args.walk_records:
            run_walk(folder, args.walk_records)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()

"""What the window's journal actions cost on a site journal, against bare psycopg, same run.

1. Signing in (``JournalSignIn.probe``: a connection, SCRAM, the session's checks — who, group,
   site, schema version — and the journal's checks on open — head, count, anchor) against a
   bare ``psycopg.connect`` + ``SELECT 1`` with the same password over the same socket. Verify
   pays the same once (``verify_refusal``), and recording opens the preparer's and the
   verifier's sessions.
2. Reading a patient's doses for the History panel (``JournalSignIn.read_doses``: its kept
   session, reopened when it failed; the chain's checks since the last read and each dose's
   hash; 5 doses recorded through the window's own path, ``JournalSignIn.record``) against a
   bare index read of the same rows on a kept connection, a bare connection opened for the
   read (what a session per read would at least cost), and the workstation's SQLite journal
   (``journal_access.read_doses``, the same 5 doses).

A throwaway cluster (tests/pg_cluster.py), a local Unix socket. Medians (p90) of alternating
iterations; prints figures only, never fails on timings.

Run from the repository root: python bench/window_journal.py [--count N]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if importlib.util.find_spec("ixempra_gui") is None:  # a checkout that is not installed
    sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(REPO_ROOT / "tests"))  # pg_cluster: the tests' throwaway cluster
_FOLDER = Path(tempfile.mkdtemp(prefix="ixempra-bench-window-"))
os.environ["IXEMPRA_CONFIG_DIR"] = str(_FOLDER / "config")
os.environ["IXEMPRA_DATA_DIR"] = str(_FOLDER / "data")
os.environ["IXEMPRA_SITE_INI"] = str(_FOLDER / "site.ini")  # absent: the variable decides

import psycopg  # noqa: E402
from pg_cluster import Cluster  # noqa: E402

from ixempra_gui.core.calculator import calculate  # noqa: E402
from ixempra_gui.core.models import Order  # noqa: E402
from ixempra_gui.journal.entries import NewRecord  # noqa: E402
from ixempra_gui.journal.postgres.admin import add_pharmacist, site_init  # noqa: E402
from ixempra_gui.journal.store import Journal  # noqa: E402
from ixempra_gui.presentation import journal_access  # noqa: E402
from ixempra_gui.presentation.journal_sign_in import Credentials, JournalSignIn  # noqa: E402

PATIENT = "MRN-BENCH-1"
PASSWORDS = {"rph_a": "bench-secret-a", "rph_b": "bench-secret-b"}
V01 = {"height": "170 cm", "weight": "70 kg", "regimen": "monotherapy", "ast": "30 U/L"}
V01 |= {"ast_uln": "40 U/L", "alt": "25 U/L", "alt_uln": "40 U/L", "bilirubin": "0.8 mg/dL"}
V01 |= {"bilirubin_uln": "1.2 mg/dL", "anc": "1800", "platelets": "150000"}


def doses() -> list[NewRecord]:
    """Five verified doses of one patient, 21 days apart (no history warning to answer)."""
    order = Order(**V01)
    result = calculate(order)
    return [
        NewRecord(PATIENT, date.today() - timedelta(days=21 * n), "rph_a", "rph_b", order, result)
        for n in range(5, 0, -1)
    ]


def timed(count: int, *sides: Callable[[], object]) -> list[list[float]]:
    """Alternating iterations of each side; milliseconds."""
    times: list[list[float]] = [[] for _ in sides]
    for _ in range(count):
        for i, side in enumerate(sides):
            start = time.perf_counter()
            side()
            times[i].append((time.perf_counter() - start) * 1000)
    return times


def line(name: str, ms: list[float], base: list[float] | None = None) -> str:
    median = statistics.median(ms)
    p90 = statistics.quantiles(ms, n=10)[-1]
    ratio = f"  ×{median / statistics.median(base):.1f}" if base else ""
    return f"  {name:<66} {median:7.2f} ms (p90 {p90:6.2f}){ratio}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=30)
    args = parser.parse_args()
    cluster = Cluster(fsync=True).start()
    os.environ["PGPASSFILE"] = str(cluster.passfile)
    try:
        cluster.psql("CREATE DATABASE bench")
        site_init(cluster.url("postgres", "bench"))
        for user, password in PASSWORDS.items():
            add_pharmacist(cluster.url("postgres", "bench"), user, password=password)
        os.environ["PGPASSFILE"] = str(_FOLDER / "no-passfile")  # the window's password only
        url = cluster.url("rph_a", "bench")
        os.environ["IXEMPRA_JOURNAL_URL"] = url
        site = JournalSignIn()
        assert site.sign_in("rph_a", PASSWORDS["rph_a"]).signed_in
        verifier = Credentials("rph_b", PASSWORDS["rph_b"])
        for new in doses():  # before the workstation's file exists (else: not migrated)
            site.record(new, (), verifier)
        with Journal.open() as local:
            for new in doses():
                local.record(new, acknowledge_history=True)
        credentials = site.credentials("rph_a", PASSWORDS["rph_a"])

        def bare_connect() -> None:
            with psycopg.connect(url, password=PASSWORDS["rph_a"]) as conn:
                conn.execute("SELECT 1").fetchall()

        rows_sql = (
            "SELECT id, hash, content FROM ixempra.records WHERE patient_key = "
            "(SELECT patient_key FROM ixempra.records WHERE id = 2)"
        )
        kept = psycopg.connect(url, password=PASSWORDS["rph_a"], autocommit=True)

        def bare_read() -> None:
            with psycopg.connect(url, password=PASSWORDS["rph_a"]) as conn:
                conn.execute(rows_sql).fetchall()

        sign_in, bare = timed(args.count, lambda: site.probe(credentials), bare_connect)
        read, bare_kept, bare_rows, sqlite = timed(
            args.count,
            lambda: site.read_doses(PATIENT),
            lambda: kept.execute(rows_sql).fetchall(),
            bare_read,
            lambda: journal_access.read_doses(PATIENT, None),
        )
        kept.close()
        found, why = site.read_doses(PATIENT)
        assert why is None and found is not None and len(found) == 5, why
        print(f"window on a site journal, local socket, {args.count} iterations each")
        print(line("bare psycopg connect + SELECT 1 (baseline)", bare))
        print(line("JournalSignIn.probe (sign in: session + journal checks)", sign_in, bare))
        print(line("bare index read of the patient's rows, kept connection (baseline)", bare_kept))
        print(line("JournalSignIn.read_doses (History panel, 5 doses)", read, bare_kept))
        print(
            line(
                "bare connect + the same read (a session per read, at least)", bare_rows, bare_kept
            )
        )
        print(line("SQLite journal_access.read_doses (same 5 doses)", sqlite, bare_kept))
    finally:
        cluster.destroy()


if __name__ == "__main__":
    main()

"""One round trip of the site journal's checks (postgres/checks.py): what it sends — a
transaction, the checks' function (schema_v3.CHECKED_READ), the caller's statements — and what
its answer holds, by the function's parts.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import psycopg

from ixempra_gui.journal.anchor import Head
from ixempra_gui.journal.integrity import IntegrityReport
from ixempra_gui.journal.postgres.libpq_io import libpq_pipeline_results
from ixempra_gui.journal.postgres.rows import CHECKED_READ_SQL


@dataclass
class RoundTrip:
    """What one round trip read, in the order the statements were sent."""

    head: Head | None
    highest: int
    segment: list[tuple[Any, ...]]
    failing: int | None  # the first of the patient's records whose content fails its hash
    again: list[tuple[Any, ...]]  # the patient's records this process read before
    results: list[list[tuple[Any, ...]]]  # the caller's statements' rows
    report: IntegrityReport | None = None


@dataclass
class RoundTripQuery:
    """One round trip's text and what its answer is checked against."""

    text: str
    tails: int
    history: bool
    walked: Head
    anchored: Head | None
    seen: dict[int, tuple[str, str | None]]
    params: dict[str, Any]
    conn: Any = None  # set when sent as a pipeline without waiting (``_send_round_trip``)
    received: bool = False

    def drain(self) -> list[Any]:
        """Every result of the pipeline sent without waiting (once): the session is idle
        after (or its connection closed, when the reading failed)."""
        if self.conn is None or self.received:
            return []
        self.received = True
        return libpq_pipeline_results(self.conn)

    def discard(self) -> None:
        """``drain`` while another error is already on its way out: that error stands (a
        failed reading has closed the connection; the next action reconnects)."""
        with contextlib.suppress(psycopg.Error):
            self.drain()


def round_trip_statements(tail: Sequence[str], *, lock: bool) -> list[str]:
    """The statements of one round trip: a transaction (read-only snapshot unless ``lock``),
    the checks' function, ``tail``; committed at the end unless ``lock``."""
    begin = "BEGIN" if lock else "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"
    statements = [begin, CHECKED_READ_SQL, *tail]
    if not lock:
        statements.append("COMMIT")
    return statements


def read_round_trip(cursor: psycopg.ClientCursor[Any], tails: int, *, history: bool) -> RoundTrip:
    """The result sets of ``round_trip_statements``: the function's rows by part (module
    schema_v3.CHECKED_READ), then each of the tail's."""
    cursor.nextset()
    parts: dict[int, list[tuple[Any, ...]]] = {p: [] for p in range(6)}
    for part, *row in cursor.fetchall():
        parts[int(part)].append(tuple(row))
    results = []
    for _ in range(tails):
        cursor.nextset()
        results.append(cursor.fetchall())
    return parts_read(parts, results, history=history)


def parts_read(
    parts: dict[int, list[tuple[Any, ...]]], tails: list[list[tuple[Any, ...]]], *, history: bool
) -> RoundTrip:
    """The checks' function's rows by part (schema_v3.CHECKED_READ) and the tail's rows."""
    head = next((Head(int(r[0]), str(r[1])) for r in parts[0]), None)
    highest = int(parts[1][0][0])
    failing = min((int(r[0]) for r in parts[3]), default=None)
    again = [(r[0], r[1], r[3], r[4]) for r in parts[4]]  # id, hash, key, date
    results = [parts[5], *tails] if history else tails
    return RoundTrip(head, highest, parts[2], failing, again, results)

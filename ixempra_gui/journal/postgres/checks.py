"""The site journal's integrity (``integrity.ChainSource`` over the network): the head, the
count, one record's hash, the walk streamed from the server, the checks against this
workstation's anchor, and the one round trip that checks the chain before any work uses it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

import psycopg
from psycopg import errors, pq

from ixempra_gui.journal import integrity
from ixempra_gui.journal.anchor import AnchorUnreadable, Head
from ixempra_gui.journal.chain import (
    GENESIS,
    ChainReport,
    ChainRow,
    content_hash_or_none,
    walk,
)
from ixempra_gui.journal.errors import (
    JournalAltered,
)
from ixempra_gui.journal.integrity import IntegrityReport
from ixempra_gui.journal.postgres.base import SessionBase
from ixempra_gui.journal.postgres.libpq_io import libpq_send_pipeline
from ixempra_gui.journal.postgres.round_trips import (
    RoundTrip,
    RoundTripQuery,
    parts_read,
    read_round_trip,
    round_trip_statements,
)
from ixempra_gui.journal.postgres.rows import (
    CHECKED_READ_CALL,
    HISTORY_SQL,
    MAX_ID,
    ROW,
    FetchedChain,
    chain_row,
    changed_since_read,
    checked_read_args,
    rollback,
    server_problem,
)


class ChainChecks(SessionBase):
    """The chain as the server holds it, checked."""

    def stored_head(self) -> Head | None:
        row = (
            self._connection()
            .execute("SELECT last_id, last_hash FROM ixempra.chain_head")
            .fetchone()
        )
        return None if row is None else Head(int(row[0]), str(row[1]))

    def count_and_last(self) -> tuple[int | None, int]:
        row = (
            self._connection()
            .execute("SELECT count(*), coalesce(max(id), 0) FROM ixempra.records")
            .fetchone()
        )
        assert row is not None
        return int(row[0]), int(row[1])

    def record_hash(self, record_id: int) -> tuple[str, str | None] | None:
        if not 0 < record_id <= MAX_ID:
            return None
        memo = self._memo
        if memo is not None and record_id in memo:
            return memo[record_id]
        row = (
            self._connection()
            .execute("SELECT hash, content FROM ixempra.records WHERE id = %s", (record_id,))
            .fetchone()
        )
        found = None if row is None else (str(row[0]), content_hash_or_none(row[1]))
        if memo is not None:
            memo[record_id] = found
        return found

    def find_hash(self, digest: str) -> int | None:
        if digest == GENESIS.hash:
            return 0
        row = (
            self._connection()
            .execute("SELECT id FROM ixempra.records WHERE hash = %s", (digest,))
            .fetchone()
        )
        return None if row is None else int(row[0])

    def walk_from(self, start: Head, head: Head | None) -> ChainReport:
        """The walk, streamed from a server-side cursor; beside it, what only the server
        journal holds is checked for each record (``server_problem``: its verification, or
        its embedded original), the first problem kept for ``verify``."""
        self._walk_problem = None
        conn = self._connection()
        query = (
            f"SELECT r.{ROW.replace(', ', ', r.')}, r.origin, r.prepared_by, r.verified_by, "
            "v.verifier, v.calculation_hash FROM ixempra.records AS r "
            "LEFT JOIN ixempra.verifications AS v ON v.id = r.verification_id "
            "WHERE r.id > %s ORDER BY r.id"
        )
        named = head is None or start.id < head.id  # many rows: streamed; else one query
        with conn.cursor(name="ixempra_walk") if named else conn.cursor() as cursor:
            if isinstance(cursor, psycopg.ServerCursor):
                cursor.itersize = 500
            cursor.execute(query, (start.id,))

            def rows() -> Iterator[ChainRow]:
                for r in cursor:
                    row = chain_row(r)
                    if self._walk_problem is None:
                        problem = server_problem(row, *r[5:])
                        if problem:
                            self._walk_problem = (row.id, problem)
                    yield row

            return walk(rows(), None if head is None else (head.id, head.hash), start)

    def _read_anchor(self) -> Head | None:
        if self.anchor is None:
            return None
        try:
            return self.anchor.read()
        except AnchorUnreadable as exc:
            raise self._altered(
                f"this workstation's anchor for it cannot be read ({exc}), so the journal "
                "cannot be checked against the last head this workstation saw",
                None,
            ) from exc

    def check(self, *, expected_hash: str | None = None, full: bool = False) -> IntegrityReport:
        """The integrity checks (``integrity.check``) in one consistent snapshot, against this
        workstation's anchor for the server, or against ``expected_hash`` instead. The first
        check of a process starts at the server's head (module docstring); ``full`` walks
        every record. JournalError when the server cannot be read."""
        anchored = None
        if expected_hash is None:
            try:
                anchored = self._read_anchor()
            except JournalAltered as exc:
                return IntegrityReport(0, GENESIS, exc.first_bad_id, exc.problem)
        conn = self._connection()
        try:
            with conn.transaction():
                conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                self._memo = {}
                report = integrity.check(
                    self,
                    anchor=anchored,
                    expected_hash=expected_hash,
                    full=full,
                    walk_all_at_start=False,
                )
        except psycopg.Error as exc:
            raise self._failed(exc) from exc
        finally:
            self._memo = None
        return report

    def verify(self, *, expected_hash: str | None = None) -> IntegrityReport:
        """Walk the whole chain (ids, hashes, links, generated columns, keys, head, the anchor
        or ``expected_hash``), then what only the server journal holds: each recorded dose's
        verification (its verifier, its calculation hash, which must be the hash of the
        record's calculation) and each migrated record's embedded original (its hash). Keeps
        the anchor when all holds (not for an expected head)."""
        self._walk_problem = None
        report = self.check(expected_hash=expected_hash, full=True)
        if report.ok and self._walk_problem is not None:
            bad_id, problem = self._walk_problem
            integrity.forget_journal(self._location)
            return replace(report, first_bad_id=bad_id, problem=problem)
        if report.ok and expected_hash is None:
            self.move_anchor(report.head)
        return report

    def move_anchor(self, head: Head, *, force: bool = False) -> None:
        """Keep ``head`` in this workstation's anchor for the server (forward only); a failure
        is a warning: the journal itself is intact."""
        self.anchor_move(head, force=force)()

    def _require(self, report: IntegrityReport) -> IntegrityReport:
        if not report.ok:
            raise self._altered(report.problem or "", report.first_bad_id)
        return report

    def _checked_round_trip(
        self,
        conn: psycopg.Connection[Any],
        tail: Sequence[str],
        params: dict[str, Any],
        *,
        lock: bool,
        key: str | None = None,
    ) -> tuple[IntegrityReport, list[list[tuple[Any, ...]]]]:
        """One round trip: a transaction (the chain lock taken first when ``lock``; else a
        read-only snapshot, committed at its end), what the checks need, then ``tail``'s
        statements. The chain is checked before anything is used, and, for a patient
        (``key``), every record of theirs this process read before: JournalAltered (the
        transaction rolled back) when either fails. Returns the report and ``tail``'s rows;
        with ``lock`` the transaction stays open for the caller's INSERT and COMMIT."""
        query = self._round_trip_query(conn, tail, params, lock=lock, key=key)
        cursor = psycopg.ClientCursor(conn)
        try:
            cursor.execute(query.text)  # bound already: no placeholder is read again
            read = read_round_trip(cursor, query.tails, history=query.history)
        except BaseException:
            rollback(conn)
            raise
        return self._judged(conn, read, query, key)

    def _send_round_trip(
        self, conn: psycopg.Connection[Any], params: dict[str, Any], *, key: str
    ) -> RoundTripQuery:
        """The recording's round trip (the chain lock, the checks, the history), sent without
        waiting: the content is drafted while the server works. ``_receive_round_trip`` reads
        it; ``query.drain()`` when anything fails first (the session stays usable)."""
        query = self._round_trip_query(conn, [HISTORY_SQL], params, lock=True, key=key, bind=False)
        query.conn = conn
        # BEGIN and the checks' function, its arguments as parameters, in one pipeline.
        libpq_send_pipeline(
            conn, [(b"BEGIN", []), (CHECKED_READ_CALL, checked_read_args(query.params))]
        )
        return query

    def _receive_round_trip(
        self, conn: psycopg.Connection[Any], query: RoundTripQuery, key: str
    ) -> tuple[IntegrityReport, list[list[tuple[Any, ...]]]]:
        """What ``_send_round_trip`` asked, checked as ``_checked_round_trip`` checks it."""
        results = query.drain()
        parts: dict[int, list[tuple[Any, ...]]] = {p: [] for p in range(6)}
        for result in results:
            if result.status not in (pq.ExecStatus.COMMAND_OK, pq.ExecStatus.TUPLES_OK):
                raise errors.error_from_result(result, encoding=conn.info.encoding)
            for i in range(result.ntuples):
                part, rid, *texts = (result.get_value(i, c) for c in range(6))
                decoded = [None if t is None else t.decode(conn.info.encoding) for t in texts]
                parts[int(part)].append((int(rid), *decoded))
        return self._judged(conn, parts_read(parts, [], history=True), query, key)

    def _round_trip_query(
        self,
        conn: psycopg.Connection[Any],
        tail: Sequence[str],
        params: dict[str, Any],
        *,
        lock: bool,
        key: str | None,
        bind: bool = True,
    ) -> RoundTripQuery:
        """The round trip's statements bound to what this process checked before (its text
        only when ``bind``; its parameters always)."""
        walked = integrity.walked_head(self._location)
        if walked is None:  # not checked in this process yet (a new process, or forgotten)
            self._require(self.check())
            walked = integrity.walked_head(self._location)
            assert walked is not None
        anchored = self._read_anchor()
        seen = integrity.seen(self._location, key) if key is not None else {}
        params = {
            **params,
            "walked": walked.id,
            "anchor": (anchored or walked).id,
            "seen": sorted(seen),
            "key": key,
            "lock": lock,
        }
        history = bool(tail) and tail[0] == HISTORY_SQL  # read by the function (schema 3)
        tail = tail[1:] if history else tail
        if not history:
            params = {**params, "start": None, "day": None}
        # One round trip, the statements as one message, bound here: the checks' function
        # first (the chain lock, then the reads, in order: schema_v3.CHECKED_READ), then the
        # caller's statements.
        text = (
            psycopg.ClientCursor(conn).mogrify(
                "; ".join(round_trip_statements(tail, lock=lock)), params
            )
            if bind
            else ""
        )
        return RoundTripQuery(text, len(tail), history, walked, anchored, seen, params)

    def _judged(
        self,
        conn: psycopg.Connection[Any],
        read: RoundTrip,
        query: RoundTripQuery,
        key: str | None,
    ) -> tuple[IntegrityReport, list[list[tuple[Any, ...]]]]:
        self._judge_round_trip(conn, read, query.walked, query.anchored, key, query.seen)
        assert read.report is not None
        return read.report, read.results

    def _judge_round_trip(
        self,
        conn: psycopg.Connection[Any],
        read: RoundTrip,
        walked: Head,
        anchored: Head | None,
        key: str | None,
        seen: dict[int, tuple[str, str | None]],
    ) -> None:
        """The chain as the round trip read it, checked; the patient's records too. Anything
        that fails rolls the transaction back and raises JournalAltered."""
        fetched = FetchedChain(self._location, read.head, read.highest, read.segment, walked)
        report = integrity.check(fetched, anchor=anchored, walk_all_at_start=False)
        read.report = report
        if not report.ok:
            rollback(conn)
            raise self._altered(report.problem or "", report.first_bad_id)
        if read.failing is not None:
            rollback(conn)
            raise self._altered(
                f"record {read.failing}: its content does not match its hash (edited?)",
                read.failing,
            )
        if key is not None and (changed := changed_since_read(seen, read.again, key)) is not None:
            rollback(conn)
            raise self._altered(
                f"record {changed} was removed or changed after this session read it", changed
            )

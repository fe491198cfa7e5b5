"""Talking to the server through libpq without waiting inside it: statements sent as one
pipeline (libpq's pipeline mode: one write, one round trip, each statement its own snapshot,
values as parameters apart from the SQL), answers awaited in ``select``.

Why not psycopg's own calls: waiting inside libpq holds the GIL (the window's other threads
freeze, and a thread of this process waiting for the chain lock would stop the one holding
it), and psycopg's pipeline costs ~0.15 ms of this process's time per use.
"""

from __future__ import annotations

import select
from typing import Any

import psycopg
from psycopg import errors, pq


def libpq_flush(pgconn: Any) -> None:
    """Send what libpq holds for the server, waiting in ``select`` while the socket is full."""
    while pgconn.flush():
        select.select([], [pgconn.socket], [])


#: What a lost connection is said as (postgres/errors.py classifies it as unreachable).
LOST = "server closed the connection while its answers were awaited"
Statement = tuple[bytes, list[str | None]]  # SQL with $1... and its parameters (None: NULL)


def libpq_send_pipeline(conn: psycopg.Connection[Any], statements: list[Statement]) -> None:
    """Send ``statements`` — each bound to its parameters, sent apart from the SQL, never
    spliced into it — as one pipeline (libpq's pipeline mode: one write, one round trip,
    each statement its own snapshot) without waiting; ``libpq_pipeline_results`` reads it."""
    pgconn = conn.pgconn
    encoding = conn.info.encoding
    pgconn.enter_pipeline_mode()
    try:
        for sql, params in statements:
            values = [None if p is None else p.encode(encoding) for p in params]
            pgconn.send_query_params(sql, values or None)
        pgconn.pipeline_sync()
        libpq_flush(pgconn)
    except BaseException:
        conn.close()  # half sent: never reused (the next action reconnects)
        raise


def libpq_send_committing(
    conn: psycopg.Connection[Any], statement: bytes, params: list[str]
) -> None:
    """``statement`` and COMMIT as one pipeline (``libpq_send_pipeline``)."""
    libpq_send_pipeline(conn, [(statement, list(params)), (b"COMMIT", [])])


def libpq_pipeline_results(conn: psycopg.Connection[Any]) -> list[Any]:
    """Every result of a pipeline ``libpq_send_pipeline`` sent (waiting in ``select``), then
    pipeline mode left: the session is idle again. A statement after a failed one is skipped
    by the server (its result says so). Whatever stops the reading before the pipeline's end
    (a lost connection: psycopg.OperationalError; an interrupt) closes the connection: a
    session is never left mid-pipeline with its transaction, and the chain lock, held."""
    pgconn = conn.pgconn
    results: list[Any] = []
    try:
        ended = False  # a statement's results ended (libpq then gives one None)
        while True:
            result = _next_result(pgconn)
            if result is None:
                if ended or pgconn.status != pq.ConnStatus.OK:  # no answer is coming
                    raise psycopg.OperationalError(LOST)
                ended = True
                continue
            ended = False
            if result.status == pq.ExecStatus.PIPELINE_SYNC:
                pgconn.exit_pipeline_mode()
                return results
            results.append(result)
    except BaseException:
        conn.close()  # the server rolls the transaction back and frees its locks
        raise


def libpq_pipeline_answers(conn: psycopg.Connection[Any]) -> None:
    """Wait for the answers to ``libpq_send_committing``; the first error raised as
    psycopg's (the COMMIT after a failed statement is skipped: the transaction is then left
    for a ROLLBACK)."""
    for result in libpq_pipeline_results(conn):
        if result.status not in _ANSWERED:
            raise errors.error_from_result(result, encoding=conn.info.encoding)


_ANSWERED = (pq.ExecStatus.COMMAND_OK, pq.ExecStatus.TUPLES_OK)


def libpq_results(pgconn: Any) -> list[Any]:
    """Every result of a query sent through libpq (``send_query``...)."""
    results: list[Any] = []
    while (result := _next_result(pgconn)) is not None:
        results.append(result)
    return results


def _next_result(pgconn: Any) -> Any:
    """libpq's next result (None: the statement's results ended), waiting for the server in
    ``select`` — never in libpq holding the GIL, which would freeze the window's other threads
    and, while the chain lock is awaited, the thread of this process that holds it."""
    pgconn.consume_input()
    while pgconn.is_busy():
        select.select([pgconn.socket], [], [])
        pgconn.consume_input()
    return pgconn.get_result()

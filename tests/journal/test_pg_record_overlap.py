"""Recording on the site journal sends the chain lock and the checks' reads before the content
is drafted, and the verifier's INSERT beside them (both through libpq, waited for in select).
Whatever fails in between, every answer is read, the transaction is rolled back (the chain
lock freed) and both sessions stay usable; a failed verification records nothing."""

from __future__ import annotations

import threading
from typing import Any

import psycopg
import pytest
from journal_support import new_record
from pg_support import PREPARER, VERIFIER, Site
from psycopg import pq

from ixempra_gui.journal.errors import InvalidRecord, JournalAltered
from ixempra_gui.journal.postgres import store
from ixempra_gui.journal.postgres.errors import ServerBusy, ServerJournalError
from ixempra_gui.journal.postgres.libpq_io import libpq_send_pipeline
from ixempra_gui.journal.postgres.session import VerifierSession
from ixempra_gui.journal.postgres.store import PostgresJournal


def dose(patient: str = "MRN-1") -> Any:
    return new_record(patient_id=patient, prepared_by=PREPARER, verified_by=VERIFIER)


def records(site: Site) -> int:
    return int(site.sql("SELECT count(*) FROM ixempra.records")[0][0])


def test_a_failure_while_drafting_frees_the_lock_and_keeps_the_session(
    pg_site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    with (
        PostgresJournal.open(pg_site.url(PREPARER), anchor=None) as journal,
        VerifierSession.sign_in(pg_site.url(VERIFIER)) as verifier,
    ):
        with monkeypatch.context() as broken:

            def fails(*_: Any) -> Any:
                raise RuntimeError("drafting failed")

            broken.setattr(store, "draft_content", fails)
            with pytest.raises(RuntimeError, match="drafting failed"):
                journal.record(dose(), verifier=verifier)
        assert records(pg_site) == 0
        # The lock is free: another workstation records at once (lock_timeout would say not).
        with PostgresJournal.open(pg_site.url(PREPARER), anchor=None) as other:
            assert other.record(dose("MRN-2"), verifier=verifier).id == 1
        assert journal.record(dose(), verifier=verifier).id == 2
        assert journal.verify().ok


def test_a_refused_verification_records_nothing_and_both_sessions_go_on(pg_site: Site) -> None:
    with (
        PostgresJournal.open(pg_site.url(PREPARER), anchor=None) as journal,
        VerifierSession.sign_in(pg_site.url(VERIFIER)) as verifier,
    ):
        pg_site.sql("REVOKE INSERT ON ixempra.verifications FROM ixempra_pharmacist")
        with pytest.raises(ServerJournalError):
            journal.record(dose(), verifier=verifier)
        assert records(pg_site) == 0
        pg_site.sql("GRANT INSERT ON ixempra.verifications TO ixempra_pharmacist")
        assert journal.record(dose(), verifier=verifier).id == 1


def test_an_altered_journal_found_by_the_round_trip_refuses_and_frees_the_lock(
    pg_site: Site,
) -> None:
    with (
        PostgresJournal.open(pg_site.url(PREPARER), anchor=None) as journal,
        VerifierSession.sign_in(pg_site.url(VERIFIER)) as verifier,
    ):
        journal.record(dose(), verifier=verifier)
        pg_site.sql(
            "SET session_replication_role = replica; "
            "UPDATE ixempra.records SET content = replace(content, '\"mrn-1\"', '\"mrn-9\"')"
        )
        with pytest.raises(JournalAltered):
            journal.record(dose(), verifier=verifier)
        assert records(pg_site) == 1
        pg_site.sql("SET lock_timeout = '5s'; SELECT ixempra.lock_chain()", user=PREPARER)  # free


def test_a_thread_waiting_for_the_lock_does_not_stop_the_one_holding_it(pg_site: Site) -> None:
    """Two threads of one process, each its own sessions: the one waiting for the chain lock
    waits in select, not in libpq holding the GIL, so the other finishes and frees it."""
    done: list[int] = []

    def workstation(patient: str) -> None:
        with (
            PostgresJournal.open(pg_site.url(PREPARER), anchor=None) as journal,
            VerifierSession.sign_in(pg_site.url(VERIFIER)) as verifier,
        ):
            for _ in range(5):
                stored = journal.record(dose(patient), verifier=verifier, acknowledge_history=True)
                done.append(stored.id)

    threads = [threading.Thread(target=workstation, args=(p,)) for p in ("A-1", "B-2", "C-3")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(done) == list(range(1, 16))


def test_a_chain_lock_held_too_long_is_busy_and_the_session_records_after(
    pg_site: Site,
) -> None:
    """The chain lock and the checks leave as one pipeline (BEGIN, then the checks' function
    with its arguments as parameters): when another session holds the lock past the lock
    timeout, the server's refusal is said as busy, the pipeline is read to its end, the
    transaction rolled back, and the same session records once the lock is free."""
    holder = psycopg.connect(pg_site.url(PREPARER))
    with (
        PostgresJournal.open(pg_site.url(PREPARER), anchor=None) as journal,
        VerifierSession.sign_in(pg_site.url(VERIFIER)) as verifier,
    ):
        journal.record(dose(), verifier=verifier)
        holder.execute("SELECT ixempra.lock_chain()")  # held until holder's transaction ends
        journal._conn.execute("SET lock_timeout = '200ms'")
        with pytest.raises(ServerBusy):
            journal.record(dose("MRN-2"), verifier=verifier)
        assert journal._conn.pgconn.pipeline_status == pq.PipelineStatus.OFF
        assert journal._conn.info.transaction_status == pq.TransactionStatus.IDLE
        holder.rollback()
        assert journal.record(dose("MRN-2"), verifier=verifier).id == 2
    holder.close()
    assert records(pg_site) == 2


def test_a_pipeline_that_cannot_be_sent_whole_closes_its_connection(pg_site: Site) -> None:
    """Half a pipeline is never left on a session: its connection is closed (the journal's
    next action reconnects), whatever stopped the sending."""
    conn = psycopg.connect(pg_site.url(PREPARER))
    with pytest.raises(UnicodeEncodeError):
        libpq_send_pipeline(conn, [(b"SELECT 1", []), (b"SELECT $1::text", ["\ud800"])])
    assert conn.closed
    with (
        PostgresJournal.open(pg_site.url(PREPARER), anchor=None) as journal,
        VerifierSession.sign_in(pg_site.url(VERIFIER)) as verifier,
    ):
        journal.close()  # as a lost connection: the next action reconnects
        assert journal.record(dose(), verifier=verifier).id == 1


def _interrupt_reading(monkeypatch: pytest.MonkeyPatch, module: Any, sender: str) -> None:
    """The first wait for an answer after ``module.sender`` sent a pipeline is interrupted
    (as Ctrl-C in the terminal would)."""
    from ixempra_gui.journal.postgres import libpq_io

    armed: list[bool] = []
    real_next, real_send = libpq_io._next_result, getattr(module, sender)

    def next_result(pgconn: Any) -> Any:
        if armed:
            armed.clear()
            raise KeyboardInterrupt
        return real_next(pgconn)

    def send(*args: Any) -> Any:
        real_send(*args)
        armed.append(True)

    monkeypatch.setattr(libpq_io, "_next_result", next_result)
    monkeypatch.setattr(module, sender, send)


def test_an_interrupt_while_the_lock_is_held_closes_the_session_and_frees_the_lock(
    pg_site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Interrupted while waiting for the first round trip's answers (the chain lock taken on
    the server): the connection is closed, so the server frees the lock at once; the journal
    reconnects on its next action."""
    from ixempra_gui.journal.postgres import checks

    with (
        PostgresJournal.open(pg_site.url(PREPARER), anchor=None) as journal,
        VerifierSession.sign_in(pg_site.url(VERIFIER)) as verifier,
    ):
        with monkeypatch.context() as patched:
            _interrupt_reading(patched, checks, "libpq_send_pipeline")
            with pytest.raises(KeyboardInterrupt):
                journal.record(dose(), verifier=verifier)
        assert journal._conn.closed
        pg_site.sql("SET lock_timeout = '2s'; SELECT ixempra.lock_chain()", user=PREPARER)
        assert journal.record(dose(), verifier=verifier).id == 1
    assert records(pg_site) == 1


def test_an_interrupt_while_committing_is_not_called_recorded_nor_not(
    pg_site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Interrupted while the INSERT and its COMMIT are on their way: the app cannot know
    whether the COMMIT arrived and says so (CommitUnknown); the session reconnects."""
    from ixempra_gui.journal.postgres.errors import CommitUnknown

    with (
        PostgresJournal.open(pg_site.url(PREPARER), anchor=None) as journal,
        VerifierSession.sign_in(pg_site.url(VERIFIER)) as verifier,
    ):
        with monkeypatch.context() as patched:
            _interrupt_reading(patched, store, "libpq_send_committing")
            with pytest.raises(CommitUnknown, match="interrupted while record 1"):
                journal.record(dose(), verifier=verifier)
        assert journal._conn.closed
        done = records(pg_site)
        stored = journal.record(dose("MRN-2"), verifier=verifier)
        assert stored.id == done + 1 and journal.verify().ok


@pytest.mark.parametrize("lost", ["before", "known"])
def test_what_is_wrong_with_the_entries_is_said_before_a_lost_server(
    pg_site: Site, lost: str
) -> None:
    """A name that is not the signed-in user's is refused as such, whether the connection was
    lost unseen (the round trip then fails to leave or to come back) or is known lost (the
    reconnection fails): the person fixes the entry, not the network, first."""
    journal = PostgresJournal.open(pg_site.url(PREPARER), anchor=None)
    with journal, VerifierSession.sign_in(pg_site.url(VERIFIER)) as verifier:
        pid = journal._conn.info.backend_pid
        pg_site.sql("SELECT pg_terminate_backend(%s)", params=(pid,))
        if lost == "known":
            journal._conn.close()
            journal.url = journal.url.replace(f"port={pg_site.cluster.port}", "port=1")  # nowhere
        wrong = new_record(patient_id="MRN-1", prepared_by="Someone", verified_by=VERIFIER)
        with pytest.raises(InvalidRecord, match="Prepared by"):
            journal.record(wrong, verifier=verifier)

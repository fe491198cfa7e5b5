"""The site journal on PostgreSQL: the same operations as the SQLite ``Journal`` (see
``journal.interface``), checked the same way (``integrity``), with identities from the server.

Recording one dose:
1. the record's content is drafted as on SQLite (``entries.draft_content``: record format 2,
   its ``patient_key`` signed), with the preparer's and verifier's server user names and
   ``"authenticated": true``; its canonical JSON's SHA-256 is the calculation hash;
2. the verifier's own session writes the verification of that hash and commits — sent at once,
   so it travels while 3. does (``VerifierSession.verifying``): over a network that saves a
   round trip per dose;
3. one round trip of the preparer's session begins a transaction and calls the server's
   ``ixempra.checked_read`` (schema 3: its plans kept by the server), which locks the chain
   head (``ixempra.lock_chain()``), then reads what the checks need — the highest id, the records
   since this process's last walk (the head among them), the anchored record, which of the
   patient's records no longer hash to their hash (the server hashes them all), the patient's
   records this process read before — and the patient's history (sent before 1., which runs
   while the server works, as do the refusals the round trip does not need: postgres/refusals.py);
   the chain is checked (``integrity.check``), the history's records each against their hash;
   unacknowledged warnings refuse;
4. a second round trip inserts the record (id = head + 1, prev_hash = head hash, the
   verification's id; the server's trigger checks all of it again) and commits. The record is
   returned only after COMMIT returned.
Both round trips are libpq pipelines (``libpq_io.libpq_send_pipeline``), their values sent as
parameters, never bound into SQL text.
Two workstations recording for one patient at once queue on the lock, so the second sees the
first's dose in its history. A lost connection during COMMIT is reported as such
(``CommitUnknown``): never as recorded, never as certainly not.

Trust (docs/journal-integrity.md, "The site journal"): the server refuses every change to a
record, computes the columns the history selects on from the signed content, and extends the
chain itself under its lock; so a process's first check starts at the server's head (the count,
the highest id and the head agree, the head record hashes to the head, the anchored record is
unchanged) instead of walking every record over the network, and after that walks only what
was added. ``verify`` walks it all. The workstation's anchor for this server and database
(``site_anchor``) is evidence of the heads it saw. A journal that fails is never counted from
or recorded into: ``JournalAltered`` (resolved by IT on the server, never from a workstation).

The connection reconnects on the next action after it broke (the password, when one was given,
is kept in memory for that). Nothing is queued locally when the server is unreachable.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import psycopg

from ixempra_gui.core.policy import Policy, load_policy
from ixempra_gui.journal import integrity
from ixempra_gui.journal.anchor import AnchorFile, Head
from ixempra_gui.journal.appending import AppendCheck, appended_patient_key, chained
from ixempra_gui.journal.chain import (
    canonical_json,
    canonical_members,
    content_hash,
    joined_members,
)
from ixempra_gui.journal.entries import (
    NewRecord,
    StoredRecord,
    draft_content,
    facts_of_result,
)
from ixempra_gui.journal.errors import (
    HistoryNotAcknowledged,
    JournalError,
)
from ixempra_gui.journal.history import History, HistoryWarning
from ixempra_gui.journal.identifiers import patient_key, trim_patient_id
from ixempra_gui.journal.kit_serials import KIT_USES_PG, KitsCheck, drafts_needles
from ixempra_gui.journal.postgres.base import SITE_ANCHOR, DefaultAnchor, site_anchor
from ixempra_gui.journal.postgres.errors import (
    CommitUnknown,
    ServerJournalError,
    ServerUnreachable,
)
from ixempra_gui.journal.postgres.libpq_io import libpq_pipeline_answers, libpq_send_committing
from ixempra_gui.journal.postgres.migration import Migrating
from ixempra_gui.journal.postgres.refusals import may_send_first, refusals
from ixempra_gui.journal.postgres.rows import (
    CHAIN_KEYS,
    INSERT_APPENDED,
    INSERT_RECORDED,
    PATIENT_ROWS_SQL,
    MigrationReport,
    calculation_hash,
    history_params,
    rollback,
    stored_record,
)
from ixempra_gui.journal.postgres.session import VerifierSession

__all__ = [
    "CHAIN_KEYS",
    "SITE_ANCHOR",
    "MigrationReport",
    "PostgresJournal",
    "calculation_hash",
    "site_anchor",
]


class PostgresJournal(Migrating):
    """A pharmacist's session on the site journal. ``PostgresJournal.open(url, ...)`` to
    record (checked), ``open_read_only`` to read (checked by the caller: ``check``)."""

    # --- opening ------------------------------------------------------------------------------
    @classmethod
    def open(
        cls,
        url: str,
        *,
        user: str | None = None,
        password: str | None = None,
        anchor: AnchorFile | DefaultAnchor | None = SITE_ANCHOR,
    ) -> PostgresJournal:
        """Sign in (``user``/``password`` override the URL's and libpq's) and check the journal.
        Raises the ServerJournalError saying what is wrong, or JournalAltered when the journal
        fails its checks; nothing is created on the server."""
        journal = cls._sign_in(url, user, password, read_only=False, anchor=anchor)
        try:
            report = journal._require(journal.check())
            journal.move_anchor(report.head)
        except BaseException:
            journal.close()
            raise
        return journal

    @classmethod
    def open_read_only(
        cls,
        url: str,
        *,
        user: str | None = None,
        password: str | None = None,
        anchor: AnchorFile | DefaultAnchor | None = SITE_ANCHOR,
    ) -> PostgresJournal:
        """Sign in to read only: every transaction of the session is read-only (a standby
        server will do). Not checked: call ``check`` (``list``, ``show``, ``verify`` and
        ``export`` report what it finds and still show the records)."""
        return cls._sign_in(url, user, password, read_only=True, anchor=anchor)

    # --- writing ------------------------------------------------------------------------------
    def record(
        self,
        new: NewRecord,
        *,
        acknowledge_history: bool = False,
        acknowledged_warnings: Collection[str] | None = None,
        policy: Policy | None = None,
        verifier: VerifierSession | None = None,
        extra_warnings: Sequence[HistoryWarning] = (),
    ) -> StoredRecord:
        """Append one verified dose, verified by ``verifier`` (another pharmacist's session).

        Raises InvalidRecord (identifiers; the verifier missing or the preparer),
        RecordRefused (no dose ready), HistoryNotAcknowledged, JournalAltered (the journal
        failed its checks), or a ServerJournalError (nothing recorded; ``CommitUnknown``:
        cannot tell). ``extra_warnings`` join the history's (e.g. an un-migrated local
        journal) and need acknowledging the same way.
        """
        if not may_send_first(new, verifier, read_only=self.read_only):
            self._refusals(new, verifier)  # raises, naming every problem; nothing sent
        policy = policy or load_policy()
        seen = None if acknowledge_history else set(acknowledged_warnings or ())
        try:
            conn = self._connection()
        except ServerJournalError:
            self._refusals(new, verifier)  # what is wrong with the entries is said first
            raise
        progress = _Progress()
        try:
            stored = self._write(conn, new, verifier, policy, seen, extra_warnings, progress)
        except psycopg.Error as exc:
            rollback(conn)
            failure = self._failed(exc)
            if progress.committing and isinstance(failure, ServerUnreachable | CommitUnknown):
                raise CommitUnknown(
                    f"the connection to {self.display} was lost while record "
                    f"{progress.record_id} was being committed: it may or may not be in the "
                    "journal. Check with ixempra-journal list --patient-id before recording "
                    f"again ({failure})"
                ) from exc
            if not progress.committing:
                self._refusals(new, verifier)  # what is wrong with the entries is said first
            raise failure from exc
        except BaseException as exc:
            rollback(conn)
            if progress.committing:  # e.g. interrupted while COMMIT was on its way
                raise CommitUnknown(
                    f"recording was interrupted while record {progress.record_id} was being "
                    "committed: it may or may not be in the journal. Check with "
                    "ixempra-journal list --patient-id before recording again"
                ) from exc
            raise
        integrity.remember_walk(self._location, Head(stored.id, stored.hash))
        progress.anchor_move()
        return stored

    def _write(
        self,
        conn: psycopg.Connection[Any],
        new: NewRecord,
        verifier: VerifierSession | None,
        policy: Policy,
        acknowledged: set[str] | None,
        extra_warnings: Sequence[HistoryWarning],
        progress: _Progress,
    ) -> StoredRecord:
        """Steps 1. to 4. of the module docstring: the record as stored once COMMIT returned.
        ``acknowledged`` None: every warning of the history is acknowledged."""
        current = facts_of_result(new.result, new.administered_on)
        assert current is not None
        key = patient_key(trim_patient_id(new.patient_id))  # as draft_content signs it
        # The lock and the checks' reads leave first; the refusals are judged and the content
        # drafted meanwhile (a refusal then drains the round trip and rolls it back).
        sent = self._send_round_trip(conn, history_params(key, current, policy), key=key)
        try:
            verifier = self._refusals(new, verifier)
            new = replace(new, prepared_by=self.user, verified_by=verifier.user)
            content = draft_content(new, policy)
            if content["patient_key"] != key:  # the history read must be this record's patient's
                raise AssertionError("the history was read for another patient key")
            content["authenticated"] = True
            # The calculation's members are encoded once: its hash, then the record's text.
            members = canonical_members({k: v for k, v in content.items() if k not in CHAIN_KEYS})
            digest_of_calculation = content_hash(joined_members(members))
            # The verifier's session writes the verification while the server reads (module
            # docstring, 2. and 3.): the record needs its id only to insert.
            with verifier.verifying(digest_of_calculation) as verified:
                report, (rows,) = self._receive_round_trip(conn, sent, key)
                verification_id = verified()
        except BaseException:
            sent.discard()  # read to its end (or its connection closed): this error stands
            raise
        history = self._assess(rows, key, current, policy, extra_warnings)
        if acknowledged is not None and any(w.key not in acknowledged for w in history.warnings):
            raise HistoryNotAcknowledged(history)
        progress.record_id = record_id = report.head.id + 1
        prev_hash = report.head.hash
        chain = _chain_keys(record_id, prev_hash, history, digest_of_calculation, verification_id)
        content.update(chain)
        members.update(canonical_members(chain))
        text = joined_members(members)  # canonical_json(content), the calculation not re-encoded
        digest = content_hash(text)
        progress.committing = True
        # One round trip: the INSERT (the server's trigger checks it all again) and the
        # COMMIT, which returns only once the record is on the server's disk.
        values = [str(record_id), digest, text, str(verification_id)]
        libpq_send_committing(conn, INSERT_RECORDED, values)
        try:  # the anchor's work while the COMMIT travels; its write only once it returned
            progress.anchor_move = self.anchor_move(Head(record_id, digest))
        finally:
            libpq_pipeline_answers(conn)
        self._remember_dose(record_id, digest, content)  # as json.loads(text) would give it
        return StoredRecord(record_id, digest, prev_hash, content)

    def append(
        self,
        drafts: Sequence[dict[str, Any]],
        check: AppendCheck | None = None,
        kits_check: KitsCheck | None = None,
    ) -> list[StoredRecord]:
        """Append records of one patient that are not doses (a preparation, near misses: issue
        16) as the signed-in user, in one transaction: the chain lock, the checks, the
        patient's records and the preparations holding a serialised kit of the drafts in one
        round trip, ``check`` and ``kits_check`` given those records, then the INSERTs and
        COMMIT in a second (the server checks each again)."""
        if self.read_only:
            raise JournalError("the site journal was opened for reading only")
        key = appended_patient_key(drafts)
        needles = drafts_needles(drafts) if kits_check is not None else []
        tail = [PATIENT_ROWS_SQL] + ([KIT_USES_PG] if needles else [])
        conn = self._connection()
        committing = False
        try:
            report, results = self._checked_round_trip(
                conn, tail, {"kit_needles": needles}, lock=True, key=key
            )
            patient = [stored_record(row) for row in results[0]]
            if check is not None:
                check(patient)
            if kits_check is not None:
                kits_check(self._kit_uses(results[1] if needles else []))
            head, written, statements, params = report.head, [], [], {}
            for i, draft in enumerate(drafts):
                content = chained(draft, head)
                text = canonical_json(content)
                head = Head(int(content["id"]), content_hash(text))
                written.append(StoredRecord(head.id, head.hash, str(content["prev_hash"]), content))
                statements.append(INSERT_APPENDED.format(i=i))
                params.update({f"id{i}": head.id, f"hash{i}": head.hash, f"content{i}": text})
            committing = True
            psycopg.ClientCursor(conn).execute("; ".join([*statements, "COMMIT"]), params)
        except psycopg.Error as exc:
            rollback(conn)
            failure = self._failed(exc)
            if committing and isinstance(failure, ServerUnreachable | CommitUnknown):
                raise CommitUnknown(
                    f"the connection to {self.display} was lost while records were being "
                    f"committed: they may or may not be in the journal ({failure})"
                ) from exc
            raise failure from exc
        except BaseException:
            rollback(conn)
            raise
        integrity.remember_walk(self._location, head)
        self.move_anchor(head)
        return written

    def _kit_uses(self, rows: Sequence[Sequence[Any]]) -> list[StoredRecord]:
        """The preparations read under the lock, each checked against its hash."""
        found = [stored_record(row) for row in rows]
        for stored in found:
            if not stored.readable or not stored.intact:
                raise self._altered(
                    f"record {stored.id}: its content does not match its hash (edited?)", stored.id
                )
        return found

    def _refusals(self, new: NewRecord, verifier: VerifierSession | None) -> VerifierSession:
        return refusals(new, verifier, self.user, self.site_id, read_only=self.read_only)


def _chain_keys(
    record_id: int,
    prev_hash: str,
    history: History,
    calculation: str,
    verification_id: int,
) -> dict[str, Any]:
    """What a recorded dose's content gains when it takes its place in the chain."""
    return {
        "id": record_id,
        "prev_hash": prev_hash,
        "recorded_at": datetime.now(UTC).isoformat(timespec="microseconds"),
        "history": history.to_json(),
        "acknowledged_warnings": [w.code for w in history.warnings],
        "calculation_hash": calculation,
        "verification_id": verification_id,
    }


@dataclass
class _Progress:
    """How far a recording got: a lost connection once committing cannot tell the outcome."""

    record_id: int = 0
    committing: bool = False
    anchor_move: Callable[[], None] = lambda: None  # prepared while the COMMIT travels

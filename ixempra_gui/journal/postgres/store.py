"""The site journal on PostgreSQL: the same operations as the SQLite ``Journal`` (see
``journal.interface``), with identities from the server.

Recording one dose:
1. the record's content is drafted as on SQLite (``entries.draft_content``), with the
   preparer's and verifier's server user names and ``"authenticated": true``; its canonical
   JSON's SHA-256 is the calculation hash;
2. the verifier's own session writes the verification of that hash and commits;
3. one transaction of the preparer's session locks the chain head (``ixempra.lock_chain()``),
   reads the patient's history, refuses unacknowledged warnings, and inserts the record
   (id = head + 1, prev_hash = head hash, the verification's id); the server's trigger checks
   all of it again; COMMIT. The record is returned only after COMMIT returned.
Two workstations recording for one patient at once queue on the lock, so the second sees the
first's dose in its history. A lost connection during COMMIT is reported as such
(``CommitUnknown``): never as recorded, never as certainly not.

The connection reconnects on the next action after it broke (the password, when one was given,
is kept in memory for that). Nothing is queued locally when the server is unreachable.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from types import TracebackType
from typing import Any

import psycopg
from psycopg.pq import TransactionStatus

from ixempra_gui.core.models import DoseResult
from ixempra_gui.core.policy import Policy, load_policy
from ixempra_gui.journal.chain import (
    GENESIS_HASH,
    ChainReport,
    Row,
    canonical_json,
    content_hash,
    content_hash_or_none,
    walk,
)
from ixempra_gui.journal.entries import (
    FACTS,
    NewRecord,
    PatientDose,
    StoredRecord,
    draft_content,
    facts_from_values,
    facts_of_result,
    patient_dose,
    record_problems,
    same_person,
)
from ixempra_gui.journal.errors import HistoryNotAcknowledged, InvalidRecord, RecordRefused
from ixempra_gui.journal.history import DoseFacts, History, HistoryWarning, assess_history
from ixempra_gui.journal.identifiers import patient_key
from ixempra_gui.journal.postgres.errors import (
    CommitUnknown,
    ServerJournalError,
    ServerUnreachable,
    classify,
)
from ixempra_gui.journal.postgres.session import SessionInfo, VerifierSession, open_session
from ixempra_gui.journal.site_config import redact

#: Keys a record's content gains when it takes its place in the chain; the rest is the
#: calculation the verifier verified (its canonical JSON's SHA-256 is ``calculation_hash``).
CHAIN_KEYS = frozenset(
    {
        "id",
        "prev_hash",
        "recorded_at",
        "history",
        "acknowledged_warnings",
        "calculation_hash",
        "verification_id",
    }
)
_ROW_COLUMNS = "id, recorded_at, patient_id, patient_key, administered_on, prev_hash, hash, content"
_MAX_ID = 2**63 - 1


# The records the history checks can use: every dose of the patient from the start of the
# window on (later ones too), and the last dose on or before this date.
_HISTORY_SQL = (
    "(SELECT id, content, hash, administered_on, patient_key FROM ixempra.records "
    " WHERE patient_key = %(key)s AND administered_on >= %(start)s) "
    "UNION "
    "(SELECT id, content, hash, administered_on, patient_key FROM ixempra.records "
    " WHERE patient_key = %(key)s AND administered_on <= %(day)s "
    " ORDER BY administered_on DESC, id DESC LIMIT 1) "
    "ORDER BY id"
)


def _history_params(key: str, current: DoseFacts, policy: Policy) -> dict[str, str]:
    day = current.administered_on
    start = day - timedelta(days=policy.per_days - 1)
    return {"key": key, "start": start.isoformat(), "day": day.isoformat()}


def _rollback(conn: psycopg.Connection[Any]) -> None:
    """End a transaction left open or failed by an error (nothing to do on a lost connection)."""
    if conn.broken or conn.closed:
        return
    if conn.info.transaction_status in (TransactionStatus.INTRANS, TransactionStatus.INERROR):
        with contextlib.suppress(psycopg.Error):
            conn.execute("ROLLBACK")


def calculation_hash(content: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of a record's content without its chain keys."""
    return content_hash(canonical_json({k: v for k, v in content.items() if k not in CHAIN_KEYS}))


@dataclass(frozen=True)
class MigrationReport:
    """What ``migrate_from`` did: records copied now, and those already on the server."""

    source_journal: str  # the hash of the source's first record: its identity
    copied: int
    already_there: int


class PostgresJournal:
    """The preparer's session on the site journal. ``PostgresJournal.open(url, ...)``."""

    def __init__(
        self,
        conn: psycopg.Connection[Any],
        info: SessionInfo,
        url: str,
        user: str | None,
        password: str | None,
    ) -> None:
        self._conn = conn
        self.info = info
        self.url = url
        self._user = user
        self._password = password  # in memory only, for reconnecting
        self.user = info.user
        self.site_id = info.site_id
        self.display = redact(url, user=info.user)

    # --- opening ------------------------------------------------------------------------------
    @classmethod
    def open(
        cls, url: str, *, user: str | None = None, password: str | None = None
    ) -> PostgresJournal:
        """Sign in (``user``/``password`` override the URL's and libpq's). Raises the
        ServerJournalError saying what is wrong; nothing is created on the server."""
        who = f"the pharmacist {user}" if user else "this pharmacist"
        conn, info = open_session(url, who=who, user=user, password=password)
        return cls(conn, info, url, user, password)

    @property
    def description(self) -> str:
        """Which journal, for the CLIs and the window's status bar."""
        return f"site journal {self.display}"

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> PostgresJournal:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _connection(self) -> psycopg.Connection[Any]:
        """The open connection; a broken one is replaced (reconnect on the next action)."""
        if self._conn.closed or self._conn.broken:
            self._conn.close()
            conn, info = open_session(
                self.url,
                who=f"the pharmacist {self.user}",
                user=self._user,
                password=self._password,
            )
            if info.user != self.user:
                conn.close()
                raise ServerJournalError(
                    f"reconnecting to {self.display} signed in as {info.user}, not {self.user}"
                )
            self._conn, self.info = conn, info
        return self._conn

    def _failed(self, exc: psycopg.Error) -> ServerJournalError:
        return classify(exc, who=f"the pharmacist {self.user}", where=self.display)

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
        RecordRefused (no dose ready), HistoryNotAcknowledged, or a ServerJournalError
        (nothing recorded; ``CommitUnknown``: cannot tell). ``extra_warnings`` join the
        history's (e.g. an un-migrated local journal) and need acknowledging the same way.
        """
        problems = record_problems(new)
        if verifier is None:
            problems.append(
                (
                    "verified_by",
                    "Verified by: the site journal needs the verifier's own sign-in "
                    "(their user name and password).",
                )
            )
        else:
            problems += self._identity_problems(new, verifier)
        if problems:
            raise InvalidRecord(problems)
        assert verifier is not None
        if not new.result.ready_to_prepare:
            raise RecordRefused(
                f"no dose is ready to prepare (status {new.result.status.value}): only a "
                "ready dose can be recorded as verified"
            )
        policy = policy or load_policy()
        signed = replace(new, prepared_by=self.user, verified_by=verifier.user)
        content = draft_content(signed, policy)
        content["authenticated"] = True
        digest_of_calculation = calculation_hash(content)
        current = facts_of_result(new.result, new.administered_on)
        assert current is not None
        key = patient_key(new.patient_id)
        conn = self._connection()
        verification_id = verifier.verify(digest_of_calculation)
        committing = False
        cursor = psycopg.ClientCursor(conn)  # parameters bound here: statements can be batched
        try:
            # One round trip: BEGIN, the chain lock, then the history read, a statement of its
            # own, so its snapshot is taken with the lock held and sees every record committed
            # before (READ COMMITTED).
            cursor.execute(
                "BEGIN; SELECT last_id, last_hash FROM ixempra.lock_chain(); " + _HISTORY_SQL,
                _history_params(key, current, policy),
            )
            cursor.nextset()
            head = cursor.fetchone()
            assert head is not None
            last_id, prev_hash = int(head[0]), str(head[1])
            cursor.nextset()
            history = self._assess(cursor.fetchall(), current, policy, extra_warnings)
            seen = set(acknowledged_warnings or ())
            unseen = [w for w in history.warnings if w.message not in seen]
            if unseen and not acknowledge_history:
                raise HistoryNotAcknowledged(history)
            record_id = last_id + 1
            content.update(
                id=record_id,
                prev_hash=prev_hash,
                recorded_at=datetime.now(UTC).isoformat(timespec="microseconds"),
                history=history.to_json(),
                acknowledged_warnings=[w.code for w in history.warnings],
                calculation_hash=digest_of_calculation,
                verification_id=verification_id,
            )
            text = canonical_json(content)
            digest = content_hash(text)
            committing = True
            # A second round trip: the INSERT (the server's trigger checks it all again) and
            # the COMMIT, which returns only once the record is on the server's disk.
            cursor.execute(
                f"INSERT INTO ixempra.records ({_ROW_COLUMNS}, origin, prepared_by, "
                "verification_id, inserted_at) VALUES "
                "(%s, %s, %s, %s, %s, %s, %s, %s, 'recorded', session_user, %s, now()); "
                "COMMIT",
                (
                    record_id,
                    content["recorded_at"],
                    new.patient_id,
                    key,
                    content["administered_on"],
                    prev_hash,
                    digest,
                    text,
                    verification_id,
                ),
            )
        except psycopg.Error as exc:
            _rollback(conn)
            failure = self._failed(exc)
            if committing and isinstance(failure, ServerUnreachable | CommitUnknown):
                raise CommitUnknown(
                    f"the connection to {self.display} was lost while record {record_id} was "
                    "being committed: it may or may not be in the journal. Check with "
                    f"ixempra-journal list --patient-id before recording again ({failure})"
                ) from exc
            raise failure from exc
        except BaseException:
            _rollback(conn)
            raise
        return StoredRecord(record_id, digest, prev_hash, content)

    def _identity_problems(
        self, new: NewRecord, verifier: VerifierSession
    ) -> list[tuple[str, str]]:
        problems = []
        if verifier.user == self.user:
            problems.append(
                (
                    "verified_by",
                    f"Verified by: {verifier.user} is signed in as the preparer too; another "
                    "pharmacist signs in to verify.",
                )
            )
        if verifier.site_id != self.site_id:
            problems.append(
                ("verified_by", "Verified by: the verifier signed in to another site journal.")
            )
        if not same_person(new.prepared_by, self.user):
            problems.append(
                (
                    "prepared_by",
                    f"Prepared by: {new.prepared_by!r} is not the signed-in user {self.user!r}.",
                )
            )
        if not same_person(new.verified_by, verifier.user):
            problems.append(
                (
                    "verified_by",
                    f"Verified by: {new.verified_by!r} is not the signed-in verifier "
                    f"{verifier.user!r}.",
                )
            )
        return problems

    @staticmethod
    def _lock_chain(conn: psycopg.Connection[Any]) -> tuple[int, str]:
        row = conn.execute("SELECT last_id, last_hash FROM ixempra.lock_chain()").fetchone()
        assert row is not None
        return int(row[0]), str(row[1])

    # --- reading ------------------------------------------------------------------------------
    @staticmethod
    def _history_rows(
        conn: psycopg.Connection[Any], key: str, current: DoseFacts, policy: Policy
    ) -> psycopg.Cursor[Any]:
        """As the SQLite journal, only the records the checks can use: the last dose on or
        before this date, and every dose from the start of its window on (later ones too)."""
        return conn.execute(_HISTORY_SQL, _history_params(key, current, policy))

    @staticmethod
    def _assess(
        rows: Sequence[tuple[Any, ...]],
        current: DoseFacts,
        policy: Policy,
        extra_warnings: Sequence[HistoryWarning] = (),
    ) -> History:
        """The history checks over those rows, each checked against its hash, its date and
        patient columns (an altered record still counts when readable, and is named)."""
        earlier: list[DoseFacts] = []
        altered: list[int] = []
        for rid, text, digest, column_date, column_key in rows:
            try:
                content = json.loads(text)
                values = [content["administered_on"], *(content["facts"][k] for k in FACTS)]
                earlier.append(facts_from_values(values, int(rid)))
                intact = (
                    content_hash_or_none(text) == digest
                    and values[0] == column_date
                    and patient_key(str(content["patient_id"])) == column_key
                )
            except (ValueError, KeyError, TypeError, ZeroDivisionError):
                intact = False
            if not intact:
                altered.append(int(rid))
        history = assess_history(current, earlier, policy, altered)
        if extra_warnings:
            history = replace(history, warnings=history.warnings + tuple(extra_warnings))
        return history

    def history(
        self,
        patient_id: str,
        result: DoseResult,
        administered_on: date,
        policy: Policy | None = None,
    ) -> History | None:
        """The history checks for a calculation not yet recorded; None when its inputs were
        invalid. One statement: one consistent snapshot."""
        policy = policy or load_policy()
        current = facts_of_result(result, administered_on)
        if current is None:
            return None
        try:
            conn = self._connection()
            rows = self._history_rows(conn, patient_key(patient_id), current, policy).fetchall()
        except psycopg.Error as exc:
            raise self._failed(exc) from exc
        return self._assess(rows, current, policy)

    def get(self, record_id: int) -> StoredRecord | None:
        if not 0 < record_id <= _MAX_ID:
            return None
        try:
            row = (
                self._connection()
                .execute(
                    "SELECT id, hash, prev_hash, content FROM ixempra.records WHERE id = %s",
                    (record_id,),
                )
                .fetchone()
            )
        except psycopg.Error as exc:
            raise self._failed(exc) from exc
        return None if row is None else _stored(row)

    def records(self, patient_id: str | None = None) -> Iterator[StoredRecord]:
        """Records in id order (of one patient, matched as history matches, when given),
        streamed from a server-side cursor."""
        conn = self._connection()
        query = "SELECT id, hash, prev_hash, content FROM ixempra.records"
        params: tuple[Any, ...] = ()
        if patient_id is not None:
            query += " WHERE patient_key = %s"
            params = (patient_key(patient_id),)
        try:
            with conn.transaction(), conn.cursor(name="ixempra_records") as cursor:
                cursor.itersize = 500
                cursor.execute(query + " ORDER BY id", params)
                for row in cursor:
                    yield _stored(row)
        except psycopg.Error as exc:
            raise self._failed(exc) from exc

    def patient_doses(self, patient_id: str) -> tuple[PatientDose, ...]:
        """Every verified dose of one patient, oldest first, each checked against its hash."""
        try:
            rows = (
                self._connection()
                .execute(
                    "SELECT id, content, hash, administered_on FROM ixempra.records "
                    "WHERE patient_key = %s ORDER BY administered_on, id",
                    (patient_key(patient_id),),
                )
                .fetchall()
            )
        except psycopg.Error as exc:
            raise self._failed(exc) from exc
        return tuple(patient_dose(int(rid), text, digest, day) for rid, text, digest, day in rows)

    def count(self) -> int:
        try:
            row = self._connection().execute("SELECT count(*) FROM ixempra.records").fetchone()
        except psycopg.Error as exc:
            raise self._failed(exc) from exc
        assert row is not None
        return int(row[0])

    def head(self) -> tuple[int, str]:
        """The server's chain head (last id and hash)."""
        try:
            row = (
                self._connection()
                .execute("SELECT last_id, last_hash FROM ixempra.chain_head")
                .fetchone()
            )
        except psycopg.Error as exc:
            raise self._failed(exc) from exc
        return (0, GENESIS_HASH) if row is None else (int(row[0]), str(row[1]))

    def record_id_of(self, digest: str) -> int | None:
        """The id of the record whose hash is ``digest`` (a head kept elsewhere), or None."""
        try:
            row = (
                self._connection()
                .execute("SELECT id FROM ixempra.records WHERE hash = %s", (digest,))
                .fetchone()
            )
        except psycopg.Error as exc:
            raise self._failed(exc) from exc
        return None if row is None else int(row[0])

    def verify(self) -> ChainReport:
        """Walk the whole chain (ids, hashes, links, columns, head), then what only the server
        journal holds: each recorded dose's verification (its verifier, its calculation hash,
        which must be the hash of the record's calculation) and each migrated record's
        embedded original (its hash). Reports the first break."""
        conn = self._connection()
        extra: list[tuple[int, str]] = []
        try:
            with conn.transaction():
                conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                head_row = conn.execute(
                    "SELECT last_id, last_hash FROM ixempra.chain_head"
                ).fetchone()
                head = None if head_row is None else (int(head_row[0]), str(head_row[1]))
                with conn.cursor(name="ixempra_verify") as cursor:
                    cursor.itersize = 500
                    cursor.execute(
                        f"SELECT r.{_ROW_COLUMNS.replace(', ', ', r.')}, r.origin, "
                        "r.prepared_by, r.verified_by, v.verifier, v.calculation_hash "
                        "FROM ixempra.records AS r "
                        "LEFT JOIN ixempra.verifications AS v ON v.id = r.verification_id "
                        "ORDER BY r.id"
                    )

                    def rows() -> Iterator[Row]:
                        for r in cursor:
                            row = Row(*r[:8])
                            if not extra:
                                problem = _server_problem(row, *r[8:])
                                if problem:
                                    extra.append((row.id, problem))
                            yield row

                    report = walk(rows(), head)
        except psycopg.Error as exc:
            raise self._failed(exc) from exc
        if report.ok and extra:
            bad_id, problem = extra[0]
            return ChainReport(report.records, report.head_id, report.head_hash, bad_id, problem)
        return report

    # --- migration ----------------------------------------------------------------------------
    def migrated_count(self, source_journal: str) -> int:
        """How many records of the journal whose first record's hash is ``source_journal``
        are already here."""
        try:
            row = (
                self._connection()
                .execute(
                    "SELECT count(*) FROM ixempra.records WHERE source_journal = %s",
                    (source_journal,),
                )
                .fetchone()
            )
        except psycopg.Error as exc:
            raise self._failed(exc) from exc
        assert row is not None
        return int(row[0])

    def migrate_record(self, source_journal: str, original: StoredRecord) -> bool:
        """Copy one record of a workstation's journal: a new record embedding the original
        content and hash verbatim. False when it is already here (idempotency key: source
        journal, record id, hash)."""
        original_text = canonical_json(original.content)
        if content_hash(original_text) != original.hash:
            raise ValueError(f"record {original.id} does not match its hash")
        conn = self._connection()
        try:
            with conn.transaction():
                last_id, prev_hash = self._lock_chain(conn)
                there = conn.execute(
                    "SELECT 1 FROM ixempra.records WHERE source_journal = %s AND "
                    "source_record_id = %s AND source_hash = %s",
                    (source_journal, original.id, original.hash),
                ).fetchone()
                if there is not None:
                    return False
                content = {
                    k: v
                    for k, v in original.content.items()
                    if k not in ("id", "prev_hash", "recorded_at")
                }
                record_id = last_id + 1
                content.update(
                    id=record_id,
                    prev_hash=prev_hash,
                    recorded_at=datetime.now(UTC).isoformat(timespec="microseconds"),
                    authenticated=False,
                    migrated_by=self.user,
                    migrated_from={
                        "journal": source_journal,
                        "record_id": original.id,
                        "hash": original.hash,
                        "content": original_text,
                    },
                )
                text = canonical_json(content)
                conn.execute(
                    f"INSERT INTO ixempra.records ({_ROW_COLUMNS}, origin, prepared_by, "
                    "source_journal, source_record_id, source_hash, inserted_at) VALUES "
                    "(%s, %s, %s, %s, %s, %s, %s, %s, 'migrated', session_user, %s, %s, %s, "
                    "now())",
                    (
                        record_id,
                        content["recorded_at"],
                        str(content["patient_id"]),
                        patient_key(str(content["patient_id"])),
                        str(content["administered_on"]),
                        prev_hash,
                        content_hash(text),
                        text,
                        source_journal,
                        original.id,
                        original.hash,
                    ),
                )
        except psycopg.Error as exc:
            raise self._failed(exc) from exc
        return True


def _server_problem(
    row: Row,
    origin: str,
    prepared_by: str,
    verified_by: str | None,
    verifier: str | None,
    verification_hash: str | None,
) -> str | None:
    """What is wrong with a row beyond the chain (its verification or its embedded original);
    None when all holds. Only rows whose hash already matched are examined meaningfully."""
    try:
        content = json.loads(row.content)
    except ValueError:
        return None  # the chain walk names it
    if not isinstance(content, dict):
        return None
    if origin == "recorded":
        if content.get("authenticated") is not True:
            return f"record {row.id}: a recorded dose not marked authenticated"
        if content.get("prepared_by") != prepared_by:
            return f"record {row.id}: prepared_by differs from the server's inserting user"
        if verifier is None or verification_hash is None:
            return f"record {row.id}: its verification is missing"
        if content.get("verified_by") != verifier or verified_by != verifier:
            return f"record {row.id}: verified_by differs from the verification's user"
        if verifier == prepared_by:
            return f"record {row.id}: verified by its own preparer"
        if content.get("calculation_hash") != verification_hash:
            return f"record {row.id}: its verification is for another calculation"
        if calculation_hash(content) != verification_hash:
            return f"record {row.id}: its calculation does not match the verified hash"
        return None
    if origin == "migrated":
        source = content.get("migrated_from")
        if not isinstance(source, dict) or content.get("authenticated") is not False:
            return f"record {row.id}: a migrated record without its original"
        if content_hash_or_none(source.get("content")) != source.get("hash"):
            return f"record {row.id}: the embedded original no longer matches its hash"
        return None
    return f"record {row.id}: unknown origin {origin!r}"


def _stored(row: tuple[Any, ...]) -> StoredRecord:
    rid, digest, prev, text = row
    try:
        content = json.loads(text)
    except (TypeError, ValueError):
        content = {"unreadable_content": str(text)}
    return StoredRecord(int(rid), str(digest), str(prev), content)

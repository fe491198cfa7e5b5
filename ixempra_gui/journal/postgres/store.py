"""The site journal on PostgreSQL: the same operations as the SQLite ``Journal`` (see
``journal.interface``), checked the same way (``integrity``), with identities from the server.

Recording one dose:
1. the record's content is drafted as on SQLite (``entries.draft_content``: record format 2,
   its ``patient_key`` signed), with the preparer's and verifier's server user names and
   ``"authenticated": true``; its canonical JSON's SHA-256 is the calculation hash;
2. the verifier's own session writes the verification of that hash and commits — sent at once,
   so it travels while 3. does (``VerifierSession.verifying``): over a network that saves a
   round trip per dose;
3. one round trip of the preparer's session begins a transaction, locks the chain head
   (``ixempra.lock_chain()``), then reads what the checks need — the highest id, the records
   since this process's last walk (the head among them), the anchored record, which of the
   patient's records no longer hash to their hash (the server hashes them all), the patient's
   records this process read before — and the patient's history; the chain is checked
   (``integrity.check``), the history's records each against their hash; unacknowledged
   warnings refuse;
4. a second round trip inserts the record (id = head + 1, prev_hash = head hash, the
   verification's id; the server's trigger checks all of it again) and commits. The record is
   returned only after COMMIT returned.
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

import contextlib
import hashlib
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
from ixempra_gui.journal import integrity
from ixempra_gui.journal.anchor import AnchorFile, AnchorUnreadable, Head
from ixempra_gui.journal.appending import AppendCheck, appended_patient_key, chained
from ixempra_gui.journal.chain import (
    GENESIS,
    ChainReport,
    ChainRow,
    canonical_json,
    content_hash,
    content_hash_or_none,
    signed_fields,
    walk,
)
from ixempra_gui.journal.entries import (
    FACTS,
    RECORD_FORMAT,
    RECORD_STATUS,
    NewRecord,
    PatientDose,
    StoredRecord,
    draft_content,
    facts_from_values,
    facts_of_result,
    patient_dose,
    record_problems,
)
from ixempra_gui.journal.errors import (
    RESOLVE_SERVER,
    HistoryNotAcknowledged,
    InvalidRecord,
    JournalAltered,
    JournalError,
    RecordRefused,
)
from ixempra_gui.journal.history import DoseFacts, History, HistoryWarning, assess_history
from ixempra_gui.journal.identifiers import patient_key, same_person, trim_patient_id
from ixempra_gui.journal.integrity import IntegrityReport
from ixempra_gui.journal.kinds import NEAR_MISS, PREPARATION, record_kind, without_other_kinds
from ixempra_gui.journal.postgres.errors import (
    CommitUnknown,
    ServerJournalError,
    ServerUnreachable,
    classify,
)
from ixempra_gui.journal.postgres.session import SessionInfo, VerifierSession, open_session
from ixempra_gui.journal.site_config import redact
from ixempra_gui.system.site_settings import config_dir

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
_MAX_ID = 2**63 - 1
_ROW = "id, hash, content, patient_key, administered_on"

# What the checks read in the same round trip as the work itself (module docstring, 3.): the
# highest id, and the records from the one this process's last walk ended at (the head among
# them) plus the anchored record.
_LOCK_SQL = "SELECT last_id, last_hash FROM ixempra.lock_chain()"
_HEAD_SQL = "SELECT last_id, last_hash FROM ixempra.chain_head"
_HIGHEST_SQL = "SELECT coalesce(max(id), 0) FROM ixempra.records"
_SEGMENT_SQL = (
    f"SELECT {_ROW} FROM ixempra.records WHERE id >= %(walked)s OR id = %(anchor)s ORDER BY id"
)
# The records the history checks can use: every dose of the patient from the start of the
# window on (later ones too), and the last dose on or before this date; selected on columns
# the server computes from the signed content.
# The records of one patient this process read before (integrity.remember_read): still
# there, with the same hash, key and date (their content is hashed by the statement below).
_SEEN_SQL = (
    "SELECT id, hash, patient_key, administered_on FROM ixempra.records WHERE id = ANY(%(seen)s)"
)
# Every record of the patient, not only those a history counts, hashed by the server: a record
# edited in place with the server's protections off (its generated date moving it out of the
# window) is found at once, not only by the next verify. The ids of those that fail (not
# min(id): the planner would walk the whole table in id order looking for one).
_PATIENT_HASHES_SQL = (
    "SELECT id FROM ixempra.records WHERE patient_key = %(key)s AND hash <> "
    "pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(content, 'UTF8')), 'hex')"
)
_HISTORY_SQL = (
    f"(SELECT {_ROW} FROM ixempra.records "
    " WHERE patient_key = %(key)s AND administered_on >= %(start)s) "
    "UNION "
    f"(SELECT {_ROW} FROM ixempra.records "
    " WHERE patient_key = %(key)s AND administered_on <= %(day)s "
    " ORDER BY administered_on DESC, id DESC LIMIT 1) "
    "ORDER BY id"
)
_DOSES_SQL = (
    f"SELECT {_ROW} FROM ixempra.records WHERE patient_key = %(key)s ORDER BY administered_on, id"
)
_PATIENT_ROWS_SQL = (
    "SELECT id, hash, content FROM ixempra.records WHERE patient_key = %(key)s ORDER BY id"
)
_INSERT_APPENDED = (
    "INSERT INTO ixempra.records (id, hash, content, origin) "
    "VALUES (%(id{i})s, %(hash{i})s, %(content{i})s, 'recorded')"
)
_INSERT_RECORDED = (
    "INSERT INTO ixempra.records (id, hash, content, origin, verification_id) "
    "VALUES (%(id)s, %(hash)s, %(content)s, 'recorded', %(verification)s)"
)


def site_anchor(location: str) -> AnchorFile:
    """This workstation user's anchor for one site journal: one file per server and database
    (``location``), beside the SQLite journal's anchor in the settings folder. Evidence of the
    last head this workstation saw there: a server rolled back, or a database replaced, does
    not contain it."""
    key = hashlib.sha256(location.encode("utf-8")).hexdigest()[:16]
    return AnchorFile(config_dir() / f"journal-anchor-site-{key}.json")


class _DefaultAnchor:
    def __repr__(self) -> str:
        return "SITE_ANCHOR"


#: ``anchor=`` default: the workstation's anchor for the server and database reached.
SITE_ANCHOR: Any = _DefaultAnchor()


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


def _chain_row(row: Sequence[Any]) -> ChainRow:
    """A stored row (id, hash, content, patient_key, administered_on) as the walk sees it: the
    generated columns must equal what the content signs, and the signed key the identifier's."""
    rid, digest, text, key, day = row[:5]
    return ChainRow(
        int(rid),
        str(digest),
        text,
        signed_fields(text),
        {"patient_key": key, "administered_on": day},
        (key, patient_key),
    )


@dataclass(frozen=True)
class MigrationReport:
    """What ``migrate_from`` did: records copied now, and those already on the server."""

    source_journal: str  # the hash of the source's first record: its identity
    copied: int
    already_there: int


class _FetchedChain:
    """The chain as one round trip read it (``integrity.ChainSource``): the head, the highest
    id and the rows from the last walked record on (with the anchored one). The count is not
    read here (a count reads the whole table: it is checked on open and by ``verify``)."""

    def __init__(
        self,
        location: str,
        head: Head | None,
        last: int,
        rows: Sequence[Sequence[Any]],
        walked: Head,
    ) -> None:
        self._location = location
        self._head = head
        self._last = last
        self._rows = {int(r[0]): r for r in rows}
        self._walked = walked

    @property
    def location(self) -> str:
        return self._location

    def stored_head(self) -> Head | None:
        return self._head

    def count_and_last(self) -> tuple[int | None, int]:
        return None, self._last

    def record_hash(self, record_id: int) -> tuple[str, str | None] | None:
        row = self._rows.get(record_id)
        return None if row is None else (str(row[1]), content_hash_or_none(row[2]))

    def walk_from(self, start: Head, head: Head | None) -> ChainReport:
        if start.id < self._walked.id:
            # integrity.check could not start where this process's last walk ended: say why
            # from what this round trip read (what lies before it need not be read to say so).
            stored = self._head or GENESIS
            walked, last = self._walked, self._last
            if stored.id != last:
                bad = min(stored.id, last) + 1
                problem = (
                    f"record {bad}: the chain's head on the server says record {stored.id}, "
                    f"but the highest record is {last} (changed with the server's protections "
                    "off?)"
                )
            elif walked.id > last:
                bad = last + 1
                problem = (
                    f"record {bad}: the journal now ends at record {last}, but this session "
                    f"checked it up to record {walked.id}: records were removed on the server"
                )
            else:
                bad = walked.id
                problem = (
                    f"record {bad} changed on the server after this session checked it "
                    "(edited with the server's protections off?)"
                )
            return ChainReport(start.id, start.id, start.hash, bad, problem)
        rows = [_chain_row(self._rows[i]) for i in sorted(self._rows) if i > start.id]
        return walk(rows, None if head is None else (head.id, head.hash), start)

    def find_hash(self, digest: str) -> int | None:
        if digest == GENESIS.hash:
            return 0
        return next((i for i, r in self._rows.items() if r[1] == digest), None)


class PostgresJournal:
    """A pharmacist's session on the site journal. ``PostgresJournal.open(url, ...)`` to
    record (checked), ``open_read_only`` to read (checked by the caller: ``check``)."""

    #: What a person does when it fails its checks: IT, on the server.
    resolution = RESOLVE_SERVER

    def __init__(
        self,
        conn: psycopg.Connection[Any],
        info: SessionInfo,
        url: str,
        user: str | None,
        password: str | None,
        *,
        read_only: bool = False,
        anchor: AnchorFile | _DefaultAnchor | None = SITE_ANCHOR,
    ) -> None:
        self._conn = conn
        self.info = info
        self.url = url
        self._user = user
        self._password = password  # in memory only, for reconnecting
        self.user = info.user
        self.site_id = info.site_id
        self.read_only = read_only
        self.display = redact(url, user=info.user)
        self._location = info.location
        self.anchor = site_anchor(info.location) if isinstance(anchor, _DefaultAnchor) else anchor
        self.warnings: list[str] = []  # not fatal: said on stderr or in the status bar
        self._memo: dict[int, tuple[str, str | None] | None] | None = None
        self._walk_problem: tuple[int, str] | None = None

    # --- opening ------------------------------------------------------------------------------
    @classmethod
    def open(
        cls,
        url: str,
        *,
        user: str | None = None,
        password: str | None = None,
        anchor: AnchorFile | _DefaultAnchor | None = SITE_ANCHOR,
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
        anchor: AnchorFile | _DefaultAnchor | None = SITE_ANCHOR,
    ) -> PostgresJournal:
        """Sign in to read only: every transaction of the session is read-only (a standby
        server will do). Not checked: call ``check`` (``list``, ``show``, ``verify`` and
        ``export`` report what it finds and still show the records)."""
        return cls._sign_in(url, user, password, read_only=True, anchor=anchor)

    @classmethod
    def _sign_in(
        cls,
        url: str,
        user: str | None,
        password: str | None,
        *,
        read_only: bool,
        anchor: AnchorFile | _DefaultAnchor | None,
    ) -> PostgresJournal:
        who = f"the pharmacist {user}" if user else "this pharmacist"
        conn, info = open_session(url, who=who, user=user, password=password, read_only=read_only)
        return cls(conn, info, url, user, password, read_only=read_only, anchor=anchor)

    @property
    def description(self) -> str:
        """Which journal, for the CLIs and the window's status bar."""
        return f"site journal {self.display}"

    @property
    def location(self) -> str:
        """The server and database (no user): this process's memory of walks and the
        workstation's anchor are kept by it."""
        return self._location

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
                read_only=self.read_only,
            )
            if info.user != self.user or info.location != self._location:
                conn.close()
                raise ServerJournalError(
                    f"reconnecting to {self.display} reached {info.location} as {info.user}, "
                    f"not {self._location} as {self.user}"
                )
            self._conn, self.info = conn, info
        return self._conn

    def _failed(self, exc: psycopg.Error) -> ServerJournalError:
        return classify(exc, who=f"the pharmacist {self.user}", where=self.display)

    def _altered(self, problem: str, first_bad_id: int | None) -> JournalAltered:
        return JournalAltered(self._location, problem, first_bad_id, self.resolution)

    # --- integrity (integrity.ChainSource) ----------------------------------------------------
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
        if not 0 < record_id <= _MAX_ID:
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
        journal holds is checked for each record (``_server_problem``: its verification, or
        its embedded original), the first problem kept for ``verify``."""
        self._walk_problem = None
        conn = self._connection()
        query = (
            f"SELECT r.{_ROW.replace(', ', ', r.')}, r.origin, r.prepared_by, r.verified_by, "
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
                    row = _chain_row(r)
                    if self._walk_problem is None:
                        problem = _server_problem(row, *r[5:])
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
        if self.anchor is None:
            return
        try:
            self.anchor.write(head, self._location, force=force)
        except OSError as exc:
            self.warnings.append(
                f"warning: the anchor {self.anchor.path} could not be written "
                f"({exc.strerror or exc}); the site journal is intact, but this workstation "
                "keeps no evidence of the head it saw"
            )

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
        }
        if lock:
            statements = ["BEGIN", _LOCK_SQL]
        else:
            statements = ["BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", _HEAD_SQL]
        statements += [_HIGHEST_SQL, _SEGMENT_SQL]
        if key is not None:
            statements.append(_PATIENT_HASHES_SQL)
            params["key"] = key
        if seen:
            statements.append(_SEEN_SQL)
        statements += tail
        if not lock:
            statements.append("COMMIT")
        # One round trip: the statements go as one message, bound here (measured faster than
        # the pipeline mode's prepared statements for these few rows), in order: the lock
        # first, so every read after it sees every record committed before (READ COMMITTED:
        # a snapshot per statement).
        cursor = psycopg.ClientCursor(conn)
        try:
            cursor.execute("; ".join(statements), params)
            cursor.nextset()
            found = cursor.fetchone()
            head = None if found is None else Head(int(found[0]), str(found[1]))
            cursor.nextset()
            highest = cursor.fetchone()
            assert highest is not None
            cursor.nextset()
            segment = cursor.fetchall()
            failing = None
            if key is not None:
                cursor.nextset()
                failing = min((int(r[0]) for r in cursor.fetchall()), default=None)
            again: list[tuple[Any, ...]] = []
            if seen:
                cursor.nextset()
                again = cursor.fetchall()
            results = []
            for _ in tail:
                cursor.nextset()
                results.append(cursor.fetchall())
        except BaseException:
            _rollback(conn)
            raise
        fetched = _FetchedChain(self._location, head, int(highest[0]), segment, walked)
        report = integrity.check(fetched, anchor=anchored, walk_all_at_start=False)
        if not report.ok:
            _rollback(conn)
            raise self._altered(report.problem or "", report.first_bad_id)
        if failing is not None:
            _rollback(conn)
            raise self._altered(
                f"record {failing}: its content does not match its hash (edited?)", failing
            )
        if key is not None and (changed := _changed_since_read(seen, again, key)) is not None:
            _rollback(conn)
            raise self._altered(
                f"record {changed} was removed or changed after this session read it", changed
            )
        return report, results

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
        if self.read_only:
            raise JournalError("the site journal was opened for reading only")
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
        content = draft_content(signed, policy)  # the costly part, before taking the lock
        content["authenticated"] = True
        digest_of_calculation = calculation_hash(content)
        current = facts_of_result(new.result, new.administered_on)
        assert current is not None
        key = str(content["patient_key"])
        conn = self._connection()
        committing = False
        record_id = 0
        try:
            # The verifier's session writes the verification while this one takes the lock
            # and reads (module docstring, 2. and 3.): the record needs its id only to insert.
            with verifier.verifying(digest_of_calculation) as verified:
                report, (rows,) = self._checked_round_trip(
                    conn,
                    [_HISTORY_SQL],
                    _history_params(key, current, policy),
                    lock=True,
                    key=key,
                )
                verification_id = verified()
            history = self._assess(rows, key, current, policy, extra_warnings)
            seen = set(acknowledged_warnings or ())
            unseen = [w for w in history.warnings if w.key not in seen]
            if unseen and not acknowledge_history:
                raise HistoryNotAcknowledged(history)
            record_id = report.head.id + 1
            prev_hash = report.head.hash
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
            # One round trip: the INSERT (the server's trigger checks it all again) and the
            # COMMIT, which returns only once the record is on the server's disk.
            psycopg.ClientCursor(conn).execute(
                _INSERT_RECORDED + "; COMMIT",
                {
                    "id": record_id,
                    "hash": digest,
                    "content": text,
                    "verification": verification_id,
                },
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
        head = Head(record_id, digest)
        integrity.remember_walk(self._location, head)
        self.move_anchor(head)
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

    # --- reading ------------------------------------------------------------------------------
    def _assess(
        self,
        rows: Sequence[Sequence[Any]],
        key: str,
        current: DoseFacts,
        policy: Policy,
        extra_warnings: Sequence[HistoryWarning] = (),
    ) -> History:
        """The history checks over those rows, each checked against its hash and its
        generated columns: one that fails makes the whole journal untrusted (JournalAltered),
        never a partial count."""
        earlier: list[DoseFacts] = []
        for rid, digest, text, column_key, column_day in rows:
            try:
                if content_hash_or_none(text) != digest:
                    raise ValueError("hash")
                content = json.loads(text)
                if (
                    content.get("status") != RECORD_STATUS
                    or content.get("patient_key") != column_key
                    or column_key != key
                    or content.get("administered_on") != column_day
                ):
                    raise ValueError("columns")
                values = [content["administered_on"], *(content["facts"][k] for k in FACTS)]
                earlier.append(facts_from_values(values, int(rid)))
            except (ValueError, KeyError, TypeError, AttributeError, ZeroDivisionError):
                raise self._altered(
                    f"record {rid}: its content does not match its hash or cannot be read "
                    "(edited?)",
                    int(rid),
                ) from None
        integrity.remember_read(self._location, key, {int(r[0]): (str(r[1]), r[4]) for r in rows})
        history = assess_history(current, earlier, policy)
        if extra_warnings:
            history = replace(history, warnings=history.warnings + tuple(extra_warnings))
        return history

    def history(
        self,
        patient_id: str,
        result: DoseResult,
        administered_on: date,
        policy: Policy | None = None,
        *,
        extra_warnings: Sequence[HistoryWarning] = (),
    ) -> History | None:
        """The history checks for a calculation not yet recorded; None when its inputs were
        invalid. One round trip, one snapshot: the chain's checks and the patient's records.
        JournalAltered when the journal fails its checks or a record it would count fails
        its hash."""
        policy = policy or load_policy()
        current = facts_of_result(result, administered_on)
        if current is None:
            return None
        key = patient_key(trim_patient_id(patient_id))
        try:
            report, (rows,) = self._checked_round_trip(
                self._connection(),
                [_HISTORY_SQL],
                _history_params(key, current, policy),
                lock=False,
                key=key,
            )
        except psycopg.Error as exc:
            raise self._failed(exc) from exc
        self.move_anchor(report.head)
        return self._assess(rows, key, current, policy, extra_warnings)

    def get(self, record_id: int) -> StoredRecord | None:
        if not 0 < record_id <= _MAX_ID:
            return None
        try:
            row = (
                self._connection()
                .execute(
                    "SELECT id, hash, content FROM ixempra.records WHERE id = %s", (record_id,)
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
        query = "SELECT id, hash, content FROM ixempra.records"
        params: tuple[Any, ...] = ()
        if patient_id is not None:
            query += " WHERE patient_key = %s"
            params = (patient_key(trim_patient_id(patient_id)),)
        try:
            with conn.transaction(), conn.cursor(name="ixempra_records") as cursor:
                cursor.itersize = 500
                cursor.execute(query + " ORDER BY id", params)
                for row in cursor:
                    yield _stored(row)
        except psycopg.Error as exc:
            raise self._failed(exc) from exc

    def patient_doses(self, patient_id: str) -> tuple[PatientDose, ...]:
        """Every verified dose of one patient (matched as history matches), oldest first, each
        checked against its hash: one that fails raises JournalAltered (nothing partial)."""
        key = patient_key(trim_patient_id(patient_id))
        try:
            report, (rows,) = self._checked_round_trip(
                self._connection(), [_DOSES_SQL], {"key": key}, lock=False, key=key
            )
        except psycopg.Error as exc:
            raise self._failed(exc) from exc
        self.move_anchor(report.head)
        doses = tuple(
            patient_dose(int(r[0]), r[2], r[1], r[4]) for r in without_other_kinds(rows, 2, 1)
        )
        for dose in doses:
            if not dose.intact or dose.facts is None:
                raise self._altered(
                    f"record {dose.record_id}: its content does not match its hash or cannot "
                    "be read (edited?)",
                    dose.record_id,
                )
        integrity.remember_read(self._location, key, {int(r[0]): (str(r[1]), r[4]) for r in rows})
        return doses

    def count(self) -> int:
        try:
            row = self._connection().execute("SELECT count(*) FROM ixempra.records").fetchone()
        except psycopg.Error as exc:
            raise self._failed(exc) from exc
        assert row is not None
        return int(row[0])

    def append(
        self, drafts: Sequence[dict[str, Any]], check: AppendCheck | None = None
    ) -> list[StoredRecord]:
        """Append records of one patient that are not doses (a preparation, near misses: issue
        16) as the signed-in user, in one transaction: the chain lock, the checks and the
        patient's records (each hashed by the server) in one round trip, ``check`` given those
        records, then the INSERTs and COMMIT in a second (the server checks each again)."""
        if self.read_only:
            raise JournalError("the site journal was opened for reading only")
        key = appended_patient_key(drafts)
        conn = self._connection()
        committing = False
        try:
            report, (rows,) = self._checked_round_trip(
                conn, [_PATIENT_ROWS_SQL], {}, lock=True, key=key
            )
            patient = [_stored(row) for row in rows]
            if check is not None:
                check(patient)
            head, written, statements, params = report.head, [], [], {}
            for i, draft in enumerate(drafts):
                content = chained(draft, head)
                text = canonical_json(content)
                head = Head(int(content["id"]), content_hash(text))
                written.append(StoredRecord(head.id, head.hash, str(content["prev_hash"]), content))
                statements.append(_INSERT_APPENDED.format(i=i))
                params.update({f"id{i}": head.id, f"hash{i}": head.hash, f"content{i}": text})
            committing = True
            psycopg.ClientCursor(conn).execute("; ".join([*statements, "COMMIT"]), params)
        except psycopg.Error as exc:
            _rollback(conn)
            failure = self._failed(exc)
            if committing and isinstance(failure, ServerUnreachable | CommitUnknown):
                raise CommitUnknown(
                    f"the connection to {self.display} was lost while records were being "
                    f"committed: they may or may not be in the journal ({failure})"
                ) from exc
            raise failure from exc
        except BaseException:
            _rollback(conn)
            raise
        integrity.remember_walk(self._location, head)
        self.move_anchor(head)
        return written

    def records_of_kind(self, kind: str) -> Iterator[StoredRecord]:
        """Records of one kind (journal/kinds.py) in id order, from a server-side cursor."""
        conn = self._connection()
        try:
            with conn.transaction(), conn.cursor(name="ixempra_kind") as cursor:
                cursor.itersize = 500
                cursor.execute(
                    "SELECT id, hash, content FROM ixempra.records WHERE kind = %s ORDER BY id",
                    (kind,),
                )
                for row in cursor:
                    yield _stored(row)
        except psycopg.Error as exc:
            raise self._failed(exc) from exc

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
        content and hash verbatim, signing the patient key of its identifier as this app finds
        it now (``identifiers.patient_key``). False when it is already here (idempotency key:
        source journal, record id, hash). JournalAltered when the site journal fails its
        checks."""
        if self.read_only:
            raise JournalError("the site journal was opened for reading only")
        original_text = canonical_json(original.content)
        if content_hash(original_text) != original.hash:
            raise ValueError(f"record {original.id} does not match its hash")
        conn = self._connection()
        try:
            report, (there,) = self._checked_round_trip(
                conn,
                [
                    "SELECT 1 FROM ixempra.records WHERE source_journal = %(journal)s AND "
                    "source_record_id = %(source_id)s AND source_hash = %(source_hash)s"
                ],
                {"journal": source_journal, "source_id": original.id, "source_hash": original.hash},
                lock=True,
            )
            if there:
                _rollback(conn)  # nothing to write: end the transaction, free the lock
                return False
            content = {
                k: v
                for k, v in original.content.items()
                if k not in ("id", "prev_hash", "recorded_at", "patient_key")
            }
            patient = original.content.get("patient_id")
            if isinstance(patient, str):
                content.update(format=RECORD_FORMAT, patient_key=patient_key(patient))
            record_id = report.head.id + 1
            content.update(
                id=record_id,
                prev_hash=report.head.hash,
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
            digest = content_hash(text)
            psycopg.ClientCursor(conn).execute(
                "INSERT INTO ixempra.records (id, hash, content, origin, source_journal, "
                "source_record_id, source_hash) VALUES (%(id)s, %(hash)s, %(content)s, "
                "'migrated', %(journal)s, %(source_id)s, %(source_hash)s); COMMIT",
                {
                    "id": record_id,
                    "hash": digest,
                    "content": text,
                    "journal": source_journal,
                    "source_id": original.id,
                    "source_hash": original.hash,
                },
            )
        except psycopg.Error as exc:
            _rollback(conn)
            raise self._failed(exc) from exc
        except BaseException:
            _rollback(conn)
            raise
        head = Head(record_id, digest)
        integrity.remember_walk(self._location, head)
        self.move_anchor(head)
        return True


def _changed_since_read(
    seen: dict[int, tuple[str, str | None]], rows: Sequence[Sequence[Any]], key: str
) -> int | None:
    """The first record this process read for the patient ``key`` (id → hash, date) that is
    now missing or different (its hash, its key or its date: whether its content still gives
    its hash is what _PATIENT_HASHES_SQL asks of every record with that key); None when all
    are as read. Records are never changed: one that is was altered in this session, where the
    incremental checks cannot see it (an edit of a record in place)."""
    found = {int(r[0]): r for r in rows}
    for rid in sorted(seen):
        digest, day = seen[rid]
        row = found.get(rid)
        if row is None or row[1] != digest or row[2] != key or row[3] != day:
            return rid
    return None


def _history_params(key: str, current: DoseFacts, policy: Policy) -> dict[str, Any]:
    day = current.administered_on
    start = day - timedelta(days=policy.per_days - 1)
    return {"key": key, "start": start.isoformat(), "day": day.isoformat()}


def _server_problem(
    row: ChainRow,
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
    except (TypeError, ValueError):
        return None  # the chain walk names it
    if not isinstance(content, dict):
        return None
    kind = record_kind(content)
    if origin == "recorded" and kind in (PREPARATION, NEAR_MISS):
        person = content.get("compounded_by" if kind == PREPARATION else "scanned_by")
        if content.get("authenticated") is not True or person != prepared_by:
            return f"record {row.id}: its compounder is not the server's inserting user"
        if verifier is not None or verified_by is not None:
            return f"record {row.id}: a {kind} record with a verification"
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


def _stored(row: Sequence[Any]) -> StoredRecord:
    rid, digest, text = row[:3]
    try:
        content = json.loads(text)
        readable = isinstance(content, dict)
    except (TypeError, ValueError):
        readable = False
    if not readable:
        content = {"unreadable_content": str(text)[:200]}
    prev = content.get("prev_hash") if readable else None
    intact = content_hash_or_none(text) == digest
    return StoredRecord(int(rid), str(digest), str(prev or ""), content, readable, intact)

"""The journal file: SQLite in WAL mode with ``synchronous=FULL``, appended to one record at a
time inside ``BEGIN IMMEDIATE``.

Why these settings: WAL with FULL syncs the log on every commit, so a record whose commit
returned survives a crash or a power cut; ``BEGIN IMMEDIATE`` takes the write lock before the
previous hash and the patient's history are read, so two processes recording at once queue up
(busy timeout) instead of forking the chain or missing each other's dose. ``record`` returns
only after COMMIT returned; any failure rolls back and raises, leaving no partial record.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
from collections.abc import Collection, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any

from ixempra_gui.core.models import DoseResult
from ixempra_gui.core.policy import Policy, load_policy
from ixempra_gui.journal import paths
from ixempra_gui.journal.chain import (
    GENESIS_HASH,
    ChainReport,
    Row,
    canonical_json,
    content_hash,
    content_hash_or_none,
    patient_key,
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
)
from ixempra_gui.journal.errors import (
    HistoryNotAcknowledged,
    InvalidRecord,
    JournalError,
    JournalSchemaError,
    RecordRefused,
)
from ixempra_gui.journal.history import DoseFacts, History, assess_history, history_unavailable
from ixempra_gui.journal.schema import migrate

BUSY_TIMEOUT_S = 30.0  # how long a second writer waits for the first one's commit
_HEAD_KEY = "head"
_ROW_COLUMNS = "id, recorded_at, patient_id, patient_key, administered_on, prev_hash, hash, content"


def _why(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


def _set_wal(conn: sqlite3.Connection) -> str:
    """Switch a new file to WAL. Two processes creating the journal at once can get "database is
    locked" here without SQLite's busy handler being called (it would risk a deadlock), so the
    switch is retried for as long as the busy timeout."""
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            return str(conn.execute("PRAGMA journal_mode = WAL").fetchone()[0])
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.005)


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S, isolation_level=None)
    try:
        mode = _set_wal(conn)
        if str(mode).lower() != "wal":
            raise JournalError(
                f"the journal at {path} cannot use write-ahead logging (mode {mode}); "
                "keep it on a local disk, not a network share"
            )
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA fullfsync = ON")  # macOS: really flush the disk cache
        conn.execute("PRAGMA trusted_schema = OFF")
    except BaseException:
        conn.close()
        raise
    return conn


class Journal:
    """One open journal file. Use ``Journal.open()``; close it (or use ``with``)."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path
        self._json_sql: str | None = None

    # --- opening --------------------------------------------------------------------------
    @classmethod
    def open(cls, folder: Path | None = None) -> Journal:
        """Open the journal, creating its folder (0700) and file (0600) when missing."""
        path = paths.journal_path(folder)
        try:
            paths.ensure_private_folder(path.parent)
            paths.ensure_private_file(path)
        except OSError as exc:
            raise JournalError(
                f"cannot create the journal at {path}: {_why(exc)} (check the folder's "
                f"permissions and free space, or set {paths.ENV_DATA_DIR})"
            ) from exc
        return cls._open_path(path)

    @classmethod
    def open_existing(cls, folder: Path | None = None) -> Journal | None:
        """Open the journal if its file exists; None (nothing created) when it does not."""
        path = paths.journal_path(folder)
        if not path.exists():
            return None
        return cls._open_path(path)

    @classmethod
    def _open_path(cls, path: Path) -> Journal:
        conn = None
        try:
            conn = _connect(path)
            migrate(conn)
        except sqlite3.Error as exc:
            if conn is not None:
                conn.close()
            if "not a database" in str(exc):
                raise JournalSchemaError(f"{path} is not a journal file ({exc})") from exc
            raise JournalError(f"cannot open the journal at {path}: {_why(exc)}") from exc
        except BaseException:
            if conn is not None:
                conn.close()
            raise
        return cls(conn, path)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- writing --------------------------------------------------------------------------
    def record(
        self,
        new: NewRecord,
        *,
        acknowledge_history: bool = False,
        acknowledged_warnings: Collection[str] | None = None,
        policy: Policy | None = None,
    ) -> StoredRecord:
        """Append one verified dose. Returns only after COMMIT returned.

        ``acknowledged_warnings``: the messages of the history warnings the verifier was shown
        and acknowledged (the window's Verify dialog). The history is checked again under the
        write lock; a warning not among them (another dose was recorded meanwhile) refuses.

        Raises InvalidRecord (identifiers), RecordRefused (no dose ready), HistoryNotAcknowledged
        (history warnings not acknowledged), JournalError (storage).
        """
        problems = record_problems(new)
        if problems:
            raise InvalidRecord(problems)
        if not new.result.ready_to_prepare:
            raise RecordRefused(
                f"no dose is ready to prepare (status {new.result.status.value}): only a "
                "ready dose can be recorded as verified"
            )
        policy = policy or load_policy()
        content = draft_content(new, policy)  # the costly part, before taking the lock
        current = facts_of_result(new.result, new.administered_on)
        assert current is not None
        key = patient_key(new.patient_id)
        conn = self._conn
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                last_id, prev_hash = self._checked_head()
                history = self._history_locked(key, current, policy)
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
                )
                text = canonical_json(content)
                digest = content_hash(text)
                conn.execute(
                    f"INSERT INTO records ({_ROW_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        record_id,
                        content["recorded_at"],
                        new.patient_id,
                        key,
                        content["administered_on"],
                        prev_hash,
                        digest,
                        text,
                    ),
                )
                conn.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                    (_HEAD_KEY, json.dumps({"id": record_id, "hash": digest})),
                )
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    # If even ROLLBACK fails, nothing was committed: SQLite discards the rest.
                    with contextlib.suppress(sqlite3.Error):
                        conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise JournalError(
                f"the dose was NOT recorded: cannot write the journal at {self.path}: "
                f"{_why(exc)} (check the folder's permissions and free space)"
            ) from exc
        return StoredRecord(record_id, digest, prev_hash, content)

    def _head(self) -> tuple[int, str] | None:
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (_HEAD_KEY,)).fetchone()
        if row is None:
            return None
        try:
            head = json.loads(row[0])
            return int(head["id"]), str(head["hash"])
        except (ValueError, KeyError, TypeError):
            return -1, str(row[0])

    def _checked_head(self) -> tuple[int, str]:
        """The last record's id and hash, refusing to extend a chain whose end was altered."""
        last = self._conn.execute(
            "SELECT id, hash FROM records ORDER BY id DESC LIMIT 1"
        ).fetchone()
        last_pair = (int(last[0]), str(last[1])) if last else (0, GENESIS_HASH)
        head = self._head() or (0, GENESIS_HASH)
        if head != last_pair:
            raise JournalError(
                f"the journal at {self.path} was altered (its last record is {last_pair[0]}, its "
                f"head says {head[0]}); nothing was recorded. Run ixempra-journal verify, keep "
                "the file for audit, and move it aside to start a new journal."
            )
        return last_pair

    # --- reading --------------------------------------------------------------------------
    def _history_locked(self, key: str, current: DoseFacts, policy: Policy) -> History:
        """Only the records the checks can use are read (the cost stays flat as a patient's
        history grows): the last dose on or before this date, and every dose from the start of
        its window on (later ones included). Each is checked against its hash and columns."""
        day = current.administered_on
        window_start = (day - timedelta(days=policy.per_days - 1)).isoformat()
        columns = f"id, content, hash, administered_on, {self._facts_sql()} AS facts"
        rows = self._conn.execute(
            f"SELECT {columns} FROM records WHERE patient_key = ? AND administered_on >= ? "
            "UNION "
            f"SELECT * FROM (SELECT {columns} FROM records "
            "WHERE patient_key = ? AND administered_on <= ? "
            "ORDER BY administered_on DESC, id DESC LIMIT 1) "
            "ORDER BY id",
            (key, window_start, key, day.isoformat()),
        ).fetchall()
        earlier, altered = [], []
        for rid, text, digest, column_date, extracted in rows:
            # An altered record still counts if it can be read (a dose was probably given);
            # the warning says the figures may be wrong.
            try:
                if extracted is not None:
                    values = json.loads(extracted)
                else:
                    content = json.loads(text)
                    values = [content["administered_on"], *(content["facts"][k] for k in FACTS)]
                earlier.append(facts_from_values(values, int(rid)))
                intact = content_hash_or_none(text) == digest and values[0] == column_date
            except (ValueError, KeyError, TypeError):
                intact = False
            if not intact:
                altered.append(int(rid))
        return assess_history(current, earlier, policy, altered)

    def _facts_sql(self) -> str:
        """SQL giving a record's date and facts as a small JSON array, or NULL.

        SQLite's JSON functions (built in since 3.38, and in most builds before) read the four
        values in C; parsing each whole record in Python cost more than the disk's commit on a
        fast SSD. Without them, NULL: Python parses the record instead.
        """
        if self._json_sql is None:
            try:
                self._conn.execute("SELECT json_extract('{\"a\":1}', '$.a')").fetchone()
                paths = ", ".join(f"'$.facts.{k}'" for k in FACTS)
                self._json_sql = (
                    "CASE WHEN json_valid(content) THEN "
                    f"json_extract(content, '$.administered_on', {paths}) END"
                )
            except sqlite3.OperationalError:
                self._json_sql = "NULL"
        return self._json_sql

    def history(
        self,
        patient_id: str,
        result: DoseResult,
        administered_on: date,
        policy: Policy | None = None,
    ) -> History | None:
        """The history checks for a calculation not yet recorded; None when its inputs were
        invalid."""
        policy = policy or load_policy()
        current = facts_of_result(result, administered_on)
        if current is None:
            return None
        try:
            self._conn.execute("BEGIN")  # one consistent snapshot
            try:
                return self._history_locked(patient_key(patient_id), current, policy)
            finally:
                self._conn.execute("COMMIT")
        except sqlite3.Error as exc:
            raise JournalError(f"cannot read the journal at {self.path}: {_why(exc)}") from exc

    def get(self, record_id: int) -> StoredRecord | None:
        row = self._conn.execute(
            "SELECT id, hash, prev_hash, content FROM records WHERE id = ?", (record_id,)
        ).fetchone()
        return None if row is None else _stored(row)

    def records(self, patient_id: str | None = None) -> Iterator[StoredRecord]:
        """Records in id order (of one patient, matched as history matches, when given)."""
        if patient_id is None:
            cursor = self._conn.execute(
                "SELECT id, hash, prev_hash, content FROM records ORDER BY id"
            )
        else:
            cursor = self._conn.execute(
                "SELECT id, hash, prev_hash, content FROM records WHERE patient_key = ? "
                "ORDER BY id",
                (patient_key(patient_id),),
            )
        for row in cursor:
            yield _stored(row)

    def patient_doses(self, patient_id: str) -> tuple[PatientDose, ...]:
        """Every verified dose of one patient (matched as history matches), oldest first, each
        checked against its hash. For display: the history checks themselves use ``history``."""
        try:
            rows = self._conn.execute(
                "SELECT id, content, hash, administered_on FROM records WHERE patient_key = ? "
                "ORDER BY administered_on, id",
                (patient_key(patient_id),),
            ).fetchall()
        except sqlite3.Error as exc:
            raise JournalError(f"cannot read the journal at {self.path}: {_why(exc)}") from exc
        return tuple(patient_dose(int(rid), text, digest, day) for rid, text, digest, day in rows)

    def count(self) -> int:
        return int(self._conn.execute("SELECT count(*) FROM records").fetchone()[0])

    def verify(self) -> ChainReport:
        """Walk the whole chain (and SQLite's own page checks) and report the first break."""
        try:
            check = self._conn.execute("PRAGMA quick_check").fetchall()
            if [r[0] for r in check] != ["ok"]:
                problem = "the file is damaged: " + "; ".join(str(r[0]) for r in check[:3])
                return ChainReport(0, 0, GENESIS_HASH, None, problem)
            self._conn.execute("BEGIN")
            try:
                rows = (
                    Row(*r)
                    for r in self._conn.execute(f"SELECT {_ROW_COLUMNS} FROM records ORDER BY id")
                )
                return walk(rows, self._head())
            finally:
                self._conn.execute("COMMIT")
        except sqlite3.Error as exc:
            raise JournalError(f"cannot read the journal at {self.path}: {_why(exc)}") from exc


def _stored(row: tuple[Any, ...]) -> StoredRecord:
    rid, digest, prev, text = row
    try:
        content = json.loads(text)
    except (TypeError, ValueError):
        content = {"unreadable_content": str(text)}
    return StoredRecord(int(rid), str(digest), str(prev), content)


def history_for(
    patient_id: str,
    result: DoseResult,
    administered_on: date,
    folder: Path | None = None,
    policy: Policy | None = None,
) -> History | None:
    """The history checks for a calculation, from the journal if there is one (none is created).

    A journal that cannot be read gives a History whose figures are null and whose warning says
    so, never an exception: the dose calculation itself does not depend on it.
    """
    policy = policy or load_policy()
    current = facts_of_result(result, administered_on)
    if current is None:
        return None
    try:
        journal = Journal.open_existing(folder)
        if journal is None:
            return assess_history(current, (), policy)
        with journal:
            return journal.history(patient_id, result, administered_on, policy)
    except JournalError as exc:
        return history_unavailable(str(exc), current.units_total, policy)


def read_patient_doses(patient_id: str, folder: Path | None = None) -> tuple[PatientDose, ...]:
    """A patient's verified doses from the journal, if there is one (none is created: () when
    it does not exist). JournalError when it cannot be read."""
    journal = Journal.open_existing(folder)
    if journal is None:
        return ()
    with journal:
        return journal.patient_doses(patient_id)


__all__ = ["Journal", "JournalError", "JournalSchemaError", "history_for", "read_patient_doses"]

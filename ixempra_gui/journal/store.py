"""The journal file: SQLite in WAL mode with ``synchronous=FULL``, appended to one record at a
time inside ``BEGIN IMMEDIATE``; the SQLite back end of ``interface.JournalStore``.

Why these settings: WAL with FULL syncs the log on every commit, so a record whose commit
returned survives a crash or a power cut; ``BEGIN IMMEDIATE`` takes the write lock before the
previous hash and the patient's history are read, so two processes recording at once queue up
(busy timeout) instead of forking the chain or missing each other's dose. ``record`` returns
only after COMMIT returned; any failure rolls back and raises, leaving no partial record.

Trust (integrity.py): every open checks the journal (counts, head, anchor; the chain walked in
full once per process, then what was added since); the history reads only signed data (schema
3's generated columns, each counted record's hash checked). A journal that fails is never
counted from, recorded into or migrated: ``JournalAltered``.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Collection, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any

from ixempra_gui.core.models import DoseResult
from ixempra_gui.core.policy import Policy, load_policy
from ixempra_gui.journal import integrity, paths
from ixempra_gui.journal.anchor import AnchorFile, AnchorUnreadable, Head
from ixempra_gui.journal.appending import AppendCheck, appended_patient_key, chained
from ixempra_gui.journal.chain import (
    GENESIS,
    SIGNED_FIELDS,
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
    RECORD_STATUS,
    STATUS_JOURNAL_STARTED,
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
    RESOLVE_FILE,
    HistoryNotAcknowledged,
    InvalidRecord,
    JournalAltered,
    JournalError,
    JournalSchemaError,
    RecordRefused,
)
from ixempra_gui.journal.history import (
    DoseFacts,
    History,
    assess_history,
    history_altered,
    history_unavailable,
)
from ixempra_gui.journal.identifiers import patient_key
from ixempra_gui.journal.integrity import IntegrityReport
from ixempra_gui.journal.kinds import without_other_kinds
from ixempra_gui.journal.schema import (
    SCHEMA_VERSION,
    check_version,
    migrate,
    schema_problem,
    schema_version,
    v2_patient_key,
)
from ixempra_gui.journal.sqlite_files import (
    connect_for_reading,
    connect_for_writing,
    remove_copy,
    why,
)

__all__ = [
    "DEFAULT_ANCHOR",
    "Journal",
    "JournalError",
    "JournalSchemaError",
    "history_for",
    "read_patient_doses",
]

_HEAD_KEY = "head"
_MAX_ID = 2**63 - 1


class _DefaultAnchor:
    """The user's anchor file (AnchorFile.default()), looked up when a journal is opened."""

    def __repr__(self) -> str:
        return "DEFAULT_ANCHOR"


DEFAULT_ANCHOR: Any = _DefaultAnchor()
AnchorChoice = AnchorFile | None | _DefaultAnchor


def _anchor_file(choice: AnchorChoice) -> AnchorFile | None:
    return AnchorFile.default() if isinstance(choice, _DefaultAnchor) else choice


def _read_anchor(anchor: AnchorFile | None, location: str) -> Head | None:
    if anchor is None:
        return None
    try:
        return anchor.read()
    except AnchorUnreadable as exc:
        raise JournalAltered(
            location,
            f"its anchor cannot be read ({exc}), so the journal cannot be checked against "
            "the last head this workstation saw",
        ) from exc


def _missing(path: Path, anchored: Head) -> JournalAltered:
    return JournalAltered(
        str(path),
        f"there is no journal file, but this workstation saw one holding record {anchored.id} "
        f"(anchor {anchored.hash[:12]}…): it was deleted, moved, or the data folder changed",
        1,
    )


class Journal:
    """One open journal file. Use ``Journal.open()`` (or ``open_existing``, ``open_read_only``);
    close it (or use ``with``)."""

    #: What a person does when it fails its checks (``ixempra-journal init --new``).
    resolution = RESOLVE_FILE

    def __init__(
        self,
        conn: sqlite3.Connection,
        path: Path,
        *,
        version: int = SCHEMA_VERSION,
        read_only: bool = False,
        anchor: AnchorFile | None = None,
        copy_folder: Path | None = None,
    ) -> None:
        self._conn = conn
        self.path = path
        self.version = version
        self.read_only = read_only
        self.anchor = anchor
        self._copy_folder = copy_folder
        self.warnings: list[str] = []  # not fatal: said on stderr or in the status bar
        self._location = str(path.absolute())
        # Within one check (one snapshot) a record's hash is read and recomputed once, however
        # many of the walked record, the head and the anchor it is.
        self._hash_memo: dict[int, tuple[str, str | None] | None] | None = None

    @property
    def location(self) -> str:
        """The journal file's absolute path: this process's memory of walks is kept by it."""
        return self._location

    @property
    def description(self) -> str:
        """Which journal, for the CLIs and the window."""
        return f"journal file {self.path}"

    # --- opening --------------------------------------------------------------------------
    @classmethod
    def open(cls, folder: Path | None = None, *, anchor: AnchorChoice = DEFAULT_ANCHOR) -> Journal:
        """Open the journal for recording, creating its folder (0700) and file (0600) when
        missing, and check it. JournalAltered when it fails its checks (nothing is changed)."""
        path = paths.journal_path(folder)
        anchor_file = _anchor_file(anchor)
        anchored = _read_anchor(anchor_file, str(path))
        if not path.exists() and anchored is not None and anchored.id > 0:
            raise _missing(path, anchored)
        try:
            paths.ensure_private_folder(path.parent)
            paths.ensure_private_file(path)
        except OSError as exc:
            raise JournalError(
                f"cannot create the journal at {path}: {why(exc)} (check the folder's "
                f"permissions and free space, or set {paths.ENV_DATA_DIR})"
            ) from exc
        return cls._open_checked(path, anchor_file, anchored)

    @classmethod
    def open_existing(
        cls, folder: Path | None = None, *, anchor: AnchorChoice = DEFAULT_ANCHOR
    ) -> Journal | None:
        """Open and check the journal if its file exists; None (nothing created) when there is
        none and none ever was (an anchor saying otherwise: JournalAltered)."""
        path = paths.journal_path(folder)
        anchor_file = _anchor_file(anchor)
        anchored = _read_anchor(anchor_file, str(path))
        if not path.exists():
            if anchored is not None and anchored.id > 0:
                raise _missing(path, anchored)
            return None
        return cls._open_checked(path, anchor_file, anchored)

    @classmethod
    def _open_checked(cls, path: Path, anchor: AnchorFile | None, anchored: Head | None) -> Journal:
        conn = None
        try:
            conn = connect_for_writing(path)
            version = schema_version(conn)
            check_version(version)
            journal = cls(conn, path, version=version, anchor=anchor)
            if version == 0 and anchored is not None and anchored.id > 0:
                raise _missing(path, anchored)
            problem = schema_problem(conn, version)
            if problem:
                raise JournalAltered(journal.location, problem)
            if 0 < version < SCHEMA_VERSION:
                # Walk the old layout first: a broken journal is never migrated.
                journal._require(journal.check(anchored=anchored))
            migrate(conn)
            journal.version = schema_version(conn)
            journal._require(journal.check(anchored=anchored))
            journal.move_anchor(journal.stored_head() or GENESIS)
        except sqlite3.Error as exc:
            if conn is not None:
                conn.close()
            if "not a database" in str(exc):
                raise JournalSchemaError(f"{path} is not a journal file ({exc})") from exc
            raise JournalError(f"cannot open the journal at {path}: {why(exc)}") from exc
        except ValueError as exc:
            if conn is not None:
                conn.close()
            raise JournalError(str(exc)) from exc
        except BaseException:
            if conn is not None:
                conn.close()
            raise
        return journal

    @classmethod
    def open_read_only(
        cls, folder: Path | None = None, *, anchor: AnchorChoice = DEFAULT_ANCHOR
    ) -> Journal | None:
        """Open the journal only to read it (module docstring of sqlite_files); None when there
        is no file. Not checked: call ``check`` (``list``, ``show``, ``verify``, ``export``
        report what it finds and still show the records)."""
        path = paths.journal_path(folder)
        if not path.exists():
            return None
        try:
            conn, copy = connect_for_reading(path)
        except (sqlite3.Error, OSError) as exc:
            if "not a database" in str(exc):
                raise JournalSchemaError(f"{path} is not a journal file ({exc})") from exc
            raise JournalError(f"cannot open the journal at {path}: {why(exc)}") from exc
        try:
            version = schema_version(conn)
            check_version(version)
        except BaseException:
            conn.close()
            remove_copy(copy)
            raise
        journal = cls(
            conn,
            path,
            version=version,
            read_only=True,
            anchor=_anchor_file(anchor),
            copy_folder=copy,
        )
        if copy is not None:
            journal.warnings.append(
                f"note: {path} could not be opened in place (read-only medium?); a temporary "
                "copy was read"
            )
        return journal

    def close(self) -> None:
        self._conn.close()
        remove_copy(self._copy_folder)

    def __enter__(self) -> Journal:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- integrity (integrity.ChainSource) -------------------------------------------------
    def stored_head(self) -> Head | None:
        if self.version == 0:
            return None
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (_HEAD_KEY,)).fetchone()
        if row is None:
            return None
        try:
            head = json.loads(row[0])
            return Head(int(head["id"]), str(head["hash"]))
        except (ValueError, KeyError, TypeError):
            return Head(-1, str(row[0]))

    def count_and_last(self) -> tuple[int, int]:
        if self.version == 0:
            return 0, 0
        # Two statements: SQLite counts a table from its smallest index only for a bare
        # count(*) (records_count: about 0.01 ms at 100,000 records, not 5 ms).
        (count,) = self._conn.execute("SELECT count(*) FROM records").fetchone()
        (last,) = self._conn.execute("SELECT coalesce(max(id), 0) FROM records").fetchone()
        return int(count), int(last)

    def record_hash(self, record_id: int) -> tuple[str, str | None] | None:
        if not 0 < record_id <= _MAX_ID or self.version == 0:
            return None
        memo = self._hash_memo
        if memo is not None and record_id in memo:
            return memo[record_id]
        row = self._conn.execute(
            "SELECT hash, content FROM records WHERE id = ?", (record_id,)
        ).fetchone()
        found = None if row is None else (str(row[0]), content_hash_or_none(row[1]))
        if memo is not None:
            memo[record_id] = found
        return found

    def find_hash(self, digest: str) -> int | None:
        if self.version == 0:
            return 0 if digest == GENESIS.hash else None
        if digest == GENESIS.hash:
            return 0
        row = self._conn.execute("SELECT id FROM records WHERE hash = ?", (digest,)).fetchone()
        return None if row is None else int(row[0])

    def _rows(self, after: int) -> Iterator[ChainRow]:
        """The rows after id ``after`` as the walk sees them, for this file's layout."""
        if self.version >= 3:
            yield from self._rows_v3(after)
            return
        columns = "id, hash, content, prev_hash, recorded_at, patient_id, administered_on"
        if self.version == 2:
            columns += ", patient_key"
        for row in self._conn.execute(
            f"SELECT {columns} FROM records WHERE id > ? ORDER BY id", (after,)
        ):
            rid, digest, text, prev, recorded_at, patient, administered_on = row[:7]
            yield ChainRow(
                int(rid),
                str(digest),
                text,
                signed_fields(text),
                {
                    "prev_hash": prev,
                    "recorded_at": recorded_at,
                    "patient_id": patient,
                    "administered_on": administered_on,
                },
                (row[7], v2_patient_key) if self.version == 2 else None,
            )

    def _rows_v3(self, after: int) -> Iterator[ChainRow]:
        paths_sql = ", ".join(f"'$.{name}'" for name in SIGNED_FIELDS)
        fast = (
            f"SELECT id, hash, content, json_extract(content, {paths_sql}), legacy_patient_key "
            "FROM records WHERE id > ? ORDER BY id"
        )
        last = after
        try:
            # SQLite reads the signed fields in C (one parse): the walk costs a hash a record.
            for rid, digest, text, extracted, legacy in self._conn.execute(fast, (after,)):
                try:
                    values = json.loads(extracted) if isinstance(extracted, str) else None
                    signed = dict(zip(SIGNED_FIELDS, values, strict=True)) if values else None
                except (ValueError, TypeError):
                    signed = None
                yield ChainRow(int(rid), str(digest), text, signed, {}, (legacy, patient_key))
                last = int(rid)
        except sqlite3.OperationalError as exc:
            if "JSON" not in str(exc):
                raise
            # A record is not JSON at all: read the rest one by one to name it.
            for rid, digest, text, legacy in self._conn.execute(
                "SELECT id, hash, content, legacy_patient_key FROM records WHERE id > ? "
                "ORDER BY id",
                (last,),
            ):
                yield ChainRow(
                    int(rid), str(digest), text, signed_fields(text), {}, (legacy, patient_key)
                )

    def walk_from(self, start: Head, head: Head | None) -> ChainReport:
        if self.version == 0:
            return walk((), None if head is None else (head.id, head.hash), start)
        return walk(self._rows(start.id), None if head is None else (head.id, head.hash), start)

    def check(
        self,
        *,
        anchored: Head | None = None,
        expected_hash: str | None = None,
        full: bool = False,
        use_anchor: bool = True,
        in_transaction: bool = False,
    ) -> IntegrityReport:
        """The integrity checks (integrity.check) against the anchor, or against
        ``expected_hash`` instead. JournalError when the file cannot be read."""
        try:
            if use_anchor and anchored is None and expected_hash is None:
                anchored = _read_anchor(self.anchor, self.location)
        except JournalAltered as exc:
            return IntegrityReport(0, GENESIS, exc.first_bad_id, exc.problem)
        try:
            if not in_transaction:
                self._conn.execute("BEGIN")  # one consistent snapshot
            self._hash_memo = {}
            try:
                if self.version > 0:
                    problem = schema_problem(self._conn, self.version)
                    if problem:
                        return IntegrityReport(0, GENESIS, None, problem)
                return integrity.check(
                    self,
                    anchor=anchored if use_anchor else None,
                    expected_hash=expected_hash,
                    full=full,
                )
            finally:
                self._hash_memo = None
                if not in_transaction:
                    self._conn.execute("COMMIT")
        except sqlite3.Error as exc:
            raise JournalError(f"cannot read the journal at {self.path}: {why(exc)}") from exc

    def _require(self, report: IntegrityReport) -> IntegrityReport:
        if not report.ok:
            raise JournalAltered(self.location, report.problem or "", report.first_bad_id)
        return report

    def move_anchor(self, head: Head, *, force: bool = False) -> None:
        """Keep ``head`` in the anchor (forward only); a failure is a warning, not an error:
        the journal itself is intact."""
        if self.anchor is None:
            return
        try:
            self.anchor.write(head, self.location, force=force)
        except OSError as exc:
            self.warnings.append(
                f"warning: the journal's anchor {self.anchor.path} could not be written "
                f"({exc.strerror or exc}); the journal is intact, but a later removal of "
                "records could go unnoticed until it is"
            )

    def verify(self, *, expected_hash: str | None = None) -> IntegrityReport:
        """SQLite's page checks, then the whole chain walked, and the head checked against the
        anchor (or ``expected_hash``). Keeps the anchor when all holds (not for an expected
        head: an archived copy is not this workstation's journal)."""
        try:
            check = self._conn.execute("PRAGMA quick_check").fetchall()
        except sqlite3.Error as exc:
            raise JournalError(f"cannot read the journal at {self.path}: {why(exc)}") from exc
        if [r[0] for r in check] != ["ok"]:
            problem = "the file is damaged: " + "; ".join(str(r[0]) for r in check[:3])
            return IntegrityReport(0, GENESIS, None, problem)
        report = self.check(expected_hash=expected_hash, full=True)
        if report.ok and expected_hash is None:
            self.move_anchor(report.head)
        return report

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

        ``acknowledged_warnings``: the keys (``HistoryWarning.key``: code and figures) of the
        history warnings the verifier was shown and acknowledged (the window's Verify dialog).
        The history is checked again under the write lock; a warning not among them (another
        dose was recorded meanwhile, so its figures changed) refuses.

        Raises InvalidRecord (identifiers), RecordRefused (no dose ready), HistoryNotAcknowledged
        (history warnings not acknowledged), JournalAltered (the journal failed its checks),
        JournalError (storage).
        """
        if self.read_only:
            raise JournalError("the journal was opened for reading only")
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
        conn = self._conn
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                report = self._require(self.check(in_transaction=True))
                history = self._history_locked(content["patient_key"], current, policy)
                seen = set(acknowledged_warnings or ())
                unseen = [w for w in history.warnings if w.key not in seen]
                if unseen and not acknowledge_history:
                    raise HistoryNotAcknowledged(history)
                record_id = report.head.id + 1
                content.update(
                    id=record_id,
                    prev_hash=report.head.hash,
                    recorded_at=datetime.now(UTC).isoformat(timespec="microseconds"),
                    history=history.to_json(),
                    acknowledged_warnings=[w.code for w in history.warnings],
                )
                digest = self._insert(content)
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
                f"{why(exc)} (check the folder's permissions and free space)"
            ) from exc
        head = Head(record_id, digest)
        integrity.remember_walk(self.location, head)
        self.move_anchor(head)
        return StoredRecord(record_id, digest, report.head.hash, content)

    def _insert(self, content: dict[str, Any]) -> str:
        """INSERT one record and move the head (inside the caller's transaction)."""
        text = canonical_json(content)
        digest = content_hash(text)
        self._conn.execute(
            "INSERT INTO records (id, hash, content) VALUES (?, ?, ?)",
            (content["id"], digest, text),
        )
        self._conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
            (_HEAD_KEY, json.dumps({"id": content["id"], "hash": digest})),
        )
        return digest

    def append(
        self, drafts: Sequence[dict[str, Any]], check: AppendCheck | None = None
    ) -> list[StoredRecord]:
        """Append records of one patient that are not doses (a preparation, near misses: issue
        16) in one transaction, after the checks and ``check`` (given the patient's records,
        each hash-checked) pass under the write lock. Returns only after COMMIT returned."""
        if self.read_only:
            raise JournalError("the journal was opened for reading only")
        key = appended_patient_key(drafts)
        conn = self._conn
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                report = self._require(self.check(in_transaction=True))
                self._check_seen(key)
                rows = conn.execute(
                    "SELECT id, hash, prev_hash, content FROM records WHERE patient_key = ? "
                    "ORDER BY id",
                    (key,),
                ).fetchall()
                patient = [_stored(row) for row in rows]
                for stored in patient:
                    if not stored.intact or not stored.readable:
                        raise JournalAltered(
                            self.location,
                            f"record {stored.id}: its content does not match its hash (edited?)",
                            stored.id,
                        )
                if check is not None:
                    check(patient)
                head, written = report.head, []
                for draft in drafts:
                    content = chained(draft, head)
                    head = Head(content["id"], self._insert(content))
                    written.append(StoredRecord(head.id, head.hash, content["prev_hash"], content))
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise JournalError(
                f"NOT recorded: cannot write the journal at {self.path}: {why(exc)} (check the "
                "folder's permissions and free space)"
            ) from exc
        integrity.remember_walk(self.location, head)
        self.move_anchor(head)
        return written

    def records_of_kind(self, kind: str) -> Iterator[StoredRecord]:
        """Records of one kind (journal/kinds.py) in id order; an older file is read as it is."""
        if self.version >= 4:
            cursor = self._conn.execute(
                "SELECT id, hash, prev_hash, content FROM records WHERE kind = ? ORDER BY id",
                (kind,),
            )
            for row in cursor:
                yield _stored(row)
            return
        yield from (r for r in self.records() if r.kind == kind)

    def start_chain(self, content: dict[str, Any]) -> StoredRecord:
        """Write record 1 of a new, empty journal (``restart.start_new_journal``) and anchor it,
        replacing the anchor of the journal it follows."""
        conn = self._conn
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                if self.count_and_last() != (0, 0):
                    raise JournalError(f"the journal at {self.path} is not empty")
                content.update(
                    id=1,
                    prev_hash=GENESIS.hash,
                    recorded_at=datetime.now(UTC).isoformat(timespec="microseconds"),
                )
                digest = self._insert(content)
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise JournalError(f"cannot write the journal at {self.path}: {why(exc)}") from exc
        head = Head(1, digest)
        integrity.forget_journal(self.location)
        integrity.remember_walk(self.location, head)
        self.move_anchor(head, force=True)
        return StoredRecord(1, digest, GENESIS.hash, content)

    # --- reading --------------------------------------------------------------------------
    _FACT_PATHS = ", ".join(
        f"'$.{k}'" for k in ("administered_on", *(f"facts.{f}" for f in FACTS), "status")
    )

    def _history_locked(self, key: str, current: DoseFacts, policy: Policy) -> History:
        """Only the records the checks can use are read (the cost stays flat as a patient's
        history grows): the last dose on or before this date, and every dose from the start of
        its window on (later ones included). They are selected on columns computed from the
        signed content, and each one's hash is checked: one that fails makes the whole
        journal untrusted (JournalAltered), never a partial count."""
        day = current.administered_on
        window_start = (day - timedelta(days=policy.per_days - 1)).isoformat()
        columns = (
            "id, content, hash, CASE WHEN json_valid(content) THEN "
            f"json_extract(content, {self._FACT_PATHS}) END AS facts"
        )
        rows = self._conn.execute(
            f"SELECT {columns} FROM records WHERE patient_key = ? AND administered_on >= ? "
            "UNION "
            f"SELECT * FROM (SELECT {columns} FROM records "
            "WHERE patient_key = ? AND administered_on <= ? "
            "ORDER BY administered_on DESC, id DESC LIMIT 1) "
            "ORDER BY id",
            (key, window_start, key, day.isoformat()),
        ).fetchall()
        self._check_seen(key)
        earlier, read = [], {}
        for rid, text, digest, extracted in rows:
            try:
                if content_hash_or_none(text) != digest or not isinstance(extracted, str):
                    raise ValueError("hash")
                values = json.loads(extracted)
                if values[-1] != RECORD_STATUS:
                    raise ValueError("status")
                earlier.append(facts_from_values(values[:-1], int(rid)))
                read[int(rid)] = (str(digest), str(values[0]))
            except (ValueError, KeyError, TypeError, ZeroDivisionError, IndexError):
                raise JournalAltered(
                    self.location,
                    f"record {rid}: its content does not match its hash or cannot be read "
                    "(edited?)",
                    int(rid),
                ) from None
        integrity.remember_read(self.location, key, read)
        return assess_history(current, earlier, policy, started_anew=self._started_anew())

    def _check_seen(self, key: str) -> None:
        """Every record of this patient that this process read before is still there, the
        same (integrity.remember_read): an edit made since the walk is caught here, not only
        by the next process's full walk."""
        before = integrity.seen(self.location, key)
        ids = sorted(before)
        found: dict[int, tuple[str, Any, Any, Any]] = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ", ".join("?" * len(chunk))
            for rid, digest, text, row_key, day in self._conn.execute(
                "SELECT id, hash, content, patient_key, administered_on FROM records "
                f"WHERE id IN ({marks})",
                chunk,
            ):
                found[int(rid)] = (str(digest), text, row_key, day)
        for rid in ids:
            digest, day = before[rid]
            row = found.get(rid)
            if (
                row is None
                or row[0] != digest
                or content_hash_or_none(row[1]) != digest
                or row[2] != key
                or row[3] != day
            ):
                raise JournalAltered(
                    self.location,
                    f"record {rid} was removed or changed after this session read it",
                    rid,
                )

    def _started_anew(self) -> tuple[date, str] | None:
        """When and why this journal was started anew (its record 1), if it was."""
        row = self._conn.execute(
            "SELECT CASE WHEN json_valid(content) THEN json_extract(content, '$.status', "
            "'$.recorded_at', '$.reason') END FROM records WHERE id = 1"
        ).fetchone()
        if row is None or not isinstance(row[0], str):
            return None
        try:
            status, recorded_at, reason = json.loads(row[0])
            if status != STATUS_JOURNAL_STARTED:
                return None
            return datetime.fromisoformat(recorded_at).date(), str(reason or "")
        except (ValueError, TypeError):
            return None

    def history(
        self,
        patient_id: str,
        result: DoseResult,
        administered_on: date,
        policy: Policy | None = None,
    ) -> History | None:
        """The history checks for a calculation not yet recorded; None when its inputs were
        invalid. JournalAltered when a record it would count fails its hash."""
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
            raise JournalError(f"cannot read the journal at {self.path}: {why(exc)}") from exc

    def get(self, record_id: int) -> StoredRecord | None:
        if not 0 < record_id <= _MAX_ID:
            return None
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
            for row in cursor:
                yield _stored(row)
            return
        key = patient_key(patient_id)
        if self.version >= 3:
            cursor = self._conn.execute(
                "SELECT id, hash, prev_hash, content FROM records WHERE patient_key = ? "
                "ORDER BY id",
                (key,),
            )
            for row in cursor:
                yield _stored(row)
            return
        for row in self._conn.execute(
            "SELECT id, hash, prev_hash, content FROM records ORDER BY id"
        ):  # an older layout read as it is: its stored keys are not this app's
            stored = _stored(row)
            if stored.patient_id and patient_key(stored.patient_id) == key:
                yield stored

    def patient_doses(self, patient_id: str) -> tuple[PatientDose, ...]:
        """Every verified dose of one patient (matched as history matches), oldest first, each
        checked against its hash: one that fails raises JournalAltered (nothing partial)."""
        key = patient_key(patient_id)
        try:
            self._check_seen(key)
            rows = self._conn.execute(
                "SELECT id, content, hash, administered_on FROM records WHERE patient_key = ? "
                "ORDER BY administered_on, id",
                (key,),
            ).fetchall()
        except sqlite3.Error as exc:
            raise JournalError(f"cannot read the journal at {self.path}: {why(exc)}") from exc
        doses = tuple(
            patient_dose(int(rid), text, digest, day)
            for rid, text, digest, day in without_other_kinds(rows, 1, 2)
        )
        for dose in doses:
            if not dose.intact or dose.facts is None:
                raise JournalAltered(
                    self.location,
                    f"record {dose.record_id}: its content does not match its hash or cannot "
                    "be read (edited?)",
                    dose.record_id,
                )
        integrity.remember_read(
            self.location, key, {int(rid): (str(digest), day) for rid, _, digest, day in rows}
        )
        return doses

    def count(self) -> int:
        return self.count_and_last()[0]


def _stored(row: tuple[Any, ...]) -> StoredRecord:
    rid, digest, prev, text = row
    try:
        content = json.loads(text)
        readable = isinstance(content, dict)
    except (TypeError, ValueError):
        readable = False
    if not readable:
        content = {"unreadable_content": str(text)[:200]}
    intact = content_hash_or_none(text) == digest
    return StoredRecord(int(rid), str(digest), str(prev), content, readable, intact)


def history_for(
    patient_id: str,
    result: DoseResult,
    administered_on: date,
    folder: Path | None = None,
    policy: Policy | None = None,
    anchor: AnchorChoice = DEFAULT_ANCHOR,
) -> History | None:
    """The history checks for a calculation, from the journal if there is one (none is created).

    A journal that fails its checks gives a History whose figures are null and whose warning
    (``journal_altered``) names the first bad record; one that cannot be read, the same with
    ``journal_unavailable``: never an exception, never a partial count. The dose calculation
    itself does not depend on it.
    """
    policy = policy or load_policy()
    current = facts_of_result(result, administered_on)
    if current is None:
        return None
    try:
        journal = Journal.open_existing(folder, anchor=anchor)
        if journal is None:
            return assess_history(current, (), policy)
        with journal:
            return journal.history(patient_id, result, administered_on, policy)
    except JournalAltered as exc:
        return history_altered(exc.problem, exc.first_bad_id, current.units_total, policy)
    except JournalError as exc:
        return history_unavailable(str(exc), current.units_total, policy)


def read_patient_doses(
    patient_id: str, folder: Path | None = None, anchor: AnchorChoice = DEFAULT_ANCHOR
) -> tuple[PatientDose, ...]:
    """A patient's verified doses from the journal, if there is one (none is created: () when
    there is none and none ever was). JournalError (JournalAltered when it fails its checks)."""
    journal = Journal.open_existing(folder, anchor=anchor)
    if journal is None:
        return ()
    with journal:
        return journal.patient_doses(patient_id)

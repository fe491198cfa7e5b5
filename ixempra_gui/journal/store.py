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
import sqlite3
from collections.abc import Collection
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from ixempra_gui.core.models import DoseResult
from ixempra_gui.core.policy import Policy, load_policy
from ixempra_gui.journal import integrity, paths
from ixempra_gui.journal.anchor import AnchorFile, Head
from ixempra_gui.journal.chain import (
    GENESIS,
)
from ixempra_gui.journal.entries import (
    NewRecord,
    PatientDose,
    StoredRecord,
    draft_content,
    facts_of_result,
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
    History,
    assess_history,
    history_altered,
    history_unavailable,
)
from ixempra_gui.journal.schema import (
    SCHEMA_VERSION,
    check_version,
    migrate,
    read_schema,
    schema_version,
)
from ixempra_gui.journal.sqlite_files import (
    connect_for_reading,
    connect_for_writing,
    remove_copy,
    why,
)
from ixempra_gui.journal.store_chain import (
    DEFAULT_ANCHOR,
    AnchorChoice,
    choose_anchor,
    missing_journal,
    read_anchor,
)
from ixempra_gui.journal.store_writing import RecordWriting

__all__ = [
    "DEFAULT_ANCHOR",
    "Journal",
    "JournalError",
    "JournalSchemaError",
    "history_for",
    "read_patient_doses",
]


class Journal(RecordWriting):
    """One open journal file. Use ``Journal.open()`` (or ``open_existing``, ``open_read_only``);
    close it (or use ``with``)."""

    #: What a person does when it fails its checks (``ixempra-journal init --new``).
    resolution = RESOLVE_FILE

    # --- opening --------------------------------------------------------------------------
    @classmethod
    def open(cls, folder: Path | None = None, *, anchor: AnchorChoice = DEFAULT_ANCHOR) -> Journal:
        """Open the journal for recording, creating its folder (0700) and file (0600) when
        missing, and check it. JournalAltered when it fails its checks (nothing is changed)."""
        path = paths.journal_path(folder)
        anchor_file = choose_anchor(anchor)
        anchored = read_anchor(anchor_file, str(path))
        if not path.exists() and anchored is not None and anchored.id > 0:
            raise missing_journal(path, anchored)
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
        anchor_file = choose_anchor(anchor)
        anchored = read_anchor(anchor_file, str(path))
        if not path.exists():
            if anchored is not None and anchored.id > 0:
                raise missing_journal(path, anchored)
            return None
        return cls._open_checked(path, anchor_file, anchored)

    @classmethod
    def _open_checked(cls, path: Path, anchor: AnchorFile | None, anchored: Head | None) -> Journal:
        conn = None
        try:
            conn = connect_for_writing(path)
            version, problem = read_schema(conn)
            check_version(version)
            journal = cls(conn, path, version=version, anchor=anchor)
            if version == 0 and anchored is not None and anchored.id > 0:
                raise missing_journal(path, anchored)
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
            anchor=choose_anchor(anchor),
            copy_folder=copy,
        )
        if copy is not None:
            journal.warnings.append(
                f"note: {path} could not be opened in place (read-only medium?); a temporary "
                "copy was read"
            )
        return journal

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
        seen = set(acknowledged_warnings or ())
        conn = self._conn
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                report = self._require(self.check(in_transaction=True))
                history = self._history_locked(content["patient_key"], current, policy)
                unseen = [w for w in history.warnings if w.key not in seen]
                if unseen and not acknowledge_history:
                    raise HistoryNotAcknowledged(history)
                record_id, digest = self._append(content, report.head, history)
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

    def _append(self, content: dict[str, Any], head: Head, history: History) -> tuple[int, str]:
        """The record after ``head``, with its history and the warnings acknowledged, written
        (inside the caller's transaction): its id and hash."""
        record_id = head.id + 1
        content.update(
            id=record_id,
            prev_hash=head.hash,
            recorded_at=datetime.now(UTC).isoformat(timespec="microseconds"),
            history=history.to_json(),
            acknowledged_warnings=[w.code for w in history.warnings],
        )
        return record_id, self._insert(content)


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

"""The journal file as the integrity walk reads it (``integrity.ChainSource``: the stored head,
the count, one record's hash, the rows in id order for each layout the file may have), and the
checks run on it against this workstation's anchor or a head hash given.

Mixed into ``store.Journal``, which holds the connection, the schema version and the anchor.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from ixempra_gui.journal import integrity
from ixempra_gui.journal.anchor import AnchorFile, AnchorUnreadable, Head
from ixempra_gui.journal.chain import (
    GENESIS,
    SIGNED_FIELDS,
    ChainReport,
    ChainRow,
    content_hash_or_none,
    signed_fields,
    walk,
)
from ixempra_gui.journal.errors import JournalAltered, JournalError
from ixempra_gui.journal.identifiers import patient_key
from ixempra_gui.journal.integrity import IntegrityReport
from ixempra_gui.journal.schema import SCHEMA_VERSION, schema_problem, v2_patient_key
from ixempra_gui.journal.sqlite_files import remove_copy, why

HEAD_KEY = "head"
MAX_ID = 2**63 - 1


class _DefaultAnchor:
    """The user's anchor file (AnchorFile.default()), looked up when a journal is opened."""

    def __repr__(self) -> str:
        return "DEFAULT_ANCHOR"


DEFAULT_ANCHOR: Any = _DefaultAnchor()
AnchorChoice = AnchorFile | None | _DefaultAnchor


def choose_anchor(choice: AnchorChoice) -> AnchorFile | None:
    return AnchorFile.default() if isinstance(choice, _DefaultAnchor) else choice


def read_anchor(anchor: AnchorFile | None, location: str) -> Head | None:
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


def missing_journal(path: Path, anchored: Head) -> JournalAltered:
    return JournalAltered(
        str(path),
        f"there is no journal file, but this workstation saw one holding record {anchored.id} "
        f"(anchor {anchored.hash[:12]}…): it was deleted, moved, or the data folder changed",
        1,
    )


class ChainRows:
    """One open journal file: how the walk reads it (``integrity.check`` calls these), and the
    checks."""

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

    def close(self) -> None:
        self._conn.close()
        remove_copy(self._copy_folder)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def location(self) -> str:
        """The journal file's absolute path: this process's memory of walks is kept by it."""
        return self._location

    @property
    def description(self) -> str:
        """Which journal, for the CLIs and the window."""
        return f"journal file {self.path}"

    def stored_head(self) -> Head | None:
        if self.version == 0:
            return None
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (HEAD_KEY,)).fetchone()
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
        if not 0 < record_id <= MAX_ID or self.version == 0:
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
                anchored = read_anchor(self.anchor, self.location)
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

"""The file journal's writes other than a dose's (``Journal.record``): one row inserted with
the head moved, the records of a preparation and its near misses appended in one transaction
(issue 16), and the first record of a journal started anew (``restart``)."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from ixempra_gui.journal import integrity
from ixempra_gui.journal.anchor import Head
from ixempra_gui.journal.appending import AppendCheck, appended_patient_key, chained
from ixempra_gui.journal.chain import GENESIS, canonical_json, content_hash
from ixempra_gui.journal.entries import StoredRecord
from ixempra_gui.journal.errors import JournalAltered, JournalError
from ixempra_gui.journal.kit_serials import KitsCheck, drafts_needles, kit_uses_sqlite
from ixempra_gui.journal.sqlite_files import why
from ixempra_gui.journal.store_chain import HEAD_KEY
from ixempra_gui.journal.store_reading import RecordReading, stored_row


class RecordWriting(RecordReading):
    """Inserting rows into one open journal file, each write in its own transaction."""

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
            (HEAD_KEY, json.dumps({"id": content["id"], "hash": digest})),
        )
        return digest

    def append(
        self,
        drafts: Sequence[dict[str, Any]],
        check: AppendCheck | None = None,
        kits_check: KitsCheck | None = None,
    ) -> list[StoredRecord]:
        """Append records of one patient that are not doses (a preparation, near misses: issue
        16) in one transaction, after the checks, ``check`` (given the patient's records, each
        hash-checked) and ``kits_check`` (given the preparations holding a serialised kit of
        the drafts) pass under the write lock. Returns only after COMMIT returned."""
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
                patient = [stored_row(row) for row in rows]
                needles = drafts_needles(drafts) if kits_check is not None else []
                if needles:
                    found = conn.execute(kit_uses_sqlite(needles), needles).fetchall()
                    patient += [stored_row(row) for row in found]
                for stored in patient:
                    if not stored.intact or not stored.readable:
                        raise JournalAltered(
                            self.location,
                            f"record {stored.id}: its content does not match its hash (edited?)",
                            stored.id,
                        )
                if check is not None:
                    check(patient[: len(rows)])
                if kits_check is not None:
                    kits_check(patient[len(rows) :])
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

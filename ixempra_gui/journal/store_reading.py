"""Reading the journal: a patient's history (only the records the checks can use, each hash
checked), a patient's verified doses, one record, every record.

Mixed into ``store.Journal``, which holds the connection. A record that fails its hash makes
the whole journal untrusted (``JournalAltered``): never a partial history.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from ixempra_gui.core.models import DoseResult
from ixempra_gui.core.policy import Policy, load_policy
from ixempra_gui.journal import integrity
from ixempra_gui.journal.chain import content_hash_or_none
from ixempra_gui.journal.entries import (
    FACTS,
    RECORD_STATUS,
    STATUS_JOURNAL_STARTED,
    PatientDose,
    StoredRecord,
    facts_from_values,
    facts_of_result,
    patient_dose,
)
from ixempra_gui.journal.errors import JournalAltered, JournalError
from ixempra_gui.journal.history import DoseFacts, History, assess_history
from ixempra_gui.journal.identifiers import patient_key
from ixempra_gui.journal.kinds import without_other_kinds
from ixempra_gui.journal.sqlite_files import why
from ixempra_gui.journal.store_chain import MAX_ID, ChainRows


class RecordReading(ChainRows):
    """The journal's readers."""

    path: Path

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
        earlier: list[DoseFacts] = []
        read: dict[int, tuple[str, str | None]] = {}
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
        if not 0 < record_id <= MAX_ID:
            return None
        row = self._conn.execute(
            "SELECT id, hash, prev_hash, content FROM records WHERE id = ?", (record_id,)
        ).fetchone()
        return None if row is None else stored_row(row)

    def records(self, patient_id: str | None = None) -> Iterator[StoredRecord]:
        """Records in id order (of one patient, matched as history matches, when given)."""
        if patient_id is None:
            cursor = self._conn.execute(
                "SELECT id, hash, prev_hash, content FROM records ORDER BY id"
            )
            for row in cursor:
                yield stored_row(row)
            return
        key = patient_key(patient_id)
        if self.version >= 3:
            cursor = self._conn.execute(
                "SELECT id, hash, prev_hash, content FROM records WHERE patient_key = ? "
                "ORDER BY id",
                (key,),
            )
            for row in cursor:
                yield stored_row(row)
            return
        for row in self._conn.execute(
            "SELECT id, hash, prev_hash, content FROM records ORDER BY id"
        ):  # an older layout read as it is: its stored keys are not this app's
            stored = stored_row(row)
            if stored.patient_id and patient_key(stored.patient_id) == key:
                yield stored

    def records_of_kind(self, kind: str) -> Iterator[StoredRecord]:
        """Records of one kind (journal/kinds.py) in id order; an older file is read as it is."""
        if self.version >= 4:
            cursor = self._conn.execute(
                "SELECT id, hash, prev_hash, content FROM records WHERE kind = ? ORDER BY id",
                (kind,),
            )
            for row in cursor:
                yield stored_row(row)
            return
        yield from (r for r in self.records() if r.kind == kind)

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


def stored_row(row: tuple[Any, ...]) -> StoredRecord:
    """A record as read from its row (id, hash, prev_hash, content): unreadable content kept
    as a preview, and whether it still hashes to its hash."""
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

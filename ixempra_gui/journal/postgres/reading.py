"""Reading the site journal: a patient's history (one round trip, one snapshot, each record
checked against its hash and its generated columns), a patient's verified doses, one record,
every record (streamed from a server-side cursor).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

import psycopg

from ixempra_gui.core.models import DoseResult
from ixempra_gui.core.policy import Policy, load_policy
from ixempra_gui.journal import integrity
from ixempra_gui.journal.chain import (
    content_hash_or_none,
)
from ixempra_gui.journal.entries import (
    FACTS,
    RECORD_STATUS,
    PatientDose,
    StoredRecord,
    facts_from_values,
    facts_of_result,
    patient_dose,
)
from ixempra_gui.journal.history import DoseFacts, History, HistoryWarning, assess_history
from ixempra_gui.journal.identifiers import patient_key, trim_patient_id
from ixempra_gui.journal.kinds import without_other_kinds
from ixempra_gui.journal.postgres.checks import ChainChecks
from ixempra_gui.journal.postgres.rows import (
    DOSES_SQL,
    HISTORY_SQL,
    MAX_ID,
    history_params,
    stored_record,
)


class Reading(ChainChecks):
    """The site journal's readers."""

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
                signed = self._signed_doses.get((int(rid), digest))
                if signed is None:  # the same hash is the same text: parsed once
                    signed = self._remember_dose(int(rid), digest, json.loads(text))
                status, signed_key, signed_day, values = signed
                if (
                    status != RECORD_STATUS
                    or signed_key != column_key
                    or column_key != key
                    or signed_day != column_day
                ):
                    raise ValueError("columns")
                earlier.append(facts_from_values(list(values), int(rid)))
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

    def _remember_dose(self, rid: int, digest: str, content: Any) -> tuple[Any, ...]:
        """What the history reads of a dose whose text hashes to ``digest`` (KeyError and the
        like when the content is not a dose's: the caller names the record)."""
        values = (content["administered_on"], *(content["facts"][k] for k in FACTS))
        signed = (content.get("status"), content.get("patient_key"), values[0], values)
        if len(self._signed_doses) >= 10_000:  # bounded: the oldest is forgotten first
            del self._signed_doses[next(iter(self._signed_doses))]
        self._signed_doses[(rid, digest)] = signed
        return signed

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
                [HISTORY_SQL],
                history_params(key, current, policy),
                lock=False,
                key=key,
            )
        except psycopg.Error as exc:
            raise self._failed(exc) from exc
        self.move_anchor(report.head)
        return self._assess(rows, key, current, policy, extra_warnings)

    def get(self, record_id: int) -> StoredRecord | None:
        if not 0 < record_id <= MAX_ID:
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
        return None if row is None else stored_record(row)

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
                    yield stored_record(row)
        except psycopg.Error as exc:
            raise self._failed(exc) from exc

    def patient_doses(self, patient_id: str) -> tuple[PatientDose, ...]:
        """Every verified dose of one patient (matched as history matches), oldest first, each
        checked against its hash: one that fails raises JournalAltered (nothing partial)."""
        key = patient_key(trim_patient_id(patient_id))
        try:
            report, (rows,) = self._checked_round_trip(
                self._connection(), [DOSES_SQL], {"key": key}, lock=False, key=key
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
                    yield stored_record(row)
        except psycopg.Error as exc:
            raise self._failed(exc) from exc

    def count(self) -> int:
        try:
            row = self._connection().execute("SELECT count(*) FROM ixempra.records").fetchone()
        except psycopg.Error as exc:
            raise self._failed(exc) from exc
        assert row is not None
        return int(row[0])

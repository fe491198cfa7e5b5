"""What both journals do the same way, run over each back end: the SQLite file and the site
journal on a real PostgreSQL server (``journal.interface.JournalStore``).

SQLite keeps its own file-tamper tests; the server's refusals are in test_pg_server.py.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from journal_support import DAY0, new_record
from pg_support import PREPARER, VERIFIER

from ixempra_gui.journal.errors import HistoryNotAcknowledged, InvalidRecord, RecordRefused
from ixempra_gui.journal.export import export_csv
from ixempra_gui.journal.interface import JournalStore, describe

HOSTILE_IDS = [
    "'; DROP TABLE records; --",
    'O\'Brien "Bob" `x` \\n %s {0} <b>x</b>',
    "患者-東京-001 ✓ Zoë Ångström",
    "x" * 10_240,
    "NULL",
]


@dataclass
class Backend:
    """One journal back end, as the tests drive it."""

    name: str
    journal: JournalStore
    prepared_by: str
    verified_by: str
    options: dict[str, Any] = field(default_factory=dict)  # e.g. the verifier session

    def new(self, patient: str = "MRN-1", administered_on: date = DAY0, **kwargs: Any):
        return new_record(
            patient,
            administered_on,
            prepared_by=self.prepared_by,
            verified_by=self.verified_by,
            **kwargs,
        )

    def record(self, new: Any, **kwargs: Any):
        return self.journal.record(new, **kwargs, **self.options)


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if request.param == "sqlite":
        from ixempra_gui.journal.store import Journal

        with Journal.open(tmp_path) as journal:
            yield Backend("sqlite", journal, "A. Pharmacist", "B. Checker")
        return
    from ixempra_gui.journal.postgres.session import VerifierSession
    from ixempra_gui.journal.postgres.store import PostgresJournal

    site = request.getfixturevalue("pg_site")
    with (
        PostgresJournal.open(site.url(PREPARER)) as journal,
        VerifierSession.sign_in(site.url(VERIFIER)) as verifier,
    ):
        yield Backend("postgresql", journal, PREPARER, VERIFIER, {"verifier": verifier})


pytestmark = pytest.mark.slow


def test_both_are_journal_stores(backend: Backend) -> None:
    assert isinstance(backend.journal, JournalStore)
    words = describe(backend.journal)
    assert ("site journal postgresql://" in words) is (backend.name == "postgresql")
    assert ("journal file" in words) is (backend.name == "sqlite")


def test_record_then_read_it_back(backend: Backend) -> None:
    stored = backend.record(backend.new("MRN-1"))
    assert stored.id == 1 and len(stored.hash) == 64
    again = backend.journal.get(1)
    assert again is not None and again.hash == stored.hash and again.content == stored.content
    c = again.content
    assert c["patient_id"] == "MRN-1" and c["administered_on"] == DAY0.isoformat()
    assert (c["prepared_by"], c["verified_by"]) == (backend.prepared_by, backend.verified_by)
    assert c["result"]["dose_mg"] == 72.8 and c["result"]["billing"]["units_total"] == 75
    assert c["history"]["prior_units_21d"] == 0 and c["status"] == "verified"
    assert backend.journal.count() == 1 and backend.journal.get(2) is None
    report = backend.journal.verify()
    assert report.ok and report.records == 1 and report.head_hash == stored.hash


def test_a_second_dose_within_21_days_needs_acknowledging(backend: Backend) -> None:
    backend.record(backend.new("MRN-1"))
    with pytest.raises(HistoryNotAcknowledged) as caught:
        backend.record(backend.new("mrn-1", DAY0 + timedelta(days=20)))
    codes = {w.code for w in caught.value.history.warnings}
    assert codes == {"over_21_day_limit", "short_cycle_interval"}
    assert caught.value.history.prior_units_21d == 75
    assert backend.journal.count() == 1
    stored = backend.record(
        backend.new("mrn-1", DAY0 + timedelta(days=20)), acknowledge_history=True
    )
    assert set(stored.content["acknowledged_warnings"]) == codes
    assert stored.content["history"]["units_total_21d"] == 150


@pytest.mark.parametrize(("days", "prior"), [(20, 75), (21, 0), (22, 0)])
def test_the_window_counts_fewer_than_21_days(backend: Backend, days: int, prior: int) -> None:
    backend.record(backend.new("W", DAY0 - timedelta(days=days)))
    h = backend.journal.history("W", backend.new().result, DAY0)
    assert h is not None and h.prior_units_21d == prior and h.days_since_last_dose == days


def test_recording_with_the_warnings_seen_and_refusing_any_other(backend: Backend) -> None:
    backend.record(backend.new("P", DAY0 - timedelta(days=10)))
    seen = backend.journal.history("P", backend.new().result, DAY0)
    assert seen is not None and seen.warnings
    messages = [w.message for w in seen.warnings]
    backend.record(backend.new("P", DAY0 + timedelta(days=1)), acknowledge_history=True)
    with pytest.raises(HistoryNotAcknowledged):  # another dose arrived: new figures
        backend.record(backend.new("P", DAY0), acknowledged_warnings=messages)
    assert backend.journal.count() == 2


def test_history_before_recording_is_what_the_record_keeps(backend: Backend) -> None:
    backend.record(backend.new("H", DAY0 - timedelta(days=21)))
    new = backend.new("H", DAY0, weight="77 kg")
    before = backend.journal.history("H", new.result, DAY0)
    assert before is not None and {w.code for w in before.warnings} == {"weight_change"}
    stored = backend.record(new, acknowledged_warnings=[w.message for w in before.warnings])
    assert stored.content["history"] == before.to_json()


def test_records_and_doses_of_one_patient(backend: Backend) -> None:
    backend.record(backend.new("MRN-7", DAY0, weight="70 kg"))
    backend.record(backend.new("other", DAY0))
    backend.record(
        backend.new("mrn-7", DAY0 - timedelta(days=30), weight="154 lb"), acknowledge_history=True
    )
    assert [r.id for r in backend.journal.records("MRN-7")] == [1, 3]
    assert [r.id for r in backend.journal.records()] == [1, 2, 3]
    doses = backend.journal.patient_doses("MRN-7")
    assert [d.record_id for d in doses] == [3, 1]  # by administration date
    assert all(d.intact for d in doses)
    assert (doses[1].prepared_by, doses[1].verified_by) == (
        backend.prepared_by,
        backend.verified_by,
    )


def test_a_dose_that_is_not_ready_is_refused(backend: Backend) -> None:
    with pytest.raises(RecordRefused):
        backend.record(backend.new(regimen="capecitabine", bilirubin="1.3 mg/dL"))
    assert backend.journal.count() == 0


def test_unusable_identifiers_are_refused(backend: Backend) -> None:
    with pytest.raises(InvalidRecord) as caught:
        backend.record(backend.new("line\nbreak"))
    assert caught.value.problems[0][0] == "patient_id"
    assert backend.journal.count() == 0


@pytest.mark.parametrize("patient", HOSTILE_IDS, ids=range(len(HOSTILE_IDS)))
def test_hostile_identifiers_are_stored_as_typed(backend: Backend, patient: str) -> None:
    stored = backend.record(backend.new(patient))
    again = backend.journal.get(stored.id)
    assert again is not None and again.patient_id == patient
    assert [r.id for r in backend.journal.records(patient)] == [stored.id]
    assert backend.journal.verify().ok


def test_export_writes_every_record(backend: Backend, tmp_path: Path) -> None:
    for patient in ("A-1", "B-2", "C-3"):
        backend.record(backend.new(patient))
    target = tmp_path / "out.csv"
    assert export_csv(backend.journal.records(), target) == 3
    with open(target, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["patient_id"] for r in rows] == ["A-1", "B-2", "C-3"]
    assert [r["prepared_by"] for r in rows] == [backend.prepared_by] * 3
    assert [r["hash"] for r in rows] == [r.hash for r in backend.journal.records()]

"""What both journals do the same way, run over each back end: the SQLite file and the site
journal on a real PostgreSQL server (``journal.interface.JournalStore``): recording, the
history and its 21-day window, one identifier rule, the integrity checks (a counted record
that fails its hash, records removed behind the anchor, an expected head), read-only opens and
exports.

SQLite keeps its own file-tamper tests (test_tamper_matrix.py); the server's refusals are in
test_pg_server.py and what its superuser could still do in test_pg_tamper.py. Tampering here is
done the way each back end allows it: the sqlite3 shell on the file, a superuser with the
server's triggers off.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from journal_support import DAY0, new_record, raw
from pg_support import PREPARER, VERIFIER, Site

from ixempra_gui.journal import integrity
from ixempra_gui.journal.entries import RECORD_FORMAT
from ixempra_gui.journal.errors import (
    HistoryNotAcknowledged,
    InvalidRecord,
    JournalAltered,
    JournalError,
    RecordRefused,
)
from ixempra_gui.journal.export import csv_bytes
from ixempra_gui.journal.identifiers import patient_key
from ixempra_gui.journal.interface import AuthenticatedJournal, JournalStore, describe

pytestmark = pytest.mark.slow

# Identifiers the one rule refuses (journal/identifiers.py), whichever journal: each would
# make a second patient with no earlier doses, or is not an identifier at all.
REFUSED_IDS = [
    "MRN\u200b1",  # zero-width space
    "MRN\u00ad1",  # soft hyphen
    "\ufeffMRN1",  # BOM
    "MRN\u20601",  # word joiner
    "МRN1",  # Cyrillic capital EM
    "MRN１",  # full-width digit
    "'; DROP TABLE records; --",
    "line\nbreak",
    "x" * 5_000,
    "",
]


@dataclass
class Backend:
    """One journal back end, as the tests drive it."""

    name: str
    journal: JournalStore
    prepared_by: str
    verified_by: str
    reopen: Callable[[], JournalStore]  # a new, checked open (what a new process does)
    open_read_only: Callable[[], JournalStore]
    sql: Callable[[str], None]  # tampering, as each back end allows it (module docstring)
    options: dict[str, Any] = field(default_factory=dict)  # e.g. the verifier session

    def new(self, patient: str = "MRN-1", administered_on: date = DAY0, **kwargs: Any):
        return new_record(
            patient,
            administered_on,
            prepared_by=self.prepared_by,
            verified_by=self.verified_by,
            **kwargs,
        )

    def record(self, new: Any, journal: JournalStore | None = None, **kwargs: Any):
        return (journal or self.journal).record(new, **kwargs, **self.options)


def _sqlite_sql(folder: Path) -> Callable[[str], None]:
    def run(statement: str) -> None:
        conn = raw(folder)
        try:
            conn.executescript(statement)
        finally:
            conn.close()

    return run


def _server_sql(site: Site) -> Callable[[str], None]:
    def run(statement: str) -> None:
        site.sql(f"SET session_replication_role = replica; {statement}")

    return run


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    integrity.forget_walks()
    if request.param == "sqlite":
        from ixempra_gui.journal.store import Journal

        def sqlite_read_only() -> JournalStore:
            journal = Journal.open_read_only(tmp_path)
            assert journal is not None
            return journal

        with Journal.open(tmp_path) as journal:
            yield Backend(
                "sqlite",
                journal,
                "A. Pharmacist",
                "B. Checker",
                lambda: Journal.open(tmp_path),
                sqlite_read_only,
                _sqlite_sql(tmp_path),
            )
        return
    from ixempra_gui.journal.postgres.session import VerifierSession
    from ixempra_gui.journal.postgres.store import PostgresJournal

    site = request.getfixturevalue("pg_site")
    with (
        PostgresJournal.open(site.url(PREPARER)) as journal,
        VerifierSession.sign_in(site.url(VERIFIER)) as verifier,
    ):
        yield Backend(
            "postgresql",
            journal,
            PREPARER,
            VERIFIER,
            lambda: PostgresJournal.open(site.url(PREPARER)),
            lambda: PostgresJournal.open_read_only(site.url(PREPARER)),
            _server_sql(site),
            {"verifier": verifier},
        )


def test_both_are_journal_stores(backend: Backend) -> None:
    assert isinstance(backend.journal, JournalStore)
    authenticated = isinstance(backend.journal, AuthenticatedJournal)
    assert authenticated is (backend.name == "postgresql")
    words = describe(backend.journal)
    assert ("site journal postgresql://" in words) is (backend.name == "postgresql")
    assert ("journal file" in words) is (backend.name == "sqlite")
    assert not backend.journal.read_only and backend.journal.anchor is not None


def test_record_then_read_it_back(backend: Backend) -> None:
    stored = backend.record(backend.new("MRN 1"))
    assert stored.id == 1 and len(stored.hash) == 64
    again = backend.journal.get(1)
    assert again is not None and again.hash == stored.hash and again.content == stored.content
    c = again.content
    assert c["format"] == RECORD_FORMAT and c["patient_key"] == patient_key("MRN 1") == "mrn1"
    assert c["patient_id"] == "MRN 1" and c["administered_on"] == DAY0.isoformat()
    assert (c["prepared_by"], c["verified_by"]) == (backend.prepared_by, backend.verified_by)
    assert c["result"]["dose_mg"] == 72.8 and c["result"]["billing"]["units_total"] == 75
    assert c["history"]["prior_units_21d"] == 0 and c["status"] == "verified"
    assert backend.journal.count() == 1 and backend.journal.get(2) is None
    report = backend.journal.verify()
    assert report.ok and report.records == 1 and report.head_hash == stored.hash
    assert backend.journal.check().ok
    assert backend.journal.anchor is not None and backend.journal.anchor.read() == report.head


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


def test_spaces_and_case_are_not_part_of_the_key(backend: Backend) -> None:
    """``MRN 0012345`` and ``mrn0012345`` are one patient: merging can only count more."""
    backend.record(backend.new("MRN 0012345"))
    h = backend.journal.history("  mrn0012345 ", backend.new().result, DAY0 + timedelta(days=5))
    assert h is not None and h.prior_units_21d == 75 and h.within_limit is False
    assert [r.id for r in backend.journal.records("mrn 001 2345")] == [1]


def test_recording_with_the_warnings_seen_and_refusing_any_other(backend: Backend) -> None:
    backend.record(backend.new("P", DAY0 - timedelta(days=10)))
    seen = backend.journal.history("P", backend.new().result, DAY0)
    assert seen is not None and seen.warnings
    keys = [w.key for w in seen.warnings]
    backend.record(backend.new("P", DAY0 + timedelta(days=1)), acknowledge_history=True)
    with pytest.raises(HistoryNotAcknowledged):  # another dose arrived: new figures
        backend.record(backend.new("P", DAY0), acknowledged_warnings=keys)
    assert backend.journal.count() == 2


def test_history_before_recording_is_what_the_record_keeps(backend: Backend) -> None:
    backend.record(backend.new("H", DAY0 - timedelta(days=21)))
    new = backend.new("H", DAY0, weight="77 kg")
    before = backend.journal.history("H", new.result, DAY0)
    assert before is not None and {w.code for w in before.warnings} == {"weight_change"}
    stored = backend.record(new, acknowledged_warnings=[w.key for w in before.warnings])
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


@pytest.mark.parametrize("patient", REFUSED_IDS, ids=range(len(REFUSED_IDS)))
def test_identifiers_outside_the_rule_are_refused_naming_the_field(
    backend: Backend, patient: str
) -> None:
    with pytest.raises(InvalidRecord) as caught:
        backend.record(backend.new(patient))
    assert caught.value.problems[0][0] == "patient_id"
    assert caught.value.problems[0][1].startswith("Patient id:")
    assert backend.journal.count() == 0


# --- integrity -----------------------------------------------------------------------------------
def _three_doses_for_p(backend: Backend) -> list[str]:
    """P's doses 15, 10 and 5 days before DAY0 (225 units), and one of Q's; their hashes."""
    hashes = []
    for patient, days in (("P", 15), ("Q", 12), ("P", 10), ("P", 5)):
        stored = backend.record(
            backend.new(patient, DAY0 - timedelta(days=days)), acknowledge_history=True
        )
        hashes.append(stored.hash)
    return hashes


def test_a_counted_record_that_fails_its_hash_gives_no_figure_and_refuses(
    backend: Backend,
) -> None:
    """Record 3 (one of P's doses) edited in place: the history is journal_altered, naming
    it, never a lower count; recording for P refuses; nothing is written."""
    _three_doses_for_p(backend)
    table = "ixempra.records" if backend.name == "postgresql" else "records"
    backend.sql(
        f"UPDATE {table} SET content = replace(content, '\"units_total\":75', "
        "'\"units_total\":5') WHERE id = 3"
    )
    with pytest.raises(JournalAltered) as caught:
        backend.journal.history("P", backend.new().result, DAY0)
    assert caught.value.first_bad_id == 3 and "record 3" in caught.value.problem
    with pytest.raises(JournalAltered):
        backend.record(backend.new("P"), acknowledge_history=True)
    with pytest.raises(JournalAltered):
        backend.journal.patient_doses("P")
    assert backend.journal.count() == 4
    report = backend.journal.verify()
    assert not report.ok and report.first_bad_id == 3


def test_records_removed_behind_the_anchor_are_caught_on_the_next_open(
    backend: Backend,
) -> None:
    """The last record removed and the head moved back, so the chain itself holds: the
    anchor (the last head this workstation saw) says so on the next open, and in the same
    session the check says so too."""
    hashes = _three_doses_for_p(backend)
    if backend.name == "postgresql":
        backend.sql(
            "DELETE FROM ixempra.records WHERE id = 4; UPDATE ixempra.chain_head SET "
            f"last_id = 3, last_hash = '{hashes[2]}'"
        )
    else:
        head = json.dumps({"id": 3, "hash": hashes[2]})
        backend.sql(
            f"DELETE FROM records WHERE id = 4; UPDATE meta SET value = '{head}' WHERE key = 'head'"
        )
    report = backend.journal.check()  # this session saw record 4
    assert not report.ok and report.first_bad_id == 4 and "record 4" in (report.problem or "")
    with pytest.raises(JournalAltered):
        backend.record(backend.new("P"), acknowledge_history=True)
    integrity.forget_walks()  # a new process
    with pytest.raises(JournalAltered, match="anchor"):
        backend.reopen()
    reader = backend.open_read_only()
    with reader:
        assert reader.verify(expected_hash=hashes[2]).ok  # the chain itself holds
        report = reader.verify()
        assert not report.ok and report.first_bad_id == 4
        gone = reader.verify(expected_hash=hashes[3])
        assert not gone.ok and "expected head" in (gone.problem or "")


def test_verify_against_an_expected_head(backend: Backend) -> None:
    hashes = _three_doses_for_p(backend)
    report = backend.journal.verify(expected_hash=hashes[1])
    assert report.ok and report.records == 4 and "record 2" in report.reference
    assert "2 records added since" in report.reference
    assert not backend.journal.verify(expected_hash="e" * 64).ok


def test_a_read_only_open_never_records(backend: Backend) -> None:
    backend.record(backend.new("R"))
    with backend.open_read_only() as reader:
        assert reader.read_only and reader.count() == 1
        assert reader.check().ok
        with pytest.raises(JournalError, match="reading only"):
            backend.record(backend.new("R2"), journal=reader)
    assert backend.journal.count() == 1


# --- exports -------------------------------------------------------------------------------------
def test_export_says_whether_the_names_were_signed_in(backend: Backend) -> None:
    for patient in ("A-1", "B-2", "-3"):
        backend.record(backend.new(patient))
    data, count, unreadable = csv_bytes(backend.journal.records())
    assert count == 3 and unreadable == []
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))
    assert [r["patient_id"] for r in rows] == ["A-1", "B-2", "'-3"]  # never a formula
    assert [r["prepared_by"] for r in rows] == [backend.prepared_by] * 3
    expected = "yes" if backend.name == "postgresql" else "no (typed names)"
    assert [r["authenticated"] for r in rows] == [expected] * 3
    assert [r["hash"] for r in rows] == [r.hash for r in backend.journal.records()]
    assert [r["units_total"] for r in rows] == ["75"] * 3

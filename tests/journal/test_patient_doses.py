"""A patient's doses read back for the window's History panel, and recording with exactly the
history warnings the verifier saw (the Verify dialog's contract with ``Journal.record``)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from journal_support import DAY0, new_record, raw

from ixempra_gui.journal.errors import HistoryNotAcknowledged, JournalAltered, JournalError
from ixempra_gui.journal.store import Journal, read_patient_doses


def test_doses_of_one_patient_oldest_first_with_what_was_recorded(tmp_path: Path) -> None:
    with Journal.open(tmp_path) as journal:
        journal.record(new_record("MRN-7", DAY0, weight="70 kg"))
        journal.record(new_record("other", DAY0), acknowledge_history=True)
        journal.record(
            new_record("mrn-7", DAY0 - timedelta(days=30), weight="154 lb"),
            acknowledge_history=True,
        )
    doses = read_patient_doses("MRN-7", tmp_path)
    assert [d.record_id for d in doses] == [3, 1]  # by administration date; "mrn-7" is MRN-7
    older, newer = doses
    assert newer.administered_on == DAY0 and newer.dose_mg == Decimal("72.8")
    assert (newer.units_administered, newer.units_discarded) == (73, 2)
    assert newer.facts is not None and newer.facts.weight_kg == Fraction(70)
    exact_lb = Fraction("0.45359237")  # kg, by definition
    assert older.facts is not None and older.facts.weight_kg == 154 * exact_lb
    assert older.facts.bsa_m2 == Decimal("1.82")
    assert (newer.prepared_by, newer.verified_by) == ("A. Pharmacist", "B. Checker")
    assert all(d.intact for d in doses)


def test_no_journal_gives_no_doses_and_creates_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "never-made"
    assert read_patient_doses("MRN-7", folder) == ()
    assert not folder.exists()


def test_an_edited_record_makes_the_whole_read_fail_naming_it(tmp_path: Path) -> None:
    """Issue 13.2: the panel never shows a partial history: one edited record and nothing is
    counted (the journal is altered)."""
    with Journal.open(tmp_path) as journal:
        journal.record(new_record("MRN-7"))
    conn = raw(tmp_path)
    conn.execute("UPDATE records SET content = replace(content, '72.8', '27.8') WHERE id = 1")
    conn.close()
    with pytest.raises(JournalAltered, match="record 1") as altered:
        read_patient_doses("MRN-7", tmp_path)
    assert altered.value.first_bad_id == 1


def test_unreadable_content_makes_the_read_fail_naming_it(tmp_path: Path) -> None:
    with Journal.open(tmp_path) as journal:
        journal.record(new_record("MRN-7"))
    conn = raw(tmp_path)
    conn.execute("UPDATE records SET content = 'not json' WHERE id = 1")
    conn.close()
    with pytest.raises(JournalAltered, match="record 1"):
        read_patient_doses("MRN-7", tmp_path)


def test_a_file_that_is_not_a_journal_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "journal.sqlite3").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(JournalError):
        read_patient_doses("MRN-7", tmp_path)


def test_recording_with_the_warnings_seen_and_refusing_any_other(tmp_path: Path) -> None:
    """The verifier acknowledged what Compare showed; a dose recorded meanwhile elsewhere
    changes the warnings, so the record is refused until they are seen again."""
    with Journal.open(tmp_path) as journal:
        journal.record(new_record("MRN-7", DAY0 - timedelta(days=20)))
        this = new_record("MRN-7", DAY0)
        seen = journal.history("MRN-7", this.result, DAY0)
        assert seen is not None
        messages = [w.key for w in seen.warnings]
        assert {w.code for w in seen.warnings} == {"over_21_day_limit", "short_cycle_interval"}
        journal.record(new_record("MRN-7", DAY0 - timedelta(days=10)), acknowledge_history=True)
        with pytest.raises(HistoryNotAcknowledged) as refused:
            journal.record(this, acknowledged_warnings=messages)
        assert journal.count() == 2  # nothing recorded
        again = [w.key for w in refused.value.history.warnings]
        stored = journal.record(this, acknowledged_warnings=again)
        assert stored.id == 3
        assert set(stored.content["acknowledged_warnings"]) == {
            "over_21_day_limit",
            "short_cycle_interval",
        }
        assert journal.verify().ok


def test_no_warning_needs_no_acknowledgement(tmp_path: Path) -> None:
    with Journal.open(tmp_path) as journal:
        assert journal.record(new_record("MRN-7"), acknowledged_warnings=[]).id == 1
        with pytest.raises(HistoryNotAcknowledged):  # same day: a second dose of the same day
            journal.record(new_record("MRN-7"), acknowledged_warnings=[])

"""``ixempra-journal`` end to end: record, list, show, export, refusals, hostile identifiers."""

from __future__ import annotations

import csv
import json
import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from journal_support import DAY0, fill, new_record, printed_id, raw, record_args, run_journal

from ixempra_gui.journal.errors import InvalidRecord
from ixempra_gui.journal.export import COLUMNS
from ixempra_gui.journal.store import Journal

# Identifiers an attacker or a careless paste tries: each is refused, naming the character.
HOSTILE_IDS = [
    ("'; DROP TABLE records; --", "'"),
    ('Robert"); DROP TABLE meta; --', '"'),
    ("患者-東京-001", "患"),
    ("Zoë", "ë"),
    ('=HYPERLINK("http://x")', "="),
    ("MRN\u200b0012345", "U+200B ZERO WIDTH SPACE"),
    ("MRN\u00ad0012345", "U+00AD SOFT HYPHEN"),
    ("MRN\u20600012345", "U+2060 WORD JOINER"),
    ("\ufeffMRN0012345", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
    ("MRN-０１２", "U+FF10 FULLWIDTH DIGIT ZERO"),
    ("MRN-١٧٠", "U+0661 ARABIC-INDIC DIGIT ONE"),
    ("МRN-1", "U+041C CYRILLIC CAPITAL LETTER EM"),
    ("MRN\u00a01", "U+00A0 NO-BREAK SPACE"),
    ("MRN  1", "two spaces"),
    ("x" * 41, "at most 40 characters"),
    ("🙂" * 2600, "at most 40 characters"),
    ("🙂", "U+1F642"),
    ("x" * 10_240, "at most 40 characters"),
]
# Identifiers the default rule accepts: stored and shown exactly (trimmed).
GOOD_IDS = ["MRN 0012345", "mrn-0012345", "a.b_c-d", "NULL", "x" * 40, "0"]


@pytest.mark.slow
def test_record_prints_the_id_alone_on_the_last_line_and_stores_everything(tmp_path: Path) -> None:
    done = run_journal(tmp_path, record_args("MRN-1"))
    assert done.returncode == 0, done.stderr
    record_id = printed_id(done.stdout)
    assert record_id == 1
    with Journal.open(tmp_path) as journal:
        stored = journal.get(record_id)
    assert stored is not None
    c = stored.content
    assert c["patient_id"] == "MRN-1" and c["administered_on"] == DAY0.isoformat()
    assert c["prepared_by"] == "A. Pharmacist" and c["verified_by"] == "B. Checker"
    assert c["inputs"]["height"] == "170 cm" and c["inputs"]["bilirubin_uln"] == "1.2 mg/dL"
    assert c["result"]["dose_mg"] == 72.8 and c["result"]["billing"]["units_total"] == 75
    assert c["status"] == "verified" and c["app_version"] and c["policy"]["id"] == "MG.MM.PH.153"
    assert c["recorded_at"].endswith("+00:00")  # UTC
    assert c["history"]["prior_units_21d"] == 0


@pytest.mark.slow
@pytest.mark.parametrize(
    ("changes", "status"),
    [
        ({"--regimen": "capecitabine", "--bilirubin": "1.3 mg/dL"}, "contraindicated"),
        ({"--ast": "500 U/L"}, "not_recommended"),
    ],
)
def test_record_refuses_a_dose_that_is_not_ready(tmp_path: Path, changes, status: str) -> None:
    fill(tmp_path, 1)
    done = run_journal(tmp_path, record_args("P", changes=changes))
    assert done.returncode == 3
    assert f"status {status}" in done.stderr and "nothing was recorded" in done.stderr
    assert done.stdout == ""
    assert raw(tmp_path).execute("SELECT count(*) FROM records").fetchone()[0] == 1


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "field"),
    [
        (record_args("P", prepared_by="Alice Smith", verified_by="alice  SMITH"), "verified_by"),
        (record_args("P", changes={"--height": "70 kg"}), "height"),
        (record_args("P", administered_on="2025-13-01"), "administered_on"),
        (record_args("line\nbreak"), "patient_id"),
        (record_args("MRN\u200b1"), "patient_id"),
        (record_args("P", prepared_by=""), "prepared_by"),
    ],
)
def test_record_bad_input_exit_2_nothing_recorded(tmp_path: Path, args, field: str) -> None:
    done = run_journal(tmp_path, args)
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"{field} (--{field.replace('_', '-')})" in done.stderr
    assert done.stdout == ""
    assert (
        not (tmp_path / "journal.sqlite3").exists()
        or not raw(tmp_path).execute("SELECT count(*) FROM records").fetchone()[0]
    )


@pytest.mark.slow
def test_missing_required_options_are_usage_errors(tmp_path: Path) -> None:
    args = record_args("P")
    i = args.index("--verified-by")
    done = run_journal(tmp_path, args[:i] + args[i + 2 :])
    assert done.returncode == 2 and "--verified-by" in done.stderr
    no_patient = [a for a in record_args("P") if a not in ("--patient-id",)]
    no_patient.remove("P")
    done = run_journal(tmp_path, no_patient)
    assert done.returncode == 2 and "patient_id (--patient-id)" in done.stderr


@pytest.mark.slow
def test_history_warnings_must_be_acknowledged_to_record(tmp_path: Path) -> None:
    first = run_journal(tmp_path, record_args("H", (DAY0 - timedelta(days=14)).isoformat()))
    assert first.returncode == 0
    refused = run_journal(tmp_path, record_args("H"))
    assert refused.returncode == 4
    assert "over_21_day_limit" not in refused.stdout and refused.stdout == ""
    assert "14 days since the last verified dose" in refused.stderr
    assert "--acknowledge-history" in refused.stderr
    done = run_journal(tmp_path, record_args("H", flags=("--acknowledge-history",)))
    assert done.returncode == 0
    with Journal.open(tmp_path) as journal:
        stored = journal.get(printed_id(done.stdout))
    assert stored is not None
    assert set(stored.content["acknowledged_warnings"]) == {
        "over_21_day_limit",
        "short_cycle_interval",
    }
    assert stored.content["history"]["units_total_21d"] == 150


@pytest.mark.parametrize(("patient_id", "named"), HOSTILE_IDS, ids=range(len(HOSTILE_IDS)))
def test_hostile_and_look_alike_patient_ids_are_refused_naming_the_character(
    tmp_path: Path, patient_id: str, named: str
) -> None:
    with Journal.open(tmp_path) as journal:
        with pytest.raises(InvalidRecord, match="Patient id") as refused:
            journal.record(new_record(patient_id))
        assert named in str(refused.value)
        assert journal.count() == 0


def test_accepted_ids_are_stored_trimmed_and_shown_literally(tmp_path: Path) -> None:
    with Journal.open(tmp_path) as journal:
        ids = [
            journal.record(new_record(f"  {pid} "), acknowledge_history=True).id for pid in GOOD_IDS
        ]
    conn = raw(tmp_path)
    assert [r[0] for r in conn.execute("SELECT patient_id FROM records ORDER BY id")] == GOOD_IDS
    with Journal.open(tmp_path) as journal:
        assert [journal.get(i).patient_id for i in ids] == GOOD_IDS  # type: ignore[union-attr]
        assert journal.verify().ok
        for pid, rid in zip(GOOD_IDS[2:], ids[2:], strict=True):
            assert [r.id for r in journal.records(pid)] == [rid]
        # Spaces and case are not part of the key: one patient.
        assert [r.id for r in journal.records("MRN0012345")] == ids[:1]
        assert [r.id for r in journal.records("mrn 0012345")] == ids[:1]


@pytest.mark.slow
def test_ids_through_the_cli(tmp_path: Path) -> None:
    done = run_journal(tmp_path, record_args(" MRN 0012345 "))
    assert done.returncode == 0 and "patient MRN 0012345," in done.stdout
    refused = run_journal(tmp_path, record_args(HOSTILE_IDS[0][0]))
    assert refused.returncode == 2 and "U+0027 APOSTROPHE at position 1" in refused.stderr
    with Journal.open(tmp_path) as journal:
        for pid in GOOD_IDS[1:]:
            journal.record(new_record(pid), acknowledge_history=True)
    shown_ids = ["MRN 0012345", *GOOD_IDS[1:]]
    listed = run_journal(tmp_path, ["list"])
    assert listed.returncode == 0
    lines = listed.stdout.splitlines()
    assert len(lines) == len(shown_ids)
    for line, pid in zip(lines, shown_ids, strict=True):
        assert line.endswith(f"patient {pid}")
        # recorded at: local time to the minute with its zone, as on screen and paper
        assert re.match(r"\s*\d+  \d{4}-\d\d-\d\d \d\d:\d\d \(UTC[+-]\d\d:\d\d\)  ", line)
    as_json = json.loads(run_journal(tmp_path, ["list", "--json"]).stdout)
    assert [r["patient_id"] for r in as_json] == shown_ids
    for rid in (1, 4, 5):
        shown = run_journal(tmp_path, ["show", str(rid)])
        assert shown.returncode == 0
        assert json.loads(shown.stdout)["content"]["patient_id"] == shown_ids[rid - 1]
    target = tmp_path.parent / f"{tmp_path.name}-out.csv"
    assert run_journal(tmp_path, ["export", "--csv", str(target)]).returncode == 0
    with target.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["patient_id"] for r in rows] == shown_ids
    filtered = run_journal(tmp_path, ["list", "--patient-id", "mrn0012345"])
    assert filtered.returncode == 0 and len(filtered.stdout.splitlines()) == 1
    bad_filter = run_journal(tmp_path, ["list", "--patient-id", "MRN\u200b0012345"])
    assert bad_filter.returncode == 2 and "U+200B" in bad_filter.stderr


def test_control_characters_in_ids_are_refused(tmp_path: Path) -> None:
    with Journal.open(tmp_path) as journal:
        for bad in ("a\nb", "a\x00b", "tab\there", "rtl\u202eevil", "\udcff"):
            with pytest.raises(InvalidRecord, match="Patient id"):
                journal.record(new_record(bad))
        assert journal.count() == 0


@pytest.mark.slow
def test_show_and_list(tmp_path: Path) -> None:
    fill(tmp_path, 3)
    listed = run_journal(tmp_path, ["list", "--patient-id", "p-1"])  # matched like history
    assert listed.returncode == 0 and len(listed.stdout.splitlines()) == 1
    assert listed.stdout.split()[0] == "2" and "72.8 mg" in listed.stdout
    missing = run_journal(tmp_path, ["show", "99"])
    assert missing.returncode == 1 and "no record 99" in missing.stderr
    bad = run_journal(tmp_path, ["show", "two"])
    assert bad.returncode == 2


@pytest.mark.slow
def test_export_writes_one_row_per_record_atomically(tmp_path: Path) -> None:
    data = tmp_path / "data"
    fill(data, 3)
    target = tmp_path / "export" / "journal.csv"
    target.parent.mkdir()
    target.write_text("old content\n")
    refused = run_journal(data, ["export", "--csv", str(target)])
    assert refused.returncode == 2 and "--force" in refused.stderr
    assert target.read_text() == "old content\n"
    done = run_journal(data, ["export", "--csv", str(target), "--force"])
    assert done.returncode == 0 and "exported 3 records" in done.stdout
    with target.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == COLUMNS
    assert [r["record_id"] for r in rows] == ["1", "2", "3"]
    assert rows[0]["dose_mg"] == "72.8" and rows[0]["units_total"] == "75"
    assert rows[2]["hash"] and rows[1]["prev_hash"] == rows[0]["hash"]
    assert os.listdir(target.parent) == ["journal.csv"]  # no temp file left behind


@pytest.mark.slow
def test_export_into_a_missing_folder_fails_clearly(tmp_path: Path) -> None:
    fill(tmp_path / "data", 1)
    target = tmp_path / "no" / "such" / "out.csv"
    done = run_journal(tmp_path / "data", ["export", "--csv", str(target)])
    assert done.returncode == 2 and "does not exist" in done.stderr
    assert not target.parent.exists()


@pytest.mark.slow
def test_path_and_help(tmp_path: Path) -> None:
    done = run_journal(tmp_path, ["path"])
    assert done.stdout.strip() == str(tmp_path / "journal.sqlite3")
    helped = run_journal(tmp_path, ["record", "--help"])
    assert helped.returncode == 0
    for option in ("--height", "--bilirubin-uln", "--patient-id", "--prepared-by", "--verified-by"):
        assert option in helped.stdout
    assert not (tmp_path / "journal.sqlite3").exists()

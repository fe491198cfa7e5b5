"""``ixempra-journal`` end to end: record, list, show, export, refusals, hostile identifiers."""

from __future__ import annotations

import csv
import json
import os
from datetime import timedelta
from pathlib import Path

import pytest
from journal_support import DAY0, fill, new_record, printed_id, raw, record_args, run_journal

from ixempra_gui.journal.errors import InvalidRecord
from ixempra_gui.journal.export import COLUMNS
from ixempra_gui.journal.store import Journal

HOSTILE_IDS = [
    "'; DROP TABLE records; --",
    'Robert"); DROP TABLE meta; --',
    'O\'Brien "Bob" `x` \\n %s {0} <b>x</b>',
    "患者-東京-001 ✓ Zoë Ångström",
    "🙂" * 2600,  # 10.4 kB in UTF-8
    "x" * 10_240,  # 10 kB
    '=HYPERLINK("http://x")',
    "NULL",
]


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
        (record_args(" padded"), "patient_id"),
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


def test_hostile_and_unicode_patient_ids_are_stored_and_shown_literally(tmp_path: Path) -> None:
    with Journal.open(tmp_path) as journal:
        ids = [journal.record(new_record(pid)).id for pid in HOSTILE_IDS]
    conn = raw(tmp_path)
    assert [r[0] for r in conn.execute("SELECT patient_id FROM records ORDER BY id")] == HOSTILE_IDS
    assert {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")} >= {
        "records",
        "meta",
    }
    with Journal.open(tmp_path) as journal:
        assert [journal.get(i).patient_id for i in ids] == HOSTILE_IDS  # type: ignore[union-attr]
        assert journal.verify().ok
        for pid, rid in zip(HOSTILE_IDS, ids, strict=True):
            assert [r.id for r in journal.records(pid)] == [rid]


@pytest.mark.slow
def test_hostile_ids_through_the_cli(tmp_path: Path) -> None:
    done = run_journal(tmp_path, record_args(HOSTILE_IDS[0]))
    assert done.returncode == 0 and HOSTILE_IDS[0] in done.stdout
    with Journal.open(tmp_path) as journal:
        for pid in HOSTILE_IDS[1:]:
            journal.record(new_record(pid))
    listed = run_journal(tmp_path, ["list"])
    assert listed.returncode == 0
    lines = listed.stdout.splitlines()
    assert len(lines) == len(HOSTILE_IDS)
    for line, pid in zip(lines, HOSTILE_IDS, strict=True):
        assert line.endswith(f"patient {pid}")
    as_json = json.loads(run_journal(tmp_path, ["list", "--json"]).stdout)
    assert [r["patient_id"] for r in as_json] == HOSTILE_IDS
    for rid in (1, 4, 5):
        shown = run_journal(tmp_path, ["show", str(rid)])
        assert shown.returncode == 0
        assert json.loads(shown.stdout)["content"]["patient_id"] == HOSTILE_IDS[rid - 1]
        assert HOSTILE_IDS[rid - 1] in shown.stdout  # literally, not \u-escaped
    target = tmp_path / "out.csv"
    assert run_journal(tmp_path, ["export", "--csv", str(target)]).returncode == 0
    with target.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["patient_id"] for r in rows] == HOSTILE_IDS


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
    fill(tmp_path, 3)
    target = tmp_path / "export" / "journal.csv"
    target.parent.mkdir()
    target.write_text("old content\n")
    done = run_journal(tmp_path, ["export", "--csv", str(target)])
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
    fill(tmp_path, 1)
    target = tmp_path / "no" / "such" / "out.csv"
    done = run_journal(tmp_path, ["export", "--csv", str(target)])
    assert done.returncode == 1 and "cannot write" in done.stderr
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

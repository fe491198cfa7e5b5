"""Issue 13.1 and 13.6: an export never destroys the journal, goes only where it should, is
written atomically, prints the head, and is safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import os
import stat
from pathlib import Path

import pytest
from journal_support import fill, new_record, run_journal

from ixempra_gui.journal import export
from ixempra_gui.journal.entries import StoredRecord
from ixempra_gui.journal.export import COLUMNS, ExportRefused, export_target, neutralise
from ixempra_gui.journal.store import Journal

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX links, devices and modes")


@pytest.fixture
def journal_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    fill(folder, 3)
    return folder


def _journal_bytes(folder: Path) -> bytes:
    with Journal.open(folder):
        pass  # fold the WAL in, so the file alone is the journal
    return (folder / "journal.sqlite3").read_bytes()


@pytest.mark.slow
def test_exporting_over_the_journal_is_refused_and_the_journal_is_intact(
    journal_folder: Path,
) -> None:
    before = _journal_bytes(journal_folder)
    for target in (
        journal_folder / "journal.sqlite3",
        journal_folder / "new.csv",
        journal_folder / ".." / "data" / "journal.sqlite3",
        journal_folder / "journal.sqlite3-wal",
    ):
        for extra in ([], ["--force"]):
            done = run_journal(journal_folder, ["export", "--csv", str(target), *extra])
            assert done.returncode == 2, done.stderr
            assert "where the journal and its settings live" in done.stderr
    assert (journal_folder / "journal.sqlite3").read_bytes() == before
    assert not (journal_folder / "new.csv").exists()
    assert run_journal(journal_folder, ["verify"]).returncode == 0


def test_targets_inside_the_settings_folder_links_devices_and_folders_are_refused(
    tmp_path: Path, journal_folder: Path
) -> None:
    protected = [journal_folder, Path(os.environ["IXEMPRA_CONFIG_DIR"])]
    with pytest.raises(ExportRefused, match="where the journal"):
        export_target(protected[1] / "journal-anchor.json", protected, force=True)
    with pytest.raises(ExportRefused, match="not a regular file"):
        export_target(tmp_path, protected, force=True)
    if os.name == "posix":
        with pytest.raises(ExportRefused, match="not a regular file"):
            export_target(Path("/dev/null"), protected, force=True)
        fifo = tmp_path / "fifo"
        os.mkfifo(fifo)
        with pytest.raises(ExportRefused, match="not a regular file"):
            export_target(fifo, protected, force=True)
        outside = tmp_path / "elsewhere.csv"
        outside.write_text("x")
        link = tmp_path / "link.csv"
        link.symlink_to(outside)
        with pytest.raises(ExportRefused, match="is a link"):
            export_target(link, protected, force=True)
        into = tmp_path / "into.csv"
        into.symlink_to(journal_folder / "journal.sqlite3")
        with pytest.raises(ExportRefused, match="where the journal"):
            export_target(into, protected, force=True)
        dangling = tmp_path / "dangling.csv"
        dangling.symlink_to(tmp_path / "nothing-yet.csv")
        with pytest.raises(ExportRefused, match="is a link"):
            export_target(dangling, protected)
    new = tmp_path / "new.csv"
    assert export_target(new, protected) == new
    new.write_text("old")
    with pytest.raises(ExportRefused, match="--force"):
        export_target(new, protected)
    assert export_target(new, protected, force=True) == new


@posix_only
@pytest.mark.slow
def test_a_hard_link_to_the_journal_replaced_with_force_leaves_the_journal_alone(
    tmp_path: Path, journal_folder: Path
) -> None:
    before = _journal_bytes(journal_folder)
    twin = tmp_path / "twin.csv"
    os.link(journal_folder / "journal.sqlite3", twin)
    done = run_journal(journal_folder, ["export", "--csv", str(twin), "--force"])
    assert done.returncode == 0, done.stderr
    assert (journal_folder / "journal.sqlite3").read_bytes() == before
    assert twin.read_text(encoding="utf-8").startswith("record_id,")


@pytest.mark.slow
def test_export_to_stdout_and_the_head_printed_after_writing(
    tmp_path: Path, journal_folder: Path
) -> None:
    with Journal.open(journal_folder) as journal:
        head = journal.stored_head()
    assert head is not None
    to_stdout = run_journal(journal_folder, ["export", "--csv", "-"])
    assert to_stdout.returncode == 0, to_stdout.stderr
    rows = list(csv.DictReader(io.StringIO(to_stdout.stdout, newline="")))
    assert [r["record_id"] for r in rows] == ["1", "2", "3"]
    assert f"head: record 3, SHA-256 {head.hash}" in to_stdout.stderr  # not in the CSV
    assert head.hash not in to_stdout.stdout.replace(rows[-1]["hash"], "")
    target = tmp_path / "out.csv"
    done = run_journal(journal_folder, ["export", "--csv", str(target)])
    assert done.returncode == 0
    assert done.stdout.splitlines()[-1] == f"head: record 3, SHA-256 {head.hash}"
    if os.name == "posix":
        assert stat.S_IMODE(target.stat().st_mode) == 0o600  # it holds patient data


def test_a_failed_export_leaves_the_old_file_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ixempra_gui import private_files

    target = tmp_path / "out.csv"
    target.write_text("old\n")

    def fail(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(private_files.os, "replace", fail)
    with pytest.raises(OSError):
        export.export_csv([], target)
    assert target.read_text() == "old\n"
    assert os.listdir(tmp_path) == ["out.csv"]


# --- formula injection (OWASP) ------------------------------------------------------------------

PAYLOADS = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("payload", PAYLOADS, ids=["equals", "plus", "minus", "at", "tab", "cr"])
def test_every_text_cell_starting_a_formula_is_neutralised(payload: str) -> None:
    content = {
        "patient_id": payload,
        "prepared_by": payload,
        "verified_by": payload,
        "administered_on": payload,
        "recorded_at": payload,
        "status": payload,
        "app_version": payload,
        "policy": {"id": payload, "last_review": payload},
        "acknowledged_warnings": [payload],
        "double_check": {"comment": payload},
        "result": {
            "dose_mg": -72.8,
            "bsa_m2": 1.82,
            "dose_level_mg_per_m2": 40,
            "billing": {"units_total": -5, "modifier": payload},
        },
    }
    row = dict(zip(COLUMNS, export.record_row(StoredRecord(7, "h", "p", content)), strict=True))
    for name in (
        "patient_id",
        "prepared_by",
        "verified_by",
        "administered_on",
        "recorded_at_utc",
        "status",
        "app_version",
        "policy_id",
        "policy_last_review",
        "acknowledged_warnings",
        "double_check_comment",
        "modifier",
    ):
        assert row[name] == "'" + payload, name
    # numeric cells untouched, negative ones included
    assert (row["dose_mg"], row["units_total"], row["record_id"]) == ("-72.8", "-5", "7")
    assert (row["bsa_m2"], row["dose_level_mg_per_m2"]) == ("1.82", "40")


def test_ordinary_text_is_left_as_it_is() -> None:
    for text in ("A. Pharmacist", "MRN 0012345", "2025-03-01", "a=b", "x-1", ""):
        assert neutralise(text) == text
    assert neutralise("  =1+1") == "'  =1+1"  # after blanks too


@pytest.mark.slow
def test_a_formula_in_a_name_comes_out_as_text_in_the_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with Journal.open(data) as journal:
        journal.record(new_record("P", prepared_by='=HYPERLINK("http://x","y")'))
    target = tmp_path / "out.csv"
    assert run_journal(data, ["export", "--csv", str(target)]).returncode == 0
    [row] = list(csv.DictReader(target.open(encoding="utf-8", newline="")))
    assert row["prepared_by"] == '\'=HYPERLINK("http://x","y")'
    assert row["dose_mg"] == "72.8"

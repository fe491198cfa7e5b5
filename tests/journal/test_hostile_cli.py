"""Issue 13.5 and 13.8: every entry point is total. A clear error naming the field, or
"UNREADABLE record N" and a non-zero exit at the end; never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import REPO, cli_args, run_calc
from journal_support import fill, raw, record_args, run_journal

from ixempra_gui.cli import journal as journal_cli
from ixempra_gui.cli.guard import EXIT_OUTPUT_CLOSED
from ixempra_gui.journal import sqlite_files
from ixempra_gui.journal.chain import content_hash


def _no_traceback(done: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr


@pytest.mark.slow
@pytest.mark.parametrize(
    "record_id",
    ["99999999999999999999", "9" * 5000, "0", "-1", "1e3", "١٢", "１", "two", " ", "1\x1b[2J"],
)
def test_show_refuses_what_is_not_a_record_id(tmp_path, record_id: str) -> None:
    fill(tmp_path, 1)
    done = run_journal(tmp_path, ["show", "--", record_id])
    assert done.returncode == 2, done.stderr
    assert "not a record id" in done.stderr and "\x1b" not in done.stderr
    _no_traceback(done)


@pytest.mark.slow
def test_show_of_the_largest_id_is_no_such_record(tmp_path) -> None:
    fill(tmp_path, 1)
    done = run_journal(tmp_path, ["show", str(2**63 - 1)])
    assert done.returncode == 1 and "no record" in done.stderr
    _no_traceback(done)


def _closed_pipe(args: list[str], module: str, env: dict[str, str]) -> subprocess.Popen[str]:
    """Run with stdout a pipe whose reader is already gone (what `| head` leaves)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.Popen(
            [sys.executable, "-m", module, *args],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(REPO), **env},
            cwd=REPO,
        )
    finally:
        os.close(write_end)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("module", "args"),
    [
        ("ixempra_gui.cli.journal", ["list"]),
        ("ixempra_gui.cli.journal", ["export", "--csv", "-"]),
        ("ixempra_gui.cli.journal", ["show", "1"]),
        ("ixempra_gui.cli.calc", [*cli_args(), "--json"]),
    ],
)
def test_a_closed_pipe_exits_quietly_with_status_6(tmp_path, module: str, args) -> None:
    fill(tmp_path, 2)
    process = _closed_pipe(args, module, {"IXEMPRA_DATA_DIR": str(tmp_path)})
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == EXIT_OUTPUT_CLOSED, stderr
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr


@pytest.mark.slow
def test_an_unreadable_record_is_listed_and_exported_then_exit_1(tmp_path) -> None:
    fill(tmp_path, 3)
    conn = raw(tmp_path)
    conn.execute(
        "UPDATE records SET content = 'not json', hash = ? WHERE id = 2",
        (content_hash("not json"),),
    )
    conn.close()
    listed = run_journal(tmp_path, ["list"])
    assert listed.returncode == 1
    lines = listed.stdout.splitlines()
    assert len(lines) == 3 and "UNREADABLE record 2" in lines[1] and lines[2].split()[0] == "3"
    assert "UNREADABLE record(s) 2" in listed.stderr and "altered" in listed.stderr
    _no_traceback(listed)
    as_json = run_journal(tmp_path, ["list", "--json"])
    assert as_json.returncode == 1 and '"unreadable": true' in as_json.stdout
    target = tmp_path.parent / f"{tmp_path.name}.csv"
    exported = run_journal(tmp_path, ["export", "--csv", str(target)])
    assert exported.returncode == 1 and "UNREADABLE record(s) 2" in exported.stderr
    assert ",UNREADABLE," in target.read_text(encoding="utf-8")
    shown = run_journal(tmp_path, ["show", "2"])
    assert shown.returncode == 1 and '"unreadable": true' in shown.stdout
    _no_traceback(shown)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "field", "says"),
    [
        (["--request-date", "9999-12-31"], "request_date", "more than a year from today"),
        (["--request-date", "0001-01-01"], "request_date", "before 2024-02-16"),
        (["--request-date", "2024-02-15"], "request_date", "before 2024-02-16"),
        (["--request-date", "２０２５-０３-０１"], "request_date", "U+FF12"),
        (["--request-date", "٢٠٢٥-٠٣-٠١"], "request_date", "U+0662"),
        (["--request-date", "2025-03-01\x1b"], "request_date", "U+001B"),
        (["--request-date", "9" * 5000], "request_date", "is not a date"),
        (["--setting", "meta\x1b[31mstatic"], "setting", "not accepted"),
    ],
)
def test_coverage_answers_are_refused_naming_the_field(args, field: str, says: str) -> None:
    done = run_calc([*cli_args(), "--request", "initial", "--diagnosis", "C50.911", *args])
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"{field} (--{field.replace('_', '-')})" in done.stderr and says in done.stderr
    assert "\x1b" not in done.stderr  # never echo an escape sequence to the terminal
    _no_traceback(done)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "field", "says"),
    [
        (record_args("P", "9999-12-31"), "administered_on", "is outside"),
        (record_args("P", "0001-01-01"), "administered_on", "is outside"),
        (record_args("P", "２０２５-０３-０１"), "administered_on", "U+FF12"),
        (record_args("P", "9" * 5000), "administered_on", "expected YYYY-MM-DD"),
        (record_args("P", prepared_by="A.\u200b Smith"), "prepared_by", "U+200B"),
        (record_args("P", prepared_by="A. Smith ١"), "prepared_by", "U+0661"),
        (record_args("P", verified_by="B\x07"), "verified_by", "U+0007"),
        (record_args("MRN\u200b1"), "patient_id", "U+200B ZERO WIDTH SPACE"),
    ],
)
def test_record_input_is_refused_naming_field_and_character(
    tmp_path, args, field: str, says: str
) -> None:
    done = run_journal(tmp_path, args)
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"{field} (--{field.replace('_', '-')})" in done.stderr and says in done.stderr
    assert done.stdout == ""
    _no_traceback(done)


def test_a_busy_journal_says_another_workstation_is_recording(
    tmp_path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fill(tmp_path, 1)
    monkeypatch.setenv("IXEMPRA_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(sqlite_files, "BUSY_TIMEOUT_S", 0.2)
    holder = raw(tmp_path)
    holder.execute("BEGIN IMMEDIATE")
    try:
        code = journal_cli.main(record_args("P"))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    err = capsys.readouterr().err
    assert code == 1 and "NOT recorded" in err
    assert "another workstation or process is recording" in err


def test_the_exit_codes_are_listed_in_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        journal_cli.main(["--help"])
    out = capsys.readouterr().out
    for text in (
        "1 journal problem",
        "journal_altered",
        "5 prepare: a kit scan was refused",
        "6 output closed",
        "7 ",
    ):
        assert text in " ".join(out.split()), text


@pytest.mark.slow
def test_record_and_verify_warn_when_others_can_write_the_journal_folder(tmp_path) -> None:
    if os.name != "posix":
        pytest.skip("POSIX modes")
    folder = tmp_path / "shared"
    fill(folder, 1)
    folder.chmod(0o777)
    try:
        done = run_journal(folder, ["verify"])
    finally:
        folder.chmod(0o700)
    assert done.returncode == 0
    assert f"the folder {folder} is writable by everyone" in done.stderr

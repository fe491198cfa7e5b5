"""``ixempra-journal prepare``, ``near-misses`` and ``label`` as a site's own checks use them
(issue 16, point 4): one call per preparation; exit 0 / 5 / 3 / 2 / 1; a scan raw, with a
symbology identifier or with a group separator; near misses kept even when the command fails;
the label only for a complete preparation still in time."""

from __future__ import annotations

import csv
import io
import json
import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from gs1_codes import GTIN_15, GTIN_45, gtin, kit_code
from journal_support import DAY0, printed_id, record_args, run_journal

pytestmark = pytest.mark.slow

EXPIRY = (date.today() + timedelta(days=400)).strftime("%y%m%d")
K45 = kit_code(GTIN_45, EXPIRY, "LOT45", "S45")
K15_RAW = f"0100370020191010{'17' + EXPIRY}10LOT42"  # the raw form: lot last, no GS
K15_SYMBOLOGY = "]d2" + kit_code(GTIN_15, EXPIRY, "LOT43", "S2")  # with the GS between 10 and 21
WRONG_DRUG = kit_code(gtin("1234567890"), EXPIRY, "X1")


def ago(minutes: int, offset: bool = True) -> str:
    moment = datetime.now(UTC) - timedelta(minutes=minutes)
    if offset:
        return moment.isoformat(timespec="minutes")
    return moment.astimezone().replace(tzinfo=None).isoformat(timespec="minutes")


def dose(folder: Path, patient: str = "MRN-1", administered_on: str | None = None) -> int:
    """A verified dose, for the day ``prepare`` reconstitutes it (50 minutes ago, local)."""
    day = administered_on or (datetime.now() - timedelta(minutes=50)).date().isoformat()
    done = run_journal(folder, record_args(patient, day))
    assert done.returncode == 0, done.stderr
    return printed_id(done.stdout)


def prepare(folder: Path, record_id: int, *scans: str, times: bool = True, extra=()):
    args = ["prepare", str(record_id), "--compounded-by", "C. Compounder", *extra]
    for scan in scans:
        args += ["--scan", scan]
    if times:
        args += ["--reconstituted-at", ago(50), "--diluted-at", ago(20)]
    return run_journal(folder, args)


def records(folder: Path) -> list[dict]:
    listed = run_journal(folder, ["list", "--json"])
    assert listed.returncode == 0, listed.stderr
    return json.loads(listed.stdout)


def _clean(done) -> None:
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr


def test_raw_symbology_and_group_separator_scans_prepare_the_dose(tmp_path: Path) -> None:
    record_id = dose(tmp_path)
    done = prepare(tmp_path, record_id, K45, K15_RAW, K15_SYMBOLOGY)
    assert done.returncode == 0, done.stdout + done.stderr
    prepared = printed_id(done.stdout)
    assert "every planned kit accepted" in done.stdout and "NDC 70020-1910-01" in done.stdout
    assert [(r["id"], r["kind"]) for r in records(tmp_path)] == [(1, "dose"), (2, "preparation")]
    shown = json.loads(run_journal(tmp_path, ["show", str(prepared)]).stdout)
    kits = shown["content"]["kits"]
    assert [(k["lot"], k["serial"], k["symbology"]) for k in kits] == [
        ("LOT45", "S45", None), ("LOT42", None, None), ("LOT43", "S2", "]d2")
    ]  # fmt: skip
    of_dose = json.loads(run_journal(tmp_path, ["show", str(record_id)]).stdout)
    assert of_dose["preparations_and_near_misses"] == [
        {"id": prepared, "kind": "preparation", "hash": shown["hash"]}
    ]
    verified = run_journal(tmp_path, ["verify"])
    assert verified.returncode == 0 and "2 records, the chain holds" in verified.stdout
    label = run_journal(tmp_path, ["label", str(record_id)])
    assert label.returncode == 0, label.stderr
    assert "IXEMPRA (ixabepilone) 72.8 mg" in label.stdout and "lot LOT43" in label.stdout
    svg = tmp_path.parent / f"{tmp_path.name}-label.svg"
    written = run_journal(tmp_path, ["label", str(record_id), "--svg", str(svg)])
    assert written.returncode == 0 and svg.read_text(encoding="utf-8").startswith("<?xml")
    assert (svg.stat().st_mode & 0o777) == 0o600
    again = run_journal(tmp_path, ["label", str(record_id), "--svg", str(svg)])
    assert again.returncode == 2 and "--force" in again.stderr


def test_a_gs_substitute_and_json_output(tmp_path: Path) -> None:
    record_id = dose(tmp_path)
    substituted = kit_code(GTIN_15, EXPIRY, "LOT9", "S9", separator="#")
    done = prepare(
        tmp_path, record_id, K45, K15_RAW, substituted, extra=["--gs-substitute", "#", "--json"]
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["outcome"] == "complete" and out["exit_status"] == 0 and out["complete"]
    assert [s["lot"] for s in out["scans"]] == ["LOT45", "LOT42", "LOT9"]
    assert out["preparation_record"]["id"] == 2 and out["label_allowed"] is True
    assert out["dose_record"]["plan"] == {"45": 1, "15": 2}


def test_a_dose_verified_for_another_day_gets_no_label(tmp_path: Path) -> None:
    """The bag keeps 6 hours: a dose verified for another day than it is prepared on (a wrong
    order taken, a mistyped date) is recorded as prepared — what happened is kept — but its
    label is refused, saying both days (clinical audit D1)."""
    record_id = dose(tmp_path, administered_on=DAY0.isoformat())
    done = prepare(tmp_path, record_id, K45, K15_RAW, K15_SYMBOLOGY, extra=["--json"])
    out = json.loads(done.stdout)
    assert out["label_allowed"] is False
    today = (datetime.now() - timedelta(minutes=50)).date().isoformat()
    said = (
        f"This dose was verified for administration on {DAY0.isoformat()}; it is being "
        f"prepared on {today}."
    )
    assert any(b.startswith(said) for b in out["blockers"]), out["blockers"]


def test_a_refused_scan_exits_5_and_is_kept_even_when_kits_are_missing(tmp_path: Path) -> None:
    record_id = dose(tmp_path)
    formula = '=HYPERLINK("http://x")'
    done = prepare(tmp_path, record_id, K45, WRONG_DRUG, formula)
    assert done.returncode == 5, done.stdout + done.stderr
    assert (
        "REFUSED (wrong_drug): Wrong drug" in done.stdout and "near miss: record 2" in done.stdout
    )
    assert "kept as near misses (records 2, 3)" in done.stderr
    assert [r["kind"] for r in records(tmp_path)] == ["dose", "near_miss", "near_miss"]
    listed = run_journal(tmp_path, ["near-misses"])
    assert listed.returncode == 0 and len(listed.stdout.splitlines()) == 2
    assert "wrong_drug" in listed.stdout and "by C. Compounder" in listed.stdout
    as_csv = run_journal(tmp_path, ["near-misses", "--csv", "-"])
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [r["refusal_reason"] for r in rows] == ["wrong_drug", "unreadable"]
    assert rows[1]["scan_text"] == "'" + formula  # shown as text by a spreadsheet
    assert rows[0]["gtin"] == gtin("1234567890") and rows[0]["dose_record_id"] == "1"
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    later = run_journal(tmp_path, ["near-misses", "--since", tomorrow])
    assert later.returncode == 0 and later.stdout == ""
    exported = run_journal(tmp_path, ["export", "--csv", "-"])
    table = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert [r["kind"] for r in table] == ["dose", "near_miss", "near_miss"]
    assert table[1]["near_miss_reason"] == "wrong_drug"


def test_a_refused_scan_with_every_kit_accepted_still_records_the_preparation(
    tmp_path: Path,
) -> None:
    record_id = dose(tmp_path)
    done = prepare(tmp_path, record_id, K45, WRONG_DRUG, K15_RAW, K15_RAW, K15_SYMBOLOGY)
    assert done.returncode == 5, done.stderr
    assert "REFUSED (identical_scan)" in done.stdout
    assert printed_id(done.stdout) == 4  # the preparation, after the two near misses
    exported = run_journal(tmp_path, ["export", "--csv", "-"])
    table = list(csv.DictReader(io.StringIO(exported.stdout)))
    prep = table[-1]
    assert prep["kind"] == "preparation" and prep["dose_record_id"] == "1"
    assert prep["kit_lots"] == "LOT45 | LOT42 | LOT43" and prep["kit_serials"] == "S45 |  | S2"
    assert prep["compounded_by"] == "C. Compounder" and prep["diluted_at_utc"]


def test_kits_missing_exit_3_and_nothing_is_recorded(tmp_path: Path) -> None:
    record_id = dose(tmp_path)
    done = prepare(tmp_path, record_id, K45)
    assert done.returncode == 3 and "still to scan: 2 × 15 mg" in done.stdout
    assert "not recorded" in done.stdout and len(records(tmp_path)) == 1


def test_prepared_once_not_a_dose_no_record(tmp_path: Path) -> None:
    record_id = dose(tmp_path)
    assert prepare(tmp_path, record_id, K45, K15_RAW, K15_SYMBOLOGY).returncode == 0
    again = prepare(tmp_path, record_id, K45, K15_RAW, K15_SYMBOLOGY)
    assert again.returncode == 3 and "already prepared: preparation record 2" in again.stderr
    not_dose = prepare(tmp_path, 2, K45)
    assert not_dose.returncode == 3 and "not a verified dose" in not_dose.stderr
    missing = prepare(tmp_path, 9, K45)
    assert missing.returncode == 1 and "no record 9" in missing.stderr
    assert len(records(tmp_path)) == 2
    empty = prepare(tmp_path.parent / f"{tmp_path.name}-none", 1, K45)
    assert empty.returncode == 1 and "no journal" in empty.stderr
    _clean(empty)


def test_a_failed_preparation_exits_3_is_recorded_and_is_remade(tmp_path: Path) -> None:
    record_id = dose(tmp_path)
    args = ["--reconstituted-at", ago(120), "--diluted-at", ago(30)]
    failed = prepare(tmp_path, record_id, K45, K15_RAW, K15_SYMBOLOGY, times=False, extra=args)
    assert failed.returncode == 3 and "PREPARATION FAILED" in failed.stdout
    assert "recorded: FAILED preparation record 2" in failed.stdout
    label = run_journal(tmp_path, ["label", str(record_id)])
    assert label.returncode == 3 and "Preparation failed" in label.stderr
    remade = prepare(tmp_path, record_id, K45, K15_RAW, K15_SYMBOLOGY)
    assert remade.returncode == 0 and printed_id(remade.stdout) == 3


def test_the_label_is_refused_once_the_infusion_cannot_start_in_time(tmp_path: Path) -> None:
    record_id = dose(tmp_path)
    late = ["--reconstituted-at", ago(250), "--diluted-at", ago(200)]  # 3 h infusion: 3 h 20 ago
    done = prepare(tmp_path, record_id, K45, K15_RAW, K15_SYMBOLOGY, times=False, extra=late)
    assert done.returncode == 0 and "label: Too late to print the label" in done.stdout
    label = run_journal(tmp_path, ["label", str(record_id)])
    assert label.returncode == 3 and "Too late to print the label" in label.stderr
    _clean(label)


def test_times_are_local_or_carry_their_offset(tmp_path: Path) -> None:
    record_id = dose(tmp_path)
    env = {"TZ": "America/New_York"}
    args = ["prepare", "1", "--compounded-by", "C", "--scan", K45, "--scan", K15_RAW,
            "--scan", K15_SYMBOLOGY]  # fmt: skip
    recon = (datetime.now(UTC) - timedelta(minutes=40)).replace(second=0, microsecond=0)
    local = recon.astimezone(__import__("zoneinfo").ZoneInfo("America/New_York"))
    args += ["--reconstituted-at", local.replace(tzinfo=None).isoformat(timespec="minutes")]
    args += ["--diluted-at", (recon + timedelta(minutes=20)).isoformat().replace("+00:00", "Z")]
    done = run_journal(tmp_path, args, env)
    assert done.returncode == 0, done.stderr
    content = json.loads(run_journal(tmp_path, ["show", "2"]).stdout)["content"]
    assert content["reconstituted_at"] == recon.isoformat()
    assert content["diluted_at"] == (recon + timedelta(minutes=20)).isoformat()
    assert record_id == 1


@pytest.mark.parametrize(
    ("extra", "field", "says"),
    [
        (["--reconstituted-at", "yesterday"], "reconstituted_at", "is not a date and time"),
        (["--diluted-at", "2025-03-01"], "diluted_at", "is not a date and time"),
        (["--diluted-at", "2999-12-31T23:59"], "diluted_at", "in the future"),
        (["--diluted-at", "9999-12-31T23:59"], "diluted_at", "is not a usable time"),
        (["--diluted-at", "0001-01-01T00:00"], "diluted_at", "is not a usable time"),
        (["--diluted-at", "2025-13-01T10:00"], "diluted_at", "is not a date and time"),
        (["--diluted-at", "２０２５-０３-０１T10:00"], "diluted_at", "U+FF12"),
        (["--diluted-at", "9" * 5000], "diluted_at", "too long"),
        (["--gs-substitute", "A"], "gs_substitute", "cannot be used"),
        (["--scan", " "], "scan", "is empty"),
        (["--compounded-by", "C\x07"], "compounded_by", "U+0007"),
    ],
)
def test_malformed_arguments_exit_2_and_record_nothing(
    tmp_path: Path, extra: list[str], field: str, says: str
) -> None:
    dose(tmp_path)
    done = prepare(tmp_path, 1, K45, WRONG_DRUG, times=False, extra=extra)
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"{field} (--{field.replace('_', '-')})" in done.stderr and says in done.stderr
    assert "\x07" not in done.stderr and len(records(tmp_path)) == 1
    _clean(done)


@pytest.mark.parametrize(
    "args",
    [
        ["prepare", "1", "--scan", K45],  # --compounded-by missing on a workstation's journal
        ["prepare", "x", "--scan", K45, "--compounded-by", "C"],
        ["prepare", "1", "--compounded-by", "C"],  # no --scan
        ["near-misses", "--since", "soon"],
    ],
)
def test_missing_or_malformed_options_are_exit_2(tmp_path: Path, args: list[str]) -> None:
    dose(tmp_path)
    done = run_journal(tmp_path, args)
    assert done.returncode == 2 and done.stdout == "", done.stderr
    _clean(done)


def test_help_lists_the_new_commands_and_exit_5(tmp_path: Path) -> None:
    done = run_journal(tmp_path, ["prepare", "--help"])
    assert done.returncode == 0 and "--gs-substitute" in done.stdout
    assert "5 prepare: a kit scan was refused" in " ".join(done.stdout.split())
    top = run_journal(tmp_path, ["--help"])
    for command in ("prepare", "near-misses", "label"):
        assert command in top.stdout


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
def test_near_misses_csv_is_written_owner_only_and_never_into_the_journal_folder(
    tmp_path: Path,
) -> None:
    record_id = dose(tmp_path)
    prepare(tmp_path, record_id, WRONG_DRUG)
    inside = run_journal(tmp_path, ["near-misses", "--csv", str(tmp_path / "n.csv")])
    assert inside.returncode == 2 and "where the journal and its settings live" in inside.stderr
    target = tmp_path.parent / f"{tmp_path.name}-n.csv"
    done = run_journal(tmp_path, ["near-misses", "--csv", str(target)])
    assert done.returncode == 0 and (target.stat().st_mode & 0o777) == 0o600
    assert target.read_text(encoding="utf-8").startswith("record_id,scanned_at_utc")


def test_on_the_site_journal_the_compounder_is_the_signed_in_user(tmp_path: Path, pg_site) -> None:
    from journal_support import new_record
    from pg_support import PREPARER, VERIFIER

    from ixempra_gui.journal import integrity
    from ixempra_gui.journal.postgres.session import VerifierSession
    from ixempra_gui.journal.postgres.store import PostgresJournal

    integrity.forget_walks()
    with (
        PostgresJournal.open(pg_site.url(PREPARER)) as journal,
        VerifierSession.sign_in(pg_site.url(VERIFIER)) as verifier,
    ):
        new = new_record("MRN-1", prepared_by=PREPARER, verified_by=VERIFIER)
        record_id = journal.record(new, verifier=verifier).id
    env = pg_site.env()
    scans = ["--scan", K45, "--scan", K15_RAW, "--scan", K15_SYMBOLOGY]
    times = ["--reconstituted-at", ago(50), "--diluted-at", ago(20)]
    other = run_journal(tmp_path, ["prepare", str(record_id), *scans, *times,
                                   "--compounded-by", "someone else"], env)  # fmt: skip
    assert other.returncode == 2 and "not the signed-in user" in other.stderr
    done = run_journal(tmp_path, ["prepare", str(record_id), *scans, *times], env)
    assert done.returncode == 0, done.stderr
    assert "site journal postgresql://" in done.stderr and f"signed in as {PREPARER}" in done.stderr
    prepared = printed_id(done.stdout)
    shown = json.loads(run_journal(tmp_path, ["show", str(prepared)], env).stdout)["content"]
    assert shown["compounded_by"] == PREPARER and shown["authenticated"] is True
    missed = run_journal(tmp_path, ["prepare", str(record_id), "--scan", WRONG_DRUG], env)
    assert missed.returncode == 3 and "already prepared" in missed.stderr  # nothing judged
    label = run_journal(tmp_path, ["label", str(record_id)], env)
    assert label.returncode == 0 and f"compounded by {PREPARER}" in label.stdout
    verified = run_journal(tmp_path, ["verify"], env)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    listed = run_journal(tmp_path, ["near-misses"], env)
    assert listed.returncode == 0 and listed.stdout == ""


def test_the_label_leaves_lines_for_a_second_identifier_when_the_site_asks(
    tmp_path: Path,
) -> None:
    record_id = dose(tmp_path)
    assert prepare(tmp_path, record_id, K45, K15_RAW, K15_SYMBOLOGY).returncode == 0
    plain = run_journal(tmp_path, ["label", str(record_id)])
    assert plain.returncode == 0 and "Date of birth" not in plain.stdout
    settings = Path(os.environ["IXEMPRA_CONFIG_DIR"]) / "settings.ini"
    settings.write_text("[preferences]\nsecond_patient_identifier=true\n", encoding="utf-8")
    asked = run_journal(tmp_path, ["label", str(record_id)])
    assert asked.returncode == 0 and "Date of birth: ____" in asked.stdout
    settings.write_text("[preferences]\nsecond_patient_identifier=maybe\n", encoding="utf-8")
    bad = run_journal(tmp_path, ["label", str(record_id)])
    assert bad.returncode == 0 and "Date of birth" not in bad.stdout
    assert "second_patient_identifier: 'maybe': true or false (default kept)" in bad.stderr

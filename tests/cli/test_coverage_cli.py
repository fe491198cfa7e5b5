"""ixempra-calc coverage options: the JSON ``coverage`` contract, the text block, and exit codes
(coverage never changes the dose's exit status; a malformed answer is invalid input)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from conftest import cli_args, run_calc

from ixempra_gui.cli import calc as cli

CONTRACT = {
    "policy",
    "policy_review_date",
    "request",
    "meets_criteria",
    "criterion",
    "unmet",
    "exclusions",
    "authorization_start",
    "authorization_end",
}
META = ["--setting", "metastatic", "--request-date", "2025-08-31"]


def calc(capsys: pytest.CaptureFixture[str], args: list[str]) -> tuple[int, str, str]:
    """The real main() in this process (fast); returns exit status, stdout, stderr."""
    try:
        status = cli.main(args)
    except SystemExit as exc:  # argparse usage errors
        status = int(exc.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


def calc_json(
    capsys: pytest.CaptureFixture[str], changes: dict[str, str | None], *flags: str
) -> tuple[int, dict[str, Any], str]:
    status, out, err = calc(capsys, cli_args(changes, (*flags, "--json")))
    return status, json.loads(out), err


def test_no_coverage_asked_is_null(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = calc_json(capsys, {})
    assert status == 0 and out["coverage"] is None and out["dose_mg"] == 72.8


def test_contract_for_a_request_that_meets(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = calc_json(
        capsys,
        {"--regimen": "capecitabine"},
        "--request",
        "initial",
        "--diagnosis",
        "c50911",
        "--resistant-to",
        "anthracycline,taxane",
        *META,
    )
    assert status == 0 and out["status"] == "ok"
    cov = out["coverage"]
    assert set(cov) >= CONTRACT
    assert {k: cov[k] for k in CONTRACT} == {
        "policy": "MG.MM.PH.153",
        "policy_review_date": "2025-03-31",
        "request": "initial",
        "meets_criteria": True,
        "criterion": "I.1.A.i",
        "unmet": [],
        "exclusions": [],
        "authorization_start": "2025-08-31",
        "authorization_end": "2026-02-28",
    }
    assert cov["diagnosis"]["code"] == "C50.911" and cov["diagnosis"]["accepted"] is True
    assert cov["dosing_limit"]["units_this_dose"] == 75
    assert cov["dosing_limit"]["within_limit"] is True
    assert cov["dosing_limit"]["window_checked"] is False


def test_single_agent_and_renewal(capsys: pytest.CaptureFixture[str]) -> None:
    answers = ["--diagnosis", "Z85.3", "--resistant-to", "anthracycline,taxane,capecitabine"]
    _, out, _ = calc_json(capsys, {}, *answers, *META)
    assert out["coverage"]["criterion"] == "I.1.A.ii"
    _, out, _ = calc_json(
        capsys, {}, "--request", "renewal", "--response", "stable", *answers, *META
    )
    assert out["coverage"]["criterion"] == "II" and out["coverage"]["request"] == "renewal"


def test_findings_carry_code_message_section(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = calc_json(
        capsys,
        {},
        "--request",
        "renewal",
        "--diagnosis",
        "C50.91",
        "--setting",
        "adjuvant",
        "--response",
        "progression",
        "--unacceptable-toxicity",
        "peripheral-neuropathy,hypersensitivity",
    )
    assert status == 0  # the dose is fine; coverage is reported beside it
    cov = out["coverage"]
    assert cov["meets_criteria"] is False and cov["criterion"] is None
    assert cov["authorization_start"] is None and cov["authorization_end"] is None
    for finding in cov["unmet"] + cov["exclusions"]:
        assert set(finding) == {"code", "message", "section"} and finding["message"]
    assert [f["section"] for f in cov["unmet"]] == [
        "ICD-10 Diagnoses",
        "I.1.A",
        "I.1.A.ii",
        "II.1",
        "II.2",
        "II.3",
    ]
    assert [f["section"] for f in cov["exclusions"]] == [
        "Limitations/Exclusions 1",
        "Limitations/Exclusions 4",
    ]


@pytest.mark.parametrize("code", ["C50.9", "C50.91", "C34.90", "Z85.30", ""])
def test_a_wrong_diagnosis_is_a_finding_not_an_error(
    code: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = calc_json(capsys, {}, "--diagnosis", code)
    assert status == 0 and out["status"] == "ok"
    [unmet_first, *_] = out["coverage"]["unmet"]
    assert unmet_first["section"] == "ICD-10 Diagnoses"
    assert unmet_first["code"].startswith("diagnosis_")


def test_coverage_never_changes_a_no_dose_exit(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = calc_json(
        capsys,
        {"--regimen": "capecitabine", "--ast": "101 U/L"},
        "--diagnosis",
        "C50.911",
        "--resistant-to",
        "anthracycline,taxane",
        *META,
    )
    assert status == 3 and out["status"] == "contraindicated" and out["dose_mg"] is None
    cov = out["coverage"]
    assert [e["section"] for e in cov["exclusions"]] == ["Limitations/Exclusions 3"]
    assert cov["meets_criteria"] is False


@pytest.mark.parametrize(
    ("option", "value", "field"),
    [
        ("--request", "first", "request"),
        ("--setting", "foo", "setting"),
        ("--resistant-to", "taxane,platinum", "resistant_to"),
        ("--response", "partial", "response"),
        ("--unacceptable-toxicity", "neuropathy", "unacceptable_toxicity"),
        ("--request-date", "31/08/2025", "request_date"),
        ("--request-date", "2025-02-29", "request_date"),
    ],
)
def test_malformed_answer_is_invalid_input(
    option: str, value: str, field: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = calc_json(capsys, {}, "--diagnosis", "C50.911", option, value)
    assert status == 2
    assert set(out) == {"status", "errors"} and out["status"] == "invalid_input"
    [error] = out["errors"]
    assert error["field"] == field and "Accepted" in error["message"]
    assert f"{field} ({option})" in err
    assert "dose_mg" not in out


def test_dose_and_coverage_errors_are_listed_together(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = calc_json(
        capsys, {"--height": "70 kg"}, "--request", "renewal", "--setting", "x"
    )
    assert status == 2
    assert [e["field"] for e in out["errors"]] == ["height", "setting"]


def test_invalid_dose_input_keeps_its_contract(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = calc_json(capsys, {"--weight": None}, "--diagnosis", "C50.911")
    assert status == 2 and set(out) == {"status", "errors"}


def test_request_date_defaults_to_today(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = calc_json(
        capsys,
        {},
        "--diagnosis",
        "C50.911",
        "--setting",
        "recurrent",
        "--resistant-to",
        "anthracycline,taxane,capecitabine",
    )
    assert out["coverage"]["request_date"] == date.today().isoformat()
    assert out["coverage"]["authorization_start"] == date.today().isoformat()


def test_coverage_options_alone_warn(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = calc_json(capsys, {}, "--setting", "metastatic", "--progression-on-ixempra")
    assert status == 0 and out["coverage"] is None
    assert "--setting, --progression-on-ixempra ignored" in err


def test_text_block(capsys: pytest.CaptureFixture[str]) -> None:
    args = cli_args({"--regimen": "capecitabine"})
    status, out, _ = calc(
        capsys,
        [
            *args,
            "--diagnosis",
            "C50.411",
            "--resistant-to",
            "taxane",
            "--anthracycline-contraindicated",
            *META,
        ],
    )
    assert status == 0
    assert "Coverage (MG.MM.PH.153): meets I.1.A.i (initial request)" in out
    assert "Authorization 2025-08-31 to 2026-02-28 (6 months)" in out
    status, out, _ = calc(
        capsys, [*args, "--diagnosis", "C50.411", "--resistant-to", "taxane", *META]
    )
    assert status == 0
    assert "Coverage (MG.MM.PH.153): does not meet (initial request)" in out
    assert "Unmet         [I.1.A.i]" in out
    assert "Authorization" not in out


def test_help_lists_the_coverage_options(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = calc(capsys, ["--help"])
    assert status == 0
    for option in (
        "--request",
        "--diagnosis",
        "--setting",
        "--resistant-to",
        "--anthracycline-contraindicated",
        "--progression-on-ixempra",
        "--response",
        "--unacceptable-toxicity",
        "--request-date",
        "cardiac-ischemia",
    ):
        assert option in out


def test_through_the_real_entry_point() -> None:
    proc = run_calc(
        cli_args(
            {"--ast": "101 U/L", "--regimen": "capecitabine"},
            ("--json", "--diagnosis", "c50911", "--request-date", "2024-02-29"),
        )
    )
    assert proc.returncode == 3
    cov = json.loads(proc.stdout)["coverage"]
    assert cov["request"] == "initial" and cov["meets_criteria"] is False
    assert "capecitabine_hepatic_contraindication" in [e["code"] for e in cov["exclusions"]]
    proc = run_calc(cli_args(flags=("--json", "--diagnosis", "C50.911", "--request-date", "soon")))
    assert proc.returncode == 2 and "request_date (--request-date)" in proc.stderr

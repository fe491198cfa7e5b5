"""Bad input through the real CLI: exit 2, stderr names the field, --json lists the errors."""

from __future__ import annotations

import json

import pytest
from conftest import cli_args, run_calc

# (option changed, value typed, field the error must name). At least 20 kinds of bad input.
BAD_INPUTS = [
    ("--height", "70 kg", "height"),  # wrong dimension
    ("--height", "", "height"),  # empty
    ("--height", "0", "height"),  # zero
    ("--height", "-170 cm", "height"),  # negative
    ("--height", "nan", "height"),  # not a number
    ("--height", "inf cm", "height"),  # infinite
    ("--height", "tall", "height"),  # garbage
    ("--height", "1,70 m", "height"),  # decimal comma
    ("--height", "1.7e2 cm", "height"),  # exponent
    ("--height", "170 mm", "height"),  # unit not on the list
    ("--height", "5 ft 13 in", "height"),  # inches overflow
    ("--height", "30 cm", "height"),  # below the hard range
    ("--height", "300 cm", "height"),  # above the hard range
    ("--weight", "5 kg", "weight"),  # below the hard range
    ("--weight", "70 u", "weight"),  # pint would read u as atomic mass unit
    ("--weight", "70 cm", "weight"),  # a length in the weight field
    ("--ast", "30 mcg", "ast"),  # pint would read mc as micro
    ("--ast", "30 mg/dL", "ast"),  # a concentration in an enzyme field
    ("--ast-uln", "0 U/L", "ast_uln"),  # ULN must be > 0
    ("--alt", "25 U", "alt"),  # incomplete unit
    ("--alt-uln", "-40", "alt_uln"),  # negative ULN
    ("--bilirubin", "19 mmol/L", "bilirubin"),  # unit not on the list
    ("--bilirubin", "0.8 U/L", "bilirubin"),  # enzyme unit for bilirubin
    ("--bilirubin-uln", "1.2 mg", "bilirubin_uln"),  # missing volume
    ("--regimen", "paclitaxel", "regimen"),  # not a choice
    ("--regimen", None, "regimen"),  # missing
    ("--bsa-formula", "fujimoto", "bsa_formula"),  # unknown formula
    ("--weight", None, "weight"),  # missing
]


@pytest.mark.parametrize(("option", "value", "field"), BAD_INPUTS)
def test_bad_input_exit_2_names_field(option: str, value: str | None, field: str) -> None:
    proc = run_calc(cli_args({option: value}, ("--json",)))
    assert proc.returncode == 2, proc.stdout
    out = json.loads(proc.stdout)
    assert out["status"] == "invalid_input"
    assert field in {e["field"] for e in out["errors"]}
    assert all(e["message"] for e in out["errors"])
    assert f"{field} ({option})" in proc.stderr
    assert "dose_mg" not in out


def test_each_bad_field_is_named_once_all_at_once() -> None:
    proc = run_calc(cli_args({"--height": "70 kg", "--ast": "x", "--bilirubin-uln": "0"}))
    assert proc.returncode == 2
    for field in ("height", "ast", "bilirubin_uln"):
        assert f"{field} (--" in proc.stderr
    assert "72.8" not in proc.stdout and "NO DOSE" in proc.stdout


def test_message_says_what_is_accepted() -> None:
    proc = run_calc(cli_args({"--weight": "70 stone"}, ("--json",)))
    [error] = json.loads(proc.stdout)["errors"]
    assert "kg" in error["message"] and "lb" in error["message"]


def test_soft_range_needs_acknowledgement() -> None:
    unacknowledged = run_calc(cli_args({"--height": "130 cm"}, ("--json",)))
    assert unacknowledged.returncode == 2
    [error] = json.loads(unacknowledged.stdout)["errors"]
    assert error["field"] == "height" and error["code"] == "unusual_value"
    acknowledged = run_calc(cli_args({"--height": "130 cm"}, ("--json", "--acknowledge-warnings")))
    assert acknowledged.returncode == 0
    out = json.loads(acknowledged.stdout)
    assert out["status"] == "ok"
    assert any(r["code"] == "unusual_value" for r in out["reasons"])


def test_unknown_option_is_a_json_usage_error() -> None:
    proc = run_calc(cli_args(flags=("--json", "--dose", "80")))
    assert proc.returncode == 2
    assert json.loads(proc.stdout)["errors"][0]["field"] == "arguments"


def test_text_output_is_ismp_style() -> None:
    proc = run_calc(cli_args({"--height": "190 cm", "--weight": "110 kg"}))
    assert proc.returncode == 0
    assert "Dose        88 mg" in proc.stdout
    assert "88.0" not in proc.stdout
    assert "capped" in proc.stdout


def test_no_dose_exit_3_and_nulls() -> None:
    proc = run_calc(cli_args({"--alt": "450 U/L"}, ("--json",)))
    assert proc.returncode == 3
    out = json.loads(proc.stdout)
    assert out["status"] == "not_recommended"
    assert out["dose_mg"] is None and out["billing"] is None and out["vials"] is None
    assert any(r["severity"] == "stop" and "ALT" in r["message"] for r in out["reasons"])

"""The audit's wording repros through the real ``ixempra-calc --json`` (D6, D9, D10, D12)."""

from __future__ import annotations

import json
from typing import Any

from conftest import cli_args, run_calc


def calc_json(changes: dict[str, str | None]) -> tuple[int, dict[str, Any]]:
    done = run_calc(cli_args(changes, ("--json",)))
    return done.returncode, json.loads(done.stdout)


def test_withdraw_step_shows_exact_quotient_and_the_volume_drawn_up() -> None:
    code, out = calc_json({"--height": "200cm", "--weight": "72kg", "--dose-level": "36.45"})
    assert code == 0 and out["volume_ml"] == 36.5 and out["preparation"]["withdraw_ml"] == 36.5
    assert (
        "Volume to withdraw = 72.9 mg ÷ 2 mg/mL = 36.45 mL, drawn up as 36.5 mL (to 0.1 mL)"
        in out["steps"]
    )


def test_low_anc_hold_tells_the_prescriber_about_the_baseline_contraindication() -> None:
    code, out = calc_json({"--anc": "1499"})
    assert code == 3 and out["status"] == "hold" and out["ready_to_prepare"] is False
    [hold] = [r for r in out["reasons"] if r["code"] == "hold_anc"]
    assert "the label contraindicates IXEMPRA at ANC < 1,500 /mm³" in hold["message"]
    assert "tell the prescriber" in hold["message"]


def test_low_bilirubin_hint_offers_no_unit_that_would_not_explain_it() -> None:
    code, out = calc_json({"--bilirubin": "0.09"})
    assert code == 2
    [warning] = out["errors"]
    assert warning["acknowledge"] == "bilirubin.below_usual"
    assert "µkat/L" not in warning["message"] and "µmol/L" not in warning["message"]
    assert "decimal point" in warning["message"]


def test_count_with_spaced_digits_is_refused_as_such() -> None:
    code, out = calc_json({"--anc": "1 500"})
    assert code == 2
    [error] = out["errors"]
    assert error["field"] == "anc" and error["code"] == "digits_grouped"
    assert "digits grouped with spaces are not accepted" in error["message"]
    assert "1500, 1,500 or 1.5 x10^9/L" in error["message"] and "unit '" not in error["message"]

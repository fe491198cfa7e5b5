"""The issue #3 CLI contract: options, exit statuses and the added JSON keys."""

from __future__ import annotations

import json

from conftest import cli_args, run_calc

PREPARATION_KEYS = {
    "vials",
    "withdraw_ml",
    "diluent",
    "bag_ml",
    "bicarbonate_meq",
    "final_volume_ml",
    "concentration_mg_per_ml",
    "infusion_hours",
    "rate_ml_per_h",
    "reconstituted_use_by",
    "infusion_start_by",
    "infusion_complete_by",
    "filter",
    "container",
    "premedication",
}


def test_ready_dose_has_gate_rounding_and_preparation() -> None:
    proc = run_calc(
        cli_args(
            {
                "--anc": "1.8 10^9/L",
                "--platelets": "150000 /mm3",
                "--nonheme-toxicity-grade": "1",
                "--prepared-at": "2026-11-27T09:30",
                "--round-to-vial-within": "5",
            },
            ("--json",),
        )
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["cycle_gate"]["checked"] is True and out["cycle_gate"]["passed"] is True
    assert out["cycle_gate"]["anc"] == {
        "value": 1800.0,
        "unit": "/mm³",
        "limit": 1500,
        "comparison": "≥",
        "passed": True,
    }
    assert out["dose_rounding"]["unrounded_mg"] == 72.8
    assert out["dose_rounding"]["rounded_mg"] == 75.0 and out["dose_mg"] == 75.0
    assert out["dose_rounding"]["change_pct"] == 3.0
    assert out["billing"]["modifier"] == "JZ"
    prep = out["preparation"]
    assert set(prep) >= PREPARATION_KEYS
    assert prep["vials"] == [
        {"strength_mg": 45, "diluent_ml": 23.5},
        {"strength_mg": 15, "diluent_ml": 8.0},
        {"strength_mg": 15, "diluent_ml": 8.0},
    ]
    assert (prep["withdraw_ml"], prep["bag_ml"], prep["final_volume_ml"]) == (37.5, 250, 287.5)
    assert prep["concentration_mg_per_ml"] == 0.26 and prep["rate_ml_per_h"] == 95.8
    assert prep["reconstituted_use_by"] == "2026-11-27T10:30"
    assert prep["infusion_start_by"] == "2026-11-27T12:30"
    assert prep["infusion_complete_by"] == "2026-11-27T15:30"


def test_hold_exits_3_with_nothing_to_prepare() -> None:
    proc = run_calc(cli_args({"--anc": "1499 /mm3"}, ("--json",)))
    assert proc.returncode == 3
    out = json.loads(proc.stdout)
    assert out["status"] == "hold"
    for key in (
        "dose_mg",
        "dose_level_mg_per_m2",
        "vials",
        "billing",
        "preparation",
        "dose_rounding",
        "volume_ml",
    ):
        assert out[key] is None, key
    assert out["cycle_gate"]["anc"]["passed"] is False
    assert any(r["code"] == "hold_anc" and "1,499" in r["message"] for r in out["reasons"])


def test_hold_text_output_shows_no_dose() -> None:
    proc = run_calc(cli_args({"--platelets": "99,999 /mm3"}))
    assert proc.returncode == 3
    assert "NO DOSE: HOLD" in proc.stdout and "72.8" not in proc.stdout
    assert "Preparation:" not in proc.stdout


def test_gate_not_checked_is_said() -> None:
    out = json.loads(run_calc(cli_args(flags=("--json",))).stdout)
    assert out["cycle_gate"]["checked"] is False and out["cycle_gate"]["passed"] is None
    assert any(r["code"] == "cycle_gate_not_checked" for r in out["reasons"])


def test_worksheet_text_reads_in_order() -> None:
    proc = run_calc(cli_args({"--prepared-at": "2026-11-27T09:30"}))
    text = proc.stdout
    assert proc.returncode == 0
    order = [
        "Dose        72.8 mg",
        "Reconstitute 1 × 45 mg vial with 23.5 mL",
        "Reconstitute 2 × 15 mg vials with 8 mL",
        "Withdraw 36.4 mL (72.8 mg)",
        "250 mL Lactated Ringer's",
        "0.25 mg/mL",
        "Infuse over 3 h at 95.5 mL/h",
        "Prepared by",
    ]
    positions = [text.index(part) for part in order]
    assert positions == sorted(positions)
    assert "88.0" not in text and ".0 mg" not in text


def test_sodium_chloride_with_100_ml_is_refused() -> None:
    proc = run_calc(cli_args({"--diluent": "sodium-chloride", "--bag-sizes": "100"}, ("--json",)))
    assert proc.returncode == 2
    assert json.loads(proc.stdout)["errors"][0]["field"] == "bag_sizes"
    assert "bag_sizes (--bag-sizes)" in proc.stderr


def test_escalation_above_30_refused() -> None:
    proc = run_calc(
        cli_args({"--bilirubin": "2.4 mg/dL", "--hepatic-escalation-level": "30.1"}, ("--json",))
    )
    assert proc.returncode == 2
    assert json.loads(proc.stdout)["errors"][0]["field"] == "hepatic_escalation_level"


def test_inducer_level_60_over_4_hours() -> None:
    proc = run_calc(cli_args({"--dose-level": "60 mg/m2"}, ("--strong-cyp3a4-inducer", "--json")))
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["dose_level_mg_per_m2"] == 60.0 and out["dose_mg"] == 109.2
    assert out["preparation"]["infusion_hours"] == 4
    assert any(r["code"] == "coverage_level_over_40" for r in out["reasons"])

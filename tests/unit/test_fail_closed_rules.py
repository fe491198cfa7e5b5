"""Issue 12, points 1–6: each rule at its boundary (the invariants are in tests/property)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import order_kwargs

from ixempra_gui.core import label
from ixempra_gui.core.calculator import calculate
from ixempra_gui.core.models import DoseResult, Order, Status
from ixempra_gui.core.preparation import in_range
from ixempra_gui.core.report import to_json_dict
from ixempra_gui.core.toxicity import TABLE_1, Action


def calc(**changes: object) -> DoseResult:
    return calculate(Order(**order_kwargs(**changes)))


def codes(result: DoseResult) -> set[tuple[str, str]]:
    return {(e.field, e.code) for e in result.errors}


# --- 1. no blood counts, no READY -----------------------------------------------------------
@pytest.mark.parametrize(
    ("missing", "expected"),
    [
        ({"anc": None}, {("anc", "required")}),
        ({"platelets": ""}, {("platelets", "required")}),
        ({"anc": " ", "platelets": None}, {("anc", "required"), ("platelets", "required")}),
    ],
)
def test_missing_counts_are_missing_required_inputs(
    missing: dict[str, object], expected: set[tuple[str, str]]
) -> None:
    result = calc(**missing)
    assert result.status is Status.INVALID_INPUT and not result.ready_to_prepare
    assert codes(result) == expected
    for error in result.errors:
        assert "baseline" in error.message and "Contraindications" in error.message
    payload = to_json_dict(result)
    assert {(e["field"], e["code"]) for e in payload["errors"]} == expected


def test_the_current_grade_stays_optional() -> None:
    assert calc(current_nonheme_toxicity_grade=None).status is Status.OK


# --- 2. a stop always means not ready -------------------------------------------------------
# 16 mg/m² (inhibitor 20, one reduction) × 0.93 m² = 14.88 → 14.9 mg; 7.5 mL of drug.
SMALL = {
    "height": "120 cm",
    "weight": "26 kg",
    "acknowledge_warnings": True,
    "strong_cyp3a4_inhibitor": True,
    "toxicity_reductions": "1",
    "reduction_reason": "febrile neutropenia, cycle 2",
}


def test_no_bag_in_range_is_a_stop_with_no_figures() -> None:
    result = calc(**SMALL)
    assert result.status is Status.STOP and not result.ready_to_prepare
    payload = to_json_dict(result)
    assert payload["ready_to_prepare"] is False
    for key in ("dose_mg", "vials", "billing", "preparation", "volume_ml", "dose_level_mg_per_m2"):
        assert payload[key] is None, key
    [stop] = [r for r in result.reasons if r.code == "no_bag_in_range"]
    # 14.9 ÷ 0.6 = 24.83 → 24.9 mL; 14.9 ÷ 0.2 = 74.5 mL; less 7.5 mL of drug: 18–67 mL.
    assert "24.9 mL to 74.5 mL" in stop.message and "a bag of 18–67 mL" in stop.message
    assert stop.source == label.SRC_PREPARATION


@pytest.mark.parametrize(("bag", "fits"), [(17, False), (18, True), (67, True), (68, False)])
def test_the_advised_bag_range_is_exact_and_inward(bag: int, fits: bool) -> None:
    # 14.9 mg with 7.5 mL of drug (bags under 25 mL cannot be stocked: checked exactly here).
    assert in_range(Decimal("14.9"), bag + Decimal("7.5")) is fits
    if bag >= 25:
        result = calc(**SMALL, bag_sizes=str(bag))
        assert result.status is (Status.OK if fits else Status.STOP)


@pytest.mark.parametrize(("total", "fits"), [("24.8", False), ("24.9", True), ("74.5", True)])
def test_the_advised_final_volumes_are_in_range(total: str, fits: bool) -> None:
    assert in_range(Decimal("14.9"), Decimal(total)) is fits


def test_a_50_ml_bag_the_site_lists_is_chosen_when_it_is_the_first_that_fits() -> None:
    result = calc(**SMALL, bag_sizes="250,50,100")
    assert result.status is Status.OK and result.preparation is not None
    assert result.preparation.bag_ml == 50  # 14.9 mg ÷ 57.5 mL = 0.26 mg/mL


def test_sodium_chloride_needing_a_smaller_bag_suggests_lactated_ringers() -> None:
    # 20 mg/m² × 1.82 m² = 36.4 mg: 250 mL + 18.2 mL gives 0.136 mg/mL.
    result = calc(strong_cyp3a4_inhibitor=True, diluent="sodium-chloride")
    assert result.status is Status.STOP
    [stop] = [r for r in result.reasons if r.code == "no_bag_in_range"]
    assert "250 or 500 mL" in stop.message and "Lactated Ringer's" in stop.message
    ringer = calc(strong_cyp3a4_inhibitor=True)
    assert ringer.status is Status.OK and ringer.preparation is not None
    assert ringer.preparation.bag_ml == 100


# --- 3. Cremophor ----------------------------------------------------------------------------
def test_cremophor_hypersensitivity_is_a_contraindication() -> None:
    result = calc(cremophor_hypersensitivity=True)
    assert result.status is Status.CONTRAINDICATED and result.dose_mg is None
    [reason] = [r for r in result.reasons if r.code == "cremophor_hypersensitivity"]
    assert "Contraindications" in reason.source and "Cremophor" in reason.source
    assert reason.severity.value == "stop"
    assert to_json_dict(result)["inputs"]["cremophor_hypersensitivity"] is True
    # a prior reaction to IXEMPRA itself still only adds a corticosteroid
    prior = calc(prior_hypersensitivity=True)
    assert prior.status is Status.OK


# --- 4. the current grade gates, the worst event proposes ------------------------------------
def test_a_resolved_grade_3_event_is_not_held_for_ever() -> None:
    proposed = calc(current_nonheme_toxicity_grade="1", worst_events=("other-g3",))
    assert proposed.status is Status.INVALID_INPUT
    assert codes(proposed) == {("confirm_reduction", "confirm_reduction")}
    confirmed = calc(
        current_nonheme_toxicity_grade="1", worst_events=("other-g3",), confirm_reduction=True
    )
    assert confirmed.status is Status.OK
    assert confirmed.dose_level_mg_per_m2 == Decimal(32)
    still_grade_3 = calc(current_nonheme_toxicity_grade="3", worst_events=("other-g3",))
    assert still_grade_3.status is Status.INVALID_INPUT  # confirm first; then it is a hold
    held = calc(
        current_nonheme_toxicity_grade="3", worst_events=("other-g3",), confirm_reduction=True
    )
    assert held.status is Status.HOLD


@pytest.mark.parametrize("row", TABLE_1, ids=lambda r: r.code)
def test_every_row_of_table_1(row) -> None:  # type: ignore[no-untyped-def]
    unconfirmed = calc(worst_events=(row.code,))
    confirmed = calc(worst_events=(row.code,), confirm_reduction=True)
    if row.action is Action.DISCONTINUE:
        for result in (unconfirmed, confirmed):
            assert result.status is Status.STOP
            assert any(r.code == "toxicity_discontinue" for r in result.reasons)
    elif row.action is Action.DECREASE_20:
        assert codes(unconfirmed) == {("confirm_reduction", "confirm_reduction")}
        assert confirmed.status is Status.OK
        assert confirmed.dose_level_mg_per_m2 == Decimal(32)
    else:
        assert unconfirmed.status is Status.OK
        assert unconfirmed.dose_level_mg_per_m2 == Decimal(40)


def test_the_strongest_action_wins_and_one_step_per_cycle() -> None:
    two_decreases = calc(
        worst_events=("febrile-neutropenia", "neuropathy-g2-7d"), confirm_reduction=True
    )
    assert two_decreases.dose_level_mg_per_m2 == Decimal(32)  # one step, not two
    with_no_change = calc(worst_events=("hand-foot-g3", "other-g3"), confirm_reduction=True)
    assert with_no_change.dose_level_mg_per_m2 == Decimal(32)
    with_discontinue = calc(worst_events=("other-g3", "any-g4"), confirm_reduction=True)
    assert with_discontinue.status is Status.STOP


def test_a_confirmed_step_adds_to_the_prior_reductions() -> None:
    result = calc(
        toxicity_reductions="1",
        reduction_reason="neuropathy, cycle 2",
        worst_events=("neuropathy-g2-7d",),
        confirm_reduction=True,
    )
    assert result.dose_level_mg_per_m2 == Decimal("25.6")  # 40 → 32 → 25.6
    absolute = calc(
        toxicity_reductions="1",
        reduction_mode="absolute",
        reduction_reason="neuropathy, cycle 2",
        worst_events=("neuropathy-g2-7d",),
        confirm_reduction=True,
    )
    assert absolute.dose_level_mg_per_m2 == Decimal(24)


def test_an_unknown_row_is_refused_naming_the_accepted_rows() -> None:
    result = calc(worst_events=("grade-5",))
    assert codes(result) == {("worst_events", "invalid_choice")}
    assert "neuropathy-g2-7d" in result.errors[0].message


def test_the_current_grade_has_its_own_json_key() -> None:
    inputs = to_json_dict(calc(current_nonheme_toxicity_grade="1"))["inputs"]
    assert inputs["current_nonheme_toxicity_grade"] == 1 and "nonheme_toxicity_grade" not in inputs


# --- 5. inducer infusion time ------------------------------------------------------------------
@pytest.mark.parametrize(("level", "hours"), [(None, 3), ("40 mg/m2", 3), ("40.1 mg/m2", 4)])
def test_the_4_hour_infusion_is_for_an_inducer_dose_above_40(level: str | None, hours: int) -> None:
    result = calc(strong_cyp3a4_inducer=True, dose_level=level)
    assert result.status is Status.OK and result.preparation is not None
    assert result.preparation.infusion_hours == hours


# --- 6. plausibility where a slip changes the dose -------------------------------------------
@pytest.mark.parametrize(
    ("changes", "warned"),
    [
        ({"ast": "5 U/L"}, None),
        ({"ast": "4.9 U/L"}, "ast.below_usual"),
        ({"alt": "3"}, "alt.below_usual"),
        ({"bilirubin": "0.1 mg/dL"}, None),
        ({"bilirubin": "0.09 mg/dL"}, "bilirubin.below_usual"),
        ({"height": "150 cm", "weight": "135 kg"}, None),  # BMI 60 exactly
        ({"height": "150 cm", "weight": "135.1 kg"}, "weight.implausible_bmi"),
        ({"height": "200 cm", "weight": "48 kg"}, None),  # BMI 12 exactly
        ({"height": "200 cm", "weight": "47.9 kg"}, "weight.implausible_bmi"),
    ],
)
def test_low_labs_and_bmi_are_warnings_at_their_limits(
    changes: dict[str, str], warned: str | None
) -> None:
    result = calc(**changes)
    if warned is None:
        assert result.status is Status.OK
        return
    assert result.status is Status.INVALID_INPUT
    assert [e.ack_code for e in result.errors] == [warned]
    accepted = calc(**changes, acknowledged=(warned,))
    assert accepted.status is Status.OK
    assert any(warned.split(".")[1] == r.code for r in accepted.reasons)


def test_one_acknowledgement_accepts_one_warning_only() -> None:
    both = {"ast": "3 U/L", "alt": "2 U/L"}
    one = calc(**both, acknowledged=("ast.below_usual",))
    assert [e.ack_code for e in one.errors] == ["alt.below_usual"]
    assert calc(**both, acknowledge_warnings=True).status is Status.OK


def test_the_low_limits_are_site_settings() -> None:
    assert calc(ast="8 U/L", low_ast_alt_u_per_l="10").status is Status.INVALID_INPUT
    assert calc(ast="3 U/L", low_ast_alt_u_per_l="0").status is Status.OK
    refused = calc(low_bilirubin_mg_per_dl="lots")
    assert codes(refused) == {("low_bilirubin_mg_per_dl", "unreadable")}

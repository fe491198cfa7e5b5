"""Issue #3 rules: start-of-cycle gate, reductions, escalation, inducer, prescribed level."""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import order_kwargs

from ixempra_gui.core.calculator import calculate
from ixempra_gui.core.levels import reduce_level
from ixempra_gui.core.models import DoseResult, Order, ReductionMode, Status


def calc(**changes: object) -> DoseResult:
    return calculate(Order(**order_kwargs(**changes)))


# --- start-of-cycle gate (spec §4) ---------------------------------------------------------
@pytest.mark.parametrize(
    ("changes", "status"),
    [
        ({"anc": "1500 /mm3"}, Status.OK),
        ({"anc": "1499 /mm3"}, Status.HOLD),
        ({"anc": "1.5 10^9/L"}, Status.OK),
        ({"anc": "1.499 x10^9/L"}, Status.HOLD),
        ({"anc": "0"}, Status.HOLD),  # zero is a real count, not a typo
        ({"platelets": "100,000 /mm3"}, Status.OK),
        ({"platelets": "99,999 /mm3"}, Status.HOLD),
        ({"platelets": "100 10^9/L"}, Status.OK),
        ({"platelets": "99.999 10^9/L"}, Status.HOLD),
        ({"current_nonheme_toxicity_grade": "1"}, Status.OK),
        ({"current_nonheme_toxicity_grade": "2"}, Status.HOLD),
        ({"current_nonheme_toxicity_grade": 0}, Status.OK),
    ],
)
def test_gate_boundaries(changes: dict[str, object], status: Status) -> None:
    result = calc(**changes)
    assert result.status is status
    assert (result.dose_mg is None) is (status is Status.HOLD)
    if status is Status.HOLD:
        assert result.billing is None and result.preparation is None and result.vials is None
        [stop] = [r for r in result.reasons if r.code.startswith("hold_")]
        assert "Hold:" in stop.message and "spec §4" in stop.source


def test_every_failed_criterion_is_named() -> None:
    result = calc(anc="1000 /mm3", platelets="50,000 /mm3", current_nonheme_toxicity_grade="3")
    codes = {r.code for r in result.reasons}
    assert {"hold_anc", "hold_platelets", "hold_current_nonheme_toxicity_grade"} <= codes
    message = next(r.message for r in result.reasons if r.code == "hold_platelets")
    assert "50,000 /mm³" in message and "100,000 /mm³" in message


def test_current_grade_4_is_a_stop_that_says_discontinue() -> None:
    # The worst event since the last cycle was at least grade 4: label Table 1 says discontinue,
    # which outranks the hold the grade also causes.
    result = calc(current_nonheme_toxicity_grade="4")
    assert result.status is Status.STOP and not result.ready_to_prepare
    [stop] = [r for r in result.reasons if r.code == "toxicity_discontinue"]
    assert "Discontinue" in stop.message and "Table 1" in stop.source
    assert any(r.code == "hold_current_nonheme_toxicity_grade" for r in result.reasons)


def test_the_current_grade_not_entered_says_the_gate_was_not_checked() -> None:
    result = calc()
    assert result.status is Status.OK
    [note] = [r for r in result.reasons if r.code == "cycle_gate_not_checked"]
    assert "Current non-hematologic toxicity" in note.message and "ANC" not in note.message
    assert result.cycle_gate is not None and result.cycle_gate.passed is None


def test_contraindication_outranks_hold() -> None:
    result = calc(regimen="capecitabine", ast="120 U/L", anc="1000")
    assert result.status is Status.CONTRAINDICATED
    assert any(r.code == "hold_anc" for r in result.reasons)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("current_nonheme_toxicity_grade", "5"),
        ("current_nonheme_toxicity_grade", "2.5"),
        ("current_nonheme_toxicity_grade", "-1"),
        ("anc", "-5 /mm3"),
        ("anc", "1800 /L"),
        ("platelets", "150000 U/L"),
        ("anc", "2,00 /mm3"),
    ],
)
def test_bad_gate_input_is_refused(field: str, value: str) -> None:
    result = calc(**{field: value})
    assert result.status is Status.INVALID_INPUT
    assert field in {e.field for e in result.errors}


# --- toxicity reductions (spec §3, issue #3) -------------------------------------------------
@pytest.mark.parametrize(
    ("start", "count", "mode", "expected"),
    [
        ("40", 1, ReductionMode.RELATIVE, "32"),
        ("40", 2, ReductionMode.RELATIVE, "25.6"),
        ("40", 3, ReductionMode.RELATIVE, "20.48"),
        ("40", 2, ReductionMode.ABSOLUTE, "24"),
        ("40", 3, ReductionMode.ABSOLUTE, "16"),
        ("32", 1, ReductionMode.RELATIVE, "25.6"),
        ("32", 2, ReductionMode.ABSOLUTE, "19.2"),
    ],
)
def test_reduce_level(start: str, count: int, mode: ReductionMode, expected: str) -> None:
    assert reduce_level(Decimal(start), count, mode) == Decimal(expected)


def test_reductions_apply_to_the_level_the_other_rules_set() -> None:
    hepatic = calc(ast="120 U/L", toxicity_reductions="1", reduction_reason="grade 3 fatigue")
    assert hepatic.dose_level_mg_per_m2 == Decimal("25.6")
    inhibitor = calc(strong_cyp3a4_inhibitor=True, toxicity_reductions=1, reduction_reason="x")
    assert inhibitor.dose_level_mg_per_m2 == Decimal(16)
    relative = calc(toxicity_reductions=2, reduction_reason="recurrent neuropathy")
    assert relative.dose_level_mg_per_m2 == Decimal("25.6")
    assert relative.dose_mg == Decimal("46.6")  # 25.6 × 1.82 = 46.592
    [reason] = [r for r in relative.reasons if r.code == "toxicity_reductions"]
    assert "recurrent neuropathy" in reason.message and "Table 1" in reason.source


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"toxicity_reductions": "1"}, "reduction_reason"),
        ({"toxicity_reductions": "1", "reduction_reason": "   "}, "reduction_reason"),
        ({"toxicity_reductions": "4", "reduction_reason": "x"}, "toxicity_reductions"),
        ({"toxicity_reductions": "one", "reduction_reason": "x"}, "toxicity_reductions"),
        (
            {"toxicity_reductions": "1", "reduction_reason": "x", "reduction_mode": "half"},
            "reduction_mode",
        ),
    ],
)
def test_reduction_inputs_refused(changes: dict[str, object], field: str) -> None:
    result = calc(**changes)
    assert result.status is Status.INVALID_INPUT
    assert field in {e.field for e in result.errors}


# --- moderate-hepatic escalation -------------------------------------------------------------
MODERATE = {"bilirubin": "2.4 mg/dL"}  # 2×ULN: the 20 mg/m² row


@pytest.mark.parametrize(("level", "expected"), [("20", 20), ("25 mg/m2", 25), ("30 mg/m2", 30)])
def test_escalation_within_20_to_30(level: str, expected: int) -> None:
    result = calc(**MODERATE, hepatic_escalation_level=level)
    assert result.status is Status.OK
    assert result.dose_level_mg_per_m2 == Decimal(expected)


@pytest.mark.parametrize("level", ["30.1 mg/m2", "19.9", "40"])
def test_escalation_outside_20_to_30_refused(level: str) -> None:
    result = calc(**MODERATE, hepatic_escalation_level=level)
    assert result.status is Status.INVALID_INPUT
    assert {e.field for e in result.errors} == {"hepatic_escalation_level"}


@pytest.mark.parametrize("labs", [{}, {"ast": "120 U/L"}])
def test_escalation_refused_outside_the_moderate_row(labs: dict[str, str]) -> None:
    result = calc(**labs, hepatic_escalation_level="25")
    assert result.status is Status.INVALID_INPUT
    [error] = result.errors
    assert error.field == "hepatic_escalation_level" and "moderate" in error.message


def test_escalation_still_capped_by_an_inhibitor() -> None:
    result = calc(**MODERATE, hepatic_escalation_level="30", strong_cyp3a4_inhibitor=True)
    assert result.dose_level_mg_per_m2 == Decimal(20)


# --- inducer and prescribed level ------------------------------------------------------------
def test_inducer_alone_keeps_40_and_infuses_over_3_hours() -> None:
    # The 4-hour infusion belongs to an inducer dose above 40 mg/m² (spec §3).
    result = calc(strong_cyp3a4_inducer=True)
    assert result.dose_level_mg_per_m2 == Decimal(40)
    assert result.preparation is not None and result.preparation.infusion_hours == 3
    assert any(r.code == "inducer_infusion_3h" for r in result.reasons)


def test_inducer_with_prescribed_60_carries_the_coverage_warning() -> None:
    result = calc(strong_cyp3a4_inducer=True, dose_level="60 mg/m2")
    assert result.status is Status.OK and result.dose_level_mg_per_m2 == Decimal(60)
    assert result.dose_mg == Decimal("109.2")
    [coverage] = [r for r in result.reasons if r.code == "coverage_level_over_40"]
    assert "MG.MM.PH.153" in coverage.source and "Limitations/Exclusions 2" in coverage.source


@pytest.mark.parametrize(
    ("changes", "accepted", "level"),
    [
        ({"dose_level": "32 mg/m2"}, True, "32"),
        ({"dose_level": "40 mg/m2"}, True, "40"),
        ({"dose_level": "40.1 mg/m2"}, False, None),
        ({"dose_level": "50 mg/m2"}, False, None),
        ({"dose_level": "60.1 mg/m2", "strong_cyp3a4_inducer": True}, False, None),
        ({"dose_level": "40 mg/m2", "ast": "120 U/L"}, False, None),  # hepatic row: 32
        (
            {"dose_level": "25.6 mg/m2", "toxicity_reductions": "1", "reduction_reason": "x"},
            True,
            "25.6",
        ),
        (
            {"dose_level": "32 mg/m2", "toxicity_reductions": "2", "reduction_reason": "x"},
            False,
            None,
        ),
        ({"dose_level": "30 mg/m2", "strong_cyp3a4_inhibitor": True}, False, None),
    ],
)
def test_prescribed_level_is_checked_against_the_rules(
    changes: dict[str, object], accepted: bool, level: str | None
) -> None:
    result = calc(**changes)
    if accepted:
        assert result.status is Status.OK
        assert result.dose_level_mg_per_m2 == Decimal(level or "0")
        applied = [r.code for r in result.level_rules if r.applies]
        assert "prescribed_level" in applied
    else:
        assert result.status is Status.INVALID_INPUT
        [error] = result.errors
        assert error.field == "dose_level"
        assert result.dose_mg is None

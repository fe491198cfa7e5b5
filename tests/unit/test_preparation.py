"""Issue #3: vial rounding, bag choice, sodium chloride, rate, times, premedication."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from conftest import order_kwargs

from ixempra_gui.core.calculator import calculate
from ixempra_gui.core.models import DoseResult, Order, Status
from ixempra_gui.core.vial_rounding import round_to_vial

# 162 cm × 50 kg: BSA 1.5 m² exactly → 60 mg at 40 mg/m² (30 mL to withdraw).
SIXTY_MG = {"height": "162 cm", "weight": "50 kg"}


def calc(**changes: object) -> DoseResult:
    return calculate(Order(**order_kwargs(**changes)))


# --- rounding to a vial boundary (HOPA; spec §5) ---------------------------------------------
def test_issue_example_76_to_75_mg_is_jz() -> None:
    # 190 cm × 68.4 kg → Mosteller 1.8954… → 1.90 m² → 76 mg.
    result = calc(height="190 cm", weight="68.4 kg", round_to_vial_within="5")
    assert result.dose_rounding is not None
    assert result.dose_rounding.unrounded_mg == Decimal("76.0")
    assert result.dose_rounding.rounded_mg == Decimal(75)
    assert result.dose_rounding.change_pct == Decimal("-1.3")
    assert result.dose_mg == Decimal(75) and result.volume_ml == Decimal("37.5")
    assert result.billing is not None
    assert (result.billing.units_administered, result.billing.units_wasted) == (75, 0)
    assert result.billing.modifier == "JZ"


@pytest.mark.parametrize(
    ("dose", "pct", "up_ok", "rounded"),
    [
        ("76", "1.3", True, "76"),  # 1.316 % > 1.3 %: not within
        ("76", "1.4", True, "75"),
        ("74", "5", True, "75"),  # up to the nearer boundary
        ("74", "5", False, "74"),  # hepatic level: never up
        ("46", "5", False, "45"),  # down is allowed on a hepatic level
        ("82.5", "10", True, "75"),  # tie between 75 and 90 (±9.1 %): the lower total
        ("75", "5", True, "75"),  # already on a boundary
        ("14", "10", True, "15"),  # nothing below 15 mg to round down to
    ],
)
def test_round_to_vial(dose: str, pct: str, up_ok: bool, rounded: str) -> None:
    rounding, _ = round_to_vial(Decimal(dose), Decimal(pct), (45, 15), may_round_up=up_ok)
    assert rounding.rounded_mg == Decimal(rounded)
    assert rounding.applied is (Decimal(rounded) != Decimal(dose))


def test_hepatic_level_says_why_it_did_not_round_up() -> None:
    # AST 3×ULN → 32 mg/m²; 173 cm × 63 kg → 1.74 m² → 55.7 mg; 60 mg would be +7.7 %.
    result = calc(ast="120 U/L", height="173 cm", weight="63 kg", round_to_vial_within="10")
    assert result.dose_level_mg_per_m2 == Decimal(32)
    assert result.dose_rounding is not None and not result.dose_rounding.applied
    assert any(r.code == "no_round_up_hepatic" for r in result.reasons)


@pytest.mark.parametrize(
    ("height", "weight", "dose"),
    [
        ("200 cm", "110 kg", "88"),  # BSA 2.47 → capped 2.2: 88 mg; 90 mg (2 × 45) is +2.3 %
        ("190 cm", "88 kg", "86.4"),  # BSA 2.16: 86.4 mg; 90 mg is +4.2 % but above 88 mg
    ],
)
def test_never_rounded_up_past_the_labels_largest_dose(height: str, weight: str, dose: str) -> None:
    """§2/§5: at 40 mg/m² the largest dose is 88 mg (BSA capped at 2.2 m²); rounding to a vial
    boundary must not give more (clinical audit D5: 90 mg was ready)."""
    result = calc(height=height, weight=weight, round_to_vial_within="10")
    assert result.dose_mg == Decimal(dose)
    assert result.dose_rounding is not None and not result.dose_rounding.applied
    [why] = [r for r in result.reasons if r.code == "no_round_up_past_bsa_cap"]
    assert why.message == (
        "Not rounded up to 90 mg: above 88 mg, the largest dose at 40 mg/m² (BSA capped at 2.2 m²)."
    )
    assert "2.2 m²" in why.source


@pytest.mark.parametrize(
    ("level", "rounded"),
    [("75", "165"), ("75.01", "165"), ("74.99", "162")],  # 165 mg at / under / over the cap's dose
)
def test_the_ceiling_is_compared_exactly(level: str, rounded: str) -> None:
    """Up to 165 mg (11 × 15) is allowed while level × 2.2 m² ≥ 165 mg: at 75 mg/m² exactly."""
    rounding, _ = round_to_vial(
        Decimal(162), Decimal(5), (45, 15), may_round_up=True, level_mg_per_m2=Decimal(level)
    )
    assert rounding.rounded_mg == Decimal(rounded)


def test_rounded_up_when_it_stays_within_the_largest_dose() -> None:
    result = calc(height="170 cm", weight="70 kg", round_to_vial_within="10")  # 72.8 → 75 mg
    assert result.dose_mg == Decimal(75)
    assert not any(r.code == "no_round_up_past_bsa_cap" for r in result.reasons)


@pytest.mark.parametrize("pct", ["10.1", "abc", "-5", "5 mg"])
def test_rounding_percentage_refused(pct: str) -> None:
    result = calc(round_to_vial_within=pct)
    assert result.status is Status.INVALID_INPUT
    assert {e.field for e in result.errors} == {"round_to_vial_within"}


def test_rounding_off_by_default_and_at_zero() -> None:
    assert calc().dose_rounding is None
    assert calc(round_to_vial_within="0").dose_rounding is None


# --- bag choice ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("bags", "chosen"),
    [
        ("70,250", 70),  # 60 mg ÷ (70 + 30) mL = 0.6 exactly: in range
        ("69,250", 250),  # 60 ÷ 99 = 0.606: over 0.6, next preference
        ("270,100", 270),  # 60 ÷ 300 = 0.2 exactly: in range
        ("271,100", 100),  # 60 ÷ 301 = 0.1993: under 0.2
        ("250,100,500", 250),  # the site's order of preference, not the smallest
        ("100,250,500", 100),
    ],
)
def test_bag_choice_at_both_concentration_limits(bags: str, chosen: int) -> None:
    result = calc(**SIXTY_MG, bag_sizes=bags)
    assert result.preparation is not None
    assert result.preparation.bag_ml == chosen


def test_no_bag_fits_is_a_stop_that_says_which_volume_would() -> None:
    result = calc(**SIXTY_MG, bag_sizes="500,1000")
    assert result.status is Status.STOP and not result.ready_to_prepare
    assert result.preparation is None and result.dose_mg is None and result.billing is None
    [stop] = [r for r in result.reasons if r.code == "no_bag_in_range"]
    # 60 mg: 100–300 mL in all, less the 30 mL of drug: a bag of 70–270 mL.
    assert "100 mL to 300 mL" in stop.message and "70–270 mL" in stop.message


def test_sodium_chloride_needs_bicarbonate_and_250_or_500() -> None:
    result = calc(diluent="sodium-chloride", bag_sizes="100,250")
    p = result.preparation
    assert p is not None and p.bag_ml == 250 and p.bicarbonate_meq == Decimal(2)
    assert any(r.code == "bag_not_offered" for r in result.reasons)
    refused = calc(diluent="sodium-chloride", bag_sizes="100")
    assert refused.status is Status.INVALID_INPUT
    assert {e.field for e in refused.errors} == {"bag_sizes"}
    ringer = calc().preparation
    assert ringer is not None and ringer.bicarbonate_meq is None


@pytest.mark.parametrize("bags", ["250,abc", "5", "250;100", "2000"])
def test_bad_bag_sizes_refused(bags: str) -> None:
    assert {e.field for e in calc(bag_sizes=bags).errors} == {"bag_sizes"}


# --- volumes, rate, times, premedication ----------------------------------------------------
def test_v01_preparation_figures() -> None:
    result = calc(prepared_at="2026-11-27T09:30+01:00")
    p = result.preparation
    assert p is not None
    assert [(v.strength_mg, v.diluent_ml) for v in p.vials] == [
        (45, Decimal("23.5")),
        (15, Decimal(8)),
        (15, Decimal(8)),
    ]
    assert p.withdraw_ml == Decimal("36.4") and p.bag_ml == 250
    assert p.final_volume_ml == Decimal("286.4")
    assert p.concentration_mg_per_ml == Decimal("0.25")  # 72.8 / 286.4 = 0.2542
    assert p.rate_ml_per_h == Decimal("95.5")  # 286.4 / 3 = 95.47
    at = datetime(2026, 11, 27, 9, 30, tzinfo=timezone(timedelta(hours=1)))
    assert p.reconstituted_use_by == at + timedelta(hours=1)
    assert p.infusion_start_by == at + timedelta(hours=3)
    assert p.infusion_complete_by == at + timedelta(hours=6)
    assert "DEHP-free" in p.container and "0.2 to 1.2 micron" in p.filter
    assert len(p.premedication) == 1 and "H1" in p.premedication[0]


def test_inducer_infusion_over_4_hours_must_start_2_hours_after_preparation() -> None:
    result = calc(strong_cyp3a4_inducer=True, dose_level="44 mg/m2", prepared_at="2026-11-27T09:30")
    p = result.preparation
    assert p is not None and p.infusion_hours == 4  # an inducer dose above 40 mg/m²
    assert p.infusion_start_by == datetime(2026, 11, 27, 11, 30)
    assert result.dose_mg == Decimal("80.1")  # 44 × 1.82
    assert p.rate_ml_per_h == Decimal("72.5")  # (250 + 40.1) / 4 = 72.525


def test_prior_hypersensitivity_adds_a_corticosteroid() -> None:
    p = calc(prior_hypersensitivity=True).preparation
    assert p is not None and any("corticosteroid" in line for line in p.premedication)


def test_unreadable_preparation_time_refused() -> None:
    assert {e.field for e in calc(prepared_at="tomorrow 9am").errors} == {"prepared_at"}

"""Vials (least labeled mg, then fewest vials), volume, J9207 units, JW/JZ, NDCs (spec §5–6)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import order_kwargs

from ixempra_gui.core.billing import compute_billing
from ixempra_gui.core.calculator import calculate
from ixempra_gui.core.models import Order, VialPlan
from ixempra_gui.core.policy import load_policy
from ixempra_gui.core.rounding import round_dose_mg, round_volume_ml
from ixempra_gui.core.vials import plan_vials

STRENGTHS = (45, 15)


@pytest.mark.parametrize(
    ("dose", "n45", "n15", "total"),
    [
        ("15", 0, 1, 15),
        ("15.1", 0, 2, 30),
        ("30", 0, 2, 30),
        ("30.1", 1, 0, 45),  # 45 mg in one vial beats 3 × 15 mg (same mg, fewer vials)
        ("45", 1, 0, 45),
        ("45.1", 1, 1, 60),
        ("72.8", 1, 2, 75),
        ("75.1", 2, 0, 90),
        ("88", 2, 0, 90),
        ("90", 2, 0, 90),
        ("90.1", 2, 1, 105),
        ("131.9", 3, 0, 135),
    ],
)
def test_vial_plan(dose: str, n45: int, n15: int, total: int) -> None:
    plan = plan_vials(Decimal(dose), STRENGTHS)
    assert (plan.count(45), plan.count(15), plan.total_mg) == (n45, n15, total)


def test_vial_plan_refuses_a_non_positive_dose() -> None:
    with pytest.raises(ValueError):
        plan_vials(Decimal(0), STRENGTHS)


def test_billing_jw_line_for_waste() -> None:
    billing, _ = compute_billing(Decimal("72.8"), VialPlan(((45, 1), (15, 2)), 75), load_policy())
    assert (billing.units_administered, billing.units_wasted, billing.modifier) == (73, 2, "JW")
    assert [(ln.modifier, ln.units) for ln in billing.lines] == [(None, 73), ("JW", 2)]
    assert billing.ndc == ("70020-1911-01", "70020-1910-01")
    assert billing.ndc_unverified == ("70020-1911-01",)


def test_billing_jz_when_nothing_is_discarded() -> None:
    billing, reasons = compute_billing(
        Decimal("90"), VialPlan(((45, 2), (15, 0)), 90), load_policy()
    )
    assert (billing.units_administered, billing.units_wasted, billing.modifier) == (90, 0, "JZ")
    assert [(ln.modifier, ln.units) for ln in billing.lines] == [("JZ", 90)]  # never JW and JZ
    assert billing.ndc == ("70020-1911-01",)
    assert any("JZ" in r.message for r in reasons)


def test_billing_units_round_up_even_a_tenth() -> None:
    billing, _ = compute_billing(Decimal("60.1"), VialPlan(((45, 1), (15, 2)), 75), load_policy())
    assert (billing.units_administered, billing.units_wasted) == (61, 14)


def test_only_15_mg_vials_cite_only_the_verified_ndc() -> None:
    billing, reasons = compute_billing(
        Decimal("14.2"), VialPlan(((45, 0), (15, 1)), 15), load_policy()
    )
    assert billing.ndc == ("70020-1910-01",) and billing.ndc_unverified == ()
    assert not any(r.code == "ndc_unverified" for r in reasons)


@pytest.mark.parametrize(
    ("raw", "dose", "volume"),
    [
        ("53.12", "53.1", "26.6"),
        ("53.15", "53.2", "26.6"),
        ("53.149", "53.1", "26.6"),
        ("72.8", "72.8", "36.4"),
        ("0.25", "0.3", "0.2"),
    ],
)
def test_rounding_half_up(raw: str, dose: str, volume: str) -> None:
    rounded = round_dose_mg(Decimal(raw))
    assert rounded == Decimal(dose)
    assert round_volume_ml(rounded / 2) == Decimal(volume)


def test_whole_dose_jz_end_to_end() -> None:
    # 162 cm × 50 kg: Mosteller √2.25 = 1.5 m² exactly → 60 mg = 45 + 15 mg, nothing discarded.
    result = calculate(Order(**order_kwargs(height="162 cm", weight="50 kg")))
    assert result.bsa is not None and result.bsa.rounded_m2 == Decimal("1.50")
    assert result.dose_mg == Decimal("60.0")
    assert result.vials is not None and result.vials.total_mg == 60
    assert result.billing is not None
    assert (result.billing.units_administered, result.billing.units_wasted) == (60, 0)
    assert result.billing.modifier == "JZ"


@pytest.mark.parametrize(
    ("dose", "n45", "n15", "over"),
    [
        ("90", 2, 0, False),  # exactly 90 units: at the limit, not over it
        ("88", 2, 0, False),  # 88 + 2 discarded = 90
        ("90.1", 2, 1, True),  # 91 administered + 14 discarded = 105
        ("110", 2, 2, True),  # an inducer dose at 60 mg/m²: 110 + 10 = 120
    ],
)
def test_one_dose_over_the_units_limit_says_so(dose: str, n45: int, n15: int, over: bool) -> None:
    """The policy's 90 units per 21 days: a dose billing more is over it on its own, whatever
    the history holds — said with the dose, not only when coverage is asked (clinical audit D7)."""
    policy = load_policy()
    plan = VialPlan(((45, n45), (15, n15)), 45 * n45 + 15 * n15)
    billing, reasons = compute_billing(Decimal(dose), plan, policy)
    found = [r for r in reasons if r.code == "coverage_units_over_limit"]
    assert bool(found) is over
    if over:
        total = billing.units_administered + billing.units_wasted
        assert found[0].message.startswith(f"Coverage risk: this dose alone bills {total} units")
        assert f"limit of {policy.max_units} units per {policy.per_days} days" in found[0].message
        assert found[0].source.startswith("policy MG.MM.PH.153")

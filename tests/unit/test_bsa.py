"""BSA: the five check values of clinical-rules §2, rounding half-up, the 2.2 m² cap."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ixempra_gui.core.bsa import bsa_m2, compute_bsa
from ixempra_gui.core.models import BsaFormula

CHECK_VALUES = {
    BsaFormula.MOSTELLER: Decimal("1.818119"),
    BsaFormula.DUBOIS: Decimal("1.809708"),
    BsaFormula.HAYCOCK: Decimal("1.825677"),
    BsaFormula.GEHAN_GEORGE: Decimal("1.831289"),
    BsaFormula.BOYD: Decimal("1.834670"),
}


@pytest.mark.parametrize(("formula", "expected"), CHECK_VALUES.items())
def test_check_values_170_cm_70_kg(formula: BsaFormula, expected: Decimal) -> None:
    assert bsa_m2(formula, Decimal(170), Decimal(70)).quantize(Decimal("0.000001")) == expected


def test_exact_half_rounds_up() -> None:
    # √(H×W/3600) = 1.825 exactly when H×W = 11990.25: 1.825 → 1.83, not banker's 1.82.
    result = compute_bsa(BsaFormula.MOSTELLER, Decimal("119.9025"), Decimal(100))
    assert result.exact_m2 == Decimal("1.825")
    assert result.rounded_m2 == Decimal("1.83")


@pytest.mark.parametrize(
    ("height", "weight", "rounded", "used", "capped"),
    [
        ("190", "110", "2.41", "2.20", True),
        # √(H×W/3600) = 2.2 exactly: at the cap, not over it.
        ("174.24", "100", "2.20", "2.20", False),
        # 2.204... rounds to 2.20: not capped (the cap applies to the displayed value).
        ("174.9", "100", "2.20", "2.20", False),
        # 2.205... rounds to 2.21: capped.
        ("175.1", "100", "2.21", "2.20", True),
    ],
)
def test_cap_applies_after_rounding(
    height: str, weight: str, rounded: str, used: str, capped: bool
) -> None:
    result = compute_bsa(BsaFormula.MOSTELLER, Decimal(height), Decimal(weight))
    assert (result.rounded_m2, result.used_m2, result.capped) == (
        Decimal(rounded),
        Decimal(used),
        capped,
    )
    assert ("capped" in result.step) is capped

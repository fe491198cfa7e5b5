"""The only place that rounds. Every rounding is Decimal, named, with an explicit mode.

Silent or repeated rounding is a known bug class in dosing software, so the calculator calls
these functions exactly once per figure, at the boundary where the figure is fixed.
"""

from __future__ import annotations

import math
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, ROUND_HALF_UP, Context, Decimal
from fractions import Fraction

# Enough digits that a conversion from an exact Fraction never disturbs a 0.01 or 0.1 rounding.
_EXACT = Context(prec=40)

_HUNDREDTH = Decimal("0.01")
_TENTH = Decimal("0.1")
_ONE = Decimal("1")


def to_decimal(value: Fraction | int | Decimal) -> Decimal:
    """An exact value as a 40-digit Decimal (exact when the Fraction has a finite decimal)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    return _EXACT.divide(Decimal(value.numerator), Decimal(value.denominator))


def round_bsa(bsa_m2: Decimal) -> Decimal:
    """BSA to 0.01 m², half-up (clinical-rules §2 decision)."""
    return bsa_m2.quantize(_HUNDREDTH, rounding=ROUND_HALF_UP)


def round_dose_mg(dose_mg: Decimal) -> Decimal:
    """Dose to 0.1 mg, half-up (clinical-rules §5)."""
    return dose_mg.quantize(_TENTH, rounding=ROUND_HALF_UP)


def round_volume_ml(volume_ml: Decimal) -> Decimal:
    """A volume to draw up, to 0.1 mL, half-up (graduations of the syringes used)."""
    return volume_ml.quantize(_TENTH, rounding=ROUND_HALF_UP)


def round_percent_change(change_pct: Fraction) -> Decimal:
    """A percentage change to 0.1 %, toward zero (journal history checks, issue #6).

    Toward zero, not half-up: a warning threshold on the 0.1 % grid (10 %) is then crossed by the
    displayed figure exactly when it is crossed by the exact one, so 9.96 % never reads as 10 %
    beside a missing warning.
    """
    return to_decimal(change_pct).quantize(_TENTH, rounding=ROUND_DOWN)


def billing_units(dose_mg: Decimal, mg_per_unit: int) -> int:
    """HCPCS units administered: rounded UP to the next whole unit (CMS; clinical-rules §6)."""
    units = (dose_mg / Decimal(mg_per_unit)).quantize(_ONE, rounding=ROUND_CEILING)
    return int(units)


def ceil_div(numerator: Decimal, denominator: int) -> int:
    """How many whole items of size ``denominator`` cover ``numerator`` (never negative)."""
    if numerator <= 0:
        return 0
    return math.ceil(Fraction(numerator) / denominator)


def round_concentration(mg_per_ml: Decimal) -> Decimal:
    """Final concentration to 0.01 mg/mL, half-up (shown with a leading zero: 0.25 mg/mL)."""
    return mg_per_ml.quantize(_HUNDREDTH, rounding=ROUND_HALF_UP)


def round_rate_ml_per_h(rate: Decimal) -> Decimal:
    """Pump rate to 0.1 mL/h, half-up."""
    return rate.quantize(_TENTH, rounding=ROUND_HALF_UP)


def round_percent(pct: Decimal) -> Decimal:
    """A percentage change to 0.1 %, half-up (away from zero for negatives)."""
    return pct.quantize(_TENTH, rounding=ROUND_HALF_UP)


def volume_range_inward(low_ml: Decimal, high_ml: Decimal) -> tuple[Decimal, Decimal]:
    """A volume range to 0.1 mL, rounded inward (low up, high down): every volume in it stays
    within the exact range (the no-bag advice: 0.2–0.6 mg/mL at both ends)."""
    return (
        low_ml.quantize(_TENTH, rounding=ROUND_CEILING),
        high_ml.quantize(_TENTH, rounding=ROUND_FLOOR),
    )


def whole_ml_inward(low_ml: Decimal, high_ml: Decimal) -> tuple[int, int]:
    """A range of whole mL (bag sizes), rounded inward."""
    return (
        int(low_ml.quantize(_ONE, rounding=ROUND_CEILING)),
        int(high_ml.quantize(_ONE, rounding=ROUND_FLOOR)),
    )

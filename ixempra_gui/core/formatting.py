"""Display strings in ISMP style: no trailing zero (88 mg), a leading zero (0.25 mg/mL), a space
before the unit, mL not cc, mcg not µg. Every number the user sees goes through here."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from ixempra_gui.core.rounding import to_decimal

# Thresholds a ratio is compared against (clinical-rules §3); see format_ratio.
_RATIO_THRESHOLDS = (Fraction(1), Fraction(3, 2), Fraction(5, 2), Fraction(3), Fraction(10))


def format_number(
    value: Decimal | int | Fraction, places: int | None = None, grouping: bool = False
) -> str:
    """A number without trailing zeros and with a leading zero: 88, 72.8, 0.25.

    ``grouping`` puts thousands commas in large counts (150,000), as ISMP asks.
    """
    number = to_decimal(value) if not isinstance(value, Decimal) else value
    if places is not None:
        number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{number:,f}" if grouping else f"{number:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text


def format_quantity(value: Decimal | int | Fraction, unit: str, places: int | None = None) -> str:
    """'88 mg', '0.25 mg/mL', '36.4 mL'."""
    return f"{format_number(value, places)} {unit}"


def format_ratio(ratio: Fraction) -> str:
    """A lab as a multiple of ULN, e.g. '1.5×ULN'.

    Two decimals, unless that would print a threshold the exact value is not equal to
    (2.5004 must not read as '2.5×ULN'): then up to six.
    """
    short = format_number(ratio, 2)
    if Fraction(short) in _RATIO_THRESHOLDS and Fraction(short) != ratio:
        short = format_number(ratio, 6)
    return f"{short}×ULN"


def unit_word(count: int) -> str:
    """ "unit" for one, "units" otherwise (a billing line of one discarded unit)."""
    return "unit" if count == 1 else "units"

"""Which accepted unit would explain a lab value lower than usual (the low-value warning).

A number is too small for its unit only when the result was reported in a unit whose numbers
are smaller for the same amount. AST/ALT: a result in µkat/L is a number 60× smaller than in
U/L, so a small U/L number may have been meant as µkat/L; a small µkat/L number is explained by
no accepted unit (U/L numbers are larger). Bilirubin: a result in mg/dL is a number about 17×
smaller than in µmol/L, so a small µmol/L number may have been meant as mg/dL; a small mg/dL
number is explained by no accepted unit. The factors come from the unit registry (core/units.py),
never typed twice.
"""

from __future__ import annotations

from ixempra_gui.core import units
from ixempra_gui.core.formatting import format_number
from ixempra_gui.core.units import Measurement

#: Entered unit → the accepted unit whose numbers are smaller for the same result, spelt as the
#: field's parser reads it and as it is shown.
_SMALLER_NUMBERS = {
    "U/L": ("ukat/l", "µkat/L"),
    "µmol/L": ("mg/dl", "mg/dL"),
}

NO_UNIT_EXPLAINS = (
    "is the decimal point where it should be? (No unit this field accepts would explain it.)"
)


def unit_slip_hint(m: Measurement) -> str:
    """The question to ask about a value below its lowest usual value: "was the result in
    µkat/L? (4 µkat/L = 240 U/L)", or, when no accepted unit would explain it, about the
    decimal point."""
    smaller = _SMALLER_NUMBERS.get(m.entered_symbol)
    spec = next((s for s in units.QUANTITY_FIELDS if s.key == m.field), None)
    if smaller is None or spec is None:
        return NO_UNIT_EXPLAINS
    spelling, shown = smaller
    number = m.quantity.magnitude  # as typed, in the unit it was read in
    meant = units.parse_measurement(spec, f"1 {spelling}").value  # canonical per 1 `shown`
    per_entered = m.value / number if number else None  # canonical per 1 entered unit
    if not per_entered:
        return NO_UNIT_EXPLAINS
    as_entered = number * meant / per_entered
    return (
        f"was the result in {shown}? ({format_number(number)} {shown} = "
        f"{format_number(as_entered, 1, grouping=True)} {m.entered_symbol})"
    )

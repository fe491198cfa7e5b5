"""Checks across fields: a lab below its lowest usual value (typed in another unit?) and a
weight that does not belong with the height (BMI outside 12–60 kg/m²): warnings to
acknowledge, with the site's own lowest usual values.
"""

from __future__ import annotations

import re
from fractions import Fraction

from ixempra_gui.core import units
from ixempra_gui.core.citations import cited
from ixempra_gui.core.formatting import format_number
from ixempra_gui.core.models import FieldIssue, Order, Severity
from ixempra_gui.core.unit_slips import unit_slip_hint
from ixempra_gui.core.units import Measurement
from ixempra_gui.core.validation_fields import error, fmt, is_acknowledged, quoted

_F = Fraction
#: Lowest usual values (site settings; these defaults): below them a lab was probably typed in
#: another unit (AST 3 meant as 3 µkat/L = 180 U/L would hide hepatic impairment).
DEFAULT_LOW_AST_ALT_U_PER_L = Fraction(5)
DEFAULT_LOW_BILIRUBIN_MG_PER_DL = Fraction(1, 10)
SRC_LOW_LABS = "site setting: lowest usual AST/ALT and bilirubin (product decision, spec §1)"
#: Body-mass index outside this range: weight and height probably do not belong together.
BMI_USUAL = (_F(12), _F(60))
SRC_BMI = "product decision: weight checked against height, BMI 12–60 kg/m² (spec §1)"


def site_minimum(
    field: str, label_text: str, text: str | None, default: Fraction, issues: list[FieldIssue]
) -> Fraction:
    """A lowest-usual-value site setting (a plain number in the field's unit)."""
    cleaned = (text or "").strip()
    if not cleaned:
        return default
    if len(cleaned) <= 12 and re.fullmatch(r"[0-9]*\.?[0-9]+", cleaned):
        return Fraction(cleaned)
    issues.append(
        error(
            field,
            "unreadable",
            f"{label_text} (site setting): {quoted(cleaned)} is not accepted. Accepted: a "
            "plain number, e.g. 5.",
        )
    )
    return default


def low_lab_issues(
    order: Order, measured: dict[str, Measurement], issues: list[FieldIssue]
) -> list[FieldIssue]:
    """AST, ALT or bilirubin below the lowest usual value: check the unit (a warning)."""
    low_enzyme = site_minimum(
        "low_ast_alt_u_per_l",
        "Lowest usual AST/ALT",
        order.low_ast_alt_u_per_l,
        DEFAULT_LOW_AST_ALT_U_PER_L,
        issues,
    )
    low_bilirubin = site_minimum(
        "low_bilirubin_mg_per_dl",
        "Lowest usual bilirubin",
        order.low_bilirubin_mg_per_dl,
        DEFAULT_LOW_BILIRUBIN_MG_PER_DL,
        issues,
    )
    found = []
    for key, low, unit in (
        ("ast", low_enzyme, "U/L"),
        ("alt", low_enzyme, "U/L"),
        ("bilirubin", low_bilirubin, "mg/dL"),
    ):
        m = measured.get(key)
        if m is None or m.value >= low:
            continue
        spec = next(s for s in units.QUANTITY_FIELDS if s.key == key)
        shown = m.text if m.in_canonical_unit else f"{m.text} ({fmt(m.value)} {unit})"
        message = (
            f"{spec.label}: {shown} is below {fmt(low)} {unit}, lower than a real result "
            f"usually is: {unit_slip_hint(m)} Check it and "
            f"acknowledge the warning to go on ({cited(SRC_LOW_LABS)})"
        )
        found.append(
            FieldIssue(
                key,
                "below_usual",
                message,
                Severity.WARNING,
                is_acknowledged(order, key, "below_usual"),
            )
        )
    return found


def bmi_issues(
    order: Order, measured: dict[str, Measurement], issues: list[FieldIssue]
) -> list[FieldIssue]:
    """Weight checked against height: a BMI outside 12–60 kg/m² is a warning. Not for a height
    or weight already refused (outside the possible range): its error says enough, and a
    warning would ask to acknowledge a value that cannot be used (the window un-ticks "I have
    checked the values" for it while a digit is being typed)."""
    height, weight = measured.get("height"), measured.get("weight")
    if height is None or weight is None:
        return []
    if any(i.field in ("height", "weight") and i.severity is Severity.STOP for i in issues):
        return []
    bmi = weight.value / (height.value / 100) ** 2
    low, high = BMI_USUAL
    if low <= bmi <= high:
        return []
    message = (
        f"Weight: {weight.text} with height {height.text} gives a body-mass index of "
        f"{format_number(bmi, 1)} kg/m², outside {fmt(low)}–{fmt(high)}: check that both "
        "belong to this patient and are in the right units, then acknowledge the warning to go "
        f"on ({cited(SRC_BMI)})"
    )
    acknowledged = is_acknowledged(order, "weight", "implausible_bmi")
    return [FieldIssue("weight", "implausible_bmi", message, Severity.WARNING, acknowledged)]

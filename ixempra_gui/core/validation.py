"""Turn an Order (text) into exact, plausible inputs, or into field issues that say why not.

Hard ranges are errors; soft ranges are warnings the user must acknowledge (clinical-rules §1).
Every issue names its field and what the field accepts.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from ixempra_gui.core import units
from ixempra_gui.core.errors import FieldError
from ixempra_gui.core.models import (
    BsaFormula,
    FieldIssue,
    Order,
    Regimen,
    Severity,
    ValidInputs,
)
from ixempra_gui.core.units import FieldSpec, Measurement


@dataclass(frozen=True)
class Plausibility:
    """Hard limits (error outside) and soft limits (warning outside), canonical unit, inclusive."""

    hard: tuple[Fraction, Fraction]
    soft: tuple[Fraction, Fraction] | None
    source: str


_F = Fraction
PLAUSIBILITY: dict[str, Plausibility] = {
    "height": Plausibility((_F(50), _F(275)), (_F(135), _F(215)), "spec §1 plausibility"),
    "weight": Plausibility((_F(10), _F(500)), (_F(35), _F(200)), "spec §1 plausibility"),
    # Labs: product decision. The hard limits only catch typing slips; the soft limits on the ULNs
    # catch a value typed into its ULN field (a ULN of 400 U/L would hide hepatic impairment).
    "ast": Plausibility((_F(0), _F(50000)), None, "product decision, spec §1"),
    "alt": Plausibility((_F(0), _F(50000)), None, "product decision, spec §1"),
    "bilirubin": Plausibility((_F(0), _F(100)), None, "product decision, spec §1"),
    "ast_uln": Plausibility((_F(0), _F(1000)), (_F(10), _F(150)), "product decision, spec §1"),
    "alt_uln": Plausibility((_F(0), _F(1000)), (_F(10), _F(150)), "product decision, spec §1"),
    "bilirubin_uln": Plausibility((_F(0), _F(20)), (_F(3, 10), _F(3)), "product decision, spec §1"),
}

_CHOICES = {
    "regimen": (Regimen, "Regimen", "monotherapy or capecitabine"),
    "bsa_formula": (BsaFormula, "BSA formula", "mosteller, dubois, haycock, gehan-george or boyd"),
}


def _fmt(value: Fraction) -> str:
    return f"{float(value):.6g}"


def _range_issues(spec: FieldSpec, m: Measurement, acknowledged: bool) -> list[FieldIssue]:
    rule = PLAUSIBILITY[spec.key]
    low, high = rule.hard
    unit = spec.canonical_symbol
    shown = m.text if m.in_canonical_unit else f"{m.text} ({_fmt(m.value)} {unit})"
    if not (low <= m.value <= high):  # the parser already refused zero and negatives
        bounds = f"at most {_fmt(high)} {unit}" if low == 0 else f"{_fmt(low)}–{_fmt(high)} {unit}"
        message = (
            f"{spec.label}: {shown} is outside the possible range ({bounds}). "
            f"Accepted: {spec.accepted}."
        )
        return [FieldIssue(spec.key, "out_of_range", message, Severity.STOP)]
    if rule.soft is not None:
        soft_low, soft_high = rule.soft
        if not (soft_low <= m.value <= soft_high):
            message = (
                f"{spec.label}: {shown} is outside the usual range "
                f"({_fmt(soft_low)}–{_fmt(soft_high)} {unit}); check it and acknowledge "
                f"the warning to go on ({rule.source})"
            )
            return [FieldIssue(spec.key, "unusual_value", message, Severity.WARNING, acknowledged)]
    return []


def _choice(key: str, text: str | None) -> tuple[object | None, FieldIssue | None]:
    enum, label, accepted = _CHOICES[key]
    cleaned = (text or "").strip().lower().replace("_", "-")
    if key == "bsa_formula":
        cleaned = {"du-bois": "dubois", "gehan": "gehan-george"}.get(cleaned, cleaned)
    for member in enum:
        if member.value == cleaned:
            return member, None
    what = "a choice is required" if not cleaned else f"'{(text or '').strip()}' is not a choice"
    return None, FieldIssue(
        key, "invalid_choice", f"{label}: {what}. Accepted: {accepted}.", Severity.STOP
    )


def validate(order: Order) -> tuple[ValidInputs | None, tuple[FieldIssue, ...]]:
    """Parse and check every field; inputs only when no issue blocks."""
    issues: list[FieldIssue] = []
    measured: dict[str, Measurement] = {}
    defaults = dict(order.default_units)
    for spec in units.QUANTITY_FIELDS:
        try:
            m = units.parse_measurement(spec, getattr(order, spec.key), defaults.get(spec.key))
        except FieldError as err:
            issues.append(FieldIssue(err.field, err.code, err.message, Severity.STOP))
            continue
        measured[spec.key] = m
        issues.extend(_range_issues(spec, m, order.acknowledge_warnings))
    regimen, issue = _choice("regimen", order.regimen)
    if issue:
        issues.append(issue)
    formula, issue = _choice("bsa_formula", order.bsa_formula)
    if issue:
        issues.append(issue)
    if any(i.blocks for i in issues):
        return None, tuple(issues)
    assert isinstance(regimen, Regimen) and isinstance(formula, BsaFormula)
    return (
        ValidInputs(
            regimen=regimen,
            bsa_formula=formula,
            strong_cyp3a4_inhibitor=bool(order.strong_cyp3a4_inhibitor),
            gilbert_syndrome=bool(order.gilbert_syndrome),
            **measured,
        ),
        tuple(issues),
    )

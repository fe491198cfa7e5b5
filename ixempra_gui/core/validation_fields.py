"""The checks every field of an Order shares: measurements against their possible and usual
ranges (clinical-rules §1: outside the possible range is an error, outside the usual range a
warning to acknowledge), choices, whole numbers and free text, each refused with a message
that names the field and says what it accepts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from ixempra_gui.core import units
from ixempra_gui.core.characters import control_character, non_ascii_digit
from ixempra_gui.core.citations import cited
from ixempra_gui.core.errors import FieldError
from ixempra_gui.core.models import (
    BsaFormula,
    Diluent,
    FieldIssue,
    Order,
    ReductionMode,
    Regimen,
    Severity,
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
    "anc": Plausibility((_F(0), _F(100000)), None, "product decision, spec §1"),
    "platelets": Plausibility((_F(0), _F(2000000)), None, "product decision, spec §1"),
    "dose_level": Plausibility((_F(1), _F(60)), None, "spec §3 (at most 60 mg/m², inducer)"),
    "hepatic_escalation_level": Plausibility((_F(20), _F(30)), None, "label; spec §3"),
}

MAX_FREE_TEXT = 500

_CHOICES = {
    "regimen": (Regimen, "Regimen", "monotherapy or capecitabine"),
    "bsa_formula": (BsaFormula, "BSA formula", "mosteller, dubois, haycock, gehan-george or boyd"),
    "reduction_mode": (ReductionMode, "Reduction mode", "relative or absolute"),
    "diluent": (Diluent, "Infusion fluid", "lactated-ringers or sodium-chloride"),
}
_ALIASES = {
    "bsa_formula": {"du-bois": "dubois", "gehan": "gehan-george"},
    "diluent": {
        "lr": "lactated-ringers",
        "lactated-ringer's": "lactated-ringers",
        "nacl": "sodium-chloride",
        "ns": "sodium-chloride",
        "0.9%-nacl": "sodium-chloride",
    },
}


def fmt(value: Fraction) -> str:
    return f"{float(value):.6g}"


def is_acknowledged(order: Order, field: str, code: str) -> bool:
    """Whether the warning ``field.code`` was accepted: all listed, or this one by its code."""
    return bool(order.acknowledge_warnings) or f"{field}.{code}" in order.acknowledged


def range_issues(spec: FieldSpec, m: Measurement, order: Order) -> list[FieldIssue]:
    rule = PLAUSIBILITY[spec.key]
    low, high = rule.hard
    unit = spec.canonical_symbol
    shown = m.text if m.in_canonical_unit else f"{m.text} ({fmt(m.value)} {unit})"
    if not (low <= m.value <= high):  # the parser already refused zero and negatives
        bounds = f"at most {fmt(high)} {unit}" if low == 0 else f"{fmt(low)}–{fmt(high)} {unit}"
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
                f"({fmt(soft_low)}–{fmt(soft_high)} {unit}); check it and acknowledge "
                f"the warning to go on ({cited(rule.source)})"
            )
            acknowledged = is_acknowledged(order, spec.key, "unusual_value")
            return [FieldIssue(spec.key, "unusual_value", message, Severity.WARNING, acknowledged)]
    return []


def choice(key: str, text: str | None) -> tuple[object | None, FieldIssue | None]:
    enum, label, accepted = _CHOICES[key]
    cleaned = re.sub(r"[\s_]+", "-", (text or "").strip().lower())
    cleaned = _ALIASES.get(key, {}).get(cleaned, cleaned)
    for member in enum:
        if member.value == cleaned:
            return member, None
    what = "a choice is required" if not cleaned else f"'{(text or '').strip()}' is not a choice"
    return None, FieldIssue(
        key, "invalid_choice", f"{label}: {what}. Accepted: {accepted}.", Severity.STOP
    )


def error(field: str, code: str, message: str) -> FieldIssue:
    return FieldIssue(field, code, message, Severity.STOP)


def optional_measurement(
    spec: FieldSpec, text: str | None, issues: list[FieldIssue], order: Order
) -> Measurement | None:
    if text is None or not str(text).strip():
        return None
    try:
        m = units.parse_measurement(spec, text)
    except FieldError as err:
        issues.append(error(err.field, err.code, err.message))
        return None
    found = range_issues(spec, m, order)
    issues.extend(found)
    return None if any(i.blocks for i in found) else m


def required_count(
    spec: FieldSpec, limit: str, text: str | None, issues: list[FieldIssue], order: Order
) -> Measurement | None:
    """ANC and platelets: required before every cycle, the first included (spec §4)."""
    if text is None or not str(text).strip():
        issues.append(
            error(
                spec.key,
                "required",
                f"{spec.label}: required before every cycle, the first included (IXEMPRA PI, "
                f"Contraindications: baseline {limit}; {cited('spec §4')}). "
                f"Accepted: {spec.accepted}.",
            )
        )
        return None
    return optional_measurement(spec, text, issues, order)


def integer(
    field: str, label_text: str, text: str | int | None, low: int, high: int, default: int | None
) -> tuple[int | None, FieldIssue | None]:
    if text is None or not str(text).strip():
        return default, None
    cleaned = str(text).strip()
    accepted = f"Accepted: a whole number from {low} to {high}."
    if (digit := non_ascii_digit(cleaned)) is not None:
        return None, error(
            field, "non_ascii_digit", f"{label_text}: {digit}; type the digits 0–9. {accepted}"
        )
    # The length first: int() of a 5,000-digit string raises in CPython 3.11 (and is slow).
    if len(cleaned) > len(str(high)) or not re.fullmatch(r"[0-9]+", cleaned):
        return None, error(
            field,
            "out_of_range",
            f"{label_text}: {quoted(cleaned)} is not accepted. {accepted}",
        )
    if not low <= int(cleaned) <= high:
        return None, error(
            field, "out_of_range", f"{label_text}: '{cleaned}' is not accepted. {accepted}"
        )
    return int(cleaned), None


def quoted(text: str) -> str:
    """User text quoted in a message, shortened when long."""
    return repr(text if len(text) <= 40 else text[:40] + "…")


def free_text(
    field: str, label_text: str, text: str | None, issues: list[FieldIssue]
) -> str | None:
    """Free text as typed (trimmed), or None; refused when too long or with control characters."""
    cleaned = (text or "").strip()
    if not cleaned:
        return None
    if len(cleaned) > MAX_FREE_TEXT:
        issues.append(
            error(field, "too_long", f"{label_text}: at most {MAX_FREE_TEXT} characters.")
        )
        return None
    if (bad := control_character(cleaned)) is not None:
        issues.append(
            error(
                field,
                "control_character",
                f"{label_text}: contains the invisible or control character {bad}; type it "
                "again as plain text on one line.",
            )
        )
        return None
    return cleaned

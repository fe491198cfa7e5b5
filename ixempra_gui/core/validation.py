"""Turn an Order (text) into exact, plausible inputs, or into field issues that say why not.

Hard ranges are errors; soft ranges are warnings the user must acknowledge (clinical-rules §1).
Every issue names its field and what the field accepts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from ixempra_gui.core import label, units
from ixempra_gui.core.errors import FieldError
from ixempra_gui.core.models import (
    BsaFormula,
    CycleInputs,
    Diluent,
    FieldIssue,
    Order,
    PreparationInputs,
    ReductionMode,
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
    "anc": Plausibility((_F(0), _F(100000)), None, "product decision, spec §1"),
    "platelets": Plausibility((_F(0), _F(2000000)), None, "product decision, spec §1"),
    "dose_level": Plausibility((_F(1), _F(60)), None, "spec §3 (at most 60 mg/m², inducer)"),
    "hepatic_escalation_level": Plausibility((_F(20), _F(30)), None, "label; spec §3"),
}

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
    cleaned = re.sub(r"[\s_]+", "-", (text or "").strip().lower())
    cleaned = _ALIASES.get(key, {}).get(cleaned, cleaned)
    for member in enum:
        if member.value == cleaned:
            return member, None
    what = "a choice is required" if not cleaned else f"'{(text or '').strip()}' is not a choice"
    return None, FieldIssue(
        key, "invalid_choice", f"{label}: {what}. Accepted: {accepted}.", Severity.STOP
    )


def _error(field: str, code: str, message: str) -> FieldIssue:
    return FieldIssue(field, code, message, Severity.STOP)


def _optional_measurement(
    spec: FieldSpec, text: str | None, issues: list[FieldIssue], acknowledged: bool
) -> Measurement | None:
    if text is None or not str(text).strip():
        return None
    try:
        m = units.parse_measurement(spec, text)
    except FieldError as err:
        issues.append(_error(err.field, err.code, err.message))
        return None
    found = _range_issues(spec, m, acknowledged)
    issues.extend(found)
    return None if found else m


def _integer(
    field: str, label_text: str, text: str | int | None, low: int, high: int, default: int | None
) -> tuple[int | None, FieldIssue | None]:
    if text is None or not str(text).strip():
        return default, None
    cleaned = str(text).strip()
    if not re.fullmatch(r"[0-9]+", cleaned) or not low <= int(cleaned) <= high:
        return None, _error(
            field,
            "out_of_range",
            f"{label_text}: '{cleaned}' is not accepted. Accepted: a whole number "
            f"from {low} to {high}.",
        )
    return int(cleaned), None


def _cycle_inputs(order: Order, issues: list[FieldIssue]) -> CycleInputs:
    ack = order.acknowledge_warnings
    grade, issue = _integer(
        "nonheme_toxicity_grade",
        "Worst non-hematologic toxicity grade",
        order.nonheme_toxicity_grade,
        0,
        4,
        None,
    )
    issues.extend([issue] if issue else [])
    reductions, issue = _integer(
        "toxicity_reductions",
        "Prior toxicity reductions",
        order.toxicity_reductions,
        0,
        label.MAX_TOXICITY_REDUCTIONS,
        0,
    )
    issues.extend([issue] if issue else [])
    mode, issue = _choice("reduction_mode", order.reduction_mode or ReductionMode.RELATIVE.value)
    issues.extend([issue] if issue else [])
    reason = (order.reduction_reason or "").strip() or None
    if reductions and not reason:
        issues.append(
            _error(
                "reduction_reason",
                "required",
                "Reduction reason: required when prior toxicity reductions are "
                "entered (e.g. 'grade 3 neuropathy, cycle 2'); it is recorded.",
            )
        )
    if reason and len(reason) > 500:
        issues.append(
            _error("reduction_reason", "too_long", "Reduction reason: at most 500 characters.")
        )
    pct = _percent(order.round_to_vial_within, issues)
    return CycleInputs(
        anc=_optional_measurement(units.ANC, order.anc, issues, ack),
        platelets=_optional_measurement(units.PLATELETS, order.platelets, issues, ack),
        nonheme_toxicity_grade=grade,
        toxicity_reductions=reductions or 0,
        reduction_mode=mode if isinstance(mode, ReductionMode) else ReductionMode.RELATIVE,
        reduction_reason=reason,
        hepatic_escalation_level=_optional_measurement(
            units.ESCALATION_LEVEL, order.hepatic_escalation_level, issues, ack
        ),
        strong_cyp3a4_inducer=bool(order.strong_cyp3a4_inducer),
        dose_level=_optional_measurement(units.DOSE_LEVEL, order.dose_level, issues, ack),
        round_to_vial_within_pct=pct,
    )


def _percent(text: str | float | None, issues: list[FieldIssue]) -> Decimal | None:
    if text is None or not str(text).strip():
        return None
    cleaned = str(text).strip().rstrip("%").strip()
    try:
        pct = Decimal(cleaned) if re.fullmatch(r"[0-9]*\.?[0-9]+", cleaned) else None
    except InvalidOperation:
        pct = None
    if pct is None or pct > label.MAX_ROUNDING_PCT:
        issues.append(
            _error(
                "round_to_vial_within",
                "out_of_range",
                f"Round to vial within: '{text}' is not accepted. Accepted: a "
                f"percentage from 0 (off) to {label.MAX_ROUNDING_PCT} (HOPA: "
                "within 10 % is acceptable).",
            )
        )
        return None
    return pct if pct > 0 else None


def _preparation_inputs(order: Order, issues: list[FieldIssue]) -> PreparationInputs:
    diluent, issue = _choice("diluent", order.diluent or Diluent.LACTATED_RINGERS.value)
    issues.extend([issue] if issue else [])
    diluent = diluent if isinstance(diluent, Diluent) else Diluent.LACTATED_RINGERS
    bags = PreparationInputs().bag_sizes_ml
    if order.bag_sizes is not None and str(order.bag_sizes).strip():
        parts = [
            p.strip().lower().removesuffix("ml").strip() for p in str(order.bag_sizes).split(",")
        ]
        if all(re.fullmatch(r"[0-9]{2,4}", p) and 25 <= int(p) <= 1000 for p in parts):
            bags = tuple(dict.fromkeys(int(p) for p in parts))
        else:
            issues.append(
                _error(
                    "bag_sizes",
                    "unreadable",
                    f"Bag sizes: '{order.bag_sizes}' is not accepted. Accepted: "
                    "the stocked bag volumes in mL, in order of preference, "
                    "separated by commas (250,100,500), each 25–1000 mL.",
                )
            )
    if diluent is Diluent.SODIUM_CHLORIDE and not set(bags) & set(label.SODIUM_CHLORIDE_BAGS_ML):
        issues.append(
            _error(
                "bag_sizes",
                "not_offered",
                f"Bag sizes: {', '.join(f'{b} mL' for b in bags)} cannot be used "
                "with sodium chloride: it must be pH-adjusted with 2 mEq sodium "
                "bicarbonate per 250 or 500 mL bag, so only 250 and 500 mL bags are "
                "offered. Accepted: 250 or 500, or Lactated Ringer's.",
            )
        )
    prepared_at = None
    if order.prepared_at is not None and str(order.prepared_at).strip():
        try:
            prepared_at = datetime.fromisoformat(str(order.prepared_at).strip())
        except ValueError:
            issues.append(
                _error(
                    "prepared_at",
                    "unreadable",
                    f"Prepared at: '{order.prepared_at}' is not accepted. Accepted: "
                    "an ISO 8601 date and time (2026-11-27T09:30 or "
                    "2026-11-27T09:30+01:00).",
                )
            )
    return PreparationInputs(diluent, bags, bool(order.prior_hypersensitivity), prepared_at)


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
    cycle = _cycle_inputs(order, issues)
    preparation = _preparation_inputs(order, issues)
    if any(i.blocks for i in issues):
        return None, tuple(issues)
    assert isinstance(regimen, Regimen) and isinstance(formula, BsaFormula)
    return (
        ValidInputs(
            regimen=regimen,
            bsa_formula=formula,
            strong_cyp3a4_inhibitor=bool(order.strong_cyp3a4_inhibitor),
            gilbert_syndrome=bool(order.gilbert_syndrome),
            cycle=cycle,
            preparation=preparation,
            **measured,
        ),
        tuple(issues),
    )

"""Turn an Order (text) into exact, plausible inputs, or into field issues that say why not.

Hard ranges are errors; soft ranges are warnings the user must acknowledge (clinical-rules §1).
Every issue names its field and what the field accepts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from ixempra_gui.core import clock, label, toxicity, units
from ixempra_gui.core.characters import control_character, non_ascii_digit
from ixempra_gui.core.errors import FieldError
from ixempra_gui.core.formatting import format_number
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

#: Lowest usual values (site settings; these defaults): below them a lab was probably typed in
#: another unit (AST 3 meant as 3 µkat/L = 180 U/L would hide hepatic impairment).
DEFAULT_LOW_AST_ALT_U_PER_L = Fraction(5)
DEFAULT_LOW_BILIRUBIN_MG_PER_DL = Fraction(1, 10)
SRC_LOW_LABS = "site setting: lowest usual AST/ALT and bilirubin (product decision, spec §1)"
#: Body-mass index outside this range: weight and height probably do not belong together.
BMI_USUAL = (_F(12), _F(60))
SRC_BMI = "product decision: weight checked against height, BMI 12–60 kg/m² (spec §1)"
#: Preparation time: refused outside this range; a note beyond this distance from now.
EARLIEST_PREPARATION = datetime(2000, 1, 1)
LATEST_PREPARATION_AHEAD = timedelta(days=366)
PREPARATION_NOTE_AFTER = timedelta(days=2)
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


def _fmt(value: Fraction) -> str:
    return f"{float(value):.6g}"


def _acknowledged(order: Order, field: str, code: str) -> bool:
    """Whether the warning ``field.code`` was accepted: all listed, or this one by its code."""
    return bool(order.acknowledge_warnings) or f"{field}.{code}" in order.acknowledged


def _range_issues(spec: FieldSpec, m: Measurement, order: Order) -> list[FieldIssue]:
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
            acknowledged = _acknowledged(order, spec.key, "unusual_value")
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
    spec: FieldSpec, text: str | None, issues: list[FieldIssue], order: Order
) -> Measurement | None:
    if text is None or not str(text).strip():
        return None
    try:
        m = units.parse_measurement(spec, text)
    except FieldError as err:
        issues.append(_error(err.field, err.code, err.message))
        return None
    found = _range_issues(spec, m, order)
    issues.extend(found)
    return None if any(i.blocks for i in found) else m


def _required_count(
    spec: FieldSpec, limit: str, text: str | None, issues: list[FieldIssue], order: Order
) -> Measurement | None:
    """ANC and platelets: required before every cycle, the first included (spec §4)."""
    if text is None or not str(text).strip():
        issues.append(
            _error(
                spec.key,
                "required",
                f"{spec.label}: required before every cycle, the first included (IXEMPRA PI, "
                f"Contraindications: baseline {limit}; spec §4). Accepted: {spec.accepted}.",
            )
        )
        return None
    return _optional_measurement(spec, text, issues, order)


def _integer(
    field: str, label_text: str, text: str | int | None, low: int, high: int, default: int | None
) -> tuple[int | None, FieldIssue | None]:
    if text is None or not str(text).strip():
        return default, None
    cleaned = str(text).strip()
    accepted = f"Accepted: a whole number from {low} to {high}."
    if (digit := non_ascii_digit(cleaned)) is not None:
        return None, _error(
            field, "non_ascii_digit", f"{label_text}: {digit}; type the digits 0–9. {accepted}"
        )
    # The length first: int() of a 5,000-digit string raises in CPython 3.11 (and is slow).
    if len(cleaned) > len(str(high)) or not re.fullmatch(r"[0-9]+", cleaned):
        return None, _error(
            field,
            "out_of_range",
            f"{label_text}: {_shown(cleaned)} is not accepted. {accepted}",
        )
    if not low <= int(cleaned) <= high:
        return None, _error(
            field, "out_of_range", f"{label_text}: '{cleaned}' is not accepted. {accepted}"
        )
    return int(cleaned), None


def _shown(text: str) -> str:
    """User text quoted in a message, shortened when long."""
    return repr(text if len(text) <= 40 else text[:40] + "…")


def _cycle_inputs(order: Order, issues: list[FieldIssue]) -> CycleInputs:
    grade, issue = _integer(
        "current_nonheme_toxicity_grade",
        "Current non-hematologic toxicity grade",
        order.current_nonheme_toxicity_grade,
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
    reason = _free_text("reduction_reason", "Reduction reason", order.reduction_reason, issues)
    if reductions and not reason:
        issues.append(
            _error(
                "reduction_reason",
                "required",
                "Reduction reason: required when prior toxicity reductions are "
                "entered (e.g. 'grade 3 neuropathy, cycle 2'); it is recorded.",
            )
        )
    pct = _percent(order.round_to_vial_within, issues)
    return CycleInputs(
        anc=_required_count(units.ANC, "ANC < 1,500 cells/mm³", order.anc, issues, order),
        platelets=_required_count(
            units.PLATELETS, "platelets < 100,000 cells/mm³", order.platelets, issues, order
        ),
        current_nonheme_toxicity_grade=grade,
        worst_events=_worst_events(order.worst_events, issues),
        confirm_reduction=bool(order.confirm_reduction),
        toxicity_reductions=reductions or 0,
        reduction_mode=mode if isinstance(mode, ReductionMode) else ReductionMode.RELATIVE,
        reduction_reason=reason,
        hepatic_escalation_level=_optional_measurement(
            units.ESCALATION_LEVEL, order.hepatic_escalation_level, issues, order
        ),
        strong_cyp3a4_inducer=bool(order.strong_cyp3a4_inducer),
        dose_level=_optional_measurement(units.DOSE_LEVEL, order.dose_level, issues, order),
        round_to_vial_within_pct=pct,
    )


def _free_text(
    field: str, label_text: str, text: str | None, issues: list[FieldIssue]
) -> str | None:
    """Free text as typed (trimmed), or None; refused when too long or with control characters."""
    cleaned = (text or "").strip()
    if not cleaned:
        return None
    if len(cleaned) > MAX_FREE_TEXT:
        issues.append(
            _error(field, "too_long", f"{label_text}: at most {MAX_FREE_TEXT} characters.")
        )
        return None
    if (bad := control_character(cleaned)) is not None:
        issues.append(
            _error(
                field,
                "control_character",
                f"{label_text}: contains the invisible or control character {bad}; type it "
                "again as plain text on one line.",
            )
        )
        return None
    return cleaned


def _worst_events(given: object, issues: list[FieldIssue]) -> tuple[str, ...]:
    """Table 1 row codes (a list, or one comma-separated text), each known, no duplicates."""
    if given is None:
        return ()
    parts = given.split(",") if isinstance(given, str) else list(given)  # type: ignore[call-overload]
    codes: list[str] = []
    for part in parts:
        code = re.sub(r"[\s_]+", "-", str(part).strip().lower())
        if not code:
            continue
        if code not in toxicity.ROWS:
            issues.append(
                _error(
                    "worst_events",
                    "invalid_choice",
                    f"Worst event since the last cycle: {_shown(str(part).strip())} is not a "
                    f"row of label Table 1. Accepted: {toxicity.accepted_codes()}.",
                )
            )
            continue
        if code not in codes:
            codes.append(code)
    return tuple(codes)


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
                f"Round to vial within: {_shown(str(text))} is not accepted. Accepted: a "
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
                    f"Bag sizes: {_shown(str(order.bag_sizes))} is not accepted. Accepted: "
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
    prepared_at = _preparation_time(order.prepared_at, issues)
    return PreparationInputs(diluent, bags, bool(order.prior_hypersensitivity), prepared_at)


def _preparation_time(text: object, issues: list[FieldIssue]) -> datetime | None:
    """ISO 8601, from 2000-01-01 to a year from now (a use-by time must be computable)."""
    cleaned = str(text).strip() if text is not None else ""
    if not cleaned:
        return None
    accepted = (
        "Accepted: an ISO 8601 date and time from 2000-01-01 to a year from now "
        "(2026-11-27T09:30 or 2026-11-27T09:30+01:00)."
    )
    value = None
    if len(cleaned) <= 40 and non_ascii_digit(cleaned) is None:
        try:
            value = datetime.fromisoformat(cleaned)
        except ValueError:
            value = None
    if value is None:
        issues.append(
            _error(
                "prepared_at",
                "unreadable",
                f"Prepared at: {_shown(cleaned)} is not accepted. {accepted}",
            )
        )
        return None
    now = clock.comparable_now(value)
    earliest = EARLIEST_PREPARATION.replace(tzinfo=now.tzinfo)
    try:
        outside = not earliest <= value <= now + LATEST_PREPARATION_AHEAD
    except OverflowError:
        outside = True
    if outside:
        issues.append(
            _error(
                "prepared_at",
                "out_of_range",
                f"Prepared at: {value.isoformat(timespec='minutes')} is outside the accepted "
                f"range. {accepted}",
            )
        )
        return None
    return value


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
        issues.extend(_range_issues(spec, m, order))
    issues.extend(_low_lab_issues(order, measured, issues))
    issues.extend(_bmi_issues(order, measured))
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
            cremophor_hypersensitivity=bool(order.cremophor_hypersensitivity),
            cycle=cycle,
            preparation=preparation,
            **measured,
        ),
        tuple(issues),
    )


def _site_minimum(
    field: str, label_text: str, text: str | None, default: Fraction, issues: list[FieldIssue]
) -> Fraction:
    """A lowest-usual-value site setting (a plain number in the field's unit)."""
    cleaned = (text or "").strip()
    if not cleaned:
        return default
    if len(cleaned) <= 12 and re.fullmatch(r"[0-9]*\.?[0-9]+", cleaned):
        return Fraction(cleaned)
    issues.append(
        _error(
            field,
            "unreadable",
            f"{label_text} (site setting): {_shown(cleaned)} is not accepted. Accepted: a "
            "plain number, e.g. 5.",
        )
    )
    return default


def _low_lab_issues(
    order: Order, measured: dict[str, Measurement], issues: list[FieldIssue]
) -> list[FieldIssue]:
    """AST, ALT or bilirubin below the lowest usual value: check the unit (a warning)."""
    low_enzyme = _site_minimum(
        "low_ast_alt_u_per_l",
        "Lowest usual AST/ALT",
        order.low_ast_alt_u_per_l,
        DEFAULT_LOW_AST_ALT_U_PER_L,
        issues,
    )
    low_bilirubin = _site_minimum(
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
        shown = m.text if m.in_canonical_unit else f"{m.text} ({_fmt(m.value)} {unit})"
        message = (
            f"{spec.label}: {shown} is below {_fmt(low)} {unit}, lower than a real result "
            f"usually is: was it typed in another unit (µkat/L, µmol/L)? Check it and "
            f"acknowledge the warning to go on ({SRC_LOW_LABS})"
        )
        found.append(
            FieldIssue(
                key,
                "below_usual",
                message,
                Severity.WARNING,
                _acknowledged(order, key, "below_usual"),
            )
        )
    return found


def _bmi_issues(order: Order, measured: dict[str, Measurement]) -> list[FieldIssue]:
    """Weight checked against height: a BMI outside 12–60 kg/m² is a warning."""
    height, weight = measured.get("height"), measured.get("weight")
    if height is None or weight is None:
        return []
    bmi = weight.value / (height.value / 100) ** 2
    low, high = BMI_USUAL
    if low <= bmi <= high:
        return []
    message = (
        f"Weight: {weight.text} with height {height.text} gives a body-mass index of "
        f"{format_number(bmi, 1)} kg/m², outside {_fmt(low)}–{_fmt(high)}: check that both "
        "belong to this patient and are in the right units, then acknowledge the warning to go "
        f"on ({SRC_BMI})"
    )
    acknowledged = _acknowledged(order, "weight", "implausible_bmi")
    return [FieldIssue("weight", "implausible_bmi", message, Severity.WARNING, acknowledged)]

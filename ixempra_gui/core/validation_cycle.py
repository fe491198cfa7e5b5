"""The start of the cycle and the dose level's inputs (clinical-rules §3–4): ANC and platelets
(required before every cycle), the current toxicity grade, the worst events since the last
cycle (label Table 1 rows), prior reductions and their reason, escalation, a prescribed level,
rounding to a vial.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from ixempra_gui.core import label, toxicity, units
from ixempra_gui.core.models import CycleInputs, FieldIssue, Order, ReductionMode
from ixempra_gui.core.validation_fields import (
    choice,
    error,
    free_text,
    integer,
    optional_measurement,
    quoted,
    required_count,
)


def cycle_inputs(order: Order, issues: list[FieldIssue]) -> CycleInputs:
    grade, issue = integer(
        "current_nonheme_toxicity_grade",
        "Current non-hematologic toxicity grade",
        order.current_nonheme_toxicity_grade,
        0,
        4,
        None,
    )
    issues.extend([issue] if issue else [])
    reductions, issue = integer(
        "toxicity_reductions",
        "Prior toxicity reductions",
        order.toxicity_reductions,
        0,
        label.MAX_TOXICITY_REDUCTIONS,
        0,
    )
    issues.extend([issue] if issue else [])
    mode, issue = choice("reduction_mode", order.reduction_mode or ReductionMode.RELATIVE.value)
    issues.extend([issue] if issue else [])
    reason = free_text("reduction_reason", "Reduction reason", order.reduction_reason, issues)
    if reductions and not reason:
        issues.append(
            error(
                "reduction_reason",
                "required",
                "Reduction reason: required when prior toxicity reductions are "
                "entered (e.g. 'grade 3 neuropathy, cycle 2'); it is recorded.",
            )
        )
    pct = percent(order.round_to_vial_within, issues)
    return CycleInputs(
        anc=required_count(units.ANC, "ANC < 1,500 cells/mm³", order.anc, issues, order),
        platelets=required_count(
            units.PLATELETS, "platelets < 100,000 cells/mm³", order.platelets, issues, order
        ),
        current_nonheme_toxicity_grade=grade,
        worst_events=worst_events(order.worst_events, issues),
        confirm_reduction=bool(order.confirm_reduction),
        toxicity_reductions=reductions or 0,
        reduction_mode=mode if isinstance(mode, ReductionMode) else ReductionMode.RELATIVE,
        reduction_reason=reason,
        hepatic_escalation_level=optional_measurement(
            units.ESCALATION_LEVEL, order.hepatic_escalation_level, issues, order
        ),
        strong_cyp3a4_inducer=bool(order.strong_cyp3a4_inducer),
        dose_level=optional_measurement(units.DOSE_LEVEL, order.dose_level, issues, order),
        round_to_vial_within_pct=pct,
    )


def worst_events(given: object, issues: list[FieldIssue]) -> tuple[str, ...]:
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
                error(
                    "worst_events",
                    "invalid_choice",
                    f"Worst event since the last cycle: {quoted(str(part).strip())} is not a "
                    f"row of label Table 1. Accepted: {toxicity.accepted_codes()}.",
                )
            )
            continue
        if code not in codes:
            codes.append(code)
    return tuple(codes)


def percent(text: str | float | None, issues: list[FieldIssue]) -> Decimal | None:
    if text is None or not str(text).strip():
        return None
    cleaned = str(text).strip().rstrip("%").strip()
    try:
        pct = Decimal(cleaned) if re.fullmatch(r"[0-9]*\.?[0-9]+", cleaned) else None
    except InvalidOperation:
        pct = None
    if pct is None or pct > label.MAX_ROUNDING_PCT:
        issues.append(
            error(
                "round_to_vial_within",
                "out_of_range",
                f"Round to vial within: {quoted(str(text))} is not accepted. Accepted: a "
                f"percentage from 0 (off) to {label.MAX_ROUNDING_PCT} (HOPA: "
                "within 10 % is acceptable).",
            )
        )
        return None
    return pct if pct > 0 else None

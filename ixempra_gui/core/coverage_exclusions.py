"""The policy's exclusions (clinical-rules §7): the disease setting, a dose level or a dose per
m² above the single-dose limit, the capecitabine hepatic contraindication, progression on
Ixempra. The dose-based ones are read from the DoseResult, never recomputed.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction

from ixempra_gui.core.coverage_initial import yes
from ixempra_gui.core.coverage_input import CoverageRequest
from ixempra_gui.core.coverage_result import (
    CAPECITABINE_CONTRAINDICATED_RULE,
    REGIMEN_WORDS,
    Check,
    CheckKind,
    Finding,
    Outcome,
)
from ixempra_gui.core.coverage_rules import Exclusion, RequestType, Response
from ixempra_gui.core.formatting import format_quantity
from ixempra_gui.core.models import DoseResult, Regimen, Severity
from ixempra_gui.core.policy import Policy

_ExclusionCheck = Callable[
    [Exclusion, CoverageRequest, DoseResult | None, Policy], tuple[Outcome, str, str]
]


def _excl_setting(
    ex: Exclusion, req: CoverageRequest, dose: DoseResult | None, policy: Policy
) -> tuple[Outcome, str, str]:
    if req.setting is None:
        return Outcome.NOT_ASSESSED, "disease setting: not given", ""
    answer = f"disease setting: {req.setting.value}"
    if req.setting in ex.settings:
        return Outcome.APPLIES, answer, f"Disease setting '{req.setting.value}'"
    return Outcome.DOES_NOT_APPLY, answer, ""


def _level_of(dose: DoseResult) -> Decimal | None:
    """The level the dose rules set: the result's, or (no dose, e.g. on hold) the applied rule's."""
    if dose.dose_level_mg_per_m2 is not None:
        return dose.dose_level_mg_per_m2
    applied = [
        r.level_mg_per_m2 for r in dose.level_rules if r.applies and r.level_mg_per_m2 is not None
    ]
    return min(applied) if applied else None


def _excl_dose_level(
    ex: Exclusion, req: CoverageRequest, dose: DoseResult | None, policy: Policy
) -> tuple[Outcome, str, str]:
    """The level, and the dose actually given per m² (a dose rounded up to a vial boundary can
    exceed the limit at a 40 mg/m² level), both read from the dose result."""
    limit = policy.max_level_mg_per_m2
    level = _level_of(dose) if dose else None
    bsa = dose.bsa.used_m2 if dose and dose.bsa else None
    dose_mg = dose.dose_mg if dose else None
    per_m2 = Fraction(dose_mg) / Fraction(bsa) if dose_mg is not None and bsa else None
    if level is None and per_m2 is None:
        status = dose.status.value if dose else "no dose result"
        return Outcome.NOT_ASSESSED, f"no dose level (dose status: {status})", ""
    shown = []
    if level is not None:
        shown.append(f"dose level {format_quantity(level, 'mg/m²')}")
    if per_m2 is not None and bsa is not None and dose_mg is not None and per_m2 != level:
        shown.append(
            f"dose {format_quantity(dose_mg, 'mg')} on {format_quantity(bsa, 'm²')} = "
            f"{format_quantity(per_m2, 'mg/m²', 2)}"
        )
    answer = "; ".join(shown) + f" (limit {format_quantity(limit, 'mg/m²')})"
    if level is not None and level > limit:
        return (
            Outcome.APPLIES,
            answer,
            f"The dose level {format_quantity(level, 'mg/m²')} is above the policy's single-dose "
            f"limit of {format_quantity(limit, 'mg/m²')}",
        )
    if per_m2 is not None and per_m2 > limit and dose is not None:
        rounding = dose.dose_rounding
        how = " (rounded to a vial boundary)" if rounding is not None and rounding.applied else ""
        return (
            Outcome.APPLIES,
            answer,
            f"The dose given is {format_quantity(per_m2, 'mg/m²', 2)}{how}: above the policy's "
            f"single-dose limit of {format_quantity(limit, 'mg/m²')}",
        )
    return Outcome.DOES_NOT_APPLY, answer, ""


def _excl_capecitabine_hepatic(
    ex: Exclusion, req: CoverageRequest, dose: DoseResult | None, policy: Policy
) -> tuple[Outcome, str, str]:
    if dose is None or dose.inputs is None:
        return Outcome.NOT_ASSESSED, "regimen and liver tests not known", ""
    if dose.inputs.regimen is not Regimen.CAPECITABINE:
        return Outcome.DOES_NOT_APPLY, f"regimen: {REGIMEN_WORDS[dose.inputs.regimen]}", ""
    said = [
        r.description
        for r in dose.level_rules
        if r.code == CAPECITABINE_CONTRAINDICATED_RULE and r.applies
    ] + [
        r.message
        for r in dose.reasons
        if r.code == CAPECITABINE_CONTRAINDICATED_RULE and r.severity is Severity.STOP
    ]
    if said:
        return Outcome.APPLIES, said[0], f"From the dose calculation: {said[0]}"
    hepatic = next(
        (r.description for r in dose.level_rules if r.code.startswith("hepatic_capecitabine")),
        "liver tests within the capecitabine limits",
    )
    return Outcome.DOES_NOT_APPLY, hepatic, ""


def _excl_progression(
    ex: Exclusion, req: CoverageRequest, dose: DoseResult | None, policy: Policy
) -> tuple[Outcome, str, str]:
    # A renewal means the member is on Ixempra: progression reported there is progression on it.
    renewal_response = req.response if req.request is RequestType.RENEWAL else None
    answer = f"progression while on Ixempra: {yes(req.progression_on_ixempra)}"
    if renewal_response is not None:
        answer += f"; response on Ixempra (renewal): {renewal_response.value}"
    if req.progression_on_ixempra:
        return Outcome.APPLIES, answer, "Progression while on Ixempra is documented"
    if renewal_response is Response.PROGRESSION:
        return Outcome.APPLIES, answer, "The renewal reports disease progression on Ixempra"
    return Outcome.DOES_NOT_APPLY, answer, ""


EXCLUSION_EVALUATORS: dict[str, _ExclusionCheck] = {
    "setting": _excl_setting,
    "dose_level_above_max": _excl_dose_level,
    "dose_capecitabine_hepatic_contraindicated": _excl_capecitabine_hepatic,
    "progression_on_ixempra": _excl_progression,
}


def evaluate_exclusions(
    req: CoverageRequest, dose: DoseResult | None, policy: Policy
) -> tuple[tuple[Finding, ...], tuple[Check, ...]]:
    findings: list[Finding] = []
    checks: list[Check] = []
    for ex in policy.coverage.exclusions:
        outcome, answer, why = EXCLUSION_EVALUATORS[ex.check](ex, req, dose, policy)
        checks.append(Check(CheckKind.EXCLUSION, ex.section, ex.wording, answer, outcome))
        if outcome is Outcome.APPLIES:
            findings.append(
                Finding(ex.code, f"{why.rstrip('.')}. Policy: {ex.wording}", ex.section)
            )
    return tuple(findings), tuple(checks)

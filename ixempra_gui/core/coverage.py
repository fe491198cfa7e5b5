"""Coverage against the payer policy (clinical-rules §7): does this order meet MG.MM.PH.153?

Everything the policy says (criteria, exclusions, renewal criteria, toxicities, sections, the
40 mg/m² limit, 90 units per 21 days, 6 months) is read from the policy data; this module only
knows how to check each kind of rule. The exclusions that depend on the dose (level over the
limit, the capecitabine hepatic contraindication) are read from the DoseResult, never
recomputed, so a change to the dose rules reaches coverage without a second copy.

Coverage is reported beside the dose: it never changes the dose or its status.
"""

from __future__ import annotations

from ixempra_gui.core.authorization import authorization_end
from ixempra_gui.core.coverage_exclusions import EXCLUSION_EVALUATORS, evaluate_exclusions
from ixempra_gui.core.coverage_initial import Initial, evaluate_initial
from ixempra_gui.core.coverage_input import CoverageRequest
from ixempra_gui.core.coverage_result import (
    CAPECITABINE_CONTRAINDICATED_RULE,
    REGIMEN_WORDS,
    THERAPY_WORDS,
    Check,
    CheckKind,
    CoverageResult,
    DosingLimitCheck,
    Finding,
    Outcome,
)
from ixempra_gui.core.coverage_rules import RenewalCriterion, RequestType
from ixempra_gui.core.diagnosis import check_diagnosis
from ixempra_gui.core.models import DoseResult, Status
from ixempra_gui.core.policy import Policy, load_policy

__all__ = [
    "CAPECITABINE_CONTRAINDICATED_RULE",
    "EXCLUSION_EVALUATORS",
    "REGIMEN_WORDS",
    "THERAPY_WORDS",
    "Check",
    "CheckKind",
    "CoverageResult",
    "DosingLimitCheck",
    "Finding",
    "Outcome",
    "check_dosing_limit",
    "evaluate_coverage",
]


# --- renewal ----------------------------------------------------------------------------------


def _evaluate_renewal(
    req: CoverageRequest, initial: Initial, policy: Policy
) -> tuple[tuple[Finding, ...], tuple[Check, ...]]:
    findings: list[Finding] = []
    checks: list[Check] = []
    for crit in policy.coverage.renewal:
        outcome, answer, finding = _RENEWAL_EVALUATORS[crit.check](crit, req, initial, policy)
        checks.append(Check(CheckKind.CRITERION, crit.section, crit.wording, answer, outcome))
        if finding is not None:
            findings.append(finding)
    return tuple(findings), tuple(checks)


def _renew_initial(
    crit: RenewalCriterion, req: CoverageRequest, initial: Initial, policy: Policy
) -> tuple[Outcome, str, Finding | None]:
    if initial.met_id is not None:
        return Outcome.MET, f"initial criterion {initial.met_id} met", None
    sections = ", ".join(dict.fromkeys(f.section for f in initial.unmet))
    return (
        Outcome.NOT_MET,
        f"initial criteria not met ({sections})",
        Finding(
            "initial_criteria_not_met",
            f"{crit.id}: {crit.wording} — not met (see {sections}).",
            crit.section,
        ),
    )


def _renew_response(
    crit: RenewalCriterion, req: CoverageRequest, initial: Initial, policy: Policy
) -> tuple[Outcome, str, Finding | None]:
    accepted = " or ".join(sorted(r.value for r in crit.responses))
    if req.response is None:
        return (
            Outcome.NOT_MET,
            "response: not given",
            Finding(
                "response_missing",
                f"{crit.id}: {crit.wording} — the response on Ixempra is not given "
                f"(needed: {accepted}).",
                crit.section,
            ),
        )
    answer = f"response: {req.response.value}"
    if req.response in crit.responses:
        return Outcome.MET, answer, None
    return (
        Outcome.NOT_MET,
        answer,
        Finding(
            "no_response",
            f"{crit.id}: {crit.wording} — reported '{req.response.value}' (needed: {accepted}).",
            crit.section,
        ),
    )


def _renew_toxicity(
    crit: RenewalCriterion, req: CoverageRequest, initial: Initial, policy: Policy
) -> tuple[Outcome, str, Finding | None]:
    if not req.unacceptable_toxicities:
        return Outcome.MET, "unacceptable toxicity: none reported", None
    named = ", ".join(policy.coverage.toxicity(c).wording for c in req.unacceptable_toxicities)
    return (
        Outcome.NOT_MET,
        f"unacceptable toxicity: {named}",
        Finding(
            "unacceptable_toxicity",
            f"{crit.id}: unacceptable toxicity reported: {named}.",
            crit.section,
        ),
    )


_RENEWAL_EVALUATORS = {
    "meets_initial": _renew_initial,
    "response": _renew_response,
    "no_unacceptable_toxicity": _renew_toxicity,
}


# --- dosing limit -----------------------------------------------------------------------------


def check_dosing_limit(
    dose: DoseResult | None, policy: Policy, prior_units: int | None = None
) -> DosingLimitCheck:
    """This dose's billable units against the limit; the window too when prior units are known.

    ``prior_units``: units (administered + discarded) billed in the window before this dose, from
    the journal; None when not known.
    """
    if prior_units is not None and prior_units < 0:
        raise ValueError(f"prior units cannot be negative: {prior_units}")
    limit, days = policy.max_units, policy.per_days
    section = policy.coverage.dosing_limit_section
    billing = dose.billing if dose else None
    if billing is None:
        return DosingLimitCheck(
            limit,
            days,
            section,
            None,
            prior_units,
            None,
            None,
            False,
            f"No dose calculated: the limit of {limit} billable units per {days} days is not "
            "checked.",
        )
    this = billing.units_total
    units = (
        f"{billing.units_administered} administered + {billing.units_wasted} discarded"
        if billing.units_wasted
        else f"{billing.units_administered} administered, none discarded"
    )
    if prior_units is None:
        within = this <= limit
        message = (
            f"This dose: {this} billable units ({units}) of the limit of {limit} per {days} "
            f"days{'' if within else ' — over the limit on its own'}. Units billed in the "
            f"{days} days before are not known here: the {days}-day window is not checked."
        )
        return DosingLimitCheck(limit, days, section, this, None, None, within, False, message)
    total = prior_units + this
    within = total <= limit
    message = (
        f"{prior_units} units in the {days} days before + this dose {this} ({units}) = {total} "
        f"billable units: {'within' if within else 'over'} the limit of {limit} per {days} days."
    )
    return DosingLimitCheck(limit, days, section, this, prior_units, total, within, True, message)


# --- the evaluation ---------------------------------------------------------------------------


def _request_notes(req: CoverageRequest, policy: Policy) -> list[str]:
    """A request type assumed, and renewal answers given for an initial request."""
    notes = []
    if req.request_defaulted:
        notes.append("No request type given: evaluated as an initial request.")
    if req.request is not RequestType.RENEWAL and (
        req.response is not None or req.unacceptable_toxicities
    ):
        notes.append(
            f"Response and unacceptable toxicity are renewal criteria "
            f"({policy.coverage.renewal_section}): not used for an initial request."
        )
    return notes


def _dose_notes(dose: DoseResult | None) -> list[str]:
    """Coverage is reported beside the dose: what that means when there is no dose now."""
    if dose is None or dose.inputs is None:
        return [
            "The dose inputs are incomplete: the regimen and the dose-based exclusions are not "
            "assessed."
        ]
    if dose.status is not Status.OK:
        return [
            f"No dose may be prepared now (dose status: {dose.status.value}); coverage is "
            "reported beside the dose and does not change it."
        ]
    return []


def evaluate_coverage(
    req: CoverageRequest,
    dose: DoseResult | None,
    policy: Policy | None = None,
    prior_units: int | None = None,
) -> CoverageResult:
    """Evaluate one request against the policy, reading the dose-based facts from ``dose``."""
    policy = policy or load_policy()
    rules = policy.coverage
    regimen = dose.inputs.regimen if dose is not None and dose.inputs is not None else None
    diag = check_diagnosis(req.diagnosis, policy)
    initial = evaluate_initial(req, regimen, diag, policy)
    exclusions, exclusion_checks = evaluate_exclusions(req, dose, policy)
    unmet = list(initial.unmet)
    checks = list(initial.checks)
    notes = _request_notes(req, policy)
    if req.request is RequestType.RENEWAL:
        renewal_unmet, renewal_checks = _evaluate_renewal(req, initial, policy)
        unmet.extend(renewal_unmet)
        checks.extend(renewal_checks)
    checks.extend(exclusion_checks)
    limit = check_dosing_limit(dose, policy, prior_units)
    if limit.within_limit is False:
        unmet.append(Finding("dosing_limit_exceeded", limit.message, limit.section))
    notes += _dose_notes(dose)
    meets = not unmet and not exclusions
    criterion = None
    if meets:
        criterion = rules.renewal_id if req.request is RequestType.RENEWAL else initial.met_id
    start = req.request_date if meets else None
    end = authorization_end(req.request_date, policy.authorization_months) if meets else None
    return CoverageResult(
        policy_id=policy.id,
        policy_title=policy.title,
        policy_review_date=policy.last_review,
        answers=req,
        diagnosis=diag,
        regimen=regimen,
        dose_level_mg_per_m2=dose.dose_level_mg_per_m2 if dose else None,
        meets_criteria=meets,
        criterion=criterion,
        initial_criterion=initial.met_id,
        unmet=tuple(unmet),
        exclusions=exclusions,
        checks=tuple(checks),
        authorization_months=policy.authorization_months,
        authorization_start=start,
        authorization_end=end,
        dosing_limit=limit,
        notes=tuple(notes),
    )

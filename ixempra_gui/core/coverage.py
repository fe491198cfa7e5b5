"""Coverage against the payer policy (clinical-rules §7): does this order meet MG.MM.PH.153?

Everything the policy says (criteria, exclusions, renewal criteria, toxicities, sections, the
40 mg/m² limit, 90 units per 21 days, 6 months) is read from the policy data; this module only
knows how to check each kind of rule. The exclusions that depend on the dose (level over the
limit, the capecitabine hepatic contraindication) are read from the DoseResult, never
recomputed, so a change to the dose rules reaches coverage without a second copy.

Coverage is reported beside the dose: it never changes the dose or its status.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from ixempra_gui.core.authorization import authorization_end
from ixempra_gui.core.coverage_input import CoverageRequest
from ixempra_gui.core.coverage_rules import (
    Exclusion,
    InitialCriterion,
    PriorTherapy,
    RenewalCriterion,
    RequestType,
    ResistancePath,
    Response,
)
from ixempra_gui.core.diagnosis import DiagnosisCheck, check_diagnosis
from ixempra_gui.core.formatting import format_quantity
from ixempra_gui.core.models import DoseResult, Regimen, Severity, Status
from ixempra_gui.core.policy import Policy, load_policy

# The dose rule (core/hepatic.py) that policy exclusion 3 mirrors; tests pin that the calculator
# emits it for a contraindicated capecitabine combination.
CAPECITABINE_CONTRAINDICATED_RULE = "hepatic_capecitabine_contraindicated"

REGIMEN_WORDS = {Regimen.MONOTHERAPY: "single agent", Regimen.CAPECITABINE: "with capecitabine"}
THERAPY_WORDS = {
    PriorTherapy.ANTHRACYCLINE: "an anthracycline",
    PriorTherapy.TAXANE: "a taxane",
    PriorTherapy.CAPECITABINE: "capecitabine",
}


class Outcome(StrEnum):
    """One line of the checklist. For a criterion MET is good; for an exclusion DOES_NOT_APPLY."""

    MET = "met"
    NOT_MET = "not_met"
    NOT_APPLICABLE = "not_applicable"  # e.g. the single-agent criterion for a combination order
    APPLIES = "applies"
    DOES_NOT_APPLY = "does_not_apply"
    NOT_ASSESSED = "not_assessed"  # the answer it needs is not known


@dataclass(frozen=True)
class Finding:
    """An unmet criterion or an exclusion that applies, with the policy section it comes from."""

    code: str
    message: str
    section: str


class CheckKind(StrEnum):
    CRITERION = "criterion"
    EXCLUSION = "exclusion"


@dataclass(frozen=True)
class Check:
    """A checklist line: the policy's words, the answer that supports the outcome, the outcome."""

    kind: CheckKind
    section: str
    wording: str
    answer: str
    outcome: Outcome


@dataclass(frozen=True)
class DosingLimitCheck:
    """Billable units (administered + discarded) against the policy's limit per N days."""

    limit_units: int
    per_days: int
    section: str
    units_this_dose: int | None  # None: no dose was calculated
    prior_units: int | None  # units in the window before this dose; None: not known
    units_total: int | None  # prior + this dose, when both are known
    within_limit: bool | None  # None: no dose; with prior unknown, judged on this dose alone
    window_checked: bool  # True only when the prior units were known
    message: str


@dataclass(frozen=True)
class CoverageResult:
    """Everything the evaluation found. ``criterion`` is set only when the criteria are met."""

    policy_id: str
    policy_title: str
    policy_review_date: str  # ISO
    answers: CoverageRequest
    diagnosis: DiagnosisCheck
    regimen: Regimen | None
    dose_level_mg_per_m2: Decimal | None
    meets_criteria: bool
    criterion: str | None  # "I.1.A.i", "I.1.A.ii" or "II"
    initial_criterion: str | None  # the initial criterion satisfied (also for a renewal)
    unmet: tuple[Finding, ...]
    exclusions: tuple[Finding, ...]
    checks: tuple[Check, ...]
    authorization_months: int
    authorization_start: date | None  # None when the criteria are not met
    authorization_end: date | None
    dosing_limit: DosingLimitCheck
    notes: tuple[str, ...]

    @property
    def request(self) -> RequestType:
        return self.answers.request


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _therapies(items: frozenset[PriorTherapy]) -> str:
    ordered = [t.value for t in PriorTherapy if t in items]
    return ", ".join(ordered) if ordered else "none documented"


def _path_missing(path: ResistancePath, req: CoverageRequest) -> list[str]:
    missing = [
        f"resistance to {THERAPY_WORDS[t]}"
        for t in PriorTherapy
        if t in path.resistant_to and t not in req.resistant_to
    ]
    if path.requires_anthracycline_contraindicated and not req.anthracycline_contraindicated:
        missing.append("that further anthracycline therapy is contraindicated")
    return missing


def _criterion_answer(req: CoverageRequest, regimen: Regimen) -> str:
    return (
        f"regimen: {REGIMEN_WORDS[regimen]}; resistant to: {_therapies(req.resistant_to)}; "
        f"further anthracycline contraindicated: {_yes(req.anthracycline_contraindicated)}"
    )


@dataclass(frozen=True)
class _Initial:
    met_id: str | None
    unmet: tuple[Finding, ...]
    checks: tuple[Check, ...]


def _evaluate_initial(
    req: CoverageRequest, regimen: Regimen | None, diag: DiagnosisCheck, policy: Policy
) -> _Initial:
    rules = policy.coverage
    unmet: list[Finding] = []
    checks: list[Check] = []

    checks.append(
        Check(
            CheckKind.CRITERION,
            rules.diagnosis_section,
            "Breast cancer diagnosis code on the policy's ICD-10 list",
            diag.message,
            Outcome.MET if diag.accepted else Outcome.NOT_MET,
        )
    )
    if not diag.accepted:
        assert diag.reason_code is not None
        unmet.append(Finding(diag.reason_code, diag.message, rules.diagnosis_section))

    ind = rules.indication
    covered = " or ".join(s.value for s in sorted(ind.settings))
    setting_ok = req.setting in ind.settings
    checks.append(
        Check(
            CheckKind.CRITERION,
            ind.section,
            ind.wording,
            f"disease setting: {req.setting.value if req.setting else 'not given'}",
            Outcome.MET if setting_ok else Outcome.NOT_MET,
        )
    )
    if req.setting is None:
        unmet.append(
            Finding(
                "setting_missing",
                f"{ind.section}: the disease setting is not given; the policy covers {covered} "
                "breast cancer.",
                ind.section,
            )
        )
    elif not setting_ok:
        unmet.append(
            Finding(
                "setting_not_covered",
                f"{ind.section}: disease setting '{req.setting.value}' — the policy covers only "
                f"{covered} breast cancer.",
                ind.section,
            )
        )

    criterion = rules.criterion_for(regimen) if regimen else None
    resistance_ok = False
    for crit in rules.criteria:
        if regimen is None:
            checks.append(
                Check(
                    CheckKind.CRITERION,
                    crit.section,
                    crit.wording,
                    "regimen not known",
                    Outcome.NOT_ASSESSED,
                )
            )
        elif crit is not criterion:
            checks.append(
                Check(
                    CheckKind.CRITERION,
                    crit.section,
                    crit.wording,
                    f"regimen: {REGIMEN_WORDS[regimen]}",
                    Outcome.NOT_APPLICABLE,
                )
            )
        else:
            resistance_ok = _satisfied(crit, req)
            checks.append(
                Check(
                    CheckKind.CRITERION,
                    crit.section,
                    crit.wording,
                    _criterion_answer(req, regimen),
                    Outcome.MET if resistance_ok else Outcome.NOT_MET,
                )
            )
            if not resistance_ok:
                unmet.append(_resistance_finding(crit, req))
    if regimen is None:
        unmet.append(
            Finding(
                "regimen_unknown",
                f"{ind.section}: the regimen is not known (the dose inputs are incomplete), so "
                "neither criterion can be checked.",
                ind.section,
            )
        )
    elif criterion is None:
        unmet.append(
            Finding(
                "regimen_not_covered",
                f"{ind.section}: no criterion of the policy covers Ixempra "
                f"{REGIMEN_WORDS[regimen]}.",
                ind.section,
            )
        )
    met = diag.accepted and setting_ok and resistance_ok and criterion is not None
    return _Initial(criterion.id if met and criterion else None, tuple(unmet), tuple(checks))


def _satisfied(crit: InitialCriterion, req: CoverageRequest) -> bool:
    return any(not _path_missing(path, req) for path in crit.any_of)


def _resistance_finding(crit: InitialCriterion, req: CoverageRequest) -> Finding:
    ways = " OR ".join(" and ".join(_path_missing(p, req)) for p in crit.any_of)
    return Finding(
        "resistance_not_documented",
        f"{crit.id}: {crit.wording}. Documented: resistant to: {_therapies(req.resistant_to)}; "
        f"further anthracycline contraindicated: {_yes(req.anthracycline_contraindicated)}. "
        f"Needed: {ways}.",
        crit.section,
    )


# --- exclusions -------------------------------------------------------------------------------

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
    answer = f"progression while on Ixempra: {_yes(req.progression_on_ixempra)}"
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


def _evaluate_exclusions(
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


# --- renewal ----------------------------------------------------------------------------------


def _evaluate_renewal(
    req: CoverageRequest, initial: _Initial, policy: Policy
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
    crit: RenewalCriterion, req: CoverageRequest, initial: _Initial, policy: Policy
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
    crit: RenewalCriterion, req: CoverageRequest, initial: _Initial, policy: Policy
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
    crit: RenewalCriterion, req: CoverageRequest, initial: _Initial, policy: Policy
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
    initial = _evaluate_initial(req, regimen, diag, policy)
    exclusions, exclusion_checks = _evaluate_exclusions(req, dose, policy)
    unmet = list(initial.unmet)
    checks = list(initial.checks)
    notes: list[str] = []
    if req.request_defaulted:
        notes.append("No request type given: evaluated as an initial request.")
    if req.request is RequestType.RENEWAL:
        renewal_unmet, renewal_checks = _evaluate_renewal(req, initial, policy)
        unmet.extend(renewal_unmet)
        checks.extend(renewal_checks)
    elif req.response is not None or req.unacceptable_toxicities:
        notes.append(
            f"Response and unacceptable toxicity are renewal criteria ({rules.renewal_section}): "
            "not used for an initial request."
        )
    checks.extend(exclusion_checks)
    limit = check_dosing_limit(dose, policy, prior_units)
    if limit.within_limit is False:
        unmet.append(Finding("dosing_limit_exceeded", limit.message, limit.section))
    if dose is None or dose.inputs is None:
        notes.append(
            "The dose inputs are incomplete: the regimen and the dose-based exclusions are not "
            "assessed."
        )
    elif dose.status is not Status.OK:
        notes.append(
            f"No dose may be prepared now (dose status: {dose.status.value}); coverage is "
            "reported beside the dose and does not change it."
        )
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

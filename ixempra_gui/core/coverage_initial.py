"""The policy's initial criteria (clinical-rules §7): the diagnosis on the list, a covered
disease setting, and the resistance the regimen's criterion asks for (single agent, or with
capecitabine). The criteria's words and sections are the policy data's.
"""

from __future__ import annotations

from dataclasses import dataclass

from ixempra_gui.core.coverage_input import CoverageRequest
from ixempra_gui.core.coverage_result import (
    REGIMEN_WORDS,
    THERAPY_WORDS,
    Check,
    CheckKind,
    Finding,
    Outcome,
)
from ixempra_gui.core.coverage_rules import InitialCriterion, PriorTherapy, ResistancePath
from ixempra_gui.core.diagnosis import DiagnosisCheck
from ixempra_gui.core.models import Regimen
from ixempra_gui.core.policy import Policy


def yes(flag: bool) -> str:
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
        f"further anthracycline contraindicated: {yes(req.anthracycline_contraindicated)}"
    )


@dataclass(frozen=True)
class Initial:
    met_id: str | None
    unmet: tuple[Finding, ...]
    checks: tuple[Check, ...]


def _diagnosis(
    diag: DiagnosisCheck, policy: Policy, checks: list[Check], unmet: list[Finding]
) -> None:
    section = policy.coverage.diagnosis_section
    checks.append(
        Check(
            CheckKind.CRITERION,
            section,
            "Breast cancer diagnosis code on the policy's ICD-10 list",
            diag.message,
            Outcome.MET if diag.accepted else Outcome.NOT_MET,
        )
    )
    if not diag.accepted:
        assert diag.reason_code is not None
        unmet.append(Finding(diag.reason_code, diag.message, section))


def _setting(
    req: CoverageRequest, policy: Policy, checks: list[Check], unmet: list[Finding]
) -> bool:
    """The disease setting is one the indication covers."""
    ind = policy.coverage.indication
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
    return setting_ok


def _criterion_check(
    crit: InitialCriterion,
    chosen: InitialCriterion | None,
    req: CoverageRequest,
    regimen: Regimen | None,
) -> Check:
    """One criterion's line: not assessed without a regimen, not applicable to another."""
    if regimen is None:
        answer, outcome = "regimen not known", Outcome.NOT_ASSESSED
    elif crit is not chosen:
        answer, outcome = f"regimen: {REGIMEN_WORDS[regimen]}", Outcome.NOT_APPLICABLE
    else:
        met = _satisfied(crit, req)
        answer, outcome = _criterion_answer(req, regimen), Outcome.MET if met else Outcome.NOT_MET
    return Check(CheckKind.CRITERION, crit.section, crit.wording, answer, outcome)


def _regimen_findings(
    regimen: Regimen | None, criterion: InitialCriterion | None, policy: Policy
) -> list[Finding]:
    section = policy.coverage.indication.section
    if regimen is None:
        return [
            Finding(
                "regimen_unknown",
                f"{section}: the regimen is not known (the dose inputs are incomplete), so "
                "neither criterion can be checked.",
                section,
            )
        ]
    if criterion is None:
        return [
            Finding(
                "regimen_not_covered",
                f"{section}: no criterion of the policy covers Ixempra {REGIMEN_WORDS[regimen]}.",
                section,
            )
        ]
    return []


def evaluate_initial(
    req: CoverageRequest, regimen: Regimen | None, diag: DiagnosisCheck, policy: Policy
) -> Initial:
    rules = policy.coverage
    unmet: list[Finding] = []
    checks: list[Check] = []
    _diagnosis(diag, policy, checks, unmet)
    setting_ok = _setting(req, policy, checks, unmet)
    criterion = rules.criterion_for(regimen) if regimen else None
    resistance_ok = False
    for crit in rules.criteria:
        checks.append(_criterion_check(crit, criterion, req, regimen))
        if regimen is not None and crit is criterion:
            resistance_ok = checks[-1].outcome is Outcome.MET
            if not resistance_ok:
                unmet.append(_resistance_finding(crit, req))
    unmet += _regimen_findings(regimen, criterion, policy)
    met = diag.accepted and setting_ok and resistance_ok and criterion is not None
    return Initial(criterion.id if met and criterion else None, tuple(unmet), tuple(checks))


def _satisfied(crit: InitialCriterion, req: CoverageRequest) -> bool:
    return any(not _path_missing(path, req) for path in crit.any_of)


def _resistance_finding(crit: InitialCriterion, req: CoverageRequest) -> Finding:
    ways = " OR ".join(" and ".join(_path_missing(p, req)) for p in crit.any_of)
    return Finding(
        "resistance_not_documented",
        f"{crit.id}: {crit.wording}. Documented: resistant to: {_therapies(req.resistant_to)}; "
        f"further anthracycline contraindicated: {yes(req.anthracycline_contraindicated)}. "
        f"Needed: {ways}.",
        crit.section,
    )

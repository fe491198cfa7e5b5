"""What a coverage evaluation finds (clinical-rules §7): the checklist lines, the findings that
stop coverage, the dosing limit, and the whole result. Data only; ``coverage`` evaluates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from ixempra_gui.core.coverage_input import CoverageRequest
from ixempra_gui.core.coverage_rules import PriorTherapy, RequestType
from ixempra_gui.core.diagnosis import DiagnosisCheck
from ixempra_gui.core.models import Regimen

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

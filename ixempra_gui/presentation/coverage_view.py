"""Qt-free: the Coverage tab's answers + the order's DoseResult → core coverage → CoverageView.

The tab asks only what the order does not say (request type and date, diagnosis, disease
setting, prior therapy, progression, and for a renewal the response and toxicities); the
regimen, the dose level and the liver tests come from the DoseResult the window already holds,
and the evaluation is the core's (core/coverage.py), so exclusions 2 and 3 are read from that
result exactly as the CLI reads them. This module only chooses what to show.

The core is imported on first use (the tab is built before it loads: bench/startup.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from ixempra_gui.core.coverage import Check, CheckKind, CoverageResult, Outcome, evaluate_coverage
from ixempra_gui.core.coverage_input import CoverageOrder, parse_coverage_order
from ixempra_gui.core.models import DoseResult
from ixempra_gui.core.policy import load_policy
from ixempra_gui.core.prior_auth import OUTCOME_WORDS, PriorAuthSummary, prior_authorization_summary
from ixempra_gui.presentation.coverage_answers import PA_NOT_YET as PA_NOT_YET
from ixempra_gui.presentation.coverage_answers import CoverageForm as CoverageForm
from ixempra_gui.presentation.coverage_text import (
    COVERAGE_LABELS,
    INITIAL_VERDICT,
    INITIAL_VERDICT_DETAIL,
)
from ixempra_gui.presentation.fields import DASH, MessageKind
from ixempra_gui.presentation.order_state import FieldMessage, ViewState
from ixempra_gui.presentation.wording import liver_ratios, units_phrase

#: Findings that mean "an answer is still missing" rather than "the answer does not qualify"
#: (core/coverage.py codes), named as the tab asks for them.
MISSING_ANSWERS = {
    "diagnosis_missing": "ICD-10 diagnosis",
    "setting_missing": "disease setting",
    "regimen_unknown": "the regimen and a complete order (Order tab)",
    "response_missing": "response on Ixempra",
}

#: A checklist line's symbol: the words beside it say the same (colour is never the only sign).
OUTCOME_SYMBOLS = {
    "met": "✔",
    "does_not_apply": "✔",
    "not_met": "✘",
    "applies": "✘",
    "not_applicable": "–",
    "not_assessed": "?",
}


class VerdictKind(StrEnum):
    MEETS = "meets"
    NOT_MET = "not_met"
    NOT_CHECKED = "not_checked"  # an answer is malformed, or nothing is calculated yet
    #: Only answers are missing (nothing answered disqualifies): neutral, not red.
    ANSWERS_NEEDED = "answers_needed"


class NotAvailableError(ValueError):
    """A prior-authorization summary was asked for when the tab says it is not available."""


@dataclass(frozen=True)
class ChecklistLine:
    """One criterion or exclusion: its symbol and outcome words, the policy's words, the answer."""

    symbol: str
    outcome: str  # "met", "NOT MET", "does not apply", "APPLIES", ...
    section: str
    wording: str
    answer: str
    problem: bool  # a criterion not met, or an exclusion that applies

    @property
    def text(self) -> str:
        return (
            f"{self.symbol} {self.outcome} — {self.section}: {self.wording} Answer: {self.answer}"
        )


@dataclass(frozen=True)
class CoverageView:
    """Everything the Coverage tab shows, as display strings."""

    kind: VerdictKind
    verdict: str
    detail: str
    findings: tuple[str, ...] = ()  # each unmet criterion and exclusion, "[section] message"
    order_facts: tuple[tuple[str, str], ...] = ()
    criteria: tuple[ChecklistLine, ...] = ()
    exclusions: tuple[ChecklistLine, ...] = ()
    authorization: str = DASH
    dosing_limit: str = DASH
    notes: tuple[str, ...] = ()
    field_messages: Mapping[str, tuple[FieldMessage, ...]] = field(default_factory=dict)
    diagnosis_code: str | None = None  # the normal form, when the policy lists the code
    pa_enabled: bool = False
    pa_tooltip: str = ""
    patient_id: str = ""
    coverage: CoverageResult | None = field(default=None, compare=False, repr=False)
    dose: DoseResult | None = field(default=None, compare=False, repr=False)


FAILED_DETAIL = "the calculation of the order failed, so coverage is not checked."


def failed_coverage_view() -> CoverageView:
    """The order's calculation itself failed (a bug): coverage is not checked at all."""
    return CoverageView(
        VerdictKind.NOT_CHECKED,
        INITIAL_VERDICT,
        FAILED_DETAIL,
        pa_tooltip=f"Not available: {FAILED_DETAIL}",
    )


def initial_coverage_view() -> CoverageView:
    """Before the first calculation (no core loaded): nothing checked."""
    return CoverageView(
        VerdictKind.NOT_CHECKED, INITIAL_VERDICT, INITIAL_VERDICT_DETAIL, pa_tooltip=PA_NOT_YET
    )


def coverage_order(form: CoverageForm) -> CoverageOrder:
    """The core's answers. Response and toxicities count only for a renewal: answers left in the
    hidden renewal fields never reach an initial request."""

    renewal = form.request == "renewal"
    return CoverageOrder(
        request=form.request or None,
        diagnosis=form.diagnosis,
        setting=form.setting,
        resistant_to=",".join(form.resistant_to) or None,
        anthracycline_contraindicated=form.anthracycline_contraindicated,
        progression_on_ixempra=form.progression_on_ixempra,
        response=form.response if renewal else None,
        unacceptable_toxicity=(",".join(form.unacceptable_toxicities) or None) if renewal else None,
        request_date=form.request_date or None,
    )


def _dedupe(items: Iterable[str]) -> str:
    return ", ".join(dict.fromkeys(items))


def _lines(checks: Iterable[Check]) -> tuple[ChecklistLine, ...]:

    return tuple(
        ChecklistLine(
            OUTCOME_SYMBOLS[c.outcome.value],
            OUTCOME_WORDS[c.outcome],
            c.section,
            c.wording,
            c.answer,
            c.outcome in (Outcome.NOT_MET, Outcome.APPLIES),
        )
        for c in checks
    )


def _order_facts(view: ViewState | None, patient_id: str) -> tuple[tuple[str, str], ...]:
    """What the tab takes from the order (never asks again), as the window shows it."""
    patient = ("Patient identifier", patient_id.strip() or "not given")
    result = view.result if view is not None else None
    if view is None or result is None or result.inputs is None:
        return (
            patient,
            ("Regimen", "not known: complete the order on the Order tab"),
            ("Dose", DASH),
        )

    facts = [
        patient,
        ("Regimen", result.inputs.regimen.label),  # the core's value, not a display string
        ("Dose status", view.banner_text),
        ("Dose", f"{view.dose_value} ({view.level_value})" if view.ready else DASH),
    ]
    billing = result.billing
    if view.ready and billing is not None:
        facts.append(("Billable units", f"{billing.hcpcs} {units_phrase(billing)} per dose"))
    if result.ratios is not None:
        facts.append(("Liver tests", liver_ratios(result.ratios)))
    return tuple(facts)


def _pa_availability(view: ViewState | None, verdict: str) -> tuple[bool, str]:
    if view is None or not view.ready:
        shown = view.banner_text if view is not None else "no calculation yet"
        return False, (
            f"Not available: no dose is ready to prepare ({shown}). The summary states the "
            "dose and units requested, so it needs a dose that is ready, as the worksheet does."
        )
    return True, (
        "Print or save the prior-authorization summary of this order and these answers; "
        f"the verdict is printed as it stands ({verdict})."
    )


def present_coverage(
    form: CoverageForm,
    view: ViewState | None,
    patient_id: str,
    today: date,
    prior_units: int | None = None,
) -> CoverageView:
    """Evaluate the answers against the policy beside the order's dose result. Called on every
    edit of the order or of an answer, so the verdict is never stale. ``prior_units``: units
    of the patient's verified doses in the policy's window (the journal), None if not known."""

    policy = load_policy()
    facts = _order_facts(view, patient_id)
    request, issues = parse_coverage_order(coverage_order(form), policy, today)
    if request is None:
        wrong = _dedupe(COVERAGE_LABELS.get(i.field, i.field) for i in issues)
        messages: dict[str, tuple[FieldMessage, ...]] = {}
        for issue in issues:
            messages[issue.field] = (
                *messages.get(issue.field, ()),
                FieldMessage(MessageKind.ERROR, issue.message),
            )
        return CoverageView(
            VerdictKind.NOT_CHECKED,
            "COVERAGE NOT CHECKED",
            f"Correct the marked answers: {wrong}.",
            order_facts=facts,
            field_messages=messages,
            pa_tooltip=f"Not available: correct the marked answers ({wrong}).",
            patient_id=patient_id,
        )

    dose = view.result if view is not None else None
    coverage = evaluate_coverage(request, dose, policy, prior_units)
    return _view(form, view, coverage, facts, patient_id)


def _diagnosis_messages(
    form: CoverageForm, coverage: CoverageResult
) -> dict[str, tuple[FieldMessage, ...]]:
    diag = coverage.diagnosis
    if diag.accepted:
        return {
            "diagnosis": (
                FieldMessage(MessageKind.NOTE, f"{diag.code} — {diag.description}: on the list."),
            )
        }
    if form.diagnosis.strip():
        return {"diagnosis": (FieldMessage(MessageKind.ERROR, diag.message),)}
    return {}


def _verdict(coverage: CoverageResult) -> tuple[VerdictKind, str, str, str]:
    """The verdict, the paragraph that says why, and the authorization period (or why none)."""
    request = coverage.request.value
    if coverage.meets_criteria:
        assert coverage.authorization_start and coverage.authorization_end
        period = (
            f"{coverage.authorization_start.isoformat()} to "
            f"{coverage.authorization_end.isoformat()} ({coverage.authorization_months} months)"
        )
        detail = (
            f"{request.capitalize()} request: criterion {coverage.criterion} of policy "
            f"{coverage.policy_id} is met and no exclusion applies. Authorization {period}."
        )
        return VerdictKind.MEETS, f"MEETS {coverage.criterion}", detail, period
    missing = [MISSING_ANSWERS[f.code] for f in coverage.unmet if f.code in MISSING_ANSWERS]
    unmet = [f.section for f in coverage.unmet if f.code not in MISSING_ANSWERS]
    parts = [f"{request.capitalize()} request."]
    if unmet:
        parts.append(f"Not met: {_dedupe(unmet)}.")
    if coverage.exclusions:
        parts.append(f"Exclusion applies: {_dedupe(f.section for f in coverage.exclusions)}.")
    if missing:
        parts.append(f"Still needed: {_dedupe(missing)}.")
    parts.append("Each reason is listed below with its policy section.")
    authorization = (
        f"None: the criteria are not met ({coverage.authorization_months} months from the "
        "request date once they are)."
    )
    if missing and not coverage.exclusions:  # not every question answered, nothing excludes
        return VerdictKind.ANSWERS_NEEDED, "ANSWERS NEEDED", " ".join(parts), authorization
    verdict = f"DOES NOT MEET {coverage.policy_id}"
    return VerdictKind.NOT_MET, verdict, " ".join(parts), authorization


def _view(
    form: CoverageForm,
    view: ViewState | None,
    coverage: CoverageResult,
    facts: tuple[tuple[str, str], ...],
    patient_id: str,
) -> CoverageView:
    findings = tuple(f"[{f.section}] {f.message}" for f in (*coverage.unmet, *coverage.exclusions))
    kind, verdict, detail, authorization = _verdict(coverage)
    pa_enabled, pa_tooltip = _pa_availability(view, verdict)
    diag = coverage.diagnosis
    return CoverageView(
        kind,
        verdict,
        detail,
        findings=findings,
        order_facts=facts,
        criteria=_lines(c for c in coverage.checks if c.kind is CheckKind.CRITERION),
        exclusions=_lines(c for c in coverage.checks if c.kind is CheckKind.EXCLUSION),
        authorization=authorization,
        dosing_limit=coverage.dosing_limit.message,
        notes=coverage.notes,
        field_messages=_diagnosis_messages(form, coverage),
        diagnosis_code=diag.code if diag.accepted else None,
        pa_enabled=pa_enabled,
        pa_tooltip=pa_tooltip,
        patient_id=patient_id,
        coverage=coverage,
        dose=view.result if view is not None else None,
    )


def prior_auth_summary(view: CoverageView) -> PriorAuthSummary:
    """The core's structured summary of what the tab shows (the same one any other caller gets)."""

    if not view.pa_enabled or view.coverage is None or view.dose is None:
        raise NotAvailableError(view.pa_tooltip or PA_NOT_YET)
    return prior_authorization_summary(view.dose, view.coverage, patient_id=view.patient_id)

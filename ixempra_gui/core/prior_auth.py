"""The prior-authorization summary as plain structured data (and text lines), free of Qt.

The window turns a ``PriorAuthSummary`` into a printed page or PDF; the terminal prints its
``text_lines()``. Every figure comes from the DoseResult and the CoverageResult: nothing here
recomputes a dose, a unit count or a criterion.
"""

from __future__ import annotations

from dataclasses import dataclass

from ixempra_gui.core import label, wording
from ixempra_gui.core.bsa import FORMULA_NAMES
from ixempra_gui.core.coverage import Check, CheckKind, CoverageResult, Outcome
from ixempra_gui.core.coverage_report import OUTCOME_MARKS
from ixempra_gui.core.coverage_rules import PriorTherapy, RequestType
from ixempra_gui.core.formatting import format_quantity
from ixempra_gui.core.models import DoseResult, Regimen
from ixempra_gui.core.policy import Policy, load_policy

NOT_GIVEN = "(not given)"
BLANK = "_" * 28

OUTCOME_WORDS = {
    Outcome.MET: "met",
    Outcome.NOT_MET: "NOT MET",
    Outcome.NOT_APPLICABLE: "not applicable",
    Outcome.APPLIES: "APPLIES",
    Outcome.DOES_NOT_APPLY: "does not apply",
    Outcome.NOT_ASSESSED: "not assessed",
}


@dataclass(frozen=True)
class SummaryField:
    label: str
    value: str


@dataclass(frozen=True)
class SummarySection:
    title: str
    fields: tuple[SummaryField, ...]


@dataclass(frozen=True)
class PriorAuthSummary:
    """What a reviewer needs on one page, in reading order."""

    title: str
    subtitle: str
    sections: tuple[SummarySection, ...]  # patient and request, diagnosis, regimen and dose, ...
    criteria: tuple[Check, ...]  # each criterion with its supporting answer
    exclusions: tuple[Check, ...]
    verdict: str
    findings: tuple[str, ...]  # each unmet criterion and exclusion, with its section
    notes: tuple[str, ...]
    signature_lines: tuple[str, ...]

    def text_lines(self) -> list[str]:
        """The summary as plain text, one line per row."""
        lines = [self.title, self.subtitle, ""]
        for section in self.sections:
            lines.append(section.title)
            width = max(len(f.label) for f in section.fields)
            lines += [f"  {f.label:<{width}}  {f.value}" for f in section.fields]
            lines.append("")
        for title, checks in (("Criteria", self.criteria), ("Exclusions", self.exclusions)):
            lines.append(title)
            for ch in checks:
                mark = OUTCOME_MARKS[ch.outcome]
                lines.append(f"  {mark} {ch.section}: {ch.wording}")
                lines.append(f"      {OUTCOME_WORDS[ch.outcome]} — {ch.answer}")
            lines.append("")
        lines.append(f"Verdict: {self.verdict}")
        lines += [f"  - {f}" for f in self.findings]
        lines += [f"  Note: {n}" for n in self.notes]
        lines.append("")
        lines += list(self.signature_lines)
        return lines


def _dose_fields(dose: DoseResult, policy: Policy) -> tuple[SummaryField, ...]:
    fields: list[SummaryField] = []
    inputs, bsa, ratios = dose.inputs, dose.bsa, dose.ratios
    if inputs is None or bsa is None:
        return (SummaryField("Dose", f"no dose calculated (status: {dose.status.value})"),)
    regimen = (
        "Ixempra in combination with capecitabine"
        if inputs.regimen is Regimen.CAPECITABINE
        else "Ixempra single agent (monotherapy)"
    )
    fields.append(SummaryField("Regimen", regimen))
    fields.append(SummaryField("Height", wording.measurement_echo(inputs.height)))
    fields.append(SummaryField("Weight", wording.measurement_echo(inputs.weight)))
    fields.append(SummaryField("BSA", wording.bsa_text(bsa, FORMULA_NAMES[bsa.formula])))
    if ratios is not None:
        fields.append(SummaryField("Liver tests", wording.liver_ratios(ratios)))
    if dose.dose_level_mg_per_m2 is not None:
        fields.append(
            SummaryField("Dose level", format_quantity(dose.dose_level_mg_per_m2, "mg/m²"))
        )
    if dose.dose_mg is not None:
        text = f"{format_quantity(dose.dose_mg, 'mg')} IV"
        if dose.preparation is not None:
            text += f" over {dose.preparation.infusion_hours} h"
        if note := wording.rounding_note(dose.dose_rounding):
            text += f" ({note})"
        fields.append(SummaryField("Dose", text))
    else:
        fields.append(SummaryField("Dose", f"no dose calculated (status: {dose.status.value})"))
    fields.append(
        SummaryField(
            "Schedule", f"one dose every {label.CYCLE_INTERVAL_DAYS} days (every 3 weeks, label)"
        )
    )
    if dose.vials is not None:
        vials = wording.vial_plan_total(dose.vials.counts, dose.vials.total_mg)
        fields.append(SummaryField("Vials", vials))
    billing = dose.billing
    if billing is not None:
        requested = f"{billing.units_total} units of {billing.hcpcs} per dose"
        fields.append(SummaryField("Units requested", requested))
        fields += [SummaryField("Billing", line) for line in wording.claim_lines(billing)]
        fields.append(SummaryField("NDC", wording.ndc_list(billing)))
    return tuple(fields)


def _request_fields(coverage: CoverageResult, patient_id: str) -> tuple[SummaryField, ...]:
    """Who, which request, from when, for how long."""
    answers = coverage.answers
    return (
        SummaryField("Patient identifier", patient_id.strip() or NOT_GIVEN),
        SummaryField("Request", f"{coverage.request.value} authorization"),
        SummaryField("Request date", answers.request_date.isoformat()),
        SummaryField(
            "Period requested",
            f"{coverage.authorization_start.isoformat()} to "
            f"{coverage.authorization_end.isoformat()} ({coverage.authorization_months} months)"
            if coverage.authorization_start and coverage.authorization_end
            else f"{coverage.authorization_months} months from the request date (criteria not met)",
        ),
    )


def _clinical_fields(coverage: CoverageResult, policy: Policy) -> tuple[SummaryField, ...]:
    """Diagnosis, setting, prior therapy, progression; response and toxicity for a renewal."""
    answers = coverage.answers
    diag = coverage.diagnosis
    therapies = [t.value for t in PriorTherapy if t in answers.resistant_to]
    clinical_fields: tuple[SummaryField, ...] = (
        SummaryField(
            "ICD-10",
            f"{diag.code} — {diag.description}"
            if diag.accepted
            else f"{diag.entered.strip() or NOT_GIVEN} (not accepted)",
        ),
        SummaryField("Disease setting", answers.setting.value if answers.setting else NOT_GIVEN),
        SummaryField("Resistant to", ", ".join(therapies) if therapies else "none documented"),
        SummaryField(
            "Further anthracycline contraindicated",
            "yes" if answers.anthracycline_contraindicated else "no",
        ),
        SummaryField(
            "Progression while on Ixempra", "yes" if answers.progression_on_ixempra else "no"
        ),
    )
    if coverage.request is RequestType.RENEWAL:
        toxicities = ", ".join(
            policy.coverage.toxicity(c).wording for c in answers.unacceptable_toxicities
        )
        clinical_fields += (
            SummaryField(
                "Response on Ixempra", answers.response.value if answers.response else NOT_GIVEN
            ),
            SummaryField("Unacceptable toxicity", toxicities or "none reported"),
        )
    return clinical_fields


def prior_authorization_summary(
    dose: DoseResult,
    coverage: CoverageResult,
    patient_id: str = "",
    prepared_by: str = "",
    policy: Policy | None = None,
) -> PriorAuthSummary:
    """Assemble the summary of one request from the two results."""
    policy = policy or load_policy()
    request_fields = _request_fields(coverage, patient_id)
    clinical_fields = _clinical_fields(coverage, policy)
    limit = coverage.dosing_limit
    sections = (
        SummarySection("Patient and request", request_fields),
        SummarySection("Diagnosis and history", clinical_fields),
        SummarySection("Regimen and dose", _dose_fields(dose, policy)),
        SummarySection(
            "Dosing limit",
            (
                SummaryField(
                    "Limit", f"{limit.limit_units} billable units per {limit.per_days} days"
                ),
                SummaryField("Check", limit.message),
            ),
        ),
    )
    if coverage.meets_criteria:
        verdict = f"meets {coverage.criterion}"
        if coverage.criterion != coverage.initial_criterion and coverage.initial_criterion:
            verdict += f" (initial criterion {coverage.initial_criterion} still met)"
    else:
        verdict = "does not meet the policy criteria"
    findings = tuple(f"[{f.section}] {f.message}" for f in (*coverage.unmet, *coverage.exclusions))
    return PriorAuthSummary(
        title=f"Prior authorization request — {policy.title}",
        subtitle=(
            f"Policy {coverage.policy_id} ({policy.payer}), last reviewed "
            f"{coverage.policy_review_date}; HCPCS {policy.hcpcs}"
        ),
        sections=sections,
        criteria=tuple(c for c in coverage.checks if c.kind is CheckKind.CRITERION),
        exclusions=tuple(c for c in coverage.checks if c.kind is CheckKind.EXCLUSION),
        verdict=verdict,
        findings=findings,
        notes=coverage.notes,
        signature_lines=(
            f"Prepared by: {prepared_by.strip() or BLANK}    Date: {BLANK}",
            f"Prescriber signature: {BLANK}    Date: {BLANK}",
            f"Prescriber name and NPI: {BLANK}",
        ),
    )

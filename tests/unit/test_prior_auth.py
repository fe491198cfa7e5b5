"""The prior-authorization summary: plain data the window prints, with nothing a reviewer needs
missing (issue 5, "Done when")."""

from __future__ import annotations

from datetime import date

from conftest import order_kwargs

from ixempra_gui.core.calculator import calculate
from ixempra_gui.core.coverage import Outcome, evaluate_coverage
from ixempra_gui.core.coverage_input import CoverageRequest
from ixempra_gui.core.coverage_rules import PriorTherapy, RequestType, Response, Setting
from ixempra_gui.core.models import Order
from ixempra_gui.core.policy import load_policy
from ixempra_gui.core.prior_auth import prior_authorization_summary

POLICY = load_policy()
CAPE = calculate(Order(**order_kwargs(regimen="capecitabine")))
REQUEST = CoverageRequest(
    request=RequestType.INITIAL,
    diagnosis="c50912",
    request_date=date(2025, 8, 31),
    setting=Setting.METASTATIC,
    resistant_to=frozenset({PriorTherapy.ANTHRACYCLINE, PriorTherapy.TAXANE}),
)


def _fields(summary: object) -> dict[str, str]:
    return {f.label: f.value for s in summary.sections for f in s.fields}  # type: ignore[attr-defined]


def test_metastatic_resistant_capecitabine_summary_has_everything() -> None:
    coverage = evaluate_coverage(REQUEST, CAPE, POLICY)
    summary = prior_authorization_summary(
        CAPE, coverage, patient_id=" MRN-0042 ", prepared_by="A. Lee"
    )
    fields = _fields(summary)
    assert fields["Patient identifier"] == "MRN-0042"
    assert (
        fields["ICD-10"] == "C50.912 — Malignant neoplasm of unspecified site of left female breast"
    )
    assert fields["Disease setting"] == "metastatic"
    assert fields["Resistant to"] == "anthracycline, taxane"
    assert fields["Regimen"] == "Ixempra in combination with capecitabine"
    assert fields["Dose level"] == "40 mg/m²" and fields["Dose"] == "72.8 mg IV over 3 h"
    assert fields["Schedule"] == "one dose every 21 days (every 3 weeks, label)"
    assert fields["BSA"] == "1.82 m² (Mosteller)"
    assert fields["Units requested"] == "75 units of J9207 per dose"
    # a unit with every figure (it printed "Height / weight 165 / 70")
    assert fields["Height"] == "170 cm" and fields["Weight"] == "70 kg"
    assert fields["Period requested"] == "2025-08-31 to 2026-02-28 (6 months)"
    assert "90 billable units per 21 days" in fields["Limit"]
    assert "MG.MM.PH.153" in summary.subtitle and "2025-03-31" in summary.subtitle
    assert summary.verdict == "meets I.1.A.i" and summary.findings == ()
    # each criterion with its supporting answer; every exclusion shown as not applying
    assert [(c.section, c.outcome) for c in summary.criteria] == [
        ("ICD-10 Diagnoses", Outcome.MET),
        ("I.1.A", Outcome.MET),
        ("I.1.A.i", Outcome.MET),
        ("I.1.A.ii", Outcome.NOT_APPLICABLE),
    ]
    assert "resistant to: anthracycline, taxane" in summary.criteria[2].answer
    assert [c.outcome for c in summary.exclusions] == [Outcome.DOES_NOT_APPLY] * 5
    text = "\n".join(summary.text_lines())
    assert "Prescriber signature" in text and "Prepared by: A. Lee" in text
    assert "[x] I.1.A.i: In combination with capecitabine" in text
    assert "88.0" not in text and "72.80" not in text


def test_a_refused_request_lists_why() -> None:
    request = CoverageRequest(
        request=RequestType.RENEWAL,
        diagnosis="C50.9",
        request_date=date(2025, 8, 31),
        setting=Setting.METASTATIC,
        resistant_to=frozenset({PriorTherapy.TAXANE}),
        response=Response.PROGRESSION,
        unacceptable_toxicities=("cardiac-ischemia",),
    )
    coverage = evaluate_coverage(request, CAPE, POLICY)
    summary = prior_authorization_summary(CAPE, coverage)
    fields = _fields(summary)
    assert fields["Patient identifier"] == "(not given)"
    assert fields["ICD-10"] == "C50.9 (not accepted)"
    assert fields["Response on Ixempra"] == "progression"
    assert fields["Unacceptable toxicity"] == "cardiac ischemia"
    assert "criteria not met" in fields["Period requested"]
    assert summary.verdict == "does not meet the policy criteria"
    sections = [f.split("]")[0].lstrip("[") for f in summary.findings]
    assert sections == [
        "ICD-10 Diagnoses",
        "I.1.A.i",
        "II.1",
        "II.2",
        "II.3",
        "Limitations/Exclusions 4",
    ]
    assert "APPLIES" in "\n".join(summary.text_lines())


def test_no_dose_is_said_plainly() -> None:
    contraindicated = calculate(Order(**order_kwargs(regimen="capecitabine", ast="200 U/L")))
    coverage = evaluate_coverage(REQUEST, contraindicated, POLICY)
    fields = _fields(prior_authorization_summary(contraindicated, coverage))
    assert fields["Dose"] == "no dose calculated (status: contraindicated)"
    assert "Units requested" not in fields


def test_a_rounded_dose_shows_where_it_came_from() -> None:
    rounded = calculate(Order(**order_kwargs(regimen="capecitabine", round_to_vial_within="5")))
    coverage = evaluate_coverage(REQUEST, rounded, POLICY)
    fields = _fields(prior_authorization_summary(rounded, coverage))
    assert (
        fields["Dose"] == "75 mg IV over 3 h (rounded to the vials from 72.8 mg (+3%, within 5%))"
    )
    assert fields["Units requested"] == "75 units of J9207 per dose"
    assert fields["Billing"].startswith("J9207-JZ × 75 units")

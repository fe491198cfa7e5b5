"""The prior-authorization summary as HTML: everything a reviewer needs, free text escaped, and a
request that does not meet the policy printed as such."""

from __future__ import annotations

from datetime import date, datetime
from html import unescape

from conftest import order_kwargs

from ixempra_gui import __version__
from ixempra_gui.core.calculator import calculate
from ixempra_gui.core.coverage import evaluate_coverage
from ixempra_gui.core.coverage_input import CoverageRequest
from ixempra_gui.core.coverage_rules import PriorTherapy, RequestType, Setting
from ixempra_gui.core.models import Order
from ixempra_gui.core.prior_auth import prior_authorization_summary
from ixempra_gui.presentation.prior_auth_sheet import prior_auth_html

DOSE = calculate(Order(**order_kwargs(regimen="capecitabine")))
REQUEST = CoverageRequest(
    request=RequestType.INITIAL,
    diagnosis="c50912",
    request_date=date(2025, 8, 31),
    setting=Setting.METASTATIC,
    resistant_to=frozenset({PriorTherapy.ANTHRACYCLINE, PriorTherapy.TAXANE}),
)
PRINTED = datetime(2025, 8, 31, 9, 30)


def html_for(request: CoverageRequest = REQUEST, patient: str = "MRN-0042") -> str:
    summary = prior_authorization_summary(DOSE, evaluate_coverage(request, DOSE), patient)
    return prior_auth_html(summary, PRINTED)


def test_free_text_prints_literally() -> None:
    html = html_for(patient="<b>x</b> & co")
    assert "<b>x</b>" not in html
    assert "&lt;b&gt;x&lt;/b&gt; &amp; co" in html


def test_everything_a_reviewer_needs() -> None:
    text = unescape(html_for())
    for expected in (
        "Verdict: meets I.1.A.i",
        "Every criterion needed is met and no exclusion applies",
        "MRN-0042",
        "initial authorization",
        "2025-08-31 to 2026-02-28 (6 months)",
        "C50.912 — Malignant neoplasm of unspecified site of left female breast",
        "metastatic",
        "anthracycline, taxane",
        "Ixempra in combination with capecitabine",
        "72.8 mg IV over 3 h",
        "one dose every 21 days",
        "40 mg/m²",
        "75 units of J9207 per dose",
        "J9207-JW × 2 units: discarded",
        "90 billable units per 21 days",
        "Policy MG.MM.PH.153 (EmblemHealth / ConnectiCare), last reviewed 2025-03-31",
        "In combination with capecitabine for disease resistant",  # a criterion's wording
        "regimen: with capecitabine; resistant to: anthracycline, taxane",  # its answer
        "Exclusions checked",
        "Dosing exceeds single dose limit",
        "does not apply",
        "Prescriber signature:",
        "Prescriber name and NPI:",
        f"Printed 2025-08-31 09:30 by Ixempra dosing workstation {__version__}",
    ):
        assert expected in text, expected


def test_a_request_that_does_not_meet_says_so_with_every_reason() -> None:
    from dataclasses import replace

    text = unescape(html_for(replace(REQUEST, setting=Setting.ADJUVANT, diagnosis="C50.9")))
    assert "Verdict: does not meet the policy criteria" in text
    assert "Not met, each with its policy section:" in text
    for section in ("[ICD-10 Diagnoses]", "[I.1.A]", "[Limitations/Exclusions 1]"):
        assert section in text, section
    assert "<b>NOT MET</b>" in text and "<b>APPLIES</b>" in text
    assert "criteria not met" in text  # no period requested

"""The worksheet text: everything a second pharmacist needs, free text escaped, ready only."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from ixempra_gui import __version__
from ixempra_gui.presentation.order_view import FormInput, present
from ixempra_gui.presentation.preferences import Preferences
from ixempra_gui.presentation.worksheet import NotReadyError, worksheet_html

TODAY = date(2025, 5, 1)
FORM = FormInput(
    patient_id="<b>x</b> & co",
    height="5 ft 7 in",
    weight="154 lb",
    regimen="monotherapy",
    ast="30 U/L",
    ast_uln="40 U/L",
    alt="25 U/L",
    alt_uln="40 U/L",
    bilirubin="0.8 mg/dL",
    bilirubin_uln="1.2 mg/dL",
    anc="1800",
    platelets="150000",
    height_measured_on=(TODAY - timedelta(days=20)).isoformat(),
    weight_measured_on=(TODAY - timedelta(days=2)).isoformat(),
    labs_drawn_on=(TODAY - timedelta(days=1)).isoformat(),
)
PRINTED = datetime(2025, 5, 1, 9, 30)


def html_for(form: FormInput = FORM) -> str:
    view = present(form, Preferences(), TODAY)
    return worksheet_html(form, view, PRINTED, "MG.MM.PH.153", "2025-03-31")


def test_free_text_prints_literally() -> None:
    html = html_for()
    assert "<b>x</b>" not in html
    assert "&lt;b&gt;x&lt;/b&gt; &amp; co" in html


def test_contains_inputs_dates_figures_billing_and_signatures() -> None:
    html = html_for()
    for expected in (
        "72.8 mg",
        "40 mg/m²",
        "1.82 m²",
        "5 ft 7 in (170.18 cm), measured 2025-04-11",
        "154 lb (69.85 kg), measured 2025-04-29",
        "Labs drawn on",
        "2025-04-30",
        "Dose = 40 mg/m² × 1.82 m² = 72.8 mg",  # a calculation step
        "Withdraw 36.4 mL",
        "J9207-JW × 2 units",
        "IXEMPRA PI",  # a reason's source
        "Prepared by",
        "Verified by",
        "Compounded by",
        f"Ixempra dosing workstation {__version__}",
        "policy MG.MM.PH.153 (reviewed 2025-03-31)",
        "printed 2025-05-01 09:30 (UTC",  # the running header: the zone, said once
    ):
        assert expected in html, expected


def test_no_worksheet_for_a_dose_that_is_not_ready() -> None:
    with pytest.raises(NotReadyError):
        html_for(replace(FORM, regimen="capecitabine", ast="120 U/L"))
    with pytest.raises(NotReadyError):
        html_for(replace(FORM, height="70 kg"))


def test_not_yet_verified_until_a_journal_record_is_given() -> None:
    html = html_for()
    assert "Not yet verified: no journal record for this dose." in html
    view = present(FORM, Preferences(), TODAY)
    signed = worksheet_html(
        FORM,
        view,
        PRINTED,
        "MG.MM.PH.153",
        "2025-03-31",
        "Journal record 12, verified by <B. Checker> (prepared by A. Pharmacist)",
    )
    assert "Journal record 12, verified by &lt;B. Checker&gt; (prepared by A. Pharmacist)" in (
        signed
    )
    assert "Not yet verified" not in signed


def test_administration_date_is_printed() -> None:
    html = html_for(replace(FORM, administered_on="2025-05-02"))
    assert (
        "<td align='left' valign='top' width='25%'><b>Administered on</b></td>"
        "<td align='left' valign='top' width='25%'>2025-05-02</td>"
    ) in html
    assert "administered on 2025-05-02" in html  # and in the header of every page


def page_one_and_two(html: str) -> tuple[str, str]:
    first, second = html.split("page-break-before: always", 1)
    return first, second


def test_page_one_is_the_compounding_record() -> None:
    """Preparation first: each kit with blanks for lot, expiry and the time reconstituted
    (→ use by), each step with a time and initials, room for the scans, the signatures."""
    first, second = page_one_and_two(html_for())
    for expected in (
        "45 mg kit (1 of 1)",
        "15 mg kit (2 of 2)",
        "Lot",
        "Expiry",
        "Reconstituted at",
        "Use by (+1 h)",
        "Initials",
        "1. Reconstitute 1 × 45 mg vial with 23.5 mL of the supplied diluent",
        "5. Infuse over 3 h",
        "Kits scanned",
        "Prepared by",
        "Verified by",
        "Compounded by",
        "Not yet verified",
    ):
        assert expected in first, expected
        assert expected not in second, expected  # each fact once
    # the derivation and its sources follow on page 2
    for expected in ("Inputs", "Calculation, step by step", "Billing", "IXEMPRA PI"):
        assert expected in second and expected not in first, expected


def test_each_fact_is_printed_once() -> None:
    html = html_for()
    body = html.split("<body", 1)[1]
    once = (
        "Reconstitute 1 × 45 mg vial",  # a compounding step
        "Withdraw 36.4 mL (72.8 mg)",
        "J9207 × 73 units",  # the units administered
        "J9207-JW × 2 units",
        "1 × 45 mg + 2 × 15 mg",  # the vial plan
        "package code not yet verified against the current label",  # the long NDC notice
        "Mosteller, NEJM 1987",
    )
    for fact in once:
        assert body.count(fact) == 1, (fact, body.count(fact))


def test_times_in_one_local_format_and_the_zone_stated_once() -> None:
    html = html_for(replace(FORM, prepared_at="2025-05-01 09:30"))
    body = html.split("<body", 1)[1]
    assert "Complete the infusion by 15:30" in body  # the page's day: the time alone
    assert "(UTC" not in body  # the zone is in the running header, once
    head = html.split("<body", 1)[0]
    assert head.count("(UTC") == 1


def test_a_verified_order_prints_its_record_and_short_hash() -> None:
    view = present(FORM, Preferences(), TODAY)
    line = "Journal record 12 (hash 0123456789ab), verified by B (prepared by A)"
    first, _ = page_one_and_two(
        worksheet_html(FORM, view, PRINTED, "MG.MM.PH.153", "2025-03-31", line)
    )
    assert "Journal record 12 (hash 0123456789ab)" in first

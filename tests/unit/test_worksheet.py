"""The worksheet text: everything a second pharmacist needs, free text escaped, ready only."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from ixempra_gui import __version__
from ixempra_gui.preferences import Preferences
from ixempra_gui.presenter import FormInput, present
from ixempra_gui.worksheet import NotReadyError, worksheet_html

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
        "Prepared by:",
        "Verified by:",
        f"Ixempra dosing workstation {__version__}",
        "policy MG.MM.PH.153 (reviewed 2025-03-31)",
        "printed 2025-05-01 09:30",
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
    assert "<th align='left' valign='top'>Administered on</th><td>2025-05-02</td>" in html

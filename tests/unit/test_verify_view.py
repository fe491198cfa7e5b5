"""The Verify button's conditions, the second order built from the verifier's entry, and how
differences and records are worded (Qt-free; the rules themselves are the journal's)."""

from __future__ import annotations

import dataclasses
from dataclasses import replace
from datetime import date, datetime

import pytest

from ixempra_gui.core import order_fields
from ixempra_gui.core.calculator import calculate
from ixempra_gui.journal.double_check import compare, sign_off_problems
from ixempra_gui.journal.entries import StoredRecord
from ixempra_gui.presentation.fields import FIELD_LABELS
from ixempra_gui.presentation.order_view import FormInput, build_order
from ixempra_gui.presentation.preferences import Preferences
from ixempra_gui.presentation.verify_view import (
    SecondEntry,
    compared_line,
    comparison_summary,
    difference_rows,
    readable_problems,
    record_line,
    reentered_fields,
    second_form,
    site_settings_line,
    verify_blocker,
)

TODAY = date(2025, 5, 1)
NOW = datetime(2025, 5, 1, 9, 30)
FIRST = FormInput(
    patient_id="MRN-1",
    administered_on="2025-05-01",
    height="170 cm",
    weight="70 kg",
    regimen="monotherapy",
    ast="30 U/L",
    ast_uln="40 U/L",
    alt="25 U/L",
    alt_uln="40 U/L",
    bilirubin="0.8 mg/dL",
    bilirubin_uln="1.2 mg/dL",
    anc="1800",
    platelets="150000",
    strong_cyp3a4_inhibitor=True,
    prior_hypersensitivity=True,
    reduction_reason="noted",
)
SAME = SecondEntry(
    values={
        "height": "1.7 m",
        "weight": "70",
        "ast": "30",
        "ast_uln": "40",
        "alt": "25",
        "alt_uln": "40",
        "bilirubin": "0.8",
        "bilirubin_uln": "1.2",
        "anc": "1800",
        "platelets": "150 10^9/L",
        "regimen": "monotherapy",
        "strong_cyp3a4_inhibitor": True,
    },
    units={"height": "cm", "weight": "kg", "ast": "u/l", "alt": "u/l", "bilirubin": "mg/dl"},
)
EXACT = replace(
    SAME,
    values={
        **SAME.values,
        **{k: getattr(FIRST, k) for k in ("height", "weight", "platelets")},
        **{k: getattr(FIRST, k) for k in ("ast", "ast_uln", "alt", "alt_uln")},
        **{k: getattr(FIRST, k) for k in ("bilirubin", "bilirubin_uln")},
    },
)


def results(first: FormInput, entry: SecondEntry):
    prefs = Preferences()
    a = calculate(build_order(first, prefs, NOW))
    b = calculate(build_order(second_form(first, entry), prefs, NOW))
    return a, b


def test_every_field_that_can_change_the_dose_is_reentered() -> None:
    # Fails when an Order field is added without being declared, or declared as changing the
    # dose without being re-entered (issue 12, point 7).
    assert order_fields.undeclared() == ()
    for declared in order_fields.ORDER_FIELDS:
        if declared.changes_dose and declared.owner is order_fields.Owner.ORDER:
            assert declared.key in reentered_fields(FIRST), declared.key
    assert set(reentered_fields(FIRST)) >= {
        "regimen", "height", "weight", "ast", "ast_uln", "alt", "alt_uln", "bilirubin",
        "bilirubin_uln", "anc", "platelets", "current_nonheme_toxicity_grade", "worst_events",
        "toxicity_reductions", "reduction_mode", "dose_level", "hepatic_escalation_level",
        "strong_cyp3a4_inhibitor", "strong_cyp3a4_inducer", "gilbert_syndrome",
        "cremophor_hypersensitivity", "bsa_formula", "diluent",
    }  # fmt: skip
    # every re-entered field is a form field (the dialog builds an input for each)
    assert set(reentered_fields(FIRST)) <= {f.name for f in dataclasses.fields(FormInput)}


def test_the_second_form_takes_the_verifiers_values_and_copies_only_the_rest() -> None:
    entry = replace(
        SAME,
        units={**SAME.units, "bilirubin": "umol/l"},
        values={**SAME.values, "weight": "77"},
    )
    form = second_form(FIRST, entry)
    assert (form.height, form.weight, form.ast_uln) == ("1.7 m", "77", "40")
    assert form.bilirubin_unit == "umol/l"  # the verifier's selector, for the lab and its ULN
    # copied: what is not re-entered
    assert form.prior_hypersensitivity and form.reduction_reason == "noted"
    assert form.patient_id == "MRN-1" and not form.acknowledge_warnings
    # not entered: the form's default, never the first entry's value
    empty = second_form(FIRST, SecondEntry())
    assert empty.height == "" and empty.regimen is None
    assert not empty.strong_cyp3a4_inhibitor and empty.anc == ""


def test_a_cyp3a4_inhibitor_not_reentered_is_a_difference_in_value() -> None:
    without = replace(SAME, values={**SAME.values, "strong_cyp3a4_inhibitor": False})
    comparison = compare(*results(FIRST, without))
    assert not comparison.matches
    fields = [d.field for d in comparison.material]
    assert fields[0] == "strong_cyp3a4_inhibitor" and "dose_mg" in fields
    rows = difference_rows(comparison)
    assert rows[0].text.startswith("Strong CYP3A4 inhibitor (input): first entry yes — second")


def test_unticked_and_empty_optional_fields_match_when_the_first_left_them_so() -> None:
    comparison = compare(*results(FIRST, EXACT))
    assert comparison.differences == ()  # no grade, no events, no prescribed level: all alike


def test_the_same_order_typed_differently_matches() -> None:
    a, b = results(FIRST, SAME)
    comparison = compare(a, b)
    assert comparison.matches and comparison.differences  # listed, not material
    assert "match" in comparison_summary(comparison)
    rows = difference_rows(comparison)
    assert all(not r.material and "same value" in r.text for r in rows)
    height = next(r.text for r in rows if r.text.startswith("Height"))
    assert height.startswith(
        "Height (input): first entry 170 cm — second entry 1.7 m (170 cm) — same value"
    )
    assert len([r for r in rows if r.text.startswith("Platelets")]) == 1  # one row each


def test_the_summary_names_every_field_compared_and_the_site_settings() -> None:
    line = compared_line()
    for key in reentered_fields(FIRST):
        assert FIELD_LABELS[key] in line, key
    assert "Copied from the first entry, not re-entered: Reduction reason" in line
    site = site_settings_line(Preferences())
    assert site.startswith("Site settings, not re-entered")
    assert "Bag sizes (preference): 250, 100, 500 mL" in site


def test_differences_in_value_come_first_in_the_screens_words() -> None:
    a, b = results(FIRST, replace(SAME, values={**SAME.values, "weight": "77"}))
    comparison = compare(a, b)
    rows = difference_rows(comparison)
    materials = [r.material for r in rows]
    assert materials == sorted(materials, reverse=True)  # every material one before the others
    texts = [r.text for r in rows]
    assert texts[0].startswith("Weight (input): first entry 70 kg — second entry 77")
    assert any(t.startswith("Dose (result): first entry 36.4 mg") for t in texts)
    assert "DIFFER" in comparison_summary(comparison)
    problems = readable_problems(sign_off_problems(comparison, "Ann", "Ben"), comparison)
    assert len(problems) == 1
    assert "(Weight, BSA, BSA used for the dose, Dose," in problems[0]
    assert "bsa_m2" not in problems[0]


def test_no_difference_says_so() -> None:
    a, b = results(FIRST, EXACT)
    assert compare(a, b).differences == ()
    assert comparison_summary(compare(a, b)).startswith("The two entries match: every")


@pytest.mark.parametrize(
    ("ready", "patient", "when", "expected"),
    [
        (False, "MRN-1", "2025-05-01", "only for a dose that is ready"),
        (True, "", "2025-05-01", "Enter the patient identifier"),
        (True, "MRN\t1", "2025-05-01", "control character"),
        (True, "MRN-1", "05/01/2025", "expected YYYY-MM-DD"),
        (True, "MRN-1", "2025-02-30", "not a calendar date"),
        (True, "MRN-1", "2025-05-01", None),
    ],
)
def test_why_verify_is_unavailable(
    ready: bool, patient: str, when: str, expected: str | None
) -> None:
    blocker = verify_blocker(ready, "Not available: hold.", patient, when, TODAY)
    if expected is None:
        assert blocker is None
    else:
        assert blocker is not None and expected in blocker


def test_an_order_already_verified_is_not_verified_twice() -> None:
    blocker = verify_blocker(True, "", "MRN-1", "2025-05-01", TODAY, verified_record=7)
    assert blocker is not None and "Already verified: journal record 7" in blocker


def test_the_record_line_names_the_record_and_both_people() -> None:
    record = StoredRecord(
        12,
        "0123456789abcdef" * 4,
        "p",
        {
            "prepared_by": "A. Pharmacist",
            "verified_by": "B. Checker",
            "recorded_at": "2025-05-01T09:31:07.123456+00:00",
        },
    )
    # stored in UTC, shown in local time: with its zone on screen, the time alone on a page
    # whose header states the zone
    local = datetime.fromisoformat("2025-05-01T09:31:07+00:00").astimezone()
    zone = local.strftime("%z")
    assert record_line(record) == (
        "Journal record 12 (hash 0123456789ab), verified by B. Checker (prepared by "
        "A. Pharmacist), names typed, not authenticated, recorded "
        f"{local:%Y-%m-%d %H:%M} (UTC{zone[:3]}:{zone[3:]})"
    )
    assert record_line(record, local.date()).endswith(f"recorded {local:%H:%M}")
    # a site journal's record: the server said who both were (issue 14)
    signed = StoredRecord(12, record.hash, "p", {**record.content, "authenticated": True})
    assert "(prepared by A. Pharmacist), recorded" in record_line(signed)
    assert "not authenticated" not in record_line(signed)
    assert record.short_hash == "0123456789ab"  # issue 13.4: the first 12 hex digits


def test_a_choice_shows_as_its_selector_shows_it_not_as_its_key() -> None:
    second = replace(SAME, values={**SAME.values, "bsa_formula": "dubois"})
    rows = difference_rows(compare(*results(FIRST, second)))
    formula = next(r for r in rows if r.field.startswith("BSA formula"))
    assert (formula.first, formula.second) == ("Mosteller", "DuBois & DuBois")
    assert "first entry Mosteller — second entry DuBois & DuBois" in formula.text

"""The Verify button's conditions, the second order built from the verifier's entry, and how
differences and records are worded (Qt-free; the rules themselves are the journal's)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest

from ixempra_gui.core.calculator import calculate
from ixempra_gui.journal.double_check import compare, sign_off_problems
from ixempra_gui.journal.entries import StoredRecord
from ixempra_gui.preferences import Preferences
from ixempra_gui.presenter import FormInput, build_order
from ixempra_gui.verify_view import (
    SecondEntry,
    comparison_summary,
    difference_rows,
    readable_problems,
    record_line,
    reentered_fields,
    second_form,
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
    strong_cyp3a4_inhibitor=True,
    diluent="sodium-chloride",
)
SAME = SecondEntry(
    texts={
        "height": "1.7 m",
        "weight": "70",
        "ast": "30",
        "ast_uln": "40",
        "alt": "25",
        "alt_uln": "40",
        "bilirubin": "0.8",
        "bilirubin_uln": "1.2",
    },
    units={"height": "cm", "weight": "kg", "ast": "u/l", "alt": "u/l", "bilirubin": "mg/dl"},
    regimen="monotherapy",
)


FIRST_TEXTS = {
    k: getattr(FIRST, k)
    for k in (
        "height",
        "weight",
        "ast",
        "ast_uln",
        "alt",
        "alt_uln",
        "bilirubin",
        "bilirubin_uln",
    )
}


def results(first: FormInput, entry: SecondEntry):
    prefs = Preferences()
    a = calculate(build_order(first, prefs, NOW))
    b = calculate(build_order(second_form(first, entry), prefs, NOW))
    return a, b


def test_anc_and_platelets_are_reentered_only_when_the_first_entry_had_them() -> None:
    assert "anc" not in reentered_fields(FIRST) and "platelets" not in reentered_fields(FIRST)
    with_counts = replace(FIRST, anc="1800 /mm3", platelets=" ")
    assert "anc" in reentered_fields(with_counts)
    assert "platelets" not in reentered_fields(with_counts)
    assert reentered_fields(FIRST)[:3] == ("height", "weight", "regimen")


def test_the_second_form_takes_the_verifiers_values_and_copies_the_rest() -> None:
    entry = replace(
        SAME, units={**SAME.units, "bilirubin": "umol/l"}, texts={**SAME.texts, "weight": "77"}
    )
    form = second_form(FIRST, entry)
    assert (form.height, form.weight, form.ast_uln) == ("1.7 m", "77", "40")
    assert form.bilirubin_unit == "umol/l"  # the verifier's selector, for the lab and its ULN
    # not re-entered: the first entry's
    assert form.strong_cyp3a4_inhibitor and form.diluent == "sodium-chloride"
    assert form.patient_id == "MRN-1" and not form.acknowledge_warnings
    # the verifier's empty field stays empty: nothing of the first entry fills it
    assert second_form(FIRST, SecondEntry()).height == ""
    assert second_form(FIRST, SecondEntry()).regimen is None


def test_the_same_order_typed_differently_matches() -> None:
    a, b = results(FIRST, SAME)
    comparison = compare(a, b)
    assert comparison.matches and comparison.differences  # listed, not material
    assert "match" in comparison_summary(comparison)
    rows = difference_rows(comparison)
    assert all(not r.material and "same value, typed differently" in r.text for r in rows)
    height = next(r.text for r in rows if r.text.startswith("Height"))
    assert height == (
        "Height (input): first entry 170 cm — second entry 1.7 m (170 cm) — same value, "
        "typed differently"
    )


def test_differences_in_value_come_first_in_the_screens_words() -> None:
    a, b = results(FIRST, replace(SAME, texts={**SAME.texts, "weight": "77"}))
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
    a, b = results(FIRST, replace(SAME, texts=FIRST_TEXTS))
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
    assert record_line(record) == (
        "Journal record 12 (hash 0123456789ab), verified by B. Checker (prepared by "
        "A. Pharmacist), recorded 2025-05-01 09:31 UTC"
    )
    assert record.short_hash == "0123456789ab"  # issue 13.4: the first 12 hex digits

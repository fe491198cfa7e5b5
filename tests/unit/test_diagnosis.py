"""ICD-10 codes: every code of the policy is accepted however it is typed; wrong codes are refused
with the reason (a coverage finding, never an exception)."""

from __future__ import annotations

import re

import pytest
from conftest import SHARED_SPEC
from hypothesis import given
from hypothesis import strategies as st

from ixempra_gui.core.diagnosis import check_diagnosis, normalise_icd10
from ixempra_gui.core.policy import load_policy

POLICY = load_policy()
CODES = [code for code, _ in POLICY.icd10]


@pytest.mark.parametrize("code", CODES)
def test_every_policy_code_is_accepted_in_every_spelling(code: str) -> None:
    description = dict(POLICY.icd10)[code]
    for typed in (code, code.lower(), code.replace(".", ""), f"  {code.lower()} ", f"\t{code}\n"):
        check = check_diagnosis(typed, POLICY)
        assert check.accepted, typed
        assert (check.code, check.description, check.reason_code) == (code, description, None)


def test_every_code_in_the_policy_text_is_accepted() -> None:
    path = SHARED_SPEC / "policy-MG.MM.PH.153.txt"
    if not path.is_file():
        pytest.skip(f"policy text not found at {path}")
    in_text = set(re.findall(r"\b(C50\.\d{3}|Z85\.3)\b", path.read_text(encoding="utf-8")))
    assert len(in_text) == 55
    assert all(check_diagnosis(code, POLICY).accepted for code in in_text)


@pytest.mark.parametrize(
    ("typed", "code", "reason"),
    [
        ("C50.9", "C50.9", "diagnosis_not_billable"),
        ("C50.91", "C50.91", "diagnosis_not_billable"),
        ("c5091", "C50.91", "diagnosis_not_billable"),
        ("C50", "C50", "diagnosis_not_billable"),
        ("Z85", "Z85", "diagnosis_not_billable"),
        ("C34.90", "C34.90", "diagnosis_not_covered"),
        ("Z85.30", "Z85.30", "diagnosis_not_covered"),
        ("C50.9111", "C50.9111", "diagnosis_not_covered"),
        ("C50.913", "C50.913", "diagnosis_not_covered"),
        ("D05.11", "D05.11", "diagnosis_not_covered"),
        ("", None, "diagnosis_missing"),
        ("   ", None, "diagnosis_missing"),
        (None, None, "diagnosis_missing"),
        ("breast cancer", None, "diagnosis_malformed"),
        ("C5O.911", None, "diagnosis_malformed"),  # letter O for zero
        ("C50..911", None, "diagnosis_malformed"),
        ("C509.11", None, "diagnosis_malformed"),
        ("C50 911", None, "diagnosis_malformed"),
        ("50.911", None, "diagnosis_malformed"),
    ],
)
def test_wrong_codes_are_refused_with_the_reason(
    typed: str | None, code: str | None, reason: str
) -> None:
    check = check_diagnosis(typed, POLICY)
    assert not check.accepted
    assert (check.code, check.description, check.reason_code) == (code, None, reason)
    assert check.message.startswith("Diagnosis")
    if code:
        assert code in check.message


def test_a_category_names_complete_codes_to_use() -> None:
    message = check_diagnosis("C50.91", POLICY).message
    assert "C50.911" in message and "C50.919" in message and "category" in message
    assert message.endswith("C50.911, C50.912, C50.919.")  # three children: no ellipsis
    many = check_diagnosis("C50.9", POLICY).message
    assert many.endswith("e.g. C50.911, C50.912, C50.919, …") and "…." not in many


def test_a_code_off_the_list_says_what_the_list_holds() -> None:
    message = check_diagnosis("C34.90", POLICY).message
    assert "C50.011–C50.929" in message and "Z85.3" in message and "55 codes" in message


@pytest.mark.parametrize(
    ("typed", "normal"),
    [("c50911", "C50.911"), (" C50.911 ", "C50.911"), ("z853", "Z85.3"), ("C50", "C50")],
)
def test_normal_form(typed: str, normal: str) -> None:
    assert normalise_icd10(typed) == normal


@given(st.text(max_size=12))
def test_any_text_is_judged_never_raises(text: str) -> None:
    check = check_diagnosis(text, POLICY)
    assert check.accepted == (normalise_icd10(text) in CODES)
    assert check.accepted == (check.reason_code is None)

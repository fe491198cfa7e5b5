"""The payer policy lives as data: it loads, and it agrees with the policy text."""

from __future__ import annotations

import re

import pytest
from conftest import SHARED_SPEC

from ixempra_gui.core.policy import load_policy


def test_policy_loads_with_its_numbers() -> None:
    policy = load_policy()
    assert (policy.id, policy.last_review) == ("MG.MM.PH.153", "2025-03-31")
    assert (policy.hcpcs, policy.mg_per_unit) == ("J9207", 1)
    assert (policy.max_units, policy.per_days, policy.authorization_months) == (90, 21, 6)
    assert [v.strength_mg for v in policy.vials] == [45, 15]
    assert policy.vial(15).ndc11 == "70020-1910-01" and policy.vial(15).ndc11_verified
    assert policy.vial(45).ndc11 == "70020-1911-01" and not policy.vial(45).ndc11_verified


def test_icd10_list_is_clean_and_complete() -> None:
    codes = [code for code, _ in load_policy().icd10]
    assert len(codes) == len(set(codes)) == 55
    assert codes[0] == "C50.011" and codes[-1] == "Z85.3"
    assert all(re.fullmatch(r"C50\.[0-9][12][129]|Z85\.3", c) for c in codes)


def test_every_code_in_the_policy_text_is_in_the_list() -> None:
    path = SHARED_SPEC / "policy-MG.MM.PH.153.txt"
    if not path.is_file():
        pytest.skip(f"policy text not found at {path}")
    in_text = set(re.findall(r"\b(C50\.\d{3}|Z85\.3)\b", path.read_text(encoding="utf-8")))
    assert in_text and in_text <= {code for code, _ in load_policy().icd10}


def test_text_numbers_match_the_data() -> None:
    path = SHARED_SPEC / "policy-MG.MM.PH.153.txt"
    if not path.is_file():
        pytest.skip(f"policy text not found at {path}")
    text = path.read_text(encoding="utf-8")
    policy = load_policy()
    assert f"{policy.max_units} billable units per {policy.per_days} days" in text
    assert f"provided for {policy.authorization_months} months" in text
    for vial in policy.vials:
        assert f"{vial.ndc10}-xx\tIxempra {vial.strength_mg} mg" in text

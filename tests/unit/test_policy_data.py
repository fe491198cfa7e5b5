"""The payer policy lives as data: it loads, and it agrees with the policy text."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from conftest import REPO, SHARED_SPEC

from ixempra_gui.core.policy import PolicyDataError, load_policy, parse_policy


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


# --- coverage rules (schema 2, issue 5) -------------------------------------------------------


def _policy_text() -> str:
    path = SHARED_SPEC / "policy-MG.MM.PH.153.txt"
    if not path.is_file():
        pytest.skip(f"policy text not found at {path}")
    return " ".join(path.read_text(encoding="utf-8").split())


def test_initial_criteria_as_data() -> None:
    rules = load_policy().coverage
    assert rules.indication.section == "I.1.A"
    assert {s.value for s in rules.indication.settings} == {"recurrent", "metastatic"}
    i, ii = rules.criteria
    assert (i.id, i.regimen.value, ii.id, ii.regimen.value) == (
        "I.1.A.i",
        "capecitabine",
        "I.1.A.ii",
        "monotherapy",
    )
    assert [
        (sorted(t.value for t in p.resistant_to), p.requires_anthracycline_contraindicated)
        for p in i.any_of
    ] == [(["anthracycline", "taxane"], False), (["taxane"], True)]
    assert [sorted(t.value for t in p.resistant_to) for p in ii.any_of] == [
        ["anthracycline", "capecitabine", "taxane"]
    ]
    assert not ii.any_of[0].requires_anthracycline_contraindicated


def test_exclusions_renewal_and_toxicities_as_data() -> None:
    policy = load_policy()
    rules = policy.coverage
    assert [(e.number, e.section) for e in rules.exclusions] == [
        (n, f"Limitations/Exclusions {n}") for n in range(1, 6)
    ]
    assert [r.id for r in rules.renewal] == ["II.1", "II.2", "II.3"]
    assert rules.renewal_id == "II"
    assert {r.value for r in rules.renewal[1].responses} == {"response", "stable"}
    assert [t.code for t in rules.toxicities] == [
        "peripheral-neuropathy",
        "myelosuppression",
        "hepatic-impairment",
        "hypersensitivity",
        "cardiac-dysfunction",
        "cardiac-ischemia",
    ]
    # The single-dose limit is one number, in one place, cited by exclusion 2.
    [level_exclusion] = [e for e in rules.exclusions if e.check == "dose_level_above_max"]
    assert level_exclusion.section == "Limitations/Exclusions 2"
    assert f"{policy.max_level_mg_per_m2}mg/m²" in level_exclusion.wording


def test_every_wording_is_the_policy_text() -> None:
    text = _policy_text()
    rules = load_policy().coverage
    wordings = [
        rules.indication.wording,
        *(c.wording for c in rules.criteria),
        *(e.wording for e in rules.exclusions),
        *(r.wording for r in rules.renewal),
    ]
    for wording in wordings:
        assert " ".join(wording.split()) in text, wording
    [toxicity_criterion] = [r for r in rules.renewal if r.check == "no_unacceptable_toxicity"]
    for tox in rules.toxicities:
        assert tox.wording in toxicity_criterion.wording
    for section in (
        rules.authorization_section,
        rules.diagnosis_section,
        rules.dosing_limit_section,
    ):
        assert section in text


def _data() -> dict[str, Any]:
    path = REPO / "resources" / "policy" / "MG.MM.PH.153.json"
    return json.loads(path.read_text(encoding="utf-8"))


def test_the_file_parses_to_the_loaded_policy() -> None:
    assert parse_policy(_data()) == load_policy()


def _break(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    data = copy.deepcopy(_data())
    change(data)
    return data


BROKEN = {
    "old schema": lambda d: d.update(schema_version=1),
    "no coverage": lambda d: d.pop("coverage"),
    "unknown exclusion check": lambda d: d["coverage"]["exclusions"][0].update(check="vibes"),
    "unknown setting": lambda d: d["coverage"]["initial"]["indication"].update(
        settings=["metastatic", "palliative"]
    ),
    "unknown regimen": lambda d: d["coverage"]["initial"]["criteria"][0].update(regimen="solo"),
    "unknown therapy": lambda d: d["coverage"]["initial"]["criteria"][1]["any_of"][0].update(
        resistant_to=["platinum"]
    ),
    "flag as text": lambda d: d["coverage"]["initial"]["criteria"][0]["any_of"][1].update(
        requires_anthracycline_contraindicated="yes"
    ),
    "criterion with no way to meet it": lambda d: d["coverage"]["initial"]["criteria"][0].update(
        any_of=[]
    ),
    "duplicate toxicity": lambda d: d["coverage"]["unacceptable_toxicities"].append(
        {"code": "myelosuppression", "wording": "myelosuppression"}
    ),
    "renewal check missing": lambda d: d["coverage"]["renewal"]["criteria"].pop(),
    "unknown response": lambda d: d["coverage"]["renewal"]["criteria"][1].update(
        responses=["response", "cured"]
    ),
    "empty wording": lambda d: d["coverage"]["exclusions"][3].update(wording=" "),
    "duplicate icd10": lambda d: d["icd10"].append(dict(d["icd10"][0])),
    "no dosing limit section": lambda d: d["dosing_limit"].pop("section"),
}


@pytest.mark.parametrize("name", BROKEN)
def test_loading_is_strict(name: str) -> None:
    with pytest.raises(PolicyDataError):
        parse_policy(_break(BROKEN[name]))

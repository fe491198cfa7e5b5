"""The kit product data: loads strictly, identifies kits by labeler + product, and agrees with
the policy's vials (the billing NDCs) so that the two files cannot drift apart."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from conftest import REPO
from gs1_codes import NDC_15, NDC_45

from ixempra_gui.core.kits import KitDataError, load_kits, parse_kits
from ixempra_gui.core.policy import load_policy
from ixempra_gui.core.resources import resource_path


def raw() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (REPO / "resources" / "product" / "ixempra-kits.json").read_text(encoding="utf-8")
    )
    return data


def test_the_kits_agree_with_the_policy_vials() -> None:
    kits, policy = load_kits(), load_policy()
    assert kits.strengths_mg == tuple(v.strength_mg for v in policy.vials) == (45, 15)
    for vial in policy.vials:
        kit = kits.kit(vial.strength_mg)
        assert kit.product_ndc == vial.ndc10
        assert kit.ndc11 == vial.ndc11
        assert kit.package_verified == vial.ndc11_verified


def test_the_45_mg_package_code_stays_unverified_with_its_reason() -> None:
    kit = load_kits().kit(45)
    assert kit.ndc11 == "70020-1911-01" and not kit.package_verified
    assert kit.note is not None and "§8" in kit.note
    assert load_kits().kit(15).package_verified


def test_the_file_is_found_where_the_resources_are() -> None:
    path = resource_path("product", "ixempra-kits.json")
    assert path.is_file() and path.parent.parent == resource_path()


def test_each_kit_knows_the_ndc_digits_of_its_gtin() -> None:
    kits = load_kits()
    assert (kits.kit(15).ndc_digits, kits.kit(45).ndc_digits) == (NDC_15, NDC_45)
    for kit in kits.kits:
        match = kits.identify(kit.ndc_digits)
        assert match is not None and match.product == kit and match.ndc11 == kit.ndc11


def test_a_kit_is_identified_by_labeler_and_product_code() -> None:
    kits = load_kits()
    match = kits.identify(NDC_15)
    assert match is not None and match.product.strength_mg == 15
    assert (match.ndc11, match.package_matches, match.ndc11_verified) == (
        "70020-1910-01",
        True,
        True,
    )
    other_package = kits.identify("7002019112")  # same 45 mg product, package code 2
    assert other_package is not None and other_package.product.strength_mg == 45
    assert other_package.ndc11 == "70020-1911-02"
    assert not other_package.package_matches and not other_package.ndc11_verified
    match45 = kits.identify(NDC_45)
    assert match45 is not None and match45.package_matches and not match45.ndc11_verified


@pytest.mark.parametrize("ndc10", ["7002019121", "1234567890", "700201910", "70020191011", ""])
def test_anything_else_is_not_a_kit(ndc10: str) -> None:
    assert load_kits().identify(ndc10) is None


def _broken(change: Any) -> dict[str, Any]:
    data = copy.deepcopy(raw())
    change(data)
    return data


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda d: d.update(schema_version=2), "schema 2 is not supported"),
        (lambda d: d.pop("kits"), "missing field 'kits'"),
        (lambda d: d.update(kits=[]), "non-empty list"),
        (lambda d: d.update(extra=1), "unknown field(s) extra"),
        (lambda d: d["kits"][0].update(colour="blue"), "unknown field(s) colour"),
        (lambda d: d["kits"][0].update(strength_mg="15"), "positive integer"),
        (lambda d: d["kits"][0].update(strength_mg=True), "positive integer"),
        (lambda d: d["kits"][1].update(strength_mg=15), "duplicate strengths"),
        (lambda d: d["kits"][0].update(labeler=70020), "digits as text"),
        (lambda d: d["kits"][0].update(product="19"), "not a 4-4, 5-3 or 5-4 NDC split"),
        (lambda d: d["kits"][0].update(package="11"), "does not fit a 10-digit NDC"),
        (lambda d: d["kits"][0].update(package="1"), "does not fit a 10-digit NDC"),
        (lambda d: d["kits"][1].update(product="1910"), "does not identify one kit"),
        (lambda d: d["kits"][0].update(package_verified="yes"), "true or false"),
        (lambda d: d["kits"][1].pop("note"), "needs a note"),
        (lambda d: d["kits"][0].update(description=" "), "non-empty text"),
        (lambda d: d["kits"][0].update(labeler="７００２０"), "digits as text"),
    ],
)
def test_bad_kit_data_is_refused_naming_the_problem(change: Any, words: str) -> None:
    with pytest.raises(KitDataError, match=r"^kit data: ") as caught:
        parse_kits(_broken(change))
    assert words in str(caught.value)


def test_the_shipped_file_parses_as_loaded() -> None:
    assert parse_kits(raw()) == load_kits()

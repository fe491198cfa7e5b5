"""Site preferences: defaults, round trip through the stored strings, bad values refused."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from ixempra_gui.presentation.preferences import (
    DEFAULT_BAG_SIZES_ML,
    PreferenceError,
    Preferences,
    from_mapping,
    parse_preference,
    to_mapping,
)


def test_defaults_are_the_products() -> None:
    prefs = Preferences()
    assert prefs.rounding_pct is None  # dose rounding off by default (clinical-rules §5)
    assert (prefs.body_max_age_days, prefs.labs_max_age_days) == (30, 3)
    assert prefs.bag_sizes_ml == DEFAULT_BAG_SIZES_ML == (250, 100, 500)
    assert (prefs.height_unit, prefs.weight_unit) == ("cm", "kg")
    assert (prefs.ast_uln, prefs.alt_uln, prefs.bilirubin_uln) == ("40 U/L", "40 U/L", "1.2 mg/dL")


def test_round_trip_through_stored_strings() -> None:
    prefs = replace(
        Preferences(),
        height_unit="in",
        weight_unit="lb",
        bilirubin_unit="umol/l",
        ast_uln="35 U/L",
        bag_sizes_ml=(100, 250),
        rounding_pct=Decimal("7.5"),
        labs_max_age_days=7,
    )
    stored = to_mapping(prefs)
    assert stored["rounding_pct"] == "7.5" and stored["bag_sizes_ml"] == "100, 250"
    assert from_mapping(stored) == (prefs, ())
    assert to_mapping(Preferences())["rounding_pct"] == "off"


def test_bad_stored_values_keep_their_default_and_are_reported() -> None:
    prefs, problems = from_mapping(
        {"height_unit": "furlong", "labs_max_age_days": "0", "weight_unit": "lb"}
    )
    assert prefs.height_unit == "cm" and prefs.labs_max_age_days == 3
    assert prefs.weight_unit == "lb"
    assert len(problems) == 2 and all("default kept" in p for p in problems)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("off", None), ("", None), ("0", None), ("5", Decimal(5)), ("10 %", Decimal(10))],
)
def test_rounding_percentage(text: str, expected: Decimal | None) -> None:
    assert parse_preference("rounding_pct", text) == expected


@pytest.mark.parametrize("text", ["10.1", "-5", "five", "nan", "inf"])
def test_rounding_percentage_above_hopas_ten_or_unreadable_is_refused(text: str) -> None:
    with pytest.raises(PreferenceError):
        parse_preference("rounding_pct", text)


@pytest.mark.parametrize(
    ("text", "expected"), [("250,100,500", (250, 100, 500)), ("100 mL; 250", (100, 250))]
)
def test_bag_sizes_keep_their_order_of_preference(text: str, expected: tuple[int, ...]) -> None:
    assert parse_preference("bag_sizes_ml", text) == expected


@pytest.mark.parametrize("text", ["", "250,250", "0", "big", "5000"])
def test_bad_bag_sizes_are_refused(text: str) -> None:
    with pytest.raises(PreferenceError):
        parse_preference("bag_sizes_ml", text)


@pytest.mark.parametrize(("text", "ok"), [("1", True), ("365", True), ("0", False), ("366", False)])
def test_staleness_limits(text: str, ok: bool) -> None:
    if ok:
        assert parse_preference("body_max_age_days", text) == int(text)
    else:
        with pytest.raises(PreferenceError):
            parse_preference("body_max_age_days", text)

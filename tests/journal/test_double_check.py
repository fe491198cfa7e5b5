"""The independent double check: every difference listed, and who may sign what."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import order_kwargs
from journal_support import DAY0

from ixempra_gui.core.calculator import calculate
from ixempra_gui.core.models import DoseResult, Order
from ixempra_gui.journal.double_check import (
    SignOffRefused,
    compare,
    sign_off,
    sign_off_problems,
)
from ixempra_gui.journal.entries import NewRecord
from ixempra_gui.journal.store import Journal


def calc(**changes: object) -> DoseResult:
    return calculate(Order(**order_kwargs(**changes)))


def test_identical_entries_match() -> None:
    c = compare(calc(), calc())
    assert c.differences == () and c.matches


def test_same_value_typed_differently_is_listed_but_not_material() -> None:
    c = compare(calc(height="170 cm", weight="70 kg"), calc(height="1.7 m", weight="70000 g"))
    assert {d.field for d in c.differences} == {"height", "weight"}
    assert not any(d.material for d in c.differences) and c.matches
    height = next(d for d in c.differences if d.field == "height")
    assert (height.first, height.second) == ("170 cm", "1.7 m (170 cm)")


def test_every_input_and_result_difference_is_listed() -> None:
    first = calc()
    second = calc(weight="80 kg", bilirubin="1.7 mg/dL", strong_cyp3a4_inhibitor=True)
    c = compare(first, second)
    fields = {(d.kind, d.field) for d in c.differences}
    assert {
        ("input", "weight"),
        ("input", "bilirubin"),
        ("input", "strong_cyp3a4_inhibitor"),
        ("result", "bsa_m2"),
        ("result", "bsa_used_m2"),
        ("result", "dose_level_mg_per_m2"),
        ("result", "dose_mg"),
        ("result", "vials"),
        ("result", "volume_ml"),
        ("result", "billing"),
        ("result", "bag_ml"),
        ("result", "concentration_mg_per_ml"),
        ("result", "rate_ml_per_h"),
    } == fields
    assert all(d.material for d in c.differences) and not c.matches
    dose = next(d for d in c.differences if d.field == "dose_mg")
    assert dose.first == "72.8 mg" and dose.second != dose.first


def test_cycle_and_preparation_inputs_are_compared_too() -> None:
    c = compare(
        calc(anc="1800 /mm3", diluent="lactated-ringers", prepared_at="2025-03-01T09:00+00:00"),
        calc(anc="1900 /mm3", diluent="sodium-chloride", prepared_at="2025-03-01T09:07+00:00"),
    )
    by_field = {d.field: d for d in c.differences}
    assert by_field["anc"].material and by_field["diluent"].material
    assert by_field["anc"].first.startswith("1800")
    # when each entry was typed is listed, but is not a difference to explain
    assert not by_field["prepared_at"].material
    assert by_field["prepared_at"].first == "2025-03-01T09:00+00:00"


def test_entries_made_minutes_apart_match() -> None:
    c = compare(
        calc(prepared_at="2025-03-01T09:00+00:00"), calc(prepared_at="2025-03-01T09:05+00:00")
    )
    assert c.matches and [d.field for d in c.differences] == ["prepared_at"]
    assert sign_off(c, "Ann", "Ben").comment == ""


def test_a_small_input_difference_with_the_same_dose_is_still_material() -> None:
    c = compare(calc(weight="70 kg"), calc(weight="70.1 kg"))  # BSA and dose unchanged
    assert [(d.kind, d.field) for d in c.material] == [("input", "weight")]
    assert "comment" in " ".join(sign_off_problems(c, "Ann", "Ben"))
    assert sign_off(c, "Ann", "Ben", "scale re-zeroed; 70.1 kg is right").comment


def test_the_two_users_must_differ() -> None:
    c = compare(calc(), calc())
    for same in (("Ann Lee", "Ann Lee"), ("Ann Lee", "ann lee"), ("Ann  Lee", "ANN LEE")):
        with pytest.raises(SignOffRefused, match="another person"):
            sign_off(c, *same)
    assert sign_off(c, "Ann Lee", "Ben Ray").verified_by == "Ben Ray"


@pytest.mark.parametrize(("prepared", "verified"), [("", "Ben"), ("Ann", "  "), ("Ann", "B\nen")])
def test_both_names_are_required(prepared: str, verified: str) -> None:
    with pytest.raises(SignOffRefused):
        sign_off(compare(calc(), calc()), prepared, verified)


def test_differences_need_an_explaining_comment() -> None:
    c = compare(calc(), calc(weight="77 kg"))
    for blank in ("", "   \n"):
        problems = sign_off_problems(c, "Ann", "Ben", blank)
        assert problems and "weight" in problems[0]
    signed = sign_off(c, "Ann", "Ben", "  patient re-weighed today  ")
    assert signed.comment == "patient re-weighed today"


def test_a_calculation_that_is_not_ready_cannot_be_signed() -> None:
    not_ready = calc(regimen="capecitabine", bilirubin="1.3 mg/dL")  # contraindicated
    c = compare(not_ready, not_ready)
    assert c.matches
    problems = sign_off_problems(c, "Ann", "Ben", "comment")
    assert len(problems) == 2 and "not ready" in problems[0]


def test_invalid_second_entry_is_a_material_difference() -> None:
    c = compare(calc(), calc(height="tall"))
    assert not c.matches and c.material[0].field == "inputs"
    assert sign_off_problems(c, "Ann", "Ben", "typo")  # not ready, whatever the comment


@pytest.mark.parametrize(
    ("dose_from", "dose", "weight"), [("first", 72.8, "70 kg"), ("second", 76.4, "77 kg")]
)
def test_a_signed_check_is_recorded_with_both_entries(
    tmp_path: Path, dose_from: str, dose: float, weight: str
) -> None:
    first_order = Order(**order_kwargs())
    second_order = Order(**order_kwargs(height="1.7 m", weight="77 kg"))
    c = compare(calculate(first_order), calculate(second_order))
    signed = sign_off(c, "Ann", "Ben", "patient re-weighed today", dose_from=dose_from)
    new = NewRecord.from_sign_off(signed, first_order, second_order, "P-9", DAY0)
    with Journal.open(tmp_path) as journal:
        stored = journal.record(new)
        assert journal.verify().ok
    check = stored.content["double_check"]
    assert stored.content["prepared_by"] == "Ann" and stored.content["verified_by"] == "Ben"
    assert check["comment"] == "patient re-weighed today" and check["dose_from"] == dose_from
    assert check["first_entry"]["weight"] == "70 kg" and check["second_entry"]["weight"] == "77 kg"
    assert {d["field"] for d in check["differences"]} >= {"height", "weight", "dose_mg"}
    assert stored.content["result"]["dose_mg"] == dose
    assert stored.content["inputs"]["weight"] == weight


def test_dose_from_must_name_an_entry() -> None:
    with pytest.raises(SignOffRefused, match="Dose from"):
        sign_off(compare(calc(), calc()), "Ann", "Ben", dose_from="both")

"""Wording defects found by the clinical audit (D6, D9, D10, D12): each text says what is true,
worded once in the core, so the window, the worksheet and the JSON say it the same way."""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import order_kwargs

from ixempra_gui.core import units
from ixempra_gui.core.calculator import calculate
from ixempra_gui.core.errors import FieldError
from ixempra_gui.core.models import DoseResult, Order, Status


def calc(**changes: object) -> DoseResult:
    return calculate(Order(**order_kwargs(**changes)))


def volume_step(result: DoseResult) -> str:
    [step] = [s for s in result.steps if s.startswith("Volume to withdraw")]
    assert step in result.derivation  # the worksheet's derivation says the same
    return step


# --- D6: the withdraw volume's derivation never states a false equality --------------------


def test_a_rounded_volume_shows_the_exact_quotient_and_the_rounding() -> None:
    # 200 cm, 72 kg: BSA 2 m²; 36.45 mg/m² → 72.9 mg; 72.9 ÷ 2 = 36.45 mL, drawn up as 36.5 mL.
    result = calc(height="200 cm", weight="72 kg", dose_level="36.45")
    assert result.status is Status.OK
    assert result.dose_mg == Decimal("72.9")
    assert result.volume_ml == Decimal("36.5")  # the rounded value is kept, on purpose
    assert volume_step(result) == (
        "Volume to withdraw = 72.9 mg ÷ 2 mg/mL = 36.45 mL, drawn up as 36.5 mL (to 0.1 mL)"
    )


def test_an_exact_volume_is_stated_as_it_was() -> None:
    result = calc()  # 72.8 mg
    assert volume_step(result) == "Volume to withdraw = 72.8 mg ÷ 2 mg/mL = 36.4 mL"


def test_a_whole_volume_has_no_trailing_zero() -> None:
    # 1.82 m² × 32.97 mg/m² = 60.0054 → 60 mg: 30 mL, not 30.0 mL.
    result = calc(dose_level="32.97")
    assert result.dose_mg == Decimal("60.0")
    assert volume_step(result) == "Volume to withdraw = 60 mg ÷ 2 mg/mL = 30 mL"


# --- D9: a low count at baseline is a contraindication, and the hold says so ----------------


@pytest.mark.parametrize(
    ("changes", "code", "limit"),
    [
        ({"anc": "1499 /mm3"}, "hold_anc", "ANC < 1,500 /mm³"),
        ({"platelets": "99,999 /mm3"}, "hold_platelets", "platelets < 100,000 /mm³"),
    ],
)
def test_a_low_count_hold_says_the_label_contraindicates_it_at_baseline(
    changes: dict[str, str], code: str, limit: str
) -> None:
    result = calc(**changes)
    assert result.status is Status.HOLD and not result.ready_to_prepare  # status unchanged
    [hold] = [r for r in result.reasons if r.code == code]
    assert "Do not begin the cycle until it does." in hold.message
    assert (
        f"Before the first cycle (a baseline count), the label contraindicates IXEMPRA at "
        f"{limit}: tell the prescriber." in hold.message
    )
    assert "Contraindications" in hold.source and "baseline" in hold.source
    assert "Dose Modification" in hold.source and "spec §4" in hold.source


def test_a_toxicity_hold_is_not_called_a_contraindication() -> None:
    result = calc(current_nonheme_toxicity_grade="2")
    [hold] = [r for r in result.reasons if r.code == "hold_current_nonheme_toxicity_grade"]
    assert "contraindicat" not in hold.message and "Contraindications" not in hold.source


# --- D10: a low lab's hint names only a unit that would explain it --------------------------


def low_hint(**changes: object) -> str:
    result = calc(**changes)
    [warning] = [e for e in result.errors if e.code == "below_usual"]
    return warning.message


@pytest.mark.parametrize(
    ("changes", "hint"),
    [
        ({"ast": "4"}, "was the result in µkat/L? (4 µkat/L = 240 U/L)"),
        ({"alt": "4 U/L"}, "was the result in µkat/L? (4 µkat/L = 240 U/L)"),
        ({"alt": "0.5 IU/L"}, "was the result in µkat/L? (0.5 µkat/L = 30 U/L)"),
        ({"bilirubin": "1 µmol/L"}, "was the result in mg/dL? (1 mg/dL = 17.1 µmol/L)"),
    ],
)
def test_the_hint_names_the_unit_whose_numbers_are_smaller(
    changes: dict[str, str], hint: str
) -> None:
    message = low_hint(**changes)
    assert f"lower than a real result usually is: {hint} Check it" in message
    other = "µmol/L" if "µkat/L" in hint else "µkat/L"
    assert other not in message


NO_UNIT = "is the decimal point where it should be? (No unit this field accepts would explain it.)"


@pytest.mark.parametrize(
    "changes",
    [
        {"bilirubin": "0.09"},  # µmol/L numbers are about 17× LARGER than mg/dL ones
        {"bilirubin": "0.05 mg/dL"},
        {"ast": "0.05 µkat/L"},  # U/L numbers are 60× larger than µkat/L ones
    ],
)
def test_no_unit_is_offered_when_none_would_explain_the_value(changes: dict[str, str]) -> None:
    message = low_hint(**changes)
    assert f"lower than a real result usually is: {NO_UNIT} Check it" in message
    assert "another unit" not in message and "?" not in message.replace(NO_UNIT, "")
    if "bilirubin" in changes:
        assert "µmol/L" not in message and "µkat/L" not in message


# --- D12: digits grouped with spaces are refused as such ------------------------------------


@pytest.mark.parametrize(
    ("spec", "text", "forms"),
    [
        (units.ANC, "1 500", "write 1500, 1,500 or 1.5 x10^9/L"),
        (units.ANC, "1 500 /mm3", "write 1500 /mm3, 1,500 /mm3 or 1.5 x10^9/L"),
        (units.ANC, "1\u202f500", "write 1500, 1,500 or 1.5 x10^9/L"),  # narrow no-break space
        (units.PLATELETS, "150 000", "write 150000, 150,000 or 150 x10^9/L"),
        (units.PLATELETS, "1 250 000 /µL", "write 1250000 /uL, 1,250,000 /uL or 1250 x10^9/L"),
    ],
)
def test_digits_grouped_with_spaces_are_named_as_such(
    spec: units.FieldSpec, text: str, forms: str
) -> None:
    with pytest.raises(FieldError) as caught:
        units.parse_measurement(spec, text)
    message = caught.value.message
    assert caught.value.code == "digits_grouped" and caught.value.field == spec.key
    assert message.startswith(f"{spec.label}: ")
    assert "digits grouped with spaces are not accepted" in message and forms in message
    assert "Accepted:" in message and "unit '" not in message


@pytest.mark.parametrize(
    ("spec", "text", "value"),
    [
        (units.ANC, "1,500", 1500),
        (units.ANC, "1.8 10^9/L", 1800),  # a number, a space, then the unit: still accepted
        (units.PLATELETS, "150,000 /mm3", 150_000),
    ],
)
def test_what_counts_accepted_is_still_accepted(
    spec: units.FieldSpec, text: str, value: int
) -> None:
    assert units.parse_measurement(spec, text).value == value

"""Unit parsing: each accepted spelling, each refused one (clinical-rules §1)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from ixempra_gui.core import units
from ixempra_gui.core.errors import FieldError

ACCEPTED = [
    (units.HEIGHT, "170 cm", Fraction(170)),
    (units.HEIGHT, "170cm", Fraction(170)),
    (units.HEIGHT, "1.7 m", Fraction(170)),
    (units.HEIGHT, "67 in", Fraction("170.18")),
    (units.HEIGHT, '67"', Fraction("170.18")),
    (units.HEIGHT, "5 ft 7 in", Fraction("170.18")),
    (units.HEIGHT, "5ft7in", Fraction("170.18")),
    (units.HEIGHT, "5'7\"", Fraction("170.18")),
    (units.HEIGHT, "5' 7", Fraction("170.18")),
    (units.HEIGHT, "5\u20327\u2033", Fraction("170.18")),  # prime marks
    (units.HEIGHT, "6 ft", Fraction("182.88")),
    (units.HEIGHT, "170", Fraction(170)),  # bare: default cm
    (units.WEIGHT, "70 kg", Fraction(70)),
    (units.WEIGHT, "70000 g", Fraction(70)),
    (units.WEIGHT, "154 lb", Fraction(154) * Fraction("0.45359237")),
    (units.WEIGHT, "154 lbs", Fraction(154) * Fraction("0.45359237")),
    (units.WEIGHT, "70", Fraction(70)),
    (units.AST, "35 U/L", Fraction(35)),
    (units.AST, "35 IU/L", Fraction(35)),
    (units.AST, "35 u/l", Fraction(35)),
    (units.AST, "0.6 ukat/L", Fraction(36)),  # 1 µkat/L = 60 U/L, exactly
    (units.AST, "0.6 µkat/L", Fraction(36)),  # micro sign
    (units.AST, "0.6 μkat/L", Fraction(36)),  # Greek mu
    (units.AST, "35", Fraction(35)),
    (units.BILIRUBIN, "1.1 mg/dL", Fraction("1.1")),
    (units.BILIRUBIN, "19 umol/L", Fraction(19) / Fraction("17.104")),  # 1 mg/dL = 17.104 µmol/L
    (units.BILIRUBIN, "19 µmol/L", Fraction(19) / Fraction("17.104")),
    (units.BILIRUBIN, "17.104 umol/L", Fraction(1)),
    (units.BILIRUBIN, "0.8", Fraction("0.8")),
]


@pytest.mark.parametrize(("spec", "text", "canonical"), ACCEPTED)
def test_accepted_spellings_convert_exactly(
    spec: units.FieldSpec, text: str, canonical: Fraction
) -> None:
    assert units.parse_measurement(spec, text).value == canonical


def test_bare_number_takes_the_selected_unit() -> None:
    assert units.parse_measurement(units.HEIGHT, "67", "in").value == Fraction("170.18")
    assert units.parse_measurement(units.WEIGHT, "154", "lb").entered_symbol == "lb"


def test_bilirubin_conversion_is_the_spec_factor_exactly() -> None:
    """clinical-rules §1: 1 mg/dL = 17.104 µmol/L — exactly, not the rounded molar mass's
    17.10396…, or a limit typed in µmol/L lands on the wrong side of it."""
    one_mg_dl = units.parse_measurement(units.BILIRUBIN, "1 mg/dL").value
    assert units.parse_measurement(units.BILIRUBIN, "17.104 µmol/L").value == one_mg_dl
    assert round(float(units.BILIRUBIN_MOLAR_MASS_G_PER_MOL), 2) == 584.66  # the spec's rounding


REFUSED = [
    (units.HEIGHT, "70 kg", "wrong_dimension"),
    (units.HEIGHT, "170 mm", "unknown_unit"),
    (units.HEIGHT, "", "required"),
    (units.HEIGHT, "   ", "required"),
    (units.HEIGHT, "0 cm", "not_positive"),
    (units.HEIGHT, "-170 cm", "not_positive"),
    (units.HEIGHT, "NaN", "not_finite"),
    (units.HEIGHT, "-inf", "not_finite"),
    (units.HEIGHT, "abc", "unreadable"),
    (units.HEIGHT, "1,70 m", "decimal_comma"),
    (units.HEIGHT, "1e2 cm", "unreadable"),
    (units.HEIGHT, "5 ft 12 in", "unreadable"),
    (units.HEIGHT, "1" * 80, "unreadable"),
    (units.WEIGHT, "70 u", "unknown_unit"),  # pint: atomic mass unit
    (units.WEIGHT, "70 mcg", "unknown_unit"),  # pint: micro-gram
    (units.WEIGHT, "70 kilogram", "unknown_unit"),  # only the listed spellings
    (units.WEIGHT, "170 cm", "wrong_dimension"),
    (units.AST, "30 U", "unknown_unit"),
    (units.AST, "30 mg/dL", "wrong_dimension"),
    (units.AST, "30 kat/L", "unknown_unit"),
    (units.BILIRUBIN, "19 mmol/L", "unknown_unit"),
    (units.BILIRUBIN, "1 mg/L", "unknown_unit"),
    (units.BILIRUBIN, "0.8 U/L", "wrong_dimension"),
]


@pytest.mark.parametrize(("spec", "text", "code"), REFUSED)
def test_refused_input_names_the_field(spec: units.FieldSpec, text: str, code: str) -> None:
    with pytest.raises(FieldError) as caught:
        units.parse_measurement(spec, text)
    assert caught.value.code == code
    assert caught.value.field == spec.key
    assert caught.value.message.startswith(spec.label)
    assert "Accepted:" in caught.value.message


def test_non_string_input_is_an_error_not_a_crash() -> None:
    with pytest.raises(FieldError):
        units.parse_measurement(units.HEIGHT, 170)  # type: ignore[arg-type]


def test_registry_is_built_once() -> None:
    assert units.registry() is units.registry()


@pytest.mark.parametrize(
    ("spec", "text", "canonical"),
    [
        *ACCEPTED,
        (units.ANC, "1800", Fraction(1800)),
        (units.PLATELETS, "1.5 x10^9/L", Fraction(1500)),
    ],
)
def test_a_measurement_has_a_repr(spec: units.FieldSpec, text: str, canonical: Fraction) -> None:
    """A repr (a log line, a crash report) never raises: pint cannot format a count's unit."""
    shown = repr(units.parse_measurement(spec, text))
    assert shown.startswith(f"Measurement(field={spec.key!r}") and f"value={canonical!r}" in shown

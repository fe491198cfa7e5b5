"""The one unit registry, and the grammar that turns what a pharmacist types into a quantity.

pint does the arithmetic; it never decides what a user may type. pint reads a bare ``u`` as the
atomic mass unit and ``mc`` as a prefix, so user text never reaches ``ureg(...)``: each field has
its own allow-list of spellings (clinical-rules §1), and only the mapped, fixed pint unit names
are handed to pint as ``Quantity(value, unit)``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from fractions import Fraction
from functools import cache, lru_cache
from typing import Any

import pint

from ixempra_gui.core.characters import non_ascii_digit
from ixempra_gui.core.digit_groups import spaced_digits
from ixempra_gui.core.errors import FieldError
from ixempra_gui.core.resources import resource_path

#: Total bilirubin: 1 mg/dL = 17.104 µmol/L exactly, the factor clinical-rules §1 states. Its
#: "molar mass 584.66 g/mol" is that factor rounded (10,000 / 584.66 = 17.10396…): a value typed
#: in µmol/L exactly at a limit by the factor (30.7872 µmol/L = 1.5 × 1.2 mg/dL) must compare as
#: exactly at it, so the molar mass used is the one the factor implies, 10,000 / 17.104 g/mol.
BILIRUBIN_UMOL_PER_L_PER_MG_DL = Fraction("17.104")
BILIRUBIN_MOLAR_MASS_G_PER_MOL = Fraction(10_000) / BILIRUBIN_UMOL_PER_L_PER_MG_DL


@cache
def registry() -> pint.UnitRegistry[Fraction]:
    """The application's registry, built once from a small definitions file.

    Fraction magnitudes keep every conversion exact (0.6 µkat/L is exactly 36 U/L), which the
    exact threshold comparisons of clinical-rules §3 rely on.
    """
    return pint.UnitRegistry(
        str(resource_path("units", "ixempra-units.txt")),
        non_int_type=Fraction,
        cache_folder=None,
    )


@dataclass(frozen=True)
class FieldSpec:
    """What one input field accepts."""

    key: str
    label: str
    kind: str  # what the field measures, said in messages: "a length", "a mass"...
    spellings: Mapping[str, str]  # normalised spelling -> pint unit name
    canonical_unit: str  # pint unit every value is converted to
    canonical_symbol: str  # how that unit is displayed
    default_unit: str  # spelling used for a bare number
    accepted: str  # what to tell the user
    feet_inches: bool = False
    molar_mass: Fraction | None = None  # for substance-concentration spellings
    allow_zero: bool = False  # a cell count of 0 is a real (alarming) value, not a typo
    thousands_commas: bool = False  # "150,000 /mm3" is how counts are written


_LENGTH = {
    "cm": "centimeter",
    "m": "meter",
    "in": "inch",
    "inch": "inch",
    "inches": "inch",
    '"': "inch",
    "ft": "foot",
    "feet": "foot",
    "foot": "foot",
    "'": "foot",
}
_MASS = {"kg": "kilogram", "g": "gram", "lb": "pound", "lbs": "pound"}
_ENZYME = {
    "u/l": "enzyme_unit / liter",
    "iu/l": "enzyme_unit / liter",
    "ukat/l": "microkatal / liter",
}
_BILIRUBIN = {"mg/dl": "milligram / deciliter", "umol/l": "micromole / liter"}
_COUNT = {
    "/mm3": "count / millimeter ** 3",
    "/mm^3": "count / millimeter ** 3",
    "cells/mm3": "count / millimeter ** 3",
    "/ul": "count / microliter",
    "cells/ul": "count / microliter",
    "10^9/l": "gigacount / liter",
    "x10^9/l": "gigacount / liter",
}
_LEVEL = {"mg/m2": "milligram / meter ** 2", "mg/m^2": "milligram / meter ** 2"}

HEIGHT = FieldSpec(
    key="height",
    label="Height",
    kind="a height (length)",
    spellings=_LENGTH,
    canonical_unit="centimeter",
    canonical_symbol="cm",
    default_unit="cm",
    accepted="a number with cm, m, in or ft+in (170 cm, 1.7 m, 67 in, 5 ft 7 in, 5'7\")",
    feet_inches=True,
)
WEIGHT = FieldSpec(
    key="weight",
    label="Weight",
    kind="a weight (mass)",
    spellings=_MASS,
    canonical_unit="kilogram",
    canonical_symbol="kg",
    default_unit="kg",
    accepted="a number with kg, g, lb or lbs (70 kg, 154 lb)",
)


def _enzyme_spec(key: str, label: str) -> FieldSpec:
    return FieldSpec(
        key=key,
        label=label,
        kind="an enzyme activity (U/L)",
        spellings=_ENZYME,
        canonical_unit="enzyme_unit / liter",
        canonical_symbol="U/L",
        default_unit="u/l",
        accepted="a number with U/L, IU/L or µkat/L (35 U/L, 0.6 µkat/L)",
    )


def _bilirubin_spec(key: str, label: str) -> FieldSpec:
    return FieldSpec(
        key=key,
        label=label,
        kind="a bilirubin concentration",
        spellings=_BILIRUBIN,
        canonical_unit="milligram / deciliter",
        canonical_symbol="mg/dL",
        default_unit="mg/dl",
        accepted="a number with mg/dL or µmol/L (1.1 mg/dL, 19 µmol/L)",
        molar_mass=BILIRUBIN_MOLAR_MASS_G_PER_MOL,
    )


def _count_spec(key: str, label: str) -> FieldSpec:
    return FieldSpec(
        key=key,
        label=label,
        kind="a cell count",
        spellings=_COUNT,
        canonical_unit="count / microliter",
        canonical_symbol="/mm³",
        default_unit="/mm3",
        accepted="a count with /mm3, /µL or 10^9/L (1800 /mm3, 1.8 10^9/L, 150,000 /mm3)",
        allow_zero=True,
        thousands_commas=True,
    )


def _level_spec(key: str, label: str) -> FieldSpec:
    return FieldSpec(
        key=key,
        label=label,
        kind="a dose level (mg/m²)",
        spellings=_LEVEL,
        canonical_unit="milligram / meter ** 2",
        canonical_symbol="mg/m²",
        default_unit="mg/m2",
        accepted="a dose level in mg/m2 (32 mg/m2)",
    )


AST = _enzyme_spec("ast", "AST")
AST_ULN = _enzyme_spec("ast_uln", "AST upper limit of normal")
ALT = _enzyme_spec("alt", "ALT")
ALT_ULN = _enzyme_spec("alt_uln", "ALT upper limit of normal")
BILIRUBIN = _bilirubin_spec("bilirubin", "Total bilirubin")
BILIRUBIN_ULN = _bilirubin_spec("bilirubin_uln", "Total bilirubin upper limit of normal")

ANC = _count_spec("anc", "ANC")
PLATELETS = _count_spec("platelets", "Platelets")
DOSE_LEVEL = _level_spec("dose_level", "Prescribed dose level")
ESCALATION_LEVEL = _level_spec("hepatic_escalation_level", "Hepatic escalation level")

#: Fields every calculation needs, in form order.
QUANTITY_FIELDS: tuple[FieldSpec, ...] = (
    HEIGHT,
    WEIGHT,
    AST,
    AST_ULN,
    ALT,
    ALT_ULN,
    BILIRUBIN,
    BILIRUBIN_ULN,
)

#: The fields whose parse is memoised (parse_measurement), by key.
_SPECS = {s.key: s for s in (*QUANTITY_FIELDS, ANC, PLATELETS, DOSE_LEVEL, ESCALATION_LEVEL)}

# Which kind each known spelling belongs to, to say "70 kg is a weight" in the height field.
_KIND_OF_SPELLING = {
    **{s: "a weight" for s in _MASS},
    **{s: "an enzyme activity" for s in _ENZYME},
    **{s: "a concentration" for s in _BILIRUBIN},
    **{s: "a length" for s in _LENGTH},
    **{s: "a cell count" for s in _COUNT},
    **{s: "a dose level" for s in _LEVEL},
}

_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"
_VALUE_UNIT = re.compile(rf"^(?P<num>{_NUMBER})\s*(?P<unit>.*)$")
_FEET_INCHES = re.compile(
    rf"^(?P<ft>{_NUMBER})\s*(?:ft|feet|foot|')\s*"
    rf"(?:(?P<inch>{_NUMBER})\s*(?:in|inch|inches|\")?)?$"
)
_NON_FINITE = re.compile(r"^[+-]?(nan|inf|infinity)\b", re.IGNORECASE)
_TRANSLATE = str.maketrans(
    {
        "\u00b5": "u",  # micro sign
        "\u03bc": "u",  # Greek mu
        "\u2019": "'",
        "\u2032": "'",
        "\u2033": '"',
        "\u201c": '"',
        "\u201d": '"',
        "\u2212": "-",  # minus sign
        "\u00d7": "x",  # multiplication sign: ×10^9/L
        "\u00b3": "3",  # superscript three: /mm³
        "\u00b2": "2",  # superscript two: mg/m²
        "\u2079": "^9",  # superscript nine: 10⁹/L
    }
)


def normalise(text: str) -> str:
    """Fold look-alike characters and spacing; never changes what a number means."""
    folded = text.translate(_TRANSLATE).replace("''", '"').strip()
    return re.sub(r"\s+", " ", folded)


def _unit_key(unit_text: str) -> str:
    return re.sub(r"\s+", "", unit_text).lower()


@dataclass(frozen=True)
class Measurement:
    """One parsed input: what was typed, the pint quantity it means, and its canonical value."""

    field: str
    text: str
    # not in the repr: pint cannot format a count's unit (mm⁻³ with a Fraction exponent raises)
    quantity: pint.Quantity[Fraction] = dataclass_field(repr=False)
    value: Fraction  # exact, in the field's canonical unit
    canonical_symbol: str
    entered_symbol: str

    @property
    def in_canonical_unit(self) -> bool:
        return self.entered_symbol == self.canonical_symbol


def _fail(spec: FieldSpec, code: str, what: str, default_unit: str | None = None) -> FieldError:
    bare = _display_symbol(spec, (default_unit or spec.default_unit).lower())
    return FieldError(
        spec.key,
        code,
        f"{spec.label}: {what}. Accepted: {spec.accepted}, or a bare number in {bare}.",
    )


def parse_measurement(spec: FieldSpec, text: Any, default_unit: str | None = None) -> Measurement:
    """Parse what was typed into ``spec``'s field; raise FieldError naming the field.

    Memoised on (field, text, unit) for the module's own fields: the window recalculates on
    every keystroke, and only the field that changed needs pint (bench/startup.py)."""
    if _SPECS.get(spec.key) is not spec or not isinstance(text, str) or len(text) > 256:
        return _parse_measurement(spec, text, default_unit)
    outcome = _parse_known(spec.key, text, default_unit)
    if isinstance(outcome, FieldError):  # a fresh exception each time, the same words
        raise FieldError(outcome.field, outcome.code, outcome.message)
    return outcome


@lru_cache(maxsize=512)
def _parse_known(key: str, text: str, default_unit: str | None) -> Measurement | FieldError:
    try:
        return _parse_measurement(_SPECS[key], text, default_unit)
    except FieldError as err:
        return err


def _parse_measurement(spec: FieldSpec, text: Any, default_unit: str | None) -> Measurement:

    def fail(code: str, what: str) -> FieldError:
        return _fail(spec, code, what, default_unit)

    if text is None or (isinstance(text, str) and not text.strip()):
        raise fail("required", "a value is required")
    if not isinstance(text, str):
        raise fail("unreadable", f"cannot read {text!r}")
    if (digit := non_ascii_digit(text)) is not None:
        raise fail("non_ascii_digit", f"{digit}; type the number with the digits 0–9")
    raw = normalise(text)
    if len(raw) > 64:
        raise fail("unreadable", "is too long to be a measurement")
    if _NON_FINITE.match(raw):
        raise fail("not_finite", f"'{raw}' is not a finite number")
    if spec.thousands_commas and re.match(r"^\d{1,3}(,\d{3})+(\.\d+)?(\D|$)", raw):
        raw = raw.replace(",", "", raw.count(","))
    bare_key = (default_unit or spec.default_unit).lower()
    if spec.thousands_commas and (spaced := spaced_digits(raw, spec.spellings, bare_key)):
        raise fail("digits_grouped", spaced)
    if re.match(r"^[+-]?\d+,\d", raw):
        raise fail("decimal_comma", f"'{raw}' uses a comma; write the decimal with a point")

    if spec.feet_inches:
        feet_inches = _FEET_INCHES.match(raw)
        if feet_inches:
            return _from_feet_inches(spec, raw, feet_inches)

    match = _VALUE_UNIT.match(raw)
    if not match:
        raise fail("unreadable", f"'{raw}' is not a number with a unit")
    number = Fraction(match.group("num"))
    unit_text = match.group("unit")
    if re.match(r"^[eE][+-]?\d", unit_text):
        raise fail("unreadable", f"'{raw}': write the number in full, without an exponent")
    key = _unit_key(unit_text) if unit_text else bare_key
    unit_name = spec.spellings.get(key)
    if unit_name is None:
        other = _KIND_OF_SPELLING.get(key)
        if other:
            what = f"'{raw}' is {other}, not {spec.kind}"
            raise fail("wrong_dimension", what)
        raise fail("unknown_unit", f"unit '{unit_text or key}' is not accepted here")
    if number < 0 or (number == 0 and not spec.allow_zero):
        what = "zero or more" if spec.allow_zero else "greater than zero"
        raise fail("not_positive", f"'{raw}' must be {what}")
    quantity = registry().Quantity(number, unit_name)
    return _measurement(spec, raw, quantity, _display_symbol(spec, key))


def _from_feet_inches(spec: FieldSpec, raw: str, match: re.Match[str]) -> Measurement:
    feet = Fraction(match.group("ft"))
    inches = Fraction(match.group("inch")) if match.group("inch") else Fraction(0)
    if feet < 0 or inches < 0:
        raise _fail(spec, "not_positive", f"'{raw}' must be greater than zero")
    if inches >= 12:
        raise _fail(spec, "unreadable", f"'{raw}': inches after feet must be below 12")
    if feet + inches <= 0:
        raise _fail(spec, "not_positive", f"'{raw}' must be greater than zero")
    ureg = registry()
    quantity = ureg.Quantity(feet, "foot") + ureg.Quantity(inches, "inch")
    return _measurement(spec, raw, quantity.to("inch"), "ft+in")


def _display_symbol(spec: FieldSpec, key: str) -> str:
    symbols = {
        "cm": "cm",
        "m": "m",
        "in": "in",
        "inch": "in",
        "inches": "in",
        '"': "in",
        "ft": "ft",
        "feet": "ft",
        "foot": "ft",
        "'": "ft",
        "kg": "kg",
        "g": "g",
        "lb": "lb",
        "lbs": "lb",
        "u/l": "U/L",
        "iu/l": "U/L",
        "ukat/l": "µkat/L",
        "mg/dl": "mg/dL",
        "umol/l": "µmol/L",
    }
    return symbols.get(key, spec.canonical_symbol)


def _measurement(
    spec: FieldSpec, raw: str, quantity: pint.Quantity[Fraction], symbol: str
) -> Measurement:
    ureg = registry()
    if spec.molar_mass is not None and quantity.check("[substance] / [length] ** 3"):
        quantity_for_canonical = quantity * ureg.Quantity(spec.molar_mass, "gram / mole")
    else:
        quantity_for_canonical = quantity
    value = Fraction(quantity_for_canonical.to(spec.canonical_unit).magnitude)
    return Measurement(
        field=spec.key,
        text=raw,
        quantity=quantity,
        value=value,
        canonical_symbol=spec.canonical_symbol,
        entered_symbol=symbol,
    )

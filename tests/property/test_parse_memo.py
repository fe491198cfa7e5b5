"""The memoised measurement parse (issue 15.8: a keystroke parses only the field that changed)
gives exactly what a fresh parse gives: the same Measurement, or the same error, every time."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ixempra_gui.core import units
from ixempra_gui.core.errors import FieldError

SPECS = [units.HEIGHT, units.WEIGHT, units.AST, units.BILIRUBIN, units.ANC, units.DOSE_LEVEL]
TYPED = st.one_of(
    st.text(max_size=300),
    st.from_regex(r"\A[0-9]{1,4}(\.[0-9]{1,3})? ?(cm|m|in|kg|lb|U/L|mg/dL|umol/L|/mm3)?\Z"),
)


def outcome(parse, spec, text, unit):
    try:
        return parse(spec, text, unit)
    except FieldError as err:
        return ("error", err.field, err.code, err.message)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(SPECS), TYPED, st.sampled_from([None, "cm", "lb", "umol/l"]))
def test_memoised_parse_equals_a_fresh_parse(spec, text, unit) -> None:
    fresh = outcome(units._parse_measurement, spec, text, unit)
    assert outcome(units.parse_measurement, spec, text, unit) == fresh
    assert outcome(units.parse_measurement, spec, text, unit) == fresh  # from the memo now


def test_only_the_changed_field_is_parsed_again() -> None:
    units.parse_measurement(units.WEIGHT, "70 kg")
    before = units._parse_known.cache_info()
    units.parse_measurement(units.WEIGHT, "70 kg")
    units.parse_measurement(units.HEIGHT, "171.5 cm")
    after = units._parse_known.cache_info()
    assert after.hits == before.hits + 1 and after.misses >= before.misses + 1


def test_an_error_is_raised_afresh_each_time() -> None:
    errors = []
    for _ in range(2):
        try:
            units.parse_measurement(units.HEIGHT, "70 kg")
        except FieldError as err:
            errors.append(err)
    assert len(errors) == 2 and errors[0] is not errors[1]
    assert errors[0].message == errors[1].message
    assert errors[0].code == "wrong_dimension"


def test_a_spec_made_elsewhere_is_parsed_without_the_memo() -> None:
    from dataclasses import replace

    other = replace(units.WEIGHT, label="Weight (other)")
    before = units._parse_known.cache_info()
    assert units.parse_measurement(other, "70 kg").value == 70
    assert units._parse_known.cache_info() == before

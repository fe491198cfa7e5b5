"""Reading a kit's barcode: GS1 codes composed by hand, right and wrong."""

from __future__ import annotations

from datetime import date

import pytest
from gs1_codes import GS, GTIN_15, GTIN_45, NDC_15, gtin, kit_code, wrong_check_digit

from ixempra_gui.core.gs1_scan import (
    GS_SUBSTITUTES,
    KitScan,
    ScanProblem,
    ScanRefusal,
    check_gs_substitute,
    parse_scan,
    printable,
)


def read(text: str, **kwargs: str | None) -> KitScan:
    result = parse_scan(text, **kwargs)
    assert isinstance(result, KitScan), result
    return result


def refused(text: str, problem: ScanProblem, **kwargs: str | None) -> str:
    result = parse_scan(text, **kwargs)
    assert isinstance(result, ScanRefusal), result
    assert result.problem is problem, result.message
    assert result.message.startswith("Scan not accepted: ")
    assert "Accepted: the 2D barcode (GS1 DataMatrix)" in result.message
    assert result.text == text
    return result.message


def test_the_issue_example_is_the_15_mg_kit_in_raw_form() -> None:
    assert GTIN_15 == "00370020191010"  # biip's check digit agrees with the issue
    text = "01003700201910101727123110LOT42"
    assert kit_code() == text
    kit = read(text)
    assert (kit.gtin, kit.ndc10, kit.lot, kit.serial) == (GTIN_15, NDC_15, "LOT42", None)
    assert (kit.expiry, kit.expiry_raw) == (date(2027, 12, 31), "271231")
    assert kit.text == text and kit.symbology is None and kit.other == ()
    assert kit.hri == "(01)00370020191010(17)271231(10)LOT42"


@pytest.mark.parametrize("prefix", ["]d2", "]C1", "]Q3"])
def test_a_gs1_symbology_identifier_is_recorded_and_stripped(prefix: str) -> None:
    kit = read(kit_code(GTIN_45, serial="SN0001", prefix=prefix))
    assert kit.symbology == prefix
    assert (kit.gtin, kit.lot, kit.serial) == (GTIN_45, "LOT42", "SN0001")


@pytest.mark.parametrize(
    "order",
    [("01", "17", "10", "21"), ("01", "21", "17", "10"), ("01", "10", "21", "17")],
    ids=["lot-then-serial", "serial-first", "expiry-last"],
)
def test_group_separators_end_variable_length_fields_in_any_order(order: tuple[str, ...]) -> None:
    kit = read(kit_code(serial="A1B2C3", order=order))
    assert (kit.lot, kit.serial, kit.expiry) == ("LOT42", "A1B2C3", date(2027, 12, 31))


def test_scanner_suffixes_and_leading_fnc1_are_ignored() -> None:
    kit = read(GS + kit_code(serial="X9") + GS + "\r\n")
    assert (kit.lot, kit.serial) == ("LOT42", "X9")
    assert read("  ]d2" + GS + kit_code() + "\n").lot == "LOT42"


@pytest.mark.parametrize("substitute", ["|", "^", "~", "@", "#"])
def test_a_configured_substitute_stands_for_the_group_separator(substitute: str) -> None:
    text = kit_code(serial="S1", separator=substitute)
    assert read(text, gs_substitute=substitute).serial == "S1"
    message = refused(text, ScanProblem.BAD_CHARACTER)  # not configured: said how to fix it
    assert f"'{substitute}'" in message and "group-separator substitute" in message


def test_a_substitute_that_could_be_data_is_not_accepted() -> None:
    for bad in ("A", "1", "-", "]", "||", "\x1d"):
        with pytest.raises(ValueError, match="must be one of"):
            check_gs_substitute(bad)
    assert check_gs_substitute("") is None and check_gs_substitute(None) is None
    assert all(check_gs_substitute(c) == c for c in GS_SUBSTITUTES)


def test_the_serial_is_recorded_and_other_ais_are_kept_as_read() -> None:
    text = "11250101" + kit_code(serial="SER-1/2", order=("01", "21", "17", "10"))
    text = text.replace("10LOT42", "10LOT42" + GS + "240ADD1")
    kit = read(text)
    assert kit.serial == "SER-1/2" and kit.lot == "LOT42"
    assert kit.other == (("11", "250101"), ("240", "ADD1"))


def test_the_lot_is_the_last_field_and_needs_no_separator() -> None:
    assert read(kit_code(lot="ABCDEFGHIJ0123456789")).lot == "ABCDEFGHIJ0123456789"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("271200", date(2027, 12, 31)), ("280200", date(2028, 2, 29)), ("270200", date(2027, 2, 28))],
)
def test_day_00_is_the_last_day_of_the_month(raw: str, expected: date) -> None:
    kit = read(kit_code(expiry=raw))
    assert (kit.expiry, kit.expiry_raw) == (expected, raw)


def test_a_past_expiry_is_read_as_it_is_the_preparation_judges_it() -> None:
    assert read(kit_code(expiry="200131")).expiry == date(2020, 1, 31)


# -- refusals, each naming what is wrong -----------------------------------------------------


def test_a_wrong_check_digit_is_refused_naming_the_gtin() -> None:
    bad = wrong_check_digit(GTIN_15)
    message = refused(kit_code(bad), ScanProblem.CHECK_DIGIT)
    assert bad in message and "check digit 1" in message and "give 0" in message


def test_a_non_pharmaceutical_gtin_is_refused() -> None:
    food = "0" + "5901234123457"  # an EAN-13 (GS1 Poland) as GTIN-14, valid check digit
    message = refused(kit_code(food), ScanProblem.NOT_PHARMACEUTICAL)
    assert food in message and "not a US drug package" in message and "003" in message


def test_a_case_gtin_is_refused_as_not_a_single_kit() -> None:
    case = gtin(NDC_15, indicator="5")
    message = refused(kit_code(case), ScanProblem.NOT_PHARMACEUTICAL)
    assert "packaging indicator 5" in message and "not a single kit" in message


@pytest.mark.parametrize("raw", ["250230", "270229", "251301", "250001", "271232"])
def test_an_impossible_expiry_date_is_refused_naming_it(raw: str) -> None:
    message = refused(kit_code(expiry=raw), ScanProblem.INVALID_DATE)
    assert f"expiry date (AI 17) {raw} is not a real date" in message


def test_a_lost_separator_after_the_lot_is_named_when_the_lot_swallows_the_expiry() -> None:
    text = kit_code(order=("01", "10", "17"), separator="")
    assert text == "010037002019101010LOT4217271231"
    message = refused(text, ScanProblem.SEPARATOR_LOST)
    assert "no expiry date (AI 17)" in message and "'LOT4217271231'" in message
    assert "group separator after the lot was lost" in message
    assert read(kit_code(order=("01", "10", "17"))).expiry == date(2027, 12, 31)


def test_a_lost_separator_after_the_serial_is_named_when_it_swallows_the_lot() -> None:
    text = kit_code(serial="SN1", order=("01", "17", "21", "10"), separator="")
    message = refused(text, ScanProblem.SEPARATOR_LOST)
    assert "no lot (AI 10)" in message and "serial number (AI 21) 'SN110LOT42'" in message


def test_a_field_run_on_to_its_maximum_length_is_named() -> None:
    # A 17-character lot runs on into the expiry up to its 20-character limit; what is left
    # of the expiry ("71231") happens to read as AI 712 with value "31".
    text = kit_code(lot="L" * 17, order=("01", "10", "17"), separator="")
    message = refused(text, ScanProblem.SEPARATOR_LOST)
    assert "no expiry date (AI 17)" in message and "lot (AI 10) 'LLLLLLLLLLLLLLLLL172'" in message
    assert "20-character limit" in message and "probably lost" in message


@pytest.mark.parametrize(
    ("text", "missing"),
    [
        (kit_code(expiry=None), "expiry date (AI 17)"),
        (kit_code(lot=None), "lot (AI 10)"),
        ("1727123110LOT42", "GTIN (AI 01)"),
    ],
)
def test_a_missing_required_field_is_named(text: str, missing: str) -> None:
    assert f"the barcode has no {missing}" in refused(text, ScanProblem.MISSING_FIELD)


def test_one_field_twice_with_different_values_is_refused() -> None:
    text = kit_code() + GS + "10LOT43"
    assert "lot (AI 10) appears twice" in refused(text, ScanProblem.CONFLICTING)
    assert read(kit_code() + GS + "10LOT42").lot == "LOT42"  # the same value twice is harmless


@pytest.mark.parametrize(
    ("text", "problem", "words"),
    [
        ("", ScanProblem.EMPTY, "nothing was scanned"),
        (" \r\n", ScanProblem.EMPTY, "nothing was scanned"),
        ("0100370020191010172712311", ScanProblem.MALFORMED, "character 25"),
        ("99", ScanProblem.MALFORMED, "not in its format"),
        ("]d1" + kit_code(), ScanProblem.NOT_GS1, "symbology ]d1"),
        ("]E0" + "003700201910", ScanProblem.NOT_GS1, "linear UPC/EAN"),
        ("003700201910", ScanProblem.NOT_GS1, "linear UPC/EAN"),
        ("(01)00370020191010(17)271231(10)LOT42", ScanProblem.NOT_GS1, "printed text"),
        ("]x", ScanProblem.MALFORMED, "not a symbology identifier"),
        ("]d", ScanProblem.MALFORMED, "not a symbology identifier"),
        ("]Y:", ScanProblem.MALFORMED, "not a symbology identifier"),  # biip: int(":") raised
        # a modifier that is not printable ASCII (ISO/IEC 15424): said, never echoed raw
        ("]A\x1b", ScanProblem.MALFORMED, "']A<U+001B>' is not a symbology identifier"),
        ("]d\u00e9" + kit_code(), ScanProblem.MALFORMED, "']dé' is not a symbology identifier"),
        (kit_code(lot="LOT 42"), ScanProblem.BAD_CHARACTER, "U+0020"),
        (kit_code(lot="LOT\x0742"), ScanProblem.BAD_CHARACTER, "U+0007"),
        (kit_code(lot="LÖT42"), ScanProblem.BAD_CHARACTER, "'Ö', U+00D6"),
        # Arabic-Indic digits match \d in Python's re: they must never pass as a GTIN.
        ("01" + "٠٠٣٧٠٠٢٠١٩١٠١٠" + "1727123110LOT42", ScanProblem.BAD_CHARACTER, "U+0660"),
    ],
)
def test_malformed_input_is_refused_with_what_is_wrong(
    text: str, problem: ScanProblem, words: str
) -> None:
    message = refused(text, problem)
    assert words in message and message.isprintable()


def test_printable_shows_invisible_characters_and_cuts_long_text() -> None:
    assert printable("10A" + GS + "21B\x07") == "10A<GS>21B<U+0007>"
    long = printable("9" * 5000, limit=20)
    assert long == "9" * 20 + "…"

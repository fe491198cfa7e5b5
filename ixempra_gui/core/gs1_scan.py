"""What a kit's barcode says: scanner text → a KitScan (GTIN, NDC, lot, expiry, serial) or a
refusal naming what is wrong.

The GS1 rules (Application Identifiers, their formats, symbology identifiers, check digits, the
YYMMDD dates with day 00 = last day of the month) are biip's; this module adds what a pharmacy
needs on top: only a US pharmaceutical GTIN (``003`` + 10-digit NDC + check digit) is a drug,
AIs 01, 17 and 10 are required, and a lost group separator is named as such.

Keyboard-wedge scanners type the code into the focused field, and the group separator (GS,
0x1D, the FNC1 between variable-length fields) is often lost on the way; a scanner can be set
to send another character instead (``gs_substitute``). Without either, a lot followed by more
fields swallows them, and the scan is refused rather than read wrongly.
"""

from __future__ import annotations

import re
from typing import Final

from biip import ParseError
from biip.checksums import gs1_standard_check_digit
from biip.gs1_application_identifiers import GS1ApplicationIdentifier
from biip.gs1_element_strings import GS1ElementString
from biip.symbology import GS1Symbology, SymbologyIdentifier

from ixempra_gui.core.gs1_types import (
    ACCEPTED,
    AI_EXPIRY,
    AI_GTIN,
    AI_LOT,
    AI_NAMES,
    AI_SERIAL,
    CHARSET_82,
    GS,
    GS_SUBSTITUTES,
    PARSE_CONFIG,
    PHARMA_GTIN_PREFIX,
    REQUIRED_AIS,
    SRC_GS1,
    KitScan,
    ScanProblem,
    ScanRefusal,
    printable,
)

__all__ = [
    "ACCEPTED",
    "AI_EXPIRY",
    "AI_GTIN",
    "AI_LOT",
    "AI_NAMES",
    "AI_SERIAL",
    "GS",
    "GS_SUBSTITUTES",
    "PHARMA_GTIN_PREFIX",
    "REQUIRED_AIS",
    "SRC_GS1",
    "KitScan",
    "ScanProblem",
    "ScanRefusal",
    "check_gs_substitute",
    "parse_scan",
    "printable",
]


def check_gs_substitute(substitute: str | None) -> str | None:
    """The substitute if it can stand for GS; ValueError naming what is accepted otherwise."""
    if substitute is None or substitute == "":
        return None
    if len(substitute) != 1 or substitute not in GS_SUBSTITUTES:
        raise ValueError(
            f"group-separator substitute {substitute!r} cannot be used: it must be one of "
            f"{' '.join(GS_SUBSTITUTES)} (characters that never occur in GS1 data)"
        )
    return substitute


def parse_scan(text: str, *, gs_substitute: str | None = None) -> KitScan | ScanRefusal:
    """Read one scan. Never raises on any text; a ValueError only for a bad ``gs_substitute``."""
    substitute = check_gs_substitute(gs_substitute)
    body = text.strip()  # Enter suffix, spaces; GS at either end (str.strip treats it as space)
    if not body:
        return _refuse(text, ScanProblem.EMPTY, "nothing was scanned")
    symbology: str | None = None
    if body.startswith("]"):
        found = _symbology(text, body)
        if isinstance(found, ScanRefusal):
            return found
        symbology = found.value
        body = body[len(found.value) :]
    if substitute is not None:
        body = body.replace(substitute, GS)
    body = body.strip(GS)
    refusal = _check_characters(text, body, substitute)
    if refusal is not None:
        return refusal
    elements = _elements(text, body)
    if isinstance(elements, ScanRefusal):
        return elements
    return _kit(text, symbology, elements)


def _refuse(text: str, problem: ScanProblem, what: str) -> ScanRefusal:
    return ScanRefusal(text, problem, f"Scan not accepted: {what}. Accepted: {ACCEPTED}.")


def _symbology(text: str, body: str) -> SymbologyIdentifier | ScanRefusal:
    try:
        found = SymbologyIdentifier.extract(body)
    except (ParseError, IndexError, ValueError):  # biip: "]Y:" raises int()'s ValueError
        return _refuse(
            text, ScanProblem.MALFORMED, f"'{printable(body[:3])}' is not a symbology identifier"
        )
    if len(found.value) < 3 or not (found.value.isascii() and found.value.isprintable()):
        # ISO/IEC 15424: "]", a code character and a modifier, all printable ASCII
        return _refuse(
            text, ScanProblem.MALFORMED, f"'{printable(found.value)}' is not a symbology identifier"
        )
    if found.gs1_symbology not in GS1Symbology.with_gs1_messages():
        kind = "a linear UPC/EAN code" if found.value.startswith("]E") else "data that is not GS1"
        return _refuse(
            text,
            ScanProblem.NOT_GS1,
            f"the scanner read {kind} (symbology {found.value}); a kit's GS1 DataMatrix reads "
            "as ]d2 and carries the lot and expiry",
        )
    return found


def _check_characters(text: str, body: str, substitute: str | None) -> ScanRefusal | None:
    for position, char in enumerate(body, start=1):
        if char == GS or char in CHARSET_82:
            continue
        hint = ""
        if char in GS_SUBSTITUTES and substitute is None:
            hint = (
                f"; if the scanner sends '{char}' for the group separator, set it as the "
                "group-separator substitute"
            )
        shown = f"'{char}', U+{ord(char):04X}" if char.isprintable() else f"U+{ord(char):04X}"
        return _refuse(
            text,
            ScanProblem.BAD_CHARACTER,
            f"character {position} ({shown}) cannot occur in a GS1 barcode{hint}",
        )
    if body.startswith("("):
        return _refuse(
            text,
            ScanProblem.NOT_GS1,
            "this is the printed text under the barcode (with brackets); scan the barcode itself",
        )
    if body.isdigit() and len(body) in (12, 13):
        return _refuse(
            text,
            ScanProblem.NOT_GS1,
            "this is a linear UPC/EAN code, which carries no lot or expiry; scan the kit's 2D "
            "barcode (GS1 DataMatrix)",
        )
    return None


def _elements(text: str, body: str) -> list[GS1ElementString] | ScanRefusal:
    """The element strings in order (biip reads each), or where and why reading stopped."""
    elements: list[GS1ElementString] = []
    rest = body
    while rest:
        position = len(body) - len(rest) + 1
        try:
            element = GS1ElementString.extract(rest, config=PARSE_CONFIG)
        except ParseError as error:
            del error  # biip's wording names its regular expression; ours names the field
            return _malformed(text, rest, position, elements)
        except Exception as error:  # fail closed: an unexpected parser error is a refusal
            return _refuse(
                text, ScanProblem.MALFORMED, f"could not be read as GS1 ({type(error).__name__})"
            )
        elements.append(element)
        rest = rest[len(element) :]
        rest = rest.lstrip(GS)  # GS may follow any element, required or not (GS1 7.8.6)
    return elements


def _malformed(
    text: str,
    rest: str,
    position: int,
    before: list[GS1ElementString],
) -> ScanRefusal:
    try:
        ai = GS1ApplicationIdentifier.extract(rest)
    except ParseError:
        ai = None
    shown = printable(rest, 24)
    if ai is not None and ai.ai == AI_EXPIRY:
        raw = rest[2:8]
        if len(raw) == 6 and raw.isdigit():
            return _refuse(
                text, ScanProblem.INVALID_DATE, f"the expiry date (AI 17) {raw} {_NOT_A_DATE}"
            )
    if ai is None:
        what = (
            f"at character {position}, '{shown}' does not start with a GS1 Application Identifier"
        )
    else:
        name = AI_NAMES.get(ai.ai, f"AI ({ai.ai}) {ai.description}")
        what = f"the {name} at character {position}, '{shown}', is not in its format {ai.format}"
    previous = before[-1] if before else None
    if previous is not None and previous.ai.separator_required:
        name = AI_NAMES.get(previous.ai.ai, f"AI ({previous.ai.ai})")
        return _refuse(
            text,
            ScanProblem.SEPARATOR_LOST,
            f"{what}; the {name} '{printable(previous.value, 24)}' ran on into it, so the group "
            "separator after it was probably lost (set the scanner to send GS, or a "
            "group-separator substitute)",
        )
    return _refuse(text, ScanProblem.MALFORMED, what)


def _kit(
    text: str, symbology: str | None, elements: list[GS1ElementString]
) -> KitScan | ScanRefusal:
    by_ai: dict[str, GS1ElementString] = {}
    other: list[tuple[str, str]] = []
    for element in elements:
        ai = element.ai.ai
        seen = by_ai.get(ai)
        if seen is not None and seen.value != element.value:
            name = AI_NAMES.get(ai, f"AI ({ai})")
            return _refuse(
                text,
                ScanProblem.CONFLICTING,
                f"the {name} appears twice with different values "
                f"('{printable(seen.value, 24)}', '{printable(element.value, 24)}')",
            )
        if seen is None:
            by_ai[ai] = element
            if ai not in (*REQUIRED_AIS, AI_SERIAL):
                other.append((ai, element.value))
    for ai in REQUIRED_AIS:
        if ai not in by_ai:
            return _missing(text, ai, elements)
    gtin_element, expiry_element = by_ai[AI_GTIN], by_ai[AI_EXPIRY]
    refusal = (
        _check_gtin(text, gtin_element.value)
        or _check_expiry(text, expiry_element)
        or _check_inner_formats(text, elements)
    )
    if refusal is not None:
        return refusal
    assert expiry_element.date is not None  # _check_expiry refused otherwise
    serial = by_ai.get(AI_SERIAL)
    gtin = gtin_element.value
    return KitScan(
        text=text,
        gtin=gtin,
        ndc10=gtin[3:13],
        expiry=expiry_element.date,
        expiry_raw=expiry_element.value,
        lot=by_ai[AI_LOT].value,
        serial=serial.value if serial is not None else None,
        symbology=symbology,
        other=tuple(other),
    )


def _missing(text: str, ai: str, elements: list[GS1ElementString]) -> ScanRefusal:
    """A required AI is absent: say so, and say where it went when a field swallowed it."""
    name = AI_NAMES[ai]
    for host in elements:
        if not host.ai.separator_required:
            continue
        swallowed = _find_inside(host.value, ai)
        if swallowed is not None:
            host_name = AI_NAMES.get(host.ai.ai, f"AI ({host.ai.ai})")
            return _refuse(
                text,
                ScanProblem.SEPARATOR_LOST,
                f"no {name}: the {host_name} '{printable(host.value, 24)}' contains it "
                f"('{swallowed}'), so the group separator after the "
                f"{host_name.split(' (')[0]} was lost (set the scanner to send GS, or a "
                "group-separator substitute)",
            )
    for host in elements[:-1]:
        limit = _max_length(host.ai)
        if host.ai.separator_required and limit is not None and len(host.value) == limit:
            host_name = AI_NAMES.get(host.ai.ai, f"AI ({host.ai.ai})")
            return _refuse(
                text,
                ScanProblem.SEPARATOR_LOST,
                f"no {name}: the {host_name} '{printable(host.value, 24)}' runs on to its "
                f"{limit}-character limit, so the group separator after it was probably lost "
                "(set the scanner to send GS, or a group-separator substitute)",
            )
    return _refuse(text, ScanProblem.MISSING_FIELD, f"the barcode has no {name}")


def _max_length(ai: GS1ApplicationIdentifier) -> int | None:
    """The most characters a variable-length field holds (format 'N2+X..20' → 20)."""
    found = re.search(r"\.\.(\d+)$", ai.format)
    return int(found.group(1)) if found else None


def _find_inside(value: str, ai: str) -> str | None:
    """The element string for ``ai`` that a variable-length value ran on into, if any."""
    for start in range(1, len(value) - len(ai)):
        if not value.startswith(ai, start):
            continue
        try:
            inner = GS1ElementString.extract(value[start:], config=PARSE_CONFIG)
        except ParseError:
            continue
        if inner.ai.ai == ai and (ai != AI_EXPIRY or inner.date is not None):
            return value[start : start + len(inner)]
    return None


def _check_gtin(text: str, gtin: str) -> ScanRefusal | None:
    expected = gs1_standard_check_digit(gtin[:13])
    if int(gtin[13]) != expected:
        return _refuse(
            text,
            ScanProblem.CHECK_DIGIT,
            f"the GTIN (AI 01) {gtin} has check digit {gtin[13]}, but its digits give "
            f"{expected}: a misread or damaged barcode",
        )
    if not gtin.startswith(PHARMA_GTIN_PREFIX):
        if gtin[0] != "0" and gtin[1:3] == "03":
            what = (
                f"the GTIN (AI 01) {gtin} has packaging indicator {gtin[0]}: a case or bundle, "
                "not a single kit"
            )
        else:
            what = (
                f"the GTIN (AI 01) {gtin} is not a US drug package (a pharmaceutical GTIN is "
                f"{PHARMA_GTIN_PREFIX} + the 10-digit NDC + a check digit)"
            )
        return _refuse(text, ScanProblem.NOT_PHARMACEUTICAL, what)
    return None


_NOT_A_DATE: Final = (
    "is not a real date (YYMMDD: month 01–12, a day that month has, or 00 for its last day)"
)


def _check_expiry(text: str, element: GS1ElementString) -> ScanRefusal | None:
    if element.date is not None:
        return None
    return _refuse(
        text, ScanProblem.INVALID_DATE, f"the expiry date (AI 17) {element.value} {_NOT_A_DATE}"
    )


def _check_inner_formats(text: str, elements: list[GS1ElementString]) -> ScanRefusal | None:
    """Any GTIN, GLN or SSCC inside the code that biip found invalid (it reports, not raises)."""
    for element in elements:
        error = element.gtin_error or element.gln_error or element.sscc_error
        if error:
            name = AI_NAMES.get(element.ai.ai, f"AI ({element.ai.ai}) {element.ai.description}")
            return _refuse(text, ScanProblem.MALFORMED, f"the {name} is invalid: {error}")
    return None

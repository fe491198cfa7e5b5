"""What a kit's barcode says and how a scan is refused: the GS1 Application Identifiers a
pharmacy needs, the kit as read (``KitScan``), the refusal (``ScanRefusal``, ``ScanProblem``).
Data and wording only; ``gs1_scan`` reads the scanner's text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Final

from biip import ParseConfig

GS: Final = "\x1d"
#: GS1 AI encodable character set 82 (GS1 General Specifications, figure 7.11-1).
CHARSET_82: Final = frozenset(
    "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
)
#: Characters a scanner may send for GS: printable, outside set 82, and not ``]`` (which starts
#: a symbology identifier), so a substitute can never be mistaken for data.
GS_SUBSTITUTES: Final = "#$@[\\^`{|}~"
#: The one kind of GTIN that is a US drug package: indicator 0, GS1 US prefix 03, the NDC.
PHARMA_GTIN_PREFIX: Final = "003"
AI_GTIN, AI_EXPIRY, AI_LOT, AI_SERIAL = "01", "17", "10", "21"
REQUIRED_AIS: Final = (AI_GTIN, AI_EXPIRY, AI_LOT)
AI_NAMES: Final = {
    AI_GTIN: "GTIN (AI 01)",
    AI_EXPIRY: "expiry date (AI 17)",
    AI_LOT: "lot (AI 10)",
    AI_SERIAL: "serial number (AI 21)",
}
ACCEPTED: Final = (
    "the 2D barcode (GS1 DataMatrix) of the kit, with GTIN (01), expiry (17) and lot (10)"
)
SRC_GS1: Final = "GS1 General Specifications (AIs 01, 10, 17, 21; check digit; YYMMDD dates)"
# biip's date check is off so that an impossible date is reported here, naming the field.
PARSE_CONFIG: Final = ParseConfig(gs1_element_strings_verify_date=False, separator_chars=(GS,))


class ScanProblem(StrEnum):
    """Why a scan could not be read as a drug package."""

    EMPTY = "empty"
    NOT_GS1 = "not_gs1"  # a non-GS1 symbology, a linear UPC/EAN, the printed text
    BAD_CHARACTER = "bad_character"  # outside GS1 character set 82
    MALFORMED = "malformed"  # not a sequence of GS1 element strings
    CONFLICTING = "conflicting"  # one AI twice with different values
    MISSING_FIELD = "missing_field"
    SEPARATOR_LOST = "separator_lost"  # a variable-length field swallowed the next ones
    CHECK_DIGIT = "check_digit"
    NOT_PHARMACEUTICAL = "not_pharmaceutical"
    INVALID_DATE = "invalid_date"


@dataclass(frozen=True)
class KitScan:
    """One kit's barcode, read. Dates as the GS1 rules give them (day 00 = end of month)."""

    text: str  # exactly as received
    gtin: str  # 14 digits, check digit verified
    ndc10: str  # the 10 NDC digits inside the GTIN, no hyphens (their split is the product's)
    expiry: date
    expiry_raw: str  # YYMMDD as encoded (day may be 00)
    lot: str
    serial: str | None
    symbology: str | None  # e.g. "]d2" when the scanner sent one
    other: tuple[tuple[str, str], ...] = ()  # further AIs, recorded as read, not used

    @property
    def hri(self) -> str:
        """Human-readable form, as printed under the barcode: (01)…(17)…(10)…(21)…"""
        parts = [(AI_GTIN, self.gtin), (AI_EXPIRY, self.expiry_raw), (AI_LOT, self.lot)]
        if self.serial is not None:
            parts.append((AI_SERIAL, self.serial))
        return "".join(f"({ai}){value}" for ai, value in (*parts, *self.other))


@dataclass(frozen=True)
class ScanRefusal:
    """A scan that is not a readable drug package: ``message`` says what is wrong."""

    text: str
    problem: ScanProblem
    message: str


def printable(text: str, limit: int = 80) -> str:
    """The scan as it can be shown: GS as <GS>, other invisible characters as <U+XXXX>."""
    out: list[str] = []
    size = 0
    for char in text:
        if char == GS:
            piece = "<GS>"
        elif char == " " or (char.isprintable() and not char.isspace()):
            piece = char
        else:
            piece = f"<U+{ord(char):04X}>"
        if size + len(piece) > limit:
            out.append("…")
            break
        out.append(piece)
        size += len(piece)
    return "".join(out)

"""GS1 kit codes composed by hand for the tests: check digits from biip's checksum helper."""

from __future__ import annotations

from biip.checksums import gs1_standard_check_digit

GS = "\x1d"
NDC_15 = "7002019101"  # 70020-1910-01 in 10 digits (5-4-1)
NDC_45 = "7002019111"  # 70020-1911-01


def gtin(ndc10: str, indicator: str = "0", prefix: str = "03") -> str:
    """A GTIN-14 around a 10-digit NDC: indicator + 03 + NDC + the right check digit."""
    payload = indicator + prefix + ndc10
    return payload + str(gs1_standard_check_digit(payload))


def wrong_check_digit(code: str) -> str:
    """The same GTIN with every check digit but the right one: here, the next digit."""
    return code[:-1] + str((int(code[-1]) + 1) % 10)


GTIN_15 = gtin(NDC_15)
GTIN_45 = gtin(NDC_45)


def kit_code(
    gtin14: str = GTIN_15,
    expiry: str | None = "271231",
    lot: str | None = "LOT42",
    serial: str | None = None,
    *,
    order: tuple[str, ...] = ("01", "17", "10", "21"),
    separator: str = GS,
    prefix: str = "",
) -> str:
    """The text a scanner sends: element strings in ``order``, ``separator`` after every
    variable-length field that is not last (a lost separator is ``separator=""``)."""
    values = {"01": gtin14, "17": expiry, "10": lot, "21": serial}
    fields = [(ai, values[ai]) for ai in order if values[ai] is not None]
    text = prefix
    for index, (ai, value) in enumerate(fields):
        text += ai + str(value)
        if ai in ("10", "21") and index < len(fields) - 1:
            text += separator
    return text

"""Characters refused in what a pharmacist types, named so the message says which one.

Digits other than 0–9 (``١٧٠``, ``１７０``) would be read as numbers by Python and pint, and
invisible or control characters make two texts that look alike differ: both are refused with the
character named, never silently folded.
"""

from __future__ import annotations

import unicodedata

#: Unicode categories refused in free text: control, format (zero-width, bidi), surrogate,
#: private use, unassigned.
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})


def describe(ch: str) -> str:
    """``'١' (U+0661 ARABIC-INDIC DIGIT ONE)``."""
    name = unicodedata.name(ch, "unnamed character")
    shown = ch if ch.isprintable() else ""
    return f"'{shown}' (U+{ord(ch):04X} {name})" if shown else f"U+{ord(ch):04X} {name}"


def non_ascii_digit(text: str) -> str | None:
    """The first digit that is not 0–9, described; None when there is none."""
    for ch in text:
        if ch.isdecimal() and not ("0" <= ch <= "9"):
            return f"{describe(ch)} is not one of the digits 0–9"
    return None


def control_character(text: str) -> str | None:
    """The first control or invisible formatting character, described; None when none."""
    for ch in text:
        if unicodedata.category(ch) in _INVISIBLE:
            return describe(ch)
    return None

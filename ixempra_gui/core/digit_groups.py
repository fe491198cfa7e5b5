"""A count typed with its digits grouped by spaces ("1 500", "150 000"), said as such.

Counts accept thousands commas (core/units.py); spaces are refused, because a space also
separates a number from its unit ("1.8 10^9/L"), and without this the refusal read "unit '500'
is not accepted". The message shows the same count in forms the field accepts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from fractions import Fraction

from ixempra_gui.core.formatting import format_number

#: One to three digits, then groups of three after single spaces, then not a digit.
_SPACED = re.compile(r"^(?P<digits>\d{1,3}(?: \d{3})+)(?![\d.,])\s*(?P<rest>.*)$")
#: pint units of a count per mm³ (= per µL): the count can also be written in 10^9/L.
_PER_MICROLITRE = {"count / millimeter ** 3", "count / microliter"}


def spaced_digits(raw: str, spellings: Mapping[str, str], default_key: str) -> str | None:
    """What to say when ``raw`` (normalised) groups a count's digits with spaces; else None.

    ``spellings`` and ``default_key``: the field's unit spellings and the unit a bare number
    takes, to offer the 10^9/L form only for a count per mm³."""
    match = _SPACED.match(raw)
    if match is None:
        return None
    count = int(match.group("digits").replace(" ", ""))
    rest = match.group("rest")
    unit = f" {rest}" if rest else ""
    forms = [f"{count}{unit}", f"{count:,}{unit}"]
    key = re.sub(r"\s+", "", rest).lower() or default_key
    if spellings.get(key) in _PER_MICROLITRE:
        forms.append(f"{format_number(Fraction(count, 1000))} x10^9/L")
    shown = ", ".join(forms[:-1]) + f" or {forms[-1]}"
    return f"'{raw}': digits grouped with spaces are not accepted; write {shown}"

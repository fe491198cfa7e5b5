"""The inputs as rows of label and value, from the field registry: the worksheet's inputs
table and the window's "inputs as understood" are these rows.

A field prints in the row its declaration names (presentation/fields.py): its own, or beside
the field it qualifies (a ULN beside its lab, a date beside its measurement). Measured values
are the core's echo in both unit systems ("154 lb (69.85 kg)"), keyed by field: nothing is
read back from a display string.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from ixempra_gui.core.formatting import format_number
from ixempra_gui.presentation.fields import FIELDS, FieldSpec, Place, Widget, field
from ixempra_gui.presentation.wording import clock, stamp

if TYPE_CHECKING:
    from ixempra_gui.core.models import DoseResult
    from ixempra_gui.presentation.order_state import FormInput

NOT_ENTERED = "not entered"


@dataclass(frozen=True)
class InputRow:
    key: str  # the field heading the row
    keys: tuple[str, ...]  # every field the row shows
    label: str
    value: str


def _site_values(result: DoseResult | None, day: date | None) -> dict[str, str]:
    """What the calculation used of the site settings and the time (not typed in the form)."""

    if result is None or result.inputs is None:
        return {}
    cycle, prep = result.inputs.cycle, result.inputs.preparation
    within = cycle.round_to_vial_within_pct
    values = {
        "round_to_vial_within": "off" if within is None else f"within {format_number(within)}%",
        "bag_sizes": ", ".join(str(size) for size in prep.bag_sizes_ml) + " mL",
    }
    if prep.prepared_at is not None:
        at = prep.prepared_at
        values["prepared_at"] = clock(at, day) if day is not None else stamp(at)
    return values


def field_value(spec: FieldSpec, form: FormInput, known: Mapping[str, str]) -> str:
    """One field as the pharmacist reads it: its echo when the core measured it, else what
    the form holds in words (a choice by its name, a tick as yes or no)."""
    if spec.key in known:
        return known[spec.key]
    value = getattr(form, spec.key, None)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple):
        names = dict(spec.choices)
        return ", ".join(names.get(str(code), str(code)) for code in value) or "none entered"
    text = "" if value is None else str(value).strip()
    if spec.widget is Widget.COMBO and text:
        return dict(spec.choices).get(text, text)
    return text or NOT_ENTERED


def input_rows(
    form: FormInput,
    echo: Mapping[str, str],
    result: DoseResult | None = None,
    keys: Iterable[str] | None = None,
    day: date | None = None,
    parsed_only: bool = False,
) -> tuple[InputRow, ...]:
    """The rows of every field printed on the worksheet (``keys``: only the rows of these),
    in the registry's order. ``day``: the page's date, so times show as "14:30";
    ``parsed_only``: only what the core read (the screen's echo: no dates, no identifier)."""
    known = {**_site_values(result, day), **echo}
    wanted = None if keys is None else set(keys)
    members: dict[str, list[FieldSpec]] = {}
    for spec in FIELDS:
        row = spec.worksheet_row
        if parsed_only and spec.core is None:
            continue
        if row is not None and Place.WORKSHEET in spec.places:
            members.setdefault(row, []).append(spec)
    rows = []
    for row_key, specs in members.items():
        if wanted is not None and row_key not in wanted:
            continue
        parts = []
        for spec in specs:
            value = field_value(spec, form, known)
            if spec.key != row_key and value == NOT_ENTERED:
                continue  # an empty qualifier says nothing
            fold = spec.worksheet_fold
            parts.append(fold.format(value) if fold else value)
        head = field(row_key)
        rows.append(InputRow(row_key, tuple(s.key for s in specs), head.row_label, "".join(parts)))
    return tuple(rows)

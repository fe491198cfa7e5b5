"""Qt-free: what the window's Verify button and independent double-check dialog decide and show.

The rules are the journal's: ``journal.double_check.compare`` lists the differences and
``sign_off_problems`` says whether the check may be signed; ``journal.entries`` checks the
identifiers and the administration date. What the verifier re-enters is the core's field table
(``core.order_fields``: every field that can change the level, the dose or whether it is ready,
except site settings and each entry's own acts); this module builds the second order from what
the verifier gave (an unticked box or an empty optional field means "not entered"; only the
fields that are not re-entered are copied from the first entry), says why Verify is
unavailable, and words the comparison and the record for the screen and paper.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date
from typing import TYPE_CHECKING

from ixempra_gui.core.choices import BsaFormula, Diluent, ReductionMode, Regimen
from ixempra_gui.core.formatting import format_number
from ixempra_gui.core.order_fields import (
    BY_KEY,
    ORDER_FIELDS,
    REENTERED,
    SITE_SETTINGS,
    Owner,
)
from ixempra_gui.presentation import fields as registry
from ixempra_gui.presentation.fields import FIELD_LABELS, FIELDS, NOT_VERIFIED
from ixempra_gui.presentation.history_view import administration_date, patient_id_problem
from ixempra_gui.presentation.order_state import FormInput
from ixempra_gui.presentation.wording import recorded_time

if TYPE_CHECKING:
    from ixempra_gui.journal.double_check import Comparison, Difference
    from ixempra_gui.journal.entries import StoredRecord
    from ixempra_gui.journal.history import History
    from ixempra_gui.presentation.preferences import Preferences

__all__ = [
    "NOT_VERIFIED",
    "REENTERED",
    "SecondEntry",
    "difference_rows",
    "record_line",
    "verify_blocker",
]

#: A record of this workstation's own journal: its names were typed (issue 14).
NAMES_TYPED = "names typed, not authenticated"
#: The fields whose unit selector the dialog has (the form's unit selectors: the registry's).
UNIT_FIELDS = tuple(spec.key for spec in FIELDS if spec.has_own_unit_selector)
#: Order fields that are not re-entered and not site settings: copied from the first entry.
COPIED = tuple(f.key for f in ORDER_FIELDS if f.owner is Owner.ORDER and not f.reentered)

#: How each compared result is called in the list of differences (journal/double_check.py).
RESULT_LABELS = {
    "status": "Status",
    "bsa_m2": "BSA",
    "bsa_used_m2": "BSA used for the dose",
    "dose_level_mg_per_m2": "Dose level",
    "dose_mg": "Dose",
    "vials": "Vials",
    "volume_ml": "Volume to withdraw",
    "billing": "Billing",
    "diluent": "Infusion fluid",
    "bag_ml": "Bag",
    "concentration_mg_per_ml": "Final concentration",
    "rate_ml_per_h": "Infusion rate",
    "infusion_hours": "Infusion time",
}


def reentered_fields(first: FormInput | None = None) -> tuple[str, ...]:
    """The fields the verifier types, in form order: every one that can change the dose."""
    return REENTERED


def not_entered(key: str) -> object:
    """A field's value when the verifier leaves it empty or unticked (the form's default)."""

    return {f.name: f.default for f in fields(FormInput)}[key]


@dataclass(frozen=True)
class SecondEntry:
    """What the verifier gave, exactly (text stays text; the core parses it)."""

    values: Mapping[str, object] = field(default_factory=dict)  # re-entered key → value
    units: Mapping[str, str] = field(default_factory=dict)  # UNIT_FIELDS key → unit spelling
    acknowledge_warnings: bool = False
    confirm_reduction: bool = False


def second_form(first: FormInput, entry: SecondEntry) -> FormInput:
    """The first form with every re-entered field replaced by the verifier's value (not entered:
    the form's default, never the first entry's). Only what is not re-entered is copied: the
    reduction reason, a prior reaction to IXEMPRA, the time, the identifiers and dates."""
    changes: dict[str, object] = {
        key: entry.values.get(key, not_entered(key)) for key in reentered_fields(first)
    }
    changes.update({f"{key}_unit": unit for key, unit in entry.units.items()})
    changes["acknowledge_warnings"] = entry.acknowledge_warnings
    changes["confirm_reduction"] = entry.confirm_reduction
    return replace(first, **changes)  # type: ignore[arg-type]


def compared_line() -> str:
    """The summary line that names every field compared, and what is not re-entered."""
    names = ", ".join(FIELD_LABELS.get(k, k) for k in REENTERED)
    copied = ", ".join(FIELD_LABELS.get(k, k) for k in COPIED)
    return (
        f"Compared (re-entered by the second pharmacist): {names}; and every result. "
        f"Copied from the first entry, not re-entered: {copied}."
    )


def site_settings_line(prefs: Preferences) -> str:
    """The site settings both entries used: shown, never re-entered."""

    rounding = "off" if prefs.rounding_pct is None else f"{format_number(prefs.rounding_pct)}%"
    values = {
        "bag_sizes": ", ".join(str(s) for s in prefs.bag_sizes_ml) + " mL",
        "round_to_vial_within": rounding,
        "low_ast_alt_u_per_l": f"{format_number(prefs.low_ast_alt_u_per_l)} U/L",
        "low_bilirubin_mg_per_dl": f"{format_number(prefs.low_bilirubin_mg_per_dl)} mg/dL",
    }
    assert set(values) == set(SITE_SETTINGS), "a site setting without its words"
    shown = "; ".join(f"{FIELD_LABELS[k]}: {values[k]}" for k in SITE_SETTINGS)
    return f"Site settings, not re-entered (the same for both entries): {shown}."


def unit_field_of(key: str) -> str | None:
    """The unit selector a field reads a bare number with (a ULN: its lab's)."""
    return registry.field(key).unit_selector


def verify_blocker(
    ready: bool,
    not_ready: str,
    patient_id: str,
    administered_on: str,
    today: date,
    verified_record: int | None = None,
) -> str | None:
    """Why Verify is unavailable (the button's tooltip), or None when it may be used.

    ``patient_id`` is trimmed; ``not_ready`` is why the dose is not ready (the view's
    ``not_ready``, worded from its status: never a tooltip read back);
    ``verified_record``: the record of this very order's signed check (a second one would
    record the same dose twice).
    """

    if not ready:
        why = f": {not_ready}" if not_ready else ""
        return f"Verify is available only for a dose that is ready to prepare{why}."
    if verified_record is not None:
        return (
            f"Already verified: journal record {verified_record} is this order. Change the "
            "order (or start a new one) to verify again."
        )
    if not patient_id:
        return (
            "Enter the patient identifier first: each verified dose is recorded in the journal "
            "under it, and the 21-day units are counted per patient."
        )
    problem = patient_id_problem(patient_id)
    if problem:
        return problem
    _, date_problem = administration_date(administered_on, today)
    return date_problem


@dataclass(frozen=True)
class DifferenceRow:
    """One difference: its sentence (screen readers, the journal's words) and its cells for
    the side-by-side table (field, first entry, second entry, what to do)."""

    text: str
    material: bool
    field: str = ""
    first: str = ""
    second: str = ""
    action: str = ""

    @property
    def mark(self) -> str:
        """The row's mark in words, not only colour: a difference in value or the same value."""
        return "⚠ differs" if self.material else "= same value"


def difference_label(difference: Difference) -> str:
    if difference.kind == "result":
        return RESULT_LABELS.get(difference.field, difference.field.replace("_", " "))
    if difference.field == "inputs":
        return "Entry valid"
    label = FIELD_LABELS.get(difference.field, difference.field.replace("_", " "))
    declared = BY_KEY.get(difference.field)
    if declared is not None and declared.owner is Owner.SITE:
        label += " (site setting, not re-entered)"
    return label


#: A choice's code as its selector shows it ("dubois" → "DuBois & DuBois"): the table shows
#: what the pharmacist picked, not the journal's key.
CHOICE_LABELS: Mapping[str, str] = {
    str(choice): choice.label
    for kind in (Regimen, BsaFormula, ReductionMode, Diluent)
    for choice in kind
}


def shown_entry(value: str) -> str:
    return CHOICE_LABELS.get(value, value)


def difference_rows(comparison: Comparison) -> tuple[DifferenceRow, ...]:
    """One line per difference, those in value first (inputs, then results), then the same
    values typed differently: what each entry gave, and whether it must be explained."""
    rows = []
    ordered = sorted(comparison.differences, key=lambda d: not d.material)  # stable
    for d in ordered:
        kind = "input" if d.kind == "input" else "result"
        why = (
            "must be explained"
            if d.material
            else "same value, typed differently: no need to explain"
        )
        name = f"{difference_label(d)} ({kind})"
        rows.append(
            DifferenceRow(
                f"{name}: first entry {shown_entry(d.first)} — second entry "
                f"{shown_entry(d.second)} — {why}",
                d.material,
                name,
                shown_entry(d.first),
                shown_entry(d.second),
                "must be explained" if d.material else "typed differently: no need to explain",
            )
        )
    return tuple(rows)


def readable_problems(problems: list[str], comparison: Comparison) -> list[str]:
    """The journal's sign-off problems with its field names (``bsa_m2``) in the screen's words
    (``BSA``): the same sentences, only the names changed."""
    names = ", ".join(d.field for d in comparison.material)
    if not names:
        return problems
    shown = ", ".join(difference_label(d) for d in comparison.material)
    return [p.replace(f"({names})", f"({shown})", 1) for p in problems]


def comparison_summary(comparison: Comparison) -> str:
    material = len(comparison.material)
    if not comparison.differences:
        return "The two entries match: every input and every result is the same."
    if not material:
        return (
            "The two entries match in value; the differences below are the same value typed "
            "differently and need no explanation."
        )
    plural = "s" if material != 1 else ""
    return (
        f"The two entries DIFFER: {material} difference{plural} in value. Correct the order "
        "(cancel, then verify again), or explain every difference in the comment before signing."
    )


def history_lines(history: History | None) -> tuple[str, ...]:
    """The history warnings the verifier must acknowledge before signing."""
    if history is None:
        return ()
    return tuple(f"{w.message} ({w.source})" for w in history.warnings)


def record_line(record: StoredRecord, day: date | None = None) -> str:
    """How a signed record is cited on screen and on the worksheet: its id and short hash (the
    first 12 hex digits, which ``ixempra-journal show ID`` lets anyone compare with the
    journal), who verified and prepared it, and when, in local time (``day``: the page's date,
    whose zone the page states once)."""
    names = "" if record.content.get("authenticated") is True else f", {NAMES_TYPED}"
    return (
        f"Journal record {record.id} (hash {record.short_hash}), verified by "
        f"{record.content.get('verified_by')} (prepared by {record.content.get('prepared_by')})"
        f"{names}, recorded {recorded_time(record.recorded_at, day)}"
    )

"""Qt-free: what the window's Verify button and independent double-check dialog decide and show.

The rules are the journal's: ``journal.double_check.compare`` lists the differences and
``sign_off_problems`` says whether the check may be signed; ``journal.entries`` checks the
identifiers and the administration date. This module only builds the second order from what the
verifier typed (the fields the first pharmacist typed that are not re-entered are copied), says
why Verify is unavailable, and words the differences and the record for the screen and paper.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING

from ixempra_gui.form_text import FIELD_LABELS, NOT_VERIFIED

if TYPE_CHECKING:
    from ixempra_gui.journal.double_check import Comparison, Difference
    from ixempra_gui.journal.entries import StoredRecord
    from ixempra_gui.journal.history import History
    from ixempra_gui.presenter import FormInput

__all__ = ["NOT_VERIFIED", "SecondEntry", "difference_rows", "record_line", "verify_blocker"]

#: What the verifier re-enters from the source documents, in the dialog's order.
REENTERED = (
    "height",
    "weight",
    "regimen",
    "ast",
    "ast_uln",
    "alt",
    "alt_uln",
    "bilirubin",
    "bilirubin_uln",
    "anc",
    "platelets",
)
#: Re-entered only when the first pharmacist entered them.
IF_FIRST_HAD = ("anc", "platelets")
#: The fields whose unit selector the dialog has (the form's unit selectors).
UNIT_FIELDS = ("height", "weight", "ast", "alt", "bilirubin")
#: A ULN takes its lab's unit selector, as in the form.
_LAB_OF_ULN = {"ast_uln": "ast", "alt_uln": "alt", "bilirubin_uln": "bilirubin"}

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


def reentered_fields(first: FormInput) -> tuple[str, ...]:
    """The fields the verifier types: ANC and platelets only when the first entry had them."""
    return tuple(key for key in REENTERED if key not in IF_FIRST_HAD or getattr(first, key).strip())


@dataclass(frozen=True)
class SecondEntry:
    """What the verifier typed, exactly (text stays text; the core parses it)."""

    texts: Mapping[str, str] = field(default_factory=dict)  # field key → typed text
    units: Mapping[str, str] = field(default_factory=dict)  # UNIT_FIELDS key → unit spelling
    regimen: str | None = None
    acknowledge_warnings: bool = False


def second_form(first: FormInput, entry: SecondEntry) -> FormInput:
    """The first form with the verifier's values in place of the re-entered fields. Everything
    else (formula, interactions, cycle and preparation choices, the time) is the first entry's:
    only what is re-entered is compared independently."""
    changes: dict[str, object] = {
        key: entry.texts.get(key, "") for key in reentered_fields(first) if key != "regimen"
    }
    changes.update({f"{key}_unit": unit for key, unit in entry.units.items()})
    changes["regimen"] = entry.regimen
    changes["acknowledge_warnings"] = entry.acknowledge_warnings
    return replace(first, **changes)  # type: ignore[arg-type]


def unit_field_of(key: str) -> str | None:
    """The unit selector a field reads a bare number with (a ULN: its lab's)."""
    if key in UNIT_FIELDS:
        return key
    return _LAB_OF_ULN.get(key)


def verify_blocker(
    ready: bool, not_ready: str, patient_id: str, administered_on: str, today: date
) -> str | None:
    """Why Verify is unavailable (the button's tooltip), or None when it may be used.

    ``patient_id`` is trimmed; ``not_ready`` is why the dose is not ready (the print tooltip).
    """
    from ixempra_gui.history_view import administration_date, patient_id_problem

    if not ready:
        return f"Verify is available only for a dose that is ready to prepare. {not_ready}"
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
    text: str
    material: bool


def difference_label(difference: Difference) -> str:
    if difference.kind == "result":
        return RESULT_LABELS.get(difference.field, difference.field.replace("_", " "))
    if difference.field == "inputs":
        return "Entry valid"
    return FIELD_LABELS.get(difference.field, difference.field.replace("_", " "))


def difference_rows(comparison: Comparison) -> tuple[DifferenceRow, ...]:
    """One line per difference, those in value first (inputs, then results), then the same
    values typed differently: what each entry gave, and whether it must be explained."""
    rows = []
    ordered = sorted(comparison.differences, key=lambda d: not d.material)  # stable
    for d in ordered:
        kind = "input" if d.kind == "input" else "result"
        why = "must be explained" if d.material else "same value, typed differently"
        rows.append(
            DifferenceRow(
                f"{difference_label(d)} ({kind}): first entry {d.first} — second entry "
                f"{d.second} — {why}",
                d.material,
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


def record_line(record: StoredRecord) -> str:
    """How a signed record is cited on screen and on the worksheet: its id and short hash (the
    first 12 hex digits, which ``ixempra-journal show ID`` lets anyone compare with the
    journal), who verified and prepared it, and when."""
    recorded = record.recorded_at.replace("T", " ")[:16]
    return (
        f"Journal record {record.id} (hash {record.short_hash}), verified by "
        f"{record.content.get('verified_by')} (prepared by {record.content.get('prepared_by')}), "
        f"recorded {recorded} UTC"
    )

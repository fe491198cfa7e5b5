"""Qt-free: a patient's verified doses and the history checks, as the History panel shows them.

The journal is read once per patient identifier (the window debounces it), never per keystroke:
``history_view`` takes the doses already read and the current calculation and runs the
journal's own pure checks on them (``journal.history.assess_history``), so the panel follows
every edit of the weight or the date at no disk cost. No rule is decided here: the window, the
limit and the change thresholds are the journal's; the dose figures are those recorded.

The signed dose is not its own history (issue 12.8): while the order on screen is the one a
journal record was signed for, the window passes that record's id as ``this_record``; the record
is then this dose, listed as such, never an earlier one (no "0 days since the last dose", its
units counted once). After any edit the window passes None and it is an earlier dose again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from ixempra_gui.core.formatting import format_quantity
from ixempra_gui.core.models import DoseResult
from ixempra_gui.core.policy import load_policy
from ixempra_gui.journal.entries import PatientDose, facts_of_result, parse_administration_date
from ixempra_gui.journal.history import DoseFacts, assess_history, window_doses
from ixempra_gui.journal.identifiers import check_patient_id, trim_patient_id

#: Doses listed in the panel, newest first; older ones are counted, not listed.
MAX_LISTED = 8
#: A long identifier is shortened on screen (the worksheet and the journal keep it whole).
MAX_SHOWN_ID = 60


@dataclass(frozen=True)
class TrendPoint:
    """One weight on the trend chart: the float is for drawing only, the text says it exactly."""

    day: date
    weight_kg: float
    label: str  # "70 kg"
    text: str  # "70 kg on 2025-03-01 (record 2)"
    current: bool  # this calculation, not yet recorded


@dataclass(frozen=True)
class HistoryView:
    """Everything the History panel shows, as display strings."""

    summary: str
    dose_lines: tuple[str, ...] = ()
    window_line: str = ""
    within_limit: bool | None = None  # None: not checked
    warnings: tuple[str, ...] = ()
    trend: tuple[TrendPoint, ...] = ()
    trend_description: str = ""


def shown_id(patient_id: str) -> str:
    return patient_id if len(patient_id) <= MAX_SHOWN_ID else patient_id[:MAX_SHOWN_ID] + "…"


def patient_id_text(typed: str) -> str:
    """The identifier as the journal reads it from what was typed (the spaces around it
    trimmed: journal.identifiers, the one rule for the form, the CLIs and the history)."""

    return trim_patient_id(typed)


def patient_id_problem(patient_id: str) -> str | None:
    """Why a (trimmed, non-empty) identifier cannot be used for the journal, in its words
    (naming the character refused)."""

    return check_patient_id(patient_id) if patient_id else None


def administration_date(text: str, today: date) -> tuple[date | None, str | None]:
    """The administration date typed in the form, or why it is unusable (the journal's rule)."""

    try:
        return parse_administration_date(text, today), None
    except ValueError as exc:
        return None, str(exc)


def _units(dose: PatientDose) -> str:
    if dose.units_administered is None or dose.units_discarded is None:
        return "units unreadable"
    total = dose.units_administered + dose.units_discarded
    return f"J9207 {dose.units_administered} + {dose.units_discarded} discarded = {total} units"


def dose_line(dose: PatientDose, this_record: int | None = None) -> str:
    """'2025-03-01 · 72.8 mg · J9207 73 + 2 discarded = 75 units · record 2' (and ' · this
    dose, verified' for the record of the order on screen)."""

    if dose.administered_on is None:
        return f"record {dose.record_id} · UNREADABLE: run ixempra-journal verify"
    shown = "dose —" if dose.dose_mg is None else format_quantity(dose.dose_mg, "mg")
    when = dose.administered_on.isoformat()
    line = f"{when} · {shown} · {_units(dose)} · record {dose.record_id}"
    if dose.record_id == this_record:
        line += " · this dose, verified"
    if not dose.intact:
        line += " · ALTERED since it was recorded: run ixempra-journal verify"
    return line


def _trend(
    doses: Sequence[PatientDose],
    result: DoseResult | None,
    day: date | None,
    this_record: int | None = None,
) -> tuple[TrendPoint, ...]:

    points = []
    for d in doses:
        if d.facts is None:
            continue
        shown = format_quantity(d.facts.weight_kg, "kg", 2)
        when = d.facts.administered_on.isoformat()
        which = f"record {d.record_id}" + (": this dose" if d.record_id == this_record else "")
        points.append(
            TrendPoint(
                d.facts.administered_on,
                float(d.facts.weight_kg),
                shown,
                f"{shown} on {when} ({which})",
                False,
            )
        )
    points.sort(key=lambda p: p.day)
    signed = any(d.record_id == this_record for d in doses)  # drawn once: as recorded
    if not signed and result is not None and result.inputs is not None and day is not None:
        shown = format_quantity(result.inputs.weight.value, "kg", 2)
        points.append(
            TrendPoint(
                day,
                float(result.inputs.weight.value),
                shown,
                f"{shown} on {day.isoformat()} (this dose, not yet verified)",
                True,
            )
        )
    return tuple(points)


def _earlier(doses: Sequence[PatientDose], this_record: int | None) -> list[DoseFacts]:
    """The facts of the doses given before this one: every readable dose but this dose's own
    record (``this_record``: the order on screen is the one it was signed for)."""
    return [d.facts for d in doses if d.facts is not None and d.record_id != this_record]


def units_before(doses: Sequence[PatientDose], day: date, this_record: int | None = None) -> int:
    """Units (administered + discarded) of the verified doses in the policy's window before an
    administration on ``day``: what the Coverage tab's dosing limit adds this dose to (so this
    dose's own record, ``this_record``, is not among them: it is counted once)."""

    earlier = _earlier(doses, this_record)
    return sum(r.units_total or 0 for r in window_doses(earlier, day, load_policy().per_days))


def _window_line(
    doses: Sequence[PatientDose],
    result: DoseResult | None,
    day: date,
    this_record: int | None = None,
) -> tuple[str, bool | None, tuple[str, ...]]:
    """The 21-day units line, whether within the limit, and the history warnings."""

    policy = load_policy()
    earlier = _earlier(doses, this_record)
    altered = [d.record_id for d in doses if not d.intact]  # this dose's record too
    current = facts_of_result(result, day) if result is not None else None
    if current is None:  # no valid calculation yet: the doses already given only
        prior = units_before(doses, day, this_record)
        line = (
            f"{policy.per_days}-day window for {day.isoformat()}: {prior} units already given; "
            f"limit {policy.max_units} units. This dose is added once the order is complete."
        )
        return line, None, ()
    history = assess_history(current, earlier, policy, altered)
    ids = ", ".join(str(i) for i in history.window_record_ids)
    given = f"{history.prior_units_21d} units already given" + (f" (record {ids})" if ids else "")
    this = "no dose yet" if history.units_this_dose is None else f"{history.units_this_dose}"
    this += " this dose"
    if any(d.record_id == this_record for d in doses):
        this += f" (record {this_record}, verified)"
    verdict = "within the limit" if history.within_limit else "OVER the limit"
    line = (
        f"{history.window_days}-day window for {day.isoformat()}: {given} + {this} "
        f"= {history.units_total_21d} of {history.limit_units} units: {verdict}."
    )
    return line, history.within_limit, tuple(w.message for w in history.warnings)


def history_view(
    patient_id: str,
    doses: Sequence[PatientDose] | None,
    result: DoseResult | None,
    administered_on: date | None,
    problem: str | None = None,
    date_problem: str | None = None,
    this_record: int | None = None,
) -> HistoryView:
    """The panel for the identifier typed (trimmed). ``doses`` None: not read yet; ``problem``:
    why the journal or the identifier cannot be used; ``date_problem``: why the administration
    date cannot (the doses are listed, the window is not checked); ``this_record``: the journal
    record signed for the order on screen, unchanged since (this dose, not an earlier one)."""
    if not patient_id:
        return HistoryView(
            "Enter the patient identifier to see this patient's verified doses, the units "
            "already given in the policy's window, and the history checks."
        )
    who = f"patient {shown_id(patient_id)}"
    if problem:
        return HistoryView(f"History of {who} NOT shown or checked: {problem}")
    if doses is None:
        return HistoryView(f"Reading the journal for {who}…")
    ordered = sorted(doses, key=lambda d: (d.administered_on or date.min, d.record_id))
    if ordered:
        plural = "s" if len(ordered) != 1 else ""
        summary = f"{len(ordered)} verified dose{plural} of {who} in the journal, newest first:"
    else:
        summary = f"No verified dose of {who} in the journal."
    lines = [dose_line(d, this_record) for d in reversed(ordered)]
    if len(lines) > MAX_LISTED:
        hidden = len(lines) - MAX_LISTED
        lines = [*lines[:MAX_LISTED], f"… and {hidden} earlier (ixempra-journal list --patient-id)"]
    window_line, within = "", None
    warnings: tuple[str, ...] = ()
    if administered_on is not None:
        window_line, within, warnings = _window_line(ordered, result, administered_on, this_record)
    elif date_problem:
        window_line = f"Units window NOT checked: {date_problem}"
    trend = _trend(ordered, result, administered_on, this_record)
    description = (
        "Weight at each verified dose: " + "; ".join(p.text for p in trend)
        if trend
        else "No weight recorded yet."
    )
    return HistoryView(
        summary, tuple(lines), window_line, within, warnings, trend, description + "."
    )

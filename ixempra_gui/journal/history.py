"""History checks for one patient from the earlier verified doses in the journal (issue #6).

Pure: the facts of this dose and of the earlier ones in, figures and warnings out. The 90-unit /
21-day limit is read from the policy data; the 3-week cycle from the label constants.

Window: a dose administered fewer than ``per_days`` days before this administration counts (the
same day counts; exactly 21 days earlier does not). Doses dated after this administration are
not "before" it and do not count, but they are reported: the date is probably wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from ixempra_gui.core import label
from ixempra_gui.core.formatting import format_number, format_quantity
from ixempra_gui.core.policy import Policy
from ixempra_gui.core.rounding import round_percent_change

#: Weight or BSA changed by this fraction or more since the last verified dose → recalculate.
CHANGE_LIMIT = Fraction(1, 10)
SRC_CHANGE = (
    "issue #6 history check: weight or BSA changed by 10% or more since the last verified "
    "dose; recalculate from current measurements"
)


@dataclass(frozen=True)
class DoseFacts:
    """What the history checks need from one dose."""

    administered_on: date
    weight_kg: Fraction
    bsa_m2: Decimal  # the displayed BSA: 0.01 m², before the 2.2 m² cap
    units_total: int | None  # J9207 units administered + discarded; None when no dose
    record_id: int | None = None


@dataclass(frozen=True)
class HistoryWarning:
    code: str
    message: str
    source: str
    #: The figures it was raised for (exact, as text): with the code, what a verifier
    #: acknowledges; the message is only their wording.
    facts: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """What identifies this warning with these figures: ``code:fact,fact``. The journal
        refuses a record whose warnings' keys were not all acknowledged (store.record)."""
        return f"{self.code}:{','.join(self.facts)}"


@dataclass(frozen=True)
class History:
    """Every figure of the check, and the warnings the pharmacist must acknowledge."""

    prior_units_21d: int | None
    units_this_dose: int | None
    units_total_21d: int | None
    limit_units: int
    window_days: int
    within_limit: bool | None  # None: the journal could not be read
    days_since_last_dose: int | None
    weight_change_pct: Decimal | None
    bsa_change_pct: Decimal | None
    warnings: tuple[HistoryWarning, ...]
    window_record_ids: tuple[int, ...] = ()
    last_record_id: int | None = None

    def to_json(self) -> dict[str, Any]:
        """The ``history`` key of ``ixempra-calc --json`` (keys fixed by issue #6)."""
        return {
            "prior_units_21d": self.prior_units_21d,
            "units_this_dose": self.units_this_dose,
            "units_total_21d": self.units_total_21d,
            "limit_units": self.limit_units,
            "within_limit": self.within_limit,
            "days_since_last_dose": self.days_since_last_dose,
            "weight_change_pct": _float(self.weight_change_pct),
            "bsa_change_pct": _float(self.bsa_change_pct),
            "warnings": [{"code": w.code, "message": w.message} for w in self.warnings],
        }


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _pct(text: Decimal) -> str:
    return f"{'+' if text > 0 else ''}{format_number(text)}%"


def _change(now: Fraction, before: Fraction) -> Fraction:
    return (now - before) / before


def window_doses(earlier: Sequence[DoseFacts], day: date, window_days: int) -> list[DoseFacts]:
    """The doses that count toward the window of an administration on ``day``: given on that
    day or fewer than ``window_days`` days before it (exactly ``window_days`` earlier does not)."""
    return [r for r in earlier if 0 <= (day - r.administered_on).days < window_days]


def _since_last(
    current: DoseFacts, last: DoseFacts, warnings: list[HistoryWarning]
) -> tuple[int, Decimal, Decimal]:
    """Days, weight change and BSA change since the last verified dose, with their warnings."""
    today = current.administered_on
    days = (today - last.administered_on).days
    last_ref = f"the last verified dose ({last.administered_on.isoformat()}" + (
        f", record {last.record_id})" if last.record_id is not None else ")"
    )
    if days < label.CYCLE_INTERVAL_DAYS:
        already = " Is this dose already recorded?" if days == 0 else ""
        warnings.append(
            HistoryWarning(
                "short_cycle_interval",
                f"{days} days since {last_ref}: cycles are "
                f"{label.CYCLE_INTERVAL_DAYS} days apart (every 3 weeks).{already}",
                label.SRC_CYCLE_INTERVAL,
                (str(days), last.administered_on.isoformat(), str(last.record_id)),
            )
        )
    weight_change = _change(current.weight_kg, last.weight_kg)
    weight_pct = round_percent_change(weight_change * 100)
    if abs(weight_change) >= CHANGE_LIMIT:
        warnings.append(
            HistoryWarning(
                "weight_change",
                f"Weight {format_quantity(current.weight_kg, 'kg', 2)} changed by "
                f"{_pct(weight_pct)} since {last_ref}: "
                f"{format_quantity(last.weight_kg, 'kg', 2)} then. Recalculate with the "
                "current weight and confirm it is right.",
                SRC_CHANGE,
                (str(current.weight_kg), str(last.weight_kg), str(last.record_id)),
            )
        )
    bsa_change = _change(Fraction(current.bsa_m2), Fraction(last.bsa_m2))
    bsa_pct = round_percent_change(bsa_change * 100)
    if abs(bsa_change) >= CHANGE_LIMIT:
        warnings.append(
            HistoryWarning(
                "bsa_change",
                f"BSA {format_quantity(current.bsa_m2, 'm²')} changed by {_pct(bsa_pct)} "
                f"since {last_ref}: {format_quantity(last.bsa_m2, 'm²')} then. Recalculate "
                "with current measurements.",
                SRC_CHANGE,
                (str(current.bsa_m2), str(last.bsa_m2), str(last.record_id)),
            )
        )
    return days, weight_pct, bsa_pct


def _journal_warnings(
    today: date,
    later: Sequence[DoseFacts],
    altered_record_ids: Sequence[int],
    started_anew: tuple[date, str] | None,
    policy: Policy,
) -> list[HistoryWarning]:
    """What the journal itself says of this history: a later dose already recorded, records
    altered since they were signed, a journal started anew inside the window."""
    window = policy.per_days
    warnings = []
    if later:
        first_later = min(later, key=lambda r: (r.administered_on, r.record_id or 0))
        warnings.append(
            HistoryWarning(
                "later_dose_recorded",
                f"The journal already holds a dose for this patient administered after "
                f"{today.isoformat()} ({first_later.administered_on.isoformat()}"
                + (f", record {first_later.record_id}" if first_later.record_id else "")
                + "): check the administration date. Later doses are not counted in this "
                "dose's window.",
                _limit_source(policy),
                (first_later.administered_on.isoformat(), str(first_later.record_id)),
            )
        )
    if altered_record_ids:
        ids = ", ".join(str(i) for i in altered_record_ids)
        warnings.append(
            HistoryWarning(
                "journal_record_altered",
                f"Journal record(s) {ids} of this patient no longer match their hash: the "
                "history may be wrong. Run ixempra-journal verify.",
                "issue #6 tamper evidence",
                tuple(str(i) for i in altered_record_ids),
            )
        )
    if started_anew is not None and (today - started_anew[0]).days < window:
        day, why = started_anew
        warnings.append(
            HistoryWarning(
                "journal_restarted",
                f"The journal was started anew on {day.isoformat()} ({why}): doses recorded "
                f"before then are in the archived journal and are NOT counted in the "
                f"{window} days before {today.isoformat()}. Check them there.",
                "issue 13: ixempra-journal init --new",
                (day.isoformat(), why),
            )
        )
    return warnings


def _limit_source(policy: Policy) -> str:
    return f"policy {policy.id}, {policy.coverage.dosing_limit_section}; spec §6"


def assess_history(
    current: DoseFacts,
    earlier: Sequence[DoseFacts],
    policy: Policy,
    altered_record_ids: Sequence[int] = (),
    started_anew: tuple[date, str] | None = None,
) -> History:
    """Check this dose against the patient's earlier verified doses. ``started_anew``: the day
    the journal was started anew by a person, and why (its doses before are not in it)."""
    window = policy.per_days
    today = current.administered_on
    before = [r for r in earlier if r.administered_on <= today]
    later = [r for r in earlier if r.administered_on > today]
    in_window = window_doses(earlier, today, window)
    prior = sum(r.units_total or 0 for r in in_window)
    this = current.units_total
    total = prior + (this or 0)
    within = total <= policy.max_units
    warnings: list[HistoryWarning] = []
    if not within:
        warnings.append(
            HistoryWarning(
                "over_21_day_limit",
                f"{policy.hcpcs}: {prior} units in the {window} days before "
                f"{today.isoformat()} + {this or 0} units this dose = {total} units, over the "
                f"limit of {policy.max_units} units per {window} days.",
                _limit_source(policy),
                (str(prior), str(this or 0), str(total), str(policy.max_units)),
            )
        )
    last = max(before, key=lambda r: (r.administered_on, r.record_id or 0), default=None)
    since: tuple[int | None, Decimal | None, Decimal | None] = (None, None, None)
    if last is not None:
        since = _since_last(current, last, warnings)
    days, weight_pct, bsa_pct = since
    warnings += _journal_warnings(today, later, altered_record_ids, started_anew, policy)
    return History(
        prior_units_21d=prior,
        units_this_dose=this,
        units_total_21d=total,
        limit_units=policy.max_units,
        window_days=window,
        within_limit=within,
        days_since_last_dose=days,
        weight_change_pct=weight_pct,
        bsa_change_pct=bsa_pct,
        warnings=tuple(warnings),
        window_record_ids=tuple(r.record_id for r in in_window if r.record_id is not None),
        last_record_id=last.record_id if last is not None else None,
    )


def history_unavailable(reason: str, units_this_dose: int | None, policy: Policy) -> History:
    """The journal could not be read: no figure is claimed, and the warning says why."""
    return History(
        prior_units_21d=None,
        units_this_dose=units_this_dose,
        units_total_21d=None,
        limit_units=policy.max_units,
        window_days=policy.per_days,
        within_limit=None,
        days_since_last_dose=None,
        weight_change_pct=None,
        bsa_change_pct=None,
        warnings=(
            HistoryWarning(
                "journal_unavailable",
                f"The journal could not be read, so the {policy.per_days}-day limit and the "
                f"changes since the last dose were NOT checked: {reason}",
                "issue #6 history check",
                (reason,),
            ),
        ),
    )


def history_altered(
    problem: str,
    first_bad_id: int | None,
    units_this_dose: int | None,
    policy: Policy,
    resolution: str | None = None,
) -> History:
    """The journal failed its integrity checks: no figure is claimed (never a partial count),
    and the warning names the first bad record and what a person must do (``resolution``;
    default: a workstation's journal file, ``init --new``)."""
    first = f"record {first_bad_id}" if first_bad_id else "the journal"
    resolution = resolution or (
        "ixempra-journal verify, then ixempra-journal init --new --reason TEXT"
    )
    return History(
        prior_units_21d=None,
        units_this_dose=units_this_dose,
        units_total_21d=None,
        limit_units=policy.max_units,
        window_days=policy.per_days,
        within_limit=None,
        days_since_last_dose=None,
        weight_change_pct=None,
        bsa_change_pct=None,
        warnings=(
            HistoryWarning(
                "journal_altered",
                f"The journal was altered (first bad: {first}): {problem}. The "
                f"{policy.per_days}-day limit and the changes since the last dose were NOT "
                f"checked, and nothing can be recorded until a person resolves it ({resolution}).",
                "issue 13: journal integrity",
                (problem, str(first_bad_id)),
            ),
        ),
    )


def history_text(history: History) -> str:
    """The history checks for the terminal, after the dose summary."""
    if history.within_limit is None:
        altered = any(w.code == "journal_altered" for w in history.warnings)
        why = "journal altered" if altered else "journal unavailable"
        lines = [f"History     NOT checked ({why})"]
    else:
        this = "no dose" if history.units_this_dose is None else f"{history.units_this_dose}"
        verdict = "within" if history.within_limit else "OVER"
        lines = [
            f"History     {history.prior_units_21d} units in the {history.window_days} days "
            f"before + {this} this dose = {history.units_total_21d} units; limit "
            f"{history.limit_units}: {verdict}",
        ]
        if history.days_since_last_dose is None:
            lines.append("            no earlier verified dose in the journal")
        else:
            assert history.weight_change_pct is not None and history.bsa_change_pct is not None
            lines.append(
                f"            last verified dose {history.days_since_last_dose} days before; "
                f"weight {_pct(history.weight_change_pct) if history.weight_change_pct else '0%'}"
                f", BSA {_pct(history.bsa_change_pct) if history.bsa_change_pct else '0%'}"
            )
    lines += [f"  [warning] {w.message} ({w.source})" for w in history.warnings]
    return "\n".join(lines)

"""How old a measurement may be before it must be checked again (issue 4 settings).

A dose calculated from a weight taken two months ago, or from labs drawn last week, is a known
cause of wrong doses. The limits are site settings (defaults: height and weight within 30 days,
labs within 3 days); an older measurement is a warning the pharmacist must acknowledge, a date in
the future or a missing date is an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from ixempra_gui.core.models import FieldIssue, Severity

SRC_STALENESS = "site settings: staleness limits (product decision, issue 4)"


@dataclass(frozen=True)
class DatedField:
    """One date input: its key, what it dates (said in messages) and its age limit in days."""

    key: str
    label: str
    max_age_days: int


def check_dates(
    fields: tuple[DatedField, ...],
    dates: Mapping[str, date | None],
    today: date,
    acknowledged: bool,
) -> tuple[FieldIssue, ...]:
    """One issue per date that is missing, in the future, or older than its limit.

    The limit is inclusive: a weight measured exactly 30 days ago passes a 30-day limit.
    """
    issues: list[FieldIssue] = []
    for spec in fields:
        when = dates.get(spec.key)
        if when is None:
            issues.append(
                FieldIssue(
                    spec.key,
                    "required",
                    f"{spec.label}: a date is required (the day it was measured).",
                    Severity.STOP,
                )
            )
            continue
        age = (today - when).days
        if age < 0:
            issues.append(
                FieldIssue(
                    spec.key,
                    "future_date",
                    f"{spec.label}: {when.isoformat()} is in the future. "
                    f"Accepted: today ({today.isoformat()}) or earlier.",
                    Severity.STOP,
                )
            )
        elif age > spec.max_age_days:
            days = "day" if spec.max_age_days == 1 else "days"
            issues.append(
                FieldIssue(
                    spec.key,
                    "stale_measurement",
                    f"{spec.label}: {when.isoformat()} is {age} days ago, older than the "
                    f"{spec.max_age_days} {days} allowed; measure again, or check it and "
                    f"acknowledge the warning to go on ({SRC_STALENESS})",
                    Severity.WARNING,
                    acknowledged,
                )
            )
    return tuple(issues)

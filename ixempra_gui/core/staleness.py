"""How old a measurement may be before it must be checked again (issue 4 settings).

A dose calculated from a weight taken two months ago, or from labs drawn last week, is a known
cause of wrong doses. The limits are site settings (defaults: height and weight within 30 days,
labs within 3 days); an older measurement is a warning the pharmacist must acknowledge, a date in
the future or a missing date is an error.
"""

from __future__ import annotations

import re
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


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ACCEPTED = "a date as year-month-day, e.g. 2025-05-01"


def parse_date(text: str | None) -> date | None:
    """``YYYY-MM-DD`` only: 05/01/2025 means May in one country and January in another."""
    cleaned = (text or "").strip()
    if not _ISO_DATE.match(cleaned):
        return None
    try:
        return date.fromisoformat(cleaned)
    except ValueError:  # 2025-02-30
        return None


def check_dates(
    fields: tuple[DatedField, ...],
    texts: Mapping[str, str | None],
    today: date,
    acknowledged: bool,
) -> tuple[FieldIssue, ...]:
    """One issue per date that is missing, unreadable, in the future, or older than its limit.

    The limit is inclusive: a weight measured exactly 30 days ago passes a 30-day limit.
    """
    issues: list[FieldIssue] = []
    for spec in fields:
        text = (texts.get(spec.key) or "").strip()
        when = parse_date(text)
        if when is None:
            what = f"'{text}' is not a date" if text else "a date is required"
            issues.append(
                FieldIssue(
                    spec.key,
                    "required" if not text else "not_a_date",
                    f"{spec.label}: {what}. Accepted: {ACCEPTED}.",
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

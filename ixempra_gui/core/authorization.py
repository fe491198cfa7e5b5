"""The authorization period: "Coverage will be provided for 6 months" (policy data).

Convention (the policy is silent on it): the period starts on the request date and ends on the
day before the same day of the month N calendar months later, both days included. When that
later month has no such day (31 August + 6 months), the period ends on that month's last day.
Equivalently: end = start + N months − 1 day, the day clamped to the end of its month. So:

    2025-01-01 → 2025-06-30     2025-08-28 → 2026-02-27     2025-08-31 → 2026-02-28
    2023-08-31 → 2024-02-29     2024-02-29 → 2024-08-28     2025-09-01 → 2026-02-28

A period is never longer than N calendar months and never ends in the month after the Nth.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta


def add_months(day: date, months: int) -> tuple[int, int]:
    """(year, month) N calendar months after ``day``'s month."""
    index = day.year * 12 + (day.month - 1) + months
    return index // 12, index % 12 + 1


def authorization_end(start: date, months: int) -> date:
    """Last covered day of an N-month authorization starting on ``start`` (see module doc)."""
    if months < 1:
        raise ValueError(f"authorization length must be at least 1 month, got {months}")
    if start.day == 1:  # the day before the 1st is the last day of the previous month
        year, month = add_months(start, months)
        return date(year, month, 1) - timedelta(days=1)
    year, month = add_months(start, months)
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(start.day - 1, last))

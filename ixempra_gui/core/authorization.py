"""The authorization period: "Coverage will be provided for 6 months" (policy data).

Convention (issue #5: "start date → +6 months"; the policy is silent on the day): the period runs
from the request date to the same day of the month N calendar months later. When that month has
no such day (31 August + 6 months), it ends on that month's last day:

    2025-01-01 → 2025-07-01     2025-01-15 → 2025-07-15     2025-08-31 → 2026-02-28
    2023-08-31 → 2024-02-29     2024-02-29 → 2024-08-29     2025-12-31 → 2026-06-30
"""

from __future__ import annotations

import calendar
from datetime import date


def add_months(day: date, months: int) -> tuple[int, int]:
    """(year, month) N calendar months after ``day``'s month."""
    index = day.year * 12 + (day.month - 1) + months
    return index // 12, index % 12 + 1


def authorization_end(start: date, months: int) -> date:
    """End of an N-month authorization starting on ``start`` (see module doc)."""
    if months < 1:
        raise ValueError(f"authorization length must be at least 1 month, got {months}")
    year, month = add_months(start, months)
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))

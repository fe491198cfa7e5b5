"""The authorization end date: start + N calendar months − 1 day, clamped to the month's end."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ixempra_gui.core.authorization import add_months, authorization_end
from ixempra_gui.core.policy import load_policy

SIX = load_policy().authorization_months


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2025-01-01", "2025-06-30"),  # the 1st: ends on the last day of the 6th month
        ("2025-01-15", "2025-07-14"),
        ("2025-03-31", "2025-09-30"),  # September has no 31st, nor needs it: the 30th
        ("2025-06-30", "2025-12-29"),
        ("2025-07-01", "2025-12-31"),
        ("2025-07-31", "2026-01-30"),
        ("2025-08-28", "2026-02-27"),
        ("2025-08-29", "2026-02-28"),  # no 29 February 2026: clamped to the month's end
        ("2025-08-30", "2026-02-28"),
        ("2025-08-31", "2026-02-28"),
        ("2025-09-01", "2026-02-28"),
        ("2023-08-29", "2024-02-28"),  # leap year: 29 February exists
        ("2023-08-30", "2024-02-29"),
        ("2023-08-31", "2024-02-29"),
        ("2023-09-01", "2024-02-29"),
        ("2024-02-29", "2024-08-28"),  # start on a leap day
        ("2024-02-28", "2024-08-27"),
        ("2099-08-31", "2100-02-28"),  # 2100 is not a leap year
        ("2099-09-01", "2100-02-28"),
        ("2399-08-31", "2400-02-29"),  # 2400 is
        ("2025-12-31", "2026-06-30"),
        ("2025-12-01", "2026-05-31"),
    ],
)
def test_six_month_end_dates(start: str, end: str) -> None:
    assert SIX == 6
    assert authorization_end(date.fromisoformat(start), SIX) == date.fromisoformat(end)


def test_other_lengths() -> None:
    assert authorization_end(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert authorization_end(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert authorization_end(date(2025, 2, 1), 12) == date(2026, 1, 31)
    with pytest.raises(ValueError):
        authorization_end(date(2025, 1, 1), 0)


starts = st.dates(min_value=date(1900, 1, 1), max_value=date(2400, 12, 31))
lengths = st.integers(min_value=1, max_value=24)


@given(starts, lengths)
def test_end_is_the_last_day_before_the_same_date_n_months_later(start: date, n: int) -> None:
    end = authorization_end(start, n)
    year, month = add_months(start, n)
    days_in_month = calendar.monthrange(year, month)[1]
    if start.day <= days_in_month:  # the anniversary exists: the end is the day before it
        assert end == date(year, month, start.day) - timedelta(days=1)
    else:  # it does not: the end is the last day of that month
        assert end == date(year, month, days_in_month)
    assert end > start
    assert end < date(year, month, 1) + timedelta(days=31)  # never into the month after


@given(starts, lengths)
def test_later_start_never_ends_earlier(start: date, n: int) -> None:
    assert authorization_end(start + timedelta(days=1), n) >= authorization_end(start, n)

"""The authorization end date: start + N calendar months, clamped to the month's end."""

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
        ("2025-01-01", "2025-07-01"),
        ("2025-01-15", "2025-07-15"),
        ("2025-03-31", "2025-09-30"),  # September has no 31st: the month's last day
        ("2025-06-30", "2025-12-30"),
        ("2025-07-31", "2026-01-31"),
        ("2025-08-28", "2026-02-28"),
        ("2025-08-29", "2026-02-28"),  # no 29 February 2026: clamped to the month's end
        ("2025-08-31", "2026-02-28"),
        ("2025-09-01", "2026-03-01"),
        ("2023-08-29", "2024-02-29"),  # leap year: 29 February exists
        ("2023-08-31", "2024-02-29"),
        ("2024-02-29", "2024-08-29"),  # start on a leap day
        ("2099-08-31", "2100-02-28"),  # 2100 is not a leap year
        ("2399-08-31", "2400-02-29"),  # 2400 is
        ("2025-12-31", "2026-06-30"),
    ],
)
def test_six_month_end_dates(start: str, end: str) -> None:
    assert SIX == 6
    assert authorization_end(date.fromisoformat(start), SIX) == date.fromisoformat(end)


def test_other_lengths() -> None:
    assert authorization_end(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert authorization_end(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert authorization_end(date(2025, 2, 1), 12) == date(2026, 2, 1)
    with pytest.raises(ValueError):
        authorization_end(date(2025, 1, 1), 0)


starts = st.dates(min_value=date(1900, 1, 1), max_value=date(2400, 12, 31))
lengths = st.integers(min_value=1, max_value=24)


@given(starts, lengths)
def test_end_is_the_same_day_n_months_later_or_that_months_end(start: date, n: int) -> None:
    end = authorization_end(start, n)
    year, month = add_months(start, n)
    days_in_month = calendar.monthrange(year, month)[1]
    assert (end.year, end.month) == (year, month)
    assert end.day == min(start.day, days_in_month)
    assert end > start


@given(starts, lengths)
def test_later_start_never_ends_earlier(start: date, n: int) -> None:
    assert authorization_end(start + timedelta(days=1), n) >= authorization_end(start, n)

"""Measurement dates: missing, in the future, at / just over the age limit (core/staleness.py)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ixempra_gui.core.models import Severity
from ixempra_gui.core.staleness import DatedField, check_dates, parse_date

TODAY = date(2025, 3, 1)  # the day after 28 February: month lengths do not matter
WEIGHT = DatedField("weight_measured_on", "Weight measured on", 30)


def issues_for(days_ago: int | None, acknowledged: bool = False):
    when = "" if days_ago is None else (TODAY - timedelta(days=days_ago)).isoformat()
    return check_dates((WEIGHT,), {"weight_measured_on": when}, TODAY, acknowledged)


def test_today_and_at_the_limit_pass() -> None:
    assert issues_for(0) == ()
    assert issues_for(30) == ()


def test_one_day_over_is_a_warning_that_blocks_until_acknowledged() -> None:
    (issue,) = issues_for(31)
    assert issue.code == "stale_measurement" and issue.severity is Severity.WARNING
    assert issue.blocks
    assert "2025-01-29 is 31 days ago, older than the 30 days allowed" in issue.message
    (checked,) = issues_for(31, acknowledged=True)
    assert not checked.blocks


def test_future_and_missing_dates_are_errors_acknowledgement_cannot_pass() -> None:
    (future,) = issues_for(-1, acknowledged=True)
    assert future.code == "future_date" and future.blocks and "2025-03-02" in future.message
    (missing,) = issues_for(None, acknowledged=True)
    assert missing.code == "required" and missing.blocks


@pytest.mark.parametrize("text", ["05/01/2025", "2025-02-30", "20250201", "2025-W05-1", "today"])
def test_only_unambiguous_iso_dates_are_read(text: str) -> None:
    (issue,) = check_dates((WEIGHT,), {"weight_measured_on": text}, TODAY, True)
    assert issue.code == "not_a_date" and issue.blocks
    assert f"'{text}' is not a date" in issue.message and "year-month-day" in issue.message


def test_parse_date() -> None:
    assert parse_date(" 2025-02-28 ") == date(2025, 2, 28)
    assert parse_date("2024-02-29") == date(2024, 2, 29)
    assert parse_date("2025-02-29") is None
    assert parse_date(None) is None

"""The preparation's clocks: 1 h from reconstitution to dilution, 6 h from dilution to the end
of the infusion, compared exactly; times in the future or out of order refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from ixempra_gui.core import label
from ixempra_gui.core.compounding_clock import (
    DILUTED_AT,
    RECONSTITUTED_AT,
    ClockCheck,
    aware,
    check_clocks,
    local_date,
)

EST = timezone(timedelta(hours=-5))
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=EST)
H = timedelta(hours=1)
TICK = timedelta(microseconds=1)


def clocks(
    recon: datetime | None,
    diluted: datetime | None,
    infusion_hours: int = 3,
    tolerance: timedelta = timedelta(minutes=5),
) -> ClockCheck:
    return check_clocks(
        recon, diluted, infusion_hours=infusion_hours, now=NOW, tolerance=tolerance, tz=EST
    )


def test_the_label_limits_are_the_ones_used() -> None:
    assert (label.RECONSTITUTED_MAX_HOURS, label.DILUTED_MAX_HOURS) == (1, 6)


def test_exactly_one_hour_in_the_vial_is_allowed_one_microsecond_more_is_not() -> None:
    ok = clocks(NOW - 2 * H, NOW - H)
    assert not ok.failed and not ok.errors and ok.too_late is None
    late = clocks(NOW - 2 * H - TICK, NOW - H)
    assert late.failed and late.failure is not None
    assert "1 h 0 min in the vial, more than the 1 h allowed" in late.failure
    assert "discard and remake" in late.failure and label.SRC_RECONSTITUTED_MAX in late.failure


def test_not_yet_diluted_fails_once_the_hour_has_passed() -> None:
    recon = NOW - H
    running = clocks(recon, None)
    assert not running.failed and running.dilute_by == NOW
    expired = clocks(recon - TICK, None)
    assert expired.failed and expired.failure is not None
    assert "not diluted by 2026-03-10 11:59" in expired.failure


@pytest.mark.parametrize(("hours", "start_by_after"), [(3, 3), (4, 2)])
def test_the_deadlines_follow_from_the_dilution(hours: int, start_by_after: int) -> None:
    diluted = NOW - timedelta(minutes=30)
    result = clocks(diluted - timedelta(minutes=20), diluted, infusion_hours=hours)
    assert result.complete_by == diluted + 6 * H
    assert result.start_by == diluted + start_by_after * H
    assert result.dilute_by == diluted - timedelta(minutes=20) + H


def test_printing_is_refused_once_now_passes_the_last_start_time() -> None:
    diluted = NOW - 3 * H  # 3 h infusion: it must start by dilution + 3 h, which is now
    assert clocks(diluted - H, diluted).too_late is None
    too_late = clocks(diluted - H - TICK, diluted - TICK).too_late
    assert too_late is not None and "Too late to print the label" in too_late
    assert "complete by 2026-03-10 14:59" in too_late and "had to start by" in too_late
    four_hours = clocks(diluted - H, diluted, infusion_hours=4).too_late
    assert four_hours is not None and "a 4 h infusion" in four_hours


def test_dilution_before_reconstitution_is_refused_naming_both() -> None:
    result = clocks(NOW - H, NOW - 2 * H)
    assert [e.field for e in result.errors] == [DILUTED_AT]
    assert "2026-03-10 10:00 is before the reconstitution (2026-03-10 11:00)" in (
        result.errors[0].message
    )
    assert result.failure is None and result.complete_by is None


def test_times_in_the_future_beyond_the_tolerance_are_refused() -> None:
    result = clocks(NOW + timedelta(minutes=5), NOW + timedelta(minutes=5, microseconds=1))
    assert [e.field for e in result.errors] == [DILUTED_AT]
    assert "is in the future (now 2026-03-10 12:00)" in result.errors[0].message
    strict = clocks(NOW + TICK, None, tolerance=timedelta(0))
    assert [e.field for e in strict.errors] == [RECONSTITUTED_AT]


def test_a_dilution_needs_its_reconstitution_time() -> None:
    result = clocks(None, NOW)
    assert [e.field for e in result.errors] == [RECONSTITUTED_AT]
    assert "required once the dilution time is recorded" in result.errors[0].message


def test_naive_times_are_local_wall_time_of_the_given_zone() -> None:
    naive = datetime(2026, 3, 10, 11, 0)
    result = clocks(naive, None)
    assert result.reconstituted_at == datetime(2026, 3, 10, 16, 0, tzinfo=UTC)
    assert result.dilute_by == NOW


def test_naive_times_without_a_zone_are_this_machines_local_time() -> None:
    naive = datetime(2026, 3, 10, 11, 0)
    result = check_clocks(naive, None, infusion_hours=3, now=naive + H / 2)
    assert result.reconstituted_at == naive.astimezone()  # what the OS says local time is
    assert local_date(naive) == naive.date()


def test_exact_across_a_daylight_saving_change() -> None:
    zoneinfo = pytest.importorskip("zoneinfo")
    try:
        new_york = zoneinfo.ZoneInfo("America/New_York")
    except zoneinfo.ZoneInfoNotFoundError:
        pytest.skip("no time zone database on this machine")
    # 2026-03-08: clocks go from 02:00 EST to 03:00 EDT. 01:30 → 03:20 on the wall is 50 min.
    recon = datetime(2026, 3, 8, 1, 30, tzinfo=new_york)
    diluted = datetime(2026, 3, 8, 3, 20, tzinfo=new_york)
    now = datetime(2026, 3, 8, 3, 30, tzinfo=new_york)
    result = check_clocks(recon, diluted, infusion_hours=3, now=now, tz=new_york)
    assert not result.failed, result.failure
    assert result.complete_by == aware(diluted) + 6 * H
    naive = check_clocks(
        recon.replace(tzinfo=None),
        diluted.replace(tzinfo=None) + 11 * timedelta(minutes=1),  # 61 min really elapsed
        infusion_hours=3,
        now=now,
        tz=new_york,
    )
    assert naive.failed


@pytest.mark.parametrize(
    ("moment", "outcome"),
    [
        (datetime.min, "failed"),  # year 1, placeable: an hour and more ago
        (datetime.min.replace(tzinfo=UTC), "error"),  # no local wall time at -05:00
        (datetime.max, "error"),
        (datetime.max.replace(tzinfo=UTC), "error"),
        (datetime.max - 5 * H, "error"),  # its 6 h deadline is past year 9999
    ],
)
def test_times_at_the_ends_of_the_calendar_are_judged_not_raised(
    moment: datetime, outcome: str
) -> None:
    result = clocks(moment, None)
    if outcome == "error":
        assert [e.field for e in result.errors] == [RECONSTITUTED_AT]
        assert "is not a usable time" in result.errors[0].message or "future" in (
            result.errors[0].message
        )
    else:
        assert result.failed and not result.errors
    both = clocks(moment, moment)
    assert both.errors if outcome == "error" else both.too_late


def test_a_bad_infusion_time_is_a_programming_error() -> None:
    for hours in (0, 6, -1):
        with pytest.raises(ValueError, match="infusion_hours"):
            clocks(None, None, infusion_hours=hours)

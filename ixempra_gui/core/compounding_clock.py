"""The clocks of a preparation (label; clinical-rules §5): reconstituted solution at most 1 h in
the vial before it is diluted, infusion complete within 6 h of dilution.

Times compare exactly, as timezone-aware datetimes. A naive datetime is local wall time: of
``tz`` when given, else of this machine's time zone (``datetime.astimezone()``); calendar
dates (a kit's expiry) are the local date. Times typed by a person are checked, never trusted:
a time in the future (beyond a small clock tolerance), a dilution before the reconstitution, or
a time that cannot be placed on the calendar is refused with a message naming the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Final

from ixempra_gui.core import label

RECONSTITUTED_MAX: Final = timedelta(hours=label.RECONSTITUTED_MAX_HOURS)
DILUTED_MAX: Final = timedelta(hours=label.DILUTED_MAX_HOURS)
#: Clocks of the workstation, the scanner's PC and a wall clock differ by a little.
DEFAULT_FUTURE_TOLERANCE: Final = timedelta(minutes=5)
RECONSTITUTED_AT, DILUTED_AT = "reconstituted_at", "diluted_at"
FIELD_LABELS: Final = {
    RECONSTITUTED_AT: "Reconstituted at",
    DILUTED_AT: "Diluted (bag completed) at",
}


def aware(moment: datetime, tz: tzinfo | None = None) -> datetime:
    """The same instant in UTC: a naive time is local wall time (of ``tz``, else of this
    machine). In UTC because Python subtracts and compares two datetimes that share one tzinfo
    by their wall clocks, which is wrong across a DST change. OverflowError/OSError/ValueError
    when the time cannot be placed (near year 1 or 9999)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        moment = moment.replace(tzinfo=tz) if tz is not None else moment.astimezone()
    return moment.astimezone(UTC)


def local_date(moment: datetime, tz: tzinfo | None = None) -> date:
    """The calendar date at the pharmacy (``tz``, else this machine's zone) of an instant."""
    return aware(moment, tz).astimezone(tz).date()  # tz None: this machine's zone


def shown(moment: datetime, tz: tzinfo | None = None) -> str:
    """A time as messages show it: local date and minute, e.g. 2025-05-01 14:05."""
    try:
        return aware(moment, tz).astimezone(tz).strftime("%Y-%m-%d %H:%M")
    except (OverflowError, OSError, ValueError):
        return moment.isoformat(timespec="minutes")


def _duration(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


@dataclass(frozen=True)
class TimeIssue:
    """A time refused as input; ``field`` is ``reconstituted_at`` or ``diluted_at``."""

    field: str
    message: str


@dataclass(frozen=True)
class ClockCheck:
    """The times of one preparation, judged at ``now``. Deadlines are None until knowable."""

    now: datetime
    infusion_hours: int
    reconstituted_at: datetime | None  # aware, when given and valid
    diluted_at: datetime | None
    errors: tuple[TimeIssue, ...]
    dilute_by: datetime | None  # reconstitution + 1 h
    start_by: datetime | None  # dilution + 6 h − infusion hours: the label prints until then
    complete_by: datetime | None  # dilution + 6 h: "complete infusion by" on the label
    failure: str | None  # why the preparation must be discarded and remade
    too_late: str | None  # why the label can no longer be printed

    @property
    def failed(self) -> bool:
        return self.failure is not None


def check_clocks(
    reconstituted_at: datetime | None,
    diluted_at: datetime | None,
    *,
    infusion_hours: int,
    now: datetime,
    tolerance: timedelta = DEFAULT_FUTURE_TOLERANCE,
    tz: tzinfo | None = None,
) -> ClockCheck:
    """Judge the two times at ``now``. Never raises on the two times; ValueError for an
    infusion time or tolerance outside what the label allows, OverflowError for a ``now`` that
    cannot be placed (the caller's clock, not input)."""
    if not 1 <= infusion_hours < label.DILUTED_MAX_HOURS:
        raise ValueError(f"infusion_hours must be 1..{label.DILUTED_MAX_HOURS - 1}")
    if tolerance < timedelta(0):
        raise ValueError("tolerance must not be negative")
    now = aware(now, tz)
    errors: list[TimeIssue] = []
    recon, diluted = _two_times(reconstituted_at, diluted_at, now, tolerance, tz, errors)
    too_late = None
    dilute_by = _plus(recon, RECONSTITUTED_MAX)
    failure = _vial_failure(recon, diluted, dilute_by, now, tz)
    complete_by = _plus(diluted, DILUTED_MAX)
    start_by = _plus(diluted, DILUTED_MAX - timedelta(hours=infusion_hours))
    if diluted is not None and start_by is not None and complete_by is not None and now > start_by:
        too_late = (
            f"Too late to print the label: diluted at {shown(diluted, tz)}, the infusion must be "
            f"complete by {shown(complete_by, tz)} "
            f"({label.DILUTED_MAX_HOURS} h after dilution), so a {infusion_hours} h infusion had "
            f"to start by {shown(start_by, tz)} ({label.SRC_DILUTED_MAX})."
        )
    return ClockCheck(
        now=now,
        infusion_hours=infusion_hours,
        reconstituted_at=recon,
        diluted_at=diluted,
        errors=tuple(errors),
        dilute_by=dilute_by,
        start_by=start_by,
        complete_by=complete_by,
        failure=failure,
        too_late=too_late,
    )


def _two_times(
    reconstituted_at: datetime | None,
    diluted_at: datetime | None,
    now: datetime,
    tolerance: timedelta,
    tz: tzinfo | None,
    errors: list[TimeIssue],
) -> tuple[datetime | None, datetime | None]:
    """Each time checked, then together: a dilution needs its reconstitution, and comes after
    it (neither is used when they contradict each other)."""
    recon = _valid(RECONSTITUTED_AT, reconstituted_at, now, tolerance, tz, errors)
    diluted = _valid(DILUTED_AT, diluted_at, now, tolerance, tz, errors)
    if diluted is not None and recon is None and reconstituted_at is None:
        errors.append(
            TimeIssue(
                RECONSTITUTED_AT,
                f"{FIELD_LABELS[RECONSTITUTED_AT]}: required once the dilution time is recorded "
                "(the 1 h limit runs from it)",
            )
        )
        diluted = None
    if recon is not None and diluted is not None and diluted < recon:
        errors.append(
            TimeIssue(
                DILUTED_AT,
                f"{FIELD_LABELS[DILUTED_AT]}: {shown(diluted, tz)} is before the reconstitution "
                f"({shown(recon, tz)}). Accepted: the time the bag was completed, after the "
                "reconstitution.",
            )
        )
        recon = diluted = None
    return recon, diluted


def _vial_failure(
    recon: datetime | None,
    diluted: datetime | None,
    dilute_by: datetime | None,
    now: datetime,
    tz: tzinfo | None,
) -> str | None:
    """The reconstituted solution stayed in the vial longer than the label allows (diluted too
    late, or not diluted by now): the preparation failed."""
    if recon is None or dilute_by is None:
        return None
    if diluted is not None and diluted - recon > RECONSTITUTED_MAX:
        return (
            f"Reconstituted at {shown(recon, tz)}, diluted at {shown(diluted, tz)}: "
            f"{_duration(diluted - recon)} in the vial, more than the "
            f"{label.RECONSTITUTED_MAX_HOURS} h allowed. Preparation failed: discard and "
            f"remake ({label.SRC_RECONSTITUTED_MAX})."
        )
    if diluted is None and now - recon > RECONSTITUTED_MAX:
        return (
            f"Reconstituted at {shown(recon, tz)} and not diluted by {shown(dilute_by, tz)} "
            f"({label.RECONSTITUTED_MAX_HOURS} h). Preparation failed: discard and remake "
            f"({label.SRC_RECONSTITUTED_MAX})."
        )
    return None


def _valid(
    field: str,
    moment: datetime | None,
    now: datetime,
    tolerance: timedelta,
    tz: tzinfo | None,
    errors: list[TimeIssue],
) -> datetime | None:
    if moment is None:
        return None
    name = FIELD_LABELS[field]
    try:
        placed = aware(moment, tz)
        placed.astimezone(tz)  # must also have a local wall time
        (placed + DILUTED_MAX).astimezone(tz)  # and so must its deadlines
    except (OverflowError, OSError, ValueError):
        errors.append(TimeIssue(field, f"{name}: {moment.isoformat()} is not a usable time."))
        return None
    if placed - now > tolerance:
        errors.append(
            TimeIssue(
                field,
                f"{name}: {shown(placed, tz)} is in the future (now {shown(now, tz)}). Accepted: "
                "the time it was done, now or earlier.",
            )
        )
        return None
    return placed


def _plus(moment: datetime | None, span: timedelta) -> datetime | None:
    if moment is None:
        return None
    try:
        return moment + span
    except OverflowError:
        return None

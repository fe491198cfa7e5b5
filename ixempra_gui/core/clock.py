"""The one place the core reads the clock, so tests can pin it (``monkeypatch`` ``now``)."""

from __future__ import annotations

from datetime import datetime


def now() -> datetime:
    """The current local time, with its offset."""
    return datetime.now().astimezone()


def comparable_now(like: datetime) -> datetime:
    """Now, naive when ``like`` is naive (a time typed without an offset is local time)."""
    current = now()
    return current.replace(tzinfo=None) if like.tzinfo is None else current

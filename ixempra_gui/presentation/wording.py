"""The one wording of each fact, for the screen and for paper.

The facts are worded in the core (core/wording.py), so that ``ixempra-calc``'s text and the
journal's comparison and export say them exactly as the window does; this module re-exports
them for the presentation layer and adds what only people at the screen or on paper read:
sentences, cited sources, a journal record's line. Renderers (order_view, worksheet,
prior_auth_sheet, verify_view) word a fact only through here.

Importing it loads the core (pint): the window imports it after its first paint.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from ixempra_gui.core.wording import (
    UNVERIFIED,
    billing_code,
    billing_lines,
    bsa_text,
    cited,
    clock,
    gate_lines,
    liver_ratios,
    local,
    measurement_echo,
    ndc_list,
    numbered_steps,
    preparation_lines,
    preparation_notes,
    rounding_note,
    stamp,
    times_line,
    units_phrase,
    use_by_lines,
    vial_plan,
    vial_plan_total,
    with_uln,
    yes_no,
    zone,
)

if TYPE_CHECKING:
    from ixempra_gui.core.models import LevelRule

__all__ = [
    "UNVERIFIED",
    "billing_code",
    "billing_lines",
    "bsa_text",
    "cited",
    "clock",
    "gate_lines",
    "level_rule_line",
    "liver_ratios",
    "local",
    "measurement_echo",
    "ndc_list",
    "numbered_steps",
    "preparation_lines",
    "preparation_notes",
    "recorded_time",
    "rounding_note",
    "sentence",
    "stamp",
    "times_line",
    "units_phrase",
    "use_by_lines",
    "vial_plan",
    "vial_plan_total",
    "with_uln",
    "yes_no",
    "zone",
]


def sentence(text: str) -> str:
    """The phrase as a sentence's start: its first letter in capitals."""
    return text[:1].upper() + text[1:]


def level_rule_line(rule: LevelRule) -> str:
    """One rule considered for the dose level, whether it set it, and its source."""
    head = "✔ sets the level: " if rule.applies else "considered: "
    return f"{head}{rule.description} [{cited(rule.source)}]"


def recorded_time(recorded_at_utc: str, day: date | None = None) -> str:
    """When a journal record was written (stored in UTC, ISO 8601), as local time: with its
    zone, or only the time when ``day`` is the page's (its zone is in the header)."""
    try:
        moment = datetime.fromisoformat(recorded_at_utc)
    except ValueError:
        return recorded_at_utc  # never hidden, even when unreadable
    return clock(moment, day) if day is not None else stamp(moment)

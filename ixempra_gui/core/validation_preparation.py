"""The preparation's inputs (clinical-rules §5): the infusion fluid, the stocked bags (sodium
chloride only in 250 and 500 mL bags), a prior reaction, and when the dose is prepared.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from ixempra_gui.core import clock, label
from ixempra_gui.core.characters import non_ascii_digit
from ixempra_gui.core.models import Diluent, FieldIssue, Order, PreparationInputs
from ixempra_gui.core.validation_fields import choice, error, quoted

#: Preparation time: refused outside this range; a note beyond this distance from now.
EARLIEST_PREPARATION = datetime(2000, 1, 1)
LATEST_PREPARATION_AHEAD = timedelta(days=366)
PREPARATION_NOTE_AFTER = timedelta(days=2)


def preparation_inputs(order: Order, issues: list[FieldIssue]) -> PreparationInputs:
    diluent, issue = choice("diluent", order.diluent or Diluent.LACTATED_RINGERS.value)
    issues.extend([issue] if issue else [])
    diluent = diluent if isinstance(diluent, Diluent) else Diluent.LACTATED_RINGERS
    bags = PreparationInputs().bag_sizes_ml
    if order.bag_sizes is not None and str(order.bag_sizes).strip():
        parts = [
            p.strip().lower().removesuffix("ml").strip() for p in str(order.bag_sizes).split(",")
        ]
        if all(re.fullmatch(r"[0-9]{2,4}", p) and 25 <= int(p) <= 1000 for p in parts):
            bags = tuple(dict.fromkeys(int(p) for p in parts))
        else:
            issues.append(
                error(
                    "bag_sizes",
                    "unreadable",
                    f"Bag sizes: {quoted(str(order.bag_sizes))} is not accepted. Accepted: "
                    "the stocked bag volumes in mL, in order of preference, "
                    "separated by commas (250,100,500), each 25–1000 mL.",
                )
            )
    if diluent is Diluent.SODIUM_CHLORIDE and not set(bags) & set(label.SODIUM_CHLORIDE_BAGS_ML):
        issues.append(
            error(
                "bag_sizes",
                "not_offered",
                f"Bag sizes: {', '.join(f'{b} mL' for b in bags)} cannot be used "
                "with sodium chloride: it must be pH-adjusted with 2 mEq sodium "
                "bicarbonate per 250 or 500 mL bag, so only 250 and 500 mL bags are "
                "offered. Accepted: 250 or 500, or Lactated Ringer's.",
            )
        )
    prepared_at = preparation_time(order.prepared_at, issues)
    return PreparationInputs(diluent, bags, bool(order.prior_hypersensitivity), prepared_at)


def preparation_time(text: object, issues: list[FieldIssue]) -> datetime | None:
    """ISO 8601, from 2000-01-01 to a year from now (a use-by time must be computable)."""
    cleaned = str(text).strip() if text is not None else ""
    if not cleaned:
        return None
    accepted = (
        "Accepted: an ISO 8601 date and time from 2000-01-01 to a year from now "
        "(2026-11-27T09:30 or 2026-11-27T09:30+01:00)."
    )
    value = None
    if len(cleaned) <= 40 and non_ascii_digit(cleaned) is None:
        try:
            value = datetime.fromisoformat(cleaned)
        except ValueError:
            value = None
    if value is None:
        issues.append(
            error(
                "prepared_at",
                "unreadable",
                f"Prepared at: {quoted(cleaned)} is not accepted. {accepted}",
            )
        )
        return None
    now = clock.comparable_now(value)
    earliest = EARLIEST_PREPARATION.replace(tzinfo=now.tzinfo)
    try:
        outside = not earliest <= value <= now + LATEST_PREPARATION_AHEAD
    except OverflowError:
        outside = True
    if outside:
        issues.append(
            error(
                "prepared_at",
                "out_of_range",
                f"Prepared at: {value.isoformat(timespec='minutes')} is outside the accepted "
                f"range. {accepted}",
            )
        )
        return None
    return value

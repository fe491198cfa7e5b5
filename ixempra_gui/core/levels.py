"""The dose level (mg/m²): every rule that constrains it is listed; the lowest wins."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from ixempra_gui.core import label
from ixempra_gui.core.hepatic import HepaticOutcome
from ixempra_gui.core.models import LevelRule, Reason, Severity, ValidInputs


def decide_level(
    inputs: ValidInputs, hepatic: HepaticOutcome
) -> tuple[Decimal | None, tuple[LevelRule, ...], tuple[Reason, ...]]:
    """Level from the start dose, hepatic function and a strong CYP3A4 inhibitor.

    Returns the level (None when no dose may be given), every rule considered (with ``applies``
    set on the ones that fixed the level) and the reasons to show.
    """
    rules = [
        LevelRule(
            "starting_level",
            f"Starting level {label.STARTING_LEVEL} mg/m²",
            label.STARTING_LEVEL,
            label.SRC_STARTING_LEVEL,
            applies=False,
        ),
        hepatic.rule,
    ]
    reasons: list[Reason] = []
    if inputs.strong_cyp3a4_inhibitor:
        text = (
            f"Strong CYP3A4 inhibitor: level {label.STRONG_CYP3A4_INHIBITOR_LEVEL} mg/m² "
            "(or lower if another rule sets lower). After the inhibitor is stopped, allow about "
            "one week of washout before the dose goes back up."
        )
        rules.append(
            LevelRule(
                "strong_cyp3a4_inhibitor",
                text,
                label.STRONG_CYP3A4_INHIBITOR_LEVEL,
                label.SRC_CYP3A4_INHIBITOR,
                applies=False,
            )
        )
        reasons.append(
            Reason("strong_cyp3a4_inhibitor", text, label.SRC_CYP3A4_INHIBITOR, Severity.WARNING)
        )
    if hepatic.rule.level_mg_per_m2 is None:
        return None, tuple(rules), tuple(reasons)
    allowed = [r.level_mg_per_m2 for r in rules if r.level_mg_per_m2 is not None]
    level = min(allowed)
    marked = tuple(replace(r, applies=r.level_mg_per_m2 == level) for r in rules)
    return level, marked, tuple(reasons)

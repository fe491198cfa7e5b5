"""The one wording of each fact, for the screen and for paper.

The facts are worded in the core (core/wording.py), so that ``ixempra-calc``'s text and the
journal's comparison and export say them exactly as the window does; this module re-exports
them for the presentation layer and adds what only people at the screen or on paper read:
sentences, cited sources, a journal record's line. Renderers (order_view, worksheet,
prior_auth_sheet, verify_view) word a fact only through here.

Importing it loads the core (pint): the window imports it after its first paint.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ixempra_gui.core.formatting import format_quantity
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
    recorded_time,
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
    from ixempra_gui.core.models import DoseResult, LevelRule

__all__ = [
    "UNVERIFIED",
    "acts_on",
    "billing_code",
    "billing_lines",
    "bsa_text",
    "cited",
    "clock",
    "gate_lines",
    "level_rule_line",
    "level_why",
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


def level_why(result: DoseResult) -> str:
    """Why the level is not the starting level (40 mg/m², or 60 with an inducer): the rules
    that set it, each once; "" when the starting level stands. The preparer reads it beside
    the level, so a reduced dose never looks like a typing error."""
    level = result.dose_level_mg_per_m2
    start = next((r for r in result.level_rules if r.code == "starting_level"), None)
    if level is None or start is None or start.level_mg_per_m2 == level:
        return ""
    # The rules that set the level, and the reductions and prescribed level applied after it.
    after = ("toxicity_reductions", "prescribed_level")
    lowered = [
        r.description
        for r in result.level_rules
        if r is not start and (r.applies or (r.code in after and r.level_mg_per_m2 == level))
    ]
    begin = f"Why not {format_quantity(start.level_mg_per_m2 or 0, 'mg/m²')}: "
    return begin + ("; ".join(lowered) or "the prescribed level")


def acts_on(result: DoseResult) -> tuple[tuple[str, str], ...]:
    """The figures the preparer works from, in the order of the work: withdraw, vials, bag,
    concentration, rate (a figure the preparation does not give is left out)."""
    p = result.preparation
    rows: list[tuple[str, str]] = []
    if result.volume_ml is not None:
        rows.append(("Withdraw", format_quantity(result.volume_ml, "mL")))
    if result.vials is not None:
        rows.append(("Vials", vial_plan(result.vials.counts)))
    if p is not None and p.bag_ml is not None:
        rows.append(("Bag", f"{p.bag_ml} mL {p.diluent.label}"))
    if p is not None and p.concentration_mg_per_ml is not None:
        rows.append(("Concentration", format_quantity(p.concentration_mg_per_ml, "mg/mL")))
    if p is not None and p.rate_ml_per_h is not None:
        rate = format_quantity(p.rate_ml_per_h, "mL/h")
        rows.append(("Rate", f"{rate} over {p.infusion_hours} h"))
    return tuple(rows)

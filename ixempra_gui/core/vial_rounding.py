"""Optional dose rounding to a vial boundary (HOPA position statement; clinical-rules §5).

Off by default. Within the set percentage the dose moves to the nearest whole-vial total (the
lower one on a tie); never up when a hepatic-impairment level applies, and never up past the
label's largest dose at the level (level × 2.2 m², the BSA cap: 88 mg at 40 mg/m², §2 and §5).
The unrounded dose and the percentage change are always reported.
"""

from __future__ import annotations

from decimal import Decimal
from itertools import product

from ixempra_gui.core import label
from ixempra_gui.core.formatting import format_number, format_quantity
from ixempra_gui.core.models import DoseRounding, Reason, Severity
from ixempra_gui.core.rounding import ceil_div, round_percent


def vial_totals(limit_mg: Decimal, strengths_mg: tuple[int, ...]) -> list[int]:
    """Every labeled total the vials can make, up to the first one at or above ``limit_mg``."""
    top = max(strengths_mg)
    ranges = [range(ceil_div(limit_mg, s) + 1) for s in strengths_mg]
    totals = {sum(n * s for n, s in zip(c, strengths_mg, strict=True)) for c in product(*ranges)}
    return sorted(t for t in totals if 0 < t <= limit_mg + top)


def round_to_vial(
    dose_mg: Decimal,
    within_pct: Decimal,
    strengths_mg: tuple[int, ...],
    may_round_up: bool,
    level_mg_per_m2: Decimal | None = None,
) -> tuple[DoseRounding, tuple[Reason, ...]]:
    """``level_mg_per_m2``: the dose level, whose dose at the BSA cap no rounding exceeds."""
    totals = vial_totals(dose_mg, strengths_mg)
    lower = max((t for t in totals if t <= dose_mg), default=None)
    upper = min((t for t in totals if t >= dose_mg), default=None)
    ceiling = None if level_mg_per_m2 is None else level_mg_per_m2 * label.BSA_CAP_M2
    over_ceiling = ceiling is not None and upper is not None and upper > ceiling
    if over_ceiling:
        may_round_up = False

    def change(target: int) -> Decimal:
        return (Decimal(target) - dose_mg) / dose_mg * 100

    candidates = []
    if lower is not None and abs(change(lower)) <= within_pct:
        candidates.append(lower)
    if upper is not None and upper != lower and change(upper) <= within_pct and may_round_up:
        candidates.append(upper)
    # nearest first; on a tie the lower total (less drug) wins
    candidates.sort(key=lambda t: (abs(Decimal(t) - dose_mg), t))
    reasons: list[Reason] = []
    if candidates:
        target = Decimal(candidates[0])
        rounding = DoseRounding(
            within_pct,
            dose_mg,
            target,
            round_percent(change(candidates[0])),
            applied=target != dose_mg,
        )
        if rounding.applied:
            reasons.append(_rounded(rounding))
    else:
        rounding = DoseRounding(within_pct, dose_mg, dose_mg, Decimal(0), applied=False)
        reasons.append(_not_rounded(within_pct))
    if (
        not may_round_up
        and upper is not None
        and upper != lower
        and change(upper) <= within_pct
        and (not candidates or candidates[0] != upper)
    ):
        if over_ceiling:
            assert ceiling is not None and level_mg_per_m2 is not None
            reasons.append(_no_round_up_past_cap(upper, ceiling, level_mg_per_m2))
        else:
            reasons.append(_no_round_up(upper))
    return rounding, tuple(reasons)


def _rounded(rounding: DoseRounding) -> Reason:
    return Reason(
        "dose_rounded_to_vial",
        f"Dose rounded to a vial boundary: {format_quantity(rounding.unrounded_mg, 'mg')} → "
        f"{format_quantity(rounding.rounded_mg, 'mg')} "
        f"({_pct(rounding.change_pct, signed=True)}, within {_pct(rounding.within_pct)})",
        label.SRC_VIAL_ROUNDING,
        Severity.WARNING,
    )


def _no_round_up(upper: int) -> Reason:
    return Reason(
        "no_round_up_hepatic",
        f"Not rounded up to {format_quantity(upper, 'mg')}: a hepatic-impairment level "
        "applies, so the dose is never rounded up.",
        label.SRC_VIAL_ROUNDING,
    )


def _no_round_up_past_cap(upper: int, ceiling: Decimal, level: Decimal) -> Reason:
    return Reason(
        "no_round_up_past_bsa_cap",
        f"Not rounded up to {format_quantity(upper, 'mg')}: above "
        f"{format_quantity(ceiling, 'mg')}, the largest dose at {format_quantity(level, 'mg/m²')} "
        f"(BSA capped at {format_quantity(label.BSA_CAP_M2, 'm²')}).",
        label.SRC_BSA_CAP,
    )


def _not_rounded(within_pct: Decimal) -> Reason:
    return Reason(
        "dose_not_rounded",
        f"Dose not rounded: no vial boundary within {_pct(within_pct)}.",
        label.SRC_VIAL_ROUNDING,
    )


def _pct(value: Decimal, signed: bool = False) -> str:
    text = f"{format_number(value)}%"
    return f"+{text}" if signed and value > 0 else text

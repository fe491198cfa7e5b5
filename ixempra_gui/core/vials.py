"""Which vials to open: the least labeled mg that covers the dose, then the fewest vials.

Overfill (16 mg in the 15 mg kit, 47 mg in the 45 mg kit) is never counted (clinical-rules §5).
"""

from __future__ import annotations

from decimal import Decimal
from itertools import product

from ixempra_gui.core.models import VialPlan
from ixempra_gui.core.rounding import ceil_div


def plan_vials(dose_mg: Decimal, strengths_mg: tuple[int, ...]) -> VialPlan:
    """Exhaustive over the few combinations that could be optimal: small and plainly right."""
    if dose_mg <= 0:
        raise ValueError("dose must be positive")
    ordered = tuple(sorted(set(strengths_mg), reverse=True))
    best: tuple[int, int, tuple[int, ...]] | None = None
    # No optimal plan needs more of a strength than it takes to cover the dose alone.
    ranges = [range(ceil_div(dose_mg, s) + 1) for s in ordered]
    for counts in product(*ranges):
        total = sum(n * s for n, s in zip(counts, ordered, strict=True))
        if total < dose_mg:
            continue
        key = (total, sum(counts), counts)
        if best is None or key[:2] < best[:2]:
            best = key
    assert best is not None  # the largest strength alone always covers the dose
    total, _, counts = best
    return VialPlan(counts=tuple(zip(ordered, counts, strict=True)), total_mg=total)

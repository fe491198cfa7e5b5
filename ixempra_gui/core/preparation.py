"""From vials to a bag the nurse can hang (clinical-rules §5): reconstitution, dilution, bag,
rate, use-by times, filter, container and premedication."""

from __future__ import annotations

import math
from datetime import timedelta
from decimal import Decimal

from ixempra_gui.core import label
from ixempra_gui.core.formatting import format_quantity
from ixempra_gui.core.models import (
    Diluent,
    Preparation,
    PreparationInputs,
    Reason,
    Severity,
    VialPlan,
    VialPreparation,
)
from ixempra_gui.core.rounding import round_concentration, round_rate_ml_per_h

DILUENT_NAMES = {
    Diluent.LACTATED_RINGERS: "Lactated Ringer's Injection",
    Diluent.SODIUM_CHLORIDE: "0.9% Sodium Chloride Injection (pH-adjusted)",
}


def candidate_bags(inputs: PreparationInputs) -> tuple[int, ...]:
    """The stocked sizes in the site's order; sodium chloride only in 250 or 500 mL bags."""
    if inputs.diluent is Diluent.SODIUM_CHLORIDE:
        return tuple(b for b in inputs.bag_sizes_ml if b in label.SODIUM_CHLORIDE_BAGS_ML)
    return inputs.bag_sizes_ml


def in_range(dose_mg: Decimal, total_ml: Decimal) -> bool:
    """0.2 ≤ dose ÷ total volume ≤ 0.6 mg/mL, compared exactly."""
    concentration = dose_mg / total_ml
    return label.FINAL_MIN_MG_PER_ML <= concentration <= label.FINAL_MAX_MG_PER_ML


def plan_preparation(
    dose_mg: Decimal,
    withdraw_ml: Decimal,
    vials: VialPlan,
    inputs: PreparationInputs,
    infusion_hours: int,
) -> tuple[Preparation, tuple[Reason, ...]]:
    reasons: list[Reason] = []
    per_vial = tuple(
        VialPreparation(strength, label.DILUENT_ML_BY_STRENGTH[strength])
        for strength, count in vials.counts
        for _ in range(count)
    )
    bags = candidate_bags(inputs)
    skipped = [b for b in inputs.bag_sizes_ml if b not in bags]
    if skipped:
        reasons.append(
            Reason(
                "bag_not_offered",
                f"{', '.join(f'{b} mL' for b in skipped)} not offered with sodium chloride "
                "(pH adjustment is defined for 250 and 500 mL bags only).",
                label.SRC_PREPARATION,
            )
        )
    bag = next((b for b in bags if in_range(dose_mg, b + withdraw_ml)), None)
    bag_advice = None
    if bag is None:
        low = math.ceil(dose_mg / label.FINAL_MAX_MG_PER_ML)
        high = math.floor(dose_mg / label.FINAL_MIN_MG_PER_ML)
        bag_advice = (
            f"No stocked bag ({', '.join(f'{b} mL' for b in bags)}) gives 0.2–0.6 mg/mL. "
            f"A total volume of {low}–{high} mL would (a bag of about "
            f"{max(low - math.ceil(withdraw_ml), 0)}–{high - math.ceil(withdraw_ml)} mL)."
        )
        reasons.append(Reason("no_bag_in_range", bag_advice, label.SRC_PREPARATION, Severity.STOP))
    final = concentration = rate = None
    use_by = start_by = complete_by = None
    if bag is not None:
        final = Decimal(bag) + withdraw_ml
        concentration = round_concentration(dose_mg / final)
        rate = round_rate_ml_per_h(final / infusion_hours)
    at = inputs.prepared_at
    if at is not None:
        use_by = at + timedelta(hours=label.RECONSTITUTED_MAX_HOURS)
        start_by = at + timedelta(hours=label.DILUTED_MAX_HOURS - infusion_hours)
        complete_by = at + timedelta(hours=label.DILUTED_MAX_HOURS)
    premedication = [
        "About 1 h before: an H1 antagonist (e.g. diphenhydramine 50 mg PO) and an H2 antagonist.",
    ]
    if inputs.prior_hypersensitivity:
        premedication.append(
            "Prior hypersensitivity reaction: add a corticosteroid (e.g. dexamethasone 20 mg IV "
            "30 min before, or PO 60 min before)."
        )
        reasons.append(
            Reason(
                "premedication_corticosteroid",
                premedication[-1],
                label.SRC_PREMEDICATION,
                Severity.WARNING,
            )
        )
    sodium_chloride = inputs.diluent is Diluent.SODIUM_CHLORIDE
    preparation = Preparation(
        vials=per_vial,
        reconstituted_mg_per_ml=label.RECONSTITUTED_MG_PER_ML,
        withdraw_ml=withdraw_ml,
        diluent=inputs.diluent,
        bag_ml=bag,
        bicarbonate_meq=label.BICARBONATE_MEQ_PER_BAG if sodium_chloride and bag else None,
        final_volume_ml=final,
        concentration_mg_per_ml=concentration,
        infusion_hours=infusion_hours,
        rate_ml_per_h=rate,
        reconstituted_use_by=use_by,
        infusion_start_by=start_by,
        infusion_complete_by=complete_by,
        filter=label.FILTER,
        container=label.CONTAINER,
        premedication=tuple(premedication),
        bag_advice=bag_advice,
    )
    return preparation, tuple(reasons)


def preparation_steps(p: Preparation, dose_mg: Decimal) -> tuple[str, ...]:
    """The compounding steps, in order, as a pharmacist writes them on a worksheet."""
    steps = []
    counts: dict[int, int] = {}
    for v in p.vials:
        counts[v.strength_mg] = counts.get(v.strength_mg, 0) + 1
    for strength, n in counts.items():
        diluent = format_quantity(label.DILUENT_ML_BY_STRENGTH[strength], "mL")
        vial_word, each = ("vial", "") if n == 1 else ("vials", " each")
        steps.append(
            f"Reconstitute {n} × {strength} mg {vial_word} with {diluent} of the supplied "
            f"diluent{each} → 2 mg/mL"
        )
    steps.append(
        f"Withdraw {format_quantity(p.withdraw_ml, 'mL')} ({format_quantity(dose_mg, 'mg')})"
    )
    if p.bag_ml is not None and p.final_volume_ml is not None:
        bicarbonate = (
            f" with {format_quantity(p.bicarbonate_meq, 'mEq')} sodium bicarbonate"
            if p.bicarbonate_meq
            else ""
        )
        steps.append(
            f"Add to a {p.bag_ml} mL {DILUENT_NAMES[p.diluent]} bag{bicarbonate}: final "
            f"{format_quantity(p.final_volume_ml, 'mL')} at "
            f"{format_quantity(p.concentration_mg_per_ml, 'mg/mL', 2)}"
        )
        steps.append(
            f"Infuse over {p.infusion_hours} h at "
            f"{format_quantity(p.rate_ml_per_h, 'mL/h')} through an {p.filter}"
        )
    return tuple(steps)

"""From vials to a bag the nurse can hang (clinical-rules §5): reconstitution, dilution, bag,
rate, use-by times, filter, container and premedication."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from ixempra_gui.core import clock, label
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
from ixempra_gui.core.rounding import (
    round_concentration,
    round_rate_ml_per_h,
    volume_range_inward,
    whole_ml_inward,
)

#: A preparation time further than this from now is shown as a note (never blocking: scripts
#: pin the time of an order prepared earlier or later).
NOTE_AFTER = timedelta(days=2)

DILUENT_NAMES = {d: d.product for d in Diluent}  # the names: core/choices.py


def candidate_bags(inputs: PreparationInputs) -> tuple[int, ...]:
    """The stocked sizes in the site's order; sodium chloride only in 250 or 500 mL bags."""
    if inputs.diluent is Diluent.SODIUM_CHLORIDE:
        return tuple(b for b in inputs.bag_sizes_ml if b in label.SODIUM_CHLORIDE_BAGS_ML)
    return inputs.bag_sizes_ml


def in_range(dose_mg: Decimal, total_ml: Decimal) -> bool:
    """0.2 ≤ dose ÷ total volume ≤ 0.6 mg/mL, compared exactly."""
    concentration = dose_mg / total_ml
    return label.FINAL_MIN_MG_PER_ML <= concentration <= label.FINAL_MAX_MG_PER_ML


def _bag(
    dose_mg: Decimal, withdraw_ml: Decimal, inputs: PreparationInputs, reasons: list[Reason]
) -> tuple[int | None, str | None]:
    """The first stocked bag, in the site's order, that gives a concentration in range; or
    none, and the advice (a stop reason)."""
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
    if bag is not None:
        return bag, None
    advice = no_bag_advice(dose_mg, withdraw_ml, inputs, bags)
    reasons.append(Reason("no_bag_in_range", advice, label.SRC_PREPARATION, Severity.STOP))
    return None, advice


def _premedication(inputs: PreparationInputs, reasons: list[Reason]) -> tuple[str, ...]:
    """H1 and H2 antagonists before every infusion; a corticosteroid after a prior reaction."""
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
    return tuple(premedication)


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
    bag, bag_advice = _bag(dose_mg, withdraw_ml, inputs, reasons)
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
    premedication = _premedication(inputs, reasons)
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
        premedication=premedication,
        bag_advice=bag_advice,
    )
    return preparation, tuple(reasons)


def no_bag_advice(
    dose_mg: Decimal, withdraw_ml: Decimal, inputs: PreparationInputs, bags: tuple[int, ...]
) -> str:
    """Why no stocked bag fits, and which final volume and bag would: both ranges rounded
    inward, so every volume in them gives 0.2–0.6 mg/mL exactly (spec §5)."""
    low, high = volume_range_inward(
        dose_mg / label.FINAL_MAX_MG_PER_ML, dose_mg / label.FINAL_MIN_MG_PER_ML
    )
    bag_low, bag_high = whole_ml_inward(
        dose_mg / label.FINAL_MAX_MG_PER_ML - withdraw_ml,
        dose_mg / label.FINAL_MIN_MG_PER_ML - withdraw_ml,
    )
    stocked = ", ".join(f"{b} mL" for b in bags) or "none"
    fluid = DILUENT_NAMES[inputs.diluent]
    text = (
        f"No stocked {fluid} bag ({stocked}) gives 0.2–0.6 mg/mL. A final volume of "
        f"{format_quantity(low, 'mL')} to {format_quantity(high, 'mL')} would: a bag of "
        f"{bag_low}–{bag_high} mL plus the {format_quantity(withdraw_ml, 'mL')} of drug."
    )
    if inputs.diluent is Diluent.SODIUM_CHLORIDE:
        nacl = [b for b in label.SODIUM_CHLORIDE_BAGS_ML if bag_low <= b <= bag_high]
        if not nacl and bag_high < min(label.SODIUM_CHLORIDE_BAGS_ML):
            text += (
                " Sodium chloride is used only in 250 or 500 mL bags (pH-adjusted with 2 mEq "
                "sodium bicarbonate each, the label's only amounts), and only a smaller bag "
                "fits this dose: use Lactated Ringer's instead."
            )
    return text + " The dose is not ready to prepare until a bag in range is used."


def preparation_time_note(prepared_at: datetime | None) -> Reason | None:
    """A non-blocking note when the preparation time is more than two days from now."""
    if prepared_at is None:
        return None
    now = clock.comparable_now(prepared_at)
    if abs(prepared_at - now) <= NOTE_AFTER:
        return None
    when = "after" if prepared_at > now else "before"
    return Reason(
        "prepared_at_far_from_now",
        f"Prepared at {prepared_at.isoformat(timespec='minutes')}: more than 2 days {when} now; "
        "the use-by times follow it. Check it is the time the dose is prepared.",
        label.SRC_PREPARATION,
        Severity.WARNING,
    )


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
    if (
        p.bag_ml is not None
        and p.final_volume_ml is not None
        and p.concentration_mg_per_ml is not None
        and p.rate_ml_per_h is not None
    ):
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

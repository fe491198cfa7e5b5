"""The dose level (mg/m²): every rule that constrains it is listed; the lowest wins.

Order (clinical-rules §3; issue #3):
1. the ceiling: 40 mg/m² (label start), or up to 60 mg/m² for a prescribed level with a strong
   CYP3A4 inducer;
2. hepatic impairment rows (32; 20, escalated up to 30 in later cycles) and a strong CYP3A4
   inhibitor (20) cap it; the lowest wins;
3. prior toxicity reductions take 20 % off that level each (relative: of the current level;
   absolute: of the level before reductions); the worst events since the last cycle (label
   Table 1, core/toxicity.py) propose one more step, which the pharmacist confirms, or
   discontinuation (no level: the status is ``stop``);
4. a prescribed level is checked against the result: above it is refused, at or below it is used.

The infusion lasts 4 h only for an inducer dose above 40 mg/m², else 3 h (spec §3).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from ixempra_gui.core import label, toxicity
from ixempra_gui.core.formatting import format_quantity
from ixempra_gui.core.hepatic import HepaticOutcome
from ixempra_gui.core.models import (
    CycleInputs,
    FieldIssue,
    LevelRule,
    Reason,
    ReductionMode,
    Severity,
    ValidInputs,
)
from ixempra_gui.core.rounding import to_decimal

_IMPAIRED_TIERS = ("hepatic_mild", "hepatic_moderate")


@dataclass(frozen=True)
class LevelDecision:
    level: Decimal | None  # None: no dose (hepatic stop) or an input refused
    rules: tuple[LevelRule, ...]
    reasons: tuple[Reason, ...]
    issues: tuple[FieldIssue, ...]  # inputs refused in the light of the rules
    infusion_hours: int
    hepatic_impairment_level: bool  # a hepatic-impairment row set a cap (no rounding up)
    proposal: toxicity.Proposal | None = None  # what the worst events since the last cycle ask
    discontinue: bool = False  # label Table 1 says discontinue: no dose (status stop)


def _mg(level: Decimal) -> str:
    return format_quantity(level, "mg/m²")


def reduce_level(start: Decimal, count: int, mode: ReductionMode) -> Decimal:
    """Level after ``count`` 20 % reductions (exact: 40 → 32 → 25.6, or 40 → 32 → 24)."""
    level = start
    for _ in range(count):
        if mode is ReductionMode.RELATIVE:
            level -= level * label.REDUCTION_FRACTION
        else:
            level -= start * label.REDUCTION_FRACTION
    return level


def _ceiling(
    inducer: bool, prescribed: Decimal | None, rules: list[LevelRule], reasons: list[Reason]
) -> Decimal:
    """The label's starting level; up to 60 mg/m² for a level prescribed with an inducer."""
    ceiling = (
        label.INDUCER_MAX_LEVEL if inducer and prescribed is not None else label.STARTING_LEVEL
    )
    rules.append(
        LevelRule(
            "starting_level",
            f"Starting level {_mg(label.STARTING_LEVEL)}",
            label.STARTING_LEVEL,
            label.SRC_STARTING_LEVEL,
            applies=False,
        )
    )
    if inducer:
        text = (
            "Strong CYP3A4 inducer: consider an alternative; if it must continue, the level may "
            f"be increased gradually up to {_mg(label.INDUCER_MAX_LEVEL)} (prescribed level); "
            f"a level above 40 mg/m² is infused over {label.INFUSION_HOURS_WITH_INDUCER} h."
        )
        rules.append(
            LevelRule(
                "strong_cyp3a4_inducer", text, ceiling, label.SRC_CYP3A4_INDUCER, applies=False
            )
        )
        reasons.append(
            Reason("strong_cyp3a4_inducer", text, label.SRC_CYP3A4_INDUCER, Severity.WARNING)
        )
    return ceiling


def _inhibitor_cap(rules: list[LevelRule], reasons: list[Reason]) -> Decimal:
    """A strong CYP3A4 inhibitor caps the level at 20 mg/m²."""
    text = (
        f"Strong CYP3A4 inhibitor (taken, or stopped less than a week ago): level "
        f"{_mg(label.STRONG_CYP3A4_INHIBITOR_LEVEL)} (or lower if another rule sets lower). "
        "After the inhibitor is stopped, allow about one week of washout before the dose goes "
        "back up: keep this box ticked until then."
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
    return label.STRONG_CYP3A4_INHIBITOR_LEVEL


def _discontinued(
    proposal: toxicity.Proposal, rules: list[LevelRule], reasons: list[Reason]
) -> None:
    """Label Table 1 says discontinue: a rule that sets no level, and a stop reason."""
    rules.append(
        LevelRule(
            "toxicity_discontinue",
            proposal.message,
            None,
            label.SRC_TOXICITY_PROPOSAL,
            applies=True,
        )
    )
    reasons.append(
        Reason("toxicity_discontinue", proposal.message, label.SRC_TOXICITY_PROPOSAL, Severity.STOP)
    )


def _prescribed_level(
    prescribed: Decimal,
    allowed: Decimal,
    inducer: bool,
    notes: tuple[list[LevelRule], list[Reason], list[FieldIssue]],
) -> Decimal | None:
    """The prescribed level when the rules allow it; None (and why, as a refused input) when
    it is above what they allow."""
    rules, reasons, issues = notes
    if prescribed > allowed:
        binding = [
            r.description
            for r in rules
            if r.level_mg_per_m2 is not None and r.level_mg_per_m2 < prescribed
        ]
        if prescribed > label.STARTING_LEVEL and not inducer:
            binding.append("Above 40 mg/m² only with a strong CYP3A4 inducer.")
        issues.append(
            FieldIssue(
                "dose_level",
                "above_allowed",
                f"Prescribed dose level: {_mg(prescribed)} is above what the rules allow "
                f"({_mg(allowed)}): " + "; ".join(binding) + ".",
                Severity.STOP,
            )
        )
        return None
    text = f"Prescribed level {_mg(prescribed)} (the rules allow up to {_mg(allowed)})"
    rules.append(
        LevelRule("prescribed_level", text, prescribed, label.SRC_PRESCRIBED, applies=False)
    )
    reasons.append(Reason("prescribed_level", text, label.SRC_PRESCRIBED))
    return prescribed


def _level_notes(level: Decimal, inducer: bool, reasons: list[Reason]) -> None:
    """What the level chosen means for coverage (over 40 mg/m²) and for the infusion time."""
    if level > label.STARTING_LEVEL:
        reasons.append(
            Reason(
                "coverage_level_over_40",
                f"Coverage risk: {_mg(level)} exceeds the payer's single-dose limit of 40 mg/m² "
                "(MG.MM.PH.153 limitation 2): expect the claim to be denied without an exception.",
                label.SRC_POLICY_LEVEL_LIMIT,
                Severity.WARNING,
            )
        )
    if inducer and level <= label.STARTING_LEVEL:
        reasons.append(
            Reason(
                "inducer_infusion_3h",
                f"Strong CYP3A4 inducer at {_mg(level)}: infused over {label.INFUSION_HOURS} h "
                f"(the {label.INFUSION_HOURS_WITH_INDUCER}-hour infusion is for an inducer dose "
                "above 40 mg/m²).",
                label.SRC_CYP3A4_INDUCER,
            )
        )


def decide_level(inputs: ValidInputs, hepatic: HepaticOutcome) -> LevelDecision:
    """The level, every rule considered (``applies`` marks those that fixed it), and why."""
    cycle = inputs.cycle
    rules: list[LevelRule] = []
    reasons: list[Reason] = []
    issues: list[FieldIssue] = []
    inducer = cycle.strong_cyp3a4_inducer
    prescribed = to_decimal(cycle.dose_level.value) if cycle.dose_level else None

    ceiling = _ceiling(inducer, prescribed, rules, reasons)
    hepatic_cap = _hepatic_cap(inputs, hepatic, rules, reasons, issues)
    caps = [ceiling] + ([hepatic_cap] if hepatic_cap is not None else [])
    if inputs.strong_cyp3a4_inhibitor:
        caps.append(_inhibitor_cap(rules, reasons))
    impaired = hepatic.tier in _IMPAIRED_TIERS
    proposal = toxicity.propose(cycle.worst_events, cycle.current_nonheme_toxicity_grade)

    def decision(level: Decimal | None, discontinue: bool = False) -> LevelDecision:
        over_40 = inducer and level is not None and level > label.STARTING_LEVEL
        hours = label.INFUSION_HOURS_WITH_INDUCER if over_40 else label.INFUSION_HOURS
        return LevelDecision(
            level,
            tuple(rules),
            tuple(reasons),
            tuple(issues),
            hours,
            impaired,
            proposal,
            discontinue,
        )

    if hepatic.rule.level_mg_per_m2 is None:  # contraindicated / not recommended
        return decision(None)
    if proposal is not None and proposal.action is toxicity.Action.DISCONTINUE:
        _discontinued(proposal, rules, reasons)
        return decision(None, discontinue=True)

    allowed = _reduced(inputs, min(caps), proposal, rules, reasons, issues)
    level: Decimal | None = allowed
    if prescribed is not None:
        level = _prescribed_level(prescribed, allowed, inducer, (rules, reasons, issues))
        if level is None:
            return decision(None)
    assert level is not None
    _level_notes(level, inducer, reasons)
    rules[:] = [replace(r, applies=r.level_mg_per_m2 == level) for r in rules]
    return decision(None if issues else level)


def _proposal_notes(
    cycle: CycleInputs,
    allowed: Decimal,
    proposal: toxicity.Proposal | None,
    reasons: list[Reason],
    issues: list[FieldIssue],
) -> bool:
    """What this cycle's worst events propose, and whether a proposed decrease is confirmed
    (one needing confirmation is a refused input until it is)."""
    decrease = proposal is not None and proposal.action is toxicity.Action.DECREASE_20
    if proposal is not None:
        severity = Severity.WARNING if decrease else Severity.INFO
        reasons.append(
            Reason("toxicity_proposal", proposal.message, label.SRC_TOXICITY_PROPOSAL, severity)
        )
    if decrease and not cycle.confirm_reduction:
        steps = cycle.toxicity_reductions
        before = reduce_level(allowed, steps, cycle.reduction_mode)
        proposed = reduce_level(allowed, steps + 1, cycle.reduction_mode)
        issues.append(
            FieldIssue(
                "confirm_reduction",
                "confirm_reduction",
                "Confirm reduction: the worst event since the last cycle calls for a further "
                f"20 % decrease (label Table 1), {_mg(before)} → {_mg(proposed)}. Confirm it "
                "(--confirm-reduction, or the tick in the "
                "window), or correct the events entered.",
                Severity.STOP,
            )
        )
    elif cycle.confirm_reduction and not decrease:
        reasons.append(
            Reason(
                "nothing_to_confirm",
                "Reduction confirmed, but no worst event entered calls for one: the level is "
                "not changed by it.",
                label.SRC_TOXICITY_PROPOSAL,
            )
        )
    return decrease and cycle.confirm_reduction


def _reduced(
    inputs: ValidInputs,
    allowed: Decimal,
    proposal: toxicity.Proposal | None,
    rules: list[LevelRule],
    reasons: list[Reason],
    issues: list[FieldIssue],
) -> Decimal:
    """The level after the prior reductions and, once confirmed, this cycle's proposed step."""
    cycle = inputs.cycle
    confirmed = _proposal_notes(cycle, allowed, proposal, reasons, issues)
    steps = cycle.toxicity_reductions + (1 if confirmed else 0)
    if not steps:
        return allowed
    reduced = reduce_level(allowed, steps, cycle.reduction_mode)
    how = (
        "20 % of the current level each time"
        if cycle.reduction_mode is ReductionMode.RELATIVE
        else f"20 % of {_mg(allowed)} each time"
    )
    parts = []
    if cycle.toxicity_reductions:
        parts.append(f"{cycle.toxicity_reductions} prior")
    if confirmed:
        parts.append("1 for this cycle's worst event, confirmed")
    text = (
        f"Toxicity reductions: {steps} × 20 % ({' + '.join(parts)}; {how}, "
        f"{cycle.reduction_mode.value}): {_mg(allowed)} → {_mg(reduced)}."
    )
    if cycle.reduction_reason:
        text += f" Reason recorded: {cycle.reduction_reason}"
    rules.append(LevelRule("toxicity_reductions", text, reduced, label.SRC_TOXICITY, applies=False))
    reasons.append(Reason("toxicity_reductions", text, label.SRC_TOXICITY, Severity.WARNING))
    return reduced


def _hepatic_cap(
    inputs: ValidInputs,
    hepatic: HepaticOutcome,
    rules: list[LevelRule],
    reasons: list[Reason],
    issues: list[FieldIssue],
) -> Decimal | None:
    """The hepatic rule's cap (None for normal function), with escalation in later cycles."""
    rules.append(hepatic.rule)
    escalation = inputs.cycle.hepatic_escalation_level
    if escalation is None:
        return hepatic.rule.level_mg_per_m2 if hepatic.tier in _IMPAIRED_TIERS else None
    requested = to_decimal(escalation.value)
    if hepatic.tier != "hepatic_moderate":
        issues.append(
            FieldIssue(
                "hepatic_escalation_level",
                "not_applicable",
                f"Hepatic escalation level: {_mg(requested)} applies only when the "
                "moderate-impairment row (bilirubin > 1.5 to ≤ 3×ULN, 20 mg/m²) applies; here it "
                f"does not ({hepatic.rule.description}).",
                Severity.STOP,
            )
        )
        return hepatic.rule.level_mg_per_m2
    text = (
        f"Hepatic escalation in a later cycle: {_mg(label.ESCALATION_MIN_LEVEL)} → "
        f"{_mg(requested)} (never above {_mg(label.ESCALATION_MAX_LEVEL)})"
    )
    rules.append(
        LevelRule("hepatic_escalation", text, requested, label.SRC_ESCALATION, applies=False)
    )
    reasons.append(Reason("hepatic_escalation", text, label.SRC_ESCALATION, Severity.WARNING))
    return requested

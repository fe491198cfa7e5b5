"""validate → BSA → hepatic → contraindications → level → gate → dose → vials → volume → billing
→ preparation, with every step kept.

``calculate`` never raises on user input: bad input comes back as an INVALID_INPUT result whose
issues name each field. Status precedence (docs/architecture.md): invalid_input >
contraindicated > not_recommended > stop (discontinue) > hold > stop (any other stop reason) >
ok. Only ``ok`` carries a dose, and an ``ok`` result never carries a stop reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ixempra_gui.core import hepatic, label, wording
from ixempra_gui.core.billing import compute_billing
from ixempra_gui.core.bsa import FORMULA_NAMES, FORMULA_SOURCES, compute_bsa
from ixempra_gui.core.contraindications import contraindications
from ixempra_gui.core.cycle_gate import evaluate_gate
from ixempra_gui.core.formatting import format_quantity
from ixempra_gui.core.hepatic import HepaticOutcome
from ixempra_gui.core.levels import LevelDecision, decide_level
from ixempra_gui.core.models import (
    Billing,
    BsaResult,
    CycleGate,
    DoseResult,
    DoseRounding,
    FieldIssue,
    HepaticRatios,
    LevelRule,
    Order,
    Preparation,
    Reason,
    Severity,
    Status,
    ValidInputs,
    VialPlan,
)
from ixempra_gui.core.policy import Policy, load_policy
from ixempra_gui.core.preparation import (
    plan_preparation,
    preparation_steps,
    preparation_time_note,
)
from ixempra_gui.core.rounding import round_dose_mg, round_volume_ml, to_decimal
from ixempra_gui.core.validation import validate
from ixempra_gui.core.vial_rounding import round_to_vial
from ixempra_gui.core.vials import plan_vials


@dataclass(frozen=True)
class _Assessed:
    """Everything decided before a dose is computed, with the reasons and steps so far."""

    bsa: BsaResult
    ratios: HepaticRatios
    hepatic: HepaticOutcome
    contra_rules: tuple[LevelRule, ...]
    decision: LevelDecision
    gate: CycleGate
    reasons: list[Reason]
    steps: list[str]


def _assess(inputs: ValidInputs, issues: tuple[FieldIssue, ...]) -> _Assessed:
    """BSA, the liver rules, the contraindications, the level and the start-of-cycle gate."""
    reasons: list[Reason] = [
        Reason(i.code, i.message + " — acknowledged.", "spec §1 plausibility", Severity.WARNING)
        for i in issues
        if i.severity is Severity.WARNING
    ]
    steps: list[str] = []
    bsa = _bsa(inputs, reasons, steps)
    ratios = hepatic.ratios(inputs)
    outcome = hepatic.assess(inputs, ratios)
    reasons.extend(outcome.reasons)
    contra_rules, contra_reasons = contraindications(inputs)
    reasons.extend(contra_reasons)
    decision = decide_level(inputs, outcome)
    reasons.extend(decision.reasons)
    steps.extend(r.description for r in decision.rules)
    gate, gate_reasons = evaluate_gate(inputs.cycle)
    reasons.extend(gate_reasons)
    if (note := preparation_time_note(inputs.preparation.prepared_at)) is not None:
        reasons.append(note)
    return _Assessed(bsa, ratios, outcome, contra_rules, decision, gate, reasons, steps)


def calculate(order: Order, policy: Policy | None = None) -> DoseResult:
    """The whole dose calculation for one order."""
    policy = policy or load_policy()
    inputs, issues = validate(order)
    if inputs is None:
        return DoseResult(status=Status.INVALID_INPUT, issues=issues)

    assessed = _assess(inputs, issues)
    reasons, steps = assessed.reasons, assessed.steps
    decision, gate = assessed.decision, assessed.gate
    common: dict[str, Any] = dict(
        inputs=inputs,
        bsa=assessed.bsa,
        ratios=assessed.ratios,
        level_rules=assessed.contra_rules + decision.rules,
        cycle_gate=gate,
    )
    if decision.issues:
        return DoseResult(
            status=Status.INVALID_INPUT,
            issues=issues + decision.issues,
            reasons=tuple(reasons),
            steps=tuple(steps),
            **common,
        )
    status = _status_before_dose(
        assessed.hepatic.status, bool(assessed.contra_rules), decision, gate
    )
    if status is not Status.OK or decision.level is None:
        return DoseResult(
            status=status, issues=issues, reasons=tuple(reasons), steps=tuple(steps), **common
        )

    figures = _dose_figures(inputs, assessed.bsa, decision, policy)
    stops = [r for r in figures.reasons if r.severity is Severity.STOP]
    if stops:
        # A stop found while planning the dose (no bag in range): no figure is shown, and the
        # stop reason carries the advice (spec §5: any stop reason means not ready).
        return DoseResult(
            status=Status.STOP,
            issues=issues,
            reasons=tuple(reasons + stops),
            steps=tuple(steps),
            **common,
        )
    return DoseResult(
        status=Status.OK,
        issues=issues,
        dose_level_mg_per_m2=decision.level,
        dose_mg=figures.dose_mg,
        vials=figures.vials,
        volume_ml=figures.volume_ml,
        billing=figures.billing,
        dose_rounding=figures.dose_rounding,
        preparation=figures.preparation,
        reasons=tuple(reasons + figures.reasons),
        steps=tuple(steps + figures.steps),
        derivation=(assessed.bsa.step, *figures.derivation),
        **common,
    )


def _status_before_dose(
    hepatic_status: Status, contraindicated: bool, decision: LevelDecision, gate: CycleGate
) -> Status:
    """The status before any figure is computed (see the module docstring for precedence)."""
    if contraindicated:
        return Status.CONTRAINDICATED
    if hepatic_status is not Status.OK:
        return hepatic_status
    if decision.discontinue:
        return Status.STOP
    if gate.passed is False:
        return Status.HOLD
    return Status.OK


def _bsa(inputs: ValidInputs, reasons: list[Reason], steps: list[str]) -> BsaResult:
    bsa = compute_bsa(
        inputs.bsa_formula, to_decimal(inputs.height.value), to_decimal(inputs.weight.value)
    )
    steps.append(bsa.step)
    if bsa.capped:
        reasons.append(
            Reason(
                "bsa_capped",
                f"BSA {format_quantity(bsa.rounded_m2, 'm²')} is above 2.2 m²: the dose is "
                "calculated on 2.2 m² (capped).",
                label.SRC_BSA_CAP,
                Severity.WARNING,
            )
        )
    reasons.append(
        Reason(
            "bsa_formula",
            f"BSA formula: {FORMULA_NAMES[bsa.formula]}",
            FORMULA_SOURCES[inputs.bsa_formula],
        )
    )
    return bsa


@dataclass(frozen=True)
class _Figures:
    """The dose and everything derived from it, with the reasons and steps they add."""

    dose_mg: Decimal
    vials: VialPlan
    volume_ml: Decimal
    billing: Billing
    dose_rounding: DoseRounding | None
    preparation: Preparation
    reasons: list[Reason]
    steps: list[str]
    derivation: list[str]  # the steps from the level to the volume (not billing, preparation)


def _dose_figures(
    inputs: ValidInputs, bsa: BsaResult, decision: LevelDecision, policy: Policy
) -> _Figures:
    level = decision.level
    assert level is not None
    reasons: list[Reason] = []
    steps: list[str] = []
    dose = round_dose_mg(level * bsa.used_m2)
    steps.append(
        f"Dose = {format_quantity(level, 'mg/m²')} × {format_quantity(bsa.used_m2, 'm²')} = "
        f"{format_quantity(level * bsa.used_m2, 'mg')} → {format_quantity(dose, 'mg')}"
    )
    strengths = tuple(v.strength_mg for v in policy.vials)
    dose_rounding = None
    if inputs.cycle.round_to_vial_within_pct is not None:
        dose_rounding, rounding_reasons = round_to_vial(
            dose,
            inputs.cycle.round_to_vial_within_pct,
            strengths,
            may_round_up=not decision.hepatic_impairment_level,
            level_mg_per_m2=level,
        )
        reasons.extend(rounding_reasons)
        steps.extend(r.message for r in rounding_reasons)
        dose = dose_rounding.rounded_mg
        if dose / bsa.used_m2 > label.STARTING_LEVEL >= level:
            reasons.append(
                Reason(
                    "rounded_over_40",
                    f"The rounded dose is {format_quantity(dose / bsa.used_m2, 'mg/m²', 1)}: above "
                    "the payer's 40 mg/m² single-dose limit; keep the rounding on the record.",
                    label.SRC_POLICY_LEVEL_LIMIT,
                    Severity.WARNING,
                )
            )

    vials = plan_vials(dose, strengths)
    vial_text = wording.vial_plan_total(vials.counts, vials.total_mg)
    steps.append(f"Vials: {vial_text} ({label.SRC_VIALS})")
    volume = round_volume_ml(dose / label.RECONSTITUTED_MG_PER_ML)
    steps.append(wording.volume_step(dose, volume))
    derivation = list(steps)
    billing, billing_reasons = compute_billing(dose, vials, policy)
    reasons.extend(billing_reasons)
    steps.append(billing_reasons[0].message)
    preparation, preparation_reasons = plan_preparation(
        dose, volume, vials, inputs.preparation, decision.infusion_hours
    )
    reasons.extend(preparation_reasons)
    steps.extend(preparation_steps(preparation, dose))
    return _Figures(
        dose, vials, volume, billing, dose_rounding, preparation, reasons, steps, derivation
    )

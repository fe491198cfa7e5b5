"""validate → BSA → hepatic → level → dose → vials → volume → billing, with every step kept.

``calculate`` never raises on user input: bad input comes back as an INVALID_INPUT result whose
issues name each field.
"""

from __future__ import annotations

from ixempra_gui.core import hepatic, label
from ixempra_gui.core.billing import compute_billing
from ixempra_gui.core.bsa import FORMULA_NAMES, FORMULA_SOURCES, compute_bsa
from ixempra_gui.core.cycle_gate import evaluate_gate
from ixempra_gui.core.formatting import format_quantity
from ixempra_gui.core.levels import decide_level
from ixempra_gui.core.models import DoseResult, Order, Reason, Severity, Status
from ixempra_gui.core.policy import Policy, load_policy
from ixempra_gui.core.preparation import plan_preparation, preparation_steps
from ixempra_gui.core.rounding import round_dose_mg, round_volume_ml, to_decimal
from ixempra_gui.core.validation import validate
from ixempra_gui.core.vial_rounding import round_to_vial
from ixempra_gui.core.vials import plan_vials


def calculate(order: Order, policy: Policy | None = None) -> DoseResult:
    """The whole dose calculation for one order."""
    policy = policy or load_policy()
    inputs, issues = validate(order)
    if inputs is None:
        return DoseResult(status=Status.INVALID_INPUT, issues=issues)

    reasons: list[Reason] = [
        Reason(i.code, i.message + " — acknowledged.", "spec §1 plausibility", Severity.WARNING)
        for i in issues
        if i.severity is Severity.WARNING
    ]
    steps: list[str] = []

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

    ratios = hepatic.ratios(inputs)
    outcome = hepatic.assess(inputs, ratios)
    reasons.extend(outcome.reasons)
    decision = decide_level(inputs, outcome)
    reasons.extend(decision.reasons)
    steps.extend(r.description for r in decision.rules)
    gate, gate_reasons = evaluate_gate(inputs.cycle)
    reasons.extend(gate_reasons)

    common = dict(
        inputs=inputs, bsa=bsa, ratios=ratios, level_rules=decision.rules, cycle_gate=gate
    )
    if decision.issues:
        return DoseResult(
            status=Status.INVALID_INPUT,
            issues=issues + decision.issues,
            reasons=tuple(reasons),
            steps=tuple(steps),
            **common,
        )
    if outcome.status is not Status.OK:
        status = outcome.status
    elif gate.passed is False:
        status = Status.HOLD
    else:
        status = Status.OK
    level = decision.level
    if status is not Status.OK or level is None:
        return DoseResult(
            status=status, issues=issues, reasons=tuple(reasons), steps=tuple(steps), **common
        )

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
    vial_text = " + ".join(f"{n} × {s} mg" for s, n in vials.counts if n)
    steps.append(f"Vials: {vial_text} = {vials.total_mg} mg labeled ({label.SRC_VIALS})")
    volume = round_volume_ml(dose / label.RECONSTITUTED_MG_PER_ML)
    steps.append(
        f"Volume to withdraw = {format_quantity(dose, 'mg')} ÷ 2 mg/mL = "
        f"{format_quantity(volume, 'mL')}"
    )
    billing, billing_reasons = compute_billing(dose, vials, policy)
    reasons.extend(billing_reasons)
    steps.append(billing_reasons[0].message)
    preparation, preparation_reasons = plan_preparation(
        dose, volume, vials, inputs.preparation, decision.infusion_hours
    )
    reasons.extend(preparation_reasons)
    steps.extend(preparation_steps(preparation, dose))
    return DoseResult(
        status=Status.OK,
        issues=issues,
        dose_level_mg_per_m2=level,
        dose_mg=dose,
        vials=vials,
        volume_ml=volume,
        billing=billing,
        dose_rounding=dose_rounding,
        preparation=preparation,
        reasons=tuple(reasons),
        steps=tuple(steps),
        **common,
    )

"""The start-of-cycle gate (clinical-rules §4): ANC, platelets, and the non-hematologic
toxicity grade NOW (has it resolved to grade ≤ 1?).

ANC and platelets are required inputs (validation refuses an order without them: the label
contraindicates IXEMPRA at a low baseline count); the current grade is optional, and when it is
not entered the gate says so. Any failed criterion puts the dose on hold. The worst event since
the last cycle, which decides a reduction, is a separate input (core/toxicity.py).
"""

from __future__ import annotations

from ixempra_gui.core import label
from ixempra_gui.core.formatting import format_number
from ixempra_gui.core.models import CycleGate, CycleInputs, GateCriterion, Reason, Severity


def _criteria(cycle: CycleInputs) -> tuple[GateCriterion, ...]:
    """ANC, platelets and the current non-hematologic grade against the label's limits
    (None: not entered, not checked)."""
    anc = cycle.anc.value if cycle.anc else None
    platelets = cycle.platelets.value if cycle.platelets else None
    grade = cycle.current_nonheme_toxicity_grade
    return (
        GateCriterion(
            "anc",
            "ANC",
            anc,
            "/mm³",
            label.GATE_ANC_MIN_PER_MM3,
            "≥",
            None if anc is None else anc >= label.GATE_ANC_MIN_PER_MM3,
        ),
        GateCriterion(
            "platelets",
            "Platelets",
            platelets,
            "/mm³",
            label.GATE_PLATELETS_MIN_PER_MM3,
            "≥",
            None if platelets is None else platelets >= label.GATE_PLATELETS_MIN_PER_MM3,
        ),
        GateCriterion(
            "current_nonheme_toxicity_grade",
            "Current non-hematologic toxicity",
            grade,
            "grade",
            label.GATE_NONHEME_MAX_GRADE,
            "≤",
            None if grade is None else grade <= label.GATE_NONHEME_MAX_GRADE,
        ),
    )


def evaluate_gate(cycle: CycleInputs) -> tuple[CycleGate, tuple[Reason, ...]]:
    """Each criterion with its value, limit and outcome, and the reasons to show."""
    grade = cycle.current_nonheme_toxicity_grade
    criteria = _criteria(cycle)
    gate = CycleGate(criteria)
    reasons: list[Reason] = []
    for c in criteria:
        if c.passed is False:
            reasons.append(_hold(c))
    if grade is not None and 2 <= grade <= 3:
        reasons.append(
            Reason(
                "toxicity_guidance",
                "When it has recovered to grade ≤ 1, enter the worst event since the last cycle "
                "(label Table 1 rows): the product proposes the reduction it calls for.",
                label.SRC_TOXICITY,
                Severity.WARNING,
            )
        )
    missing = [c.label for c in criteria if c.passed is None]
    if missing:
        reasons.append(
            Reason(
                "cycle_gate_not_checked",
                "Start-of-cycle gate not checked for: "
                + ", ".join(missing)
                + ". Enter it before each cycle.",
                label.SRC_GATE,
                Severity.WARNING,
            )
        )
    elif gate.passed:
        reasons.append(
            Reason(
                "cycle_gate_passed",
                "Start-of-cycle gate met: " + "; ".join(f"{c.label} {_value(c)}" for c in criteria),
                label.SRC_GATE,
            )
        )
    return gate, tuple(reasons)


def _hold(c: GateCriterion) -> Reason:
    """A failed criterion holds the cycle; a low count also tells the prescriber that, before
    the first cycle, the label contraindicates IXEMPRA at it (the status stays hold: spec §4)."""
    message = (
        f"Hold: {c.label} {_value(c)} does not meet {c.comparison} {_limit(c)}. "
        "Do not begin the cycle until it does."
    )
    if c.unit == "grade":
        return Reason(f"hold_{c.code}", message, label.SRC_GATE, Severity.STOP)
    name = "ANC" if c.code == "anc" else c.label.lower()
    message += (
        " Before the first cycle (a baseline count), the label contraindicates IXEMPRA at "
        f"{name} < {_limit(c)}: tell the prescriber."
    )
    return Reason(f"hold_{c.code}", message, label.SRC_LOW_COUNT_HOLD, Severity.STOP)


def _value(c: GateCriterion) -> str:
    if c.unit == "grade":
        return f"grade {c.value}"
    return f"{format_number(c.value, 0, grouping=True)} {c.unit}" if c.value is not None else "—"


def _limit(c: GateCriterion) -> str:
    return (
        f"grade {c.limit}"
        if c.unit == "grade"
        else f"{format_number(c.limit, grouping=True)} {c.unit}"
    )

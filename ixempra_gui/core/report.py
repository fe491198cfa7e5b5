"""Render one DoseResult as the fixed JSON contract of ``ixempra-calc --json``, or as text.

The JSON keys are a contract other tools and the acceptance checks rely on (issue #2); add keys,
never rename or drop them. Dose keys are null whenever the result is not ready to prepare.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from ixempra_gui import __version__
from ixempra_gui.core import wording
from ixempra_gui.core.bsa import FORMULA_NAMES
from ixempra_gui.core.formatting import format_quantity
from ixempra_gui.core.models import (
    Billing,
    CycleGate,
    CycleInputs,
    DoseResult,
    DoseRounding,
    FieldIssue,
    LevelRule,
    Preparation,
    Severity,
    Status,
    ValidInputs,
)
from ixempra_gui.core.policy import Policy, load_policy
from ixempra_gui.core.toxicity import propose
from ixempra_gui.core.units import Measurement

STATUS_WORDS = {
    Status.OK: "READY TO PREPARE",
    Status.CONTRAINDICATED: "NO DOSE: CONTRAINDICATED",
    Status.NOT_RECOMMENDED: "NO DOSE: NOT RECOMMENDED",
    Status.HOLD: "NO DOSE: HOLD",
    Status.STOP: "NO DOSE: STOP",
    Status.INVALID_INPUT: "NO DOSE: INPUT NEEDED",
}


def error_json(issue: FieldIssue) -> dict[str, Any]:
    """One entry of ``errors``: a field error, or a warning with the code that accepts it."""
    entry: dict[str, Any] = {"field": issue.field, "code": issue.code, "message": issue.message}
    if issue.severity is Severity.WARNING:
        entry["severity"] = "warning"
        entry["acknowledge"] = issue.ack_code
    else:
        entry["severity"] = "error"
    return entry


def _num(value: Decimal | Fraction | None, places: int | None = None) -> float | None:
    if value is None:
        return None
    if places is not None:
        return round(float(value), places)
    return float(value)


def _measurement(m: Measurement) -> dict[str, Any]:
    return {"entered": m.text, "value": _num(m.value, 6), "unit": m.canonical_symbol}


def _inputs_json(inputs: ValidInputs) -> dict[str, Any]:
    """The inputs as understood: each measurement as typed and in its canonical unit."""
    return {
        "height": _measurement(inputs.height),
        "weight": _measurement(inputs.weight),
        "regimen": inputs.regimen.value,
        "ast": _measurement(inputs.ast),
        "ast_uln": _measurement(inputs.ast_uln),
        "alt": _measurement(inputs.alt),
        "alt_uln": _measurement(inputs.alt_uln),
        "bilirubin": _measurement(inputs.bilirubin),
        "bilirubin_uln": _measurement(inputs.bilirubin_uln),
        "strong_cyp3a4_inhibitor": inputs.strong_cyp3a4_inhibitor,
        "gilbert_syndrome": inputs.gilbert_syndrome,
        "cremophor_hypersensitivity": inputs.cremophor_hypersensitivity,
        **_cycle_inputs_json(inputs.cycle),
        "diluent": inputs.preparation.diluent.value,
        "bag_sizes_ml": list(inputs.preparation.bag_sizes_ml),
        "prior_hypersensitivity": inputs.preparation.prior_hypersensitivity,
        "prepared_at": _time(inputs.preparation.prepared_at),
    }


def _level_rule_json(r: LevelRule) -> dict[str, Any]:
    return {
        "code": r.code,
        "description": r.description,
        "level_mg_per_m2": _num(r.level_mg_per_m2),
        "source": r.source,
        "applies": r.applies,
    }


def _billing_json(billing: Billing) -> dict[str, Any]:
    return {
        "hcpcs": billing.hcpcs,
        "units_administered": billing.units_administered,
        "units_wasted": billing.units_wasted,
        "units_total": billing.units_total,
        "modifier": billing.modifier,
        "ndc": list(billing.ndc),
        "ndc_unverified": list(billing.ndc_unverified),
        "lines": [
            {
                "hcpcs": ln.hcpcs,
                "modifier": ln.modifier,
                "units": ln.units,
                "description": ln.description,
            }
            for ln in billing.lines
        ],
    }


def to_json_dict(result: DoseResult, policy: Policy | None = None) -> dict[str, Any]:
    """The JSON object printed by ``ixempra-calc --json``."""
    if result.status is Status.INVALID_INPUT:
        return {
            "status": result.status.value,
            "errors": [error_json(i) for i in result.errors],
        }
    policy = policy or load_policy()
    inputs, bsa, ratios = result.inputs, result.bsa, result.ratios
    assert inputs is not None and bsa is not None and ratios is not None
    ready = result.ready_to_prepare
    billing = result.billing if ready else None
    vials = result.vials if ready else None
    return {
        "status": result.status.value,
        "ready_to_prepare": ready,
        "app_version": __version__,
        "policy": {"id": policy.id, "last_review": policy.last_review},
        "inputs": _inputs_json(inputs),
        "bsa_formula": inputs.bsa_formula.value,
        "bsa_exact_m2": _num(bsa.exact_m2, 6),
        "bsa_m2": _num(bsa.rounded_m2),
        "bsa_used_m2": _num(bsa.used_m2),
        "bsa_capped": bsa.capped,
        "hepatic": {
            "ast_x_uln": _num(ratios.ast, 4),
            "alt_x_uln": _num(ratios.alt, 4),
            "bilirubin_x_uln": _num(ratios.bilirubin, 4),
        },
        "level_rules": [_level_rule_json(r) for r in result.level_rules],
        "dose_level_mg_per_m2": _num(result.dose_level_mg_per_m2) if ready else None,
        "dose_mg": _num(result.dose_mg) if ready else None,
        "vials": {str(s): n for s, n in vials.counts} if vials else None,
        "vial_total_mg": vials.total_mg if vials else None,
        "volume_ml": _num(result.volume_ml) if ready else None,
        "billing": None if billing is None else _billing_json(billing),
        "cycle_gate": _cycle_gate_json(result.cycle_gate),
        "toxicity": _toxicity_json(inputs.cycle),
        "dose_rounding": _rounding_json(result.dose_rounding) if ready else None,
        "preparation": _preparation_json(result.preparation) if ready else None,
        "reasons": [
            {"code": r.code, "message": r.message, "source": r.source, "severity": r.severity.value}
            for r in result.reasons
        ],
        "steps": list(result.steps),
    }


def _time(value: datetime | None) -> str | None:
    return value.isoformat(timespec="minutes") if value else None


def _optional(m: Measurement | None) -> dict[str, Any] | None:
    return _measurement(m) if m else None


def _cycle_inputs_json(cycle: CycleInputs) -> dict[str, Any]:
    return {
        "anc": _optional(cycle.anc),
        "platelets": _optional(cycle.platelets),
        "current_nonheme_toxicity_grade": cycle.current_nonheme_toxicity_grade,
        "worst_events": list(cycle.worst_events),
        "confirm_reduction": cycle.confirm_reduction,
        "toxicity_reductions": cycle.toxicity_reductions,
        "reduction_mode": cycle.reduction_mode.value,
        "reduction_reason": cycle.reduction_reason,
        "hepatic_escalation_level": _optional(cycle.hepatic_escalation_level),
        "strong_cyp3a4_inducer": cycle.strong_cyp3a4_inducer,
        "dose_level": _optional(cycle.dose_level),
        "round_to_vial_within_pct": _num(cycle.round_to_vial_within_pct),
    }


def _cycle_gate_json(gate: CycleGate | None) -> dict[str, Any] | None:
    if gate is None:
        return None
    out: dict[str, Any] = {"checked": gate.checked, "passed": gate.passed}
    for c in gate.criteria:
        out[c.code] = {
            "value": None if c.value is None else _num(Fraction(c.value)),
            "unit": c.unit,
            "limit": c.limit,
            "comparison": c.comparison,
            "passed": c.passed,
        }
    return out


def _toxicity_json(cycle: CycleInputs) -> dict[str, Any]:
    """The worst events since the last cycle and what label Table 1 proposes for them."""
    proposal = propose(cycle.worst_events, cycle.current_nonheme_toxicity_grade)
    return {
        "worst_events": list(cycle.worst_events),
        "proposal": None if proposal is None else proposal.action.name.lower(),
        "rows": [] if proposal is None else [r.code for r in proposal.deciding],
        "confirmed": cycle.confirm_reduction,
        "message": None if proposal is None else proposal.message,
    }


def _rounding_json(rounding: DoseRounding | None) -> dict[str, Any] | None:
    if rounding is None:
        return None
    return {
        "within_pct": _num(rounding.within_pct),
        "unrounded_mg": _num(rounding.unrounded_mg),
        "rounded_mg": _num(rounding.rounded_mg),
        "change_pct": _num(rounding.change_pct),
        "applied": rounding.applied,
    }


def _preparation_json(p: Preparation | None) -> dict[str, Any] | None:
    if p is None:
        return None
    return {
        "vials": [
            {"strength_mg": v.strength_mg, "diluent_ml": _num(v.diluent_ml)} for v in p.vials
        ],
        "reconstituted_mg_per_ml": _num(p.reconstituted_mg_per_ml),
        "withdraw_ml": _num(p.withdraw_ml),
        "diluent": p.diluent.value,
        "bag_ml": p.bag_ml,
        "bicarbonate_meq": _num(p.bicarbonate_meq),
        "final_volume_ml": _num(p.final_volume_ml),
        "concentration_mg_per_ml": _num(p.concentration_mg_per_ml),
        "infusion_hours": p.infusion_hours,
        "rate_ml_per_h": _num(p.rate_ml_per_h),
        "reconstituted_use_by": _time(p.reconstituted_use_by),
        "infusion_start_by": _time(p.infusion_start_by),
        "infusion_complete_by": _time(p.infusion_complete_by),
        "filter": p.filter,
        "container": p.container,
        "premedication": list(p.premedication),
        "bag_advice": p.bag_advice,
    }


def _row(name: str, value: str) -> str:
    return f"{name:<12}{value}"


def text_summary(result: DoseResult) -> str:
    """The result as a compounding worksheet for the terminal, in ISMP style, each fact worded
    as the window words it (core/wording.py)."""
    lines = [
        "IXEMPRA (ixabepilone) dose calculation",
        f"Status      {STATUS_WORDS[result.status]} (status: {result.status.value})",
    ]
    if result.status is Status.INVALID_INPUT:
        lines += [f"  {i.message}" for i in result.errors]
        return "\n".join(lines)
    inputs, bsa, ratios = result.inputs, result.bsa, result.ratios
    assert inputs is not None and bsa is not None and ratios is not None
    gate = wording.gate_lines(result.cycle_gate)
    lines += [
        "",
        _row(
            "Height",
            f"{wording.measurement_echo(inputs.height)}    Weight "
            f"{wording.measurement_echo(inputs.weight)}",
        ),
        _row("Regimen", inputs.regimen.label),
        _row("Liver", wording.liver_ratios(ratios)),
        _row("Cycle gate", gate[0] if gate else "—"),
        *(f"{'':<12}{line}" for line in gate[1:]),
        _row("BSA", wording.bsa_text(bsa, FORMULA_NAMES[bsa.formula])),
    ]
    if result.ready_to_prepare:
        lines += _dose_lines(result)
    else:
        lines += [_row("Dose level", "—"), _row("Dose", "—")]
    lines += ["", "Reasons:"]
    lines += [
        f"  [{r.severity.value}] {r.message} ({wording.cited(r.source)})" for r in result.reasons
    ]
    if result.ready_to_prepare:
        lines += ["", "Prepared by ______________________   Verified by ______________________"]
    return "\n".join(lines)


def _dose_lines(result: DoseResult) -> list[str]:
    """The dose, vials, volume, billing and preparation of a ready dose."""
    assert result.vials and result.billing and result.dose_mg is not None
    assert result.dose_level_mg_per_m2 is not None and result.volume_ml is not None
    dose = format_quantity(result.dose_mg, "mg")
    if note := wording.rounding_note(result.dose_rounding):
        dose += f" ({note})"
    billing = wording.billing_lines(result.billing)
    lines = [
        _row("Dose level", format_quantity(result.dose_level_mg_per_m2, "mg/m²")),
        _row("Dose", dose),
        _row("Vials", wording.vial_plan_total(result.vials.counts, result.vials.total_mg)),
        _row("Withdraw", f"{format_quantity(result.volume_ml, 'mL')} of the 2 mg/mL solution"),
        _row("Billing", billing[0]),
        *(f"{'':<12}{line}" for line in billing[1:]),
        "",
        "Preparation:",
    ]
    return lines + [f"  {line}" for line in wording.preparation_lines(result)]

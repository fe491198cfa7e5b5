"""Render one DoseResult as the fixed JSON contract of ``ixempra-calc --json``, or as text.

The JSON keys are a contract other tools and the acceptance checks rely on (issue #2); add keys,
never rename or drop them. Dose keys are null whenever the result is not ready to prepare.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from ixempra_gui import __version__
from ixempra_gui.core.bsa import FORMULA_NAMES
from ixempra_gui.core.formatting import format_number, format_quantity, format_ratio
from ixempra_gui.core.models import DoseResult, Status
from ixempra_gui.core.policy import Policy, load_policy
from ixempra_gui.core.units import Measurement

STATUS_WORDS = {
    Status.OK: "READY TO PREPARE",
    Status.CONTRAINDICATED: "NO DOSE: CONTRAINDICATED",
    Status.NOT_RECOMMENDED: "NO DOSE: NOT RECOMMENDED",
    Status.HOLD: "NO DOSE: HOLD",
    Status.INVALID_INPUT: "NO DOSE: INPUT NEEDED",
}


def _num(value: Decimal | Fraction | None, places: int | None = None) -> float | None:
    if value is None:
        return None
    if places is not None:
        return round(float(value), places)
    return float(value)


def _measurement(m: Measurement) -> dict[str, Any]:
    return {"entered": m.text, "value": _num(m.value, 6), "unit": m.canonical_symbol}


def to_json_dict(result: DoseResult, policy: Policy | None = None) -> dict[str, Any]:
    """The JSON object printed by ``ixempra-calc --json``."""
    if result.status is Status.INVALID_INPUT:
        return {
            "status": result.status.value,
            "errors": [
                {"field": i.field, "code": i.code, "message": i.message} for i in result.errors
            ],
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
        "inputs": {
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
        },
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
        "level_rules": [
            {
                "code": r.code,
                "description": r.description,
                "level_mg_per_m2": _num(r.level_mg_per_m2),
                "source": r.source,
                "applies": r.applies,
            }
            for r in result.level_rules
        ],
        "dose_level_mg_per_m2": _num(result.dose_level_mg_per_m2) if ready else None,
        "dose_mg": _num(result.dose_mg) if ready else None,
        "vials": {str(s): n for s, n in vials.counts} if vials else None,
        "vial_total_mg": vials.total_mg if vials else None,
        "volume_ml": _num(result.volume_ml) if ready else None,
        "billing": None
        if billing is None
        else {
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
        },
        "reasons": [
            {"code": r.code, "message": r.message, "source": r.source, "severity": r.severity.value}
            for r in result.reasons
        ],
        "steps": list(result.steps),
    }


def _echo(m: Measurement) -> str:
    if m.in_canonical_unit:
        return m.text
    return f"{m.text} ({format_quantity(m.value, m.canonical_symbol, 2)})"


def text_summary(result: DoseResult) -> str:
    """A readable summary in ISMP style, for the terminal."""
    lines = [f"Ixempra dose: {STATUS_WORDS[result.status]} (status: {result.status.value})"]
    if result.status is Status.INVALID_INPUT:
        lines += [f"  {i.message}" for i in result.errors]
        return "\n".join(lines)
    inputs, bsa, ratios = result.inputs, result.bsa, result.ratios
    assert inputs is not None and bsa is not None and ratios is not None
    ready = result.ready_to_prepare
    lines += [
        f"Height      {_echo(inputs.height)}    Weight {_echo(inputs.weight)}",
        f"Regimen     {inputs.regimen.value}",
        f"Liver       AST {format_ratio(ratios.ast)}, ALT {format_ratio(ratios.alt)}, "
        f"bilirubin {format_ratio(ratios.bilirubin)}",
        f"BSA         {format_quantity(bsa.rounded_m2, 'm²')} ({FORMULA_NAMES[bsa.formula]})"
        + (
            f", capped: dose calculated on {format_quantity(bsa.used_m2, 'm²')}"
            if bsa.capped
            else ""
        ),
    ]
    dash = "—"
    if ready:
        assert result.vials and result.billing and result.dose_mg is not None
        assert result.dose_level_mg_per_m2 is not None and result.volume_ml is not None
        vials = " + ".join(f"{n} × {s} mg" for s, n in result.vials.counts if n)
        billing = "; ".join(
            f"{ln.hcpcs}{'-' + ln.modifier if ln.modifier else ''} × {ln.units}"
            for ln in result.billing.lines
        )
        lines += [
            f"Dose level  {format_quantity(result.dose_level_mg_per_m2, 'mg/m²')}",
            f"Dose        {format_quantity(result.dose_mg, 'mg')}",
            f"Vials       {vials} = {format_number(result.vials.total_mg)} mg",
            f"Withdraw    {format_quantity(result.volume_ml, 'mL')} of the 2 mg/mL solution",
            f"Billing     {billing}; NDC {', '.join(result.billing.ndc)}",
        ]
    else:
        lines += [f"Dose level  {dash}", f"Dose        {dash}"]
    lines.append("Reasons:")
    lines += [f"  [{r.severity.value}] {r.message} ({r.source})" for r in result.reasons]
    return "\n".join(lines)

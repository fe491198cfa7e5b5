"""HCPCS J9207 billing lines: units administered, units discarded, JW or JZ, NDCs (spec §6)."""

from __future__ import annotations

from decimal import Decimal

from ixempra_gui.core import label
from ixempra_gui.core.formatting import unit_word
from ixempra_gui.core.models import Billing, BillingLine, Reason, Severity, VialPlan
from ixempra_gui.core.policy import Policy
from ixempra_gui.core.rounding import billing_units


def compute_billing(
    dose_mg: Decimal, vials: VialPlan, policy: Policy
) -> tuple[Billing, tuple[Reason, ...]]:
    """Administered = dose rounded up; discarded = labeled vial mg − administered."""
    administered = billing_units(dose_mg, policy.mg_per_unit)
    wasted = vials.total_mg // policy.mg_per_unit - administered
    if wasted < 0:  # cannot happen: the vials cover the dose and are whole mg
        raise AssertionError("vials do not cover the billed units")
    code = policy.hcpcs
    lines: tuple[BillingLine, ...]
    if wasted > 0:
        lines = (
            BillingLine(code, None, administered, "administered"),
            BillingLine(code, policy.discard_modifier, wasted, "discarded (single-dose vials)"),
        )
        modifier = policy.discard_modifier
    else:
        lines = (
            BillingLine(
                code, policy.no_discard_modifier, administered, "administered, nothing discarded"
            ),
        )
        modifier = policy.no_discard_modifier
    used = [policy.vial(s) for s, n in vials.counts if n > 0]
    ndc = tuple(v.ndc11 for v in used)
    unverified = tuple(v.ndc11 for v in used if not v.ndc11_verified)
    reasons = [
        Reason(
            "billing_units",
            f"{code}: {administered} {unit_word(administered)} administered (dose rounded up "
            "to whole mg)"
            + (
                f", {wasted} {unit_word(wasted)} discarded with {modifier}"
                if wasted
                else f", nothing discarded: {modifier}"
            ),
            f"{label.SRC_BILLING_UNITS}; {label.SRC_JW_JZ}",
        )
    ]
    for v in used:
        if not v.ndc11_verified:
            reasons.append(
                Reason(
                    "ndc_unverified",
                    f"NDC {v.ndc11} ({v.strength_mg} mg kit): package code not yet verified "
                    "against the current label; confirm before submitting the claim.",
                    label.SRC_NDC_UNVERIFIED,
                    Severity.WARNING,
                )
            )
    reasons.extend(_over_the_units_limit(administered, wasted, policy))
    billing = Billing(code, administered, wasted, modifier, ndc, unverified, lines)
    return billing, tuple(reasons)


def _over_the_units_limit(administered: int, wasted: int, policy: Policy) -> list[Reason]:
    """One dose billing more than the policy's units per window is over it whatever the
    history holds: said with the dose, not only when coverage is asked (clinical audit D7)."""
    total = administered + wasted
    if total <= policy.max_units:
        return []
    return [
        Reason(
            "coverage_units_over_limit",
            f"Coverage risk: this dose alone bills {total} units ({administered} administered + "
            f"{wasted} discarded), over the payer's limit of {policy.max_units} units per "
            f"{policy.per_days} days: expect the claim to be denied without an exception.",
            f"policy {policy.id}, {policy.coverage.dosing_limit_section}",
            Severity.WARNING,
        )
    ]

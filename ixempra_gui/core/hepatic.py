"""Hepatic function → dose level or no dose (clinical-rules §3), as ordered, auditable tables.

Every comparison is exact: each lab is a Fraction multiple of its ULN, so 2.10/1.4 is exactly
1.5×ULN and "exactly 2.5×" is allowed where the label says "> 2.5×" is not.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from ixempra_gui.core import label
from ixempra_gui.core.formatting import format_ratio
from ixempra_gui.core.models import (
    HepaticRatios,
    LevelRule,
    Reason,
    Regimen,
    Severity,
    Status,
    ValidInputs,
)


@dataclass(frozen=True)
class MonotherapyTier:
    """One row of the label's hepatic-impairment table (monotherapy). First matching row wins."""

    code: str
    level_mg_per_m2: Decimal
    ast_alt_max: Fraction  # both AST and ALT ≤ this × ULN
    bilirubin_max: Fraction  # bilirubin ≤ this × ULN
    wording: str


MONOTHERAPY_TIERS: tuple[MonotherapyTier, ...] = (
    MonotherapyTier(
        "hepatic_normal",
        Decimal(40),
        Fraction(5, 2),
        Fraction(1),
        "AST and ALT ≤ 2.5×ULN and bilirubin ≤ 1×ULN",
    ),
    MonotherapyTier(
        "hepatic_mild",
        Decimal(32),
        Fraction(10),
        Fraction(3, 2),
        "AST and ALT ≤ 10×ULN and bilirubin ≤ 1.5×ULN",
    ),
    MonotherapyTier(
        "hepatic_moderate",
        Decimal(20),
        Fraction(10),
        Fraction(3),
        "AST and ALT ≤ 10×ULN and bilirubin > 1.5×ULN to ≤ 3×ULN",
    ),
)
# Beyond the last row (AST or ALT > 10×ULN, or bilirubin > 3×ULN): not recommended.
MODERATE_ESCALATION_MAX = Decimal(30)


@dataclass(frozen=True)
class HepaticOutcome:
    status: Status  # OK, CONTRAINDICATED or NOT_RECOMMENDED
    rule: LevelRule
    reasons: tuple[Reason, ...]
    tier: str


def ratios(inputs: ValidInputs) -> HepaticRatios:
    """Each lab divided by its ULN, exactly (both already in the same canonical unit)."""
    return HepaticRatios(
        ast=inputs.ast.value / inputs.ast_uln.value,
        alt=inputs.alt.value / inputs.alt_uln.value,
        bilirubin=inputs.bilirubin.value / inputs.bilirubin_uln.value,
    )


def _labs(r: HepaticRatios) -> str:
    return (
        f"AST {format_ratio(r.ast)}, ALT {format_ratio(r.alt)}, "
        f"bilirubin {format_ratio(r.bilirubin)}"
    )


def assess(inputs: ValidInputs, r: HepaticRatios) -> HepaticOutcome:
    """Apply the capecitabine contraindication or the monotherapy table."""
    if inputs.regimen is Regimen.CAPECITABINE:
        return _capecitabine(inputs, r)
    return _monotherapy(inputs, r)


def _capecitabine(inputs: ValidInputs, r: HepaticRatios) -> HepaticOutcome:
    failed = []
    if r.ast > label.CAPE_AST_ALT_MAX_X_ULN:
        failed.append(f"AST {format_ratio(r.ast)} > 2.5×ULN")
    if r.alt > label.CAPE_AST_ALT_MAX_X_ULN:
        failed.append(f"ALT {format_ratio(r.alt)} > 2.5×ULN")
    if r.bilirubin > label.CAPE_BILIRUBIN_MAX_X_ULN:
        failed.append(f"bilirubin {format_ratio(r.bilirubin)} > 1×ULN")
    if not failed:
        rule = LevelRule(
            "hepatic_capecitabine_allowed",
            f"Hepatic function with capecitabine: {_labs(r)} (AST and ALT ≤ 2.5×ULN, "
            "bilirubin ≤ 1×ULN): combination allowed",
            label.STARTING_LEVEL,
            label.SRC_CAPE_HEPATIC,
            applies=False,
        )
        reason = Reason(rule.code, rule.description, rule.source)
        return HepaticOutcome(Status.OK, rule, (reason,), "capecitabine_allowed")
    text = (
        "Ixempra with capecitabine is contraindicated: "
        + "; ".join(failed)
        + ". Do not give the combination (risk of toxicity and neutropenia-related death)."
    )
    rule = LevelRule(
        "hepatic_capecitabine_contraindicated", text, None, label.SRC_CAPE_HEPATIC, applies=True
    )
    reasons = [Reason(rule.code, text, rule.source, Severity.STOP)]
    if inputs.gilbert_syndrome and r.bilirubin > label.CAPE_BILIRUBIN_MAX_X_ULN:
        reasons.append(
            Reason(
                "gilbert_not_applicable_to_combination",
                "Gilbert's syndrome is ticked, but the label exempts Gilbert's bilirubin only from "
                "the monotherapy table; the capecitabine contraindication still applies.",
                label.SRC_GILBERT,
                Severity.STOP,
            )
        )
    return HepaticOutcome(
        Status.CONTRAINDICATED, rule, tuple(reasons), "capecitabine_contraindicated"
    )


def _monotherapy(inputs: ValidInputs, r: HepaticRatios) -> HepaticOutcome:
    gilbert = inputs.gilbert_syndrome
    reasons: list[Reason] = []
    if gilbert:
        reasons.append(
            Reason(
                "gilbert_bilirubin_excluded",
                f"Gilbert's syndrome: bilirubin ({format_ratio(r.bilirubin)}) is not used for the "
                "hepatic dose level; AST and ALT still are.",
                label.SRC_GILBERT,
                Severity.WARNING,
            )
        )
    for tier in MONOTHERAPY_TIERS:
        bilirubin_ok = gilbert or r.bilirubin <= tier.bilirubin_max
        if r.ast <= tier.ast_alt_max and r.alt <= tier.ast_alt_max and bilirubin_ok:
            text = (
                f"Hepatic function (monotherapy): {_labs(r)}; row '{tier.wording}' "
                f"→ {tier.level_mg_per_m2} mg/m²"
            )
            rule = LevelRule(
                tier.code, text, tier.level_mg_per_m2, label.SRC_MONO_HEPATIC, applies=False
            )
            severity = Severity.INFO if tier is MONOTHERAPY_TIERS[0] else Severity.WARNING
            reasons.insert(0, Reason(tier.code, text, label.SRC_MONO_HEPATIC, severity))
            if tier.code == "hepatic_moderate":
                reasons.append(
                    Reason(
                        "hepatic_moderate_escalation",
                        "At 20 mg/m² for hepatic impairment, later cycles may be escalated if "
                        f"tolerated, never above {MODERATE_ESCALATION_MAX} mg/m².",
                        label.SRC_MONO_HEPATIC,
                    )
                )
            return HepaticOutcome(Status.OK, rule, tuple(reasons), tier.code)
    over = []
    if r.ast > 10:
        over.append(f"AST {format_ratio(r.ast)} > 10×ULN")
    if r.alt > 10:
        over.append(f"ALT {format_ratio(r.alt)} > 10×ULN")
    if not gilbert and r.bilirubin > 3:
        over.append(f"bilirubin {format_ratio(r.bilirubin)} > 3×ULN")
    text = (
        "Ixempra monotherapy is not recommended: "
        + "; ".join(over)
        + " (label hepatic impairment table)."
    )
    rule = LevelRule("hepatic_not_recommended", text, None, label.SRC_MONO_HEPATIC, applies=True)
    reasons.insert(0, Reason(rule.code, text, rule.source, Severity.STOP))
    return HepaticOutcome(Status.NOT_RECOMMENDED, rule, tuple(reasons), "not_recommended")

"""Dose level rules of clinical-rules §3: every boundary at, just under and just over.

ULNs of 40 U/L and 1.4 mg/dL make the thresholds land on values a binary float gets wrong
(2.10/1.4 is exactly 1.5×, 4.2/1.4 exactly 3×).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import order_kwargs

from ixempra_gui.core.calculator import calculate
from ixempra_gui.core.models import Order, Status

OK, CI, NR = Status.OK, Status.CONTRAINDICATED, Status.NOT_RECOMMENDED


def run(**changes: object) -> tuple[Status, Decimal | None]:
    defaults = {"bilirubin_uln": "1.4 mg/dL", "bilirubin": "0.7 mg/dL"}
    result = calculate(Order(**order_kwargs(**{**defaults, **changes})))
    assert result.status is not Status.INVALID_INPUT, result.errors
    return result.status, result.dose_level_mg_per_m2


MONO = "monotherapy"
CAPE = "capecitabine"

CASES = [
    # regimen, changes, expected status, expected level
    # --- capecitabine: AST/ALT > 2.5×ULN or bilirubin > 1×ULN contraindicated
    (CAPE, {"ast": "100 U/L"}, OK, 40),  # exactly 2.5×
    (CAPE, {"ast": "99.99 U/L"}, OK, 40),
    (CAPE, {"ast": "100.01 U/L"}, CI, None),
    (CAPE, {"alt": "100 U/L"}, OK, 40),
    (CAPE, {"alt": "100.01 U/L"}, CI, None),
    (CAPE, {"bilirubin": "1.4 mg/dL"}, OK, 40),  # exactly 1×
    (CAPE, {"bilirubin": "1.39 mg/dL"}, OK, 40),
    (CAPE, {"bilirubin": "1.41 mg/dL"}, CI, None),
    (CAPE, {"bilirubin": "2.10 mg/dL", "gilbert_syndrome": True}, CI, None),
    # --- monotherapy row 1/2 boundary: AST/ALT 2.5×, bilirubin 1×
    (MONO, {"ast": "100 U/L"}, OK, 40),
    (MONO, {"ast": "100.01 U/L"}, OK, 32),
    (MONO, {"alt": "100 U/L"}, OK, 40),
    (MONO, {"alt": "100.01 U/L"}, OK, 32),
    (MONO, {"bilirubin": "1.4 mg/dL"}, OK, 40),
    (MONO, {"bilirubin": "1.41 mg/dL"}, OK, 32),
    # --- bilirubin 1.5×: 2.10/1.4 is exactly 1.5
    (MONO, {"bilirubin": "2.09 mg/dL"}, OK, 32),
    (MONO, {"bilirubin": "2.10 mg/dL"}, OK, 32),
    (MONO, {"bilirubin": "2.11 mg/dL"}, OK, 20),
    # --- bilirubin 3×: 4.2/1.4 is exactly 3
    (MONO, {"bilirubin": "4.19 mg/dL"}, OK, 20),
    (MONO, {"bilirubin": "4.2 mg/dL"}, OK, 20),
    (MONO, {"bilirubin": "4.21 mg/dL"}, NR, None),
    # --- AST/ALT 10×
    (MONO, {"ast": "399.99 U/L"}, OK, 32),
    (MONO, {"ast": "400 U/L"}, OK, 32),
    (MONO, {"ast": "400.01 U/L"}, NR, None),
    (MONO, {"alt": "400 U/L"}, OK, 32),
    (MONO, {"alt": "400.01 U/L"}, NR, None),
    (MONO, {"alt": "400 U/L", "bilirubin": "4.2 mg/dL"}, OK, 20),
    # --- Gilbert's: bilirubin limits off, AST/ALT still apply (monotherapy)
    (MONO, {"bilirubin": "7 mg/dL", "gilbert_syndrome": True}, OK, 40),
    (MONO, {"bilirubin": "7 mg/dL", "ast": "120 U/L", "gilbert_syndrome": True}, OK, 32),
    (MONO, {"ast": "400.01 U/L", "gilbert_syndrome": True}, NR, None),
    # --- strong CYP3A4 inhibitor: 20 mg/m², or lower
    (MONO, {"strong_cyp3a4_inhibitor": True}, OK, 20),
    (MONO, {"ast": "120 U/L", "strong_cyp3a4_inhibitor": True}, OK, 20),
    (MONO, {"bilirubin": "3 mg/dL", "strong_cyp3a4_inhibitor": True}, OK, 20),
    (MONO, {"alt": "450 U/L", "strong_cyp3a4_inhibitor": True}, NR, None),
    (CAPE, {"strong_cyp3a4_inhibitor": True}, OK, 20),
    (CAPE, {"ast": "120 U/L", "strong_cyp3a4_inhibitor": True}, CI, None),
    # --- mixed units compare exactly: 1.5 µkat/L = 90 U/L = 2.5 × 36 U/L
    (CAPE, {"ast": "1.5 ukat/L", "ast_uln": "36 U/L"}, OK, 40),
    (CAPE, {"ast": "1.51 ukat/L", "ast_uln": "36 U/L"}, CI, None),
    # 1 mg/dL = 17.104 µmol/L exactly (§1): 20.5248 µmol/L = 1.2 mg/dL, exactly 1 × ULN
    (CAPE, {"bilirubin": "20.5248 umol/L", "bilirubin_uln": "1.2 mg/dL"}, OK, 40),
    (CAPE, {"bilirubin": "20.5249 umol/L", "bilirubin_uln": "1.2 mg/dL"}, CI, None),
    (CAPE, {"bilirubin": "1.2 mg/dL", "bilirubin_uln": "20.5248 umol/L"}, OK, 40),
    (CAPE, {"bilirubin": "1.20001 mg/dL", "bilirubin_uln": "20.5248 umol/L"}, CI, None),
    (MONO, {"bilirubin": "20.5248 umol/L", "bilirubin_uln": "1.2 mg/dL"}, OK, 40),
    (MONO, {"bilirubin": "30.7872 umol/L", "bilirubin_uln": "1.2 mg/dL"}, OK, 32),  # 1.5 ×
    (MONO, {"bilirubin": "30.7873 umol/L", "bilirubin_uln": "1.2 mg/dL"}, OK, 20),
    (MONO, {"bilirubin": "61.5744 umol/L", "bilirubin_uln": "1.2 mg/dL"}, OK, 20),  # 3 ×
    (MONO, {"bilirubin": "61.5745 umol/L", "bilirubin_uln": "1.2 mg/dL"}, NR, None),
]


@pytest.mark.parametrize(("regimen", "changes", "status", "level"), CASES)
def test_level(regimen: str, changes: dict[str, object], status: Status, level: int | None) -> None:
    got_status, got_level = run(regimen=regimen, **changes)
    assert got_status is status
    assert got_level == (None if level is None else Decimal(level))


def test_every_rule_considered_is_listed_and_the_lowest_applies() -> None:
    result = calculate(Order(**order_kwargs(ast="120 U/L", strong_cyp3a4_inhibitor=True)))
    rules = {r.code: r for r in result.level_rules}
    assert set(rules) == {"starting_level", "hepatic_mild", "strong_cyp3a4_inhibitor"}
    assert [c for c, r in rules.items() if r.applies] == ["strong_cyp3a4_inhibitor"]
    assert rules["hepatic_mild"].level_mg_per_m2 == 32


def test_stop_reasons_say_why_and_cite() -> None:
    result = calculate(Order(**order_kwargs(regimen="capecitabine", ast="120 U/L")))
    [stop] = [r for r in result.reasons if r.severity.value == "stop"]
    assert "AST 3×ULN > 2.5×ULN" in stop.message
    assert "capecitabine" in stop.message.lower()
    assert "Boxed Warning" in stop.source and "MG.MM.PH.153" in stop.source


def test_ratio_display_never_rounds_onto_a_threshold() -> None:
    result = calculate(Order(**order_kwargs(regimen="capecitabine", ast="100.01 U/L")))
    assert result.status is CI
    assert any("AST 2.50025×ULN > 2.5×ULN" in r.message for r in result.reasons)

"""Rules and constants from the IXEMPRA Kit prescribing information, each with its citation.

Label = IXEMPRA Kit US prescribing information (R-Pharm US; DailyMed set id
241f0b1e-8b95-470d-876f-bf1804daaf18). Where the label is silent, the product decision of
shared/spec/clinical-rules.md is cited as "spec §n". Payer-policy numbers live as data in
resources/policy/, not here.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Final

SPEC = "clinical-rules"

# --- Dose level (spec §3) -----------------------------------------------------------------
STARTING_LEVEL: Final = Decimal(40)
SRC_STARTING_LEVEL: Final = (
    "IXEMPRA PI, Dosage and Administration (40 mg/m² IV over 3 h every 3 weeks); spec §3"
)

BSA_CAP_M2: Final = Decimal("2.20")
SRC_BSA_CAP: Final = (
    "IXEMPRA PI, Dosage and Administration: BSA > 2.2 m² is calculated on 2.2 m²; spec §2"
)

# Capecitabine combination: contraindicated above these multiples of ULN (exactly at is allowed).
CAPE_AST_ALT_MAX_X_ULN: Final = Fraction(5, 2)
CAPE_BILIRUBIN_MAX_X_ULN: Final = Fraction(1)
SRC_CAPE_HEPATIC: Final = (
    "IXEMPRA PI, Boxed Warning and Contraindications (with capecitabine: AST or ALT > 2.5×ULN "
    "or bilirubin > 1×ULN); policy MG.MM.PH.153 exclusion 3; spec §3"
)

SRC_MONO_HEPATIC: Final = (
    "IXEMPRA PI, Dosage and Administration, hepatic impairment table (monotherapy); spec §3"
)
SRC_GILBERT: Final = (
    "IXEMPRA PI, hepatic impairment table footnote (excluding bilirubin elevated by "
    "Gilbert's syndrome); spec §3"
)

STRONG_CYP3A4_INHIBITOR_LEVEL: Final = Decimal(20)
SRC_CYP3A4_INHIBITOR: Final = (
    "IXEMPRA PI, Dosage and Administration and Drug Interactions (strong CYP3A4 inhibitor: "
    "20 mg/m²); spec §3"
)

# --- Dose, volume (spec §5) ---------------------------------------------------------------
RECONSTITUTED_MG_PER_ML: Final = Decimal(2)
SRC_DOSE: Final = "Dose = level × BSA used, rounded half-up to 0.1 mg; spec §5"
SRC_VIALS: Final = (
    "Least labeled mg that covers the dose, then fewest vials; overfill never counted; spec §5"
)
SRC_VOLUME: Final = (
    "IXEMPRA PI, Preparation: reconstituted solution is 2 mg/mL; volume = dose ÷ 2 mg/mL; spec §5"
)

# --- Billing (spec §6) --------------------------------------------------------------------
SRC_BILLING_UNITS: Final = "CMS: round billed units up to the next whole unit; spec §6"
SRC_JW_JZ: Final = (
    "CMS JW/JZ modifier policy (JZ required from 2023-07-01 when nothing is discarded); spec §6"
)
SRC_NDC_UNVERIFIED: Final = "spec §6 and §8 (package code to confirm against the current label)"

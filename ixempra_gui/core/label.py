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

from ixempra_gui.core import choices

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

SRC_CREMOPHOR: Final = (
    "IXEMPRA PI, Contraindications (history of a severe (CTC grade 3/4) hypersensitivity "
    "reaction to agents containing Cremophor EL or its derivatives, e.g. polyoxyethylated "
    "castor oil (polyoxyl 35 castor oil), such as paclitaxel); spec §3"
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

# --- Cycle decisions (spec §3, §4) --------------------------------------------------------
GATE_ANC_MIN_PER_MM3: Final = 1500
GATE_PLATELETS_MIN_PER_MM3: Final = 100_000
GATE_NONHEME_MAX_GRADE: Final = 1
SRC_GATE: Final = (
    "IXEMPRA PI, Dosage and Administration, Dose Modification: do not begin a cycle unless "
    "ANC ≥ 1500 cells/mm³, platelets ≥ 100,000 cells/mm³ and non-hematologic toxicities have "
    "recovered to grade 1 or less; spec §4"
)
SRC_TOXICITY: Final = (
    "IXEMPRA PI, Dose Modification, Table 1 (decrease 20 % for toxicity; a further 20 % on "
    "recurrence; discontinue for any grade 4 toxicity); spec §3"
)
SRC_TOXICITY_PROPOSAL: Final = (
    "IXEMPRA PI, Dose Modification, Table 1 (worst event since the last cycle: the strongest "
    "action of its rows, one step per cycle); spec §3, §4"
)
# Baseline counts: the label contraindicates IXEMPRA below these, so they are required before
# every cycle, the first included (spec §4).
SRC_BASELINE_COUNTS: Final = (
    "IXEMPRA PI, Contraindications (baseline neutrophil count < 1500 cells/mm³ or platelet count "
    "< 100,000 cells/mm³); required before every cycle, the first included; spec §4"
)
# A low count holds the cycle (spec §4 decision); at baseline the label contraindicates IXEMPRA.
SRC_LOW_COUNT_HOLD: Final = (
    "IXEMPRA PI, Dosage and Administration, Dose Modification (do not begin a cycle unless "
    "ANC ≥ 1500 cells/mm³ and platelets ≥ 100,000 cells/mm³) and Contraindications (baseline "
    "neutrophil count < 1500 cells/mm³ or platelet count < 100,000 cells/mm³); spec §4"
)
REDUCTION_FRACTION: Final = Decimal("0.2")
MAX_TOXICITY_REDUCTIONS: Final = choices.MAX_TOXICITY_REDUCTIONS  # declared where the form reads it
ESCALATION_MIN_LEVEL: Final = Decimal(20)
ESCALATION_MAX_LEVEL: Final = Decimal(30)
SRC_ESCALATION: Final = (
    "IXEMPRA PI, hepatic impairment table: moderate impairment starts at 20 mg/m²; may be "
    "escalated in later cycles up to, never above, 30 mg/m² if tolerated; spec §3"
)
INDUCER_MAX_LEVEL: Final = Decimal(60)
SRC_CYP3A4_INDUCER: Final = (
    "IXEMPRA PI, Drug Interactions (strong CYP3A4 inducers: consider alternatives; a gradual "
    "increase up to 60 mg/m² given over 4 h may be considered); spec §3"
)
SRC_POLICY_LEVEL_LIMIT: Final = "policy MG.MM.PH.153, Limitations/Exclusions 2 (> 40 mg/m²)"
SRC_PRESCRIBED: Final = "Prescribed level checked against the level the rules allow; spec §3"

# --- Preparation and administration (spec §5) --------------------------------------------
DILUENT_ML_BY_STRENGTH: Final = {15: Decimal(8), 45: Decimal("23.5")}
FINAL_MIN_MG_PER_ML: Final = Decimal("0.2")
FINAL_MAX_MG_PER_ML: Final = Decimal("0.6")
SODIUM_CHLORIDE_BAGS_ML: Final = (250, 500)
BICARBONATE_MEQ_PER_BAG: Final = Decimal(2)
INFUSION_HOURS: Final = 3
INFUSION_HOURS_WITH_INDUCER: Final = 4  # only for an inducer dose above 40 mg/m² (spec §3)
RECONSTITUTED_MAX_HOURS: Final = 1
DILUTED_MAX_HOURS: Final = 6
SRC_RECONSTITUTED_MAX: Final = (
    "IXEMPRA PI, Preparation and Administration (reconstituted solution: at most 1 h in the "
    "vial at room temperature); spec §5"
)
SRC_DILUTED_MAX: Final = (
    "IXEMPRA PI, Preparation and Administration (infusion complete within 6 h of dilution); spec §5"
)
FILTER: Final = "in-line filter with a 0.2 to 1.2 micron microporous membrane"

CONTAINER: Final = "DEHP-free infusion bag and DEHP-free administration set"
SRC_PREPARATION: Final = (
    "IXEMPRA PI, Preparation and Administration (15 mg vial + 8 mL, 45 mg vial + 23.5 mL "
    "diluent → 2 mg/mL; dilute to 0.2–0.6 mg/mL in Lactated Ringer's, or 0.9 % sodium chloride "
    "pH-adjusted with 2 mEq sodium bicarbonate per 250 or 500 mL bag; DEHP-free bag and set; "
    "0.2–1.2 micron in-line filter; reconstituted ≤ 1 h in the vial; infusion complete within "
    "6 h of dilution); spec §5"
)
SRC_PREMEDICATION: Final = (
    "IXEMPRA PI, Premedication: H1 and H2 antagonists about 1 h before; add a corticosteroid "
    "after a prior hypersensitivity reaction; spec §5"
)
SRC_VIAL_ROUNDING: Final = (
    "HOPA position statement on dose rounding (J Oncol Pract 2018): within 10 % is acceptable; "
    "never rounded up on a hepatic-impairment level; spec §5"
)
MAX_ROUNDING_PCT: Final = Decimal(10)

# --- Cycle (history checks of the journal, issue #6) ----------------------------------------
CYCLE_INTERVAL_DAYS: Final = 21
SRC_CYCLE_INTERVAL: Final = (
    "IXEMPRA PI, Dosage and Administration (40 mg/m² IV over 3 h every 3 weeks)"
)

"""What the form asks for and what the banner says: labels, choices, status words (no logic).

Qt-free and light (no dataclasses, no core): the window is built and painted from these before
the presenter and the core are imported (bench/startup.py). The presenter re-exports them.
"""

from __future__ import annotations

from enum import StrEnum

DASH = "—"


class StatusKind(StrEnum):
    """What the banner says. Only READY allows printing."""

    READY = "ready"
    HOLD = "hold"
    CONTRAINDICATED = "contraindicated"
    NOT_RECOMMENDED = "not_recommended"
    STOP = "stop"
    INPUT_NEEDED = "input_needed"


#: Banner words; the same as the CLI's (core/report.py STATUS_WORDS, pinned by a unit test).
BANNER_TEXT = {
    StatusKind.READY: "READY TO PREPARE",
    StatusKind.HOLD: "NO DOSE: HOLD",
    StatusKind.CONTRAINDICATED: "NO DOSE: CONTRAINDICATED",
    StatusKind.NOT_RECOMMENDED: "NO DOSE: NOT RECOMMENDED",
    StatusKind.STOP: "NO DOSE: STOP",
    StatusKind.INPUT_NEEDED: "NO DOSE: INPUT NEEDED",
}

#: How each input is called in messages and by screen readers (Order keys, plus the dates).
FIELD_LABELS = {
    "patient_id": "Patient identifier",
    "administered_on": "Administered on",
    "height": "Height",
    "weight": "Weight",
    "height_measured_on": "Height measured on",
    "weight_measured_on": "Weight measured on",
    "regimen": "Regimen",
    "bsa_formula": "BSA formula",
    "ast": "AST",
    "ast_uln": "AST upper limit of normal",
    "alt": "ALT",
    "alt_uln": "ALT upper limit of normal",
    "bilirubin": "Total bilirubin",
    "bilirubin_uln": "Total bilirubin upper limit of normal",
    "anc": "ANC",
    "platelets": "Platelets",
    "labs_drawn_on": "Labs drawn on",
    "strong_cyp3a4_inhibitor": "Strong CYP3A4 inhibitor",
    "strong_cyp3a4_inducer": "Strong CYP3A4 inducer",
    "gilbert_syndrome": "Gilbert's syndrome",
    "cremophor_hypersensitivity": "Severe reaction to a Cremophor EL product",
    "current_nonheme_toxicity_grade": "Current non-hematologic toxicity grade",
    "worst_events": "Worst events since the last cycle",
    "confirm_reduction": "Reduction confirmed",
    "toxicity_reductions": "Prior toxicity reductions",
    "reduction_mode": "Reduction mode",
    "reduction_reason": "Reduction reason",
    "hepatic_escalation_level": "Hepatic escalation level",
    "dose_level": "Prescribed dose level",
    "round_to_vial_within": "Round to vial within (preference)",
    "low_ast_alt_u_per_l": "Lowest usual AST/ALT (preference)",
    "low_bilirubin_mg_per_dl": "Lowest usual bilirubin (preference)",
    "diluent": "Infusion fluid",
    "bag_sizes": "Bag sizes (preference)",
    "prior_hypersensitivity": "Prior hypersensitivity reaction",
    "prepared_at": "Prepared at",
    "acknowledge_warnings": "Values checked",
}

#: Choices of the two selectors, (value the core reads, what is shown). The same values as
#: core/models.py Regimen and BsaFormula, the same names as core/bsa.py (pinned by unit tests);
#: kept here so the window is built before the core is imported.
REGIMEN_CHOICES = (("monotherapy", "Monotherapy"), ("capecitabine", "With capecitabine"))
BSA_FORMULA_CHOICES = (
    ("mosteller", "Mosteller"),
    ("dubois", "DuBois & DuBois"),
    ("haycock", "Haycock"),
    ("gehan-george", "Gehan & George"),
    ("boyd", "Boyd"),
)

#: The same values as core/models.py (Diluent, ReductionMode) and names as core/preparation.py.
DILUENT_CHOICES = (
    ("lactated-ringers", "Lactated Ringer's"),
    ("sodium-chloride", "Sodium chloride 0.9%"),
)
REDUCTION_MODE_CHOICES = (
    ("relative", "the current level"),
    ("absolute", "the starting level"),
)
#: The current non-hematologic toxicity grade (None: not entered).
GRADE_CHOICES = (("0", "0"), ("1", "1"), ("2", "2"), ("3", "3"), ("4", "4"))
#: Label Table 1 rows, (code, what is shown): the same codes and words as core/toxicity.py
#: (pinned by a unit test), kept here so the window is built before the core is imported.
TOXICITY_ROWS = (
    ("neuropathy-g2-7d", "Grade 2 neuropathy ≥ 7 days (−20%)"),
    ("neuropathy-g3-under-7d", "Grade 3 neuropathy < 7 days (−20%)"),
    ("neuropathy-g3-7d-or-disabling", "Grade 3 neuropathy ≥ 7 days or disabling (discontinue)"),
    ("other-g3", "Any other grade 3 toxicity (−20%)"),
    (
        "transient-g3-arthralgia-myalgia-fatigue",
        "Transient grade 3 arthralgia/myalgia/fatigue (no change)",
    ),
    ("hand-foot-g3", "Grade 3 hand-foot syndrome (no change)"),
    ("any-g4", "Any grade 4 non-hematologic toxicity (discontinue)"),
    ("anc-under-500-7d", "ANC < 500/mm³ ≥ 7 days (−20%)"),
    ("febrile-neutropenia", "Febrile neutropenia (−20%)"),
    ("platelets-under-25000", "Platelets < 25,000/mm³ (−20%)"),
    ("platelets-under-50000-bleeding", "Platelets < 50,000/mm³ with bleeding (−20%)"),
)
REDUCTION_COUNT_CHOICES = (("0", "none"), ("1", "1"), ("2", "2"), ("3", "3"))

#: Gauge thresholds: every ×ULN limit of the label's hepatic rules (clinical-rules §3).
GAUGE_MAX = 15.0


class MessageKind(StrEnum):
    ERROR = "error"  # stops the dose
    WARNING = "warning"  # stops the dose until acknowledged
    NOTE = "note"  # acknowledged warning, or information


#: What the window and the worksheet say until the double check is recorded in the journal.
NOT_VERIFIED = "Not yet verified: no journal record for this dose."

#: What the banner says before anything is entered.
INITIAL_DETAIL = "Enter the order: height, weight, regimen and liver tests."

_NOT_PRINTABLE = {
    StatusKind.INPUT_NEEDED: "no dose yet: the order is incomplete, or a field needs correcting "
    "or checking",
    StatusKind.HOLD: "the dose is on hold (start-of-cycle criteria not met)",
    StatusKind.CONTRAINDICATED: "the regimen is contraindicated for these values",
    StatusKind.NOT_RECOMMENDED: "Ixempra is not recommended for these values",
    StatusKind.STOP: "a stop reason stands (see the reasons)",
}


def print_tooltip(kind: StatusKind) -> str:
    """Why Print and Save as PDF are (not) available."""
    if kind is StatusKind.READY:
        return "Print the compounding worksheet for this dose."
    return (
        f"Not available: {_NOT_PRINTABLE[kind]}. A worksheet is printed only for a dose that is "
        "ready to prepare."
    )

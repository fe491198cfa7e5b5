"""The presentation's half of each field's declaration: words and places (data only).

One ``Entry`` per field, in the order of the form; presentation/fields.py joins each to the
core's declaration (core/order_fields.py) and derives the rest (widget, object names, where it
goes). Text fields left empty fall back there: no label repeated, no place listed twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from ixempra_gui.core.order_fields import Section


@dataclass(frozen=True)
class Entry:
    key: str
    label: str  # the name in messages, on paper and for screen readers
    text: str = ""  # the form's label with its accelerator; "" not on the form
    description: str = ""  # for screen readers and the tooltip ("" → the label)
    example: str = ""  # the form's placeholder
    blind_example: str = ""  # the double check's placeholder (no number: never a prompt)
    unit_of: str | None = None  # the unit selector a bare number is read with
    empty: str = ""  # the form's item with no value ("Choose…")
    worksheet_row: str = ""  # the worksheet row it prints in ("" → not printed)
    fold: str = ""  # how it reads inside another field's row, "{}" its value
    name: str = ""  # the form's object name when not derived (kept for tests and users)
    verify_text: str = ""  # the double check's label ("" → the form's, no accelerator)
    verify_name: str = ""  # the double check's object name when not derived
    verify_description: str = ""
    section: Section = Section.BODY  # only for fields that are not Order fields
    row_label: str = ""  # the worksheet row's label when it heads other fields' values


def _e(key: str, label: str, text: str = "", **more: str | None) -> Entry:
    """An entry printed in its own worksheet row unless told otherwise."""
    more.setdefault("worksheet_row", key)
    return Entry(key, label, text, **more)  # type: ignore[arg-type]


def _measured(key: str, label: str, text: str, of: str) -> Entry:
    """The day a body measurement was taken: printed beside it on the worksheet."""
    return _e(
        key,
        label,
        text,
        description=f"The day the {of} was measured, year-month-day; today by default.",
        worksheet_row=of,
        fold=", measured {}",
    )


def _uln(key: str, label: str, text: str, verify_text: str, unit_of: str, blind: str) -> Entry:
    return _e(
        key,
        label,
        text,
        unit_of=unit_of,
        blind_example=f"{blind}, from the lab report",
        verify_text=verify_text,
        worksheet_row=unit_of,
        fold=" (ULN {})",
    )


_NOT_A_NUMBER = "(empty: not entered)"

TABLE: tuple[Entry, ...] = (
    _e(
        "patient_id",
        "Patient identifier",
        "&Patient identifier",
        example="e.g. MRN 0012345 (needed to verify)",
        description="Optional for the dose; needed to verify it. Printed on the worksheet, and "
        "recorded in the journal with a verified dose; the patient's history is read under it.",
    ),
    _e(
        "administered_on",
        "Administered on",
        "Administered on",
        description="The day this dose is given, year-month-day; today by default. The journal "
        "counts the units of the 21 days before it and records the verified dose under it.",
    ),
    _e(
        "height",
        "Height",
        "H&eight",
        example="e.g. 170 cm or 5 ft 7 in",
        blind_example="number and unit: cm, m, in, ft + in",
        unit_of="height",
    ),
    _measured("height_measured_on", "Height measured on", "Height &measured on", "height"),
    _e(
        "weight",
        "Weight",
        "&Weight",
        example="e.g. 70 kg or 154 lb",
        blind_example="number and unit: kg, lb",
        unit_of="weight",
    ),
    _measured("weight_measured_on", "Weight measured on", "Weight measured on", "weight"),
    _e(
        "bsa_formula",
        "BSA formula",
        "BSA f&ormula",
        description="Formula for the body surface area; Mosteller is the default.",
        verify_text="BSA &formula",
    ),
    _e(
        "regimen",
        "Regimen",
        "&Regimen",
        description="Ixempra alone (monotherapy) or with capecitabine: the liver rules differ.",
        empty="Choose…",
    ),
    _e(
        "strong_cyp3a4_inhibitor",
        "Strong CYP3A4 inhibitor",
        "Strong C&YP3A4 inhibitor",
        description="The patient takes a strong CYP3A4 inhibitor (e.g. ketoconazole, "
        "clarithromycin), or stopped one less than a week ago (washout: the level stays at "
        "20 mg/m²).",
        name="cyp3a4InhibitorCheck",
    ),
    _e(
        "strong_cyp3a4_inducer",
        "Strong CYP3A4 inducer",
        "Strong CYP3A4 inducer",
        description="The patient takes a strong CYP3A4 inducer (e.g. rifampin); a prescribed "
        "level above 40 mg/m² is infused over 4 h.",
        name="cyp3a4InducerCheck",
    ),
    _e(
        "cremophor_hypersensitivity",
        "Severe reaction to a Cremophor EL product",
        "Severe Cremophor EL reaction (e.g. paclitaxel)",
        description="A severe hypersensitivity reaction to a product with Cremophor EL "
        "(polyoxyl 35 castor oil), such as paclitaxel: IXEMPRA is contraindicated.",
        verify_text="Severe reaction (grade 3/4) to a Cremophor EL product",
    ),
    _e(
        "labs_drawn_on",
        "Labs drawn on",
        "&Labs drawn on",
        description="The day the labs were drawn, year-month-day; today by default.",
        section=Section.LIVER,
    ),
    _e(
        "ast",
        "AST",
        "&AST",
        example="e.g. 30 U/L",
        blind_example="U/L or µkat/L",
        unit_of="ast",
    ),
    _uln("ast_uln", "AST upper limit of normal", "AST UL&N", "AST UL&N", "ast", "U/L or µkat/L"),
    _e("alt", "ALT", "AL&T", example="e.g. 25 U/L", blind_example="U/L or µkat/L", unit_of="alt"),
    _uln("alt_uln", "ALT upper limit of normal", "ALT &ULN", "ALT &ULN", "alt", "U/L or µkat/L"),
    _e(
        "bilirubin",
        "Total bilirubin",
        "&Bilirubin (total)",
        example="e.g. 0.8 mg/dL",
        blind_example="mg/dL or µmol/L",
        unit_of="bilirubin",
        verify_text="B&ilirubin (total)",
    ),
    _uln(
        "bilirubin_uln",
        "Total bilirubin upper limit of normal",
        "Bil&irubin ULN",
        "Bi&lirubin ULN",
        "bilirubin",
        "mg/dL or µmol/L",
    ),
    _e(
        "gilbert_syndrome",
        "Gilbert's syndrome",
        "&Gilbert's syndrome",
        description="Bilirubin is raised by Gilbert's syndrome: the monotherapy table then "
        "ignores bilirubin (AST and ALT still count).",
        name="gilbertCheck",
        verify_text="Gilbert's syndrome (bilirubin raised by it)",
    ),
    _e(
        "anc",
        "ANC",
        "AN&C",
        example="e.g. 1800 /mm3 or 1.8 10^9/L",
        blind_example="/mm3 or 10^9/L",
        description="Absolute neutrophil count; bare numbers are read per mm³.",
    ),
    _e(
        "platelets",
        "Platelets",
        "Platelet&s",
        example="e.g. 150,000 /mm3 or 150 10^9/L",
        blind_example="/mm3 or 10^9/L",
        description="Platelet count; bare numbers are read per mm³.",
    ),
    _e(
        "current_nonheme_toxicity_grade",
        "Current non-hematologic toxicity grade",
        "Current non-heme to&xicity grade",
        description="The non-hematologic toxicity grade now, 0–4: the cycle starts only when it "
        "has resolved to grade 1 or less. Not entered: not checked.",
        empty="Not entered",
    ),
    _e(
        "worst_events",
        "Worst events since the last cycle",
        "Worst events since last cycle",
        description="The worst events since the last cycle, as rows of label Table 1 (space "
        "ticks a row): the product proposes the reduction or discontinuation they call for.",
        verify_text="Worst events since the last cycle",
    ),
    _e(
        "confirm_reduction",
        "Reduction confirmed",
        "I confirm the proposed 20% decrease",
        description="Label Table 1 proposes a further 20% decrease for the worst events ticked: "
        "confirm it to go on.",
        verify_description="Tick when the worst events you ticked call for a further 20% "
        "decrease (label Table 1) and you confirm it.",
        worksheet_row="worst_events",
        fold="; reduction confirmed: {}",
    ),
    _e(
        "toxicity_reductions",
        "Prior toxicity reductions",
        "Prior toxicity reductions",
        description="How many 20% reductions earlier toxicity required.",
    ),
    _e(
        "reduction_mode",
        "Reduction mode",
        "Each reduction is 20% of",
        description="Whether a second reduction is taken from the current level or from the "
        "starting level (product rule, docs/product-rules.md); the choice is recorded.",
        verify_text="Reduction mode",
        worksheet_row="toxicity_reductions",
        fold="; each 20% of {}",
    ),
    _e(
        "reduction_reason",
        "Reduction reason",
        "Reduction reason",
        example="required with a reduction, e.g. grade 3 neuropathy, cycle 2",
        description="Why the dose was reduced; recorded on the worksheet.",
        worksheet_row="toxicity_reductions",
        fold="; reason: {}",
    ),
    _e(
        "hepatic_escalation_level",
        "Hepatic escalation level",
        "Hepatic escalation level",
        example="optional, 20–30 mg/m2 (moderate hepatic row only)",
        blind_example=f"mg/m2 {_NOT_A_NUMBER}",
        description="Later-cycle escalation after moderate hepatic impairment.",
    ),
    _e(
        "dose_level",
        "Prescribed dose level",
        "Prescribed le&vel",
        example="optional, e.g. 32 mg/m2 (checked against the rules)",
        blind_example=f"mg/m2, as prescribed {_NOT_A_NUMBER}",
        description="The prescriber's level; refused above what the rules allow.",
    ),
    _e(
        "diluent",
        "Infusion fluid",
        "Infusion fluid",
        description="Infusion fluid for the bag: Lactated Ringer's, or 0.9% sodium chloride "
        "pH-adjusted with sodium bicarbonate (250 or 500 mL bags only).",
    ),
    _e(
        "prior_hypersensitivity",
        "Prior hypersensitivity reaction",
        "Prior hypersensitivity reaction",
        description="An earlier infusion caused a hypersensitivity reaction: add a "
        "corticosteroid to the premedication.",
    ),
    _e(
        "prepared_at",
        "Prepared at",
        "Prepared at",
        example="now, or YYYY-MM-DD HH:MM",
        description="When the dose is prepared; sets the use-by times. Empty: now.",
    ),
    _e(
        "acknowledge_warnings",
        "Values checked",
        "I have chec&ked the values marked for checking",
        description="Tick after checking each value marked 'Check' (unusual or old); it lets "
        "the dose be calculated with them.",
        verify_name="verifyAcknowledgeCheck",
        verify_text="I have chec&ked the values marked for checking",
        verify_description="Tick after checking each value of your entry marked 'Check' (unusual).",
    ),
    # Not on the form: the command line's single acknowledgements, the selectors' units, and
    # the site settings (Preferences): those the dose used print in one row of the worksheet.
    _e("acknowledged", "Warnings accepted by code", worksheet_row=""),
    _e("default_units", "Units of bare numbers", worksheet_row=""),
    _e(
        "round_to_vial_within",
        "Round to vial within (preference)",
        row_label="Site settings (preferences)",
        fold="dose rounding {}",
    ),
    _e(
        "bag_sizes",
        "Bag sizes (preference)",
        worksheet_row="round_to_vial_within",
        fold="; bag sizes {}",
    ),
    # The lowest usual labs only decide which values are asked to be checked (the reasons).
    _e("low_ast_alt_u_per_l", "Lowest usual AST/ALT (preference)", worksheet_row=""),
    _e("low_bilirubin_mg_per_dl", "Lowest usual bilirubin (preference)", worksheet_row=""),
)

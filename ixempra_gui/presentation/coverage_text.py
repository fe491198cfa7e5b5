"""What the Coverage tab asks and calls things (no logic, no core, no Qt).

Light on purpose, like form_text.py: the tab is built before the core loads (bench/startup.py).
The values are the core's vocabulary (core/coverage_rules.py) and the toxicities the policy's
(resources/policy/MG.MM.PH.153.json); tests/unit/test_coverage_presenter.py pins both.
"""

from __future__ import annotations

#: Request type; the first is the default (most requests are initial).
REQUEST_CHOICES = (("initial", "Initial"), ("renewal", "Renewal"))
#: Disease setting of the breast cancer (the policy covers recurrent or metastatic).
SETTING_CHOICES = (
    ("metastatic", "Metastatic"),
    ("recurrent", "Recurrent"),
    ("adjuvant", "Adjuvant"),
    ("other", "Other (not recurrent or metastatic)"),
)
#: Tumor response on Ixempra (renewal).
RESPONSE_CHOICES = (
    ("response", "Tumor response (decrease in size or spread)"),
    ("stable", "Stable disease"),
    ("progression", "Progression"),
)
#: Prior therapies the disease can be resistant or refractory to: (value, label, object name).
THERAPY_CHOICES = (
    ("anthracycline", "&Anthracycline", "resistantAnthracyclineCheck"),
    ("taxane", "Ta&xane", "resistantTaxaneCheck"),
    ("capecitabine", "&Capecitabine", "resistantCapecitabineCheck"),
)
#: The policy's unacceptable toxicities (renewal II.3): (code, label, object name).
TOXICITY_CHOICES = (
    ("peripheral-neuropathy", "Peripheral &neuropathy", "toxicityPeripheralNeuropathyCheck"),
    ("myelosuppression", "Mye&losuppression", "toxicityMyelosuppressionCheck"),
    ("hepatic-impairment", "Hepatic impairm&ent", "toxicityHepaticImpairmentCheck"),
    ("hypersensitivity", "H&ypersensitivity reactions", "toxicityHypersensitivityCheck"),
    ("cardiac-dysfunction", "Impaired cardiac f&unction", "toxicityCardiacDysfunctionCheck"),
    ("cardiac-ischemia", "Cardiac ische&mia", "toxicityCardiacIschemiaCheck"),
)

#: How each answer is called in messages and by screen readers (CoverageOrder field names).
COVERAGE_LABELS = {
    "request": "Request type",
    "request_date": "Request date",
    "diagnosis": "ICD-10 diagnosis",
    "setting": "Disease setting",
    "resistant_to": "Resistant or refractory to",
    "anthracycline_contraindicated": "Further anthracycline therapy contraindicated",
    "progression_on_ixempra": "Progression while on Ixempra",
    "response": "Response on Ixempra",
    "unacceptable_toxicity": "Unacceptable toxicity",
}

#: The verdict before anything has been calculated (the core is not loaded yet).
INITIAL_VERDICT = "COVERAGE NOT CHECKED YET"
INITIAL_VERDICT_DETAIL = "Enter the order, then answer the questions below."

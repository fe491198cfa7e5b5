"""ICD-10-CM diagnosis codes: normalise what was typed, then look it up in the policy's list.

A code that is not accepted is a coverage finding (an unmet criterion with its reason), not an
input error: the pharmacist sees why, and the dose calculation is unaffected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ixempra_gui.core.policy import Policy

# Letter, two digits (the category), then up to four characters after the dot.
_SHAPE = re.compile(r"([A-Z][0-9]{2})\.?([0-9A-Z]{0,4})")


@dataclass(frozen=True)
class DiagnosisCheck:
    """The code as entered, its normal form, and whether the policy lists it (and why not)."""

    entered: str
    code: str | None  # normal form ("C50.911"), None when it could not be read
    description: str | None  # the policy's description when accepted
    accepted: bool
    reason_code: str | None  # None when accepted
    message: str


def normalise_icd10(text: str) -> str | None:
    """'c50911', ' C50.911 ' → 'C50.911'; None when the text is not shaped like an ICD-10 code."""
    compact = text.strip().upper()
    match = _SHAPE.fullmatch(compact)
    if not match:
        return None
    category, rest = match.groups()
    return f"{category}.{rest}" if rest else category


def _summary(policy: Policy) -> str:
    codes = [code for code, _ in policy.icd10]
    breast = [c for c in codes if c.startswith("C50")]
    others = [c for c in codes if not c.startswith("C50")]
    parts = [f"{breast[0]}–{breast[-1]}"] if breast else []
    return ", ".join(parts + others)


def check_diagnosis(entered: str | None, policy: Policy) -> DiagnosisCheck:
    """Accept only a complete (billable) code from the policy's ICD-10 list."""
    text = entered or ""
    listed = dict(policy.icd10)
    accepted_list = f"the policy lists {len(listed)} codes: {_summary(policy)}"
    if not text.strip():
        return DiagnosisCheck(
            text,
            None,
            None,
            False,
            "diagnosis_missing",
            f"Diagnosis: an ICD-10 code is required ({accepted_list}).",
        )
    code = normalise_icd10(text)
    if code is None:
        return DiagnosisCheck(
            text,
            None,
            None,
            False,
            "diagnosis_malformed",
            f"Diagnosis: '{text.strip()}' is not an ICD-10 code (a letter, two digits, a dot and "
            f"up to four characters, e.g. C50.911); {accepted_list}.",
        )
    if code in listed:
        return DiagnosisCheck(
            text, code, listed[code], True, None, f"Diagnosis {code}: {listed[code]}."
        )
    children = [c for c in listed if c.replace(".", "").startswith(code.replace(".", ""))]
    if children:
        examples = ", ".join(children[:3]) + (", …" if len(children) > 3 else ".")
        return DiagnosisCheck(
            text,
            code,
            None,
            False,
            "diagnosis_not_billable",
            f"Diagnosis {code} is a category, not a complete (billable) code: give the full "
            f"code, e.g. {examples}",
        )
    return DiagnosisCheck(
        text,
        code,
        None,
        False,
        "diagnosis_not_covered",
        f"Diagnosis {code} is not on the policy's ICD-10 list ({accepted_list}).",
    )

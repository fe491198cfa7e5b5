"""Render a CoverageResult: the ``coverage`` key of ``ixempra-calc --json``, and a text block.

JSON contract (issue 5): ``policy``, ``policy_review_date``, ``request``, ``meets_criteria``,
``criterion`` ("I.1.A.i", "I.1.A.ii", "II" or null when not met), ``unmet`` and ``exclusions``
(lists of ``{code, message, section}``), ``authorization_start`` and ``authorization_end`` (ISO
dates, null when not met). Added beside them: ``request_date``, ``diagnosis``,
``dosing_limit``, ``checks`` (the checklist) and ``notes``. Add keys, never rename or drop them.
"""

from __future__ import annotations

from typing import Any

from ixempra_gui.core.coverage import CoverageResult, Finding, Outcome


def _finding(f: Finding) -> dict[str, str]:
    return {"code": f.code, "message": f.message, "section": f.section}


def coverage_to_json(c: CoverageResult) -> dict[str, Any]:
    """The ``coverage`` object of the CLI's JSON."""
    limit = c.dosing_limit
    return {
        "policy": c.policy_id,
        "policy_review_date": c.policy_review_date,
        "request": c.request.value,
        "meets_criteria": c.meets_criteria,
        "criterion": c.criterion,
        "unmet": [_finding(f) for f in c.unmet],
        "exclusions": [_finding(f) for f in c.exclusions],
        "authorization_start": c.authorization_start.isoformat() if c.authorization_start else None,
        "authorization_end": c.authorization_end.isoformat() if c.authorization_end else None,
        "request_date": c.answers.request_date.isoformat(),
        "diagnosis": {
            "entered": c.diagnosis.entered,
            "code": c.diagnosis.code,
            "description": c.diagnosis.description,
            "accepted": c.diagnosis.accepted,
        },
        "dosing_limit": {
            "limit_units": limit.limit_units,
            "per_days": limit.per_days,
            "units_this_dose": limit.units_this_dose,
            "prior_units": limit.prior_units,
            "units_total": limit.units_total,
            "within_limit": limit.within_limit,
            "window_checked": limit.window_checked,
            "message": limit.message,
            "section": limit.section,
        },
        "checks": [
            {
                "kind": ch.kind.value,
                "section": ch.section,
                "wording": ch.wording,
                "answer": ch.answer,
                "outcome": ch.outcome.value,
            }
            for ch in c.checks
        ],
        "notes": list(c.notes),
    }


OUTCOME_MARKS = {
    Outcome.MET: "[x]",
    Outcome.NOT_MET: "[ ]",
    Outcome.NOT_APPLICABLE: "[-]",
    Outcome.APPLIES: "[!]",
    Outcome.DOES_NOT_APPLY: "[x]",
    Outcome.NOT_ASSESSED: "[?]",
}


def coverage_text_lines(c: CoverageResult) -> list[str]:
    """The short coverage block of the terminal summary."""
    head = f"Coverage ({c.policy_id}): "
    if c.meets_criteria:
        lines = [f"{head}meets {c.criterion} ({c.request.value} request)"]
    else:
        lines = [f"{head}does not meet ({c.request.value} request)"]
    diag = c.diagnosis
    lines.append(
        f"  Diagnosis     {diag.code} {diag.description}"
        if diag.accepted
        else f"  Diagnosis     {diag.entered.strip() or '(none)'}: not accepted"
    )
    lines += [f"  Unmet         [{f.section}] {f.message}" for f in c.unmet]
    lines += [f"  Exclusion     [{f.section}] {f.message}" for f in c.exclusions]
    if c.authorization_start and c.authorization_end:
        lines.append(
            f"  Authorization {c.authorization_start.isoformat()} to "
            f"{c.authorization_end.isoformat()} ({c.authorization_months} months)"
        )
    lines.append(f"  Dosing limit  {c.dosing_limit.message}")
    lines += [f"  Note          {n}" for n in c.notes]
    lines.append(f"  Policy        {c.policy_id}, last reviewed {c.policy_review_date}")
    return lines

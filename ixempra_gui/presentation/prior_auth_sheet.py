"""The prior-authorization summary as HTML (Qt-free; ui/printing.py lays it out on paper or PDF).

It renders the core's ``PriorAuthSummary`` (core/prior_auth.py) and adds nothing of its own but
layout, the time printed and the app's version, so the paper and any other caller of the core
agree. Every piece of text is escaped: a patient identifier typed as ``<b>x</b>`` prints
literally. A summary whose verdict is "does not meet" prints as such, with every reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from html import escape

from ixempra_gui import APP_NAME, __version__
from ixempra_gui.core.coverage import Check, Outcome
from ixempra_gui.core.prior_auth import OUTCOME_WORDS, PriorAuthSummary, SummaryField

TITLE = "Ixempra prior-authorization summary"

_TABLE = (
    "<table cellspacing='0' cellpadding='3' border='1' width='100%' "
    "style='border-collapse: collapse'>"
)


def _fields(fields: Iterable[SummaryField]) -> str:
    return "".join(
        f"<tr><th align='left' valign='top' width='30%'>{escape(f.label)}</th>"
        f"<td valign='top'>{escape(f.value)}</td></tr>"
        for f in fields
    )


def _checks(checks: Iterable[Check]) -> str:
    """Section, the policy's words, the supporting answer, the outcome in words."""

    rows = [
        "<tr><th align='left' width='16%'>Section</th><th align='left' width='40%'>Policy "
        "wording</th><th align='left' width='30%'>Supporting answer</th>"
        "<th align='left' width='14%'>Outcome</th></tr>"
    ]
    for c in checks:
        words = escape(OUTCOME_WORDS[c.outcome])
        if c.outcome in (Outcome.NOT_MET, Outcome.APPLIES):
            words = f"<b>{words}</b>"
        rows.append(
            f"<tr><td valign='top'>{escape(c.section)}</td>"
            f"<td valign='top'>{escape(c.wording)}</td>"
            f"<td valign='top'>{escape(c.answer)}</td>"
            f"<td valign='top'>{words}</td></tr>"
        )
    return _TABLE + "".join(rows) + "</table>"


def _heading(title: str) -> str:
    return f"<h3 style='margin-top: 10px; margin-bottom: 3px'>{escape(title)}</h3>"


def _field(summary: PriorAuthSummary, label: str) -> str:
    return next((f.value for s in summary.sections for f in s.fields if f.label == label), "")


def _verdict(summary: PriorAuthSummary) -> str:
    """The answer first, in a frame: the verdict, then every reason, or the period asked for."""
    box = (
        "<table cellspacing='0' cellpadding='6' border='1' width='100%' "
        "style='border-collapse: collapse'><tr><td>"
        f"<p><b><big>Verdict: {escape(summary.verdict)}</big></b></p>"
    )
    if summary.findings:
        box += "<p>Not met, each with its policy section:</p><ul>"
        box += "".join(f"<li>{escape(f)}</li>" for f in summary.findings) + "</ul>"
    else:
        box += (
            f"<p>Every criterion needed is met and no exclusion applies. Period requested: "
            f"{escape(_field(summary, 'Period requested'))}.</p>"
        )
    return box + "</td></tr></table>"


def prior_auth_html(summary: PriorAuthSummary, printed_at: datetime) -> str:
    """The whole summary as one HTML document (Qt's rich-text subset)."""
    sections = "".join(
        f"{_heading(s.title)}{_TABLE}{_fields(s.fields)}</table>" for s in summary.sections
    )
    notes = ""
    if summary.notes:
        notes = _heading("Notes") + "<ul>" + "".join(f"<li>{escape(n)}</li>" for n in summary.notes)
        notes += "</ul>"
    signatures = "".join(
        f"<p style='margin-top: 12px'>{escape(line)}</p>" for line in summary.signature_lines
    )
    printed = printed_at.isoformat(sep=" ", timespec="minutes")
    footer = f"Printed {escape(printed)} by {escape(APP_NAME)} {escape(__version__)}"
    return (
        "<html><head><meta charset='utf-8'/>"
        f"<title>{escape(TITLE)}</title></head><body style='font-size: 9pt'>"
        f"<h2>{escape(summary.title)}</h2>"
        f"<p>{escape(summary.subtitle)}<br/><small>{footer}</small></p>"
        f"{_verdict(summary)}"
        f"{sections}"
        f"{_heading('Criteria, each with the supporting answer')}{_checks(summary.criteria)}"
        f"{_heading('Exclusions checked')}{_checks(summary.exclusions)}"
        f"{notes}"
        f"{_heading('Signatures')}{signatures}"
        "</body></html>"
    )

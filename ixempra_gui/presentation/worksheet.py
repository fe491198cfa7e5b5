"""The compounding worksheet as HTML (Qt-free; ui/printing.py lays it out on paper or PDF).

Page 1 is the compounding record the preparer works from: each kit with blanks for its lot,
expiry and the time it was reconstituted (→ use by, one hour later), the preparation steps
with a time and initials each, the label's time limits, room for the kits scanned, and the
signatures; the journal record's short hash once verified. The derivation and its sources
follow on page 2. Every page carries the patient and the dose in its running header
(``running_header``, laid out by ui/printing.py) and the app, policy and record in its footer.
Each fact is printed once, worded by presentation/wording.py.

It renders the same ``ViewState`` as the window (its ``DoseResult``): nothing is recomputed
and no figure is read back from a display string. Every piece of text is escaped: a patient
identifier typed as ``<b>x</b>`` prints literally. Only a dose that is ready has a worksheet.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from html import escape
from typing import TYPE_CHECKING

from ixempra_gui import APP_NAME, __version__
from ixempra_gui.core import label
from ixempra_gui.core.policy import load_policy
from ixempra_gui.presentation.fields import NOT_VERIFIED
from ixempra_gui.presentation.input_rows import input_rows
from ixempra_gui.presentation.page import running_frame
from ixempra_gui.presentation.wording import (
    billing_lines,
    cited,
    local,
    numbered_steps,
    preparation_notes,
    stamp,
)

if TYPE_CHECKING:
    from ixempra_gui.core.models import DoseResult
    from ixempra_gui.presentation.order_state import FormInput, ViewState

TITLE = "Ixempra (ixabepilone) compounding worksheet"
BLANK = "&nbsp;" * 3
_TABLE = "<table cellspacing='0' cellpadding='4' border='1' width='100%'>"
#: A table written in by hand: rows tall enough for a lot number or initials.
_WRITE_IN = "<table cellspacing='0' cellpadding='6' border='1' width='100%'>"
_SMALL_GAP = "style='margin-top: 8px; margin-bottom: 2px'"


class NotReadyError(ValueError):
    """A worksheet was asked for a result that is not ready to prepare."""


def _cells(values: Iterable[str], tag: str = "td", widths: Iterable[str] = ()) -> str:
    sized = list(widths)
    out = []
    for i, value in enumerate(values):
        width = f" width='{sized[i]}'" if i < len(sized) else ""
        out.append(f"<{tag} align='left' valign='top'{width}>{value}</{tag}>")
    return "<tr>" + "".join(out) + "</tr>"


def _list(items: Iterable[str], ordered: bool = False) -> str:
    tag = "ol" if ordered else "ul"
    style = "style='margin-top: 0px; margin-bottom: 0px; -qt-list-indent: 1'"
    return f"<{tag} {style}>" + "".join(f"<li>{escape(i)}</li>" for i in items) + f"</{tag}>"


def _heading(text: str) -> str:
    return f"<h3 {_SMALL_GAP}>{escape(text)}</h3>"


def _subheading(text: str) -> str:
    """A heading of page 2, where the derivation must fit one page."""
    return f"<p style='margin-top: 5px; margin-bottom: 1px'><b>{escape(text)}</b></p>"


# --- page 1: the compounding record -------------------------------------------------------


def _kits(result: DoseResult) -> str:
    """One row per kit: lot, expiry and the time reconstituted, written in by the preparer;
    the reconstituted solution is used within the label's hour."""

    assert result.vials is not None
    head = ("Kit", "Lot", "Expiry", "Reconstituted at", "Use by (+1 h)", "Initials")
    rows = [_cells((escape(h) for h in head), "th", ("20%", "19%", "13%", "18%", "17%"))]
    for strength, count in result.vials.counts:
        for n in range(1, count + 1):
            kit = f"{strength} mg kit ({n} of {count})"
            rows.append(_cells((escape(kit), BLANK, BLANK, BLANK, BLANK, BLANK)))
    hours = label.RECONSTITUTED_MAX_HOURS
    note = (
        f"<p><small>Use the reconstituted solution within {hours} h of reconstitution; "
        "a kit that is expired on the day it is reconstituted is not used.</small></p>"
    )
    return _heading("Kits") + _WRITE_IN + "".join(rows) + "</table>" + note


def _steps(result: DoseResult) -> str:
    """The preparation steps, each with the time it was done and the preparer's initials."""

    head = _cells(("Step", "Time", "Initials"), "th", ("76%", "12%", "12%"))
    rows = [_cells((escape(step), BLANK, BLANK)) for step in numbered_steps(result)]
    return _heading("Preparation") + _WRITE_IN + head + "".join(rows) + "</table>"


def _limits(result: DoseResult, day: date) -> str:
    """The container, the label's time limits (times of the page's zone), the premedication."""

    notes = "".join(f"<li>{escape(line)}</li>" for line in preparation_notes(result, day))
    return f"<ul style='margin-top: 5px; margin-bottom: 0px; -qt-list-indent: 1'>{notes}</ul>"


def _scans(preparation: Sequence[str] | None = None) -> str:
    """The preparation recorded in the journal (kits with lot, expiry, serial; times; who),
    once it exists; until then room for the kits scanned and their times."""
    if preparation:
        return _heading("Preparation recorded (journal)") + _list(preparation)
    head = _cells(("Scanned kit (GTIN, lot, expiry, serial)", "Scanned at"), "th", ("75%",))
    rows = "".join(_cells((BLANK, BLANK)) for _ in range(3))
    return _heading("Kits scanned") + _WRITE_IN + head + rows + "</table>"


def _signatures() -> str:
    rows = [_cells(("", "Name", "Signature", "Date and time"), "th", ("18%", "30%", "30%"))]
    for who in ("Prepared by", "Verified by", "Compounded by"):
        rows.append(_cells((escape(who), BLANK, BLANK, BLANK)))
    table = "<table cellspacing='0' cellpadding='7' border='1' width='100%'>"
    return _heading("Signatures") + table + "".join(rows) + "</table>"


def _record(view: ViewState, verification: str | None) -> str:
    """What the preparer checks first: the status, the dose, and the journal record."""
    dose = f"{view.dose_value} ({view.level_value} × {view.bsa_value})"
    note = f"; {view.dose_note}" if view.dose_note else ""
    return (
        f"<p><b>{escape(view.banner_text)}</b> — dose <b>{escape(dose)}</b>{escape(note)}<br/>"
        f"<span id='verification'><b>{escape(verification or NOT_VERIFIED)}</b></span></p>"
    )


def _page_one(
    view: ViewState,
    verification: str | None,
    day: date,
    preparation: Sequence[str] | None = None,
) -> str:
    assert view.result is not None
    return (
        _record(view, verification)
        + _kits(view.result)
        + _steps(view.result)
        + _limits(view.result, day)
        + _scans(preparation)
        + _signatures()
    )


# --- page 2: the derivation and its sources -----------------------------------------------


def _inputs(form: FormInput, view: ViewState, day: date) -> str:
    """The inputs as entered, two to a line (label, value, label, value)."""
    rows = input_rows(form, view.echo, view.result, day=day)
    cells = [(f"<b>{escape(r.label)}</b>", escape(r.value)) for r in rows]
    half = (len(cells) + 1) // 2
    right = [*cells[half:], ("", "")][:half]  # an odd count leaves the last cell empty
    pairs = zip(cells[:half], right, strict=True)
    widths = ("25%", "25%", "25%", "25%")
    body = "".join(_cells((*left, *right), widths=widths) for left, right in pairs)
    table = "<table cellspacing='0' cellpadding='2' border='1' width='100%'>"
    return _subheading("Inputs") + table + body + "</table>"


def _derivation(view: ViewState) -> str:

    result = view.result
    assert result is not None
    return (
        _subheading("Start of cycle")
        + _list(view.gate_lines)
        + _subheading("Calculation, step by step")
        + _list((cited(step) for step in result.derivation), ordered=True)
        + _subheading("Dose level: every rule considered")
        + _list(view.level_rules)
    )


def _billing(view: ViewState) -> str:

    result = view.result
    assert result is not None and result.billing is not None
    sources = {cited(r.source) for r in result.reasons if r.code == "billing_units"}
    lines = [*billing_lines(result.billing), *(f"Source: {s}" for s in sorted(sources))]
    return _subheading("Billing") + _list(lines)


def _reasons(view: ViewState) -> str:
    """The reasons not already printed as a step, a rule or the billing (each fact once)."""
    result = view.result
    assert result is not None
    shown = {r.description for r in result.level_rules}  # printed as rules with sources
    if result.preparation is not None:  # printed on page 1, where the preparer acts on it
        shown |= set(result.preparation.premedication)
    lines = [
        f"[{r.severity}] {r.message} — {r.source}"
        for r in view.reasons
        if r.message not in shown and r.message not in result.steps
    ]
    return _subheading("Warnings, notes and sources") + _list(lines) if lines else ""


def _page_two(form: FormInput, view: ViewState, day: date) -> str:
    return (
        "<div style='font-size: 8pt'>"
        "<h3 style='page-break-before: always; margin-top: 0px'>Derivation and sources</h3>"
        + _inputs(form, view, day)
        + _derivation(view)
        + _billing(view)
        + _reasons(view)
        + "</div>"
    )


# --- the document -------------------------------------------------------------------------


def running_header(form: FormInput, view: ViewState, printed_at: datetime) -> tuple[str, str]:
    """The two lines every page starts with: who and what, then when (the zone said once)."""

    patient = form.patient_id.strip() or "not given"
    given = form.administered_on.strip() or "not given"
    first = f"IXEMPRA compounding record — patient {patient}, administered on {given}"
    second = (
        f"Dose {view.dose_value} ({view.level_value}); printed {stamp(printed_at)}; "
        "times below in this zone"
    )
    return first, second


def worksheet_html(
    form: FormInput,
    view: ViewState,
    printed_at: datetime,
    policy_id: str,
    policy_review: str,
    verification: str | None = None,
    preparation: Sequence[str] | None = None,
) -> str:
    """The whole worksheet as one HTML document (Qt's rich-text subset), with its running
    header and footer. ``verification``: the journal record of this very order's double check
    (verify_view.record_line), or None; ``preparation``: its preparation's lines, once
    recorded (preparation_view.preparation_lines)."""

    if not view.ready or view.result is None:
        raise NotReadyError(f"no worksheet: {view.banner_text}")
    day = local(printed_at).date()
    footer = f"{APP_NAME} {__version__} · policy {policy_id} (reviewed {policy_review})"
    frame = running_frame(running_header(form, view, printed_at), footer)
    return (
        "<html><head><meta charset='utf-8'/>"
        f"<title>{escape(TITLE)}</title>{frame}</head><body style='font-size: 9pt'>"
        f"{_page_one(view, verification, day, preparation)}{_page_two(form, view, day)}"
        "</body></html>"
    )


def build_worksheet(
    form: FormInput,
    view: ViewState,
    printed_at: datetime,
    verification: str | None = None,
    preparation: Sequence[str] | None = None,
) -> str:
    """The worksheet with the payer policy's id and review date from the policy data."""

    policy = load_policy()
    return worksheet_html(
        form, view, printed_at, policy.id, policy.last_review, verification, preparation
    )

"""The compounding worksheet as HTML (Qt-free; ui/printing.py lays it out on paper or PDF).

It renders the same ``ViewState`` as the window, so the paper says exactly what the screen said.
Every piece of text is escaped: a patient identifier typed as ``<b>x</b>`` prints literally.
Only a dose that is ready to prepare has a worksheet.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from html import escape

from ixempra_gui import APP_NAME, __version__
from ixempra_gui.form_text import NOT_VERIFIED
from ixempra_gui.presenter import DILUENT_CHOICES, FIELD_LABELS, FormInput, ViewState

TITLE = "Ixempra (ixabepilone) compounding worksheet"


class NotReadyError(ValueError):
    """A worksheet was asked for a result that is not ready to prepare."""


def _rows(pairs: Iterable[tuple[str, str]]) -> str:
    return "".join(
        f"<tr><th align='left' valign='top'>{escape(k)}</th><td>{escape(v)}</td></tr>"
        for k, v in pairs
    )


def _list(items: Iterable[str], ordered: bool = False) -> str:
    tag = "ol" if ordered else "ul"
    return f"<{tag}>" + "".join(f"<li>{escape(i)}</li>" for i in items) + f"</{tag}>"


def _date(text: str) -> str:
    return text.strip() or "not given"


def input_rows(form: FormInput, view: ViewState) -> list[tuple[str, str]]:
    """Each input as entered (both unit systems) with the date it was measured."""
    echo = dict(view.inputs_echo)
    yes_no = {True: "yes", False: "no"}
    rows = [
        ("Patient identifier", form.patient_id.strip() or "not given"),
        (FIELD_LABELS["administered_on"], _date(form.administered_on)),
        ("Height", f"{echo.get('Height', form.height)}, measured {_date(form.height_measured_on)}"),
        ("Weight", f"{echo.get('Weight', form.weight)}, measured {_date(form.weight_measured_on)}"),
        ("Regimen", echo.get("Regimen", str(form.regimen))),
        ("BSA formula", view.bsa_formula),
        ("AST", echo.get("AST", form.ast)),
        ("ALT", echo.get("ALT", form.alt)),
        ("Total bilirubin", echo.get("Bilirubin", form.bilirubin)),
    ]
    rows += [
        ("Labs drawn on", _date(form.labs_drawn_on)),
        (FIELD_LABELS["anc"], form.anc.strip() or "not entered"),
        (FIELD_LABELS["platelets"], form.platelets.strip() or "not entered"),
        (
            FIELD_LABELS["current_nonheme_toxicity_grade"],
            "not entered"
            if form.current_nonheme_toxicity_grade is None
            else form.current_nonheme_toxicity_grade,
        ),
        (FIELD_LABELS["worst_events"], ", ".join(form.worst_events) or "none entered"),
        (FIELD_LABELS["confirm_reduction"], yes_no[form.confirm_reduction]),
        (FIELD_LABELS["strong_cyp3a4_inhibitor"], yes_no[form.strong_cyp3a4_inhibitor]),
        (FIELD_LABELS["strong_cyp3a4_inducer"], yes_no[form.strong_cyp3a4_inducer]),
        (FIELD_LABELS["gilbert_syndrome"], yes_no[form.gilbert_syndrome]),
        (FIELD_LABELS["cremophor_hypersensitivity"], yes_no[form.cremophor_hypersensitivity]),
        (
            FIELD_LABELS["toxicity_reductions"],
            f"{form.toxicity_reductions} ({form.reduction_mode}): {form.reduction_reason}"
            if form.toxicity_reductions not in ("", "0")
            else "none",
        ),
    ]
    for key in ("hepatic_escalation_level", "dose_level"):
        text = getattr(form, key).strip()
        if text:
            rows.append((FIELD_LABELS[key], text))
    rows += [
        (FIELD_LABELS["diluent"], dict(DILUENT_CHOICES).get(form.diluent, form.diluent)),
        (FIELD_LABELS["prior_hypersensitivity"], yes_no[form.prior_hypersensitivity]),
        (FIELD_LABELS["prepared_at"], form.prepared_at.strip() or "at calculation (now)"),
        ("Unusual or old values checked", yes_no[form.acknowledge_warnings]),
    ]
    return rows


def worksheet_html(
    form: FormInput,
    view: ViewState,
    printed_at: datetime,
    policy_id: str,
    policy_review: str,
    verification: str | None = None,
) -> str:
    """The whole worksheet as one HTML document (Qt's rich-text subset). ``verification``: the
    journal record of this very order's double check (verify_view.record_line), or None."""
    if not view.ready:
        raise NotReadyError(f"no worksheet: {view.banner_text}")
    result_rows = [
        ("Status", view.banner_text),
        ("Dose", view.dose_value + (f" ({view.dose_note})" if view.dose_note else "")),
        ("Dose level", view.level_value),
        ("BSA", f"{view.bsa_value} ({view.bsa_detail})"),
        ("Vials", view.vials_value),
        *[("Vial", v.text) for v in view.vial_fill],
    ]
    reasons = [f"[{r.severity}] {r.message} — {r.source}" for r in view.reasons]
    signature = (
        "<table width='100%' cellspacing='0' cellpadding='8'>"
        "<tr><td width='50%'>Prepared by: ______________________________</td>"
        "<td>Date and time: ____________________</td></tr>"
        "<tr><td>Verified by: ______________________________</td>"
        "<td>Date and time: ____________________</td></tr></table>"
    )
    printed = printed_at.isoformat(sep=" ", timespec="minutes")
    footer = (
        f"{escape(APP_NAME)} {escape(__version__)} · policy {escape(policy_id)} "
        f"(reviewed {escape(policy_review)}) · printed {escape(printed)}"
    )
    table = "<table cellspacing='0' cellpadding='3' border='1' width='100%'>"
    return (
        "<html><head><meta charset='utf-8'/>"
        f"<title>{escape(TITLE)}</title></head><body>"
        f"<h2>{escape(TITLE)}</h2>"
        f"<p><b>{escape(view.banner_text)}</b> — dose <b>{escape(view.dose_value)}</b></p>"
        f"<p id='verification'><b>{escape(verification or NOT_VERIFIED)}</b></p>"
        f"<h3>Inputs</h3>{table}{_rows(input_rows(form, view))}</table>"
        f"<h3>Result</h3>{table}{_rows(result_rows)}</table>"
        f"<h3>Start of cycle</h3>{_list(view.gate_lines)}"
        f"<h3>Calculation, step by step</h3>{_list(view.steps, ordered=True)}"
        f"<h3>Dose level: every rule considered</h3>{_list(view.level_rules)}"
        f"<h3>Preparation</h3>{_list(view.preparation_lines)}"
        f"<h3>Billing</h3>{_list(view.billing_value.splitlines())}"
        f"<h3>Reasons and sources</h3>{_list(reasons)}"
        f"<h3>Signatures</h3>{signature}"
        f"<p><small>{footer}</small></p>"
        "</body></html>"
    )


def build_worksheet(
    form: FormInput, view: ViewState, printed_at: datetime, verification: str | None = None
) -> str:
    """The worksheet with the payer policy's id and review date from the policy data."""
    from ixempra_gui.core.policy import load_policy

    policy = load_policy()
    return worksheet_html(form, view, printed_at, policy.id, policy.last_review, verification)

"""Qt-free: the form's raw text → Order → core ``calculate`` → one plain ``ViewState``.

The window only collects a ``FormInput`` and renders the ``ViewState`` it gets back: every
display string (ISMP style, through core/formatting.py), every per-field message and the status
are decided here, so they are unit-tested without Qt. No dose rule lives here either: figures
come from the core's ``DoseResult``; this module only chooses what to show, and shows "—"
whenever the result is not ready, so a stale or partial dose never reaches the screen.

This module loads the core (and pint): the window reaches it through ``presentation.loader``,
after its first frame is painted (bench/startup.py).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ixempra_gui.core import label
from ixempra_gui.core.calculator import calculate
from ixempra_gui.core.formatting import format_number, format_quantity, format_ratio
from ixempra_gui.core.hepatic import MONOTHERAPY_TIERS
from ixempra_gui.core.models import DoseResult, FieldIssue, Severity, Status
from ixempra_gui.core.order_fields import Kind
from ixempra_gui.presentation.alerts import alerts
from ixempra_gui.presentation.fields import (  # re-exported: the presenter's vocabulary
    BANNER_TEXT,
    DASH,
    FIELD_LABELS,
    FIELDS,
    GAUGE_MAX,
    INITIAL_DETAIL,
    MessageKind,
    StatusKind,
    not_ready_reason,
    print_tooltip,
)
from ixempra_gui.presentation.input_rows import input_rows
from ixempra_gui.presentation.order_input import (  # re-exported: the order's side
    build_order,
    date_issues,
    field_hints,
    uln_problem,
)
from ixempra_gui.presentation.order_messages import banner_detail, field_messages, status_kind
from ixempra_gui.presentation.order_state import (  # re-exported: the session's vocabulary
    FieldMessage,
    FormInput,
    GaugeBar,
    ReasonLine,
    VialFill,
    ViewState,
    failure_view,
    initial_view,
)
from ixempra_gui.presentation.preferences import Preferences
from ixempra_gui.presentation.wording import (
    acts_on,
    billing_lines,
    cited,
    gate_lines,
    level_rule_line,
    level_why,
    measurement_echo,
    preparation_lines,
    rounding_note,
    sentence,
    vial_plan,
)

__all__ = [
    "BANNER_TEXT",
    "DASH",
    "FIELD_LABELS",
    "GAUGE_MAX",
    "INITIAL_DETAIL",
    "FieldMessage",
    "FormInput",
    "GaugeBar",
    "MessageKind",
    "ReasonLine",
    "StatusKind",
    "VialFill",
    "ViewState",
    "build_order",
    "date_issues",
    "echo_of",
    "failure_view",
    "field_hints",
    "initial_view",
    "present",
    "render",
    "uln_problem",
]


# --- the view ---------------------------------------------------------------------------------


def present(
    form: FormInput, prefs: Preferences, today: date, now: datetime | None = None
) -> ViewState:
    """Calculate the order and say what to show. Called on every edit.

    ``now`` is the preparation time when the form leaves "prepared at" empty.
    """
    result = calculate(build_order(form, prefs, now))
    return render(form, result, date_issues(form, prefs, today))


def _vial_fill(result: DoseResult) -> tuple[VialFill, ...]:
    """The dose poured into the vials, largest first: the part not used is the discard."""
    assert result.vials is not None and result.dose_mg is not None
    remaining = result.dose_mg
    fills: list[VialFill] = []
    for strength, count in result.vials.counts:
        for _ in range(count):
            used = min(Decimal(strength), max(remaining, Decimal(0)))
            remaining -= used
            fills.append(
                VialFill(
                    strength,
                    float(used / strength),
                    f"{format_quantity(used, 'mg')} of {format_quantity(strength, 'mg')} used",
                    format_quantity(strength, "mg"),
                )
            )
    return tuple(fills)


def _gauge(
    result: DoseResult,
) -> tuple[tuple[GaugeBar, ...], tuple[tuple[float, str], ...], str]:
    r = result.ratios
    if r is None:
        return (), (), ""
    bars = (
        GaugeBar("AST", float(r.ast), format_ratio(r.ast)),
        GaugeBar("ALT", float(r.alt), format_ratio(r.alt)),
        GaugeBar("Bilirubin", float(r.bilirubin), format_ratio(r.bilirubin)),
    )
    limits = {t.ast_alt_max for t in MONOTHERAPY_TIERS} | {
        t.bilirubin_max for t in MONOTHERAPY_TIERS
    }
    limits |= {label.CAPE_AST_ALT_MAX_X_ULN, label.CAPE_BILIRUBIN_MAX_X_ULN}
    thresholds = tuple((float(x), format_number(x)) for x in sorted(limits))
    marks = ", ".join(format_number(x) for x in sorted(limits))
    description = (
        "; ".join(f"{b.label} {b.text}" for b in bars) + f". Thresholds marked: {marks} ×ULN."
    )
    return bars, thresholds, description


_SCREEN_ECHO = ("height", "weight", "regimen", "ast", "alt", "bilirubin")


def echo_of(result: DoseResult) -> dict[str, str]:
    """Each measured field's echo, by field key (the core's Measurement, never a display
    string read back)."""
    inputs = result.inputs
    if inputs is None:
        return {}
    measured = {}
    for spec in FIELDS:  # every measured field the core parsed, wherever ValidInputs holds it
        if spec.core is not None and spec.core.kind is Kind.MEASUREMENT:
            for group in (inputs, inputs.cycle):
                if getattr(group, spec.key, None) is not None:
                    measured[spec.key] = getattr(group, spec.key)
    return {key: measurement_echo(m) for key, m in measured.items()}


def _figures(
    form: FormInput, result: DoseResult, extra_issues: tuple[FieldIssue, ...]
) -> dict[str, Any]:
    """What a valid calculation shows, ready or not: BSA, the echo, gauge, rules, reasons."""
    bsa = result.bsa
    assert bsa is not None
    view: dict[str, Any] = {"bsa_formula": bsa.formula.label}
    view["bsa_value"] = format_quantity(bsa.rounded_m2, "m²") + (
        f" → capped at {format_quantity(label.BSA_CAP_M2, 'm²')}" if bsa.capped else ""
    )
    used = f"; the dose is calculated on {format_quantity(bsa.used_m2, 'm²')}"
    view["bsa_detail"] = f"{bsa.formula.label}, unrounded {format_number(bsa.exact_m2, 4)} m²" + (
        used if bsa.capped else ""
    )
    echo = echo_of(result)
    view["echo"] = echo
    rows = input_rows(form, echo, result, keys=_SCREEN_ECHO, parsed_only=True)
    view["inputs_echo"] = tuple((row.label, row.value) for row in rows)
    view["gauge"], view["gauge_thresholds"], view["gauge_description"] = _gauge(result)
    view["level_rules"] = tuple(level_rule_line(rule) for rule in result.level_rules)
    view["reasons"] = tuple(
        ReasonLine(r.severity.value, r.message, cited(r.source), r.code) for r in result.reasons
    ) + tuple(
        ReasonLine(Severity.WARNING.value, i.message + " — acknowledged.", "site settings")
        for i in extra_issues
        if i.severity is Severity.WARNING and not i.blocks
    )
    view["steps"] = result.steps
    view["gate_lines"] = gate_lines(result.cycle_gate)
    return view


def _dose_figures(result: DoseResult) -> dict[str, Any]:
    """What only a dose ready to prepare shows: dose, level, vials, preparation, billing."""
    assert result.dose_mg is not None and result.vials is not None
    assert result.dose_level_mg_per_m2 is not None and result.billing is not None
    return {
        "level_value": format_quantity(result.dose_level_mg_per_m2, "mg/m²"),
        "level_why": level_why(result),
        "acts_on": acts_on(result),
        "dose_value": format_quantity(result.dose_mg, "mg"),
        "dose_note": sentence(rounding_note(result.dose_rounding)),
        "vials_value": vial_plan(result.vials.counts),
        "vial_fill": _vial_fill(result),
        "preparation_lines": preparation_lines(result),
        "billing_value": "\n".join(billing_lines(result.billing)),
    }


def render(
    form: FormInput, result: DoseResult, extra_issues: tuple[FieldIssue, ...] = ()
) -> ViewState:
    """The view of one result (pure: the same result and form always give the same view)."""
    issues = (*result.issues, *extra_issues)
    dates_block = any(i.blocks for i in extra_issues)
    kind = status_kind(result, dates_block)
    ready = kind is StatusKind.READY
    messages, needed, wrong, to_check = field_messages(form, issues)
    view: dict[str, Any] = {}
    if result.status is not Status.INVALID_INPUT and result.bsa and result.inputs:
        view.update(_figures(form, result, extra_issues))
    if ready:
        view.update(_dose_figures(result))
    detail = banner_detail(result, kind, needed, wrong, to_check)
    view["alerts"] = alerts(view.get("reasons", ()), f"{detail}\n{view.get('level_why', '')}")
    return ViewState(
        kind=kind,
        banner_text=BANNER_TEXT[kind],
        banner_detail=detail,
        ready=ready,
        field_messages=messages,
        values_to_check=tuple(i.message for i in issues if i.severity is Severity.WARNING),
        print_tooltip=print_tooltip(kind),
        not_ready=not_ready_reason(kind),
        result=result,
        **view,
    )

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
from fractions import Fraction
from typing import Any

from ixempra_gui.core import label
from ixempra_gui.core.bsa import FORMULA_NAMES
from ixempra_gui.core.calculator import calculate
from ixempra_gui.core.formatting import format_number, format_quantity, format_ratio
from ixempra_gui.core.hepatic import MONOTHERAPY_TIERS
from ixempra_gui.core.models import DoseResult, FieldIssue, Severity, Status
from ixempra_gui.core.preparation import preparation_steps
from ixempra_gui.core.units import Measurement
from ixempra_gui.presentation.fields import (  # re-exported: the presenter's vocabulary
    BANNER_TEXT,
    BSA_FORMULA_CHOICES,
    DASH,
    DILUENT_CHOICES,
    FIELD_LABELS,
    GAUGE_MAX,
    GRADE_CHOICES,
    INITIAL_DETAIL,
    REDUCTION_COUNT_CHOICES,
    REDUCTION_MODE_CHOICES,
    REGIMEN_CHOICES,
    MessageKind,
    StatusKind,
    print_tooltip,
)
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

__all__ = [
    "BANNER_TEXT",
    "BSA_FORMULA_CHOICES",
    "DASH",
    "DILUENT_CHOICES",
    "FIELD_LABELS",
    "GAUGE_MAX",
    "GRADE_CHOICES",
    "INITIAL_DETAIL",
    "REDUCTION_COUNT_CHOICES",
    "REDUCTION_MODE_CHOICES",
    "REGIMEN_CHOICES",
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


def _echo(m: Measurement) -> str:
    """What was typed, with its unit, and the canonical value when another unit was typed (a
    wrong unit shows: "154 lb (69.85 kg)")."""
    typed = (
        m.text
        if any(c.isalpha() or c in "'\"" for c in m.text)
        else (f"{m.text} {m.entered_symbol}")
    )
    if m.in_canonical_unit:
        return typed
    return f"{typed} ({format_quantity(m.value, m.canonical_symbol, 2)})"


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


def _billing_text(result: DoseResult) -> str:
    billing = result.billing
    assert billing is not None
    lines = [
        f"{ln.hcpcs}{'-' + ln.modifier if ln.modifier else ''} × {ln.units} units: "
        + ln.description
        for ln in billing.lines
    ]
    ndc = ", ".join(billing.ndc)
    lines.append(f"NDC {ndc}")
    if billing.ndc_unverified:
        lines.append(f"NDC to confirm: {', '.join(billing.ndc_unverified)}")
    return "\n".join(lines)


def _clock(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else DASH


def _preparation_lines(result: DoseResult) -> tuple[str, ...]:
    """The compounding steps in the core's words (core/preparation.py), then the times."""
    assert result.volume_ml is not None and result.dose_mg is not None
    p = result.preparation
    if p is None:
        return (
            f"Withdraw {format_quantity(result.volume_ml, 'mL')} of the "
            f"{format_quantity(label.RECONSTITUTED_MG_PER_ML, 'mg/mL')} reconstituted solution",
        )
    lines = [f"{n}. {step}" for n, step in enumerate(preparation_steps(p, result.dose_mg), 1)]
    if p.bag_advice:
        lines.append(f"No stocked bag fits: {p.bag_advice}")
    lines.append(f"Container: {p.container}")
    lines.append(
        f"Reconstituted solution use by {_clock(p.reconstituted_use_by)}; start infusion by "
        f"{_clock(p.infusion_start_by)}; complete by {_clock(p.infusion_complete_by)}"
    )
    lines += [f"Premedication: {line}" for line in p.premedication]
    return tuple(lines)


def _gate_lines(result: DoseResult) -> tuple[str, ...]:
    """Each start-of-cycle criterion with its value, limit and outcome (clinical-rules §4)."""
    gate = result.cycle_gate
    if gate is None:
        return ()
    lines = []
    for c in gate.criteria:
        limit = format_number(Fraction(c.limit), grouping=True)
        rule = f"{c.comparison} {limit}" + ("" if c.unit == "grade" else f" {c.unit}")
        if c.value is None:
            lines.append(f"{c.label}: not entered — not checked (needs {rule})")
            continue
        value = format_number(Fraction(c.value), grouping=True)
        shown = f"grade {value}" if c.unit == "grade" else f"{value} {c.unit}"
        lines.append(f"{c.label}: {shown} — {'met' if c.passed else 'NOT MET'} (needs {rule})")
    verdict = {
        True: "All start-of-cycle criteria met.",
        False: "Start-of-cycle criteria not met: hold.",
        None: "Start-of-cycle criteria not fully checked.",
    }[gate.passed]
    return (verdict, *lines)


def _dose_note(result: DoseResult) -> str:
    rounding = result.dose_rounding
    if rounding is None or not rounding.applied:
        return ""
    sign = "+" if rounding.change_pct > 0 else ""
    return (
        f"Rounded to the vials from {format_quantity(rounding.unrounded_mg, 'mg')} "
        f"({sign}{format_number(rounding.change_pct)}%, within "
        f"{format_number(rounding.within_pct)}%)"
    )


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


def _understood(result: DoseResult, extra_issues: tuple[FieldIssue, ...]) -> dict[str, Any]:
    """What any valid entry shows, ready or not: BSA, the inputs as understood, the liver
    gauge, every level rule considered, the reasons and steps, the start-of-cycle criteria."""
    bsa, inputs = result.bsa, result.inputs
    if result.status is Status.INVALID_INPUT or not bsa or not inputs:
        return {}
    view: dict[str, Any] = {}
    view["bsa_value"] = format_quantity(bsa.rounded_m2, "m²") + (
        f" → capped at {format_quantity(label.BSA_CAP_M2, 'm²')}" if bsa.capped else ""
    )
    view["bsa_formula"] = FORMULA_NAMES[bsa.formula]
    used = f"; the dose is calculated on {format_quantity(bsa.used_m2, 'm²')}"
    view["bsa_detail"] = (
        f"{FORMULA_NAMES[bsa.formula]}, unrounded {format_number(bsa.exact_m2, 4)} m²"
        + (used if bsa.capped else "")
    )
    view["inputs_echo"] = (
        ("Height", _echo(inputs.height)),
        ("Weight", _echo(inputs.weight)),
        (
            "Regimen",
            "with capecitabine" if inputs.regimen.value == "capecitabine" else "monotherapy",
        ),
        ("AST", f"{_echo(inputs.ast)} (ULN {_echo(inputs.ast_uln)})"),
        ("ALT", f"{_echo(inputs.alt)} (ULN {_echo(inputs.alt_uln)})"),
        ("Bilirubin", f"{_echo(inputs.bilirubin)} (ULN {_echo(inputs.bilirubin_uln)})"),
    )
    view["gauge"], view["gauge_thresholds"], view["gauge_description"] = _gauge(result)
    view["level_rules"] = tuple(
        ("✔ sets the level: " if rule.applies else "considered: ")
        + rule.description
        + f" [{rule.source}]"
        for rule in result.level_rules
    )
    view["reasons"] = tuple(
        ReasonLine(r.severity.value, r.message, r.source) for r in result.reasons
    ) + tuple(
        ReasonLine(Severity.WARNING.value, i.message + " — acknowledged.", "site settings")
        for i in extra_issues
        if i.severity is Severity.WARNING and not i.blocks
    )
    view["steps"] = result.steps
    view["gate_lines"] = _gate_lines(result)
    return view


def _dose_figures(result: DoseResult) -> dict[str, Any]:
    """What only a dose ready to prepare shows: level, dose, vials, preparation, billing."""
    assert result.dose_mg is not None and result.vials is not None
    assert result.dose_level_mg_per_m2 is not None
    return {
        "level_value": format_quantity(result.dose_level_mg_per_m2, "mg/m²"),
        "dose_value": format_quantity(result.dose_mg, "mg"),
        "dose_note": _dose_note(result),
        "vials_value": " + ".join(
            f"{n} × {format_quantity(s, 'mg')}" for s, n in result.vials.counts if n
        ),
        "vial_fill": _vial_fill(result),
        "preparation_lines": _preparation_lines(result),
        "billing_value": _billing_text(result),
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
    view = _understood(result, extra_issues)
    if ready:
        view.update(_dose_figures(result))
    return ViewState(
        kind=kind,
        banner_text=BANNER_TEXT[kind],
        banner_detail=banner_detail(result, kind, needed, wrong, to_check),
        ready=ready,
        field_messages=messages,
        values_to_check=tuple(i.message for i in issues if i.severity is Severity.WARNING),
        print_tooltip=print_tooltip(kind),
        result=result,
        **view,
    )

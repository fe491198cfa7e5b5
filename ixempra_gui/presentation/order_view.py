"""Qt-free: the form's raw text → Order → core ``calculate`` → one plain ``ViewState``.

The window only collects a ``FormInput`` and renders the ``ViewState`` it gets back: every
display string (ISMP style, through core/formatting.py), every per-field message and the status
are decided here, so they are unit-tested without Qt. No dose rule lives here either: figures
come from the core's ``DoseResult``; this module only chooses what to show, and shows "—"
whenever the result is not ready, so a stale or partial dose never reaches the screen.

The core (and pint) are imported on first use, not at import time: the window is painted before
the ~150 ms the core takes to load (bench/startup.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from ixempra_gui.presentation.preferences import Preferences

if TYPE_CHECKING:
    from ixempra_gui.core.models import DoseResult, FieldIssue, Order

from ixempra_gui.core.order_fields import Kind, Owner
from ixempra_gui.presentation.fields import (  # re-exported: the presenter's vocabulary
    BANNER_TEXT,
    DASH,
    FIELD_LABELS,
    FIELDS,
    GAUGE_MAX,
    INITIAL_DETAIL,
    MessageKind,
    Place,
    StatusKind,
    not_ready_reason,
    print_tooltip,
)

__all__ = [
    "BANNER_TEXT",
    "DASH",
    "FIELD_LABELS",
    "GAUGE_MAX",
    "INITIAL_DETAIL",
    "FieldMessage",
    "FormInput",
    "MessageKind",
    "StatusKind",
    "ViewState",
    "present",
    "render",
]


@dataclass(frozen=True)
class FieldMessage:
    kind: MessageKind
    text: str


@dataclass(frozen=True)
class FormInput:
    """Everything the form holds, exactly as entered (text stays text; the core parses it)."""

    patient_id: str = ""
    administered_on: str = ""  # YYYY-MM-DD: the journal's date (history, verification)
    height: str = ""
    height_unit: str = "cm"
    height_measured_on: str = ""  # YYYY-MM-DD
    weight: str = ""
    weight_unit: str = "kg"
    weight_measured_on: str = ""  # YYYY-MM-DD
    regimen: str | None = None
    bsa_formula: str = "mosteller"
    ast: str = ""
    ast_uln: str = ""
    ast_unit: str = "u/l"
    alt: str = ""
    alt_uln: str = ""
    alt_unit: str = "u/l"
    bilirubin: str = ""
    bilirubin_uln: str = ""
    bilirubin_unit: str = "mg/dl"
    anc: str = ""
    platelets: str = ""
    labs_drawn_on: str = ""  # YYYY-MM-DD
    strong_cyp3a4_inhibitor: bool = False
    strong_cyp3a4_inducer: bool = False
    gilbert_syndrome: bool = False
    cremophor_hypersensitivity: bool = False
    current_nonheme_toxicity_grade: str | None = None  # "0".."4", None: not entered
    worst_events: tuple[str, ...] = ()  # label Table 1 row codes (core/toxicity.py)
    confirm_reduction: bool = False
    toxicity_reductions: str = "0"
    reduction_mode: str = "relative"
    reduction_reason: str = ""
    hepatic_escalation_level: str = ""
    dose_level: str = ""  # a prescribed level, e.g. "32 mg/m2"; empty: the rules decide
    diluent: str = "lactated-ringers"
    prior_hypersensitivity: bool = False
    prepared_at: str = ""  # empty: now
    acknowledge_warnings: bool = False

    @classmethod
    def from_values(cls, values: Mapping[str, object]) -> FormInput:
        """The form from each field's value by its registry key (and ``<key>_unit`` for a unit
        selector); a key that is not a FormInput field is a bug: TypeError."""
        given = dict(values)
        events = given.get("worst_events")
        if isinstance(events, list | tuple):
            given["worst_events"] = tuple(events)
        return cls(**given)  # type: ignore[arg-type]


@dataclass(frozen=True)
class GaugeBar:
    """One lab on the hepatic gauge: its exact ratio as text, and a float only for drawing."""

    label: str
    ratio: float
    text: str


@dataclass(frozen=True)
class VialFill:
    """One vial in the picture: how much of it the dose uses (the rest is discarded)."""

    strength_mg: int
    used_fraction: float  # for drawing only
    text: str
    label: str  # "45 mg"


@dataclass(frozen=True)
class ReasonLine:
    severity: str  # info | warning | stop
    message: str
    source: str


@dataclass(frozen=True)
class ViewState:
    """Everything the window shows, as display strings. Dose fields are "—" unless ready."""

    kind: StatusKind
    banner_text: str
    banner_detail: str
    ready: bool
    bsa_value: str = DASH
    bsa_detail: str = ""
    bsa_formula: str = DASH
    level_value: str = DASH
    level_rules: tuple[str, ...] = ()
    dose_value: str = DASH
    dose_note: str = ""  # rounding to a vial boundary: unrounded dose and % change
    gate_lines: tuple[str, ...] = ()  # start-of-cycle criteria, each with value and outcome
    vials_value: str = DASH
    vial_fill: tuple[VialFill, ...] = ()
    preparation_lines: tuple[str, ...] = ()
    billing_value: str = DASH
    gauge: tuple[GaugeBar, ...] = ()
    gauge_thresholds: tuple[tuple[float, str], ...] = ()  # (position value, label)
    gauge_description: str = ""
    reasons: tuple[ReasonLine, ...] = ()
    inputs_echo: tuple[tuple[str, str], ...] = ()  # (label, value): the screen's rows
    #: Each measured field's echo by its key ("154 lb (69.85 kg)"): what every surface prints.
    echo: Mapping[str, str] = field(default_factory=dict)
    steps: tuple[str, ...] = ()
    field_messages: Mapping[str, tuple[FieldMessage, ...]] = field(default_factory=dict)
    #: Each unusual or old value's message, acknowledged or not: what one tick of "I have
    #: checked the values" covers (the window un-ticks it when a value outside it appears).
    values_to_check: tuple[str, ...] = ()
    print_tooltip: str = ""
    not_ready: str = ""  # why no dose is ready ("" when it is): Verify's reason, not a tooltip
    result: DoseResult | None = field(default=None, compare=False, repr=False)


def initial_view() -> ViewState:
    """What an empty form shows before the core has loaded: no dose, input needed."""
    return ViewState(
        kind=StatusKind.INPUT_NEEDED,
        banner_text=BANNER_TEXT[StatusKind.INPUT_NEEDED],
        banner_detail=INITIAL_DETAIL,
        ready=False,
        print_tooltip=print_tooltip(StatusKind.INPUT_NEEDED),
    )


def failure_view() -> ViewState:
    """Shown when the calculation itself failed (a bug, never bad input): no figure at all."""
    return ViewState(
        kind=StatusKind.INPUT_NEEDED,
        banner_text="NO DOSE: INTERNAL ERROR",
        banner_detail="The calculation failed, so no figure is shown. Do not use any earlier "
        "figure; re-enter the order or use ixempra-calc, and report the error.",
        ready=False,
        print_tooltip="Not available: the calculation failed.",
    )


def field_hints() -> dict[str, str]:
    """What each measured field accepts (the core's own words), for tooltips and screen readers."""
    from ixempra_gui.core.units import QUANTITY_FIELDS

    return {spec.key: f"Accepted: {spec.accepted}." for spec in QUANTITY_FIELDS}


def uln_problem(key: str, text: str) -> str | None:
    """Why a default ULN (Preferences dialog) is unusable, in the core's words; None if fine."""
    from ixempra_gui.core.errors import FieldError
    from ixempra_gui.core.units import QUANTITY_FIELDS, parse_measurement

    spec = next(s for s in QUANTITY_FIELDS if s.key == key)
    try:
        parse_measurement(spec, text)
    except FieldError as err:
        return err.message
    return None


# --- the order --------------------------------------------------------------------------------


def _default_units(form: FormInput) -> tuple[tuple[str, str], ...]:
    """The unit each bare number is read in: the selector beside the field (a lab's selector
    also applies to its ULN). Only spellings the core accepts for that field are passed."""
    from ixempra_gui.core.units import QUANTITY_FIELDS

    specs = {spec.key: spec for spec in QUANTITY_FIELDS}
    wanted = (
        (spec.key, str(getattr(form, f"{spec.unit_selector}_unit")))
        for spec in FIELDS
        if spec.unit_selector is not None
    )
    return tuple(
        (key, unit)
        for key, unit in wanted
        if key in specs and unit.replace(" ", "").lower() in specs[key].spellings
    )


#: The Order fields the form gives, as typed (the rest: site settings, the time, the units).
_TYPED = tuple(
    spec.key
    for spec in FIELDS
    if spec.core is not None and spec.core.owner is not Owner.SITE and Place.FORM in spec.places
)


def build_order(form: FormInput, prefs: Preferences, now: datetime | None = None) -> Order:
    """The core's one input, from the form as typed (an empty "prepared at" means ``now``)
    and the site's preferences."""
    from ixempra_gui.core.models import Order

    given: dict[str, Any] = {key: getattr(form, key) for key in _TYPED}
    prepared_at = form.prepared_at.strip()
    if not prepared_at and now is not None:
        prepared_at = now.isoformat(timespec="minutes")
    given["prepared_at"] = prepared_at or None
    rounding = prefs.rounding_pct
    return Order(
        **given,
        round_to_vial_within=None if rounding is None else f"{rounding.normalize():f}",
        bag_sizes=",".join(str(size) for size in prefs.bag_sizes_ml),
        low_ast_alt_u_per_l=f"{prefs.low_ast_alt_u_per_l.normalize():f}",
        low_bilirubin_mg_per_dl=f"{prefs.low_bilirubin_mg_per_dl.normalize():f}",
        default_units=_default_units(form),
    )


def date_issues(form: FormInput, prefs: Preferences, today: date) -> tuple[FieldIssue, ...]:
    """Missing, future or too-old measurement dates (core/staleness.py)."""
    from ixempra_gui.core.staleness import DatedField, check_dates

    dated = (
        DatedField("height_measured_on", "Height measured on", prefs.body_max_age_days),
        DatedField("weight_measured_on", "Weight measured on", prefs.body_max_age_days),
        DatedField("labs_drawn_on", "Labs drawn on", prefs.labs_max_age_days),
    )
    dates = {
        "height_measured_on": form.height_measured_on,
        "weight_measured_on": form.weight_measured_on,
        "labs_drawn_on": form.labs_drawn_on,
    }
    return check_dates(dated, dates, today, form.acknowledge_warnings)


# --- the view ---------------------------------------------------------------------------------


def present(
    form: FormInput, prefs: Preferences, today: date, now: datetime | None = None
) -> ViewState:
    """Calculate the order and say what to show. Called on every edit.

    ``now`` is the preparation time when the form leaves "prepared at" empty.
    """
    from ixempra_gui.core.calculator import calculate

    result = calculate(build_order(form, prefs, now))
    return render(form, result, date_issues(form, prefs, today))


def _is_empty(form: FormInput, key: str) -> bool:
    value = getattr(form, key, None)
    return value is None or (isinstance(value, str) and not value.strip())


def _status_kind(result: DoseResult, dates_block: bool) -> StatusKind:
    from ixempra_gui.core.models import Status

    by_status = {
        Status.HOLD: StatusKind.HOLD,
        Status.CONTRAINDICATED: StatusKind.CONTRAINDICATED,
        Status.NOT_RECOMMENDED: StatusKind.NOT_RECOMMENDED,
        Status.STOP: StatusKind.STOP,
    }
    if result.status in by_status:
        return by_status[result.status]
    if result.ready_to_prepare and not dates_block:
        return StatusKind.READY
    return StatusKind.INPUT_NEEDED


def _messages(
    form: FormInput, issues: Iterable[FieldIssue]
) -> tuple[dict[str, tuple[FieldMessage, ...]], list[str], list[str], list[str]]:
    """Inline messages per field, and the labels of fields still empty / wrong / to check."""
    from ixempra_gui.core.models import Severity

    inline: dict[str, list[FieldMessage]] = {}
    needed: list[str] = []
    wrong: list[str] = []
    to_check: list[str] = []
    for issue in issues:
        label = FIELD_LABELS.get(issue.field, issue.field.replace("_", " "))
        if issue.code in ("required", "invalid_choice") and _is_empty(form, issue.field):
            # Not yet filled in is not an error to shout about: the banner lists it.
            needed.append(label)
            continue
        if issue.code == "confirm_reduction":
            # A proposal waiting for the pharmacist: needed, said beside the tick.
            needed.append("confirmation of the proposed 20% decrease")
            inline.setdefault(issue.field, []).append(
                FieldMessage(MessageKind.WARNING, issue.message)
            )
            continue
        if issue.severity is Severity.STOP:
            kind = MessageKind.ERROR
            wrong.append(label)
        elif issue.blocks:
            kind = MessageKind.WARNING
            to_check.append(label)
        else:
            kind = MessageKind.NOTE
        text = issue.message + (" Acknowledged." if kind is MessageKind.NOTE else "")
        inline.setdefault(issue.field, []).append(FieldMessage(kind, text))
    return {k: tuple(v) for k, v in inline.items()}, needed, wrong, to_check


def _dedupe(labels: list[str]) -> str:
    return ", ".join(dict.fromkeys(labels))


def _input_needed_detail(needed: list[str], wrong: list[str], to_check: list[str]) -> str:
    parts = []
    if wrong:
        parts.append(f"Correct the marked fields: {_dedupe(wrong)}.")
    if needed:
        parts.append(f"Still needed: {_dedupe(needed)}.")
    if to_check:
        parts.append(
            f"Check {_dedupe(to_check)}, then tick “I have checked the values marked for checking”."
        )
    return " ".join(parts) or "Enter the order."


def _vial_fill(result: DoseResult) -> tuple[VialFill, ...]:
    """The dose poured into the vials, largest first: the part not used is the discard."""
    from decimal import Decimal

    from ixempra_gui.core.formatting import format_quantity

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
    from ixempra_gui.core import label
    from ixempra_gui.core.formatting import format_number, format_ratio
    from ixempra_gui.core.hepatic import MONOTHERAPY_TIERS

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


def render(
    form: FormInput, result: DoseResult, extra_issues: tuple[FieldIssue, ...] = ()
) -> ViewState:
    """The view of one result (pure: the same result and form always give the same view)."""
    from ixempra_gui.core.models import Severity, Status

    issues = (*result.issues, *extra_issues)
    dates_block = any(i.blocks for i in extra_issues)
    kind = _status_kind(result, dates_block)
    ready = kind is StatusKind.READY
    messages, needed, wrong, to_check = _messages(form, issues)

    if kind is StatusKind.INPUT_NEEDED:
        detail = _input_needed_detail(needed, wrong, to_check)
    else:
        stops = [r.message for r in result.reasons if r.severity is Severity.STOP]
        detail = stops[0] if stops else ("Dose, vials and billing below." if ready else "")
        gate = result.cycle_gate
        if ready and gate is not None and gate.passed is None:
            missing = ", ".join(c.label for c in gate.criteria if c.passed is None)
            detail += f" Start-of-cycle criteria not checked: {missing}."

    view: dict[str, Any] = {}
    if result.status is not Status.INVALID_INPUT and result.bsa and result.inputs:
        view.update(_figures(form, result, extra_issues))
    if ready:
        view.update(_dose_figures(result))
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


_SCREEN_ECHO = ("height", "weight", "regimen", "ast", "alt", "bilirubin")


def echo_of(result: DoseResult) -> dict[str, str]:
    """Each measured field's echo, by field key (the core's Measurement, never a display
    string read back)."""
    from ixempra_gui.presentation.wording import measurement_echo

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
    from ixempra_gui.core import label
    from ixempra_gui.core.formatting import format_number, format_quantity
    from ixempra_gui.core.models import Severity
    from ixempra_gui.presentation.input_rows import input_rows
    from ixempra_gui.presentation.wording import cited, gate_lines, level_rule_line

    bsa = result.bsa
    assert bsa is not None
    view: dict[str, Any] = {"bsa_formula": bsa.formula.label}
    view["bsa_value"] = format_quantity(bsa.rounded_m2, "m²") + (
        f" → capped at {format_quantity(label.BSA_CAP_M2, 'm²')}" if bsa.capped else ""
    )
    view["bsa_detail"] = f"{bsa.formula.label}, unrounded {format_number(bsa.exact_m2, 4)} m²" + (
        f"; the dose is calculated on {format_quantity(bsa.used_m2, 'm²')}" if bsa.capped else ""
    )
    echo = echo_of(result)
    view["echo"] = echo
    rows = input_rows(form, echo, result, keys=_SCREEN_ECHO, parsed_only=True)
    view["inputs_echo"] = tuple((row.label, row.value) for row in rows)
    view["gauge"], view["gauge_thresholds"], view["gauge_description"] = _gauge(result)
    view["level_rules"] = tuple(level_rule_line(rule) for rule in result.level_rules)
    view["reasons"] = tuple(
        ReasonLine(r.severity.value, r.message, cited(r.source)) for r in result.reasons
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
    from ixempra_gui.core.formatting import format_quantity
    from ixempra_gui.presentation.wording import (
        billing_lines,
        preparation_lines,
        rounding_note,
        sentence,
        vial_plan,
    )

    assert result.dose_mg is not None and result.vials is not None
    assert result.dose_level_mg_per_m2 is not None and result.billing is not None
    return {
        "level_value": format_quantity(result.dose_level_mg_per_m2, "mg/m²"),
        "dose_value": format_quantity(result.dose_mg, "mg"),
        "dose_note": sentence(rounding_note(result.dose_rounding)),
        "vials_value": vial_plan(result.vials.counts),
        "vial_fill": _vial_fill(result),
        "preparation_lines": preparation_lines(result),
        "billing_value": "\n".join(billing_lines(result.billing)),
    }

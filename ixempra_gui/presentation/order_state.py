"""Qt-free and light: the order on screen (``FormInput``, text exactly as typed) and what the
window shows of its calculation (``ViewState``, display strings only).

No core here (annotations only): the session, the form and the result panel hold these before
pint and the rules are loaded (bench/startup.py); ``order_view`` fills them after.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ixempra_gui.presentation.fields import (
    BANNER_TEXT,
    DASH,
    INITIAL_DETAIL,
    MessageKind,
    StatusKind,
    print_tooltip,
)

if TYPE_CHECKING:
    from ixempra_gui.core.models import DoseResult

#: How each kind of message starts beside its field (the frame's colour says the same).
MESSAGE_PREFIX = {
    MessageKind.ERROR: "Error: ",
    MessageKind.WARNING: "Check: ",
    MessageKind.NOTE: "",
}


@dataclass(frozen=True)
class FieldMessage:
    """One message beside a field: an error stops the dose, a warning stops it until the
    values are checked, a note informs."""

    kind: MessageKind
    text: str

    @property
    def shown(self) -> str:
        """The line beside the field: "Error: …", "Check: …", or a note as it is."""
        return MESSAGE_PREFIX[self.kind] + self.text


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
    code: str = ""  # the core's reason code (a notice shown once per site is found by it)


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
    #: Why the level is not the starting one ("" when it is): the rules that lowered it.
    level_why: str = ""
    #: What the preparer acts on, in order (Withdraw, Vials, Bag, Concentration, Rate).
    acts_on: tuple[tuple[str, str], ...] = ()
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
    #: The stops and warnings the top of the result shows unfolded ("Stop: …"), each fact once
    #: (a warning already said by ``level_why`` is not repeated).
    alerts: tuple[str, ...] = ()
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

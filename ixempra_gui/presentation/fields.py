"""The field registry: every input declared once, for every surface that shows it.

The core declares each Order field (core/order_fields.py: key, kind, CLI flag, what it can
change, who gives it). This module extends that declaration, never repeats it: the label and
its accelerator, the examples, the description screen readers read, the unit selector, the
choices (core/choices.py) and where the field prints. The form (ui/order_form.py), the double
check (ui/verify_dialog.py), the worksheet's inputs, the journal record's inputs and the
command line are built from it; a test holds every surface to it both ways.

Where a field goes follows from the core, not from a flag here: the double check re-enters what
can change the dose (``OrderField.reentered``), the command line offers what has a flag, the
journal records every Order field. Only the form and the worksheet are chosen here.

Light (stdlib, core/choices.py, core/order_fields.py; no pint): the window is built from it
before the core loads (bench/startup.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ixempra_gui.core.order_fields import BY_KEY, Kind, OrderField, Owner, Section
from ixempra_gui.presentation.field_table import TABLE, Entry
from ixempra_gui.presentation.status_words import (  # re-exported: the window's vocabulary
    BANNER_TEXT,
    DASH,
    GAUGE_MAX,
    INITIAL_DETAIL,
    NOT_VERIFIED,
    MessageKind,
    StatusKind,
    not_ready_reason,
    print_tooltip,
)

__all__ = [
    "BANNER_TEXT",
    "DASH",
    "FIELDS",
    "FIELD_LABELS",
    "GAUGE_MAX",
    "INITIAL_DETAIL",
    "NOT_VERIFIED",
    "SECTION_TITLES",
    "FieldSpec",
    "MessageKind",
    "Place",
    "StatusKind",
    "Widget",
    "field",
    "not_ready_reason",
    "print_tooltip",
]


class Place(StrEnum):
    """A surface that shows fields."""

    FORM = "form"  # the order form
    VERIFY = "verify"  # the double check's entry (re-entered fields and each entry's own acts)
    WORKSHEET = "worksheet"  # the worksheet's inputs table
    JOURNAL = "journal"  # the journal record's inputs (every Order field)
    CLI = "cli"  # an ixempra-calc option


class Widget(StrEnum):
    """How the form and the double check take a field."""

    LINE = "line"  # a QLineEdit: text exactly as typed (numbers too: never a spin box)
    DATE = "date"  # a line edit for YYYY-MM-DD, today in a new order
    COMBO = "combo"  # one of a list
    CHECK = "check"  # ticked or not
    TICKS = "ticks"  # any of a list, each row ticked


_WIDGET_OF_KIND = {
    Kind.MEASUREMENT: Widget.LINE,
    Kind.TEXT: Widget.LINE,
    Kind.DATETIME: Widget.LINE,
    Kind.CHOICE: Widget.COMBO,
    Kind.WHOLE_NUMBER: Widget.COMBO,
    Kind.FLAG: Widget.CHECK,
    Kind.CHOICES: Widget.TICKS,
}

#: The form's group boxes, in order (the command line groups by the same sections).
SECTION_TITLES = {
    Section.BODY: "Patient and body",
    Section.REGIMEN: "Regimen and interactions",
    Section.LIVER: "Liver tests",
    Section.CYCLE: "Start of cycle and dose level",
    Section.PREPARATION: "Preparation",
}


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(part.capitalize() for part in rest)


def _plain(text: str) -> str:
    """A label without its accelerator marker (``H&eight`` → ``Height``)."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


@dataclass(frozen=True)
class FieldSpec:
    """One field: the core's declaration (None for the identifiers and dates, which are not
    Order fields) and what the presentation adds."""

    entry: Entry
    core: OrderField | None

    @property
    def key(self) -> str:
        return self.entry.key

    @property
    def label(self) -> str:
        """The field's name in messages, on paper and for screen readers."""
        return self.entry.label

    @property
    def section(self) -> Section:
        return self.core.section if self.core is not None else self.entry.section

    @property
    def widget(self) -> Widget | None:
        """The input the form gives it (None: not on the form)."""
        if not self.entry.text:
            return None
        if self.core is None:
            return Widget.DATE if self.key.endswith("_on") else Widget.LINE
        return _WIDGET_OF_KIND[self.core.kind]

    @property
    def choices(self) -> tuple[tuple[str, str], ...]:
        """(value, what is shown), from the core (core/choices.py)."""
        return self.core.choices if self.core is not None else ()

    @property
    def reentered(self) -> bool:
        return self.core is not None and self.core.reentered

    @property
    def places(self) -> frozenset[Place]:
        places = set()
        if self.widget is not None:
            places.add(Place.FORM)
        own_act = self.core is not None and self.core.owner is Owner.ENTRY
        if self.reentered or (own_act and self.widget is not None):
            places.add(Place.VERIFY)
        if self.entry.worksheet_row:
            places.add(Place.WORKSHEET)
        if self.core is not None:
            places.add(Place.JOURNAL)
            if self.core.cli_flag:
                places.add(Place.CLI)
        return frozenset(places)

    # --- the form -------------------------------------------------------------------------

    @property
    def text(self) -> str:
        """The form's label, with its accelerator (``&``)."""
        return self.entry.text

    @property
    def object_name(self) -> str:
        """The form's input: ``heightInput``, ``regimenCombo``, ``gilbertCheck``…"""
        if self.entry.name:
            return self.entry.name
        suffix = {Widget.COMBO: "Combo", Widget.CHECK: "Check", Widget.TICKS: "List"}
        return _camel(self.key) + suffix.get(self.widget or Widget.LINE, "Input")

    @property
    def message_name(self) -> str:
        return f"{_camel(self.key)}Message"

    @property
    def description(self) -> str:
        """What screen readers and the tooltip say of it (measured fields add what they
        accept once the core has loaded)."""
        return self.entry.description or self.label

    @property
    def unit_selector(self) -> str | None:
        """The unit selector (presentation.preferences.UNIT_CHOICES) a bare number is read
        with: its own, or for a ULN its lab's."""
        return self.entry.unit_of

    @property
    def has_own_unit_selector(self) -> bool:
        return self.entry.unit_of == self.key

    @property
    def empty_choice(self) -> str | None:
        """The form's item with no value ("Choose…": a choice is needed), or None."""
        return self.entry.empty or None

    # --- the double check -----------------------------------------------------------------

    @property
    def verify_text(self) -> str:
        """The double check's label: the form's, unless the dialog's own buttons take its
        accelerator (then its own); a tick has none unless given (Alt+G is Sign's)."""
        if self.entry.verify_text:
            return self.entry.verify_text
        return _plain(self.entry.text) if self.widget is Widget.CHECK else self.entry.text

    @property
    def verify_name(self) -> str:
        """``verifyHeightInput``, ``verifyRegimenCombo``…"""
        if self.entry.verify_name:
            return self.entry.verify_name
        own = self.object_name if not self.entry.name else _camel(self.key) + "Check"
        return "verify" + own[0].upper() + own[1:]

    @property
    def verify_message_name(self) -> str:
        return "verify" + _camel(self.key)[0].upper() + _camel(self.key)[1:] + "Message"

    @property
    def blind_example(self) -> str:
        """The double check's placeholder: the kind of value, never a number that could
        prompt the answer."""
        return self.entry.blind_example

    @property
    def verify_empty_choice(self) -> str:
        """What the dialog's empty item says: the form's ("Choose…": required), else what
        not entering it means ("Not entered (Mosteller)")."""
        if self.entry.empty:
            return self.entry.empty
        return f"Not entered ({self.choices[0][1]})" if self.choices else "Not entered"

    @property
    def verify_description(self) -> str:
        if self.entry.verify_description:
            return self.entry.verify_description
        widget = self.widget
        if widget is Widget.CHECK:
            return "Unticked: not entered (no)."
        if widget is Widget.TICKS:
            return "Label Table 1 rows; none ticked: not entered."
        if widget is Widget.COMBO:
            return (
                f"{self.description} As in the source documents; "
                f"'{self.verify_empty_choice}' when not given."
            )
        return f"{self.label} as in the source documents."

    # --- the worksheet --------------------------------------------------------------------

    @property
    def worksheet_row(self) -> str | None:
        """The key of the worksheet row it prints in (its own, or the field it qualifies:
        a ULN prints beside its lab); None: not printed."""
        return self.entry.worksheet_row or None

    @property
    def row_label(self) -> str:
        """The label of the worksheet row it heads."""
        return self.entry.row_label or self.label

    @property
    def worksheet_fold(self) -> str:
        """How it reads inside another field's row, e.g. " (ULN {})"."""
        return self.entry.fold


FIELDS: tuple[FieldSpec, ...] = tuple(FieldSpec(e, BY_KEY.get(e.key)) for e in TABLE)
_BY_KEY = {spec.key: spec for spec in FIELDS}
#: How each input is called in messages and by screen readers.
FIELD_LABELS: dict[str, str] = {spec.key: spec.label for spec in FIELDS}


def field(key: str) -> FieldSpec:
    """The registry entry of ``key`` (KeyError: not declared)."""
    return _BY_KEY[key]


def on(place: Place) -> tuple[FieldSpec, ...]:
    """The fields a surface shows, in form order."""
    return tuple(spec for spec in FIELDS if place in spec.places)

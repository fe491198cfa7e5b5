"""The second pharmacist's entry in the double check: one input per re-entered field, built
from the field's kind, empty (nothing of the first entry, not even a default ULN or a choice).

Field construction for the Verify dialog lives here, in one place: ``SecondEntryForm`` builds
the inputs (``_entry_field`` by the kind the core declares), reads them back as a
``SecondEntry`` and shows each field's message; ``verify_dialog`` does the rest (who checks,
Compare, Sign). Every edit emits ``changed``.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QWidget,
)

from ixempra_gui.presentation.fields import (
    BSA_FORMULA_CHOICES,
    DILUENT_CHOICES,
    FIELD_LABELS,
    GRADE_CHOICES,
    REDUCTION_COUNT_CHOICES,
    REDUCTION_MODE_CHOICES,
    REGIMEN_CHOICES,
    TOXICITY_ROWS,
    MessageKind,
)
from ixempra_gui.presentation.order_state import FieldMessage
from ixempra_gui.presentation.preferences import UNIT_CHOICES, Preferences
from ixempra_gui.presentation.verify_view import FIELD_KINDS, UNIT_FIELDS, FieldKind, SecondEntry
from ixempra_gui.ui.form_rows import field_row, mark_field, message_label
from ixempra_gui.ui.order_form_fields import DESCRIPTIONS

#: What each field takes, without any number: an example value could prompt the answer.
_EXAMPLES = {
    "height": "number and unit: cm, m, in, ft + in",
    "weight": "number and unit: kg, lb",
    "ast": "U/L or µkat/L",
    "ast_uln": "U/L or µkat/L, from the lab report",
    "alt": "U/L or µkat/L",
    "alt_uln": "U/L or µkat/L, from the lab report",
    "bilirubin": "mg/dL or µmol/L",
    "bilirubin_uln": "mg/dL or µmol/L, from the lab report",
    "anc": "/mm3 or 10^9/L",
    "platelets": "/mm3 or 10^9/L",
    "dose_level": "mg/m2, as prescribed (empty: not entered)",
    "hepatic_escalation_level": "mg/m2 (empty: not entered)",
}
#: The choice fields: their choices, and what the empty choice means (None: a choice is needed).
_CHOICES: dict[str, tuple[tuple[tuple[str, str], ...], str]] = {
    "regimen": (REGIMEN_CHOICES, "Choose…"),
    "bsa_formula": (BSA_FORMULA_CHOICES, "Not entered (Mosteller)"),
    "current_nonheme_toxicity_grade": (GRADE_CHOICES, "Not entered"),
    "toxicity_reductions": (REDUCTION_COUNT_CHOICES, "Not entered (none)"),
    "reduction_mode": (REDUCTION_MODE_CHOICES, "Not entered (the current level)"),
    "diluent": (DILUENT_CHOICES, "Not entered (Lactated Ringer's)"),
}
_FLAG_TEXT = {
    "gilbert_syndrome": "Gilbert's syndrome (bilirubin raised by it)",
    "strong_cyp3a4_inhibitor": "Strong CYP3A4 inhibitor",
    "strong_cyp3a4_inducer": "Strong CYP3A4 inducer",
    "cremophor_hypersensitivity": "Severe reaction (grade 3/4) to a Cremophor EL product",
}
_MNEMONICS = {
    "height": "H&eight",
    "weight": "&Weight",
    "regimen": "&Regimen",
    "ast": "&AST",
    "ast_uln": "AST UL&N",
    "alt": "AL&T",
    "alt_uln": "ALT &ULN",
    "bilirubin": "B&ilirubin (total)",
    "bilirubin_uln": "Bi&lirubin ULN",
    "anc": "AN&C",
    "platelets": "Platelet&s",
    "bsa_formula": "BSA &formula",
    "current_nonheme_toxicity_grade": "Current non-heme to&xicity grade",
    "dose_level": "Prescribed le&vel",
}
_STATE = {MessageKind.ERROR: "error", MessageKind.WARNING: "warning"}


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head.capitalize() + "".join(part.capitalize() for part in rest)


def lock(widget: QWidget) -> None:
    """After Compare the entry is locked but stays readable: text fields become read-only (not
    greyed out), choices and ticks are disabled."""
    if isinstance(widget, QLineEdit):
        widget.setReadOnly(True)
    else:
        widget.setEnabled(False)


class SecondEntryForm(QGroupBox):
    """Every re-entered field (``keys``, in form order), the reduction confirmation and the
    values-checked tick, each with its message line."""

    changed = Signal()

    def __init__(self, keys: tuple[str, ...], prefs: Preferences) -> None:
        super().__init__("Your entry: every input that can change the dose")
        self.keys = keys
        self.prefs = prefs
        self.widgets: dict[str, QWidget] = {}  # re-entered key → its input
        self.inputs: dict[str, QLineEdit] = {}
        self.units: dict[str, QComboBox] = {}
        self.messages: dict[str, QLabel] = {}
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        for key in keys:
            self._entry_field(form, key)
        self.confirm = self._tick(
            form,
            "confirm_reduction",
            "I confirm the proposed 20% decrease",
            "verifyConfirmReductionCheck",
            "Second entry: reduction confirmed",
            "Tick when the worst events you ticked call for a further 20% decrease (label "
            "Table 1) and you confirm it.",
        )
        self.acknowledge = self._tick(
            form,
            "",
            "I have chec&ked the values marked for checking",
            "verifyAcknowledgeCheck",
            "Second entry: values checked",
            "Tick after checking each value of your entry marked 'Check' (unusual).",
        )

    # --- building ---------------------------------------------------------------------------

    def _tick(
        self, form: QFormLayout, key: str, text: str, name: str, accessible: str, described: str
    ) -> QCheckBox:
        check = QCheckBox(text)
        check.setObjectName(name)
        check.setAccessibleName(accessible)
        check.setAccessibleDescription(described)
        check.toggled.connect(self.changed)
        form.addRow(check)
        if key:
            self.messages[key] = self._message_row(form, key)
        return check

    def _entry_field(self, form: QFormLayout, key: str) -> None:
        """One re-entered field, by the kind the core declares (core/order_fields.py)."""
        kind = FIELD_KINDS[key]
        if kind is FieldKind.MEASUREMENT:
            self._line(form, key)
        elif key in _CHOICES:
            self._choice(form, key)
        elif kind is FieldKind.FLAG:
            check = QCheckBox(_FLAG_TEXT.get(key, FIELD_LABELS[key]))
            check.setObjectName(f"verify{_camel(key)}Check")
            check.setAccessibleName(f"Second entry: {FIELD_LABELS[key]}")
            check.setAccessibleDescription("Unticked: not entered (no).")
            check.toggled.connect(self.changed)
            form.addRow(check)
            self.widgets[key] = check
            self.messages[key] = self._message_row(form, key)
        elif kind is FieldKind.CHOICES:
            self._events(form, key)
        else:  # a new kind of field must be given its input here: never silently copied
            raise TypeError(f"no second-entry input for {key} ({kind})")

    def _message_row(self, form: QFormLayout, key: str) -> QLabel:
        message = message_label(f"verify{_camel(key)}Message")
        form.addRow(message)
        return message

    def _choice(self, form: QFormLayout, key: str) -> None:
        choices, empty = _CHOICES[key]
        combo = QComboBox()
        combo.setObjectName(f"verify{_camel(key)}Combo")
        combo.setAccessibleName(f"Second entry: {FIELD_LABELS[key]}")
        combo.setAccessibleDescription(
            f"{DESCRIPTIONS.get(key, FIELD_LABELS[key])} As in the source documents; "
            f"'{empty}' when not given."
        )
        combo.addItem(empty)  # no data: nothing pre-selected, nothing of the first entry
        for value, shown in choices:
            combo.addItem(shown, value)
        combo.currentIndexChanged.connect(self.changed)
        self.widgets[key] = combo
        self._row(form, key, [combo])

    def _events(self, form: QFormLayout, key: str) -> None:
        events = QListWidget()
        events.setObjectName(f"verify{_camel(key)}List")
        events.setAccessibleName(f"Second entry: {FIELD_LABELS[key]}")
        events.setAccessibleDescription("Label Table 1 rows; none ticked: not entered.")
        for code, shown in TOXICITY_ROWS:
            item = QListWidgetItem(shown)
            item.setData(Qt.ItemDataRole.UserRole, code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            events.addItem(item)
        events.setFixedHeight(events.sizeHintForRow(0) * 4 + 2 * events.frameWidth() + 2)
        events.itemChanged.connect(self.changed)
        self.widgets[key] = events
        self._row(form, key, [events])

    def _line(self, form: QFormLayout, key: str) -> None:
        edit = QLineEdit()  # empty: nothing of the first entry, not even a default ULN
        edit.setObjectName(f"verify{_camel(key)}Input")
        edit.setPlaceholderText(_EXAMPLES[key])
        edit.setAccessibleName(f"Second entry: {FIELD_LABELS[key]}")
        edit.setAccessibleDescription(f"{FIELD_LABELS[key]} as in the source documents.")
        edit.setClearButtonEnabled(True)
        edit.setMaxLength(64)
        edit.textChanged.connect(self.changed)
        self.inputs[key] = edit
        self.widgets[key] = edit
        row: list[QWidget] = [edit]
        if key in UNIT_FIELDS:
            combo = QComboBox()
            combo.setObjectName(f"verify{_camel(key)}UnitCombo")
            combo.setAccessibleName(f"Second entry: {FIELD_LABELS[key]} unit")
            combo.setAccessibleDescription(
                "Unit of a number typed without one; a unit typed in the field wins."
            )
            for spelling, shown in UNIT_CHOICES[key]:
                combo.addItem(shown, spelling)
            combo.setCurrentIndex(max(0, combo.findData(self.prefs.default_unit(key))))
            combo.currentIndexChanged.connect(self.changed)
            self.units[key] = combo
            row.append(combo)
        self._row(form, key, row)

    def _row(self, form: QFormLayout, key: str, row: list[QWidget]) -> None:
        label = QLabel(_MNEMONICS.get(key, FIELD_LABELS[key]))
        label.setBuddy(row[0])
        self.messages[key] = field_row(form, label, row, f"verify{_camel(key)}Message")

    # --- reading and showing ----------------------------------------------------------------

    def tab_chain(self) -> list[QWidget]:
        """The inputs in tab order: each field, then its unit; the two ticks last."""
        chain: list[QWidget] = []
        for key in self.keys:
            chain.append(self.widgets[key])
            if key in self.units:
                chain.append(self.units[key])
        return [*chain, self.confirm, self.acknowledge]

    def second_entry(self) -> SecondEntry:
        """What the verifier gave, exactly (an empty choice or no tick: not entered)."""
        values: dict[str, object] = {}
        for key, widget in self.widgets.items():
            if isinstance(widget, QLineEdit):
                values[key] = widget.text()
            elif isinstance(widget, QComboBox):
                if widget.currentData() is not None:  # the empty choice: not entered
                    values[key] = str(widget.currentData())
            elif isinstance(widget, QCheckBox):
                values[key] = widget.isChecked()
            elif isinstance(widget, QListWidget):
                values[key] = tuple(
                    str(widget.item(i).data(Qt.ItemDataRole.UserRole))
                    for i in range(widget.count())
                    if widget.item(i).checkState() is Qt.CheckState.Checked
                )
        return SecondEntry(
            values=values,
            units={key: str(combo.currentData()) for key, combo in self.units.items()},
            acknowledge_warnings=self.acknowledge.isChecked(),
            confirm_reduction=self.confirm.isChecked(),
        )

    def show_messages(self, messages: Mapping[str, tuple[FieldMessage, ...]]) -> None:
        """The verifier's own messages beside each field, and the field's frame."""
        for key, label in self.messages.items():
            found = messages.get(key, ())
            text = "\n".join(m.shown for m in found)
            if label.text() != text:
                label.setText(text)
                label.setVisible(bool(text))
            state = next((_STATE[m.kind] for m in found if m.kind in _STATE), "")
            mark_field(self.widgets.get(key, self.confirm), state)

    def lock(self) -> None:
        """What was compared is what is recorded: the entry is read-only from now on."""
        for widget in (*self.widgets.values(), *self.units.values(), self.confirm):
            lock(widget)
        lock(self.acknowledge)

    def focus_first_problem(self) -> None:
        """The first field marked, or a choice still needed, or an empty field."""
        for key in self.keys:
            widget = self.widgets[key]
            unchosen = isinstance(widget, QComboBox) and widget.currentData() is None
            if widget.property("state") or (key == "regimen" and unchosen):
                widget.setFocus()
                return
            if isinstance(widget, QLineEdit) and not widget.text().strip():
                widget.setFocus()
                return

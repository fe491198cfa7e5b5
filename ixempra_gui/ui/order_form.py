"""The order form: collects text exactly as typed and shows each field's message beside it.

Numbers are typed into QLineEdit (never spin boxes: they silently revert bad input and change
on mouse-wheel scroll). Every edit emits ``changed``; the window recalculates on it.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ixempra_gui.form_text import (
    BSA_FORMULA_CHOICES,
    DILUENT_CHOICES,
    FIELD_LABELS,
    GRADE_CHOICES,
    REDUCTION_COUNT_CHOICES,
    REDUCTION_MODE_CHOICES,
    REGIMEN_CHOICES,
    MessageKind,
)
from ixempra_gui.preferences import UNIT_CHOICES, Preferences
from ixempra_gui.ui.widgets import field_row, mark_field

if TYPE_CHECKING:  # the presenter loads after the first paint (bench/startup.py)
    from ixempra_gui.presenter import FieldMessage, FormInput

#: Example text shown in empty fields (placeholder only, never a value).
_EXAMPLES = {
    "patient_id": "e.g. MRN 0012345 (needed to verify)",
    "height": "e.g. 170 cm or 5 ft 7 in",
    "weight": "e.g. 70 kg or 154 lb",
    "ast": "e.g. 30 U/L",
    "alt": "e.g. 25 U/L",
    "bilirubin": "e.g. 0.8 mg/dL",
    "anc": "e.g. 1800 /mm3 or 1.8 10^9/L",
    "platelets": "e.g. 150,000 /mm3 or 150 10^9/L",
    "reduction_reason": "required with a reduction, e.g. grade 3 neuropathy, cycle 2",
    "hepatic_escalation_level": "optional, 20–30 mg/m2 (moderate hepatic row only)",
    "dose_level": "optional, e.g. 32 mg/m2 (checked against the rules)",
    "prepared_at": "now, or YYYY-MM-DD HH:MM",
}
#: What each input is for, read by screen readers (measured fields add what they accept).
_DESCRIPTIONS = {
    "patient_id": "Optional for the dose; needed to verify it. Printed on the worksheet, and "
    "recorded in the journal with a verified dose; the patient's history is read under it.",
    "administered_on": "The day this dose is given, year-month-day; today by default. The "
    "journal counts the units of the 21 days before it and records the verified dose under it.",
    "regimen": "Ixempra alone (monotherapy) or with capecitabine: the liver rules differ.",
    "bsa_formula": "Formula for the body surface area; Mosteller is the default.",
    "anc": "Absolute neutrophil count; bare numbers are read per mm³.",
    "platelets": "Platelet count; bare numbers are read per mm³.",
    "current_nonheme_toxicity_grade": "The non-hematologic toxicity grade now, 0–4: the cycle "
    "starts only when it has resolved to grade 1 or less. Not entered: not checked.",
    "worst_events": "The worst events since the last cycle, as rows of label Table 1 (space "
    "ticks a row): the product proposes the reduction or discontinuation they call for.",
    "toxicity_reductions": "How many 20% reductions earlier toxicity required.",
    "reduction_mode": "Whether a second reduction is taken from the current level or from the "
    "starting level (clinical-rules §3); the choice is recorded.",
    "reduction_reason": "Why the dose was reduced; recorded on the worksheet.",
    "hepatic_escalation_level": "Later-cycle escalation after moderate hepatic impairment.",
    "dose_level": "The prescriber's level; refused above what the rules allow.",
    "diluent": "Infusion fluid for the bag: Lactated Ringer's, or 0.9% sodium chloride "
    "pH-adjusted with sodium bicarbonate (250 or 500 mL bags only).",
    "prepared_at": "When the dose is prepared; sets the use-by times. Empty: now.",
    "height_measured_on": "The day the height was measured, year-month-day; today by default.",
    "weight_measured_on": "The day the weight was measured, year-month-day; today by default.",
    "labs_drawn_on": "The day the labs were drawn, year-month-day; today by default.",
}
_MESSAGE_PREFIX = {
    MessageKind.ERROR: "Error: ",
    MessageKind.WARNING: "Check: ",
    MessageKind.NOTE: "",
}
_STATE = {MessageKind.ERROR: "error", MessageKind.WARNING: "warning", MessageKind.NOTE: ""}


_LAB_UNIT_OF = {"ast_uln": "ast", "alt_uln": "alt", "bilirubin_uln": "bilirubin"}


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(part.capitalize() for part in rest)


class _EnterMovesOn(QObject):
    """Return/Enter in a form field moves to the next field, as Tab does."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            plain = event.modifiers() in (
                Qt.KeyboardModifier.NoModifier,
                Qt.KeyboardModifier.KeypadModifier,
            )
            if plain and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if isinstance(watched, QComboBox) and watched.view().isVisible():
                    return False  # Enter chooses the item in an open list
                if isinstance(watched, QWidget):
                    watched.focusNextChild()
                    return True
        return False


class OrderForm(QWidget):
    """Every input of the order, with its unit selector, date, label and inline message."""

    changed = Signal()

    def __init__(
        self, prefs: Preferences, parent: QWidget | None = None, event_filters: bool = True
    ) -> None:
        super().__init__(parent)
        self.setObjectName("orderForm")
        self.inputs: dict[str, QWidget] = {}
        self.units: dict[str, QComboBox] = {}
        self.messages: dict[str, QLabel] = {}
        self._hints: dict[str, str] = {}
        self._enter = _EnterMovesOn(self)
        self._chain: list[QWidget] = []

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

        body = self._group("Patient and body", layout)
        self._line(body, "patient_id", "&Patient identifier")
        self._date(body, "administered_on", "Administered on")
        self._line(body, "height", "H&eight", unit=True)
        self._date(body, "height_measured_on", "Height &measured on")
        self._line(body, "weight", "&Weight", unit=True)
        self._date(body, "weight_measured_on", "Weight measured on")
        self.bsa_formula = self._combo(body, "bsa_formula", "BSA f&ormula", BSA_FORMULA_CHOICES)

        regimen = self._group("Regimen and interactions", layout)
        self.regimen = self._combo(
            regimen, "regimen", "&Regimen", REGIMEN_CHOICES, placeholder="Choose…"
        )
        self.cyp3a4_inhibitor = self._check(
            regimen,
            "strong_cyp3a4_inhibitor",
            "cyp3a4InhibitorCheck",
            "Strong C&YP3A4 inhibitor",
            "The patient takes a strong CYP3A4 inhibitor (e.g. ketoconazole, clarithromycin).",
        )
        self.cyp3a4_inducer = self._check(
            regimen,
            "strong_cyp3a4_inducer",
            "cyp3a4InducerCheck",
            "Strong CYP3A4 inducer",
            "The patient takes a strong CYP3A4 inducer (e.g. rifampin); a prescribed level "
            "above 40 mg/m² is infused over 4 h.",
        )
        self.cremophor = self._check(
            regimen,
            "cremophor_hypersensitivity",
            "cremophorHypersensitivityCheck",
            "Severe reaction (grade 3/4) to a Cremophor EL product, e.g. paclitaxel",
            "A severe hypersensitivity reaction to a product with Cremophor EL (polyoxyl 35 "
            "castor oil), such as paclitaxel: IXEMPRA is contraindicated.",
        )

        liver = self._group("Liver tests", layout)
        self._date(liver, "labs_drawn_on", "&Labs drawn on")
        self._line(liver, "ast", "&AST", unit=True)
        self._line(liver, "ast_uln", "AST UL&N")
        self._line(liver, "alt", "AL&T", unit=True)
        self._line(liver, "alt_uln", "ALT &ULN")
        self._line(liver, "bilirubin", "&Bilirubin (total)", unit=True)
        self._line(liver, "bilirubin_uln", "Bil&irubin ULN")
        self.gilbert = self._check(
            liver,
            "gilbert_syndrome",
            "gilbertCheck",
            "&Gilbert's syndrome",
            "Bilirubin is raised by Gilbert's syndrome: the monotherapy table then ignores "
            "bilirubin (AST and ALT still count).",
        )

        cycle = self._group("Start of cycle and dose level", layout)
        self._line(cycle, "anc", "AN&C")
        self._line(cycle, "platelets", "Platelet&s")
        self.nonheme_grade = self._combo(
            cycle,
            "current_nonheme_toxicity_grade",
            "Current non-heme to&xicity grade",
            GRADE_CHOICES,
            placeholder="Not entered",
        )
        self.worst_events = self._events(cycle, "worst_events", "Worst events since last cycle")
        self.confirm_reduction = self._check(
            cycle,
            "confirm_reduction",
            "confirmReductionCheck",
            "I confirm the proposed 20% decrease",
            "Label Table 1 proposes a further 20% decrease for the worst events ticked: "
            "confirm it to go on.",
        )
        self.reductions = self._combo(
            cycle, "toxicity_reductions", "Prior toxicity reductions", REDUCTION_COUNT_CHOICES
        )
        self.reduction_mode = self._combo(
            cycle, "reduction_mode", "Each reduction is 20% of", REDUCTION_MODE_CHOICES
        )
        self._line(cycle, "reduction_reason", "Reduction reason")
        self._line(cycle, "hepatic_escalation_level", "Hepatic escalation level")
        self._line(cycle, "dose_level", "Prescribed le&vel")

        preparation = self._group("Preparation", layout)
        self.diluent = self._combo(preparation, "diluent", "Infusion fluid", DILUENT_CHOICES)
        self.prior_hypersensitivity = self._check(
            preparation,
            "prior_hypersensitivity",
            "priorHypersensitivityCheck",
            "Prior hypersensitivity reaction",
            "An earlier infusion caused a hypersensitivity reaction: add a corticosteroid to "
            "the premedication.",
        )
        self._line(preparation, "prepared_at", "Prepared at")

        self.acknowledge = QCheckBox("I have chec&ked the values marked for checking")
        self.acknowledge.setObjectName("acknowledgeWarningsCheck")
        self.acknowledge.setAccessibleName("Values checked")
        self.acknowledge.setAccessibleDescription(
            "Tick after checking each value marked 'Check' (unusual or old); it lets the dose "
            "be calculated with them."
        )
        self.acknowledge.toggled.connect(self.changed)
        self.inputs["acknowledge_warnings"] = self.acknowledge
        self._chain.append(self.acknowledge)
        layout.addWidget(self.acknowledge)

        # Messages for inputs this form has no field for (a newer core may report them).
        self.other_messages = QLabel()
        self.other_messages.setObjectName("otherMessages")
        self.other_messages.setWordWrap(True)
        self.other_messages.setTextFormat(Qt.TextFormat.PlainText)
        self.other_messages.hide()
        layout.addWidget(self.other_messages)
        layout.addStretch(1)

        self._filtered = False
        if event_filters:
            self.install_event_filters()
        for first, second in zip(self._chain, self._chain[1:], strict=False):
            QWidget.setTabOrder(first, second)
        self.apply_preferences(prefs, initial=True)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Enter moves on (``_EnterMovesOn``); a field that loses focus gives back the line
        its corrected message kept. One filter per field: every event of the field being
        typed in passes through it."""
        if event.type() == QEvent.Type.FocusOut:
            for key, field in self.inputs.items():
                if field is watched:
                    label = self.messages.get(key)
                    if label is not None and not label.text() and label.isVisibleTo(self):
                        label.setMinimumHeight(0)
                        label.hide()
                    break
            return False
        return self._enter.eventFilter(watched, event)

    # --- building ---------------------------------------------------------------------------

    def _group(self, title: str, parent_layout: QVBoxLayout) -> QFormLayout:
        box = QGroupBox(title)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        parent_layout.addWidget(box)
        return form

    def _add_row(self, form: QFormLayout, key: str, text: str, row: list[QWidget]) -> None:
        field = row[0]
        label = QLabel(text)
        label.setBuddy(field)  # the mnemonic focuses the field; screen readers pair them
        label.setWordWrap(True)
        message = field_row(form, label, row, f"{_camel(key)}Message")
        self.inputs[key] = field
        self.messages[key] = message
        self._chain.extend(row)
        self._hints.setdefault(key, _DESCRIPTIONS.get(key, FIELD_LABELS[key]))
        field.setAccessibleDescription(self._hints[key])

    def _line(self, form: QFormLayout, key: str, text: str, unit: bool = False) -> None:
        edit = QLineEdit()
        edit.setObjectName(f"{_camel(key)}Input")
        edit.setPlaceholderText(_EXAMPLES.get(key, ""))
        edit.setAccessibleName(FIELD_LABELS[key])
        edit.setClearButtonEnabled(True)
        edit.setMaxLength(500 if key == "reduction_reason" else 64)
        edit.textChanged.connect(self.changed)
        row: list[QWidget] = [edit]
        if unit:
            combo = QComboBox()
            combo.setObjectName(f"{_camel(key)}UnitCombo")
            combo.setAccessibleName(f"{FIELD_LABELS[key]} unit")
            combo.setAccessibleDescription(
                "Unit of a number typed without one; a unit typed in the field wins."
            )
            combo.setToolTip(combo.accessibleDescription())
            for spelling, shown in UNIT_CHOICES[key]:
                combo.addItem(shown, spelling)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.currentIndexChanged.connect(self.changed)
            self.units[key] = combo
            row.append(combo)
        self._add_row(form, key, text, row)

    def _date(self, form: QFormLayout, key: str, text: str) -> None:
        # A line edit, not a QDateEdit: a date spin box changes on mouse-wheel scroll, and
        # year-month-day typed text cannot be misread as month/day or day/month.
        edit = QLineEdit(time.strftime("%Y-%m-%d"))  # today, as date.today().isoformat()
        edit.setObjectName(f"{_camel(key)}Input")
        edit.setPlaceholderText("YYYY-MM-DD")
        edit.setAccessibleName(FIELD_LABELS[key])
        edit.setMaxLength(32)
        edit.textChanged.connect(self.changed)
        self._add_row(form, key, text, [edit])

    def _combo(
        self,
        form: QFormLayout,
        key: str,
        text: str,
        choices: tuple[tuple[str, str], ...],
        placeholder: str | None = None,
    ) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(f"{_camel(key)}Combo")
        combo.setAccessibleName(FIELD_LABELS[key])
        if placeholder is not None:
            combo.addItem(placeholder)  # no data: the pharmacist must choose
        for value, shown in choices:
            combo.addItem(shown, value)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(12)
        combo.currentIndexChanged.connect(self.changed)
        self._add_row(form, key, text, [combo])
        return combo

    def _events(self, form: QFormLayout, key: str, text: str) -> QListWidget:
        """Label Table 1 rows as a list of ticks (keyboard: arrows, space)."""
        from ixempra_gui.form_text import TOXICITY_ROWS

        events = QListWidget()
        events.setObjectName(f"{_camel(key)}List")
        events.setAccessibleName(FIELD_LABELS[key])
        for code, shown in TOXICITY_ROWS:
            item = QListWidgetItem(shown)
            item.setData(Qt.ItemDataRole.UserRole, code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            events.addItem(item)
        rows = min(events.count(), 4)
        events.setFixedHeight(events.sizeHintForRow(0) * rows + 2 * events.frameWidth() + 2)
        events.itemChanged.connect(self.changed)
        self._add_row(form, key, text, [events])
        return events

    def _check(
        self, form: QFormLayout, key: str, name: str, text: str, description: str
    ) -> QCheckBox:
        check = QCheckBox(text)
        check.setObjectName(name)
        check.setAccessibleName(FIELD_LABELS[key])
        check.setAccessibleDescription(description)
        check.setToolTip(description)
        check.toggled.connect(self.changed)
        form.addRow(check)
        message = QLabel()
        message.setObjectName(f"{_camel(key)}Message")
        message.setWordWrap(True)
        message.setTextFormat(Qt.TextFormat.PlainText)
        message.hide()
        form.addRow(message)
        self.inputs[key] = check
        self.messages[key] = message
        self._hints.setdefault(key, description)
        self._chain.append(check)
        return check

    def install_event_filters(self) -> None:
        """Enter moves on; a field's FocusOut gives back its kept message line (once).
        ``app.main`` installs them just after the first frame: the events of the first show
        (about 650) then make no Python calls, about 1.5 ms sooner on screen."""
        if self._filtered:
            return
        self._filtered = True
        for widget in self._chain:  # every input is in the chain
            widget.installEventFilter(self)

    # --- reading and showing ----------------------------------------------------------------

    @property
    def tab_chain(self) -> list[QWidget]:
        """The form's widgets in tab order."""
        return list(self._chain)

    def _text(self, key: str) -> str:
        widget = self.inputs[key]
        assert isinstance(widget, QLineEdit)
        return widget.text()

    def form_input(self) -> FormInput:
        """The order exactly as it stands in the form."""
        from ixempra_gui.presenter import FormInput

        texts = {
            key: self._text(key)
            for key, widget in self.inputs.items()
            if isinstance(widget, QLineEdit)
        }
        units = {f"{key}_unit": str(combo.currentData()) for key, combo in self.units.items()}
        return FormInput(
            **texts,
            **units,
            regimen=self.regimen.currentData(),
            bsa_formula=str(self.bsa_formula.currentData()),
            strong_cyp3a4_inhibitor=self.cyp3a4_inhibitor.isChecked(),
            strong_cyp3a4_inducer=self.cyp3a4_inducer.isChecked(),
            gilbert_syndrome=self.gilbert.isChecked(),
            cremophor_hypersensitivity=self.cremophor.isChecked(),
            current_nonheme_toxicity_grade=self.nonheme_grade.currentData(),
            worst_events=self.checked_events(),
            confirm_reduction=self.confirm_reduction.isChecked(),
            toxicity_reductions=str(self.reductions.currentData()),
            reduction_mode=str(self.reduction_mode.currentData()),
            diluent=str(self.diluent.currentData()),
            prior_hypersensitivity=self.prior_hypersensitivity.isChecked(),
            acknowledge_warnings=self.acknowledge.isChecked(),
        )

    def checked_events(self) -> tuple[str, ...]:
        """The Table 1 rows ticked, in table order."""
        events = self.worst_events
        return tuple(
            str(events.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(events.count())
            if events.item(i).checkState() is Qt.CheckState.Checked
        )

    def set_acknowledged(self, ticked: bool) -> None:
        """Tick or un-tick "I have checked the values" without a new calculation (the window
        is calculating already)."""
        blocked = self.acknowledge.blockSignals(True)
        self.acknowledge.setChecked(ticked)
        self.acknowledge.blockSignals(blocked)

    def set_hints(self, hints: Mapping[str, str]) -> None:
        """What each field accepts (known once the core has loaded)."""
        for key, hint in hints.items():
            if key in self.inputs:
                self._hints[key] = hint
                self.inputs[key].setToolTip(hint)
                self.inputs[key].setAccessibleDescription(hint)

    def show_messages(self, messages: Mapping[str, tuple[FieldMessage, ...]]) -> None:
        """Each field's messages beside it; the field's frame and description say the same."""
        for key, label in self.messages.items():
            found = messages.get(key, ())
            text = "\n".join(_MESSAGE_PREFIX[m.kind] + m.text for m in found)
            if label.text() != text:
                keep = not text and self.inputs[key].hasFocus() and label.isVisibleTo(self)
                label.setMinimumHeight(label.height() if keep else 0)
                label.setText(text)
                label.setVisible(bool(text) or keep)
                # else the emptied line stays until the field loses focus (eventFilter): the
                # rows below do not jump while the pharmacist types, and a keystroke that turns
                # a wrong value right re-lays out nothing (bench/startup.py).
            state = next((_STATE[m.kind] for m in found if _STATE[m.kind]), "")
            field = self.inputs[key]
            mark_field(field, state)
            # Screen readers read the description: the problem first, then what is accepted.
            described = "\n".join([*(m.text for m in found), self._hints.get(key, "")]).strip()
            if field.accessibleDescription() != described:
                field.setAccessibleDescription(described)
                field.setToolTip(described)
        orphans = [
            _MESSAGE_PREFIX[m.kind] + m.text
            for key, found in messages.items()
            if key not in self.messages
            for m in found
        ]
        if self.other_messages.text() != "\n".join(orphans):
            self.other_messages.setText("\n".join(orphans))
            self.other_messages.setVisible(bool(orphans))

    def apply_preferences(self, prefs: Preferences, initial: bool = False) -> None:
        """Default units and ULNs from the preferences, only where nothing has been typed yet
        (changing the unit under a typed bare number would change its meaning)."""
        for key, combo in self.units.items():
            if initial or not self._text(key).strip():
                index = combo.findData(prefs.default_unit(key))
                if index >= 0:
                    combo.setCurrentIndex(index)
        for key in _LAB_UNIT_OF:
            edit = self.inputs[key]
            assert isinstance(edit, QLineEdit)
            previous = edit.property("defaultText")
            if initial or not edit.text().strip() or edit.text() == previous:
                edit.setText(getattr(prefs, key))
                edit.setProperty("defaultText", getattr(prefs, key))

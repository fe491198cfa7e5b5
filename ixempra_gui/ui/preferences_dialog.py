"""Preferences: default units, default ULNs, bag sizes, dose rounding, measurement age limits.

Each value is checked as it is typed (the same parsers as the INI file, and the core's own unit
grammar for ULNs); OK stays disabled while any value is unusable.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ixempra_gui.presentation.fields import FIELD_LABELS
from ixempra_gui.presentation.order_input import uln_problem
from ixempra_gui.presentation.preferences import (
    UNIT_CHOICES,
    PreferenceError,
    Preferences,
    parse_preference,
    to_mapping,
)

_TEXT_OPTIONS = (
    ("ast_uln", "AST ULN"),
    ("alt_uln", "ALT ULN"),
    ("bilirubin_uln", "Bilirubin ULN"),
    ("bag_sizes_ml", "Bag sizes (mL, preferred first)"),
    ("rounding_pct", "Round dose to a vial within (%)"),
    ("body_max_age_days", "Height and weight valid for (days)"),
    ("labs_max_age_days", "Labs valid for (days)"),
    ("scanner_gs_substitute", "Scanner's group-separator substitute"),
)
_DESCRIPTIONS = {
    "bag_sizes_ml": "Stocked bag sizes in mL, in order of preference, e.g. 250, 100, 500.",
    "rounding_pct": "off (default), or a percentage up to 10 (HOPA).",
    "body_max_age_days": "Older height or weight must be checked and acknowledged.",
    "labs_max_age_days": "Older labs must be checked and acknowledged.",
    "scanner_gs_substitute": "Empty when the scanner sends GS (0x1D) itself; else the one "
    "character it sends instead, one of # $ @ [ \\ ^ ` { | } ~.",
}


class PreferencesDialog(QDialog):
    """Edits a copy of the preferences; ``preferences()`` is the result after OK."""

    def __init__(self, prefs: Preferences, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("preferencesDialog")
        self.setWindowTitle("Preferences")
        self._prefs = prefs
        self.unit_combos: dict[str, QComboBox] = {}
        self.edits: dict[str, QLineEdit] = {}
        self.problems: dict[str, QLabel] = {}

        units = self._unit_group(prefs)
        values = self._value_group(prefs)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(units)
        layout.addWidget(values)
        layout.addWidget(self._label_group(prefs))
        layout.addWidget(self.buttons)
        self.setSizeGripEnabled(True)  # resizable, and it shows: long unit names, large fonts
        self._check()

    def _unit_group(self, prefs: Preferences) -> QGroupBox:
        """The unit each bare number is read in, per measured field."""
        units = QGroupBox("Unit of a number typed without one")
        unit_form = QFormLayout(units)
        for key, choices in UNIT_CHOICES.items():
            combo = QComboBox()
            combo.setObjectName(f"{key}DefaultUnit")
            combo.setAccessibleName(f"Default unit for {FIELD_LABELS[key]}")
            for spelling, shown in choices:
                combo.addItem(shown, spelling)
            combo.setCurrentIndex(max(0, combo.findData(prefs.default_unit(key))))
            label = QLabel(FIELD_LABELS[key])
            label.setBuddy(combo)
            unit_form.addRow(label, combo)
            self.unit_combos[key] = combo
        return units

    def _value_group(self, prefs: Preferences) -> QGroupBox:
        """The default ULNs, bag sizes, rounding and age limits, each checked as it is typed."""
        values = QGroupBox("Defaults and limits")
        value_form = QFormLayout(values)
        value_form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        stored = to_mapping(prefs)
        for key, caption in _TEXT_OPTIONS:
            edit = QLineEdit(stored[key])
            edit.setObjectName(f"{key}Preference")
            edit.setAccessibleName(caption)
            description = _DESCRIPTIONS.get(key, "A value with its unit, e.g. 40 U/L.")
            edit.setAccessibleDescription(description)
            edit.setToolTip(description)
            problem = QLabel()
            problem.setObjectName(f"{key}Problem")
            problem.setWordWrap(True)
            problem.setTextFormat(Qt.TextFormat.PlainText)
            problem.hide()
            cell = QWidget()
            column = QVBoxLayout(cell)
            column.setContentsMargins(0, 0, 0, 0)
            column.addWidget(edit)
            column.addWidget(problem)
            label = QLabel(caption)
            label.setBuddy(edit)
            label.setWordWrap(True)
            value_form.addRow(label, cell)
            edit.textChanged.connect(self._check)
            self.edits[key] = edit
            self.problems[key] = problem
        return values

    def _label_group(self, prefs: Preferences) -> QGroupBox:
        """The bag label's lines for a second patient identifier (the site's policy)."""
        group = QGroupBox("Bag label")
        self.second_identifier = QCheckBox(
            "Leave lines for a second patient identifier (name, date of birth)"
        )
        self.second_identifier.setObjectName("secondPatientIdentifierCheck")
        self.second_identifier.setChecked(prefs.second_patient_identifier)
        QVBoxLayout(group).addWidget(self.second_identifier)
        return group

    def _problem(self, key: str, text: str) -> str | None:
        try:
            parse_preference(key, text)
        except PreferenceError as err:
            return str(err)
        if key.endswith("_uln"):
            return uln_problem(key, text)
        return None

    def _check(self) -> None:
        ok = True
        for key, edit in self.edits.items():
            problem = self._problem(key, edit.text())
            label = self.problems[key]
            label.setText(problem or "")
            label.setVisible(problem is not None)
            ok = ok and problem is None
        button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        button.setEnabled(ok)

    def preferences(self) -> Preferences:
        """The preferences as edited (only call after every value passed ``_check``)."""
        changes: dict[str, object] = {
            f"{key}_unit": str(combo.currentData()) for key, combo in self.unit_combos.items()
        }
        for key, edit in self.edits.items():
            changes[key] = parse_preference(key, edit.text())
        changes["second_patient_identifier"] = self.second_identifier.isChecked()
        return replace(self._prefs, **changes)  # type: ignore[arg-type]

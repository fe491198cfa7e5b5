"""Field construction: one input widget per field of the registry (presentation/fields.py).

The order form and the double check build every input here, from the field's declaration:
the kind of widget, its object name, label and accelerator, placeholder, accessible name and
description, unit selector and choices. Neither keeps a list of fields of its own. How the
widgets are wired (which signal recalculates what) stays with their owners: ``change_signal``
says which signal a widget emits on an edit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QWidget,
)

from ixempra_gui.presentation.fields import FieldSpec, Widget
from ixempra_gui.presentation.preferences import UNIT_CHOICES
from ixempra_gui.ui.form_rows import field_row, message_label

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance

#: Free text may be longer than a value with its unit.
_MAX_LENGTH = {"reduction_reason": 500}
_UNIT_DESCRIPTION = "Unit of a number typed without one; a unit typed in the field wins."


def _line(spec: FieldSpec, blind: bool) -> QLineEdit:
    edit = QLineEdit()
    if spec.widget is Widget.DATE:
        # A line edit, not a QDateEdit: a date spin box changes on mouse-wheel scroll, and
        # year-month-day typed text cannot be misread as month/day or day/month.
        edit.setPlaceholderText("YYYY-MM-DD")
        edit.setMaxLength(32)
        return edit
    # The double check starts empty: nothing of the first entry, not even a default ULN.
    edit.setPlaceholderText(spec.blind_example if blind else spec.entry.example)
    edit.setClearButtonEnabled(True)
    edit.setMaxLength(_MAX_LENGTH.get(spec.key, 64))
    return edit


def _combo(spec: FieldSpec, blind: bool) -> QComboBox:
    combo = QComboBox()
    empty = spec.verify_empty_choice if blind else spec.empty_choice
    if empty is not None:
        combo.addItem(empty)  # no data: nothing chosen (the pharmacist must choose)
    for value, shown in spec.choices:
        combo.addItem(shown, value)
    if not blind:
        policy = QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        combo.setSizeAdjustPolicy(policy)
        combo.setMinimumContentsLength(12)
    return combo


def _ticks(spec: FieldSpec) -> QListWidget:
    """Label Table 1 rows as a list of ticks (keyboard: arrows, space)."""
    events = QListWidget()
    for value, shown in spec.choices:
        item = QListWidgetItem(shown)
        item.setData(Qt.ItemDataRole.UserRole, value)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Unchecked)
        events.addItem(item)
    rows = min(events.count(), 4)
    events.setFixedHeight(events.sizeHintForRow(0) * rows + 2 * events.frameWidth() + 2)
    return events


def make_input(spec: FieldSpec, blind: bool = False) -> QWidget:
    """The field's input: the form's (``blind`` False) or the double check's, which shows
    no example value and pre-selects nothing."""
    widget: QWidget
    kind = spec.widget
    if kind is Widget.COMBO:
        widget = _combo(spec, blind)
    elif kind is Widget.CHECK:
        widget = QCheckBox(spec.verify_text if blind else spec.text)
    elif kind is Widget.TICKS:
        widget = _ticks(spec)
    elif kind in (Widget.LINE, Widget.DATE):
        widget = _line(spec, blind)
    else:  # not on the form: a surface must never invent an input for it
        raise TypeError(f"{spec.key} has no input ({kind})")
    widget.setObjectName(spec.verify_name if blind else spec.object_name)
    widget.setAccessibleName(f"Second entry: {spec.label}" if blind else spec.label)
    description = spec.verify_description if blind else spec.description
    widget.setAccessibleDescription(description)
    if kind is Widget.CHECK:
        widget.setToolTip(description)
    return widget


def make_unit_combo(spec: FieldSpec, blind: bool = False) -> QComboBox:
    """The selector of the unit a bare number is read in (the field must have its own)."""
    assert spec.has_own_unit_selector and spec.unit_selector is not None, spec.key
    combo = QComboBox()
    stem = spec.verify_name if blind else spec.object_name
    combo.setObjectName(stem.removesuffix("Input") + "UnitCombo")
    prefix = "Second entry: " if blind else ""
    combo.setAccessibleName(f"{prefix}{spec.label} unit")
    combo.setAccessibleDescription(_UNIT_DESCRIPTION)
    if not blind:
        combo.setToolTip(_UNIT_DESCRIPTION)
    for spelling, shown in UNIT_CHOICES[spec.unit_selector]:
        combo.addItem(shown, spelling)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    return combo


def add_row(form: QFormLayout, spec: FieldSpec, row: list[QWidget], blind: bool = False) -> QLabel:
    """Place the field (and its unit selector) in ``form`` under its label, a tick across the
    row; return the message line under it."""
    name = spec.verify_message_name if blind else spec.message_name
    if isinstance(row[0], QCheckBox):
        form.addRow(row[0])
        message = message_label(name)
        form.addRow(message)
        return message
    label = QLabel(spec.verify_text if blind else spec.text)
    label.setBuddy(row[0])  # the accelerator focuses the field; screen readers pair them
    label.setWordWrap(True)
    return field_row(form, label, row, name)


def value_of(widget: QWidget) -> object:
    """What a field's input holds, as the presenter takes it: text as typed, the chosen value
    (None: the empty item), ticked or not, the ticked rows' codes in table order."""
    if isinstance(widget, QLineEdit):
        return widget.text()
    if isinstance(widget, QComboBox):
        return widget.currentData()
    if isinstance(widget, QCheckBox):
        return widget.isChecked()
    if isinstance(widget, QListWidget):
        return tuple(
            str(widget.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(widget.count())
            if widget.item(i).checkState() is Qt.CheckState.Checked
        )
    raise TypeError(f"no value for {widget.objectName()}")


def change_signal(widget: QWidget) -> SignalInstance:
    """The signal a field's input emits when the pharmacist changes it."""
    if isinstance(widget, QLineEdit):
        return widget.textChanged
    if isinstance(widget, QComboBox):
        return widget.currentIndexChanged
    if isinstance(widget, QCheckBox):
        return widget.toggled
    if isinstance(widget, QListWidget):
        return widget.itemChanged
    raise TypeError(f"no change signal for {widget.objectName()}")

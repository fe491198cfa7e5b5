"""The field registry against the widgets: the order form and the double check show every
field they declare, with the declared object name, label and choices, and no other field.

The command line, the worksheet and the journal: tests/unit/test_field_registry.py.
"""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QWidget,
)

from ixempra_gui.presentation.fields import Place, Widget, on
from ixempra_gui.presentation.order_view import FormInput
from ixempra_gui.presentation.preferences import Preferences
from ixempra_gui.presentation.verify_check import VerifyCheck
from ixempra_gui.ui.order_form import OrderForm
from ixempra_gui.ui.verify_dialog import VerifyDialog

_CLASS = {
    Widget.LINE: QLineEdit,
    Widget.DATE: QLineEdit,
    Widget.COMBO: QComboBox,
    Widget.CHECK: QCheckBox,
    Widget.TICKS: QListWidget,
}
#: Object names of a field's own input (not a unit selector, a message or a button).
_INPUT = re.compile(r".*(?<!Unit)(Input|Combo|Check|List)$")


def _choices(widget: QWidget) -> list[str]:
    if isinstance(widget, QComboBox):
        return [str(widget.itemData(i)) for i in range(widget.count()) if widget.itemData(i)]
    assert isinstance(widget, QListWidget)
    return [str(widget.item(i).data(256)) for i in range(widget.count())]


def test_the_order_form_shows_every_form_field_and_no_other(qtbot) -> None:
    form = OrderForm(Preferences(), "2026-12-04")
    qtbot.addWidget(form)
    declared = on(Place.FORM)
    assert list(form.inputs) == [spec.key for spec in declared]  # in the registry's order
    for spec in declared:
        widget = form.inputs[spec.key]
        assert widget.objectName() == spec.object_name, spec.key
        assert isinstance(widget, _CLASS[spec.widget]), spec.key  # type: ignore[index]
        assert widget.accessibleName() == spec.label, spec.key
        if spec.choices:
            assert _choices(widget) == [value for value, _ in spec.choices], spec.key
        if spec.has_own_unit_selector:
            assert spec.key in form.units, spec.key
    names = {spec.object_name for spec in declared}
    shown = {w.objectName() for w in form.findChildren(QWidget) if _INPUT.match(w.objectName())}
    assert shown == names  # no input outside the registry
    # the labels carry the registry's accelerators (Alt+letter jumps to the field)
    texts = {label.text() for label in form.findChildren(QLabel)}
    assert {spec.text for spec in declared if spec.widget is not Widget.CHECK} <= texts


def test_the_double_check_shows_every_reentered_field_and_no_other(qtbot) -> None:
    first = FormInput(regimen="monotherapy", height="170 cm", weight="70 kg")
    check = VerifyCheck(first, Preferences(), "MRN-1", date.today(), date.today(), datetime.now)
    dialog = VerifyDialog(check)
    qtbot.addWidget(dialog)
    declared = on(Place.VERIFY)
    for spec in declared:
        widget = dialog.findChild(QWidget, spec.verify_name)
        assert widget is not None, spec.key
        assert isinstance(widget, _CLASS[spec.widget]), spec.key  # type: ignore[index]
        assert widget.accessibleName() == f"Second entry: {spec.label}", spec.key
        if isinstance(widget, QLineEdit):
            assert widget.text() == "" and widget.placeholderText() == spec.blind_example
        if isinstance(widget, QComboBox):
            assert widget.currentData() is None, spec.key  # nothing pre-selected
    assert set(dialog.widgets) == {spec.key for spec in declared if spec.reentered}
    names = {spec.verify_name for spec in declared}
    shown = {
        w.objectName()
        for w in dialog.findChildren(QWidget)
        if w.objectName().startswith("verify") and _INPUT.match(w.objectName())
    }
    assert shown == names

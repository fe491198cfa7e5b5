"""The order form: collects text exactly as typed and shows what the session says of it.

Every field is built from the field registry (``ui.field_widgets``: numbers are typed into
QLineEdit, never spin boxes, which silently revert bad input and change on mouse-wheel scroll).
Every edit emits ``changed`` and the window forwards ``form_input()`` to the session; the
session's answers come back as ``show_messages`` (each field's message beside it),
``show_form`` (an order the session changed itself: New order, or "values checked" un-ticked),
``set_hints`` and ``apply_preferences``. While it shows what it was given, the form holds its own
``changed`` back: rendering is never mistaken for an edit.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QVBoxLayout,
    QWidget,
)

from ixempra_gui.presentation import loader as presentation_loader
from ixempra_gui.presentation.fields import (
    SECTION_TITLES,
    FieldSpec,
    MessageKind,
    Place,
    Widget,
    on,
)
from ixempra_gui.presentation.preferences import Preferences
from ixempra_gui.ui.field_widgets import (
    add_row,
    change_signal,
    make_input,
    make_unit_combo,
    value_of,
)
from ixempra_gui.ui.form_rows import EnterMovesOn, mark_field, message_label

if TYPE_CHECKING:
    from ixempra_gui.presentation.order_state import FieldMessage, FormInput

_STATE = {MessageKind.ERROR: "error", MessageKind.WARNING: "warning", MessageKind.NOTE: ""}


#: The ULNs: the site's default in a new order (Preferences), read with their lab's unit.
_ULNS = tuple(
    spec.key for spec in on(Place.FORM) if spec.unit_selector and not spec.has_own_unit_selector
)


class OrderForm(QWidget):
    """Every input of the order, with its unit selector, date, label and inline message."""

    changed = Signal()

    def __init__(
        self,
        prefs: Preferences,
        today: str,
        parent: QWidget | None = None,
        event_filters: bool = True,
    ) -> None:
        """``today``: the session's day (YYYY-MM-DD), the dates of the first order: one clock
        for the window, so a window opened just before midnight is not a day out of step."""
        super().__init__(parent)
        self.setObjectName("orderForm")
        self.inputs: dict[str, QWidget] = {}
        self.units: dict[str, QComboBox] = {}
        self.messages: dict[str, QLabel] = {}
        self._hints: dict[str, str] = {}
        self._enter = EnterMovesOn(self)
        self._chain: list[QWidget] = []
        self._date_keys: list[str] = []  # the dates, today in a new order

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self._build_fields(layout)
        for key in self._date_keys:
            date_input = self.inputs[key]
            assert isinstance(date_input, QLineEdit), key
            date_input.setText(today)
        acknowledge, events = self.inputs["acknowledge_warnings"], self.inputs["worst_events"]
        assert isinstance(acknowledge, QCheckBox) and isinstance(events, QListWidget)
        self.acknowledge, self.worst_events = acknowledge, events

        # Messages for inputs this form has no field for (a newer core may report them).
        self.other_messages = message_label("otherMessages")
        layout.addWidget(self.other_messages)
        layout.addStretch(1)

        self._filtered = False
        if event_filters:
            self.install_event_filters()
        for first, second in zip(self._chain, self._chain[1:], strict=False):
            QWidget.setTabOrder(first, second)
        self.apply_preferences(prefs, initial=True)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Enter moves on (``EnterMovesOn``); a field that loses focus gives back the line
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

    def _build_fields(self, layout: QVBoxLayout) -> None:
        """Every field of the registry the form shows, in its section's group box, in the
        registry's order; a field of no group (the acknowledgement) below them."""
        fields = on(Place.FORM)
        for section, title in SECTION_TITLES.items():
            members = [spec for spec in fields if spec.section is section]
            if members:
                group = self._group(title, layout)
                for spec in members:
                    self._add_field(group, spec)
        for spec in fields:
            if spec.section not in SECTION_TITLES:
                self._add_field(layout, spec)

    def _group(self, title: str, parent_layout: QVBoxLayout) -> QFormLayout:
        box = QGroupBox(title)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        parent_layout.addWidget(box)
        return form

    def _add_field(self, where: QFormLayout | QVBoxLayout, spec: FieldSpec) -> None:
        """One field's input (and unit selector) from its declaration, wired to ``changed``."""
        field = make_input(spec)
        change_signal(field).connect(self.changed)
        row = [field]
        if spec.has_own_unit_selector:
            combo = make_unit_combo(spec)
            change_signal(combo).connect(self.changed)
            self.units[spec.key] = combo
            row.append(combo)
        if isinstance(where, QFormLayout):
            self.messages[spec.key] = add_row(where, spec, row)
        else:
            where.addWidget(field)  # a tick of its own under the groups: no message line
        if spec.widget is Widget.DATE:
            self._date_keys.append(spec.key)
        self.inputs[spec.key] = field
        self._hints[spec.key] = spec.description
        self._chain.extend(row)

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
        """The order exactly as it stands in the form: each field's value, each selector's
        unit (a combo's empty item: None, "not entered")."""
        values = {key: value_of(widget) for key, widget in self.inputs.items()}
        units = {f"{key}_unit": str(combo.currentData()) for key, combo in self.units.items()}
        return presentation_loader.order_state.FormInput.from_values({**values, **units})

    def checked_events(self) -> tuple[str, ...]:
        """The Table 1 rows ticked, in table order."""
        ticked = value_of(self.worst_events)
        assert isinstance(ticked, tuple)
        return ticked

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
            text = "\n".join(m.shown for m in found)
            if label.text() != text:
                keep = not text and self.inputs[key].hasFocus() and label.isVisibleTo(self)
                label.setMinimumHeight(label.height() if keep else 0)
                label.setText(text)
                label.setVisible(bool(text) or keep)
                if text:
                    self._measure_again(label)
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
            m.shown for key, found in messages.items() if key not in self.messages for m in found
        ]
        if self.other_messages.text() != "\n".join(orphans):
            self.other_messages.setText("\n".join(orphans))
            self.other_messages.setVisible(bool(orphans))

    @staticmethod
    def _measure_again(label: QLabel) -> None:
        """The first layout pass gives a new message row its size hint's height, not its height
        for the width (a long warning under a check box was cut to a few lines): once that pass
        is done, have the form measure the row again."""
        QTimer.singleShot(0, label, partial(_fit, label))

    def show_form(self, form: FormInput, prefs: Preferences, fresh: bool = False) -> None:
        """Show an order the session set itself; ``changed`` is held back (the session has
        calculated it already); the fields' own signals are not (a line edit's clear button
        follows its text through them). ``fresh``: a new order, whose upper limits of normal
        are the site's defaults and which keeps no message line of the last patient."""
        blocked = self.blockSignals(True)
        try:
            for key, widget in self.inputs.items():
                _show_value(widget, getattr(form, key))
            for key, combo in self.units.items():
                _show_value(combo, getattr(form, f"{key}_unit"))
            if fresh:
                for key in _ULNS:
                    self.inputs[key].setProperty("defaultText", getattr(prefs, key))
        finally:
            self.blockSignals(blocked)
        if fresh:
            for label in self.messages.values():
                label.setMinimumHeight(0)
                label.setText("")
                label.hide()

    def apply_preferences(self, prefs: Preferences, initial: bool = False) -> None:
        """Default units and ULNs from the preferences, only where nothing has been typed yet
        (changing the unit under a typed bare number would change its meaning)."""
        for key, combo in self.units.items():
            if initial or not self._text(key).strip():
                index = combo.findData(prefs.default_unit(key))
                if index >= 0:
                    combo.setCurrentIndex(index)
        for key in _ULNS:
            edit = self.inputs[key]
            assert isinstance(edit, QLineEdit)
            previous = edit.property("defaultText")
            if initial or not edit.text().strip() or edit.text() == previous:
                edit.setText(getattr(prefs, key))
                edit.setProperty("defaultText", getattr(prefs, key))


def _show_value(widget: QWidget, value: object) -> None:
    """Set one field to ``value``; a field that already shows it is left alone (a line edit
    keeps its cursor, nothing is repainted)."""
    if isinstance(widget, QLineEdit):
        if widget.text() != value:
            widget.setText(str(value))
    elif isinstance(widget, QComboBox):
        index = 0 if value is None else widget.findData(value)  # None: the first item
        if index >= 0 and index != widget.currentIndex():
            widget.setCurrentIndex(index)
    elif isinstance(widget, QCheckBox):
        if widget.isChecked() != bool(value):
            widget.setChecked(bool(value))
    elif isinstance(widget, QListWidget):
        ticked = set(value) if isinstance(value, tuple) else set()
        for i in range(widget.count()):
            item = widget.item(i)
            wanted = (
                Qt.CheckState.Checked
                if item.data(Qt.ItemDataRole.UserRole) in ticked
                else Qt.CheckState.Unchecked
            )
            if item.checkState() != wanted:
                item.setCheckState(wanted)


def _fit(label: QLabel) -> None:
    """Lay the message's form out again only when its row was cut (most messages fit: no
    extra layout pass on the keystroke path, bench/startup.py)."""
    parent = label.parentWidget()
    layout = parent.layout() if parent is not None else None
    cut = label.isVisible() and label.height() < label.heightForWidth(label.width())
    if layout is not None and cut:
        layout.invalidate()

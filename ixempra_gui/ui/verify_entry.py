"""The second pharmacist's entry in the double check: one input per re-entered field, built
from the field registry by ``ui.field_widgets`` (blind: empty, no example value, nothing of
the first entry, not even a default ULN or a choice), the reduction confirmation and the
values-checked tick (the verifier's own acts, never copied), each with its message line.

``SecondEntryForm`` builds the entry, reads it back as a ``SecondEntry`` and shows each field's
message; ``verify_dialog`` does the rest (who checks, Compare, Sign). Every edit emits
``changed``.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QWidget,
)

from ixempra_gui.presentation.fields import MessageKind, field
from ixempra_gui.presentation.order_state import FieldMessage
from ixempra_gui.presentation.preferences import Preferences
from ixempra_gui.presentation.verify_view import SecondEntry
from ixempra_gui.ui.field_widgets import (
    add_row,
    change_signal,
    make_input,
    make_unit_combo,
    value_of,
)
from ixempra_gui.ui.form_rows import mark_field

_STATE = {MessageKind.ERROR: "error", MessageKind.WARNING: "warning"}


#: The colour roles a locked input draws its text and background with; a disabled one keeps
#: the active colours so it stays readable (WCAG contrast ≥ 4.5:1, tests/gui/test_contrast.py).
LOCKED_ROLES = (
    (QPalette.ColorRole.Text, QPalette.ColorRole.Base),
    (QPalette.ColorRole.ButtonText, QPalette.ColorRole.Button),
    (QPalette.ColorRole.WindowText, QPalette.ColorRole.Window),
)


def lock(widget: QWidget) -> None:
    """After Compare the entry is locked but stays readable: text fields become read-only (not
    greyed out), choices and ticks are disabled with their text in the active colours (the
    style's grey on grey is below 2:1)."""
    if isinstance(widget, QLineEdit):
        widget.setReadOnly(True)
        return
    palette = QPalette(widget.palette())
    for text, background in LOCKED_ROLES:
        for role in (text, background):
            active = palette.color(QPalette.ColorGroup.Active, role)
            palette.setColor(QPalette.ColorGroup.Disabled, role, active)
    widget.setPalette(palette)
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
        self.regimen = self.widgets["regimen"]
        self.confirm = self._own_act(form, "confirm_reduction", with_message=True)
        self.acknowledge = self._own_act(form, "acknowledge_warnings", with_message=False)

    # --- building ---------------------------------------------------------------------------

    def _entry_field(self, form: QFormLayout, key: str) -> None:
        """One re-entered field, built from its declaration (presentation/fields.py): empty,
        no example value, its unit selector on the site's default unit."""
        spec = field(key)
        widget = make_input(spec, blind=True)
        change_signal(widget).connect(self.changed)
        row = [widget]
        if spec.has_own_unit_selector:
            combo = make_unit_combo(spec, blind=True)
            combo.setCurrentIndex(max(0, combo.findData(self.prefs.default_unit(key))))
            change_signal(combo).connect(self.changed)
            self.units[key] = combo
            row.append(combo)
        if isinstance(widget, QLineEdit):
            self.inputs[key] = widget
        self.widgets[key] = widget
        self.messages[key] = add_row(form, spec, row, blind=True)

    def _own_act(self, form: QFormLayout, key: str, with_message: bool) -> QCheckBox:
        """The verifier's own confirmation or acknowledgement (never copied from the first)."""
        spec = field(key)
        check = make_input(spec, blind=True)
        assert isinstance(check, QCheckBox)
        check.toggled.connect(self.changed)
        if with_message:
            self.messages[key] = add_row(form, spec, [check], blind=True)
        else:
            form.addRow(check)
        return check

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
        given = {key: value_of(widget) for key, widget in self.widgets.items()}
        values = {key: value for key, value in given.items() if value is not None}
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

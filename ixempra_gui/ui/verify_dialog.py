"""The independent double check: a second pharmacist re-enters the order without seeing the
first entry, the two are compared, and a matching (or explained) check is signed into the
journal.

Nothing of the first entry is shown here until Compare: every field starts empty, and the main
window covers its own form and result while this dialog is open. After Compare the verifier's
entry is locked (what was compared is what is recorded); a wrong entry is cancelled and the
check started again. The rules are the journal's (``compare``, ``sign_off_problems``, the
history checks and ``Journal.record``); the dialog only collects text and shows what they say.
The journal is written on a worker thread, so a locked journal never freezes the window; the
record id is shown only once ``Journal.record`` returned after its commit.
"""

from __future__ import annotations

import itertools
import sys
import threading
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QFont, QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ixempra_gui.presentation.fields import MessageKind, StatusKind, field
from ixempra_gui.presentation.preferences import Preferences
from ixempra_gui.ui.field_widgets import (
    add_row,
    change_signal,
    make_input,
    make_unit_combo,
    value_of,
)
from ixempra_gui.ui.order_form import _MESSAGE_PREFIX, _EnterMovesOn
from ixempra_gui.ui.widgets import mark_field

if TYPE_CHECKING:
    from ixempra_gui.core.models import DoseResult, Order
    from ixempra_gui.journal.double_check import Comparison
    from ixempra_gui.journal.entries import StoredRecord
    from ixempra_gui.journal.history import History
    from ixempra_gui.presentation.order_view import FormInput, ViewState


def lock(widget: QWidget) -> None:
    """After Compare the entry is locked but stays readable: text fields become read-only (not
    greyed out), choices and ticks are disabled."""
    if isinstance(widget, QLineEdit):
        widget.setReadOnly(True)
    else:
        widget.setEnabled(False)


def _now() -> datetime:
    return datetime.now().replace(second=0, microsecond=0)


class _Bridge(QObject):
    """Carries the worker thread's outcome to the GUI thread (a queued signal)."""

    done = Signal(object)


def _record_on_thread(bridge: _Bridge, new: Any, acknowledged: list[str]) -> None:
    """Open the journal and record; the StoredRecord (after COMMIT) or the exception goes back."""
    from ixempra_gui.journal.store import Journal

    try:
        with Journal.open() as journal:
            outcome: object = journal.record(new, acknowledged_warnings=acknowledged)
    except BaseException as exc:  # every failure goes back to the dialog, which says so
        outcome = exc
    bridge.done.emit(outcome)


class VerifyDialog(QDialog):
    """The second pharmacist's entry, the comparison, and signing."""

    recorded = Signal(object)  # the StoredRecord, emitted after the commit returned

    def __init__(
        self,
        first: FormInput,
        prefs: Preferences,
        patient_id: str,
        administered_on: date,
        today: date,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        from ixempra_gui.presentation.history_view import shown_id
        from ixempra_gui.presentation.verify_view import reentered_fields

        self.setObjectName("verifyDialog")
        self.setWindowTitle("Verify: independent double check")
        self.setAccessibleName("Independent double check")
        self.first = first
        self.prefs = prefs
        self.patient_id = patient_id
        self.administered_on = administered_on
        self.today = today
        self.fields = reentered_fields(first)
        self.inputs: dict[str, QLineEdit] = {}
        self.units: dict[str, QComboBox] = {}
        self.messages: dict[str, QLabel] = {}
        self.comparison: Comparison | None = None
        self.history: History | None = None
        self.orders: tuple[Order, Order] | None = None
        self.first_view: ViewState | None = None
        self.record: StoredRecord | None = None
        self.busy = False
        self._enter = _EnterMovesOn(self)
        self._bridge = _Bridge(self)
        self._bridge.done.connect(self._recorded)

        intro = QLabel(
            f"Patient {shown_id(patient_id)}, administered on {administered_on.isoformat()}.\n"
            "Second pharmacist: enter the order again from the source documents (the chart, "
            "the lab report), without looking at the first entry. It is hidden until you "
            "compare; then every difference is listed."
        )
        intro.setObjectName("verifyIntro")
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.PlainText)

        who = QGroupBox("Who checks")
        who_form = self._form(who)
        self.prepared_by = self._name(
            who_form,
            "preparedByInput",
            "&Prepared by (first pharmacist)",
            "Prepared by",
            "The pharmacist who entered and calculated the order.",
        )
        self.verified_by = self._name(
            who_form,
            "verifiedByInput",
            "Verified &by (you, another person)",
            "Verified by",
            "The second pharmacist, who re-enters the order: must be another person.",
        )

        entry = QGroupBox("Your entry: every input that can change the dose")
        entry_form = self._form(entry)
        self.widgets: dict[str, QWidget] = {}  # re-entered key → its input
        for key in self.fields:
            self._entry_field(entry_form, key)
        self.regimen = self.widgets["regimen"]
        self.confirm = self._own_act(entry_form, "confirm_reduction", with_message=True)
        self.acknowledge = self._own_act(entry_form, "acknowledge_warnings", with_message=False)
        self.entry_problem = self._note("entryProblem", "Your entry: what is missing or wrong")

        self.compare_button = QPushButton("Co&mpare with the first entry")
        self.compare_button.setObjectName("compareButton")
        self.compare_button.setAccessibleName("Compare with the first entry")
        self.compare_button.setAccessibleDescription(
            "Calculates your entry and lists every difference from the first entry. Your "
            "entry is locked afterwards."
        )
        self.compare_button.setAutoDefault(False)
        self.compare_button.clicked.connect(self.compare)

        # --- the comparison (hidden until Compare) ---------------------------------------
        self.comparison_box = QGroupBox("Comparison")
        self.comparison_box.setObjectName("comparisonBox")
        column = QVBoxLayout(self.comparison_box)
        self.summary = self._note("comparisonSummary", "Comparison result")
        bold = QFont(self.summary.font())
        bold.setBold(True)
        self.summary.setFont(bold)
        self.compared = self._note("comparedFields", "What was compared")
        self.differences = QListWidget()
        self.differences.setObjectName("differencesList")
        self.differences.setAccessibleName("Differences between the two entries")
        self.differences.setWordWrap(True)
        self.differences.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.history_warnings = self._note("verifyHistoryWarnings", "History warnings")
        self.history_warnings.setFont(bold)
        self.acknowledge_history = QCheckBox(
            "I have checked the &history warnings above (they are recorded)"
        )
        self.acknowledge_history.setObjectName("acknowledgeHistoryCheck")
        self.acknowledge_history.setAccessibleName("History warnings checked")
        self.acknowledge_history.setAccessibleDescription(
            "Required before signing when the patient's history raised warnings."
        )
        self.acknowledge_history.toggled.connect(self._update_sign)
        comment_label = QLabel(
            "C&omment: why each difference is acceptable (required when the entries differ)"
        )
        comment_label.setWordWrap(True)
        self.comment = QPlainTextEdit()
        self.comment.setObjectName("differenceCommentInput")
        self.comment.setAccessibleName("Comment explaining the differences")
        self.comment.setAccessibleDescription(
            "Required when the two entries differ in value; recorded with the check."
        )
        self.comment.setTabChangesFocus(True)
        self.comment.setPlaceholderText("e.g. patient re-weighed today; the first entry is current")
        line = self.comment.fontMetrics().lineSpacing()
        self.comment.setFixedHeight(line * 3 + 12)
        self.comment.textChanged.connect(self._update_sign)
        comment_label.setBuddy(self.comment)
        for widget in (
            self.summary,
            self.compared,
            self.differences,
            self.history_warnings,
            self.acknowledge_history,
            comment_label,
            self.comment,
        ):
            column.addWidget(widget)
        self.sign_problems = self._note("signProblems", "What still prevents signing")
        column.addWidget(self.sign_problems)
        self.comparison_box.hide()

        self.error = self._note("verifyError", "Journal error")
        self.error.setFont(bold)

        self.sign_button = QPushButton("Si&gn as verified")
        self.sign_button.setObjectName("signButton")
        self.sign_button.setAccessibleName("Sign as verified")
        self.buttons = QDialogButtonBox()
        self.buttons.addButton(self.sign_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setObjectName("verifyCancelButton")
        self.cancel_button.setText("Cancel")  # Esc; Alt+C is ANC's
        self.cancel_button.setAccessibleName("Cancel the double check")
        for button in (self.sign_button, self.cancel_button):
            button.setAutoDefault(False)
            button.setDefault(False)
        self.sign_button.clicked.connect(self.sign)
        self.cancel_button.clicked.connect(self.reject)

        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        for widget in (intro, who, entry, self.entry_problem, self.compare_button):
            body_layout.addWidget(widget)
        body_layout.addWidget(self.comparison_box)
        body_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setObjectName("verifyScroll")
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll = scroll

        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

        chain: list[QWidget] = [self.prepared_by, self.verified_by]
        for key in self.fields:
            chain.append(self.widgets[key])
            if key in self.units:
                chain.append(self.units[key])
        chain += [
            self.confirm,
            self.acknowledge,
            self.compare_button,
            self.differences,
            self.acknowledge_history,
            self.comment,
            self.sign_button,
            self.cancel_button,
        ]
        for widget in chain[: chain.index(self.acknowledge) + 1]:
            widget.installEventFilter(self._enter)
        for before, after in itertools.pairwise(chain):
            QWidget.setTabOrder(before, after)
        self.tab_chain = chain
        self.prepared_by.textChanged.connect(self._update_sign)
        self.verified_by.textChanged.connect(self._update_sign)
        self._entry_changed()
        self._fit_to_screen()

    # --- building ---------------------------------------------------------------------------

    def _form(self, box: QGroupBox) -> QFormLayout:
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        return form

    def _note(self, name: str, accessible: str) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.setAccessibleName(accessible)
        label.hide()
        return label

    def _name(
        self, form: QFormLayout, name: str, text: str, accessible: str, description: str
    ) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(name)
        edit.setAccessibleName(accessible)
        edit.setAccessibleDescription(description)
        edit.setToolTip(description)
        edit.setMaxLength(200)
        label = QLabel(text)
        label.setBuddy(edit)
        label.setWordWrap(True)
        form.addRow(label, edit)
        return edit

    def _entry_field(self, form: QFormLayout, key: str) -> None:
        """One re-entered field, built from its declaration (presentation/fields.py): empty,
        no example value, its unit selector on the site's default unit."""
        spec = field(key)
        widget = make_input(spec, blind=True)
        change_signal(widget).connect(self._entry_changed)
        row = [widget]
        if spec.has_own_unit_selector:
            combo = make_unit_combo(spec, blind=True)
            combo.setCurrentIndex(max(0, combo.findData(self.prefs.default_unit(key))))
            change_signal(combo).connect(self._entry_changed)
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
        check.toggled.connect(self._entry_changed)
        if with_message:
            self.messages[key] = add_row(form, spec, [check], blind=True)
        else:
            form.addRow(check)
        return check

    def _fit_to_screen(self) -> None:
        hint = self.sizeHint()
        screen = self.screen()
        if screen is None:
            return
        available = screen.availableGeometry()
        line = self.fontMetrics().height()
        width = min(max(hint.width(), line * 50), int(available.width() * 0.92))
        height = min(max(hint.height(), line * 52), int(available.height() * 0.92))
        self.resize(width, height)

    # --- the second entry -------------------------------------------------------------------

    def second_entry(self) -> Any:
        from ixempra_gui.presentation.verify_view import SecondEntry

        given = {key: value_of(widget) for key, widget in self.widgets.items()}
        values = {key: value for key, value in given.items() if value is not None}
        return SecondEntry(
            values=values,
            units={key: str(combo.currentData()) for key, combo in self.units.items()},
            acknowledge_warnings=self.acknowledge.isChecked(),
            confirm_reduction=self.confirm.isChecked(),
        )

    def _calculate_second(self, now: datetime) -> tuple[FormInput, Order, DoseResult, ViewState]:
        from ixempra_gui.core.calculator import calculate
        from ixempra_gui.presentation.order_view import build_order, render
        from ixempra_gui.presentation.verify_view import second_form

        form = second_form(self.first, self.second_entry())
        order = build_order(form, self.prefs, now)
        result = calculate(order)
        return form, order, result, render(form, result)

    def _entry_changed(self) -> None:
        """Each edit: the verifier's own field messages (never anything of the first entry)."""
        if self.comparison is not None:
            return  # locked
        _, _, _, view = self._calculate_second(_now())
        self._show_entry_messages(view, final=False)
        self._update_sign()

    def _show_entry_messages(self, view: ViewState, final: bool) -> None:
        for key, label in self.messages.items():
            found = view.field_messages.get(key, ())
            text = "\n".join(_MESSAGE_PREFIX[m.kind] + m.text for m in found)
            if label.text() != text:
                label.setText(text)
                label.setVisible(bool(text))
            widget = self.widgets.get(key, self.confirm)
            state = next(
                (
                    {MessageKind.ERROR: "error", MessageKind.WARNING: "warning"}[m.kind]
                    for m in found
                    if m.kind is not MessageKind.NOTE
                ),
                "",
            )
            mark_field(widget, state)
        others = [
            _MESSAGE_PREFIX[m.kind] + m.text
            for key, found in view.field_messages.items()
            if key not in self.messages
            for m in found
        ]
        lines = []
        if final and view.kind is StatusKind.INPUT_NEEDED:
            lines.append(f"Your entry is not complete: {view.banner_detail}")
        lines += others
        self.entry_problem.setText("\n".join(lines))
        self.entry_problem.setVisible(bool(lines))

    # --- comparing --------------------------------------------------------------------------

    def compare(self) -> None:
        """Calculate both entries now and list every difference; lock the verifier's entry."""
        if self.comparison is not None or self.busy:
            return
        from ixempra_gui.core.calculator import calculate
        from ixempra_gui.journal.double_check import compare
        from ixempra_gui.journal.store import history_for
        from ixempra_gui.presentation.order_view import build_order, date_issues, render
        from ixempra_gui.presentation.verify_view import (
            compared_line,
            comparison_summary,
            difference_rows,
            history_lines,
            site_settings_line,
        )

        now = _now()
        _, second_order, second_result, second_view = self._calculate_second(now)
        self._show_entry_messages(second_view, final=True)
        if second_view.kind is StatusKind.INPUT_NEEDED:
            self._focus_first_problem()
            return
        first_order = build_order(self.first, self.prefs, now)
        first_result = calculate(first_order)
        self.first_view = render(
            self.first, first_result, date_issues(self.first, self.prefs, self.today)
        )
        self.orders = (first_order, second_order)
        self.comparison = compare(first_result, second_result)
        self.history = history_for(self.patient_id, first_result, self.administered_on)

        for widget in (*self.widgets.values(), *self.units.values(), self.confirm):
            lock(widget)
        lock(self.acknowledge)
        self.compare_button.setEnabled(False)
        self.compare_button.setText("Compared: your entry is locked")

        self.summary.setText(comparison_summary(self.comparison))
        self.summary.show()
        self.compared.setText(f"{compared_line()}\n{site_settings_line(self.prefs)}")
        self.compared.show()
        self.differences.clear()
        rows = difference_rows(self.comparison)
        for row in rows:
            item = QListWidgetItem(("⚠ " if row.material else "= ") + row.text)
            item.setData(Qt.ItemDataRole.UserRole, row.material)
            if row.material:
                font = QFont(self.differences.font())
                font.setBold(True)
                item.setFont(font)
            self.differences.addItem(item)
        if not rows:
            self.differences.addItem("No difference: every input and result is the same.")
        self.differences.setAccessibleDescription(
            "; ".join(row.text for row in rows) or "No difference."
        )
        lines = self.differences.fontMetrics().lineSpacing()
        self.differences.setMinimumHeight(lines * min(8, max(2, len(rows) + 1)) + 8)
        self._show_history(history_lines(self.history))
        self.comparison_box.show()
        self._update_sign()
        self.differences.setFocus()
        # Once the comparison is laid out: scroll it into view, its summary at the top.
        QTimer.singleShot(0, self._scroll_to_comparison)

    def _scroll_to_comparison(self) -> None:
        bar = self.scroll.verticalScrollBar()
        bar.setValue(min(bar.maximum(), self.comparison_box.y()))

    def _show_history(self, lines: tuple[str, ...]) -> None:
        text = "\n".join(f"Warning: {line}" for line in lines)
        self.history_warnings.setText(text)
        self.history_warnings.setVisible(bool(text))
        self.acknowledge_history.setChecked(False)
        self.acknowledge_history.setVisible(bool(text))

    def _focus_first_problem(self) -> None:
        for key in self.fields:
            widget = self.widgets[key]
            needs_choice = key == "regimen" and isinstance(widget, QComboBox)
            if widget.property("state") or (needs_choice and widget.currentData() is None):
                widget.setFocus()
                return
            if isinstance(widget, QLineEdit) and not widget.text().strip():
                widget.setFocus()
                return

    # --- signing ----------------------------------------------------------------------------

    def sign_problems_now(self) -> list[str]:
        """Every reason the check cannot be signed yet, in the journal's words."""
        if self.comparison is None:
            return ["Compare your entry with the first entry before signing."]
        from ixempra_gui.journal.double_check import sign_off_problems
        from ixempra_gui.presentation.verify_view import readable_problems

        problems = readable_problems(
            sign_off_problems(
                self.comparison,
                self.prepared_by.text(),
                self.verified_by.text(),
                self.comment.toPlainText(),
            ),
            self.comparison,
        )
        if self.first_view is not None and not self.first_view.ready:
            problems.append(
                f"The first entry is not ready to prepare now: {self.first_view.banner_detail}"
            )
        warned = self.history is not None and bool(self.history.warnings)
        if warned and not self.acknowledge_history.isChecked():
            problems.append("Tick that you have checked the history warnings.")
        return problems

    def _update_sign(self) -> None:
        problems = self.sign_problems_now()
        self.sign_button.setEnabled(not problems and not self.busy)
        text = "\n".join(f"• {p}" for p in problems)
        if self.comparison is None:
            text = ""  # before Compare the button's tooltip says it; the list stays quiet
        self.sign_problems.setText(("To sign: \n" + text) if text else "")
        self.sign_problems.setVisible(bool(text))
        tip = "\n".join(problems) or "Record this double check in the journal."
        self.sign_button.setToolTip(tip)
        self.sign_button.setAccessibleDescription(tip)

    def sign(self) -> None:
        """Record the signed check on a worker thread; the dialog waits, unclosable."""
        if self.busy or self.comparison is None or self.orders is None:
            return
        if self.sign_problems_now():
            self._update_sign()
            return
        from ixempra_gui.journal.double_check import sign_off
        from ixempra_gui.journal.entries import NewRecord

        signed = sign_off(
            self.comparison,
            self.prepared_by.text(),
            self.verified_by.text(),
            self.comment.toPlainText(),
        )
        new = NewRecord.from_sign_off(
            signed, self.orders[0], self.orders[1], self.patient_id, self.administered_on
        )
        acknowledged = (
            [w.key for w in self.history.warnings]
            if self.history is not None and self.acknowledge_history.isChecked()
            else []
        )
        self._set_busy(True)
        self._show_error("Recording in the journal…")
        threading.Thread(
            target=_record_on_thread,
            args=(self._bridge, new, acknowledged),
            name="ixempra-journal-record",
            daemon=False,  # a commit under way is finished, never cut off at exit
        ).start()

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.cancel_button.setEnabled(not busy)
        for widget in (self.prepared_by, self.verified_by, self.comment, self.acknowledge_history):
            widget.setEnabled(not busy)
        if busy:
            self.sign_button.setEnabled(False)
        else:
            self._update_sign()

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def _recorded(self, outcome: object) -> None:
        from ixempra_gui.journal.entries import StoredRecord
        from ixempra_gui.journal.errors import (
            HistoryNotAcknowledged,
            InvalidRecord,
            JournalError,
            RecordRefused,
        )
        from ixempra_gui.presentation.verify_view import history_lines

        self._set_busy(False)
        if isinstance(outcome, StoredRecord):  # committed: from here on the record exists
            self.record = outcome
            self._show_error(f"Recorded: journal record {outcome.id}.")
            self.recorded.emit(outcome)
            self.accept()
            return
        nothing = "Nothing was recorded; your entry and the form are kept."
        if isinstance(outcome, HistoryNotAcknowledged):
            self.history = outcome.history
            self._show_history(history_lines(self.history))
            self._show_error(
                "The patient's history changed since Compare (another dose was recorded?): "
                f"check the warnings and tick again. {nothing}"
            )
        elif isinstance(outcome, InvalidRecord):
            self._show_error(f"{outcome} {nothing}")
        elif isinstance(outcome, RecordRefused):
            self._show_error(f"Refused: {outcome}. {nothing}")
        elif isinstance(outcome, JournalError):
            message = str(outcome)
            if "NOT recorded" not in message:
                message = f"The dose was NOT recorded: {message}"
            self._show_error(f"{message}\n{nothing}")
        else:
            self._show_error(f"The dose was NOT recorded: unexpected error {outcome!r}. {nothing}")
            if isinstance(outcome, BaseException):
                sys.excepthook(type(outcome), outcome, outcome.__traceback__)
        self._update_sign()

    # --- closing ----------------------------------------------------------------------------

    def reject(self) -> None:
        if self.busy:
            return  # a commit is under way: its outcome must be seen
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.busy:
            event.ignore()
            return
        super().closeEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.busy and event.key() == Qt.Key.Key_Escape:
            return
        super().keyPressEvent(event)

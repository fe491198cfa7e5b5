"""The independent double check: a second pharmacist re-enters the order without seeing the
first entry, the two are compared, and a matching (or explained) check is signed into the
journal.

Nothing of the first entry is shown here until Compare: every field starts empty, and the main
window covers its own form and result while this dialog is open. After Compare the verifier's
entry is locked (what was compared is what is recorded); a wrong entry is cancelled and the
check started again. Every decision is the ``VerifyCheck``'s (Qt-free, the journal's rules);
the dialog collects text and shows what it says. The journal is written on a worker thread, so
a locked journal never freezes the window; the record id is shown only once the record was
committed.
"""

from __future__ import annotations

import itertools
import sys
import threading
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QFont, QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ixempra_gui.presentation.verify_check import (
    READING_HISTORY,
    Compared,
    PendingRecord,
    VerifyCheck,
)
from ixempra_gui.ui.form_rows import EnterMovesOn
from ixempra_gui.ui.off_thread import ThreadRunner
from ixempra_gui.ui.verify_comparison import ComparisonBox, note
from ixempra_gui.ui.verify_entry import SecondEntryForm
from ixempra_gui.ui.verify_who import verifier_sign_in

if TYPE_CHECKING:
    from ixempra_gui.presentation.order_state import ViewState
    from ixempra_gui.presentation.verify_check import Comparison, StoredRecord


class _Bridge(QObject):
    """Carries the worker thread's outcome to the GUI thread (a queued signal)."""

    done = Signal(object)


def _record_on_thread(bridge: _Bridge, pending: PendingRecord) -> None:
    """Write the record; the StoredRecord (after COMMIT) or the exception goes back."""
    bridge.done.emit(VerifyCheck.write(pending))


class VerifyDialog(QDialog):
    """The second pharmacist's entry, the comparison, and signing."""

    def __init__(self, check: VerifyCheck, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("verifyDialog")
        self.setWindowTitle("Verify: independent double check")
        self.setAccessibleName("Independent double check")
        self.check = check
        self.busy = False
        self._enter = EnterMovesOn(self)
        self._bridge = _Bridge(self)
        self._bridge.done.connect(self._recorded)
        self.entry = SecondEntryForm(check.fields, check.prefs)
        self.widgets = self.entry.widgets
        self.entry.changed.connect(self._entry_changed)
        self.entry_problem = note("entryProblem", "Your entry: what is missing or wrong")
        self.comparison_box = ComparisonBox(self._update_sign)
        self.error = note("verifyError", "Journal error")
        bold = QFont(self.error.font())
        bold.setBold(True)
        self.error.setFont(bold)
        self._build_buttons()
        self._build_layout(self._build_who())
        self._chain_tabs()
        self._entry_changed()
        self._fit_to_screen()

    # --- building ---------------------------------------------------------------------------

    def _build_who(self) -> QGroupBox:
        who = QGroupBox("Who checks")
        form = QFormLayout(who)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.prepared_by = self._name(
            form,
            "preparedByInput",
            "&Prepared by (first pharmacist)",
            "Prepared by",
            "The pharmacist who entered and calculated the order.",
        )
        self.verified_by = self._name(
            form,
            "verifiedByInput",
            "Verified &by (you, another person)",
            "Verified by",
            "The second pharmacist, who re-enters the order: must be another person.",
        )
        self.who_note, self.verifier_password = verifier_sign_in(
            form, self.check, (self.prepared_by, self.verified_by), self._update_sign, self
        )
        self.prepared_by.textChanged.connect(self._update_sign)
        self.verified_by.textChanged.connect(self._update_sign)
        return who

    @staticmethod
    def _name(
        form: QFormLayout, name: str, text: str, accessible: str, description: str
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

    def _build_buttons(self) -> None:
        self.compare_button = QPushButton("Co&mpare with the first entry")
        self.compare_button.setObjectName("compareButton")
        self.compare_button.setAccessibleName("Compare with the first entry")
        self.compare_button.setAccessibleDescription(
            "Calculates your entry and lists every difference from the first entry. Your "
            "entry is locked afterwards."
        )
        self.compare_button.clicked.connect(self.compare)
        self.sign_button = QPushButton("Si&gn as verified")
        self.sign_button.setObjectName("signButton")
        self.sign_button.setAccessibleName("Sign as verified")
        self.buttons = QDialogButtonBox()
        self.buttons.addButton(self.sign_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setObjectName("verifyCancelButton")
        self.cancel_button.setText("Cancel")  # Esc; Alt+C is ANC's
        self.cancel_button.setAccessibleName("Cancel the double check")
        for button in (self.compare_button, self.sign_button, self.cancel_button):
            button.setAutoDefault(False)
            button.setDefault(False)
        self.sign_button.clicked.connect(self.sign)
        self.cancel_button.clicked.connect(self.reject)

    def _build_layout(self, who: QGroupBox) -> None:
        intro = QLabel(self.check.intro)
        intro.setObjectName("verifyIntro")
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.PlainText)
        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        for widget in (intro, who, self.entry, self.entry_problem, self.compare_button):
            body_layout.addWidget(widget)
        body_layout.addWidget(self.comparison_box)
        body_layout.addStretch(1)
        self.scroll_area = QScrollArea()
        self.scroll_area.setObjectName("verifyScroll")
        self.scroll_area.setWidget(body)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout = QVBoxLayout(self)
        layout.addWidget(self.scroll_area, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def _chain_tabs(self) -> None:
        """Tab order; Enter moves on through the entry (it never presses Compare or Sign)."""
        entry: list[QWidget] = [self.prepared_by, self.verified_by]
        if self.check.authenticated:
            entry.append(self.verifier_password)
        entry += self.entry.tab_chain()
        box = self.comparison_box
        chain = [
            *entry,
            self.compare_button,
            box.differences,
            box.acknowledge_history,
            box.comment,
            self.sign_button,
            self.cancel_button,
        ]
        for widget in entry:
            widget.installEventFilter(self._enter)
        for before, after in itertools.pairwise(chain):
            QWidget.setTabOrder(before, after)
        self.tab_chain = chain

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

    # --- the check's state --------------------------------------------------------------------

    @property
    def comparison(self) -> Comparison | None:
        return self.check.comparison

    @property
    def record(self) -> StoredRecord | None:
        return self.check.record

    # --- the second entry ---------------------------------------------------------------------

    def _entry_changed(self) -> None:
        """Each edit: the verifier's own field messages (never anything of the first entry)."""
        if self.check.comparison is not None:
            return  # locked
        self._show_entry(self.check.entry_view(self.entry.second_entry()), final=False)
        self._update_sign()

    def _show_entry(self, view: ViewState, final: bool) -> None:
        self.entry.show_messages(view.field_messages)
        text = self.check.entry_problem(view, self.entry.messages, final)
        self.entry_problem.setText(text)
        self.entry_problem.setVisible(bool(text))

    # --- comparing ----------------------------------------------------------------------------

    def compare(self) -> None:
        """Calculate both entries now and list every difference; lock the verifier's entry."""
        if self.check.comparison is not None or self.busy:
            return
        view, ready = self.check.begin_compare(self.entry.second_entry())
        self._show_entry(view, final=True)
        if not ready:
            self.entry.focus_first_problem()
            return
        self.entry.lock()
        self.compare_button.setEnabled(False)
        self.compare_button.setText("Compared: your entry is locked")
        self._update_sign()  # refused until the history is read
        self._show_error(READING_HISTORY)
        # the journal may wait for a silent server or a locked file: never on this thread
        ThreadRunner(self).run(self.check.read_history, self._history_read, "ixempra-history")

    def _history_read(self, history: object) -> None:
        compared = self.check.finish_compare(history)  # type: ignore[arg-type]
        self._show_error(self.check.history_error)
        self._show_comparison(compared)

    def _show_comparison(self, compared: Compared) -> None:
        self.comparison_box.show_comparison(compared)
        self._update_sign()
        self.comparison_box.differences.setFocus()
        # Once the comparison is laid out: scroll it into view, its summary at the top.
        QTimer.singleShot(0, self._scroll_to_comparison)

    def _scroll_to_comparison(self) -> None:
        bar = self.scroll_area.verticalScrollBar()
        bar.setValue(min(bar.maximum(), self.comparison_box.y()))

    # --- signing ------------------------------------------------------------------------------

    def _signing(self) -> tuple[str, str, str, bool]:
        box = self.comparison_box
        return (
            self.prepared_by.text(),
            self.verified_by.text(),
            box.comment.toPlainText(),
            box.acknowledge_history.isChecked(),
        )

    def sign_problems_now(self) -> list[str]:
        """Every reason the check cannot be signed yet, in the journal's words."""
        return self.check.sign_problems(*self._signing()) + self.check.verifier_problems(
            self.verified_by.text(), self.verifier_password.text()
        )

    def _update_sign(self) -> None:
        problems = self.sign_problems_now()
        self.sign_button.setEnabled(not problems and not self.busy)
        # before Compare the button's tooltip says it; the list stays quiet
        self.comparison_box.show_problems(problems if self.check.comparison else [])
        tip = "\n".join(problems) or "Record this double check in the journal."
        self.sign_button.setToolTip(tip)
        self.sign_button.setAccessibleDescription(tip)

    def sign(self) -> None:
        """Record the signed check on a worker thread; the dialog waits, unclosable."""
        if self.busy or self.check.comparison is None:
            return
        if self.sign_problems_now():
            self._update_sign()
            return
        pending = self.check.pending(*self._signing(), self.verifier_password.text())
        self._set_busy(True)
        self._show_error("Recording in the journal…")
        threading.Thread(
            target=_record_on_thread,
            args=(self._bridge, pending),
            name="ixempra-journal-record",
            daemon=False,  # a commit under way is finished, never cut off at exit
        ).start()

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.cancel_button.setEnabled(not busy)
        box = self.comparison_box
        for widget in (self.prepared_by, self.verified_by, box.comment, box.acknowledge_history):
            widget.setEnabled(not busy)
        self.verifier_password.setEnabled(not busy)
        if busy:
            self.sign_button.setEnabled(False)
        else:
            self._update_sign()

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def _recorded(self, result: object) -> None:
        self._set_busy(False)
        outcome = self.check.outcome(result)  # recorded: the session is told, then we close
        self._show_error(outcome.message)
        if outcome.recorded:
            self.accept()
            return
        if outcome.history_lines is not None:
            self.comparison_box.show_history(outcome.history_lines)
        if outcome.unexpected is not None:
            error = outcome.unexpected
            sys.excepthook(type(error), error, error.__traceback__)
        self._update_sign()

    # --- closing ------------------------------------------------------------------------------

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

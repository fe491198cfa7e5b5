"""Verification in the main window: the Verify button and action, the History panel, the record
id of the signed double check, and the cover that hides the first entry while it is re-entered.

Kept out of ``main_window.py``, which only calls ``render``, ``messages`` and ``text`` (and
``install_action`` once, with its own actions). Every decision is Qt-free (``verify_view``,
``history_view``, the journal); this module wires them to the window. The journal is read once
per patient identifier, after typing pauses (``HISTORY_DEBOUNCE_MS``), never on a keystroke;
the History panel then follows the edits of the order and the date from those doses, at no disk
cost, redrawn once typing pauses (``PANEL_DELAY_MS``) so a keystroke's path to the new dose
stays as short as before (bench/startup.py). Verify's state and the record line follow every
keystroke at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QLabel, QMenu, QStackedWidget, QWidget

from ixempra_gui import APP_NAME
from ixempra_gui.presentation.fields import NOT_VERIFIED
from ixempra_gui.ui.history_panel import HistoryPanel
from ixempra_gui.ui.widgets import set_text

if TYPE_CHECKING:
    from PySide6.QtGui import QAction

    from ixempra_gui.journal.entries import PatientDose, StoredRecord
    from ixempra_gui.presentation.order_view import FieldMessage, FormInput, ViewState
    from ixempra_gui.presentation.preferences import Preferences
    from ixempra_gui.ui.main_window import MainWindow

#: The journal is read this long after the last keystroke in the patient identifier.
HISTORY_DEBOUNCE_MS = 300
#: The History panel is redrawn this long after the last edit (the dose is not waited for).
PANEL_DELAY_MS = 40
_NOT_READY = "Verify is available only for a dose that is ready to prepare."
_VERIFY_TIP = (
    "Independent double check: a second pharmacist re-enters the order, the two are compared, "
    "and the check is signed into the journal (Ctrl+Shift+V)."
)


class Verification(QObject):
    """Verify, the History panel and the journal record of one main window."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.button = window.result_panel.verify_button
        self.record_label = window.result_panel.record_label

        # While the double check is open the first entry is covered: the second pharmacist
        # must not see it (issue 6).
        self.cover = QLabel(
            "Independent double check in progress.\nThe first entry is hidden while the second "
            "pharmacist re-enters the order; the double-check window lists the differences."
        )
        self.cover.setObjectName("verifyCover")
        self.cover.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.cover.setWordWrap(True)
        self.main_view = window.takeCentralWidget()
        self.central = QStackedWidget()
        self.central.setObjectName("centralStack")
        self.central.addWidget(self.main_view)
        self.central.addWidget(self.cover)
        window.setCentralWidget(self.central)

        self.panel = HistoryPanel()
        window.result_panel.add_section("Patient history (journal)", self.panel, index=0)
        self.doses: tuple[PatientDose, ...] | None = None
        self.error: str | None = None
        self.read_for: str | None = None  # the identifier the doses were read for
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(HISTORY_DEBOUNCE_MS)
        self.timer.timeout.connect(self.load_history)
        self.panel_timer = QTimer(self)
        self.panel_timer.setSingleShot(True)
        self.panel_timer.setInterval(PANEL_DELAY_MS)
        self.panel_timer.timeout.connect(self.render_history)
        window.form.inputs["patient_id"].textChanged.connect(self._patient_changed)

        self.verified: tuple[StoredRecord, FormInput, Preferences] | None = None
        self.dialog: QWidget | None = None
        self.action: QAction | None = None  # see install_action
        self._set_verify(_NOT_READY)

    def install_action(self, file_menu: QMenu) -> None:
        """Verify in the File menu (before Preferences) with its shortcut, and on the button.
        The window calls it with its own actions: just after the first frame in ``app.main``
        (the button is disabled until then: nothing is ready to verify)."""
        from PySide6.QtGui import QAction, QKeySequence

        self.action = QAction("V&erify (independent double check)…", self.window)
        self.action.setObjectName("verifyAction")
        self.action.setShortcut(QKeySequence("Ctrl+Shift+V"))
        self.action.triggered.connect(self.verify)
        before = next(
            (a for a in file_menu.actions() if a.objectName() == "preferencesAction"), None
        )
        file_menu.insertAction(before, self.action)
        file_menu.insertSeparator(before)
        self.button.clicked.connect(self.action.trigger)
        self.action.setEnabled(self.button.isEnabled())  # the action follows the button
        self.action.setToolTip(self.button.toolTip())

    # --- what the window shows --------------------------------------------------------------

    def messages(self) -> dict[str, tuple[FieldMessage, ...]]:
        """Inline messages for the identifier and the administration date: the journal's
        checks. They never stop the dose; they stop Verify and the history."""
        form = self.window.form_snapshot
        if form is None:
            return {}
        from ixempra_gui.presentation.history_view import (
            administration_date,
            patient_id_problem,
            patient_id_text,
        )
        from ixempra_gui.presentation.order_view import FieldMessage, MessageKind

        messages = {}
        problem = patient_id_problem(patient_id_text(form.patient_id))
        if problem:
            messages["patient_id"] = (FieldMessage(MessageKind.ERROR, problem),)
        _, date_problem = administration_date(form.administered_on, self.window.today())
        if date_problem:
            messages["administered_on"] = (FieldMessage(MessageKind.ERROR, date_problem),)
        return messages

    def render(self, view: ViewState) -> None:
        """Verify's state, the record line and the History panel for the form as it stands."""
        self._set_verify(self.blocker(view))
        set_text(self.record_label, self.text() or self._not_verified())
        self.panel_timer.start()

    def blocker(self, view: ViewState | None) -> str | None:
        """Why Verify is unavailable now (None: it is available)."""
        from ixempra_gui.presentation.history_view import patient_id_text
        from ixempra_gui.presentation.verify_view import verify_blocker

        form = self.window.form_snapshot
        if view is None or form is None:
            return _NOT_READY
        return verify_blocker(
            view.ready,
            view.not_ready,
            patient_id_text(form.patient_id),
            form.administered_on,
            self.window.today(),
            self.this_record(),
        )

    def _set_verify(self, blocker: str | None) -> None:
        enabled = blocker is None
        if self.action is not None:
            self.action.setEnabled(enabled)
        self.button.setEnabled(enabled)
        tip = blocker or _VERIFY_TIP
        if self.button.toolTip() != tip:
            self.button.setToolTip(tip)
            self.button.setAccessibleDescription(tip)
            if self.action is not None:
                self.action.setToolTip(tip)

    def signed_record(self) -> StoredRecord | None:
        """The journal record of this very order's double check, or None (not verified, or the
        order or the preferences changed since it was signed: then it is an earlier dose)."""
        form = self.window.form_snapshot
        if self.verified is None or form is None:
            return None
        record, signed_form, prefs = self.verified
        if signed_form != form or prefs != self.window.prefs:
            return None
        return record

    def verified_order(self) -> tuple[FormInput, Preferences] | None:
        """The last order signed in this window, with the preferences it was signed with."""
        return None if self.verified is None else (self.verified[1], self.verified[2])

    def reset(self) -> None:
        """A new order: nothing verified, no patient's doses (the journal is read again for
        the identifier the new order keeps, once the window has calculated it)."""
        self.verified = None
        self.doses, self.error, self.read_for = None, None, None
        self.timer.stop()
        self.panel_timer.stop()

    def this_record(self) -> int | None:
        """The id of ``signed_record``: the History panel and the coverage's dosing limit
        count that record as this dose, never as an earlier one (history_view)."""
        record = self.signed_record()
        return None if record is None else record.id

    def text(self) -> str | None:
        """The record line of this very order's double check, or None: for the worksheet."""
        record = self.signed_record()
        if record is None:
            return None
        from ixempra_gui.presentation.verify_view import record_line

        return record_line(record)

    def _not_verified(self) -> str:
        if self.verified is None:
            return NOT_VERIFIED
        return (
            f"{NOT_VERIFIED} The order changed after journal record {self.verified[0].id} was "
            "signed: verify again."
        )

    # --- the History panel ------------------------------------------------------------------

    def _patient_changed(self) -> None:
        """A keystroke in the identifier: the panel says it is reading; the journal is read
        once typing pauses. Typed over a verified order, it is another patient: the window
        starts a new order that keeps this identifier (no question: the dose was verified)."""
        if self.window.clearing:
            return  # New order: the window reads the journal for the identifier it keeps
        from ixempra_gui.presentation.session import identifier_starts_new_order

        form = self.window.form.form_input()
        if identifier_starts_new_order(form, self.verified_order(), self.window.prefs):
            self.window.new_order(ask=False, keep_patient_id=True)
            return
        self.doses, self.error, self.read_for = None, None, None
        self.timer.start()
        self.render_history()  # at once: never another patient's doses under this identifier
        self.window.refresh_coverage()

    def load_history(self) -> None:
        """Read the patient's verified doses (no journal is ever created here), then show."""
        self.timer.stop()
        from ixempra_gui.presentation.history_view import patient_id_problem, patient_id_text

        patient = patient_id_text(self.window.form.form_input().patient_id)
        self.doses, self.error = None, None
        if patient:
            from ixempra_gui.journal.errors import JournalAltered, JournalError
            from ixempra_gui.journal.store import read_patient_doses

            if patient_id_problem(patient) is None:
                try:
                    self.doses = read_patient_doses(patient)
                except JournalAltered as exc:  # never a partial history (issue 13.2)
                    self.error = str(exc)
                except JournalError as exc:
                    self.error = f"the journal could not be read: {exc}"
        self.read_for = patient
        self.render_history()
        self.window.refresh_coverage()  # its dosing limit now counts the doses already given

    def prior_units(self) -> int | None:
        """Units of this patient's verified doses in the policy's window before the
        administration date, once the journal has been read for the identifier as typed;
        None while not known (no identifier, not read yet, unreadable, no usable date)."""
        form = self.window.form_snapshot
        if form is None or self.doses is None:
            return None
        from ixempra_gui.presentation.history_view import (
            administration_date,
            patient_id_text,
            units_before,
        )

        if self.read_for != patient_id_text(form.patient_id):
            return None
        when, problem = administration_date(form.administered_on, self.window.today())
        if when is None or problem:
            return None
        return units_before(self.doses, when, self.this_record())

    def render_history(self) -> None:
        """The History panel for the form and the calculation as they stand."""
        self.panel_timer.stop()
        form, view = self.window.form_snapshot, self.window.view
        if form is None or view is None:
            return
        from ixempra_gui.presentation.history_view import (
            administration_date,
            history_view,
            patient_id_problem,
            patient_id_text,
        )

        patient = patient_id_text(form.patient_id)
        problem = patient_id_problem(patient) if patient else None
        current = self.read_for == patient
        doses = self.doses if current else None
        if patient and not current and problem is None and not self.timer.isActive():
            self.timer.start()  # e.g. the first calculation of a form typed before it
        when, date_problem = administration_date(form.administered_on, self.window.today())
        self.panel.render(
            history_view(
                patient,
                doses,
                view.result,
                when,
                problem or (self.error if current else None),
                date_problem,
                self.this_record(),
            )
        )

    # --- the double check -------------------------------------------------------------------

    def verify(self) -> None:
        """Open the double check for the form as it stands (recalculated now)."""
        window = self.window
        if self.dialog is not None:
            return
        window.recalculate()
        blocker = self.blocker(window.view)
        form = window.form_snapshot
        if blocker is not None or form is None:
            from PySide6.QtWidgets import QMessageBox  # not before the first frame (start-up)

            QMessageBox.information(window, APP_NAME, blocker or _NOT_READY)
            return
        from ixempra_gui.presentation.history_view import administration_date, patient_id_text
        from ixempra_gui.ui.verify_dialog import VerifyDialog

        when, _ = administration_date(form.administered_on, window.today())
        assert when is not None  # the blocker said the date is usable
        dialog = VerifyDialog(
            form, window.prefs, patient_id_text(form.patient_id), when, window.today(), window
        )
        dialog.recorded.connect(lambda record: self._recorded(record, form))
        dialog.finished.connect(self._closed)
        self.dialog = dialog
        self.central.setCurrentWidget(self.cover)
        dialog.open()

    def _recorded(self, record: StoredRecord, form: FormInput) -> None:
        """The check is in the journal (its commit returned): show the record id."""
        self.verified = (record, form, self.window.prefs)
        self.window.statusBar().showMessage(
            f"Verified and recorded: journal record {record.id}.", 15000
        )
        self.load_history()  # the panel now lists this dose too
        if self.window.view is not None:
            self.render(self.window.view)

    def _closed(self) -> None:
        dialog, self.dialog = self.dialog, None
        self.central.setCurrentWidget(self.main_view)
        if dialog is not None:
            dialog.deleteLater()
        self.window.recalculate()

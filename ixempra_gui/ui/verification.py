"""Verification in the main window: the Verify button and action, the record line of the signed
double check, the History panel, and opening the double-check dialog.

Every decision is the session's (``presentation.session``: the signed record, whether Verify is
available and why not, the patient's doses read from the journal once typing pauses); this
module renders what it publishes and forwards Verify. It knows the result panel it lives in
and the session, never the main window.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMenu, QWidget

from ixempra_gui import APP_NAME
from ixempra_gui.presentation.signed_check import INITIAL_VERIFY
from ixempra_gui.ui import loader
from ixempra_gui.ui.history_panel import HistoryPanel
from ixempra_gui.ui.widgets import set_text

if TYPE_CHECKING:
    from PySide6.QtGui import QAction

    from ixempra_gui.presentation.session import Session
    from ixempra_gui.presentation.signed_check import VerifyState
    from ixempra_gui.presentation.verify_check import VerifyCheck
    from ixempra_gui.ui.result_panel import ResultPanel
    from ixempra_gui.ui.verify_dialog import VerifyDialog


class Verification(QObject):
    """Verify, the History panel and the journal record of one window's session."""

    def __init__(self, session: Session, result_panel: ResultPanel, parent: QWidget) -> None:
        super().__init__(parent)
        self.session = session
        self.parent_widget = parent  # the dialogs' parent
        self.button = result_panel.verify_button
        self.record_label = result_panel.record_label
        self.panel = HistoryPanel()
        result_panel.add_section("Patient history (journal)", self.panel, index=0)
        self.dialog: VerifyDialog | None = None
        self.asking = False  # the site journal's server is asked before the dialog opens
        self.action: QAction | None = None  # see install_action
        self._state = INITIAL_VERIFY
        self.show_state(INITIAL_VERIFY)
        session.events.verification.connect(self.show_state)
        session.events.history.connect(self.panel.show_history)

    def install_action(self, file_menu: QMenu) -> None:
        """Verify in the File menu (before Preferences) with its shortcut, and on the button.
        The window calls it with its own actions: just after the first frame in ``app.main``
        (the button is disabled until then: nothing is ready to verify)."""
        self.action = loader.QAction("V&erify (independent double check)…", self.parent_widget)
        self.action.setObjectName("verifyAction")
        self.action.setShortcut(loader.QKeySequence("Ctrl+Shift+V"))
        self.action.triggered.connect(self.verify)
        before = next(
            (a for a in file_menu.actions() if a.objectName() == "preferencesAction"), None
        )
        if before is None:  # no Preferences in this menu: at its end
            file_menu.addAction(self.action)
            file_menu.addSeparator()
        else:
            file_menu.insertAction(before, self.action)
            file_menu.insertSeparator(before)
        self.button.clicked.connect(self.action.trigger)
        self.show_state(self._state)

    def show_state(self, state: VerifyState) -> None:
        """Verify available or not (the tooltip says why), and the record line."""
        self._state = state
        self.button.setEnabled(state.available and not self.asking)
        if self.action is not None:
            self.action.setEnabled(state.available and not self.asking)
        tip = state.tooltip
        if self.button.toolTip() != tip:
            self.button.setToolTip(tip)
            self.button.setAccessibleDescription(tip)
        if self.action is not None and self.action.toolTip() != tip:
            self.action.setToolTip(tip)
        set_text(self.record_label, state.record_text)

    def verify(self) -> None:
        """Open the double check for the order as it stands (the session calculates it now)."""
        if self.dialog is not None or self.asking:
            return
        self.asking = True
        self.show_state(self._state)
        self.session.say("Verify: reading the journal…", 30000)
        self.session.request_double_check(self._open)

    def _open(self, check: VerifyCheck | str) -> None:
        """The server answered (or nothing had to be asked): the dialog, or why not."""
        self.asking = False
        self.show_state(self._state)
        self.session.say("", 1)
        if isinstance(check, str):
            loader.QMessageBox.information(self.parent_widget, APP_NAME, check)
            return
        dialog: VerifyDialog = loader.verify_dialog.VerifyDialog(check, self.parent_widget)
        dialog.finished.connect(self._closed)
        self.dialog = dialog
        dialog.open()

    def _closed(self) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is not None:
            dialog.deleteLater()
        self.session.double_check_closed()

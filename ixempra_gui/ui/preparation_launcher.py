"""Where the Preparation panel opens (issue 16): File → Prepare (scan kits)… (Ctrl+Shift+K),
available while the order on screen is the dose verified in this window; and once, by itself,
when the double check that recorded the dose closes.

It knows the session and its parent window, never the main window's insides; the panel opens
in a window of its own beside the order (the order stays readable while the kits are scanned).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QDialog, QScrollArea, QVBoxLayout, QWidget

from ixempra_gui.presentation import loader as presentation_loader
from ixempra_gui.ui import loader

if TYPE_CHECKING:
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QMenu

    from ixempra_gui.presentation.journal_access import StoredRecord
    from ixempra_gui.presentation.session import Session
    from ixempra_gui.presentation.signed_check import VerifyState
    from ixempra_gui.ui.preparation_panel import PreparationPanel

NOT_VERIFIED = "Available once the order on screen is verified and recorded (Verify)."


class PreparationLauncher(QObject):
    """The Prepare action, and the panel's window (one per dose record)."""

    def __init__(self, session: Session, parent: QWidget) -> None:
        super().__init__(parent)
        self.session = session
        self.parent_widget = parent
        self.action: QAction | None = None
        self.dialog: QDialog | None = None
        self.panel: PreparationPanel | None = None
        self._offered: set[int] = set()  # dose records whose panel opened by itself
        session.events.verification.connect(self._verification)
        session.events.checking.connect(self._checking)

    def install_action(self, file_menu: QMenu) -> None:
        """Prepare in the File menu, just after Verify (once)."""
        if self.action is not None:
            return
        self.action = loader.QAction("Prepare (scan &kits)…", self.parent_widget)
        self.action.setObjectName("prepareAction")
        self.action.setShortcut(loader.QKeySequence("Ctrl+Shift+K"))
        self.action.triggered.connect(self.open)
        verify = next((a for a in file_menu.actions() if a.objectName() == "verifyAction"), None)
        actions = file_menu.actions()
        after = actions[actions.index(verify) + 1] if verify in actions[:-1] else None
        if after is None:
            file_menu.addAction(self.action)
        else:
            file_menu.insertAction(after, self.action)
        self._verification()

    def record(self) -> StoredRecord | None:
        """The journal record of the order on screen, unchanged since it was signed."""
        return self.session.signed.record(self.session.form, self.session.prefs)

    def _verification(self, _state: VerifyState | None = None) -> None:
        if self.action is not None:
            available = self.record() is not None
            self.action.setEnabled(available)
            self.action.setToolTip(
                "Scan the kits, record the preparation, print the bag label"
                if available
                else NOT_VERIFIED
            )

    def _checking(self, open_now: bool) -> None:
        """The double check closed: a dose it recorded opens its preparation, once."""
        record = self.record()
        if not open_now and record is not None and record.id not in self._offered:
            self._offered.add(record.id)
            self.open()

    def open(self) -> None:
        """The panel of the dose on screen (raised if it is already open)."""
        record = self.record()
        if record is None:
            loader.QMessageBox.information(self.parent_widget, "Preparation", NOT_VERIFIED)
            return
        if self.dialog is not None and self.panel is not None:
            if self.panel.desk.record.id == record.id:
                self.dialog.raise_()
                self.dialog.activateWindow()
                return
            self.dialog.close()
        self._show(record)

    def _show(self, record: StoredRecord) -> None:
        prefs, journal = self.session.prefs, self.session.journal
        desk = presentation_loader.preparation_desk.PreparationDesk(
            record,
            self.session.clock,
            gs_substitute=prefs.scanner_gs_substitute or None,
            second_identifier=prefs.second_patient_identifier,
            open_journal=journal.opener,
            compounded_by=(journal.user or "") if journal.is_site else "",
            at_once=False,  # the panel runs each journal call on a worker thread
        )
        panel: PreparationPanel = loader.preparation_panel.PreparationPanel(desk)
        dialog = QDialog(self.parent_widget)
        dialog.setObjectName("preparationDialog")
        dialog.setWindowTitle(f"Preparation — dose record {record.id}")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(panel)
        QVBoxLayout(dialog).addWidget(scroll)
        dialog.destroyed.connect(self._closed)
        screen = self.parent_widget.screen().availableGeometry()
        dialog.resize(min(1100, int(screen.width() * 0.9)), min(760, int(screen.height() * 0.9)))
        self.dialog, self.panel = dialog, panel
        dialog.show()
        panel.first_focus()

    def _closed(self) -> None:
        self.dialog, self.panel = None, None

"""Signing in to the site journal: the user name (the journal URL's, prefilled) and a password
kept in memory only. Shown when libpq's own credentials (.pgpass, a certificate, Kerberos) were
not enough, and from File → Sign in to the site journal. The window also works without signing
in: the calculation, the worksheet and coverage; the history is then NOT checked and Verify is
refused. Every decision and message is the session's ``JournalSignIn`` (Qt-free).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ixempra_gui.ui.off_thread import run_off_thread

if TYPE_CHECKING:
    from PySide6.QtGui import QCloseEvent

    from ixempra_gui.presentation.journal_sign_in import JournalSignIn
    from ixempra_gui.presentation.site_answers import Probe


def _label(name: str, text: str = "") -> QLabel:
    label = QLabel(text)
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class SignInDialog(QDialog):
    """User name and password for the site journal; the outcome is said in the dialog."""

    def __init__(self, journal: JournalSignIn, reason: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("signInDialog")
        self.setWindowTitle("Sign in to the site journal")
        self.setAccessibleName("Sign in to the site journal")
        self.journal = journal
        self.busy = False
        intro = _label(
            "signInIntro",
            f"This workstation records verified doses in the site journal {journal.display}. "
            "Sign in with your own user name and password: the server records who prepared "
            "and who verified each dose. Without signing in the calculation still works, but "
            "the patient's history is NOT checked and Verify is refused.",
        )
        self.user = QLineEdit(journal.user or journal.url_user())
        self.user.setObjectName("signInUserInput")
        self.user.setAccessibleName("User name")
        self.password = QLineEdit()
        self.password.setObjectName("signInPasswordInput")
        self.password.setAccessibleName("Password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setToolTip("Kept in this window's memory only: never written or logged.")
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for text, edit in (("&User name", self.user), ("&Password", self.password)):
            label = QLabel(text)
            label.setBuddy(edit)
            form.addRow(label, edit)
        self.message = _label("signInMessage", reason)
        bold = QFont(self.message.font())
        bold.setBold(True)
        self.message.setFont(bold)
        self.message.setVisible(bool(reason))
        self.sign_in_button = QPushButton("&Sign in")
        self.sign_in_button.setObjectName("signInButton")
        self.sign_in_button.clicked.connect(self.sign_in)
        buttons = QDialogButtonBox()
        buttons.addButton(self.sign_in_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.without_button = buttons.addButton(
            "&Continue without signing in", QDialogButtonBox.ButtonRole.RejectRole
        )
        self.without_button.setObjectName("signInLaterButton")
        for button in (self.sign_in_button, self.without_button):
            button.setAutoDefault(False)  # Enter signs in, wherever the focus is
        self.sign_in_button.setDefault(True)
        self.without_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addWidget(buttons)
        line = self.fontMetrics().height()
        self.resize(line * 34, self.sizeHint().height())
        (self.password if self.user.text() else self.user).setFocus()

    def sign_in(self) -> None:
        """Try the name and password on a worker thread; the outcome comes to ``_answered``."""
        if self.busy:
            return
        self._set_busy(True)
        self.message.setText("Signing in…")
        self.message.show()
        credentials = self.journal.credentials(self.user.text(), self.password.text())
        run_off_thread(
            self, lambda: self.journal.probe(credentials), self._answered, "ixempra-sign-in"
        )

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        for widget in (self.user, self.password, self.sign_in_button, self.without_button):
            widget.setEnabled(not busy)

    def _answered(self, probe: Probe) -> None:
        """Signed in: close. Else say why, and clear the password."""
        self._set_busy(False)
        outcome = self.journal.settle(probe)
        self.message.setText(outcome.message)
        self.password.clear()
        if outcome.signed_in and not self.journal.read_only:
            self.accept()
            return
        if outcome.signed_in:  # signed in, but nothing can be recorded: said before closing
            self.without_button.setText("&Close")
            self.without_button.setFocus()
            return
        self.password.setFocus()

    def reject(self) -> None:
        if self.busy:
            return  # the server's answer is awaited: it must be seen
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.busy:
            event.ignore()
            return
        super().closeEvent(event)

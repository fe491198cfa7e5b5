"""The journal in use, named in the status bar (the file, or the server and database with the
signed-in user: a redacted URL, never a password), and signing in to a site journal: at start
(libpq's own credentials first, the sign-in dialog only when they are not enough) and from
File → Sign in to the site journal. A sign-in the server never answered (unreachable) is tried
again every ``RETRY_MS`` on a worker thread while nobody is signed in, so a server back from an
outage is used again without anyone's action. Decisions are the session's ``JournalSignIn``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSize, Qt, QTimer
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QMainWindow, QMenu

from ixempra_gui.ui import loader
from ixempra_gui.ui.off_thread import run_off_thread

if TYPE_CHECKING:
    from PySide6.QtGui import QAction

    from ixempra_gui.presentation.session import Session
    from ixempra_gui.presentation.site_answers import Probe
    from ixempra_gui.ui.sign_in_dialog import SignInDialog


#: How often a sign-in the server never answered is tried again.
RETRY_MS = 20_000


class ElidedLabel(QLabel):
    """One line that shrinks with the window (200 % scaling on a laptop) and ends in "…"
    rather than widening it; the whole text is its tooltip and its accessible description."""

    def __init__(self, text: str = "") -> None:
        super().__init__()
        self.full_text = ""
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 12)
        self.set_full_text(text)

    def set_full_text(self, text: str, detail: str | None = None) -> None:
        self.full_text = text
        tip = f"{text}\n{detail}" if detail else text
        self.setToolTip(tip)
        self.setAccessibleDescription(tip)
        self.updateGeometry()
        self._elide()

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        margins = self.contentsMargins()
        width = self.fontMetrics().horizontalAdvance(self.full_text) + margins.left()
        return QSize(width + margins.right() + 4, hint.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        room = max(self.contentsRect().width(), 1)
        shown = self.fontMetrics().elidedText(self.full_text, Qt.TextElideMode.ElideRight, room)
        if shown != self.text():
            self.setText(shown)


class JournalStatus(QObject):
    """The status bar's journal label, the Sign in action and the sign-in dialog."""

    def __init__(self, session: Session, window: QMainWindow) -> None:
        super().__init__(window)
        self.session = session
        self.window = window
        self.label: ElidedLabel | None = None  # built by start(), after the first frame
        self.action: QAction | None = None
        self.sign_out_action: QAction | None = None
        self.dialog: SignInDialog | None = None
        self.busy = False  # signing in with libpq's own credentials, on a worker thread
        self.retry_timer = QTimer(self)
        self.retry_timer.setInterval(RETRY_MS)
        self.retry_timer.timeout.connect(self.retry)

    def start(self, file_menu: QMenu | None = None) -> None:
        """Name the journal; on a site journal, sign in with libpq's own credentials, else
        open the sign-in dialog (the window stays usable without)."""
        if self.label is not None:
            return
        journal = self.session.journal
        self.label = ElidedLabel(journal.status_text())
        self.label.setObjectName("journalStatus")
        self.label.setAccessibleName("Journal in use")
        self.window.statusBar().addPermanentWidget(self.label)
        journal.changed.connect(self._show)
        if not journal.is_site:
            return
        if file_menu is not None:
            self._install_action(file_menu)
        self.busy = True
        self._show(f"Journal: {journal.display} — signing in…")
        credentials = journal.credentials("", "")
        run_off_thread(self, lambda: journal.probe(credentials), self._signed_in, "ixempra-sign-in")

    def _signed_in(self, probe: Probe) -> None:
        """Signed in with libpq's own credentials, or the dialog says why not."""
        self.busy = False
        outcome = self.session.journal.settle(probe)
        if outcome.signed_in:
            self.session.load_history()
            self.session.recalculate()
            return
        if self.session.journal.config_error is None:  # else no name or password can help
            self.open_dialog(outcome.message)
        self._keep_trying()

    def _keep_trying(self) -> None:
        journal = self.session.journal
        if journal.retry_credentials is not None and not journal.signed_in:
            self.retry_timer.start()
        else:
            self.retry_timer.stop()

    def retry(self) -> None:
        """Sign in again with the credentials the server never answered (a worker thread);
        not while the sign-in dialog is open (the pharmacist is signing in)."""
        journal = self.session.journal
        credentials = journal.retry_credentials
        if self.busy or self.dialog is not None or journal.signed_in or credentials is None:
            return
        self.busy = True
        run_off_thread(self, lambda: journal.probe(credentials), self._retried, "ixempra-sign-in")

    def _retried(self, probe: Probe) -> None:
        self.busy = False
        journal = self.session.journal
        if journal.signed_in or self.dialog is not None:
            return  # signed in meanwhile, or signing in now
        outcome = journal.settle(probe)
        if outcome.signed_in:
            self.session.say(f"{outcome.message} The history is checked again.", 15000)
            self.session.load_history()
            self.session.recalculate()
        elif outcome.reason == "password_needed":  # the server is back and asks for one
            self.open_dialog(outcome.message)
        self._keep_trying()

    def _show(self, text: str) -> None:
        if self.label is not None:  # config_error: what is wrong with the setting
            self.label.set_full_text(text, self.session.journal.config_error)
        if self.sign_out_action is not None:
            self.sign_out_action.setEnabled(self.session.journal.signed_in)

    def _install_action(self, file_menu: QMenu) -> None:
        self.action = loader.QAction("S&ign in to the site journal…", self.window)
        self.action.setObjectName("signInAction")
        self.action.triggered.connect(lambda: self.open_dialog())
        self.sign_out_action = loader.QAction("Sign &out of the site journal", self.window)
        self.sign_out_action.setObjectName("signOutAction")
        self.sign_out_action.setEnabled(self.session.journal.signed_in)
        self.sign_out_action.triggered.connect(self.sign_out)
        actions = [self.action, self.sign_out_action]
        first = next(iter(file_menu.actions()), None)
        if first is None:
            file_menu.addActions(actions)
        else:
            file_menu.insertActions(first, actions)
            file_menu.insertSeparator(first)

    def sign_out(self) -> None:
        """Sign out (a shift change): nothing more is signed with this pharmacist's name; the
        history is unchecked and Verify refused until someone signs in (File → Sign in)."""
        if self.busy or self.dialog is not None:
            return  # a sign-in is under way: its outcome comes first
        self.retry_timer.stop()
        self.session.say(self.session.journal.sign_out(), 15000)
        self.session.load_history()
        self.session.recalculate()

    def open_dialog(self, reason: str = "") -> SignInDialog:
        """The sign-in dialog (window-modal, not blocking the caller)."""
        if self.dialog is not None:
            return self.dialog
        dialog: SignInDialog = loader.sign_in_dialog.SignInDialog(
            self.session.journal, reason, self.window
        )
        dialog.finished.connect(self._closed)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _closed(self, _result: int) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is not None:
            dialog.deleteLater()
        self.session.load_history()  # signed in or not: the panel says what is known now
        self.session.recalculate()  # Verify's state follows
        self._keep_trying()

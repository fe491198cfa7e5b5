"""Who checks, in the Verify dialog (issue 14): on a site journal the preparer is the signed-in
user (shown, read-only) and the verifier signs in with their own user name and password (kept
in memory only; their own session records the verification); on the workstation's own journal
the names stay typed, and the dialog says they are not authenticated. Decisions and words are
the ``VerifyCheck``'s."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QWidget

from ixempra_gui.ui.verify_comparison import note

if TYPE_CHECKING:
    from ixempra_gui.presentation.verify_check import VerifyCheck

PASSWORD_TIP = "The verifier's own password for the site journal (kept in memory only)."


def verifier_sign_in(
    form: QFormLayout,
    check: VerifyCheck,
    names: tuple[QLineEdit, QLineEdit],
    changed: Callable[[], object],
    parent: QWidget,
) -> tuple[QLabel, QLineEdit]:
    """The note on how the names are known (first row) and the verifier's password row (site
    journal only; hidden otherwise). ``names``: the prepared-by and verified-by fields."""
    prepared_by, verified_by = names
    who_note = note("whoNote", "Who checks: how the names are known")
    who_note.setText(check.who_note)
    who_note.show()
    form.insertRow(0, who_note)
    password = QLineEdit(parent)  # hidden on SQLite: names typed
    password.setObjectName("verifierPasswordInput")
    password.setEchoMode(QLineEdit.EchoMode.Password)
    password.setAccessibleName("Verifier's password")
    password.setToolTip(PASSWORD_TIP)
    password.setAccessibleDescription(PASSWORD_TIP)
    password.textChanged.connect(changed)
    if not check.authenticated:
        password.hide()
        return who_note, password
    prepared_by.setText(check.preparer)
    prepared_by.setReadOnly(True)
    label = form.labelForField(verified_by)
    if isinstance(label, QLabel):
        label.setText("Verified &by (site user name)")
    label = QLabel("Verifier's pass&word")
    label.setBuddy(password)
    form.addRow(label, password)
    return who_note, password

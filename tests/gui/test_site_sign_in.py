"""The window on a site journal (issue 14): signing in (libpq's own credentials first, the
sign-in dialog only when the server asks for a password), Verify with the verifier's own
sign-in, the journal named in the status bar, failing closed when the server cannot be reached
or nobody is signed in — and the SQLite default unchanged (names typed, marked not
authenticated).

Against the real throwaway PostgreSQL cluster of the journal tests (``pg_site``: a fresh site
database per test; its passfile holds the test pharmacists' passwords, and a test that wants
no libpq credentials points ``PGPASSFILE`` at an empty file). Independent reference: the
records read back from the server with plain SQL.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from pg_support import (
    PASSWORDS,
    PREPARER,
    THIRD,
    VERIFIER,
    Site,
    add_roles,
    new_site,
    start_cluster,
)
from test_verification import (
    SECOND,
    child,
    choose,
    compare,
    first_entry,
    open_verify,
    second_entry,
    type_into,
)

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QMessageBox, QPushButton

from ixempra_gui import app
from ixempra_gui.journal.store import Journal
from ixempra_gui.ui.main_window import MainWindow
from ixempra_gui.ui.sign_in_dialog import SignInDialog

OUTSIDER = "clerk"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "journal"
    monkeypatch.setenv("IXEMPRA_DATA_DIR", str(folder))
    return folder


def no_libpq_password(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty-pgpass"
    empty.write_text("")
    empty.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(empty))


def started(qtbot, url: str | None, monkeypatch: pytest.MonkeyPatch) -> MainWindow:
    """The window as the app starts it, configured for ``url`` (None: nothing configured)."""
    if url is not None:
        monkeypatch.setenv("IXEMPRA_JOURNAL_URL", url)
    win = app.create_main_window()
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    qtbot.waitUntil(lambda: win.journal_status.label is not None, timeout=20_000)
    qtbot.waitUntil(lambda: not win.journal_status.busy, timeout=20_000)
    return win


def status(win: MainWindow) -> str:
    """The status bar's journal line, whole (the label elides it when the window is narrow)."""
    label = child(win, QLabel, "journalStatus")
    assert label.toolTip().startswith(label.full_text)
    return label.full_text


def sign_in_dialog(win: MainWindow) -> SignInDialog:
    dialog = win.journal_status.dialog
    assert isinstance(dialog, SignInDialog) and dialog.isVisible()
    return dialog


def try_password(qtbot, dialog: SignInDialog, user: str, password: str) -> str:
    type_into(qtbot, dialog, "signInUserInput", user)
    type_into(qtbot, dialog, "signInPasswordInput", password)
    qtbot.mouseClick(child(dialog, QPushButton, "signInButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=20_000)
    return child(dialog, QLabel, "signInMessage").text()


def doses(site: Site) -> list[dict]:
    rows = site.sql("SELECT content FROM ixempra.records ORDER BY id")
    found = [r[0] if isinstance(r[0], dict) else json.loads(r[0]) for r in rows]
    return [c for c in found if "double_check" in c]


def sign_as_verifier(qtbot, win: MainWindow, verifier: str, password: str):
    first_entry(qtbot, win)
    dialog = open_verify(qtbot, win)
    assert child(dialog, QLineEdit, "preparedByInput").text() == PREPARER
    assert child(dialog, QLineEdit, "preparedByInput").isReadOnly()
    type_into(qtbot, dialog, "verifiedByInput", verifier)
    for name, text in SECOND.items():
        type_into(qtbot, dialog, name, text)
    choose(dialog, "verifyRegimenCombo", "monotherapy")
    assert child(dialog, QLineEdit, "preparedByInput").text() == PREPARER  # not typed
    type_into(qtbot, dialog, "verifierPasswordInput", password)
    compare(qtbot, dialog)
    return dialog


# --- nothing configured: the workstation's own file, as before --------------------------------


def test_sqlite_default_is_unchanged_and_says_names_are_not_authenticated(
    qtbot, monkeypatch, data_dir: Path
) -> None:
    win = started(qtbot, None, monkeypatch)
    assert status(win) == f"Journal: {data_dir / 'journal.sqlite3'} (this workstation's file)"
    assert win.journal_status.dialog is None and win.journal_status.action is None
    first_entry(qtbot, win)
    dialog = open_verify(qtbot, win)
    assert "not authenticated" in child(dialog, QLabel, "whoNote").text()
    assert not child(dialog, QLineEdit, "verifierPasswordInput").isVisible()
    second_entry(qtbot, dialog)
    compare(qtbot, dialog)
    qtbot.mouseClick(child(dialog, QPushButton, "signButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: win.verification.dialog is None, timeout=20_000)
    with Journal.open(data_dir) as journal:
        [record] = list(journal.records())
    assert (record.content["prepared_by"], record.content["verified_by"]) == (
        "A. Pharmacist",
        "B. Checker",
    )
    line = child(win, QLabel, "recordIdLabel").text()
    assert "(prepared by A. Pharmacist), names typed, not authenticated" in line
    assert "names typed, not authenticated" in (win.worksheet_html() or "")


# --- signing in -------------------------------------------------------------------------------


def test_libpq_credentials_sign_in_without_asking(qtbot, monkeypatch, pg_site: Site) -> None:
    win = started(qtbot, pg_site.url(PREPARER), monkeypatch)
    assert win.journal_status.dialog is None  # the passfile gave the password
    text = status(win)
    assert text.startswith(f"Journal: signed in as {PREPARER} — postgresql://{PREPARER}@")
    assert text.endswith(f"/{pg_site.dbname}")
    assert PASSWORDS[PREPARER] not in text
    assert child(win, QPushButton, "verifyButton") is not None
    assert win.journal_status.action is not None


def test_the_sign_in_dialog_refuses_a_wrong_password_then_signs_in(
    qtbot, monkeypatch, tmp_path: Path, pg_site: Site
) -> None:
    no_libpq_password(tmp_path, monkeypatch)
    win = started(qtbot, pg_site.url(PREPARER), monkeypatch)
    dialog = sign_in_dialog(win)
    assert child(dialog, QLineEdit, "signInUserInput").text() == PREPARER  # from the URL
    assert "asks for a password" in child(dialog, QLabel, "signInMessage").text()
    assert "not signed in" in status(win)

    said = try_password(qtbot, dialog, PREPARER, "not-the-password")
    assert said.startswith("The server refused the sign-in") and "password" in said
    assert dialog.isVisible() and child(dialog, QLineEdit, "signInPasswordInput").text() == ""
    assert "not signed in" in status(win)

    type_into(qtbot, dialog, "signInPasswordInput", PASSWORDS[PREPARER])
    qtbot.keyClick(child(dialog, QLineEdit, "signInPasswordInput"), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: win.journal_status.dialog is None, timeout=20_000)
    assert status(win).startswith(f"Journal: signed in as {PREPARER} — postgresql://")
    assert all(PASSWORDS[PREPARER] not in t for t in (status(win), repr(win.session.journal)))


def test_a_role_outside_the_pharmacist_group_is_told_so(
    qtbot, monkeypatch, tmp_path: Path, pg_site: Site
) -> None:
    no_libpq_password(tmp_path, monkeypatch)
    win = started(qtbot, pg_site.url(PREPARER), monkeypatch)
    said = try_password(qtbot, sign_in_dialog(win), OUTSIDER, PASSWORDS[OUTSIDER])
    assert said.startswith("This user is not in the pharmacist group")
    assert "not signed in" in status(win)


def test_signing_out_at_a_shift_change_lets_the_next_pharmacist_sign_in(
    qtbot, monkeypatch, tmp_path: Path, pg_site: Site
) -> None:
    """After Sign out nothing is signed with the last pharmacist's name: the history is
    unchecked, Verify refused, nothing signs in again by itself; the next one signs in."""
    win = started(qtbot, pg_site.url(PREPARER), monkeypatch)  # libpq's passfile
    sign_out = win.journal_status.sign_out_action
    assert sign_out is not None and sign_out.isEnabled()
    assert sign_out in win.file_menu.actions()
    no_libpq_password(tmp_path, monkeypatch)  # the next pharmacist types a password
    sign_out.trigger()
    assert not sign_out.isEnabled()
    assert status(win).startswith("Journal: not signed in — history NOT checked, Verify refused")
    assert win.statusBar().currentMessage().startswith(f"{PREPARER} signed out of postgresql://")
    first_entry(qtbot, win)
    verify = child(win, QPushButton, "verifyButton")
    assert not verify.isEnabled()
    assert verify.toolTip().startswith("Verify is refused: not signed in to the site journal")
    summary = child(win, QLabel, "historySummary")
    qtbot.waitUntil(lambda: "history NOT checked" in summary.text())
    win.journal_status.retry()  # what the timer would do: nothing, nobody asked to sign in
    assert not win.journal_status.busy and "not signed in" in status(win)

    win.journal_status.action.trigger()
    dialog = sign_in_dialog(win)
    type_into(qtbot, dialog, "signInUserInput", THIRD)
    type_into(qtbot, dialog, "signInPasswordInput", PASSWORDS[THIRD])
    qtbot.mouseClick(child(dialog, QPushButton, "signInButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: win.journal_status.dialog is None, timeout=20_000)
    assert status(win).startswith(f"Journal: signed in as {THIRD} — ")
    assert sign_out.isEnabled() and verify.isEnabled()


def test_signing_in_to_a_read_only_server_says_so_before_the_dialog_closes(
    qtbot, monkeypatch, tmp_path: Path, pg_site: Site
) -> None:
    pg_site.sql(f"ALTER DATABASE {pg_site.dbname} SET default_transaction_read_only = on")
    no_libpq_password(tmp_path, monkeypatch)
    win = started(qtbot, pg_site.url(PREPARER), monkeypatch)
    dialog = sign_in_dialog(win)
    said = try_password(qtbot, dialog, PREPARER, PASSWORDS[PREPARER])
    assert f"as {PREPARER}." in said and "read-only: nothing can be recorded there" in said
    assert dialog.isVisible()  # not closed before it was read
    close = child(dialog, QPushButton, "signInLaterButton")
    assert close.text() == "&Close"
    qtbot.mouseClick(close, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: win.journal_status.dialog is None)
    assert "(server read-only: nothing can be recorded)" in status(win)


# --- failing closed ---------------------------------------------------------------------------


def test_an_unreachable_server_leaves_the_history_unchecked_and_verify_refused(
    qtbot, monkeypatch, tmp_path: Path
) -> None:
    url = f"postgresql://{PREPARER}@/ixempra?host={tmp_path / 'no-server'}&port=5999"
    win = started(qtbot, url, monkeypatch)
    dialog = sign_in_dialog(win)
    assert (
        child(dialog, QLabel, "signInMessage")
        .text()
        .startswith("The journal server cannot be reached.")
    )
    qtbot.mouseClick(child(dialog, QPushButton, "signInLaterButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: win.journal_status.dialog is None)
    assert status(win).startswith(
        "Journal: not signed in (journal unreachable) — history NOT checked, Verify refused — "
    )
    label = child(win, QLabel, "journalStatus")
    win.resize(500, win.height())  # narrower than the line: it ends in "…", never widens it
    qtbot.waitUntil(lambda: label.text() != label.full_text)
    assert label.text().endswith("…") and label.width() < label.sizeHint().width()
    assert label.geometry().right() <= win.statusBar().width()

    first_entry(qtbot, win)  # the calculation works
    assert child(win, QLabel, "doseValue").text() == "66.8 mg"
    win.session.load_history()
    summary = child(win, QLabel, "historySummary")
    qtbot.waitUntil(lambda: "history NOT checked (journal unreachable)" in summary.text())
    assert "0 units" not in summary.text()
    verify = child(win, QPushButton, "verifyButton")
    assert not verify.isEnabled()
    assert verify.toolTip().startswith("Verify is refused: not signed in to the site journal")
    # the shortcut asks the session all the same: refused, with the same reason
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text: said.append(text))
    win.verification.verify()
    assert win.verification.dialog is None
    assert said and said[0].startswith("Verify is refused: not signed in to the site journal")


def test_unusable_site_settings_are_said_and_nothing_is_asked(qtbot, monkeypatch) -> None:
    win = started(qtbot, "postgresql://rph_a:hunter2@db.clinic.local/ixempra", monkeypatch)
    assert win.journal_status.dialog is None  # no name or password can mend the setting
    label = child(win, QLabel, "journalStatus")
    assert label.text().startswith("Journal: site settings unusable")
    assert "holds a password: refused" in label.toolTip()
    assert "hunter2" not in label.text() + label.toolTip()
    first_entry(qtbot, win)
    verify = child(win, QPushButton, "verifyButton")
    assert not verify.isEnabled() and "site settings unusable" in verify.toolTip()


def test_a_server_back_from_an_outage_is_signed_in_again(qtbot, monkeypatch) -> None:
    """Its own cluster (stopped, then started again), libpq's own credentials."""
    cluster = start_cluster(fsync=False)
    try:
        monkeypatch.setenv("PGPASSFILE", str(cluster.passfile))
        site = new_site(cluster)
        add_roles(cluster, site.dbname)
        cluster.stop()
        win = started(qtbot, site.url(PREPARER), monkeypatch)
        dialog = sign_in_dialog(win)
        assert "cannot be reached" in child(dialog, QLabel, "signInMessage").text()
        qtbot.mouseClick(child(dialog, QPushButton, "signInLaterButton"), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: win.journal_status.dialog is None)
        assert win.journal_status.retry_timer.isActive()
        first_entry(qtbot, win)
        assert not child(win, QPushButton, "verifyButton").isEnabled()
        cluster.start()
        win.journal_status.retry()  # what the timer does every RETRY_MS
        qtbot.waitUntil(lambda: status(win).startswith(f"Journal: signed in as {PREPARER}"))
        assert not win.journal_status.retry_timer.isActive()
        assert child(win, QPushButton, "verifyButton").isEnabled()
        summary = child(win, QLabel, "historySummary")
        qtbot.waitUntil(lambda: "NOT" not in summary.text() and summary.text() != "")
    finally:
        cluster.destroy()


# --- Verify with a second sign-in -------------------------------------------------------------


def test_the_verifiers_own_sign_in_records_both_authenticated_names(
    qtbot, monkeypatch, pg_site: Site
) -> None:
    win = started(qtbot, pg_site.url(PREPARER), monkeypatch)
    dialog = sign_as_verifier(qtbot, win, VERIFIER, PASSWORDS[VERIFIER])
    assert "Site journal" in child(dialog, QLabel, "whoNote").text()
    sign = child(dialog, QPushButton, "signButton")
    assert sign.isEnabled(), sign.toolTip()
    qtbot.mouseClick(sign, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: win.verification.dialog is None, timeout=30_000)
    [dose] = doses(pg_site)
    assert (dose["prepared_by"], dose["verified_by"]) == (PREPARER, VERIFIER)
    assert dose["authenticated"] is True
    verifier = pg_site.sql("SELECT verifier FROM ixempra.verifications")
    assert verifier == [(VERIFIER,)]
    line = child(win, QLabel, "recordIdLabel").text()
    assert f"verified by {VERIFIER} (prepared by {PREPARER})" in line
    assert "not authenticated" not in line


def test_the_preparer_cannot_sign_in_as_the_verifier(qtbot, monkeypatch, pg_site: Site) -> None:
    win = started(qtbot, pg_site.url(PREPARER), monkeypatch)
    dialog = sign_as_verifier(qtbot, win, PREPARER, PASSWORDS[PREPARER])
    sign = child(dialog, QPushButton, "signButton")
    assert not sign.isEnabled()
    assert f"{PREPARER} is signed in as the preparer" in sign.toolTip()
    assert doses(pg_site) == []


def test_a_wrong_verifier_password_records_nothing(qtbot, monkeypatch, pg_site: Site) -> None:
    win = started(qtbot, pg_site.url(PREPARER), monkeypatch)
    dialog = sign_as_verifier(qtbot, win, THIRD, "wrong-password")
    qtbot.mouseClick(child(dialog, QPushButton, "signButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=30_000)
    error = child(dialog, QLabel, "verifyError").text()
    assert "The dose was NOT recorded" in error and "sign-in was refused" in error
    assert win.verification.dialog is dialog  # kept open: the verifier may try again
    assert doses(pg_site) == []


def test_a_read_only_server_refuses_verify_before_anything_is_typed(
    qtbot, monkeypatch, pg_site: Site
) -> None:
    pg_site.sql(f"ALTER DATABASE {pg_site.dbname} SET default_transaction_read_only = on")
    win = started(qtbot, pg_site.url(PREPARER), monkeypatch)
    assert "(server read-only: nothing can be recorded)" in status(win)
    first_entry(qtbot, win)
    verify = child(win, QPushButton, "verifyButton")
    assert not verify.isEnabled()
    assert verify.toolTip().startswith(
        f"Verify is refused: the journal server postgresql://{PREPARER}@"
    )
    assert "Nothing can be recorded while the server is read-only" in verify.toolTip()
    summary = child(win, QLabel, "historySummary")  # reading still works
    qtbot.waitUntil(lambda: summary.text() != "" and "NOT" not in summary.text())


def test_a_server_gone_read_only_during_verify_records_nothing_and_says_so(
    qtbot, monkeypatch, pg_site: Site
) -> None:
    win = started(qtbot, pg_site.url(PREPARER), monkeypatch)
    dialog = sign_as_verifier(qtbot, win, VERIFIER, PASSWORDS[VERIFIER])
    pg_site.sql(f"ALTER DATABASE {pg_site.dbname} SET default_transaction_read_only = on")
    qtbot.mouseClick(child(dialog, QPushButton, "signButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=30_000)
    error = child(dialog, QLabel, "verifyError").text()
    assert "The dose was NOT recorded" in error and "read-only" in error
    assert doses(pg_site) == []

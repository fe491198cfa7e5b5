"""Issue 13 in the window: settings.ini owner-only after every save, its folder found without Qt
(where the anchor lives), default PDF names without the patient identifier, warnings for
folders others can write, look-alike identifiers refused in the form, and an altered journal
shown as such (no figure) in the History panel."""

from __future__ import annotations

import os
import re
import stat
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import order_kwargs

pytest.importorskip("PySide6")

from PySide6.QtCore import QByteArray, QStandardPaths
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton

from ixempra_gui import app
from ixempra_gui.core.calculator import calculate
from ixempra_gui.core.models import Order
from ixempra_gui.journal.entries import NewRecord
from ixempra_gui.journal.store import Journal
from ixempra_gui.presentation.preferences import Preferences
from ixempra_gui.ui import settings as ui_settings
from ixempra_gui.ui.main_window import MainWindow
from ixempra_gui.ui.printing import pdf_file_name

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "journal"
    monkeypatch.setenv("IXEMPRA_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def window(qtbot, data_dir: Path) -> MainWindow:
    win = app.create_main_window()
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def _type(qtbot, win: MainWindow, name: str, text: str) -> None:
    edit = win.findChild(QLineEdit, name)
    assert edit is not None, name
    edit.clear()
    qtbot.keyClicks(edit, text)


@posix_only
def test_settings_ini_is_owner_only_after_every_save_and_its_folders_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "new" / "config"
    monkeypatch.setenv("IXEMPRA_CONFIG_DIR", str(folder))
    old = os.umask(0o022)
    try:
        settings = ui_settings.open_settings()
        ui_settings.save_preferences(settings, Preferences())
        path = Path(settings.fileName())
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        path.chmod(0o644)  # as an older version left it
        ui_settings.save_window_state(settings, QByteArray(b"g"), QByteArray(b"s"))
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    finally:
        os.umask(old)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(folder.parent.stat().st_mode) == 0o700  # parents it created too


def test_the_settings_folder_named_without_qt_is_qts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IXEMPRA_CONFIG_DIR")
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericConfigLocation)
    assert ui_settings.settings_path() == Path(base) / "ixempra-gui" / "settings.ini"


def _site(text: str) -> None:
    folder = Path(os.environ["IXEMPRA_CONFIG_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "settings.ini").write_text(f"[site]\n{text}\n", encoding="utf-8")


def test_default_pdf_names_leave_the_patient_out_unless_the_site_says_so(
    qtbot, window: MainWindow
) -> None:
    _type(qtbot, window, "patientIdInput", "MRN 0012345")
    assert re.fullmatch(r"ixempra-worksheet-\d{8}-\d{4}\.pdf", window.default_pdf_name())
    assert "0012345" not in pdf_file_name("prior-auth", "MRN 0012345")
    _site("pdf_name_with_patient_id=true")
    assert re.fullmatch(
        r"ixempra-worksheet-MRN-0012345-\d{8}-\d{4}\.pdf", window.default_pdf_name()
    )


@posix_only
def test_folders_other_users_can_write_are_reported(
    qtbot, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "shared-config"
    config.mkdir()
    config.chmod(0o777)
    data_dir.mkdir()
    data_dir.chmod(0o775)
    monkeypatch.setenv("IXEMPRA_CONFIG_DIR", str(config))
    win = app.create_main_window()
    qtbot.addWidget(win)
    notes = app.report_site_checks(win, win.settings)  # type: ignore[arg-type]
    assert any(str(config) in n and "everyone" in n for n in notes)
    assert any(str(data_dir) in n and "its group" in n for n in notes)
    assert "writable by" in win.statusBar().currentMessage()


def test_a_look_alike_identifier_is_refused_in_the_form_naming_the_character(
    qtbot, window: MainWindow
) -> None:
    edit = window.findChild(QLineEdit, "patientIdInput")
    assert edit is not None
    edit.setText("MRN\u200b0012345")  # pasted: invisible characters come from copy and paste
    qtbot.waitUntil(lambda: "U+200B" in _messages(window))
    assert "ZERO WIDTH SPACE" in _messages(window)
    verify = window.findChild(QPushButton, "verifyButton")
    assert verify is not None and not verify.isEnabled()


def _messages(win: MainWindow) -> str:
    return " ".join(label.text() for label in win.findChildren(QLabel) if label.isVisible())


def test_an_altered_journal_shows_no_history_figure(
    qtbot, window: MainWindow, data_dir: Path
) -> None:
    order = Order(**order_kwargs())  # reference case v01 (tests/conftest.py)
    with Journal.open(data_dir) as journal:
        for days in (14, 7):
            new = NewRecord(
                "MRN-1", date.today() - timedelta(days=days), "C", "D", order, calculate(order)
            )
            journal.record(new, acknowledge_history=True)
    import sqlite3

    conn = sqlite3.connect(data_dir / "journal.sqlite3", isolation_level=None)
    conn.execute("DELETE FROM records WHERE id = 1")
    conn.close()
    _type(qtbot, window, "patientIdInput", "MRN-1")
    summary = window.findChild(QLabel, "historySummary")
    assert summary is not None
    qtbot.waitUntil(lambda: "altered" in summary.text(), timeout=5000)
    assert "NOT shown or checked" in summary.text() and "init --new" in summary.text()
    assert window.session.prior_units() is None  # the Coverage tab counts nothing

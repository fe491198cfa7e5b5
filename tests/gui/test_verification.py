"""Verify (the independent double check), the History panel and the record id on the worksheet,
driven through their object names, each test with its own journal folder (IXEMPRA_DATA_DIR).

Independent references: the journal read back through its own API (``Journal.records``,
``Journal.verify``) and the record it holds.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QWidget,
)

from ixempra_gui import app
from ixempra_gui.core.calculator import calculate
from ixempra_gui.core.models import Order
from ixempra_gui.journal.entries import NewRecord
from ixempra_gui.journal.store import Journal
from ixempra_gui.presentation.session import Session
from ixempra_gui.ui.main_window import MainWindow
from ixempra_gui.ui.verify_dialog import VerifyDialog

TODAY = date.today()
# A first entry whose figures appear nowhere else on screen (none is a default or an example).
FIRST = {
    "heightInput": "163 cm",
    "weightInput": "61.3 kg",
    "astInput": "33 U/L",
    "astUlnInput": "41 U/L",
    "altInput": "27 U/L",
    "altUlnInput": "43 U/L",
    "bilirubinInput": "0.7 mg/dL",
    "bilirubinUlnInput": "1.3 mg/dL",
    "ancInput": "2310",
    "plateletsInput": "187000",
}
FIRST_FIGURES = ["163", "61.3", "33", "41", "27", "43", "0.7", "1.3", "2310", "187000"]
# The same order typed by the second pharmacist (bare numbers, other spellings).
SECOND = {
    "verifyHeightInput": "1.63 m",
    "verifyWeightInput": "61.3",
    "verifyAstInput": "33",
    "verifyAstUlnInput": "41",
    "verifyAltInput": "27",
    "verifyAltUlnInput": "43",
    "verifyBilirubinInput": "0.7",
    "verifyBilirubinUlnInput": "1.3",
    "verifyAncInput": "2310",
    "verifyPlateletsInput": "187,000",
}
V01 = {"height": "170 cm", "weight": "70 kg", "regimen": "monotherapy", "ast": "30 U/L"}
V01 |= {"ast_uln": "40 U/L", "alt": "25 U/L", "alt_uln": "40 U/L", "bilirubin": "0.8 mg/dL"}
V01 |= {"bilirubin_uln": "1.2 mg/dL", "anc": "1800", "platelets": "150000"}


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "journal"
    monkeypatch.setenv("IXEMPRA_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def window(qtbot, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> MainWindow:
    # The window's day is the tests' TODAY: a run that crosses midnight compares like with like.
    monkeypatch.setattr(Session, "today", lambda self: TODAY)
    win = app.create_main_window()
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def child(parent: QWidget, kind: type, name: str):
    found = parent.findChild(kind, name)
    assert found is not None, name
    return found


def type_into(qtbot, parent: QWidget, name: str, text: str) -> None:
    edit = child(parent, QLineEdit, name)
    edit.clear()
    qtbot.keyClicks(edit, text)


def choose(parent: QWidget, name: str, data: str) -> None:
    box = child(parent, QComboBox, name)
    box.setCurrentIndex(box.findData(data))


def first_entry(qtbot, win: MainWindow, patient: str = "MRN-0012345", **extra: str) -> None:
    for name, text in {**FIRST, **extra}.items():
        type_into(qtbot, win, name, text)
    choose(win, "regimenCombo", "monotherapy")
    type_into(qtbot, win, "patientIdInput", patient)


def open_verify(qtbot, win: MainWindow) -> VerifyDialog:
    button = child(win, QPushButton, "verifyButton")
    assert button.isEnabled(), button.toolTip()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    # a site journal's server is asked first, on a worker thread
    qtbot.waitUntil(lambda: not win.verification.asking, timeout=20_000)
    dialog = win.verification.dialog
    assert isinstance(dialog, VerifyDialog) and dialog.objectName() == "verifyDialog"
    qtbot.waitExposed(dialog)
    return dialog


def second_entry(
    qtbot, dialog: VerifyDialog, prepared: str = "A. Pharmacist", verified: str = "B. Checker"
) -> None:
    type_into(qtbot, dialog, "preparedByInput", prepared)
    type_into(qtbot, dialog, "verifiedByInput", verified)
    for name, text in SECOND.items():
        type_into(qtbot, dialog, name, text)
    choose(dialog, "verifyRegimenCombo", "monotherapy")


def compare(qtbot, dialog: VerifyDialog) -> None:
    qtbot.mouseClick(child(dialog, QPushButton, "compareButton"), Qt.MouseButton.LeftButton)
    assert dialog.comparison is not None, child(dialog, QLabel, "entryProblem").text()
    # the history is read on a worker thread; Sign waits for it
    qtbot.waitUntil(lambda: not dialog.check.reading_history, timeout=20_000)


def sign(qtbot, dialog: VerifyDialog) -> None:
    button = child(dialog, QPushButton, "signButton")
    assert button.isEnabled(), button.toolTip()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=20_000)


def differences(dialog: VerifyDialog) -> list[tuple[str, ...]]:
    """The comparison table's rows, cell by cell: mark, field, first entry, second entry, what
    to do (the two entries side by side)."""
    table = child(dialog, QTableWidget, "differencesList")
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert headers == ["", "Field", "First entry", "Second entry", "What to do"]
    return [
        tuple(table.item(r, c).text() if table.item(r, c) else "" for c in range(5))
        for r in range(table.rowCount())
    ]


def every_text(widget: QWidget) -> list[str]:
    """Every text a user or a screen reader can get from the widget and its children."""
    texts = [widget.windowTitle(), widget.toolTip(), widget.accessibleDescription()]
    for w in [widget, *widget.findChildren(QWidget)]:
        texts += [w.toolTip(), w.accessibleName(), w.accessibleDescription()]
        if isinstance(w, QLineEdit):
            texts += [w.text(), w.placeholderText()]
        elif isinstance(w, QLabel | QAbstractButton):
            texts.append(w.text())
        elif isinstance(w, QComboBox):
            texts += [w.itemText(i) for i in range(w.count())]
        elif isinstance(w, QPlainTextEdit):
            texts += [w.toPlainText(), w.placeholderText()]
        elif isinstance(w, QListWidget):
            texts += [w.item(i).text() for i in range(w.count())]
        elif isinstance(w, QTableWidget):
            texts += [
                w.item(r, c).text()
                for r in range(w.rowCount())
                for c in range(w.columnCount())
                if w.item(r, c) is not None
            ]
    return texts


def record_for(folder: Path, patient: str, days_before: int, **order: str) -> int:
    """A dose verified earlier, recorded through the journal's own API."""
    o = Order(**{**V01, **order})
    new = NewRecord(
        patient, TODAY - timedelta(days=days_before), "C. One", "D. Two", o, calculate(o)
    )
    with Journal.open(folder) as journal:
        return journal.record(new, acknowledge_history=True).id


# --- the Verify button ------------------------------------------------------------------------


def test_verify_needs_a_ready_dose_a_patient_id_and_a_date(qtbot, window: MainWindow) -> None:
    button = child(window, QPushButton, "verifyButton")
    assert not button.isEnabled() and "ready to prepare" in button.toolTip()
    for name, text in FIRST.items():
        type_into(qtbot, window, name, text)
    choose(window, "regimenCombo", "monotherapy")
    assert child(window, QLabel, "statusBanner").text() == "READY TO PREPARE"
    assert not button.isEnabled() and "Enter the patient identifier" in button.toolTip()
    type_into(qtbot, window, "patientIdInput", "MRN-0012345")
    assert button.isEnabled() and window.verification.action.isEnabled()
    assert child(window, QLineEdit, "administeredOnInput").text() == TODAY.isoformat()
    type_into(qtbot, window, "administeredOnInput", "1/5/2025")
    assert not button.isEnabled() and "YYYY-MM-DD" in button.toolTip()
    message = child(window, QLabel, "administeredOnMessage")
    assert message.isVisible() and message.text().startswith("Error: Administration date")
    assert (
        child(window, QLabel, "doseValue").text() == "66.8 mg"
    )  # BSA 1.67 m² × 40 mg/m²: the dose does not need the date
    type_into(qtbot, window, "administeredOnInput", TODAY.isoformat())
    assert button.isEnabled() and not message.isVisible()
    assert child(window, QLabel, "recordIdLabel").text().startswith("Not yet verified")


# --- the dialog: independent, compared, signed -----------------------------------------------


@pytest.mark.parametrize("with_counts", [False, True])
def test_the_dialog_shows_nothing_of_the_first_entry(
    qtbot, window: MainWindow, with_counts: bool
) -> None:
    counts = {"ancInput": "1850 /mm3", "plateletsInput": "151,000 /mm3"} if with_counts else {}
    first_entry(qtbot, window, **counts)
    dose = child(window, QLabel, "doseValue").text()
    dialog = open_verify(qtbot, window)
    # (the administration date shown for context is today's date, whatever digits it has)
    texts = "\n".join(every_text(dialog)).replace(TODAY.isoformat(), "<today>")
    for figure in [*FIRST_FIGURES, dose, "1850", "151"]:
        assert figure not in texts, figure
    inputs = [w for w in dialog.findChildren(QLineEdit) if w.objectName().startswith("verify")]
    assert inputs and all(w.text() == "" for w in inputs)
    assert child(dialog, QComboBox, "verifyRegimenCombo").currentData() is None
    # every input that can change the dose is re-entered, the counts included (issue 12)
    assert dialog.findChild(QLineEdit, "verifyAncInput") is not None
    assert dialog.findChild(QLineEdit, "verifyPlateletsInput") is not None
    # nor behind it: the main window covers its form and result while the check is open
    assert window.central.currentWidget() is window.cover
    assert not child(window, QLineEdit, "weightInput").isVisible()
    assert not child(window, QLabel, "doseValue").isVisible()
    dialog.reject()
    qtbot.waitUntil(lambda: window.verification.dialog is None)
    assert child(window, QLabel, "doseValue").isVisible()


def test_matching_entries_are_signed_and_recorded(
    qtbot, window: MainWindow, data_dir: Path
) -> None:
    first_entry(qtbot, window)
    assert "Not yet verified" in (window.worksheet_html() or "")
    dialog = open_verify(qtbot, window)
    second_entry(qtbot, dialog)
    assert not child(dialog, QPushButton, "signButton").isEnabled()  # not compared yet
    compare(qtbot, dialog)
    assert (
        child(dialog, QLabel, "comparisonSummary")
        .text()
        .startswith("The two entries match in value")
    )
    listed = differences(dialog)
    assert any(
        row[:3] == ("= same value", "Height (input)", "163 cm") and row[3].startswith("1.63 m")
        for row in listed
    )
    assert all(row[0] == "= same value" for row in listed)
    assert all(row[4] == "typed differently: no need to explain" for row in listed)
    locked = child(dialog, QLineEdit, "verifyWeightInput")
    assert locked.isReadOnly() and locked.isEnabled()  # locked, and still readable
    assert child(window, QLabel, "recordIdLabel").text().startswith("Not yet verified")
    sign(qtbot, dialog)
    qtbot.waitUntil(lambda: window.verification.dialog is None)

    with Journal.open(data_dir) as journal:
        assert journal.verify().ok
        [record] = list(journal.records())
    content = record.content
    assert (content["patient_id"], content["status"]) == ("MRN-0012345", "verified")
    assert (content["prepared_by"], content["verified_by"]) == ("A. Pharmacist", "B. Checker")
    assert content["administered_on"] == TODAY.isoformat()
    assert content["inputs"]["height"] == "163 cm" and content["inputs"]["weight"] == "61.3 kg"
    assert content["result"]["dose_mg"] == 66.8 and content["result"]["status"] == "ok"
    check = content["double_check"]
    assert check["second_entry"]["height"] == "1.63 m" and check["comment"] == ""

    label = child(window, QLabel, "recordIdLabel").text()
    cited = f"Journal record {record.id} (hash {record.hash[:12]}), verified by B. Checker"
    assert label.startswith(cited)
    html = window.worksheet_html() or ""
    assert f"{cited} (prepared by A. Pharmacist)" in html
    assert "Not yet verified" not in html
    # the panel now lists this dose
    qtbot.waitUntil(lambda: f"record {record.id}" in child(window, QLabel, "historyDoses").text())

    # Another order is another dose: the record no longer applies to the form or the worksheet.
    type_into(qtbot, window, "weightInput", "62 kg")
    assert child(window, QLabel, "recordIdLabel").text().startswith("Not yet verified")
    assert f"journal record {record.id} was signed" in child(window, QLabel, "recordIdLabel").text()
    assert "Journal record" not in (window.worksheet_html() or "")


def test_a_different_weight_is_listed_and_needs_a_comment(
    qtbot, window: MainWindow, data_dir: Path
) -> None:
    first_entry(qtbot, window)
    dialog = open_verify(qtbot, window)
    second_entry(qtbot, dialog)
    type_into(qtbot, dialog, "verifyWeightInput", "68 kg")
    compare(qtbot, dialog)
    listed = differences(dialog)
    assert listed[0] == ("⚠ differs", "Weight (input)", "61.3 kg", "68 kg", "must be explained")
    assert any(row[:3] == ("⚠ differs", "Dose (result)", "66.8 mg") for row in listed)
    table = child(dialog, QTableWidget, "differencesList")
    assert table.item(0, 1).font().bold()  # marked by words and weight, not only colour
    assert "DIFFER" in child(dialog, QLabel, "comparisonSummary").text()
    sign_button = child(dialog, QPushButton, "signButton")
    problems = child(dialog, QLabel, "signProblems")
    assert not sign_button.isEnabled()
    assert "explain the difference in the comment" in problems.text()
    assert "(Weight, BSA," in problems.text()
    comment = child(dialog, QPlainTextEdit, "differenceCommentInput")
    comment.setPlainText("   ")
    assert not sign_button.isEnabled()
    qtbot.keyClicks(comment, "Second pharmacist misread the chart; 61.3 kg is today's weight")
    assert sign_button.isEnabled() and not problems.isVisible()
    sign(qtbot, dialog)
    with Journal.open(data_dir) as journal:
        [record] = list(journal.records())
    check = record.content["double_check"]
    assert check["comment"].startswith("Second pharmacist misread the chart")
    assert check["second_entry"]["weight"] == "68 kg"
    assert {d["field"] for d in check["differences"] if d["material"]} >= {"weight", "dose_mg"}
    assert record.content["result"]["dose_mg"] == 66.8  # the first entry is the dose


def test_the_same_user_name_twice_is_refused(qtbot, window: MainWindow, data_dir: Path) -> None:
    first_entry(qtbot, window)
    dialog = open_verify(qtbot, window)
    second_entry(qtbot, dialog, prepared="Ann Lee", verified="ann  LEE")
    compare(qtbot, dialog)
    assert not child(dialog, QPushButton, "signButton").isEnabled()
    assert "another person" in child(dialog, QLabel, "signProblems").text()
    dialog.sign()  # even called directly, nothing is recorded
    assert not (data_dir / "journal.sqlite3").exists()
    type_into(qtbot, dialog, "verifiedByInput", "Ben Ray")
    assert child(dialog, QPushButton, "signButton").isEnabled()


def test_an_incomplete_second_entry_is_not_compared(qtbot, window: MainWindow) -> None:
    first_entry(qtbot, window)
    dialog = open_verify(qtbot, window)
    type_into(qtbot, dialog, "verifyHeightInput", "163 kg")
    message = child(dialog, QLabel, "verifyHeightMessage")
    assert message.isVisible() and "is a weight, not a height" in message.text()
    qtbot.mouseClick(child(dialog, QPushButton, "compareButton"), Qt.MouseButton.LeftButton)
    assert dialog.comparison is None
    problem = child(dialog, QLabel, "entryProblem").text()
    assert problem.startswith("Your entry is not complete") and "Regimen" in problem
    assert not child(dialog, QTableWidget, "differencesList").isVisible()


# --- history warnings and the journal's errors --------------------------------------------------


def test_history_warnings_must_be_acknowledged_and_are_rechecked_when_signing(
    qtbot, window: MainWindow, data_dir: Path
) -> None:
    record_for(data_dir, "MRN-0012345", 20)
    first_entry(qtbot, window)
    dialog = open_verify(qtbot, window)
    second_entry(qtbot, dialog)
    compare(qtbot, dialog)
    warnings = child(dialog, QLabel, "verifyHistoryWarnings")
    assert warnings.isVisible()
    assert "over the limit of 90 units per 21 days" in warnings.text()
    assert "20 days since the last verified dose" in warnings.text()
    acknowledge = child(dialog, QCheckBox, "acknowledgeHistoryCheck")
    assert not child(dialog, QPushButton, "signButton").isEnabled()
    assert "history warnings" in child(dialog, QLabel, "signProblems").text()
    acknowledge.setChecked(True)
    # Meanwhile another workstation records a dose for this patient: new figures, new warning.
    record_for(data_dir, "MRN-0012345", 2)
    sign(qtbot, dialog)
    assert window.verification.dialog is dialog and dialog.isVisible()
    assert "history changed since Compare" in child(dialog, QLabel, "verifyError").text()
    assert not acknowledge.isChecked() and "2 days since" in warnings.text()
    acknowledge.setChecked(True)
    sign(qtbot, dialog)
    with Journal.open(data_dir) as journal:
        records = list(journal.records())
        assert journal.verify().ok
    assert len(records) == 3
    assert "over_21_day_limit" in records[-1].content["acknowledged_warnings"]


def _make_read_only(folder: Path) -> list[Path]:
    """chmod read-only; as root (who ignores modes), also chattr +i."""
    items = [*folder.iterdir(), folder]
    for p in items:
        p.chmod(0o500 if p.is_dir() else 0o400)
    if os.geteuid() == 0:
        if shutil.which("chattr") is None:
            pytest.skip("running as root and chattr is missing: cannot make a folder read-only")
        done = subprocess.run(["chattr", "+i", *map(str, items)], capture_output=True)
        if done.returncode != 0:
            pytest.skip(f"chattr +i failed: {done.stderr.decode().strip()}")
    return items


def _undo_read_only(items: list[Path]) -> None:
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-i", *map(str, items)], check=True)
    for p in items:
        p.chmod(0o700 if p.is_dir() else 0o600)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_a_read_only_journal_shows_an_error_and_keeps_everything(
    qtbot, window: MainWindow, data_dir: Path
) -> None:
    record_for(data_dir, "someone else", 40)
    first_entry(qtbot, window)
    dialog = open_verify(qtbot, window)
    second_entry(qtbot, dialog)
    items = _make_read_only(data_dir)
    try:
        compare(qtbot, dialog)
        acknowledge = child(dialog, QCheckBox, "acknowledgeHistoryCheck")
        if acknowledge.isVisible():  # the history could not be read either: said, acknowledged
            assert "could not be read" in child(dialog, QLabel, "verifyHistoryWarnings").text()
            acknowledge.setChecked(True)
        sign(qtbot, dialog)
    finally:
        _undo_read_only(items)
    error = child(dialog, QLabel, "verifyError").text()
    assert "NOT recorded" in error and str(data_dir) in error
    assert "Nothing was recorded; your entry and the form are kept." in error
    assert dialog.isVisible() and dialog.record is None
    assert child(dialog, QLineEdit, "verifyHeightInput").text() == "1.63 m"
    assert child(dialog, QPushButton, "signButton").isEnabled()  # try again once it is fixed
    dialog.reject()
    qtbot.waitUntil(lambda: window.verification.dialog is None)
    for name, text in FIRST.items():
        assert child(window, QLineEdit, name).text() == text
    assert child(window, QLabel, "recordIdLabel").text().startswith("Not yet verified")
    with Journal.open(data_dir) as journal:
        assert journal.count() == 1 and journal.verify().ok


def test_a_locked_journal_is_reported_without_freezing_the_window(
    qtbot, window: MainWindow, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ixempra_gui.journal import sqlite_files

    record_for(data_dir, "someone else", 40)
    monkeypatch.setattr(sqlite_files, "BUSY_TIMEOUT_S", 1.0)
    first_entry(qtbot, window)
    dialog = open_verify(qtbot, window)
    second_entry(qtbot, dialog)
    compare(qtbot, dialog)
    holder = sqlite3.connect(data_dir / "journal.sqlite3", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # someone else holds the write lock
    try:
        qtbot.mouseClick(child(dialog, QPushButton, "signButton"), Qt.MouseButton.LeftButton)
        assert dialog.busy and child(dialog, QLabel, "verifyError").text().startswith("Recording")
        dialog.reject()  # cannot be closed while the commit is under way
        assert dialog.isVisible()
        qtbot.waitUntil(lambda: not dialog.busy, timeout=20_000)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    error = child(dialog, QLabel, "verifyError").text()
    assert "NOT recorded" in error and "locked" in error
    sign(qtbot, dialog)  # the lock is gone: the same check is recorded
    qtbot.waitUntil(lambda: window.verification.dialog is None)
    assert re.match(
        r"Journal record 2 \(hash [0-9a-f]{12}\), verified by",
        child(window, QLabel, "recordIdLabel").text(),
    )


# --- the History panel ----------------------------------------------------------------------------


def test_history_panel_lists_a_recorded_dose_and_the_21_day_warning(
    qtbot, window: MainWindow, data_dir: Path
) -> None:
    first_id = record_for(data_dir, "MRN-0012345", 41, weight="66 kg")
    second_id = record_for(data_dir, "MRN-0012345", 20, weight="64 kg")
    record_for(data_dir, "another patient", 1)
    first_entry(qtbot, window)
    panel = child(window, QWidget, "historyPanel")
    doses = child(panel, QLabel, "historyDoses")
    qtbot.waitUntil(lambda: "record" in doses.text())
    lines = doses.text().splitlines()
    day = (TODAY - timedelta(days=20)).isoformat()
    assert lines == [
        # 64 kg: BSA 1.74 m², 69.6 mg, 45 + 15 + 15 mg vials; 66 kg: 1.77 m², 70.8 mg
        f"{day} · 69.6 mg · J9207 70 + 5 discarded = 75 units · record {second_id}",
        f"{(TODAY - timedelta(days=41)).isoformat()} · 70.8 mg · J9207 71 + 4 discarded = "
        f"75 units · record {first_id}",
    ]
    window_line = child(panel, QLabel, "historyWindow").text()
    assert f"75 units already given (record {second_id}) + 75 this dose = 150 of 90" in window_line
    assert "OVER the limit" in window_line
    warnings = child(panel, QLabel, "historyWarnings").text()
    assert "over the limit of 90 units per 21 days" in warnings
    assert f"20 days since the last verified dose ({day}, record {second_id})" in warnings
    chart = child(panel, QWidget, "weightTrendChart")
    assert chart.isVisible()
    assert "66 kg" in chart.accessibleDescription() and "61.3 kg" in chart.accessibleDescription()
    assert not chart.grab().isNull()
    # The day after: the dose given 21 days before no longer counts, and nothing is re-read.
    type_into(qtbot, window, "administeredOnInput", (TODAY + timedelta(days=1)).isoformat())
    qtbot.waitUntil(lambda: "within" in child(panel, QLabel, "historyWindow").text())
    window_line = child(panel, QLabel, "historyWindow").text()
    assert "0 units already given + 75 this dose = 75 of 90 units: within the limit" in window_line
    assert child(panel, QLabel, "historyWarnings").text() == ""


def test_the_coverage_dosing_limit_counts_the_doses_in_the_journal(
    qtbot, window: MainWindow, data_dir: Path
) -> None:
    record_for(data_dir, "MRN-0012345", 20)  # 75 units, inside the 21-day window
    record_for(data_dir, "MRN-0012345", 21)  # outside it: not counted
    first_entry(qtbot, window)
    limit = child(window.coverage, QLabel, "coverageDosingLimit")
    qtbot.waitUntil(lambda: "units in the 21 days before" in limit.text())
    assert "75 units in the 21 days before + this dose 75" in limit.text()
    assert "= 150 billable units: over the limit of 90 per 21 days" in limit.text()
    type_into(qtbot, window, "patientIdInput", "MRN-0099999")  # another patient: not known yet
    assert "are not known here" in limit.text()
    qtbot.waitUntil(lambda: "0 units in the 21 days before" in limit.text())
    assert "within the limit of 90 per 21 days" in limit.text()


def test_typing_the_identifier_reads_the_journal_once_it_pauses(
    qtbot, window: MainWindow, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ixempra_gui.journal import store

    record_for(data_dir, "MRN-0012345", 30)
    reads: list[str] = []
    real = store.read_patient_doses
    monkeypatch.setattr(
        store, "read_patient_doses", lambda pid, *a: reads.append(pid) or real(pid, *a)
    )
    for name, text in FIRST.items():
        type_into(qtbot, window, name, text)
    choose(window, "regimenCombo", "monotherapy")
    type_into(qtbot, window, "patientIdInput", "MRN-0012345")
    summary = child(window, QLabel, "historySummary")
    assert reads == [] and summary.text().startswith("Reading the journal")
    qtbot.waitUntil(lambda: reads == ["MRN-0012345"])
    # the read runs on a worker thread: its outcome reaches the panel on the GUI thread after
    qtbot.waitUntil(lambda: not summary.text().startswith("Reading the journal"))
    assert summary.text().startswith("1 verified dose of patient MRN-0012345")
    type_into(qtbot, window, "weightInput", "62 kg")  # the order changes: no new read
    chart = child(window, QWidget, "weightTrendChart")
    assert "62 kg" not in chart.accessibleDescription()  # redrawn once typing pauses
    qtbot.waitUntil(lambda: "62 kg on" in chart.accessibleDescription())
    assert reads == ["MRN-0012345"]


def test_an_unreadable_journal_is_said_not_hidden(
    qtbot, window: MainWindow, data_dir: Path
) -> None:
    data_dir.mkdir()
    (data_dir / "journal.sqlite3").write_bytes(b"not a journal at all" * 50)
    first_entry(qtbot, window)
    summary = child(window, QLabel, "historySummary")
    qtbot.waitUntil(lambda: "NOT shown or checked" in summary.text())
    assert "journal could not be read" in summary.text()
    assert child(window, QLabel, "historyDoses").text() == ""


# --- keyboard and accessibility -------------------------------------------------------------------


def test_the_dialog_is_named_labelled_and_keyboard_ordered(qtbot, window: MainWindow) -> None:
    first_entry(qtbot, window, ancInput="1850 /mm3")
    dialog = open_verify(qtbot, window)
    named = [
        w
        for w in dialog.findChildren(QWidget)
        if isinstance(
            w, QLineEdit | QComboBox | QAbstractButton | QPlainTextEdit | QListWidget | QTableWidget
        )
        and w.objectName()
        and not w.objectName().startswith("qt_")
    ]
    assert len(named) >= 20
    assert [w.objectName() for w in named if not w.accessibleName()] == []
    inputs = [w for w in named if w.objectName().endswith(("Input", "Combo"))]
    assert [w.objectName() for w in inputs if not w.accessibleDescription()] == []
    letters = [
        re.search(r"&(\w)", label.text()).group(1).lower()  # type: ignore[union-attr]
        for label in dialog.findChildren(QLabel)
        if "&" in label.text()
    ] + [
        re.search(r"&(\w)", b.text()).group(1).lower()  # type: ignore[union-attr]
        for b in dialog.findChildren(QAbstractButton)
        if "&" in b.text()
    ]
    assert len(letters) >= 15 and len(letters) == len(set(letters)), letters
    order = [w.objectName() for w in dialog.tab_chain]
    assert order[:6] == [
        "preparedByInput",
        "verifiedByInput",
        "verifyHeightInput",
        "verifyHeightUnitCombo",
        "verifyWeightInput",
        "verifyWeightUnitCombo",
    ]
    assert order.index("verifyAncInput") < order.index("compareButton") < order.index("signButton")
    # Enter moves on (it never presses Compare or Sign)
    dialog.activateWindow()
    height = child(dialog, QLineEdit, "verifyHeightInput")
    height.setFocus()
    qtbot.keyClick(height, Qt.Key.Key_Return)
    assert dialog.focusWidget() is child(dialog, QComboBox, "verifyHeightUnitCombo")
    assert dialog.comparison is None


def test_every_reentered_field_has_an_input_and_a_missed_inhibitor_is_a_difference(
    qtbot, window: MainWindow
) -> None:
    from ixempra_gui.core.order_fields import REENTERED

    first_entry(qtbot, window)
    child(window, QCheckBox, "cyp3a4InhibitorCheck").setChecked(True)
    assert child(window, QLabel, "statusBanner").text() == "READY TO PREPARE"
    dialog = open_verify(qtbot, window)
    assert set(dialog.widgets) == set(REENTERED)
    inhibitor = child(dialog, QCheckBox, "verifyStrongCyp3a4InhibitorCheck")
    assert not inhibitor.isChecked()  # blind: nothing of the first entry
    second_entry(qtbot, dialog)  # the inhibitor is not ticked: "not entered"
    compare(qtbot, dialog)
    rows = differences(dialog)
    assert rows[0][:3] == ("⚠ differs", "Strong CYP3A4 inhibitor (input)", "yes")
    assert any(r[:2] == ("⚠ differs", "Dose (result)") for r in rows)
    assert "DIFFER" in child(dialog, QLabel, "comparisonSummary").text()
    compared = child(dialog, QLabel, "comparedFields").text()
    assert "Strong CYP3A4 inhibitor" in compared and "Site settings, not re-entered" in compared
    assert not child(dialog, QPushButton, "signButton").isEnabled()


# --- locked entries stay readable ---------------------------------------------------------------


def _luminance(colour: QColor) -> float:
    """WCAG 2.x relative luminance of an sRGB colour."""

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(x) for x in (colour.redF(), colour.greenF(), colour.blueF()))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: QColor, b: QColor) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_wcag_contrast_of_known_pairs() -> None:
    assert contrast(QColor("#000000"), QColor("#ffffff")) == pytest.approx(21.0)
    assert contrast(QColor("#777777"), QColor("#ffffff")) == pytest.approx(4.48, abs=0.01)


def test_locked_entries_keep_a_readable_contrast(qtbot, window: MainWindow) -> None:
    """After Compare every locked input is drawn with colours of at least 4.5:1 (WCAG AA):
    the read-only text fields in their active colours, the disabled choices and ticks in the
    colours of their disabled group, the one Qt paints them with."""
    first_entry(qtbot, window)
    dialog = open_verify(qtbot, window)
    second_entry(qtbot, dialog)
    compare(qtbot, dialog)
    disabled, active = QPalette.ColorGroup.Disabled, QPalette.ColorGroup.Active
    roles = (
        (QPalette.ColorRole.Text, QPalette.ColorRole.Base),
        (QPalette.ColorRole.ButtonText, QPalette.ColorRole.Button),
        (QPalette.ColorRole.WindowText, QPalette.ColorRole.Window),
    )
    checked = 0
    for widget in dialog.findChildren(QWidget):
        name = widget.objectName()
        if not name.startswith("verify") or not isinstance(
            widget, QLineEdit | QComboBox | QCheckBox
        ):
            continue
        pal = widget.palette()
        if isinstance(widget, QLineEdit):
            assert widget.isReadOnly() and widget.isEnabled(), name
            pairs = [(pal.color(active, roles[0][0]), pal.color(active, roles[0][1]))]
        else:
            assert not widget.isEnabled(), name
            pairs = [(pal.color(disabled, t), pal.color(disabled, b)) for t, b in roles]
        for text, background in pairs:
            ratio = contrast(text, background)
            assert ratio >= 4.5, (name, text.name(), background.name(), round(ratio, 2))
        checked += 1
    assert checked >= 12  # every re-entered input, its unit choices and ticks

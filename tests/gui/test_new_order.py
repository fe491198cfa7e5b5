"""A new patient starts clean (issue 12, point 9): File → New order (Ctrl+N) clears every
patient entry on both tabs and keeps the site's settings; it asks first only for a ready dose
that was neither printed nor verified; the title says whose order is open; another identifier
typed over a verified order starts a new order.

Independent reference for "clean": a window just opened with the same preferences (its order
and its coverage answers, field by field).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from test_verification import FIRST, compare, open_verify, second_entry, sign

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QToolButton,
)

from ixempra_gui import APP_NAME, app
from ixempra_gui.ui.main_window import MainWindow

PATIENT = "MRN 0012345"
V01 = {
    "heightInput": "170 cm",
    "weightInput": "70 kg",
    "astInput": "30 U/L",
    "astUlnInput": "40 U/L",
    "altInput": "25 U/L",
    "altUlnInput": "40 U/L",
    "bilirubinInput": "0.8 mg/dL",
    "bilirubinUlnInput": "1.2 mg/dL",
    "ancInput": "1800",
    "plateletsInput": "150000",
}


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "journal"
    monkeypatch.setenv("IXEMPRA_DATA_DIR", str(folder))
    return folder


def shown(qtbot, win: MainWindow) -> MainWindow:
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitActive(win)
    return win


@pytest.fixture
def window(qtbot, data_dir: Path) -> MainWindow:
    return shown(qtbot, app.create_main_window())


class Boxes:
    """Answers every message box that opens (a click, as the pharmacist would) and keeps what
    each said: a box nobody answers would wait for ever."""

    def __init__(self) -> None:
        self.answer = QMessageBox.StandardButton.Cancel
        self.asked: list[QMessageBox] = []
        self.said: list[str] = []
        self.timer = QTimer()
        self.timer.setInterval(20)
        self.timer.timeout.connect(self._answer)
        self.timer.start()

    def _answer(self) -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox) and box not in self.asked:
            self.asked.append(box)
            self.said.append(f"{box.text()}\n{box.informativeText()}")
            assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
            box.button(self.answer).click()


@pytest.fixture
def boxes() -> Iterator[Boxes]:
    answering = Boxes()
    yield answering
    answering.timer.stop()


def edit(win: MainWindow, name: str) -> QLineEdit:
    found = win.findChild(QLineEdit, name)
    assert found is not None, name
    return found


def text_of(win: MainWindow, name: str) -> str:
    found = win.findChild(QLabel, name)
    assert found is not None, name
    return found.text()


def choose(win: MainWindow, name: str, data: str) -> None:
    box = win.findChild(QComboBox, name)
    assert box is not None, name
    index = box.findData(data)
    assert index >= 0, (name, data)
    box.setCurrentIndex(index)


def tick(win: MainWindow, *names: str) -> None:
    for name in names:
        box = win.findChild(QCheckBox, name)
        assert box is not None, name
        box.setChecked(True)


def ready_order(win: MainWindow, patient: str = PATIENT) -> None:
    for name, text in {**V01, "patientIdInput": patient}.items():
        edit(win, name).setText(text)
    choose(win, "regimenCombo", "monotherapy")
    assert text_of(win, "statusBanner") == "READY TO PREPARE"


def fill_everything(win: MainWindow) -> None:
    """Every patient input on both tabs away from its initial state."""
    ready_order(win)
    earlier = (date.today() - timedelta(days=1)).isoformat()
    for name in ("administeredOnInput", "heightMeasuredOnInput", "weightMeasuredOnInput"):
        edit(win, name).setText(earlier)
    edit(win, "labsDrawnOnInput").setText(earlier)
    edit(win, "astUlnInput").setText("45 U/L")  # typed over the site's ULN
    edit(win, "reductionReasonInput").setText("grade 3 neuropathy, cycle 2")
    edit(win, "hepaticEscalationLevelInput").setText("25 mg/m2")
    edit(win, "doseLevelInput").setText("32 mg/m2")
    edit(win, "preparedAtInput").setText(f"{earlier} 08:00")
    for name, data in (
        ("heightUnitCombo", "in"),
        ("bsaFormulaCombo", "dubois"),
        ("currentNonhemeToxicityGradeCombo", "1"),
        ("toxicityReductionsCombo", "1"),
        ("reductionModeCombo", "absolute"),
        ("diluentCombo", "sodium-chloride"),
    ):
        choose(win, name, data)
    tick(
        win,
        "cyp3a4InhibitorCheck",
        "cyp3a4InducerCheck",
        "cremophorHypersensitivityCheck",
        "gilbertCheck",
        "confirmReductionCheck",
        "priorHypersensitivityCheck",
        "acknowledgeWarningsCheck",
    )
    events = win.findChild(QListWidget, "worstEventsList")
    for i in range(events.count()):
        events.item(i).setCheckState(Qt.CheckState.Checked)
    coverage = win.coverage
    win.tabs.setCurrentWidget(coverage)
    choose(win, "requestCombo", "renewal")
    edit(win, "requestDateInput").setText(earlier)
    edit(win, "diagnosisInput").setText("C50.912")
    choose(win, "settingCombo", "metastatic")
    choose(win, "responseCombo", "stable")
    for box in [*coverage.resistant.values(), *coverage.toxicities.values()]:
        box.setChecked(True)
    tick(win, "anthracyclineContraindicatedCheck", "progressionCheck")


def test_new_order_clears_both_tabs_and_keeps_the_site_settings(
    qtbot, window: MainWindow, boxes: Boxes
) -> None:
    window.apply_preferences(replace(window.prefs, ast_uln="35 U/L", weight_unit="lb"))
    fill_everything(window)
    assert window.windowTitle() == f"{PATIENT} — {APP_NAME}"
    assert window.tabs.currentIndex() == 1
    before = window.form.form_input()
    fresh = shown(qtbot, app.create_main_window())  # the same saved preferences
    assert fresh.prefs == window.prefs and before != fresh.form.form_input()

    window.activateWindow()
    qtbot.waitActive(window)
    qtbot.keyClick(
        window.focusWidget() or window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier
    )

    assert boxes.said == []  # nothing ready to lose (the Cremophor tick contraindicates)
    assert window.form.form_input() == fresh.form.form_input()
    assert window.coverage.coverage_form() == fresh.coverage.coverage_form()
    assert edit(window, "astUlnInput").text() == "35 U/L"  # the site's ULN, not the typed one
    assert window.findChild(QComboBox, "weightUnitCombo").currentData() == "lb"
    assert edit(window, "administeredOnInput").text() == date.today().isoformat()
    assert edit(window, "requestDateInput").text() == date.today().isoformat()
    assert window.windowTitle() == APP_NAME
    assert window.tabs.currentIndex() == 0 and window.focusWidget() is edit(
        window, "patientIdInput"
    )
    assert text_of(window, "statusBanner") == "NO DOSE: INPUT NEEDED"
    assert text_of(window, "recordIdLabel").startswith("Not yet verified")
    qtbot.waitUntil(
        lambda: text_of(window, "historySummary").startswith("Enter the patient identifier")
    )

    def messages(win: MainWindow) -> dict[str, str]:
        return {k: m.text() for k, m in win.form.messages.items() if m.isVisibleTo(win.form)}

    assert messages(window) == messages(fresh)  # no message of the last patient's fields

    def clear_buttons(win: MainWindow) -> set[str]:
        edits = win.form.findChildren(QLineEdit)
        return {
            e.objectName() for e in edits if any(b.isVisible() for b in e.findChildren(QToolButton))
        }

    # an emptied field shows no clear button (a field's own signals were not held back)
    qtbot.waitUntil(lambda: clear_buttons(window) == clear_buttons(fresh))
    assert "cleared" in window.statusBar().currentMessage()


def test_ctrl_n_asks_before_discarding_a_dose_nobody_acted_on(
    qtbot, window: MainWindow, boxes: Boxes
) -> None:
    ready_order(window)
    assert window.new_action.shortcut().toString() == "Ctrl+N"
    assert window.file_menu.actions()[0] is window.new_action
    boxes.answer = QMessageBox.StandardButton.Cancel
    qtbot.keyClick(
        window.focusWidget() or window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier
    )
    assert len(boxes.said) == 1
    assert boxes.said[0].startswith(
        f"Discard the dose on screen (72.8 mg for {PATIENT})? It was neither printed, saved as "
        "PDF nor verified."
    )
    assert boxes.asked[0].objectName() == "newOrderQuestion"
    assert text_of(window, "doseValue") == "72.8 mg"  # Cancel: nothing cleared
    assert edit(window, "patientIdInput").text() == PATIENT

    boxes.answer = QMessageBox.StandardButton.Discard
    window.new_action.trigger()  # File → New order
    assert len(boxes.said) == 2
    assert text_of(window, "doseValue") == "—" and edit(window, "patientIdInput").text() == ""


def test_no_question_once_the_worksheet_is_saved_until_the_order_changes(
    qtbot, window: MainWindow, boxes: Boxes, tmp_path: Path
) -> None:
    ready_order(window)
    assert window.save_pdf(tmp_path / "worksheet.pdf") is not None
    edit(window, "weightInput").setText("71 kg")  # another dose: not printed
    window.new_action.trigger()  # Cancel
    assert len(boxes.said) == 1 and text_of(window, "doseValue") != "—"
    edit(window, "weightInput").setText("70 kg")  # the order printed, again
    window.new_action.trigger()
    assert len(boxes.said) == 1  # not asked
    assert edit(window, "weightInput").text() == ""


def test_a_printed_worksheet_counts_too(
    qtbot, window: MainWindow, boxes: Boxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ixempra_gui.ui.printing as printing

    monkeypatch.setattr(printing, "print_html", lambda html, parent: True)
    ready_order(window)
    window.print_action.trigger()
    window.new_action.trigger()
    assert boxes.said == [] and edit(window, "heightInput").text() == ""


def sign_order(qtbot, win: MainWindow) -> None:
    for name, text in FIRST.items():
        edit(win, name).setText(text)
    choose(win, "regimenCombo", "monotherapy")
    edit(win, "patientIdInput").setText(PATIENT)
    dialog = open_verify(qtbot, win)
    second_entry(qtbot, dialog)
    compare(qtbot, dialog)
    sign(qtbot, dialog)
    qtbot.waitUntil(lambda: win.verification.dialog is None)
    assert text_of(win, "recordIdLabel").startswith("Journal record 1 ")


def test_a_verified_order_is_cleared_without_a_question(
    qtbot, window: MainWindow, boxes: Boxes
) -> None:
    sign_order(qtbot, window)
    window.new_action.trigger()
    assert boxes.said == []
    assert edit(window, "heightInput").text() == "" and window.windowTitle() == APP_NAME
    assert text_of(window, "recordIdLabel").startswith("Not yet verified")
    assert "journal record 1 was signed" not in text_of(window, "recordIdLabel")


def test_another_identifier_typed_over_a_verified_order_starts_a_new_one(
    qtbot, window: MainWindow, boxes: Boxes
) -> None:
    sign_order(qtbot, window)
    window.tabs.setCurrentWidget(window.coverage)
    choose(window, "settingCombo", "metastatic")
    window.tabs.setCurrentIndex(0)
    field = edit(window, "patientIdInput")
    field.setFocus()
    field.selectAll()
    qtbot.keyClicks(field, "MRN 0099999")  # the next patient's identifier, typed over
    assert boxes.said == []  # verified: nothing to ask
    assert field.text() == "MRN 0099999"
    assert window.windowTitle() == f"MRN 0099999 — {APP_NAME}"
    assert edit(window, "heightInput").text() == "" and edit(window, "weightInput").text() == ""
    assert window.findChild(QComboBox, "regimenCombo").currentData() is None
    assert window.findChild(QComboBox, "settingCombo").currentData() is None
    assert text_of(window, "doseValue") == "—"
    assert text_of(window, "recordIdLabel").startswith("Not yet verified")
    summary = window.findChild(QLabel, "historySummary")
    qtbot.waitUntil(
        lambda: summary.text() == "No verified dose of patient MRN 0099999 in the journal."
    )
    # An edit of an order that is not verified is only an edit: the order stays.
    ready_order(window, "MRN 0099999")
    qtbot.keyClicks(field, "1")
    assert edit(window, "heightInput").text() == "170 cm" and boxes.said == []


def test_the_title_says_whose_order_is_open(qtbot, window: MainWindow) -> None:
    assert window.windowTitle() == APP_NAME
    field = edit(window, "patientIdInput")
    qtbot.keyClicks(field, "MRN 0012345")
    assert window.windowTitle() == f"MRN 0012345 — {APP_NAME}"
    field.setText("A" * 60)
    assert window.windowTitle() == f"{'A' * 39}… — {APP_NAME}"
    field.setText("MRN[*]1\u202e\x07")  # Qt's modified mark, a bidi override, a bell
    assert window.windowHandle().title() == f"MRN[*]1 — {APP_NAME}"
    field.clear()
    assert window.windowTitle() == APP_NAME

"""The signed dose is not its own history (issue 12, point 8): right after the double check is
signed, the dose on screen is the journal record just written, not an earlier dose given the
same day. After any edit it is an earlier dose again; typed back as signed, it is this dose.

Independent reference: the journal read back through its own API, and the policy's limit
(90 units per 21 days: 75 + 75 is over it, 75 alone is not).
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from test_verification import (
    child,
    choose,
    compare,
    first_entry,
    open_verify,
    second_entry,
    sign,
    type_into,
)

from PySide6.QtWidgets import QCheckBox, QLabel, QLineEdit, QPushButton, QTabWidget

from ixempra_gui import app
from ixempra_gui.journal.store import Journal
from ixempra_gui.ui.main_window import MainWindow

PATIENT = "MRN-0012345"


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


def answer_coverage(win: MainWindow) -> None:
    """Monotherapy: metastatic, resistant to an anthracycline, a taxane and capecitabine."""
    tabs = child(win, QTabWidget, "orderTabs")
    tabs.setCurrentWidget(win.coverage)
    win.coverage.diagnosis.setText("C50.912")
    choose(win, "settingCombo", "metastatic")
    for name in ("resistantAnthracyclineCheck", "resistantTaxaneCheck"):
        child(win, QCheckBox, name).setChecked(True)
    child(win, QCheckBox, "resistantCapecitabineCheck").setChecked(True)  # I.1.A.ii
    tabs.setCurrentIndex(0)


def texts(win: MainWindow) -> dict[str, str]:
    """The History panel's and the Coverage tab's words that count earlier doses."""
    names = ("historyWindow", "historyWarnings", "historyDoses")
    names += ("coverageVerdict", "coverageDosingLimit")
    return {name: child(win, QLabel, name).text() for name in names}


def test_the_signed_dose_is_this_dose_until_the_order_changes(
    qtbot, window: MainWindow, data_dir: Path
) -> None:
    first_entry(qtbot, window, PATIENT)
    answer_coverage(window)
    history = child(window, QLabel, "historyWindow")
    qtbot.waitUntil(lambda: "0 units already given + 75 this dose = 75" in history.text())
    assert child(window, QLabel, "coverageVerdict").text() == "MEETS I.1.A.ii"

    dialog = open_verify(qtbot, window)
    second_entry(qtbot, dialog)
    compare(qtbot, dialog)
    sign(qtbot, dialog)
    qtbot.waitUntil(lambda: window.verification.dialog is None)
    with Journal.open(data_dir) as journal:
        [record] = list(journal.records())
    assert record.content["result"]["dose_mg"] == 66.8  # 67 + 8 discarded = 75 units

    # This dose, once: the History panel lists it as this dose and counts it once ...
    doses = child(window, QLabel, "historyDoses")
    qtbot.waitUntil(lambda: f"record {record.id}" in doses.text())
    shown = texts(window)
    assert shown["historyDoses"].endswith(f"record {record.id} · this dose, verified")
    assert shown["historyWindow"].endswith(
        f"0 units already given + 75 this dose (record {record.id}, verified) = 75 of 90 "
        "units: within the limit."
    )
    assert shown["historyWarnings"] == ""  # no "0 days since the last dose — already recorded?"
    assert "150" not in shown["historyWindow"]
    # ... and so does the Coverage tab's dosing limit.
    assert shown["coverageVerdict"] == "MEETS I.1.A.ii"
    assert "0 units in the 21 days before + this dose 75" in shown["coverageDosingLimit"]
    assert (
        child(window, QLabel, "recordIdLabel")
        .text()
        .startswith(f"Journal record {record.id} (hash ")
    )

    # The same order cannot be verified (recorded) a second time.
    verify = child(window, QPushButton, "verifyButton")
    assert not verify.isEnabled()
    assert f"Already verified: journal record {record.id}" in verify.toolTip()

    # Any edit: another dose, and the signed one is an earlier dose given today.
    type_into(qtbot, window, "weightInput", "62 kg")
    qtbot.waitUntil(lambda: "OVER the limit" in history.text())
    shown = texts(window)
    assert (
        f"75 units already given (record {record.id}) + 75 this dose = 150 of 90"
        in (shown["historyWindow"])
    )
    assert "0 days since the last verified dose" in shown["historyWarnings"]
    assert "Is this dose already recorded?" in shown["historyWarnings"]
    assert "this dose, verified" not in shown["historyDoses"]
    assert shown["coverageVerdict"] == "DOES NOT MEET MG.MM.PH.153"
    assert "75 units in the 21 days before + this dose 75" in shown["coverageDosingLimit"]
    assert child(window, QLabel, "recordIdLabel").text().startswith("Not yet verified")

    # Typed back as it was signed: this dose again (the same order, the same preferences).
    type_into(qtbot, window, "weightInput", "61.3 kg")
    qtbot.waitUntil(lambda: "within the limit" in history.text())
    assert child(window, QLabel, "historyWarnings").text() == ""
    assert child(window, QLabel, "coverageVerdict").text() == "MEETS I.1.A.ii"


def test_a_new_preference_makes_the_signed_dose_an_earlier_one(
    qtbot, window: MainWindow, data_dir: Path
) -> None:
    """Preferences are part of what was signed (bags, rounding): changed, it is another order."""
    from dataclasses import replace

    first_entry(qtbot, window, PATIENT)
    dialog = open_verify(qtbot, window)
    second_entry(qtbot, dialog)
    compare(qtbot, dialog)
    sign(qtbot, dialog)
    qtbot.waitUntil(lambda: window.verification.dialog is None)
    history = child(window, QLabel, "historyWindow")
    qtbot.waitUntil(lambda: "(record 1, verified)" in history.text())
    window.apply_preferences(replace(window.prefs, labs_max_age_days=7))
    qtbot.waitUntil(lambda: "OVER the limit" in history.text())
    assert "Is this dose already recorded?" in child(window, QLabel, "historyWarnings").text()
    assert child(window, QLineEdit, "patientIdInput").text() == PATIENT  # nothing cleared

"""The placeholder window: typed text reaches the calculator and its summary is shown."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QComboBox, QLineEdit, QPlainTextEdit, QWidget

from ixempra_gui.ui.main_window import MainWindow

# Reference case v01 (../shared/spec/reference-cases.json): a normal adult with normal labs.
V01_TYPED = {
    "height": "170 cm",
    "weight": "70 kg",
    "ast": "30 U/L",
    "alt": "25 U/L",
    "bilirubin": "0.8 mg/dL",
}
V01_ULNS = {"ast_uln": "40 U/L", "alt_uln": "40 U/L", "bilirubin_uln": "1.2 mg/dL"}


@pytest.fixture
def window(qtbot) -> MainWindow:
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def choose_regimen(win: MainWindow, value: str) -> None:
    index = win.regimen.findData(value)
    assert index >= 0, value
    win.regimen.setCurrentIndex(index)


def type_v01(qtbot, win: MainWindow) -> None:
    for key, text in V01_TYPED.items():
        qtbot.keyClicks(win.fields[key], text)
    choose_regimen(win, "monotherapy")


def result_text(win: MainWindow) -> str:
    return win.result_view.toPlainText()


def test_starts_with_uln_defaults_and_no_dose(window: MainWindow) -> None:
    assert {k: window.fields[k].text() for k in V01_ULNS} == V01_ULNS
    assert window.regimen.currentData() is None  # the pharmacist must choose
    assert "NO DOSE: INPUT NEEDED" in result_text(window)
    assert " mg\n" not in result_text(window)


def test_v01_typed_shows_the_reference_dose(qtbot, window: MainWindow) -> None:
    type_v01(qtbot, window)
    text = result_text(window)
    assert "READY TO PREPARE" in text
    assert "72.8 mg" in text
    assert "36.4 mL" in text
    assert window.status_label.text() == "READY TO PREPARE"


def test_weight_typed_as_height_shows_the_error_and_no_dose(qtbot, window: MainWindow) -> None:
    type_v01(qtbot, window)
    assert "72.8 mg" in result_text(window)
    window.fields["height"].clear()
    qtbot.keyClicks(window.fields["height"], "70 kg")
    text = result_text(window)
    assert "Height: '70 kg' is a weight, not a height" in text
    assert "72.8 mg" not in text  # a stale dose never stays on screen
    assert "READY TO PREPARE" not in text
    assert window.status_label.text() == "NO DOSE: INPUT NEEDED"
    # ...and on the field itself, not only in the summary
    assert window.fields["height"].property("invalid") is True
    assert "is a weight, not a height" in window.fields["height"].toolTip()
    assert "is a weight, not a height" in window.fields["height"].accessibleDescription()
    assert not window.fields["weight"].property("invalid")


def test_empty_fields_are_not_marked_as_errors(window: MainWindow) -> None:
    assert not any(edit.property("invalid") for edit in window.fields.values())


def test_capecitabine_is_passed_through(qtbot, window: MainWindow) -> None:
    type_v01(qtbot, window)
    choose_regimen(window, "capecitabine")
    assert window.order().regimen == "capecitabine"
    assert "Regimen     capecitabine" in result_text(window)


def test_result_is_read_only_and_monospace(window: MainWindow) -> None:
    assert window.result_view.isReadOnly()
    assert window.result_view.font().fixedPitch() or "mono" in window.result_view.font().family()


def test_title(window: MainWindow) -> None:
    assert window.windowTitle() == "Ixempra dosing workstation"


def test_every_input_has_an_accessible_name(window: MainWindow) -> None:
    expected = {
        "height": "Height",
        "weight": "Weight",
        "ast": "AST",
        "ast_uln": "AST upper limit of normal",
        "alt": "ALT",
        "alt_uln": "ALT upper limit of normal",
        "bilirubin": "Total bilirubin",
        "bilirubin_uln": "Total bilirubin upper limit of normal",
    }
    assert {k: e.accessibleName() for k, e in window.fields.items()} == expected
    assert window.regimen.accessibleName() == "Regimen"
    assert window.result_view.accessibleName() == "Dose calculation result"
    widgets: list[QWidget] = [
        *window.findChildren(QLineEdit),
        *window.findChildren(QComboBox),
        *window.findChildren(QPlainTextEdit),
    ]
    unnamed = [w.objectName() for w in widgets if not w.accessibleName()]
    assert unnamed == []

"""The Coverage tab and the prior-authorization summary, driven through their object names
(issue 5, part 4). Independent reference for the verdicts: ixempra-calc's coverage JSON
(tests/cli/test_coverage_cli.py; the presenter is held to it in tests/unit)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

# Helpers and the v01 order shared with the window's own tests.
from test_main_window import V01, button, check, choose, combo, line, pdf_text, text_of, type_case
from test_main_window import type_into as type_text

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCheckBox,
    QLabel,
    QTabWidget,
    QWidget,
)

from ixempra_gui import app
from ixempra_gui.ui.main_window import MainWindow

REQUEST_DATE = "2025-08-31"


@pytest.fixture
def window(qtbot) -> MainWindow:
    win = app.create_main_window()
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def open_coverage(win: MainWindow) -> None:
    tabs = win.findChild(QTabWidget, "orderTabs")
    assert tabs is not None
    panel = win.findChild(QWidget, "coveragePanel")
    tabs.setCurrentWidget(panel)
    assert panel.isVisible()


def fill_meets(qtbot, win: MainWindow, patient: str = "MRN-0042", **order: str) -> None:
    """v01 with capecitabine; metastatic, resistant to an anthracycline and a taxane, C50.912."""
    type_case(qtbot, win, {**V01, "patientIdInput": patient, **order}, regimen="capecitabine")
    open_coverage(win)
    type_text(qtbot, win, "requestDateInput", REQUEST_DATE)
    type_text(qtbot, win, "diagnosisInput", "c50912")
    choose(win, "settingCombo", "metastatic")
    check(win, "resistantAnthracyclineCheck").setChecked(True)
    check(win, "resistantTaxaneCheck").setChecked(True)


def test_the_order_fills_the_checklist_and_the_verdict_meets_i(qtbot, window: MainWindow) -> None:
    fill_meets(qtbot, window)
    assert text_of(window, "coverageVerdict") == "MEETS I.1.A.i"
    assert "Authorization 2025-08-31 to 2026-02-28" in text_of(window, "coverageDetail")
    facts = text_of(window, "coverageOrderFacts")
    assert "Regimen: With capecitabine" in facts and "Dose: 72.8 mg (40 mg/m²)" in facts
    criteria = window.findChild(QLabel, "coverageCriteria")
    assert "I.1.A.i" in criteria.text() and "met" in criteria.accessibleDescription()
    assert "C50.912 — Malignant neoplasm" in text_of(window, "diagnosisMessage")
    assert not window.findChild(QWidget, "renewalGroup").isVisible()  # initial: not asked
    for name in ("priorAuthPdfButton", "priorAuthPrintButton"):
        assert button(window, name).isEnabled(), name


def test_the_verdict_follows_every_edit_of_the_order(qtbot, window: MainWindow) -> None:
    fill_meets(qtbot, window)
    choose(window, "regimenCombo", "monotherapy")  # I.1.A.ii also needs capecitabine resistance
    assert text_of(window, "coverageVerdict") == "DOES NOT MEET MG.MM.PH.153"
    assert "Not met: I.1.A.ii." in text_of(window, "coverageDetail")
    check(window, "resistantCapecitabineCheck").setChecked(True)
    assert text_of(window, "coverageVerdict") == "MEETS I.1.A.ii"
    type_text(qtbot, window, "weightInput", "80 kg")
    assert "Dose: 77.6 mg" in text_of(window, "coverageOrderFacts")


def test_ast_3_uln_with_capecitabine_shows_exclusion_3(qtbot, window: MainWindow) -> None:
    fill_meets(qtbot, window, astInput="120 U/L")
    assert text_of(window, "coverageVerdict") == "DOES NOT MEET MG.MM.PH.153"
    assert "Exclusion applies: Limitations/Exclusions 3." in text_of(window, "coverageDetail")
    findings = window.findChild(QLabel, "coverageFindings")
    assert findings.isVisible() and "[Limitations/Exclusions 3]" in findings.text()
    assert "AST 3×ULN" in findings.text()
    assert "APPLIES" in text_of(window, "coverageExclusions")
    for name in ("priorAuthPdfButton", "priorAuthPrintButton"):  # no dose to request
        assert not button(window, name).isEnabled()
        assert "NO DOSE: CONTRAINDICATED" in button(window, name).toolTip()
    type_text(qtbot, window, "astInput", "30 U/L")  # corrected on the order: live again
    open_coverage(window)
    assert text_of(window, "coverageVerdict") == "MEETS I.1.A.i"
    assert not window.findChild(QLabel, "coverageFindings").isVisible()


def test_adjuvant_is_exclusion_1(qtbot, window: MainWindow) -> None:
    fill_meets(qtbot, window)
    choose(window, "settingCombo", "adjuvant")
    assert text_of(window, "coverageVerdict") == "DOES NOT MEET MG.MM.PH.153"
    findings = text_of(window, "coverageFindings")
    assert "[Limitations/Exclusions 1]" in findings and "[I.1.A]" in findings


def test_a_category_code_is_refused_with_the_reason(qtbot, window: MainWindow) -> None:
    fill_meets(qtbot, window)
    type_text(qtbot, window, "diagnosisInput", "C50.9")
    message = window.findChild(QLabel, "diagnosisMessage")
    assert message.isVisible() and message.text().startswith("Error: Diagnosis C50.9 is a category")
    assert line(window, "diagnosisInput").property("state") == "error"
    assert "is a category" in line(window, "diagnosisInput").accessibleDescription()
    assert text_of(window, "coverageVerdict") == "DOES NOT MEET MG.MM.PH.153"
    assert "[ICD-10 Diagnoses]" in text_of(window, "coverageFindings")


def test_a_listed_code_is_shown_in_its_normal_form(qtbot, window: MainWindow) -> None:
    fill_meets(qtbot, window)
    window.activateWindow()
    edit = line(window, "diagnosisInput")
    edit.setFocus()
    type_text(qtbot, window, "diagnosisInput", " c50912")
    qtbot.keyClick(edit, Qt.Key.Key_Return)  # Enter moves on; leaving the field normalises it
    assert edit.text() == "C50.912"
    assert window.focusWidget() is combo(window, "settingCombo")


def test_a_bad_request_date_is_marked_and_nothing_is_checked(qtbot, window: MainWindow) -> None:
    fill_meets(qtbot, window)
    type_text(qtbot, window, "requestDateInput", "31/08/2025")
    assert text_of(window, "coverageVerdict") == "COVERAGE NOT CHECKED"
    assert "YYYY-MM-DD" in text_of(window, "requestDateMessage")
    assert not button(window, "priorAuthPdfButton").isEnabled()


def test_renewal_asks_for_the_response_and_toxicities(qtbot, window: MainWindow) -> None:
    fill_meets(qtbot, window)
    choose(window, "requestCombo", "renewal")
    assert window.findChild(QWidget, "renewalGroup").isVisible()
    assert "Still needed: response on Ixempra." in text_of(window, "coverageDetail")
    choose(window, "responseCombo", "stable")
    assert text_of(window, "coverageVerdict") == "MEETS II"
    check(window, "toxicityCardiacIschemiaCheck").setChecked(True)
    assert "Not met: II.3." in text_of(window, "coverageDetail")
    choose(window, "requestCombo", "initial")  # the renewal answers no longer count
    assert text_of(window, "coverageVerdict") == "MEETS I.1.A.i"


def test_prior_authorization_pdf_has_what_a_reviewer_needs(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:
    fill_meets(qtbot, window, patient="<b>x</b>")
    target = tmp_path / "prior-auth.pdf"
    assert window.coverage.save_pdf(target) == target
    text = pdf_text(target)
    for expected in (
        "<b>x</b>",  # printed literally, not as markup
        "Verdict: meets I.1.A.i",
        "C50.912 — Malignant neoplasm of unspecified site of left female breast",
        "Ixempra in combination with capecitabine",
        "72.8 mg IV over 3 h",
        "75 units of J9207 per dose",
        "J9207-JW × 2 units: discarded",
        "resistant to: anthracycline, taxane",
        "disease setting: metastatic",
        "Policy MG.MM.PH.153",
        "last reviewed 2025-03-31",
        "2025-08-31 to 2026-02-28 (6 months)",
        "Exclusions checked",
        "Prescriber signature:",
    ):
        assert expected in text, expected
    assert [p.name for p in tmp_path.iterdir()] == ["prior-auth.pdf"]  # no temporary file left


def test_a_not_met_summary_prints_as_not_met(qtbot, window: MainWindow, tmp_path: Path) -> None:
    fill_meets(qtbot, window)
    choose(window, "settingCombo", "adjuvant")
    target = window.coverage.save_pdf(tmp_path / "refused.pdf")
    assert target is not None
    text = pdf_text(target)
    assert "Verdict: does not meet the policy criteria" in text
    assert "[Limitations/Exclusions 1]" in text


def test_print_and_file_menu_use_a_fresh_summary(qtbot, window: MainWindow, monkeypatch) -> None:
    import ixempra_gui.ui.printing as printing

    printed: list[str] = []
    monkeypatch.setattr(
        printing, "print_html", lambda html, parent, **kw: printed.append(html) or True
    )
    fill_meets(qtbot, window)
    qtbot.mouseClick(button(window, "priorAuthPrintButton"), Qt.MouseButton.LeftButton)
    assert len(printed) == 1 and "72.8 mg" in printed[0]
    file_menu = window.menuBar().actions()[0].menu()
    names = [a.objectName() for a in file_menu.actions()]
    assert "priorAuthPrintAction" in names and "priorAuthPdfAction" in names
    window.coverage.print_action.trigger()
    assert len(printed) == 2


def test_summary_not_available_without_a_ready_dose(qtbot, window: MainWindow, monkeypatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a: told.append(a[2]))
    fill_meets(qtbot, window, heightInput="70 kg")
    assert not button(window, "priorAuthPdfButton").isEnabled()
    assert "NO DOSE: INPUT NEEDED" in button(window, "priorAuthPdfButton").toolTip()
    assert window.coverage.save_pdf(Path("never-written.pdf")) is None
    assert told and "Not available" in told[0]


# --- keyboard and accessibility -------------------------------------------------------------

TAB_ORDER = [
    "requestCombo",
    "requestDateInput",
    "diagnosisInput",
    "settingCombo",
    "resistantAnthracyclineCheck",
    "resistantTaxaneCheck",
    "resistantCapecitabineCheck",
    "anthracyclineContraindicatedCheck",
    "progressionCheck",
    "priorAuthPrintButton",
    "priorAuthPdfButton",
]


def test_tab_order_follows_the_tab(qtbot, window: MainWindow) -> None:
    fill_meets(qtbot, window)
    widget: QWidget = combo(window, "requestCombo")
    names = [widget.objectName()]
    while len(names) < len(TAB_ORDER):
        widget = widget.nextInFocusChain()
        accepts = bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus)
        if accepts and widget.isVisible() and widget.isEnabled() and widget.objectName():
            names.append(widget.objectName())
    assert names == TAB_ORDER


def test_mnemonics_are_unique_on_the_tab_and_clash_with_nothing_in_sight(
    window: MainWindow,
) -> None:
    """The order form is hidden while the Coverage tab shows: its letters may repeat; the menus
    and the result panel beside it stay in sight."""
    panel = window.coverage
    texts = [label.text() for label in panel.findChildren(QLabel) if label.buddy() is not None]
    texts += [box.text() for box in panel.findChildren(QCheckBox)]
    letters = [m.group(1).lower() for t in texts if (m := re.search(r"&(\w)", t))]
    assert len(letters) >= 16
    assert len(letters) == len(set(letters)), "a mnemonic letter is used twice"
    in_sight = {a.text().replace("&", "")[0].lower() for a in window.menuBar().actions()}
    beside = [
        *window.result_panel.findChildren(QAbstractButton),
        *window.result_panel.findChildren(QLabel),
    ]
    in_sight |= {m.group(1).lower() for w in beside if (m := re.search(r"&(\w)", w.text()))}
    assert not in_sight & set(letters)
    file_menu = window.menuBar().actions()[0].menu()
    menu_letters = [
        m.group(1).lower() for a in file_menu.actions() if (m := re.search(r"&(\w)", a.text()))
    ]
    assert len(menu_letters) == len(set(menu_letters))


def test_every_answer_and_output_is_named_for_screen_readers(window: MainWindow) -> None:
    panel = window.coverage
    for name in (
        "coverageVerdict",
        "coverageDetail",
        "coverageOrderFacts",
        "coverageCriteria",
        "coverageExclusions",
    ):
        label = panel.findChild(QLabel, name)
        assert label is not None and label.accessibleName(), name
    for name in [*TAB_ORDER, "responseCombo", "toxicityPeripheralNeuropathyCheck"]:
        widget = panel.findChild(QWidget, name)
        assert widget is not None and widget.accessibleName(), name
        assert widget.accessibleDescription(), name


def test_ctrl_tab_switches_between_order_and_coverage(qtbot, window: MainWindow) -> None:
    window.activateWindow()
    edit = line(window, "patientIdInput")
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget() is window.coverage
    qtbot.keyClick(
        window.focusWidget() or window.tabs, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier
    )
    assert window.tabs.currentWidget() is window.form_scroll


def test_a_mnemonic_reaches_only_the_tab_in_sight(qtbot, window: MainWindow) -> None:
    """Alt+I is "Bil&irubin ULN" on the Order tab and "&ICD-10 diagnosis" on the Coverage tab:
    each works while its tab shows, and the hidden one never takes the focus."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    line(window, "patientIdInput").setFocus()
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_I, Qt.KeyboardModifier.AltModifier)
    assert window.focusWidget() is line(window, "bilirubinUlnInput")
    open_coverage(window)
    line(window, "requestDateInput").setFocus()
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_I, Qt.KeyboardModifier.AltModifier)
    assert window.focusWidget() is line(window, "diagnosisInput")


def test_app_main_builds_the_tab_right_after_the_first_frame(qtbot) -> None:
    """app.main defers the Coverage panel past the first paint; it then works as when built
    at once, with its File-menu actions in place and the order already shown in it."""
    win = app.create_main_window(defer_coverage=True)
    qtbot.addWidget(win)
    assert win.findChild(QWidget, "coveragePanel") is None  # not yet: the window paints first
    win.show()
    qtbot.waitUntil(lambda: win.findChild(QWidget, "coveragePanel") is not None, timeout=5000)
    names = [a.text() for a in win.file_menu.actions()]
    pdf = names.index("Save worksheet as P&DF…")
    assert "prior-authorization" in " ".join(names[pdf + 1 : pdf + 3]).lower()
    fill_meets(qtbot, win)
    assert text_of(win, "coverageVerdict") == "MEETS I.1.A.i"


def test_opening_the_tab_builds_it_at_once(qtbot) -> None:
    win = app.create_main_window(defer_coverage=True)
    qtbot.addWidget(win)
    win.findChild(QTabWidget, "orderTabs").setCurrentIndex(1)
    panel = win.findChild(QWidget, "coveragePanel")
    assert panel is not None and win.findChild(QTabWidget, "orderTabs").currentWidget() is panel

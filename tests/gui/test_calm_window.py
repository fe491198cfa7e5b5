"""A calm window for the preparer (issue 15.6): what is acted on at the top, stops and warnings
unfolded, info rules / sources / the echo folded, empty sections hidden, the NDC notice once per
site, Coverage neutral at start, first focus on the patient identifier, Preferences resizable.

Independent reference for the figures: reference case v01 (shared/spec/reference-cases.json:
72.8 mg, 1 × 45 mg + 2 × 15 mg, 36.4 mL) and the label's hepatic table (AST 3×ULN on
monotherapy: 32 mg/m²).
"""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from test_main_window import V01, line, text_of, type_case, window  # noqa: F401

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QScrollArea,
    QTabWidget,
    QToolButton,
    QWidget,
)

from ixempra_gui import app
from ixempra_gui.presentation.fields import StatusKind
from ixempra_gui.ui.main_window import MainWindow

DASH = "—"
ACTS_ON = ("withdrawValue", "topVialsValue", "bagValue", "concentrationValue", "rateValue")


def label(win: QWidget, name: str) -> QLabel:
    found = win.findChild(QLabel, name)
    assert found is not None, name
    return found


def in_sight(win: MainWindow, widget: QWidget) -> bool:
    """Shown without scrolling or unfolding: above the result's details, or at their top
    (inside the scroll area's view, scrolled to the top as after every edit)."""
    scroll = win.findChild(QScrollArea, "resultScroll")
    if not widget.isVisible():
        return False
    if not scroll.isAncestorOf(widget):
        return widget.mapTo(win, widget.rect().bottomLeft()).y() <= scroll.mapTo(win, QPoint()).y()
    view = scroll.viewport()
    bottom = widget.mapTo(view, widget.rect().bottomLeft()).y()
    return scroll.verticalScrollBar().value() == 0 and bottom <= view.height()


def test_v01_top_holds_what_the_preparer_acts_on(qtbot, window: MainWindow) -> None:  # noqa: F811
    type_case(qtbot, window, V01)
    shown = {name: text_of(window, name) for name in ("doseValue", "levelValue", *ACTS_ON)}
    assert shown == {
        "doseValue": "72.8 mg",
        "levelValue": "40 mg/m²",
        "withdrawValue": "36.4 mL",
        "topVialsValue": "1 × 45 mg + 2 × 15 mg",
        "bagValue": "250 mL Lactated Ringer's",
        "concentrationValue": "0.25 mg/mL",
        "rateValue": "95.5 mL/h over 3 h",
    }
    for name in ("doseValue", *ACTS_ON):
        assert in_sight(window, label(window, name)), name
    assert not label(window, "levelWhy").isVisible()  # 40 mg/m²: nothing to explain


def test_a_hepatic_reduction_says_why_beside_the_level(qtbot, window: MainWindow) -> None:  # noqa: F811
    type_case(qtbot, window, {**V01, "astInput": "120 U/L"})
    assert text_of(window, "levelValue") == "32 mg/m²"
    why = label(window, "levelWhy")
    assert in_sight(window, why)
    assert why.text().startswith("Why not 40 mg/m²: Hepatic function (monotherapy): AST 3×ULN")
    assert why.text().endswith("→ 32 mg/m²")
    alerts = text_of(window, "alertsValue")
    assert "Hepatic function" not in alerts  # said once, beside the level
    assert "Warning: Start-of-cycle gate not checked" in alerts


def test_a_hold_shows_its_reasons_unfolded_and_no_dose(qtbot, window: MainWindow) -> None:  # noqa: F811
    type_case(qtbot, window, {**V01, "ancInput": "1499"})
    assert text_of(window, "statusBanner") == "NO DOSE: HOLD"
    assert text_of(window, "doseValue") == DASH
    assert {text_of(window, name) for name in ACTS_ON} == {DASH}
    stop = "Hold: ANC 1,499 /mm³ does not meet ≥ 1,500 /mm³."
    assert text_of(window, "statusDetail").startswith(stop)  # the banner says the stop
    alerts = label(window, "alertsValue")
    assert in_sight(window, alerts) and stop not in alerts.text()  # once
    assert alerts.text().startswith("Warning: Start-of-cycle gate not checked")
    for name in ("vialsValue", "preparationValue", "billingValue"):  # nothing to show: hidden
        assert not label(window, name).isVisible(), name
    assert "NOT MET" in text_of(window, "gateValue") and label(window, "gateValue").isVisible()


def test_info_rules_sources_and_echo_are_folded_and_open_from_the_keyboard(
    qtbot,
    window: MainWindow,  # noqa: F811
) -> None:
    type_case(qtbot, window, V01)
    for name in ("levelRules", "inputsEcho", "reasons"):
        toggle = window.findChild(QToolButton, f"{name}Toggle")
        assert toggle.isVisible() and not toggle.isChecked(), name
        assert toggle.focusPolicy() & Qt.FocusPolicy.TabFocus, name
        assert "folded" in toggle.accessibleName()
    reasons = label(window, "reasonsValue")
    assert not reasons.isVisible()
    assert "BSA formula: Mosteller" in reasons.text()  # an info rule: there, folded
    assert "BSA formula" not in text_of(window, "alertsValue")
    window.activateWindow()
    qtbot.waitActive(window)
    toggle = window.findChild(QToolButton, "reasonsToggle")
    toggle.setFocus()
    qtbot.keyClick(toggle, Qt.Key.Key_Space)
    assert toggle.isChecked() and reasons.isVisible()
    assert "open" in toggle.accessibleName()


def test_sources_name_product_rules_by_their_page(qtbot, window: MainWindow) -> None:  # noqa: F811
    type_case(qtbot, window, V01)
    reasons = text_of(window, "reasonsValue")
    assert "product rule (docs/product-rules.md" in reasons
    assert "spec §" not in reasons and "issue " not in reasons


def test_the_ndc_notice_is_said_once_per_site_and_the_marker_stays(
    qtbot, tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv("IXEMPRA_CONFIG_DIR", str(tmp_path))
    first = app.create_main_window()
    qtbot.addWidget(first)
    first.show()
    type_case(qtbot, first, V01)
    assert "Warning: NDC 70020-1911-01" in text_of(first, "alertsValue")
    first.close()
    again = app.create_main_window()  # the same site settings: the notice was shown here
    qtbot.addWidget(again)
    again.show()
    type_case(qtbot, again, V01)
    assert text_of(again, "doseValue") == "72.8 mg"
    assert "NDC" not in text_of(again, "alertsValue")
    billing = text_of(again, "billingValue").splitlines()
    assert billing and all("(unverified)" in line for line in billing if "70020-1911" in line)
    assert "NDC 70020-1911-01 (45 mg kit)" in text_of(again, "reasonsValue")  # with its source
    assert (tmp_path / "settings.ini").read_text().count("ndc_unverified") == 1


def test_coverage_starts_neutral(qtbot, window: MainWindow) -> None:  # noqa: F811
    type_case(qtbot, window, V01)
    tabs = window.findChild(QTabWidget, "orderTabs")
    tabs.setCurrentWidget(window.findChild(QWidget, "coveragePanel"))
    assert text_of(window, "coverageVerdict") == "ANSWERS NEEDED"
    assert "Still needed: ICD-10 diagnosis, disease setting." in text_of(window, "coverageDetail")
    icon = window.findChild(QWidget, "coverageIcon")
    assert icon.kind is StatusKind.INPUT_NEEDED  # grey, as "input needed": not red


def test_first_focus_is_the_patient_identifier_at_start_and_after_new_order(
    qtbot,
    window: MainWindow,  # noqa: F811
) -> None:
    window.activateWindow()
    qtbot.waitActive(window)
    patient = line(window, "patientIdInput")
    assert QApplication.focusWidget() is patient
    type_case(qtbot, window, V01)
    window.new_order(ask=False)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is patient)


def test_preferences_dialog_is_resizable(qtbot, window: MainWindow) -> None:  # noqa: F811
    from ixempra_gui.ui.preferences_dialog import PreferencesDialog

    dialog = PreferencesDialog(window.session.prefs, window)
    qtbot.addWidget(dialog)
    dialog.show()
    before = dialog.size()
    assert dialog.isSizeGripEnabled() and dialog.maximumSize().width() > before.width()
    dialog.resize(before.width() + 200, before.height() + 100)
    assert dialog.size().width() == before.width() + 200


def test_narrow_result_stacks_the_figures_without_clipping(qtbot, window: MainWindow) -> None:  # noqa: F811
    type_case(qtbot, window, V01)
    top = window.result_panel.top
    for width in (1400, 700):
        window.resize(width, 700)
        qtbot.wait(20)
        assert top.wide is (top.width() >= sum(top.widths) + 24)
        for name in ("doseValue", *ACTS_ON):
            shown = label(window, name)
            needed = shown.fontMetrics().horizontalAdvance(shown.text())
            assert shown.width() >= needed, (width, name, shown.width(), needed)


def test_every_stop_is_shown_once_however_many(qtbot, window: MainWindow) -> None:  # noqa: F811
    type_case(qtbot, window, {**V01, "ancInput": "1499", "plateletsInput": "90000"})
    banner = text_of(window, "statusDetail")
    alerts = text_of(window, "alertsValue")
    assert "ANC 1,499" in banner and "ANC 1,499" not in alerts
    assert "Stop: Hold: Platelets 90,000" in alerts  # the second stop, unfolded

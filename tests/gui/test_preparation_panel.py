"""The Preparation panel driven as a pharmacist with a keyboard-wedge scanner drives it (issue
16): key events char by char into the focused scan field, the group separator as a key event
whose text is 0x1D (which a QLineEdit drops) or the site's substitute, Enter at the end. The
journal is read back through its own API; the label PDF is read back with pypdf.

Also the window's side: after Verify records the dose, File > Prepare opens the panel for it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from preparation_support import (
    EXPIRED_15,
    KIT_15,
    KIT_15_B,
    KIT_45,
    ZONE,
    clock,
    kinds,
    record_dose,
)
from test_verification import compare, first_entry, open_verify, second_entry, sign

from PySide6.QtCore import QDate, QDateTime, QEvent, Qt, QTime
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QDialog

from ixempra_gui import app
from ixempra_gui.presentation.preparation_desk import PreparationDesk
from ixempra_gui.ui.main_window import MainWindow
from ixempra_gui.ui.preparation_panel import PreparationPanel

GS = "\x1d"


def key(widget, text: str, code: Qt.Key = Qt.Key.Key_unknown) -> None:
    """One key as a scanner sends it: a press and a release carrying ``text``."""
    for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        QApplication.sendEvent(widget, QKeyEvent(kind, code, Qt.KeyboardModifier.NoModifier, text))


def wedge(panel: PreparationPanel, code: str, separator: str = GS) -> None:
    """Type ``code`` into the focused field character by character, then Enter."""
    target = QApplication.focusWidget()
    assert target is panel.scan_field, "the scan field must have the focus (no mouse)"
    for char in code:
        if char == GS:
            key(target, separator)
        else:
            key(target, char, Qt.Key(ord(char.upper())) if char.isalnum() else Qt.Key.Key_unknown)
    key(target, "\r", Qt.Key.Key_Return)


def at(hour: int, minute: int) -> QDateTime:
    return QDateTime(QDate(2026, 11, 2), QTime(hour, minute))


@pytest.fixture
def panel(qtbot) -> PreparationPanel:
    desk = PreparationDesk(record_dose(), clock, tz=ZONE)
    widget = PreparationPanel(desk)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    widget.first_focus()
    qtbot.keyClicks(widget.compounder, "C. Technician")
    qtbot.keyClick(widget.compounder, Qt.Key.Key_Return)  # on to the scan field
    return widget


def test_a_wedge_scan_of_the_15_mg_kit_is_accepted(qtbot, panel: PreparationPanel) -> None:
    wedge(panel, KIT_15)
    assert panel.scan_field.text() == ""  # Enter submitted it
    assert panel.last_scan.text().startswith("Accepted: 15 mg kit — lot LOT42 · exp 2027-12-31")
    assert panel.kit_labels[0].text().startswith("✓ 1 of 2: 15 mg kit — lot LOT42")
    assert panel.kit_labels[1].text() == "○ 2 of 2: 15 mg kit — scan it"
    assert kinds() == ["dose"]


def test_the_group_separator_typed_as_a_key_is_kept(qtbot, panel: PreparationPanel) -> None:
    assert GS in KIT_15_B  # lot, GS, serial: without it the lot would swallow the serial
    for char in KIT_15_B[:-3]:
        key(panel.scan_field, char)
    assert "␝" in panel.scan_field.text()  # a plain QLineEdit would have dropped it
    for char in KIT_15_B[-3:]:
        key(panel.scan_field, char)
    key(panel.scan_field, "\r", Qt.Key.Key_Return)
    assert "lot LOT43 · exp 2027-12-31 · serial S-0002" in panel.kit_labels[0].text()


def test_the_site_substitute_stands_for_the_separator(qtbot) -> None:
    desk = PreparationDesk(record_dose(), clock, gs_substitute="~", tz=ZONE)
    desk.set_compounder("C. Technician")
    widget = PreparationPanel(desk)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    widget.first_focus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is widget.scan_field)
    wedge(widget, KIT_15_B, separator="~")
    assert "serial S-0002" in widget.kit_labels[0].text()


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (KIT_45, "Refused: Wrong strength: IXEMPRA 45 mg kit"),
        (EXPIRED_15, "Refused: Expired kit: IXEMPRA 15 mg kit, lot LOT40 expired on 2026-11-01"),
        (KIT_15, "Refused: Identical scan: IXEMPRA 15 mg kit, lot LOT42"),
    ],
)
def test_a_refused_scan_says_why_and_is_kept_as_a_near_miss(
    qtbot, panel: PreparationPanel, code: str, reason: str
) -> None:
    wedge(panel, KIT_15)
    wedge(panel, code)
    assert panel.last_scan.text().startswith(reason)
    assert panel.refused.text().startswith("✗ 10:00 " + reason.removeprefix("Refused: "))
    assert kinds() == ["dose", "near_miss"]
    assert not panel.record_button.isEnabled()


def test_complete_enables_print_label_and_saves_it_as_pdf(
    qtbot, panel: PreparationPanel, tmp_path: Path
) -> None:
    assert not panel.print_button.isEnabled()
    wedge(panel, KIT_15)
    wedge(panel, KIT_15_B)
    panel.reconstituted.setDateTime(at(9, 20))
    panel.diluted.setDateTime(at(9, 50))
    assert panel.record_button.isEnabled()
    qtbot.mouseClick(panel.record_button, Qt.MouseButton.LeftButton)
    assert kinds() == ["dose", "preparation"]
    assert panel.print_button.isEnabled() and panel.pdf_button.isEnabled()
    assert not panel.scan_field.isEnabled()
    assert not panel.notes.isVisibleTo(panel)  # nothing to say: no empty line
    target = panel.save_pdf(tmp_path / "label.pdf")
    assert target is not None
    panel.refresh()  # the clocks' timer: what was done stays said
    assert panel.notes.text() == f"Label saved: {target}" and panel.notes.isVisibleTo(panel)
    from pypdf import PdfReader  # the test's own reader of what was written

    text = " ".join(PdfReader(str(target)).pages[0].extract_text().split())
    assert "IXEMPRA (ixabepilone) 27.4 mg" in text
    assert "Complete infusion by 2026-11-02 15:50" in text
    assert "compounded by C. Technician" in text


def test_reconstituted_over_an_hour_before_dilution_fails_and_refuses_the_label(
    qtbot, panel: PreparationPanel
) -> None:
    wedge(panel, KIT_15)
    wedge(panel, KIT_15_B)
    panel.reconstituted.setDateTime(at(8, 0))
    panel.diluted.setDateTime(at(9, 30))
    assert "Preparation failed: discard and remake" in panel.failure.text()
    panel.record_button.click()
    assert "FAILED — discard and remake" in panel.recorded.text()
    assert not panel.print_button.isEnabled()
    assert panel.print_button.toolTip().startswith("No label: the preparation failed")
    assert panel.remake_button.isVisibleTo(panel)


def test_the_clocks_run_from_the_times_entered(qtbot, panel: PreparationPanel) -> None:
    panel.reconstituted.setDateTime(at(9, 30))
    panel.diluted.setDateTime(at(9, 30))
    panel.diluted.setDateTime(at(9, 45))
    assert panel.recon_clock.text().endswith("dilute by 10:30 — diluted 09:45 (in time).")
    assert panel.infusion_clock.text() == (
        "6-hour clock: diluted 2026-11-02 09:45, complete infusion by 15:45; a 3 h infusion "
        "starts by 12:45 — 2 h 45 min left."
    )
    assert panel.timer.isActive()


# --- the window: after Verify ------------------------------------------------------------------


@pytest.fixture
def window(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> MainWindow:
    monkeypatch.setenv("IXEMPRA_DATA_DIR", str(tmp_path / "journal"))
    win = app.create_main_window()
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def test_the_panel_opens_once_verify_recorded_the_dose(qtbot, window: MainWindow) -> None:
    action = window.findChild(type(window.preparation.action), "prepareAction")
    assert action is not None and not action.isEnabled()
    first_entry(qtbot, window)
    dialog = open_verify(qtbot, window)
    second_entry(qtbot, dialog)
    compare(qtbot, dialog)
    sign(qtbot, dialog)
    qtbot.waitUntil(lambda: window.verification.dialog is None)
    qtbot.waitUntil(lambda: window.preparation.dialog is not None)
    shown = window.preparation.dialog
    assert isinstance(shown, QDialog) and shown.isVisible()
    record = window.session.this_record()
    assert shown.windowTitle() == f"Preparation — dose record {record}"
    assert action.isEnabled()
    panel = window.preparation.panel
    assert panel is not None and panel.heading.text().startswith(f"Dose record {record} ·")
    qtbot.waitUntil(lambda: QApplication.focusWidget() is panel.compounder)  # no mouse
    qtbot.waitUntil(lambda: not panel.desk.waiting)  # the dose is read on a worker thread
    assert "Preparation recorded" not in (window.worksheet_html() or "")
    for char in "C. Technician":
        key(panel.compounder, char)
    key(panel.compounder, "\r", Qt.Key.Key_Return)
    for code in (KIT_45, KIT_15, KIT_15_B):
        wedge(panel, code)
    qtbot.waitUntil(lambda: panel.record_button.isEnabled())
    panel.record_button.click()  # the times: now, as the fields start
    qtbot.waitUntil(lambda: panel.print_button.isEnabled(), timeout=20_000)
    worksheet = window.worksheet_html() or ""
    assert "Preparation recorded (journal)" in worksheet
    assert "lot LOT43, expiry 2027-12-31, serial S-0002" in worksheet
    assert "compounded by C. Technician" in worksheet
    shown.close()
    qtbot.waitUntil(lambda: window.preparation.dialog is None)
    action.trigger()
    assert window.preparation.dialog is not None


def test_enter_in_a_dialog_presses_no_button(qtbot) -> None:
    """The panel lives in a dialog, where Enter presses the auto-default button: none of the
    panel's may be one (a scanner's Enter in the name field must not set a time or record)."""
    desk = PreparationDesk(record_dose(), clock, tz=ZONE)
    dialog = QDialog()
    qtbot.addWidget(dialog)
    widget = PreparationPanel(desk, dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    widget.reconstituted.setDateTime(at(9, 0))
    for button in widget.findChildren(type(widget.record_button)):
        assert not button.autoDefault() and not button.isDefault()
    widget.compounder.setFocus()
    key(widget.compounder, "\r", Qt.Key.Key_Return)
    assert widget.reconstituted.dateTime() == at(9, 0)

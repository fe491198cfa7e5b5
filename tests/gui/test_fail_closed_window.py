"""Issue 12 in the window: the worst events, the confirmation and the Cremophor tick reach the
calculation, and a ``stop`` is drawn as a stop (words, icon, colour), never as a dose.

Independent reference: the label's Table 1 (a grade 3 event: −20 %, 40 → 32 mg/m²; any grade 4:
discontinue) and its contraindications (Cremophor EL), as in clinical-rules §3–§5.
"""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from test_main_window import DASH, V01, button, check, text_of, type_case

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel, QListWidget

from ixempra_gui import app
from ixempra_gui.presentation.order_view import StatusKind
from ixempra_gui.ui.main_window import MainWindow
from ixempra_gui.ui.widgets import StatusIcon, accent

# No stocked bag gives 0.2–0.6 mg/mL: BSA 0.93 m² × 20 mg/m² (strong CYP3A4 inhibitor) = 18.6 mg.
NO_BAG = {**V01, "heightInput": "120 cm", "weightInput": "26 kg"}


@pytest.fixture
def window(qtbot) -> MainWindow:
    win = app.create_main_window()
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def tick_event(win: MainWindow, code: str) -> None:
    events = win.findChild(QListWidget, "worstEventsList")
    assert events is not None
    items = [events.item(i) for i in range(events.count())]
    [item] = [i for i in items if i.data(Qt.ItemDataRole.UserRole) == code]
    item.setCheckState(Qt.CheckState.Checked)


def assert_no_dose(win: MainWindow) -> None:
    for name in ("doseValue", "vialsValue", "billingValue", "preparationValue"):
        assert text_of(win, name) == DASH, name
    for name in ("printButton", "savePdfButton", "verifyButton"):
        assert not button(win, name).isEnabled(), name


def test_a_worst_event_is_proposed_then_confirmed(qtbot, window: MainWindow) -> None:
    type_case(qtbot, window, V01)
    assert text_of(window, "levelValue") == "40 mg/m²"
    tick_event(window, "other-g3")  # any other grade 3 toxicity: −20 % (label Table 1)
    assert text_of(window, "statusBanner") == "NO DOSE: INPUT NEEDED"
    assert "confirmation of the proposed 20% decrease" in text_of(window, "statusDetail")
    message = window.findChild(QLabel, "confirmReductionMessage")
    assert message is not None and message.isVisible()
    assert "40 mg/m² → 32 mg/m²" in message.text()
    assert_no_dose(window)
    check(window, "confirmReductionCheck").setChecked(True)
    assert text_of(window, "statusBanner") == "READY TO PREPARE"
    assert text_of(window, "levelValue") == "32 mg/m²"
    assert text_of(window, "doseValue") == "58.2 mg"  # 1.82 m² × 32 mg/m²
    assert not message.isVisible()


def test_a_discontinue_event_is_a_stop(qtbot, window: MainWindow) -> None:
    type_case(qtbot, window, V01)
    tick_event(window, "any-g4")
    check(window, "confirmReductionCheck").setChecked(True)  # a confirmation changes nothing
    assert text_of(window, "statusBanner") == "NO DOSE: STOP"
    assert text_of(window, "statusDetail").startswith("Discontinue IXEMPRA")
    assert window.view.kind is StatusKind.STOP
    assert_no_dose(window)


def test_the_cremophor_tick_contraindicates(qtbot, window: MainWindow) -> None:
    type_case(qtbot, window, V01)
    check(window, "cremophorHypersensitivityCheck").setChecked(True)
    assert text_of(window, "statusBanner") == "NO DOSE: CONTRAINDICATED"
    assert "Cremophor EL" in text_of(window, "statusDetail")
    assert_no_dose(window)
    check(window, "cremophorHypersensitivityCheck").setChecked(False)
    assert text_of(window, "doseValue") == "72.8 mg"


def test_no_bag_in_range_is_a_stop_drawn_as_one(qtbot, window: MainWindow) -> None:
    type_case(qtbot, window, NO_BAG)
    check(window, "cyp3a4InhibitorCheck").setChecked(True)
    check(window, "acknowledgeWarningsCheck").setChecked(True)  # 120 cm and 26 kg are unusual
    assert text_of(window, "statusBanner") == "NO DOSE: STOP"
    assert "gives 0.2–0.6 mg/mL" in text_of(window, "statusDetail")
    assert_no_dose(window)
    assert "a stop reason stands" in button(window, "printButton").toolTip()
    assert "Stop: No stocked" in text_of(window, "reasonsValue")
    icon = window.result_panel.banner.icon
    assert isinstance(icon, StatusIcon) and icon.accessibleName() == "no entry"
    # The banner's accent strip is the stop colour.
    banner = window.result_panel.banner
    strip = banner.grab().toImage().pixelColor(3, banner.height() // 2)
    assert strip.name() == accent(StatusKind.STOP, banner.palette()).name()


@pytest.mark.parametrize("dark", [False, True])
def test_every_status_has_its_own_look(qapp, dark: bool) -> None:
    """Each status is drawn (no status without a colour or a symbol), and STOP looks like no
    other: not the red of contraindicated, not the amber of hold, not ready's green."""
    palette = QPalette()
    if dark:
        palette.setColor(QPalette.ColorRole.Window, QColor("#202124"))
    colours = {kind: accent(kind, palette).name() for kind in StatusKind}
    others = {k: c for k, c in colours.items() if k is not StatusKind.STOP}
    assert colours[StatusKind.STOP] not in others.values()
    icon = StatusIcon()
    symbols = {}
    for kind in StatusKind:
        icon.set_kind(kind)
        symbols[kind] = icon.accessibleName()
        assert not icon.grab().isNull()
    assert symbols[StatusKind.STOP] not in {
        s for k, s in symbols.items() if k is not StatusKind.STOP
    }

"""The window stays still while the pharmacist types (issue 4: a keystroke's result within a
frame, and nothing clipped).

A keystroke that turns a wrong value right must not move a single row of the order form (the
emptied message keeps its line until the field loses focus), long messages are shown whole,
figures can still be selected with the mouse, and every reason keeps its source.
"""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from test_main_window import V01, line, text_of, type_case, window  # noqa: F401

from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtWidgets import QLabel, QWidget

from ixempra_gui.ui.main_window import MainWindow

DASH = "—"


@pytest.fixture
def active_window(qtbot, window: MainWindow) -> MainWindow:  # noqa: F811 - the fixture
    """The shown window, made active: keystrokes go to the focused field, as at the
    workstation."""
    window.activateWindow()
    qtbot.waitActive(window)
    return window


class GeometryWatch(QObject):
    """Counts moves and resizes of the widgets inside ``root``."""

    def __init__(self, root: QWidget) -> None:
        super().__init__()
        self.root = root
        self.changed: list[str] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() in (QEvent.Type.Move, QEvent.Type.Resize)
            and isinstance(watched, QWidget)
            and (watched is self.root or self.root.isAncestorOf(watched))
        ):
            self.changed.append(f"{event.type().name} {watched.objectName() or watched}")
        return False


def message(win: QWidget, name: str) -> QLabel:
    found = win.findChild(QLabel, name)
    assert found is not None, name
    return found


def test_a_corrected_value_keeps_its_line_until_the_field_is_left(
    qtbot, qapp, active_window: MainWindow
) -> None:
    win = active_window
    type_case(qtbot, win, V01)
    weight = line(win, "weightInput")
    weight.setFocus()
    qtbot.waitUntil(weight.hasFocus)
    weight.setCursorPosition(1)
    qtbot.keyClick(weight, Qt.Key.Key_Delete)  # "7 kg": below the possible range
    weight_message = message(win, "weightMessage")
    assert weight_message.isVisible() and "outside the possible range" in weight_message.text()
    assert text_of(win, "doseValue") == DASH
    qtbot.wait(50)  # the message's line is laid out before the watch starts

    watch = GeometryWatch(win.form)
    qapp.installEventFilter(watch)
    try:
        qtbot.keyClick(weight, Qt.Key.Key_0)  # "70 kg": right again
        qtbot.wait(50)
    finally:
        qapp.removeEventFilter(watch)
    assert text_of(win, "doseValue") == "72.8 mg"
    assert weight_message.text() == ""  # nothing stale is said
    assert line(win, "weightInput").property("state") in (None, "")
    assert watch.changed == []  # not one row of the form moved

    line(win, "weightMeasuredOnInput").setFocus()  # leaving the field gives the line back
    qtbot.waitUntil(lambda: not weight_message.isVisible())


def test_a_long_message_is_shown_whole_in_a_narrow_form(qtbot, active_window: MainWindow) -> None:
    win = active_window
    win.resize(760, 600)
    win.splitter.setSizes([330, 430])
    type_case(qtbot, win, V01)
    weight = line(win, "weightInput")
    weight.setCursorPosition(1)
    qtbot.keyClick(weight, Qt.Key.Key_Delete)  # "7 kg": a message of five lines or so
    qtbot.wait(50)
    label = message(win, "weightMessage")
    assert label.isVisible() and label.text()
    needed = label.heightForWidth(label.width())
    assert label.height() >= needed, f"the message is cut off: {label.height()} < {needed}"
    assert (
        label.geometry().top()
        >= weight.parentWidget().mapTo(label.parentWidget(), weight.geometry().bottomLeft()).y()
    ), "the message is drawn under its field"


def test_figures_can_be_selected_with_the_mouse(qtbot, active_window: MainWindow) -> None:
    win = active_window
    type_case(qtbot, win, V01)
    dose = win.findChild(QLabel, "doseValue")
    assert dose.text() == "72.8 mg"
    qtbot.mouseDClick(dose, Qt.MouseButton.LeftButton, pos=QPoint(8, dose.height() // 2))
    assert dose.hasSelectedText() and dose.selectedText() in dose.text()
    line(win, "weightInput").setText("71 kg")  # a new figure: the label is plain text again
    assert dose.text() not in ("72.8 mg", DASH) and not dose.hasSelectedText()
    assert dose.textInteractionFlags() == Qt.TextInteractionFlag.NoTextInteraction


def test_every_reason_is_shown_with_its_source(qtbot, active_window: MainWindow) -> None:
    win = active_window
    type_case(qtbot, win, V01)
    reasons = win.findChild(QLabel, "reasonsValue")
    view = win.view
    assert view is not None and view.reasons
    for reason in view.reasons:
        assert f"{reason.message}\n    Source: {reason.source}" in reasons.text()
    assert reasons.textFormat() == Qt.TextFormat.PlainText  # a patient's text prints literally


def test_the_banner_keeps_its_height_when_the_status_changes(
    qtbot, active_window: MainWindow
) -> None:
    win = active_window
    type_case(qtbot, win, V01)
    banner = win.result_panel.banner
    ready_height = banner.height()
    line(win, "weightInput").setText("7 kg")
    qtbot.wait(20)
    assert text_of(win, "statusBanner") == "NO DOSE: INPUT NEEDED"
    assert banner.height() == ready_height


def test_a_wrapped_label_never_answers_with_the_height_of_an_old_text(qtbot) -> None:
    from PySide6.QtGui import QFont

    from ixempra_gui.ui.widgets import WrappedLabel

    def plain_height(text: str, font: QFont, width: int) -> int:
        reference = QLabel(text)
        reference.setWordWrap(True)
        reference.setFont(font)
        qtbot.addWidget(reference)
        return reference.heightForWidth(width)

    label = WrappedLabel("72.8 mg")
    qtbot.addWidget(label)
    long = "Reconstitute 1 × 45 mg vial with 23.5 mL of the supplied diluent. " * 4
    assert label.heightForWidth(120) == plain_height("72.8 mg", label.font(), 120)
    label.setText(long)
    assert label.heightForWidth(120) == plain_height(long, label.font(), 120)
    assert label.heightForWidth(120) > plain_height("72.8 mg", label.font(), 120)
    label.clear()  # a change made in C++, not through setText
    assert label.heightForWidth(120) == plain_height("", label.font(), 120)
    label.setText(long)
    label.heightForWidth(120)
    bigger = QFont(label.font())
    bigger.setPointSizeF(bigger.pointSizeF() * 2)
    label.setFont(bigger)
    assert label.heightForWidth(120) == plain_height(long, bigger, 120)


def test_the_problem_frame_follows_its_field(qtbot, active_window: MainWindow) -> None:
    from ixempra_gui.ui.form_rows import ProblemFrame

    win = active_window
    field = line(win, "weightInput")
    field.setText("7 kg")
    frame = field.findChild(ProblemFrame)
    assert frame is not None and frame.isVisible() and frame.geometry() == field.rect()
    width = field.width()
    left, right = win.splitter.sizes()
    win.splitter.setSizes([left + 100, right - 100])  # the form, and the field, get wider
    qtbot.waitUntil(lambda: field.width() > width)
    qtbot.waitUntil(lambda: frame.geometry() == field.rect())
    field.setText("70 kg")
    assert not frame.isVisible() and field.property("state") == ""

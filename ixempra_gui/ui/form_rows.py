"""One row of a form: the field, its inline message line, the frame that marks a problem, and
Enter that moves on to the next field — shared by the order form, the Coverage tab and the
double check's entry.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRectF, Qt
from PySide6.QtGui import QColor, QKeyEvent, QPainter, QPen
from PySide6.QtWidgets import QComboBox, QFormLayout, QHBoxLayout, QLabel, QWidget

from ixempra_gui.ui.widgets import is_dark


class EnterMovesOn(QObject):
    """Return/Enter in a form field moves to the next field, as Tab does."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            plain = event.modifiers() in (
                Qt.KeyboardModifier.NoModifier,
                Qt.KeyboardModifier.KeypadModifier,
            )
            if plain and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if isinstance(watched, QComboBox) and watched.view().isVisible():
                    return False  # Enter chooses the item in an open list
                if isinstance(watched, QWidget):
                    watched.focusNextChild()
                    return True
        return False


def message_label(object_name: str) -> QLabel:
    """A field's message line: plain text, wrapped, hidden until there is something to say."""
    message = QLabel()
    message.setObjectName(object_name)
    message.setWordWrap(True)
    message.setTextFormat(Qt.TextFormat.PlainText)
    message.hide()
    return message


#: A field's problem frame: colour (light palette, dark palette) and line style.
_PROBLEM_COLOURS = {"error": ("#b71c1c", "#ef9a9a"), "warning": ("#a35a00", "#ffcc80")}
_PROBLEM_LINES = {"error": Qt.PenStyle.SolidLine, "warning": Qt.PenStyle.DashLine}


class ProblemFrame(QWidget):
    """A 2 px frame drawn over a field with a problem: solid for an error, dashed for a value
    to check (the shape says what the colour says; the message beside the field says it in
    words). Painted on top of the field rather than set as a style sheet: a style sheet
    changes the field's size hint, so every keystroke that made a value right or wrong laid
    out and repainted the whole form (bench/startup.py)."""

    def __init__(self, field: QWidget) -> None:
        super().__init__(field)
        self.setObjectName(f"{field.objectName()}ProblemFrame")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.state = ""
        self.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and isinstance(watched, QWidget):
            self.setGeometry(watched.rect())
        return False

    def set_state(self, state: str) -> None:
        if state == self.state:
            return
        self.state = state
        field = self.parentWidget()
        if state:
            if field is not None:
                self.setGeometry(field.rect())
                field.installEventFilter(self)  # follows the field's size while shown
            self.raise_()  # above the field's own children (the clear button)
            self.show()
            self.update()
        else:
            if field is not None:
                field.removeEventFilter(self)  # a field without a problem pays nothing
            self.hide()

    def paintEvent(self, _event: object) -> None:
        if not self.state:
            return
        painter = QPainter(self)
        colour = QColor(_PROBLEM_COLOURS[self.state][is_dark(self.palette())])
        painter.setPen(QPen(colour, 2, _PROBLEM_LINES[self.state]))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(QRectF(1, 1, self.width() - 2.0, self.height() - 2.0))


def mark_field(field: QWidget, state: str) -> None:
    """Frame ``field`` for a problem ("error", "warning") or clear it (""). The field's
    ``state`` property says the same to tests and style-aware tools."""
    if (field.property("state") or "") == state:
        return
    field.setProperty("state", state)
    frame = field.findChild(ProblemFrame)
    if frame is None:
        if not state:
            return
        frame = ProblemFrame(field)
    frame.set_state(state)


def field_row(form: QFormLayout, label: QLabel, row: list[QWidget], object_name: str) -> QLabel:
    """Add one form row: the field (stretching) with its unit selector on a line, and under it
    a hidden plain-text message label (returned) that says what is wrong with the field.

    The message is a row of its own across both columns: wider, so fewer lines, and a
    QFormLayout sizes such a row by its real height for the width (inside the field's cell a
    long message was given the height of a wider one and was cut off).
    """
    message = message_label(object_name)
    if len(row) == 1:
        form.addRow(label, row[0])
    else:
        cell = QWidget()
        line = QHBoxLayout(cell)
        line.setContentsMargins(0, 0, 0, 0)
        line.setSpacing(4)
        for i, widget in enumerate(row):
            line.addWidget(widget, 1 if i == 0 else 0)
        form.addRow(label, cell)
    form.addRow(message)
    return message

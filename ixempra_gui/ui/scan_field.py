"""The scan field: what a keyboard-wedge 2D scanner types, one kit per Enter (issue 16).

A scanner types the GS1 DataMatrix content as key events into the focused field. QLineEdit
drops control characters, so the group separator (GS, 0x1D: a key event whose text is
"\\x1d", or Ctrl+]) would be lost and the lot would swallow the fields after it; the field
keeps it itself, shown as ␝, as it does for the substitute character a scanner may be set to
send instead (Preferences). Enter (the scanner's suffix) submits the scan and empties the field.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit, QWidget

from ixempra_gui.presentation.preparation_view import GS, GS_SHOWN

_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class ScanField(QLineEdit):
    """A line edit that keeps the group separator and submits on Enter."""

    scanned = Signal(str)  # the field's text (GS shown as ␝; preparation_view.scan_text)

    def __init__(self, gs_substitute: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.gs_substitute = gs_substitute
        self.setObjectName("scanField")
        self.setAccessibleName("Kit scan")
        self.setPlaceholderText("Scan a kit's 2D barcode (the scanner ends it with Enter)")
        self.setMaxLength(500)  # a DataMatrix of a kit holds far less; a stuck key stops here

    def is_separator(self, event: QKeyEvent) -> bool:
        """GS as the scanner sends it: its own character, Ctrl+], or the site's substitute."""
        text = event.text()
        ctrl = event.modifiers() & Qt.KeyboardModifier.ControlModifier
        return (
            text == GS
            or bool(self.gs_substitute and text == self.gs_substitute)
            or bool(ctrl and event.key() == Qt.Key.Key_BracketRight)
        )

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.is_separator(event):
            self.insert(GS_SHOWN)
            event.accept()
            return
        if event.key() in _ENTER:
            text = self.text()
            self.clear()
            event.accept()
            if text.strip():
                self.scanned.emit(text)
            return
        super().keyPressEvent(event)

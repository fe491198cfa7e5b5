"""A titled section of the result that folds away: what the preparer rarely needs (info-level
rules, sources, the echo of the inputs) stays one keystroke away without crowding the dose.

The title is a checkable tool button: Tab reaches it, Space opens or closes it, and its
accessible name says whether it is open.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QSizePolicy, QToolButton, QVBoxLayout, QWidget


class FoldSection(QFrame):
    """A title button and a body shown only while the button is checked (folded at start)."""

    def __init__(self, title: str, name: str, *widgets: QWidget, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(f"{name}Section")
        self.title = title
        self.toggle = QToolButton()
        self.toggle.setObjectName(f"{name}Toggle")
        self.toggle.setText(title)
        self.toggle.setCheckable(True)
        self.toggle.setAutoRaise(True)
        self.toggle.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.toggle.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.body = QWidget()
        column = QVBoxLayout(self.body)
        column.setContentsMargins(18, 0, 0, 4)
        for widget in widgets:
            column.addWidget(widget)
        self.body.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.toggle, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.body)
        self.toggle.toggled.connect(self.set_open)
        self._name_toggle(False)

    def set_open(self, open_: bool) -> None:
        if self.toggle.isChecked() != open_:
            self.toggle.setChecked(open_)  # comes back here through toggled
            return
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if open_ else Qt.ArrowType.RightArrow)
        self.body.setVisible(open_)
        self._name_toggle(open_)

    def is_open(self) -> bool:
        return self.toggle.isChecked()

    def _name_toggle(self, open_: bool) -> None:
        state = "open: Space closes it" if open_ else "folded: Space opens it"
        self.toggle.setAccessibleName(f"{self.title} ({state})")

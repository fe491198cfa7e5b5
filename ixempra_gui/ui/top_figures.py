"""The figures at the top of the result: dose, level and BSA, and beside them what the
preparer acts on (withdraw, vials, bag, concentration, rate).

Two columns when the panel is wide enough, one under the other when it is not (a narrow
window, a 200 % display): the panel never needs more width than the wider column, and no
figure is clipped. The choice is made only when the width changes, never on a keystroke.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QGridLayout, QLabel, QSizePolicy, QWidget


class TopFigures(QWidget):
    """A grid of (caption, value) rows in two groups, side by side or stacked."""

    def __init__(
        self,
        left: list[tuple[str, QLabel]],
        right: list[tuple[str, QLabel]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("topFigures")
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(12)
        self.grid.setVerticalSpacing(2)
        self.groups = [
            [(self._caption(text, value), value) for text, value in group]
            for group in (left, right)
        ]
        self.widths = [self._width(group) for group in self.groups]
        self.wide: bool | None = None
        # Its own minimum is the wider group's: the panel may be narrower than both side by side.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(max(self.widths))
        self.arrange(True)

    @staticmethod
    def _caption(text: str, buddy: QLabel) -> QLabel:
        words = QLabel(text)
        words.setBuddy(buddy)
        return words

    def _width(self, group: list[tuple[QLabel, QLabel]]) -> int:
        captions = max(c.sizeHint().width() for c, _ in group)
        values = max(max(v.minimumWidth(), v.minimumSizeHint().width()) for _, v in group)
        return captions + self.grid.horizontalSpacing() + values

    def arrange(self, wide: bool) -> None:
        """Side by side (``wide``) or the second group under the first."""
        if wide is self.wide:
            return
        self.wide = wide
        for group in self.groups:
            for caption, value in group:
                self.grid.removeWidget(caption)
                self.grid.removeWidget(value)
        left, right = self.groups
        for column, group in ((0, left), (2 if wide else 0, right)):
            first = 0 if (wide or group is left) else len(left)
            for row, (caption, value) in enumerate(group, first):
                self.grid.addWidget(caption, row, column, Qt.AlignmentFlag.AlignLeft)
                self.grid.addWidget(value, row, column + 1)
        self.grid.setColumnStretch(1, 1)
        self.grid.setColumnStretch(3, 2 if wide else 0)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self.arrange(event.size().width() >= sum(self.widths) + 2 * self.grid.horizontalSpacing())
        super().resizeEvent(event)

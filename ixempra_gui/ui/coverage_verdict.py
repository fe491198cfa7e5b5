"""The Coverage tab's painted parts: the verdict (icon, words, why, a frame in the verdict's
colour) and the checklist lines; what they show is ``coverage_view``'s.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFont, QPainter, QPen
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from ixempra_gui.presentation.coverage_text import INITIAL_VERDICT, INITIAL_VERDICT_DETAIL
from ixempra_gui.presentation.fields import DASH, StatusKind
from ixempra_gui.ui.widgets import StatusIcon, WrappedLabel, accent, set_text

if TYPE_CHECKING:  # the presenter (and the core) load after the first frame
    from ixempra_gui.presentation.coverage_view import ChecklistLine


def value_label(name: str, accessible: str, rich: bool = False) -> QLabel:
    label = WrappedLabel(DASH)
    label.setObjectName(name)
    if rich:
        label.setTextFormat(Qt.TextFormat.RichText)
    label.setAccessibleName(accessible)
    label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    return label


class CoverageVerdict(QFrame):
    """Icon + verdict words (``coverageVerdict``) + a paragraph saying why (``coverageDetail``)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("coverageVerdictFrame")
        self.icon = StatusIcon()
        self.icon.setObjectName("coverageIcon")
        self.text = WrappedLabel(INITIAL_VERDICT)
        self.text.setObjectName("coverageVerdict")
        self.text.setAccessibleName("Coverage verdict")
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        font = QFont(self.text.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.text.setFont(font)
        self.detail = WrappedLabel(INITIAL_VERDICT_DETAIL)
        self.detail.setObjectName("coverageDetail")
        self.detail.setAccessibleName("Coverage: why")
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        words = QVBoxLayout()
        words.setSpacing(2)
        words.addWidget(self.text)
        words.addWidget(self.detail)
        row = QHBoxLayout(self)
        row.setContentsMargins(14, 6, 6, 6)
        row.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        row.addLayout(words, 1)
        self._kind = StatusKind.INPUT_NEEDED
        self.icon.set_kind(self._kind)

    def show_verdict(self, kind: StatusKind, text: str, detail: str) -> None:
        set_text(self.text, text)
        set_text(self.detail, detail)
        self.text.setAccessibleDescription(detail)
        if kind is not self._kind:
            self._kind = kind
            self.icon.set_kind(kind)
            self.update()

    def paintEvent(self, event: object) -> None:
        super().paintEvent(event)  # type: ignore[arg-type]
        painter = QPainter(self)
        colour = accent(self._kind, self.palette())
        painter.setPen(QPen(colour, 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(QRectF(0.5, 0.5, self.width() - 1.0, self.height() - 1.0))
        painter.fillRect(QRectF(0, 0, 8, self.height()), colour)


def checklist_html(lines: tuple[ChecklistLine, ...]) -> str:
    """Each criterion or exclusion: its symbol and outcome, section, the policy's words and
    the answer given (escaped: answers are typed text)."""
    return "".join(
        f"<p style='margin-bottom:6px'><b>{escape(ln.symbol)} {escape(ln.outcome)}</b> · "
        f"<b>{escape(ln.section)}</b>: {escape(ln.wording)}<br/>"
        f"<i>Answer:</i> {escape(ln.answer)}</p>"
        for ln in lines
    )

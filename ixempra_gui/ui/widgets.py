"""Small painted widgets of the result panel: the status banner, the hepatic gauge, the vials.

They draw what the presenter computed and nothing else; colours come from the system palette
(dark mode, high contrast), and every colour is repeated by words, an icon or a hatch.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QMouseEvent, QPainter, QPalette, QPen
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from ixempra_gui.presentation.fields import GAUGE_MAX, StatusKind

if TYPE_CHECKING:
    from ixempra_gui.presentation.order_state import GaugeBar, VialFill


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


#: Accent colours (light palette, dark palette); the words and icon carry the meaning.
_ACCENTS = {
    StatusKind.READY: ("#2e7d32", "#81c784"),
    StatusKind.HOLD: ("#a35a00", "#ffb74d"),
    StatusKind.CONTRAINDICATED: ("#c62828", "#ef9a9a"),
    StatusKind.NOT_RECOMMENDED: ("#c62828", "#ef9a9a"),
    # A stop that is none of those (no stocked bag in range, discontinue for toxicity): the
    # pharmacist must act, but nothing is wrong with the patient's values. Indigo, not red or
    # amber: distinct from contraindicated and hold, even to red-green colour blindness.
    StatusKind.STOP: ("#3f51b5", "#9fa8da"),
    StatusKind.INPUT_NEEDED: ("#616161", "#bdbdbd"),
}
#: The symbol drawn in the banner's disc: a tick, a pause sign, a cross, a bar (no entry: do
#: not go on as ordered), an exclamation mark.
_SYMBOLS = {
    StatusKind.READY: "tick",
    StatusKind.HOLD: "pause",
    StatusKind.CONTRAINDICATED: "cross",
    StatusKind.NOT_RECOMMENDED: "cross",
    StatusKind.STOP: "no entry",
    StatusKind.INPUT_NEEDED: "exclamation",
}


class WrappedLabel(QLabel):
    """A word-wrapped, plain-text figure the pharmacist can select with the mouse, made cheap
    to change on every keystroke (bench/startup.py).

    - It remembers its height for the widths a layout pass asks about (several times per
      pass; QLabel lays the text out again each time): for one text and one font.
    - It becomes selectable only when pressed: a selectable QLabel keeps a QTextDocument that
      is rebuilt on every setText and laid out on every layout pass (half of a keystroke's
      time); ``set_text`` makes it plain again.
    """

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setCursor(Qt.CursorShape.IBeamCursor)  # looks selectable, as it is
        self._heights: dict[int, int] = {}
        self._heights_of = text

    def _selectable(self) -> None:
        if not self.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse:
            self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._selectable()  # the press then starts the selection
        super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        self._selectable()
        super().mouseDoubleClickEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._heights.clear()
        super().changeEvent(event)

    def heightForWidth(self, width: int) -> int:
        text = self.text()
        if text != self._heights_of:  # however the text was changed
            self._heights.clear()
            self._heights_of = text
        height = self._heights.get(width)
        if height is None:
            height = self._heights[width] = super().heightForWidth(width)
        return height


def set_text(label: QLabel, text: str) -> None:
    """Show ``text``; a label whose text did not change is left alone (no relayout, no
    repaint), and one that changed drops its selection machinery (see WrappedLabel)."""
    if label.text() == text:
        return
    if label.textInteractionFlags() != Qt.TextInteractionFlag.NoTextInteraction:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
    label.setText(text)


def accent(kind: StatusKind, palette: QPalette) -> QColor:
    light, dark = _ACCENTS[kind]
    return QColor(dark if is_dark(palette) else light)


class StatusIcon(QWidget):
    """A disc in the status colour with a symbol: the shape says what the colour says."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusIcon")
        self.kind = StatusKind.INPUT_NEEDED
        side = self.fontMetrics().height() * 2
        self.setFixedSize(side, side)

    def set_kind(self, kind: StatusKind) -> None:
        self.kind = kind
        self.setAccessibleName(_SYMBOLS[kind])
        self.update()

    def paintEvent(self, _event: object) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        side = float(min(self.width(), self.height()))
        disc = QRectF(1, 1, side - 2, side - 2)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(accent(self.kind, self.palette()))
        painter.drawEllipse(disc)
        ink = QColor("#000000" if is_dark(self.palette()) else "#ffffff")
        pen = QPen(ink, side * 0.12, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)

        def at(x: float, y: float) -> QPointF:
            return QPointF(side * x, side * y)

        symbol = _SYMBOLS[self.kind]
        if symbol == "tick":
            painter.drawPolyline([at(0.28, 0.52), at(0.44, 0.68), at(0.73, 0.34)])
        elif symbol == "pause":
            painter.drawLine(at(0.4, 0.3), at(0.4, 0.7))
            painter.drawLine(at(0.6, 0.3), at(0.6, 0.7))
        elif symbol == "cross":
            painter.drawLine(at(0.33, 0.33), at(0.67, 0.67))
            painter.drawLine(at(0.67, 0.33), at(0.33, 0.67))
        elif symbol == "no entry":
            painter.drawLine(at(0.28, 0.5), at(0.72, 0.5))
        else:
            painter.drawLine(at(0.5, 0.25), at(0.5, 0.56))
            painter.drawPoint(at(0.5, 0.74))


class StatusBanner(QFrame):
    """Icon + status words (``statusBanner``) + one line saying why (``statusDetail``)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusFrame")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.icon = StatusIcon()
        self.text = WrappedLabel()
        self.text.setObjectName("statusBanner")
        self.text.setAccessibleName("Dose status")
        self.text.setWordWrap(True)
        font = QFont(self.text.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.45)
        self.text.setFont(font)
        self.detail = WrappedLabel()
        self.detail.setObjectName("statusDetail")
        self.detail.setAccessibleName("Why")
        self.detail.setWordWrap(True)
        # Room for two lines of detail whatever it says: the banner keeps its height when the
        # status changes, so the figures below do not move and nothing else is laid out again.
        self.detail.setMinimumHeight(2 * self.detail.fontMetrics().lineSpacing())
        self.detail.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        words = QVBoxLayout()
        words.setSpacing(2)
        words.addWidget(self.text)
        words.addWidget(self.detail)
        row = QHBoxLayout(self)
        row.setContentsMargins(14, 6, 6, 6)
        row.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        row.addLayout(words, 1)
        self._kind: StatusKind | None = None

    def show_status(self, kind: StatusKind, text: str, detail: str) -> None:
        set_text(self.text, text)
        set_text(self.detail, detail)
        if self.text.accessibleDescription() != detail:
            self.text.setAccessibleDescription(detail)
        if kind is self._kind:
            return
        self._kind = kind
        self.icon.set_kind(kind)
        self.update()  # the accent frame (painted: a style sheet re-polish costs a frame)

    def paintEvent(self, event: object) -> None:
        super().paintEvent(event)  # type: ignore[arg-type]
        if self._kind is None:
            return
        painter = QPainter(self)
        colour = accent(self._kind, self.palette())
        painter.setPen(QPen(colour, 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(QRectF(0.5, 0.5, self.width() - 1.0, self.height() - 1.0))
        painter.fillRect(QRectF(0, 0, 8, self.height()), colour)


def _scale(ratio: float) -> float:
    """Position on the gauge, 0..1: logarithmic, so 1, 1.5, 2.5 and 3 stay apart from 10."""
    return math.log1p(max(0.0, min(ratio, GAUGE_MAX))) / math.log1p(GAUGE_MAX)


class HepaticGauge(QWidget):
    """AST, ALT and bilirubin as ×ULN on one scale with the label's thresholds marked."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("hepaticGauge")
        self.setAccessibleName("Liver tests as multiples of the upper limit of normal")
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # screen readers can reach the description
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.bars: tuple[GaugeBar, ...] = ()
        self.thresholds: tuple[tuple[float, str], ...] = ()

    def set_bars(
        self, bars: tuple[GaugeBar, ...], thresholds: tuple[tuple[float, str], ...], text: str
    ) -> None:
        if (bars, thresholds) == (self.bars, self.thresholds):
            return
        self.bars, self.thresholds = bars, thresholds
        self.setAccessibleDescription(text or "No liver tests yet.")
        self.setToolTip(text)
        self.update()  # the size hint does not depend on the bars: no relayout

    def sizeHint(self) -> QSize:
        line = self.fontMetrics().height()
        return QSize(300, 3 * (line + 8) + line + 10)

    def minimumSizeHint(self) -> QSize:
        return QSize(200, self.sizeHint().height())

    def paintEvent(self, _event: object) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        metrics = self.fontMetrics()
        line = metrics.height()
        text_colour = pal.color(QPalette.ColorRole.WindowText)
        if not self.bars:
            painter.setPen(text_colour)
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "Liver tests: —")
            return
        label_w = max(metrics.horizontalAdvance(b.label) for b in self.bars) + 8
        value_w = max(metrics.horizontalAdvance(b.text) for b in self.bars) + 8
        left = float(label_w)
        width = max(40.0, self.width() - label_w - value_w - 4)
        row_h = line + 8
        for i, bar in enumerate(self.bars):
            top = 2 + i * row_h
            painter.setPen(text_colour)
            painter.drawText(
                QRectF(0, top, label_w, row_h), Qt.AlignmentFlag.AlignVCenter, bar.label
            )
            track = QRectF(left, top + 4, width, row_h - 8)
            painter.setPen(QPen(pal.color(QPalette.ColorRole.Mid), 1))
            painter.setBrush(pal.color(QPalette.ColorRole.Base))
            painter.drawRect(track)
            filled = QRectF(
                track.left(), track.top(), track.width() * _scale(bar.ratio), track.height()
            )
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(pal.color(QPalette.ColorRole.Highlight))
            painter.drawRect(filled)
            painter.setPen(text_colour)
            painter.drawText(
                QRectF(left + width + 6, top, value_w, row_h),
                Qt.AlignmentFlag.AlignVCenter,
                bar.text,
            )
        bottom = 2 + len(self.bars) * row_h
        mark_pen = QPen(text_colour, 1, Qt.PenStyle.DashLine)
        for threshold, label in self.thresholds:
            x = left + width * _scale(threshold)
            painter.setPen(mark_pen)
            painter.drawLine(QPointF(x, 2), QPointF(x, bottom))
            w = metrics.horizontalAdvance(label)
            painter.setPen(text_colour)
            painter.drawText(QRectF(x - w / 2 - 2, bottom, w + 4, line + 4), label)
        painter.drawText(QRectF(left + width + 6, bottom, value_w, line + 4), "×ULN")


class VialPicture(QWidget):
    """One drawing per vial: the part the dose uses is filled, the part discarded is hatched."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("vialPicture")
        self.setAccessibleName("Vials")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.fills: tuple[VialFill, ...] = ()

    def set_fills(self, fills: tuple[VialFill, ...]) -> None:
        if fills == self.fills:
            return
        self.fills = fills
        text = "; ".join(f.text for f in fills) or "No vials: no dose."
        self.setAccessibleDescription(text)
        self.setToolTip(text)
        self.update()

    def sizeHint(self) -> QSize:
        line = self.fontMetrics().height()
        return QSize(200, line * 4 + line + 8)

    def paintEvent(self, _event: object) -> None:
        if not self.fills:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        metrics = self.fontMetrics()
        line = metrics.height()
        full_h = line * 4.0
        biggest = max(f.strength_mg for f in self.fills)
        vial_w = max(float(line) * 1.6, metrics.horizontalAdvance("45 mg") + 6.0)
        text_colour = pal.color(QPalette.ColorRole.WindowText)
        for i, fill in enumerate(self.fills):
            h = full_h * (0.6 + 0.4 * fill.strength_mg / biggest)
            x = 4 + i * (vial_w + line * 0.6)
            top = 2 + full_h - h
            body = QRectF(x, top, vial_w, h)
            painter.setPen(QPen(text_colour, 1.2))
            painter.setBrush(QBrush(pal.color(QPalette.ColorRole.Mid), Qt.BrushStyle.BDiagPattern))
            painter.drawRoundedRect(body, 4, 4)
            used_h = h * fill.used_fraction
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(pal.color(QPalette.ColorRole.Highlight))
            painter.drawRoundedRect(QRectF(x + 1, top + h - used_h, vial_w - 2, used_h), 3, 3)
            painter.setPen(text_colour)
            painter.drawText(
                QRectF(x - 4, 2 + full_h, vial_w + 8, line + 4),
                Qt.AlignmentFlag.AlignHCenter,
                fill.label,
            )

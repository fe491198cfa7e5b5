"""The History panel: the patient's verified doses, the units window, the history warnings and
a small weight trend. It renders a ``history_view.HistoryView`` and nothing else.

The session reads the journal (debounced, once per patient identifier); this widget never
touches it. Colours come from the palette; every mark on the chart is also in words
(the accessible description lists each weight).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QFont, QPainter, QPalette, QPen
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from ixempra_gui.ui.widgets import WrappedLabel, set_text

if TYPE_CHECKING:
    from ixempra_gui.presentation.history_view import HistoryView, TrendPoint


def _label(name: str, accessible: str) -> QLabel:
    label = WrappedLabel()
    label.setObjectName(name)
    label.setAccessibleName(accessible)
    label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    return label


def _set(label: QLabel, text: str) -> None:
    if label.text() != text:
        set_text(label, text)
        label.setAccessibleDescription(text)
    if label.isVisibleTo(label.parentWidget() or label) != bool(text):
        label.setVisible(bool(text))


class WeightTrend(QWidget):
    """Weight at each verified dose, oldest on the left; this calculation as a hollow point."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("weightTrendChart")
        self.setAccessibleName("Weight trend")
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # screen readers reach the description
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.points: tuple[TrendPoint, ...] = ()

    def set_points(self, points: tuple[TrendPoint, ...], description: str) -> None:
        if points == self.points:
            return
        self.points = points
        self.setAccessibleDescription(description)
        self.setToolTip(description)
        self.update()

    def sizeHint(self) -> QSize:
        line = self.fontMetrics().height()
        return QSize(300, line * 7)

    def minimumSizeHint(self) -> QSize:
        return QSize(160, self.sizeHint().height())

    def paintEvent(self, _event: object) -> None:
        if not self.points:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        plot, at, axis_w = self._layout()
        positions = [at(i, p) for i, p in enumerate(self.points)]
        self._draw_frame(painter, plot, positions, axis_w)
        self._draw_points(painter, positions)

    def _layout(self) -> tuple[QRectF, Callable[[int, TrendPoint], QPointF], float]:
        """The plot's rectangle, where each point goes in it, and the axis labels' width."""
        metrics = self.fontMetrics()
        line = metrics.height()
        weights = [p.weight_kg for p in self.points]
        top_label = max(self.points, key=lambda p: p.weight_kg)
        low_label = min(self.points, key=lambda p: p.weight_kg)
        labels = (top_label.label, low_label.label)
        axis_w = max(metrics.horizontalAdvance(text) for text in labels) + 8
        top = line * 1.4  # room for "now" above the highest point
        plot = QRectF(axis_w, top, self.width() - axis_w - line, self.height() - top - line * 1.3)
        low, high = min(weights), max(weights)
        pad = max((high - low) * 0.15, 1.0)
        low, high = low - pad, high + pad
        days = [p.day.toordinal() for p in self.points]
        first, last = min(days), max(days)

        def at(i: int, p: TrendPoint) -> QPointF:
            if last == first:
                fx = (i + 0.5) / len(self.points)
            else:
                fx = (days[i] - first) / (last - first)
            fy = (p.weight_kg - low) / (high - low)
            return QPointF(plot.left() + fx * plot.width(), plot.bottom() - fy * plot.height())

        return plot, at, axis_w

    def _draw_frame(
        self, painter: QPainter, plot: QRectF, positions: list[QPointF], axis_w: float
    ) -> None:
        """Frame and axis labels: the heaviest and lightest weights, the first and last dates."""
        pal = self.palette()
        line = self.fontMetrics().height()
        painter.setPen(QPen(pal.color(QPalette.ColorRole.Mid), 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(plot)
        painter.setPen(pal.color(QPalette.ColorRole.WindowText))
        top_label = max(self.points, key=lambda p: p.weight_kg)
        low_label = min(self.points, key=lambda p: p.weight_kg)
        for p in (top_label, low_label):
            y = positions[self.points.index(p)].y()
            painter.drawText(
                QRectF(0, y - line / 2, axis_w - 6, line),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                p.label,
            )
        dates_y = plot.bottom() + 2
        start_text = self.points[0].day.isoformat()
        end_text = self.points[-1].day.isoformat()
        painter.drawText(QRectF(plot.left(), dates_y, plot.width(), line + 2), start_text)
        if end_text != start_text:
            painter.drawText(
                QRectF(plot.left(), dates_y, plot.width(), line + 2),
                Qt.AlignmentFlag.AlignRight,
                end_text,
            )

    def _draw_points(self, painter: QPainter, positions: list[QPointF]) -> None:
        """The trend line and a dot per verified dose; this calculation hollow, named "now"."""
        pal = self.palette()
        line = self.fontMetrics().height()
        ink = pal.color(QPalette.ColorRole.WindowText)
        accent = pal.color(QPalette.ColorRole.Highlight)
        painter.setPen(QPen(accent, 2))
        if len(positions) > 1:
            painter.drawPolyline(positions)
        radius = max(3.0, line * 0.22)
        for p, pos in zip(self.points, positions, strict=True):
            if p.current:  # hollow, and named: not yet a verified dose
                painter.setPen(QPen(ink, 2))
                painter.setBrush(pal.color(QPalette.ColorRole.Base))
                painter.drawEllipse(pos, radius + 1, radius + 1)
                painter.drawText(
                    QRectF(pos.x() - 60, pos.y() - radius - line - 2, 58 + radius, line),
                    Qt.AlignmentFlag.AlignRight,
                    "now",
                )
            else:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(accent)
                painter.drawEllipse(pos, radius, radius)


class HistoryPanel(QWidget):
    """Summary, the doses already given, the units window, warnings, weight trend."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("historyPanel")
        self.setAccessibleName("Patient history from the journal")
        self.summary = _label("historySummary", "Patient history")
        self.doses = _label("historyDoses", "Verified doses already given")
        self.window_line = _label("historyWindow", "Units in the policy's window")
        self.warnings = _label("historyWarnings", "History warnings")
        bold = QFont(self.warnings.font())
        bold.setBold(True)
        self.warnings.setFont(bold)
        self.chart = WeightTrend()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.warnings, self.window_line, self.summary, self.doses, self.chart):
            layout.addWidget(widget)
        self.chart.hide()
        self.view: HistoryView | None = None

    def show_history(self, view: HistoryView) -> None:
        if view == self.view:
            return
        self.view = view
        _set(self.summary, view.summary)
        _set(self.doses, "\n".join(view.dose_lines))
        _set(self.window_line, view.window_line)
        _set(self.warnings, "\n".join(f"Warning: {w}" for w in view.warnings))
        self.chart.set_points(view.trend, view.trend_description)
        show_chart = len(view.trend) >= 2
        if self.chart.isVisibleTo(self) != show_chart:
            self.chart.setVisible(show_chart)

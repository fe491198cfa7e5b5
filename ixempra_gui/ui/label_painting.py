"""Paint a bag label (presentation.preparation_desk.BagLabel: its lines with their roles, and
the Code 128 of the dose record id) on a printer or a PDF page, in millimetres, 100 mm wide —
the layout of ``ixempra-journal label --svg`` (journal/bag_label_svg.py), so the two agree.

The bars are drawn from the symbol's modules (0.33 mm each, 10 modules of quiet zone each
side, 12 mm high): python-barcode chose the code sets; nothing is rescaled by a renderer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QRectF, QSizeF, Qt
from PySide6.QtGui import QColor, QFont, QPageSize, QPaintDevice, QPainter

from ixempra_gui.presentation.preparation_desk import BLANK, DEADLINE, DRUG_LINE, WARNING

if TYPE_CHECKING:
    from ixempra_gui.presentation.preparation_desk import BagLabel

WIDTH_MM: Final = 100.0
MARGIN_MM: Final = 4.0
MODULE_MM: Final = 0.33
BAR_HEIGHT_MM: Final = 12.0
QUIET_MODULES: Final = 10
#: Text sizes (mm, cap-to-descender) per role, as on the SVG label; the rest 2.8 mm.
SIZES: Final = {WARNING: 3.0, DRUG_LINE: 4.2, DEADLINE: 3.4}
BOLD: Final = {WARNING, DRUG_LINE, DEADLINE}
#: A 4 × 6 inch label (101.6 × 152.4 mm), the common thermal bag-label stock.
LABEL_PAGE: Final = (101.6, 152.4)


def label_page_size() -> QPageSize:
    return QPageSize(QSizeF(*LABEL_PAGE), QPageSize.Unit.Millimeter, "Bag label 4 x 6 in")


def paint_label(label: BagLabel, painter: QPainter, device: QPaintDevice) -> float:
    """Paint ``label`` from the page's top left corner; the height used, in mm."""
    px = device.logicalDpiX() / 25.4  # pixels per mm
    width = (WIDTH_MM - 2 * MARGIN_MM) * px
    y = MARGIN_MM * px
    for line in label.lines:
        font = QFont("DejaVu Sans")
        font.setPixelSize(max(1, round(SIZES.get(line.role, 2.8) * px)))
        font.setBold(line.role in BOLD)
        painter.setFont(font)
        painter.setPen(QColor("#b00000") if line.role == WARNING else QColor("#000000"))
        flags = Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap
        if line.role == BLANK:
            y += 1.6 * px  # room to write a name or a date of birth by hand
        box = painter.boundingRect(QRectF(MARGIN_MM * px, y, width, 1000 * px), flags, line.text)
        painter.drawText(box, flags, line.text)
        y += box.height() + 0.8 * px
    y += 2.0 * px
    x = (MARGIN_MM + QUIET_MODULES * MODULE_MM) * px
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("#000000"))
    for dark, modules in label.barcode.bar_widths():
        if dark:
            painter.drawRect(QRectF(x, y, modules * MODULE_MM * px, BAR_HEIGHT_MM * px))
        x += modules * MODULE_MM * px
    y += (BAR_HEIGHT_MM + 1.0) * px
    font = QFont("DejaVu Sans")
    font.setPixelSize(max(1, round(2.8 * px)))
    painter.setFont(font)
    painter.setPen(QColor("#000000"))
    text = f"Record {label.barcode.text}"
    box = painter.boundingRect(
        QRectF((MARGIN_MM + QUIET_MODULES * MODULE_MM) * px, y, width, 10 * px),
        Qt.AlignmentFlag.AlignLeft,
        text,
    )
    painter.drawText(box, Qt.AlignmentFlag.AlignLeft, text)
    return (y + box.height()) / px + MARGIN_MM

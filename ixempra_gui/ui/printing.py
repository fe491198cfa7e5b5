"""Lay the worksheet HTML out on paper or in a PDF. QtPrintSupport is imported only to print.

Pages are painted here, not by ``QTextDocument.print_``: each page gets the document's running
header and footer (presentation/page.py) and "Page n of N", so the patient and the dose are
on every sheet. PDFs are written atomically: a temporary file beside the target, flushed and
fsynced, then renamed over it, so a crash never leaves a half-written worksheet under the
chosen name.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QLocale, QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QFont,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextDocument,
)
from PySide6.QtWidgets import QWidget

from ixempra_gui import APP_NAME
from ixempra_gui.presentation.page import Frame, read_frame
from ixempra_gui.presentation.worksheet import TITLE
from ixempra_gui.system.site_settings import load_site_settings
from ixempra_gui.ui import loader

if TYPE_CHECKING:
    from ixempra_gui.presentation.preparation_desk import BagLabel

#: Page margins (mm), and the bands of the running header and footer inside them.
MARGIN_MM = 14
HEADER_MM = 11
FOOTER_MM = 8


def page_size() -> QPageSize:
    """Letter where the locale measures in inches (US), else A4."""
    if QLocale().measurementSystem() == QLocale.MeasurementSystem.ImperialUSSystem:
        return QPageSize(QPageSize.PageSizeId.Letter)
    return QPageSize(QPageSize.PageSizeId.A4)


def build_document(html: str, title: str = TITLE) -> QTextDocument:
    document = QTextDocument()
    document.setMetaInformation(QTextDocument.MetaInformation.DocumentTitle, title)
    document.setHtml(html)
    return document


def _mm(millimetres: float, dpi: int) -> float:
    return millimetres / 25.4 * dpi


def _band(painter: QPainter, rect: QRectF, lines: list[str], bold_first: bool) -> None:
    """Header or footer lines, small, at the top of ``rect``; a rule under a header."""
    font = QFont(painter.font())
    font.setPointSizeF(7.5)
    for i, line in enumerate(lines):
        font.setBold(bold_first and i == 0)
        painter.setFont(font)
        step = painter.fontMetrics().height()
        row = QRectF(rect.left(), rect.top() + i * step, rect.width(), step)
        painter.drawText(row, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, line)


def paint_document(html: str, device: QPagedPaintDevice, title: str = TITLE) -> int:
    """Lay ``html`` out on ``device`` page by page, each with the document's running header,
    its footer and "Page n of N"; return the number of pages."""
    frame: Frame = read_frame(html)
    dpi = device.logicalDpiX()  # the writer's or the printer's resolution
    full = device.pageLayout().fullRectPixels(dpi)
    margin = _mm(MARGIN_MM, dpi)
    header = _mm(HEADER_MM, dpi) if frame.header else 0.0
    footer = _mm(FOOTER_MM, dpi)
    body = QRectF(
        margin,
        margin + header,
        full.width() - 2 * margin,
        full.height() - 2 * margin - header - footer,
    )
    document = build_document(html, title)
    document.documentLayout().setPaintDevice(device)
    document.setDocumentMargin(0)
    document.setPageSize(QSizeF(body.width(), body.height()))
    pages = document.pageCount()
    painter = QPainter(device)
    try:
        for page in range(pages):
            if page:
                device.newPage()
            _band(painter, QRectF(margin, margin, body.width(), header), list(frame.header), True)
            bottom = QRectF(margin, body.bottom() + footer * 0.35, body.width(), footer)
            _band(painter, bottom, [f"{frame.footer}    Page {page + 1} of {pages}"], False)
            painter.save()
            painter.translate(body.left(), body.top() - page * body.height())
            # The page's own blocks only: a block that starts where the next page begins
            # (a page break) touches this page's lower edge but is not on it.
            clip = QRectF(0, page * body.height(), body.width(), body.height() - 1)
            painter.setClipRect(clip)  # a block drawn whole must not spill onto the footer
            document.drawContents(painter, clip)
            painter.restore()
    finally:
        painter.end()
    return pages


def write_pdf(html: str, path: Path, title: str = TITLE, size: QPageSize | None = None) -> None:
    """The document (the worksheet by default) as a PDF at ``path`` (replaced atomically), on
    ``size`` paper (None: the locale's, ``page_size``); OSError if it cannot be."""

    def paint(writer: QPdfWriter) -> None:
        paint_document(html, writer, title)  # it keeps its own margins

    _write_pdf_atomically(path, title, size or page_size(), paint)


def saved(
    parent: QWidget, what: str, target: Path | None, write: Callable[[Path], object]
) -> Path | None:
    """``write(target)``, the path when it was written; None when no target was chosen or it
    could not be written (then said in a warning naming ``what`` and the reason)."""
    if target is None:
        return None
    try:
        write(target)
    except OSError as err:
        loader.QMessageBox.warning(
            parent, APP_NAME, f"The {what} was not saved to {target}:\n{err}"
        )
        return None
    return target


def _write_pdf_atomically(
    path: Path,
    title: str,
    size: QPageSize,
    paint: Callable[[QPdfWriter], object],
    resolution: int | None = None,
) -> None:
    """A PDF painted by ``paint`` on ``size`` paper without margins, written to a temporary file
    beside ``path``, checked, synced and renamed over it (never half a file); OSError if not."""
    path = Path(path)
    folder = path.parent
    if not folder.is_dir():
        raise FileNotFoundError(f"folder {folder} does not exist")
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".pdf", dir=folder)
    os.close(handle)
    try:
        writer = QPdfWriter(temp_name)
        writer.setTitle(title)
        writer.setCreator(APP_NAME)
        if resolution is not None:
            writer.setResolution(resolution)
        writer.setPageLayout(
            QPageLayout(
                size,
                QPageLayout.Orientation.Portrait,
                QMarginsF(0, 0, 0, 0),  # the painter keeps its own margins
                QPageLayout.Unit.Millimeter,
            )
        )
        paint(writer)
        del writer  # the PDF is complete once its painter ended and the writer is gone
        with open(temp_name, "rb+") as written:
            if not written.read(5) == b"%PDF-":
                raise OSError(f"Qt did not write a PDF to {temp_name}")
            os.fsync(written.fileno())
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def print_html(
    html: str, parent: QWidget | None, title: str = TITLE, what: str = "worksheet"
) -> bool:
    """Ask for a printer and print; False when the user cancelled."""
    printer = loader.QPrinter(loader.QPrinter.PrinterMode.HighResolution)
    printer.setDocName(title)
    printer.setPageSize(page_size())
    printer.setFullPage(True)  # paint_document keeps its own margins
    dialog = loader.QPrintDialog(printer, parent)
    dialog.setWindowTitle(f"Print {what}")
    if dialog.exec() != loader.QPrintDialog.DialogCode.Accepted:
        return False
    paint_document(html, printer, title)
    return True


def pdf_file_name(kind: str, patient_id: str, with_patient_id: bool | None = None) -> str:
    """A default file name, safe on any disk: ixempra-<kind>-<YYYYmmdd-HHMM>.pdf. File names
    show in folder listings, recent-file lists and backups, so the patient identifier is in it
    (ixempra-<kind>-<patient>-<time>.pdf) only when the site turns ``pdf_name_with_patient_id``
    on in settings.ini (site_settings.py); ``with_patient_id`` None reads that setting."""
    if with_patient_id is None:
        with_patient_id = load_site_settings()[0].pdf_name_with_patient_id
    stamp = datetime.now().strftime("%Y%m%d-%H%M")
    if not with_patient_id:
        return f"ixempra-{kind}-{stamp}.pdf"
    patient = re.sub(r"[^A-Za-z0-9_-]+", "-", patient_id).strip("-") or "patient"
    return f"ixempra-{kind}-{patient}-{stamp}.pdf"


def ask_pdf_path(parent: QWidget, caption: str, default_name: str) -> Path | None:
    """Ask where to save a PDF (in the home folder by default); None if cancelled."""
    chosen, _ = loader.QFileDialog.getSaveFileName(
        parent, caption, str(Path.home() / default_name), "PDF documents (*.pdf)"
    )
    if not chosen:
        return None
    path = Path(chosen)
    return path if path.suffix.lower() == ".pdf" else path.with_suffix(".pdf")


# --- the bag label (issue 16) ----------------------------------------------------------------


def write_label_pdf(label: BagLabel, path: Path) -> None:
    """The bag label as a one-page PDF on 4 × 6 inch label stock at ``path`` (replaced
    atomically, as the worksheet is); OSError if it cannot be written."""

    def paint(writer: QPdfWriter) -> None:
        painter = QPainter(writer)
        try:
            loader.label_painting.paint_label(label, painter, writer)
        finally:
            painter.end()

    title = f"Bag label, dose record {label.barcode.text}"
    size = loader.label_painting.label_page_size()
    _write_pdf_atomically(path, title, size, paint, resolution=600)


def print_label(label: BagLabel, parent: QWidget | None) -> bool:
    """Ask for a printer (label stock by default) and print; False when the user cancelled."""
    printer = loader.QPrinter(loader.QPrinter.PrinterMode.HighResolution)
    printer.setDocName(f"Bag label, dose record {label.barcode.text}")
    printer.setPageSize(loader.label_painting.label_page_size())
    printer.setFullPage(True)  # paint_label keeps its own margins
    dialog = loader.QPrintDialog(printer, parent)
    dialog.setWindowTitle("Print bag label")
    if dialog.exec() != loader.QPrintDialog.DialogCode.Accepted:
        return False
    painter = QPainter(printer)
    try:
        loader.label_painting.paint_label(label, painter, printer)
    finally:
        painter.end()
    return True

"""Lay the worksheet HTML out on paper or in a PDF. QtPrintSupport is imported only to print.

PDFs are written atomically: a temporary file beside the target, flushed and fsynced, then
renamed over it, so a crash never leaves a half-written worksheet under the chosen name.
"""

from __future__ import annotations

import os
import re
import tempfile
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QLocale, QMarginsF
from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument
from PySide6.QtWidgets import QWidget

from ixempra_gui import APP_NAME
from ixempra_gui.worksheet import TITLE


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


def write_pdf(html: str, path: Path, title: str = TITLE) -> None:
    """The document (the worksheet by default) as a PDF at ``path`` (replaced atomically);
    OSError if it cannot be."""
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
        writer.setPageLayout(
            QPageLayout(
                page_size(),
                QPageLayout.Orientation.Portrait,
                # QTextDocument.print_ adds its own 2 cm margin on every side: page margins
                # on top would double it (35 mm side margins were measured).
                QMarginsF(0, 0, 0, 0),
                QPageLayout.Unit.Millimeter,
            )
        )
        build_document(html, title).print_(writer)
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
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(title)
    printer.setPageSize(page_size())
    printer.setFullPage(True)  # the document's own 2 cm margin is the only margin
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(f"Print {what}")
    if dialog.exec() != QPrintDialog.DialogCode.Accepted:
        return False
    build_document(html, title).print_(printer)
    return True


def pdf_file_name(kind: str, patient_id: str, with_patient_id: bool | None = None) -> str:
    """A default file name, safe on any disk: ixempra-<kind>-<YYYYmmdd-HHMM>.pdf. File names
    show in folder listings, recent-file lists and backups, so the patient identifier is in it
    (ixempra-<kind>-<patient>-<time>.pdf) only when the site turns ``pdf_name_with_patient_id``
    on in settings.ini (site_settings.py); ``with_patient_id`` None reads that setting."""
    if with_patient_id is None:
        from ixempra_gui.site_settings import load_site_settings

        with_patient_id = load_site_settings()[0].pdf_name_with_patient_id
    stamp = datetime.now().strftime("%Y%m%d-%H%M")
    if not with_patient_id:
        return f"ixempra-{kind}-{stamp}.pdf"
    patient = re.sub(r"[^A-Za-z0-9_-]+", "-", patient_id).strip("-") or "patient"
    return f"ixempra-{kind}-{patient}-{stamp}.pdf"


def ask_pdf_path(parent: QWidget, caption: str, default_name: str) -> Path | None:
    """Ask where to save a PDF (in the home folder by default); None if cancelled."""
    from PySide6.QtWidgets import QFileDialog

    chosen, _ = QFileDialog.getSaveFileName(
        parent, caption, str(Path.home() / default_name), "PDF documents (*.pdf)"
    )
    if not chosen:
        return None
    path = Path(chosen)
    return path if path.suffix.lower() == ".pdf" else path.with_suffix(".pdf")

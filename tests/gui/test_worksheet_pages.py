"""The worksheet on paper: reference case v01's compounding record fits page 1 on A4 and on
Letter, and every page carries the patient and the dose in its header.

Independent reference: the PDF itself, read back by pypdf (not the HTML we sent to Qt).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from pathlib import Path

import pypdf
import pytest

pytest.importorskip("PySide6")

from PySide6.QtGui import QPageSize

from ixempra_gui.presentation.order_view import FormInput, present
from ixempra_gui.presentation.preferences import Preferences
from ixempra_gui.presentation.worksheet import worksheet_html
from ixempra_gui.ui.printing import write_pdf

V01 = FormInput(
    patient_id="MRN 0012345",
    administered_on="2026-12-03",
    height="170 cm",
    weight="70 kg",
    regimen="monotherapy",
    ast="30 U/L",
    ast_uln="40 U/L",
    alt="25 U/L",
    alt_uln="40 U/L",
    bilirubin="0.8 mg/dL",
    bilirubin_uln="1.2 mg/dL",
    anc="1800",
    platelets="150000",
    height_measured_on="2026-12-01",
    weight_measured_on="2026-12-03",
    labs_drawn_on="2026-12-02",
    prepared_at="2026-12-03 14:30",
)
RECORD = "Journal record 12 (hash 3f9a0c1b2d4e), verified by B. Checker (prepared by A. Pharmacist)"
PAGE_ONE = (
    "READY TO PREPARE",
    "Journal record 12 (hash 3f9a0c1b2d4e)",
    "45 mg kit (1 of 1)",
    "15 mg kit (2 of 2)",
    "Lot",
    "Expiry",
    "Reconstituted at",
    "Use by (+1 h)",
    "Initials",
    "1. Reconstitute 1 × 45 mg vial with 23.5 mL of the supplied diluent",
    "2. Reconstitute 2 × 15 mg vials",
    "3. Withdraw 36.4 mL (72.8 mg)",
    "4. Add to a 250 mL Lactated Ringer's Injection bag",
    "5. Infuse over 3 h at 95.5 mL/h",
    "Complete the infusion by 20:30",
    "Kits scanned",
    "Prepared by",
    "Verified by",
    "Compounded by",
)


def squeeze(text: str) -> str:
    """Text without its spaces, NFKC-normalised (ligatures undone, m² read as m2): pypdf
    splits a kerned word ("J ournal") and joins words across cells."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def page_texts(path: Path) -> list[str]:
    return [squeeze(page.extract_text()) for page in pypdf.PdfReader(path).pages]


@pytest.mark.parametrize("size", [QPageSize.PageSizeId.A4, QPageSize.PageSizeId.Letter])
def test_v01_compounding_record_fits_page_one(qtbot, tmp_path: Path, size) -> None:
    view = present(V01, Preferences(), date(2026, 12, 3))
    html = worksheet_html(V01, view, datetime(2026, 12, 3, 14, 35), "MG.MM.PH.153", "x", RECORD)
    target = tmp_path / "worksheet.pdf"
    write_pdf(html, target, size=QPageSize(size))
    pages = page_texts(target)
    assert len(pages) == 2  # the record, then the derivation and its sources
    first, second = pages
    for expected in PAGE_ONE:
        assert squeeze(expected) in first, expected
    assert "Derivationandsources" in second and "Derivation" not in first
    assert squeeze("J9207-JW × 2 units") in second  # billing once, with the derivation
    for n, text in enumerate(pages, 1):  # the same header on every page, and its number
        assert squeeze("IXEMPRA compounding record — patient MRN 0012345") in text, n
        assert squeeze("Dose 72.8 mg (40 mg/m²)") in text, n
        assert squeeze(f"Page {n} of 2") in text, n

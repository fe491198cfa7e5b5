"""Helpers for the Preparation panel's tests: a verified dose recorded in the test's journal
(IXEMPRA_DATA_DIR, set per test by conftest.py), a fixed "now", and kit codes composed with
biip's check digits (gs1_codes.py)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from conftest import order_kwargs
from gs1_codes import GTIN_15, GTIN_45, kit_code

from ixempra_gui.core.calculator import calculate
from ixempra_gui.core.models import Order
from ixempra_gui.journal.entries import NewRecord, StoredRecord
from ixempra_gui.journal.store import Journal

#: "Now" for every scan and time: kits expiring 2027-12-31 are in date, 2026-11-01 expired.
ZONE = timezone(timedelta(hours=-5))
NOW = datetime(2026, 11, 2, 10, 0, tzinfo=ZONE)
#: The issue's 15 mg kit, raw (no separator needed: the lot is the last field).
KIT_15 = "01003700201910101727123110LOT42"
assert kit_code(GTIN_15, "271231", "LOT42") == KIT_15  # its check digit is biip's
KIT_15_B = kit_code(GTIN_15, "271231", "LOT43", serial="S-0002")  # lot, GS, serial
KIT_45 = kit_code(GTIN_45, "271231", "LOT45", serial="S-0045")
EXPIRED_15 = kit_code(GTIN_15, "261101", "LOT40", serial="S-0040")


def clock() -> datetime:
    return NOW


def record_dose(two_15_mg_kits: bool = True, patient: str = "MRN-0012345") -> StoredRecord:
    """A verified dose: 27.4 mg (2 × 15 mg kits), or v01's 72.8 mg (1 × 45 + 2 × 15 mg)."""
    changes = (
        {
            "height": "150 cm",
            "weight": "45 kg",
            "strong_cyp3a4_inhibitor": True,
            "acknowledge_warnings": True,
        }
        if two_15_mg_kits
        else {}
    )
    order = Order(**order_kwargs(**changes))
    new = NewRecord(
        patient, date(2026, 11, 2), "A. Pharmacist", "B. Checker", order, calculate(order)
    )
    with Journal.open() as journal:
        return journal.record(new)


def kinds() -> list[str]:
    """The kinds of the journal's records, in order."""
    with Journal.open() as journal:
        return [r.kind for r in journal.records()]

"""The export's cells for preparations and near misses (issue 16); export.py writes them.

Every record of the journal export gains the columns of ``PREPARATION_COLUMNS`` (empty for a
dose): its kind, the dose record it names, who compounded (a preparation) or scanned (a near
miss), the kits as parallel lists joined by `` | `` (one entry per kit, in scan order: a recall
looks up a lot), the times in UTC, why a preparation failed, and for a near miss the scan as
kept and why it was refused. ``near-misses --csv`` writes ``NEAR_MISS_COLUMNS``, one row per
refused scan.
"""

from __future__ import annotations

from typing import Any, Final

from ixempra_gui.journal.entries import StoredRecord
from ixempra_gui.journal.kinds import NEAR_MISS, PREPARATION

KIT_SEPARATOR: Final = " | "
PREPARATION_COLUMNS: Final = (
    "kind",
    "dose_record_id",
    "dose_record_hash",
    "compounded_by",
    "kit_strengths_mg",
    "kit_gtins",
    "kit_lots",
    "kit_expiries",
    "kit_serials",
    "reconstituted_at_utc",
    "diluted_at_utc",
    "complete_by_utc",
    "preparation_failures",
    "near_miss_scan",
    "near_miss_reason",
    "near_miss_message",
)
NEAR_MISS_COLUMNS: Final = (
    "record_id",
    "scanned_at_utc",
    "scanned_by",
    "authenticated",
    "patient_id",
    "dose_record_id",
    "dose_record_hash",
    "refusal_reason",
    "scan_problem",
    "refusal_message",
    "scan_text",
    "scan_length",
    "scan_sha256",
    "gtin",
    "lot",
    "expiry",
    "serial",
    "strength_mg",
    "recorded_at_utc",
    "hash",
)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _kits(content: dict[str, Any], key: str) -> str | None:
    kits = content.get("kits")
    if not isinstance(kits, list):
        return None
    return KIT_SEPARATOR.join("" if _dict(k).get(key) is None else str(k[key]) for k in kits)


def preparation_values(record: StoredRecord) -> dict[str, Any]:
    """The ``PREPARATION_COLUMNS`` cells of one readable record (only ``kind`` for a dose)."""
    c = record.content
    kind = record.kind
    values: dict[str, Any] = dict.fromkeys(PREPARATION_COLUMNS)
    values["kind"] = kind
    if kind not in (PREPARATION, NEAR_MISS):
        return values
    ref = _dict(c.get("dose_record"))
    refusal = _dict(c.get("refusal"))
    failures = c.get("failures")
    values.update(
        dose_record_id=ref.get("id"),
        dose_record_hash=ref.get("hash"),
        compounded_by=c.get("compounded_by") if kind == PREPARATION else c.get("scanned_by"),
        kit_strengths_mg=_kits(c, "strength_mg"),
        kit_gtins=_kits(c, "gtin"),
        kit_lots=_kits(c, "lot"),
        kit_expiries=_kits(c, "expiry"),
        kit_serials=_kits(c, "serial"),
        reconstituted_at_utc=c.get("reconstituted_at"),
        diluted_at_utc=c.get("diluted_at"),
        complete_by_utc=c.get("complete_by"),
        preparation_failures=" ".join(str(f) for f in failures)
        if isinstance(failures, list)
        else None,
        near_miss_scan=_dict(c.get("scan")).get("text"),
        near_miss_reason=refusal.get("reason"),
        near_miss_message=refusal.get("message"),
    )
    return values


def near_miss_values(record: StoredRecord) -> dict[str, Any]:
    """The ``NEAR_MISS_COLUMNS`` cells of one near-miss record (its id and hash when it
    cannot be read)."""
    values: dict[str, Any] = dict.fromkeys(NEAR_MISS_COLUMNS)
    values.update(record_id=record.id, hash=record.hash)
    if not record.readable:
        values["refusal_reason"] = "UNREADABLE"
        return values
    c = record.content
    ref, refusal = _dict(c.get("dose_record")), _dict(c.get("refusal"))
    scan, read = _dict(c.get("scan")), _dict(c.get("read"))
    values.update(
        scanned_at_utc=c.get("scanned_at"),
        scanned_by=c.get("scanned_by"),
        authenticated="yes" if c.get("authenticated") is True else "no (typed names)",
        patient_id=c.get("patient_id"),
        dose_record_id=ref.get("id"),
        dose_record_hash=ref.get("hash"),
        refusal_reason=refusal.get("reason"),
        scan_problem=refusal.get("problem"),
        refusal_message=refusal.get("message"),
        scan_text=scan.get("text"),
        scan_length=scan.get("length"),
        scan_sha256=scan.get("sha256"),
        gtin=read.get("gtin"),
        lot=read.get("lot"),
        expiry=read.get("expiry"),
        serial=read.get("serial"),
        strength_mg=read.get("strength_mg"),
        recorded_at_utc=c.get("recorded_at"),
    )
    return values

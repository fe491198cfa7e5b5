"""CSV export of the journal: one row per record, with its id and hash, written atomically
(temp file in the same folder, fsync, os.replace), so a reader never sees half a file."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ixempra_gui.journal.entries import StoredRecord

COLUMNS = (
    "record_id",
    "recorded_at_utc",
    "patient_id",
    "administered_on",
    "prepared_by",
    "verified_by",
    "status",
    "dose_level_mg_per_m2",
    "dose_mg",
    "bsa_m2",
    "bsa_used_m2",
    "vials",
    "volume_ml",
    "units_administered",
    "units_discarded",
    "units_total",
    "modifier",
    "app_version",
    "policy_id",
    "policy_last_review",
    "acknowledged_warnings",
    "double_check_comment",
    "inputs_json",
    "prev_hash",
    "hash",
)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def record_row(record: StoredRecord) -> list[str]:
    c = record.content
    result = c.get("result") or {}
    billing = result.get("billing") or {}
    vials = result.get("vials") or {}
    policy = c.get("policy") or {}
    check = c.get("double_check") or {}
    values = {
        "record_id": record.id,
        "recorded_at_utc": c.get("recorded_at"),
        "patient_id": c.get("patient_id"),
        "administered_on": c.get("administered_on"),
        "prepared_by": c.get("prepared_by"),
        "verified_by": c.get("verified_by"),
        "status": c.get("status"),
        "dose_level_mg_per_m2": result.get("dose_level_mg_per_m2"),
        "dose_mg": result.get("dose_mg"),
        "bsa_m2": result.get("bsa_m2"),
        "bsa_used_m2": result.get("bsa_used_m2"),
        "vials": " + ".join(f"{n} x {s} mg" for s, n in vials.items() if n),
        "volume_ml": result.get("volume_ml"),
        "units_administered": billing.get("units_administered"),
        "units_discarded": billing.get("units_wasted"),
        "units_total": billing.get("units_total"),
        "modifier": billing.get("modifier"),
        "app_version": c.get("app_version"),
        "policy_id": policy.get("id"),
        "policy_last_review": policy.get("last_review"),
        "acknowledged_warnings": " ".join(c.get("acknowledged_warnings") or ()),
        "double_check_comment": check.get("comment"),
        "inputs_json": json.dumps(c.get("inputs"), ensure_ascii=False, sort_keys=True),
        "prev_hash": record.prev_hash,
        "hash": record.hash,
    }
    return [_cell(values[name]) for name in COLUMNS]


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one step; on any failure the old file is untouched and
    no temp file is left behind."""
    folder = path.parent
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if os.name == "posix":  # make the rename itself durable
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def export_csv(records: Iterable[StoredRecord], path: Path) -> int:
    """Write every record to ``path`` as UTF-8 CSV; return how many rows were written."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    count = 0
    for record in records:
        writer.writerow(record_row(record))
        count += 1
    write_atomically(path, buffer.getvalue().encode("utf-8"))
    return count

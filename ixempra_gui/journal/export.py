"""CSV export of the journal: one row per record, with its id and hash, written atomically
(temp file in the same folder, fsync, os.replace), so a reader never sees half a file. Both
journals export through here (``records()`` of either store).

``authenticated`` says how far "prepared by" and "verified by" can be believed: ``yes`` where
the site journal's server signed both pharmacists in (issue 14), ``no (typed names)`` for a
workstation's journal and for records migrated from one, whose names were typed.

Safe to open in a spreadsheet: every text cell starting with ``= + - @``, a tab or a carriage
return is prefixed with an apostrophe, so it is shown as text and never run as a formula
(OWASP "CSV injection"); numeric cells are written as they are. An export is never written
inside the journal's or the settings' folder, through a link, over anything but a regular file,
or over an existing file without ``--force`` (``export_target``).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ixempra_gui.core.wording import vial_plan
from ixempra_gui.journal.entries import StoredRecord
from ixempra_gui.journal.preparation_export import (
    NEAR_MISS_COLUMNS,
    PREPARATION_COLUMNS,
    near_miss_values,
    preparation_values,
)
from ixempra_gui.system.private_files import write_atomically

COLUMNS = (
    "record_id",
    "recorded_at_utc",
    "patient_id",
    "administered_on",
    "prepared_by",
    "verified_by",
    "authenticated",
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
    *PREPARATION_COLUMNS,  # issue 16: kind, dose referenced, kits, times, near misses
)


#: First characters that make a spreadsheet read a cell as a formula (OWASP CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


class ExportRefused(ValueError):
    """The export target is not acceptable; the message says why and what is accepted."""


def neutralise(text: str) -> str:
    """A text cell a spreadsheet will show as text: one starting (after any blanks) with a
    formula trigger gets a leading apostrophe (OWASP). Numbers never pass through here."""
    if text.lstrip(" \n").startswith(FORMULA_TRIGGERS) or text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)  # numeric cells are written as they are, "-3" included
    return neutralise(str(value))


AUTHENTICATED = "yes"
TYPED_NAMES = "no (typed names)"


def authenticated(content: dict[str, Any]) -> str | None:
    """The ``authenticated`` cell: whether the names were signed in (None: a record that names
    no one, such as the first record of a journal started anew)."""
    if content.get("authenticated") is True:
        return AUTHENTICATED
    if "prepared_by" in content or "verified_by" in content:
        return TYPED_NAMES
    return None


def record_row(record: StoredRecord) -> list[str]:
    """One CSV row; a record that cannot be read gives its id, hash and the word UNREADABLE."""
    if not record.readable:
        values: dict[str, Any] = {name: None for name in COLUMNS}
        values.update(record_id=record.id, status="UNREADABLE", hash=record.hash)
        values["prev_hash"] = record.prev_hash
        return [_cell(values[name]) for name in COLUMNS]
    c = record.content
    result = _dict(c.get("result"))
    billing = _dict(result.get("billing"))
    vials = _dict(result.get("vials"))
    policy = _dict(c.get("policy"))
    check = _dict(c.get("double_check"))
    warnings = c.get("acknowledged_warnings")
    values = {
        "record_id": record.id,
        "recorded_at_utc": c.get("recorded_at"),
        "patient_id": c.get("patient_id"),
        "administered_on": c.get("administered_on"),
        "prepared_by": c.get("prepared_by"),
        "verified_by": c.get("verified_by"),
        "authenticated": authenticated(c),
        "status": c.get("status"),
        "dose_level_mg_per_m2": result.get("dose_level_mg_per_m2"),
        "dose_mg": result.get("dose_mg"),
        "bsa_m2": result.get("bsa_m2"),
        "bsa_used_m2": result.get("bsa_used_m2"),
        "vials": _vials_cell(vials),
        "volume_ml": result.get("volume_ml"),
        "units_administered": billing.get("units_administered"),
        "units_discarded": billing.get("units_wasted"),
        "units_total": billing.get("units_total"),
        "modifier": billing.get("modifier"),
        "app_version": c.get("app_version"),
        "policy_id": policy.get("id"),
        "policy_last_review": policy.get("last_review"),
        "acknowledged_warnings": " ".join(str(w) for w in warnings)
        if isinstance(warnings, list)
        else warnings,
        "double_check_comment": check.get("comment") or c.get("reason"),
        "inputs_json": json.dumps(c.get("inputs"), ensure_ascii=False, sort_keys=True),
        "prev_hash": record.prev_hash,
        "hash": record.hash,
        **preparation_values(record),
    }
    return [_cell(values[name]) for name in COLUMNS]


def _vials_cell(vials: dict[str, Any]) -> str:
    """The vial plan as the window words it ("1 × 45 mg + 2 × 15 mg"); a record whose vials
    are not whole strengths and counts shows them as stored, never guessed."""
    counts = [(s, n) for s, n in vials.items()]
    if not counts:
        return ""
    if all(s.isascii() and s.isdigit() and type(n) is int for s, n in counts):
        return vial_plan((int(s), n) for s, n in counts)
    return json.dumps(vials, ensure_ascii=False, sort_keys=True)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or path.is_relative_to(folder)


def export_target(target: Path, protected: Iterable[Path], *, force: bool = False) -> Path:
    """Where an export may be written: ExportRefused for anything inside the journal's or the
    settings' folder (the resolved target and its parent are compared with the resolved
    folders), a link, anything but a regular file, or an existing file without ``force``."""
    if str(target) == "" or target.name in ("", ".", ".."):
        raise ExportRefused(f"{target}: give a file name (or - for standard output)")
    folders = [p.resolve() for p in protected]
    resolved = target.resolve()
    parent = target.absolute().parent.resolve()
    for folder in folders:
        if _inside(resolved, folder) or _inside(parent, folder):
            raise ExportRefused(
                f"{target} is inside {folder}, where the journal and its settings live; "
                "export to another folder"
            )
    if target.is_symlink():
        raise ExportRefused(f"{target} is a link: export to a regular file or a new path")
    if target.exists():
        if not target.is_file():
            raise ExportRefused(
                f"{target} is not a regular file (a device, folder or pipe): export to a "
                "regular file or a new path"
            )
        if not force:
            raise ExportRefused(f"{target} exists: add --force to replace it")
    if not parent.is_dir():
        raise ExportRefused(f"the folder {target.absolute().parent} does not exist")
    return target


def csv_bytes(records: Iterable[StoredRecord]) -> tuple[bytes, int, list[int]]:
    """The CSV (UTF-8), how many records it holds, and the ids of the unreadable ones."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    count, unreadable = 0, []
    for record in records:
        writer.writerow(record_row(record))
        count += 1
        if not record.readable:
            unreadable.append(record.id)
    return buffer.getvalue().encode("utf-8"), count, unreadable


def near_misses_csv(records: Iterable[StoredRecord]) -> tuple[bytes, int]:
    """The near misses as CSV (UTF-8, formula cells neutralised), and how many rows."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(NEAR_MISS_COLUMNS)
    count = 0
    for record in records:
        values = near_miss_values(record)
        writer.writerow([_cell(values[name]) for name in NEAR_MISS_COLUMNS])
        count += 1
    return buffer.getvalue().encode("utf-8"), count


def export_csv(records: Iterable[StoredRecord], path: Path) -> int:
    """Write every record to ``path`` as UTF-8 CSV, atomically and owner-only (it holds patient
    data); return how many rows were written. The caller checks the path (export_target)."""
    data, count, _ = csv_bytes(records)
    write_atomically(path, data)
    return count

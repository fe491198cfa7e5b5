"""Whether every preparation and near miss names a real dose (issue 16): an earlier record of
the journal, a dose, with the hash it names, of the same patient. Part of ``verify``.

The chain proves a record was not edited; it cannot prove that a record appended with a
correct link (a rebuilt chain, or a superuser with the server's triggers off) names a dose
that exists. This pass does: it streams the records once, keeping each dose's hash and patient
key by id. A preparation migrated from a workstation's journal names that journal's dose (its
original id and hash), which the migrated dose embeds.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ixempra_gui.journal.entries import StoredRecord
from ixempra_gui.journal.kinds import DOSE, NEAR_MISS, PREPARATION


def _original(content: dict[str, Any]) -> tuple[Any, Any, Any] | None:
    source = content.get("migrated_from")
    if not isinstance(source, dict):
        return None
    return source.get("journal"), source.get("record_id"), source.get("hash")


def reference_problem(records: Iterable[StoredRecord]) -> tuple[int, str] | None:
    """(first record id, why) for the first preparation or near miss whose dose reference does
    not hold; None when all hold. Records that cannot be read are the walk's to name."""
    doses: dict[int, tuple[str, Any]] = {}
    migrated: dict[tuple[Any, Any, Any], Any] = {}
    for record in records:
        if not record.readable:
            continue
        kind = record.kind
        if kind == DOSE:
            doses[record.id] = (record.hash, record.content.get("patient_key"))
            if (original := _original(record.content)) is not None:
                migrated[original] = record.content.get("patient_key")
            continue
        if kind not in (PREPARATION, NEAR_MISS):
            continue
        problem = _check(record, doses, migrated)
        if problem is not None:
            return record.id, f"record {record.id}: {problem}"
    return None


def _check(
    record: StoredRecord,
    doses: dict[int, tuple[str, Any]],
    migrated: dict[tuple[Any, Any, Any], Any],
) -> str | None:
    what = record.kind.replace("_", " ")
    ref = record.content.get("dose_record")
    if not isinstance(ref, dict):
        return f"a {what} that names no dose record"
    ref_id, ref_hash = ref.get("id"), ref.get("hash")
    key = record.content.get("patient_key")
    mine = _original(record.content)
    if mine is not None:  # a record migrated from a workstation: its dose came the same way
        found = migrated.get((mine[0], ref_id, ref_hash))
        if found is None or found != key:
            return f"a migrated {what} whose dose was not migrated with it"
        return None
    if not isinstance(ref_id, int) or isinstance(ref_id, bool) or ref_id not in doses:
        return f"a {what} naming record {ref_id!r}, which is not an earlier dose of this journal"
    dose_hash, dose_key = doses[ref_id]
    if ref_hash != dose_hash:
        return f"a {what} naming dose record {ref_id} with another hash (forged reference?)"
    if dose_key != key:
        return f"a {what} of another patient than its dose record {ref_id}"
    return None

"""Appending records that are not doses (a preparation, near misses: issue 16), the same way
on both back ends: drafts of one patient, placed in the chain under the write lock after a
check of the patient's records (``AppendCheck``) that may still refuse.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from ixempra_gui.journal.anchor import Head
from ixempra_gui.journal.entries import StoredRecord
from ixempra_gui.journal.kinds import NEAR_MISS, PREPARATION, record_kind

#: Called under the write lock with the patient's records (each checked against its hash);
#: raises (``errors.RecordRefused``) to refuse, and then nothing is written.
AppendCheck = Callable[[Sequence[StoredRecord]], None]
APPENDABLE = (PREPARATION, NEAR_MISS)


def appended_patient_key(drafts: Sequence[dict[str, Any]]) -> str:
    """The one patient key of the drafts; ValueError for none, a dose, or two patients."""
    if not drafts:
        raise ValueError("nothing to append")
    keys = {draft.get("patient_key") for draft in drafts}
    kinds = {record_kind(draft) for draft in drafts}
    if not kinds <= set(APPENDABLE):
        raise ValueError(f"only {', '.join(APPENDABLE)} records are appended this way")
    key = keys.pop() if len(keys) == 1 else None
    if not isinstance(key, str) or not key:
        raise ValueError("the drafts must name one patient")
    return key


def chained(draft: dict[str, Any], head: Head) -> dict[str, Any]:
    """A draft's content at its place after ``head``: id, previous hash, time recorded."""
    return {
        **draft,
        "id": head.id + 1,
        "prev_hash": head.hash,
        "recorded_at": datetime.now(UTC).isoformat(timespec="microseconds"),
    }

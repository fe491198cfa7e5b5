"""What kind of record a journal record is (issue 16): a verified dose, the preparation of one,
a near miss (a refused kit scan), or the first record of a journal started anew.

A record written by this version names its kind in its signed content (``"kind"``); a record
written before says it through its ``status`` (``verified``: a dose; ``journal_started``: a
journal start). The schema's ``kind`` column (SQLite schema 4, site schema 2) is computed from
the signed content by the same rule, never written on its own.

Only doses count: the history and a patient's earlier doses read doses only. A preparation or a
near miss names the dose it belongs to (its id and hash) and its patient, carries no
administration date, and is never counted. A record whose content no longer gives its hash is
never skipped as "not a dose": it makes the journal untrusted, whatever it claims to be.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final, TypeVar

from ixempra_gui.journal.chain import content_hash_or_none

DOSE: Final = "dose"
PREPARATION: Final = "preparation"
NEAR_MISS: Final = "near_miss"
JOURNAL_START: Final = "journal_start"
KINDS: Final = (DOSE, PREPARATION, NEAR_MISS, JOURNAL_START)
UNKNOWN: Final = "unknown"
#: The ``status`` of records written before kinds, and the kind each means.
_BY_STATUS: Final = {"verified": DOSE, "journal_started": JOURNAL_START}


def record_kind(content: Mapping[str, Any]) -> str:
    """The kind a record's content signs (or, for an older record, its status says)."""
    kind = content.get("kind")
    if kind is not None:
        return kind if isinstance(kind, str) and kind in KINDS else UNKNOWN
    status = content.get("status")
    return _BY_STATUS.get(status, UNKNOWN) if isinstance(status, str) else UNKNOWN


def kind_sql(field: Callable[[str], str]) -> str:
    """The SQL expression of ``record_kind`` over a JSON field accessor (``field("$.kind")``
    gives the SQL that reads one value of the content; NULL when the content is not JSON)."""
    kinds = ", ".join(f"'{k}'" for k in KINDS)
    by_status = " ".join(f"WHEN '{s}' THEN '{k}'" for s, k in _BY_STATUS.items())
    return (
        f"CASE WHEN {field('$.kind')} IS NULL THEN CASE {field('$.status')} {by_status} "
        f"ELSE '{UNKNOWN}' END WHEN {field('$.kind')} IN ({kinds}) THEN {field('$.kind')} "
        f"ELSE '{UNKNOWN}' END"
    )


Row = TypeVar("Row", bound=Sequence[Any])


def without_other_kinds(rows: Iterable[Row], text_at: int, hash_at: int) -> list[Row]:
    """A patient's rows less the intact records that are not doses (preparations, near
    misses): what the dose readers use. A row whose content does not give its hash, or is not
    a JSON object, is kept: the reader then names it as altered."""
    kept = []
    for row in rows:
        text = row[text_at]
        if content_hash_or_none(text) == row[hash_at]:
            try:
                content = json.loads(text)
            except ValueError:
                content = None
            if isinstance(content, dict) and record_kind(content) in (PREPARATION, NEAR_MISS):
                continue
        kept.append(row)
    return kept

"""The hash chain: canonical JSON, SHA-256 per record, and the walk that finds the first break.

Each record's content is a JSON object that includes its own id and the previous record's hash;
its hash is SHA-256 over that canonical text. Editing a record changes its hash; recomputing that
hash breaks the next record's link; deleting or reordering records breaks the ids or the links.
The journal's head (last id and hash, kept in the meta table) catches records cut off the end.
Anyone who can write the file can still rebuild the whole chain: this is tamper evidence, not
tamper proofing. Keep a copy of the head hash elsewhere (``ixempra-journal verify`` prints it).
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

GENESIS_HASH = "0" * 64  # the "previous hash" of record 1


def canonical_json(content: dict[str, Any]) -> str:
    """One text per content: sorted keys, no spaces, ASCII only (other characters escaped), no
    NaN. Floats are the ``ixempra-calc --json`` figures, written by repr (shortest round-trip)."""
    return json.dumps(
        content, sort_keys=True, ensure_ascii=True, separators=(",", ":"), allow_nan=False
    )


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def patient_key(patient_id: str) -> str:
    """How records of one patient are found: NFKC and case-folded, so ``mrn-7`` and ``MRN-7``
    (or a full-width digit) share one 21-day history. Joining two ids is the safe error here;
    splitting one patient in two would hide a dose from the limit."""
    return unicodedata.normalize("NFKC", patient_id).casefold()


@dataclass(frozen=True)
class Row:
    """One row of the records table, as stored (every column)."""

    id: int
    recorded_at: str
    patient_id: str
    patient_key: str
    administered_on: str
    prev_hash: str
    hash: str
    content: str


@dataclass(frozen=True)
class ChainReport:
    """The outcome of a walk: how many records held, and the first bad one if any."""

    records: int
    head_id: int
    head_hash: str
    first_bad_id: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.first_bad_id is None and self.problem is None


# Columns kept beside the content for queries; each must equal the content's value.
_COPIED = ("recorded_at", "patient_id", "administered_on")


def check_row(row: Row, expected_id: int, prev_hash: str) -> tuple[int, str] | None:
    """(first bad record id, why) when this row breaks the chain, or None when it holds."""
    if row.id != expected_id:
        if row.id > expected_id:
            missing = (
                f"record {expected_id} is missing"
                if row.id == expected_id + 1
                else f"record {expected_id} is missing (records {expected_id}–{row.id - 1})"
            )
            after = f"follows record {expected_id - 1}" if expected_id > 1 else "comes first"
            return expected_id, f"{missing} (deleted?): record {row.id} {after}"
        return row.id, f"record {row.id} is out of order (expected record {expected_id})"
    if content_hash_or_none(row.content) != row.hash:
        return row.id, f"record {row.id}: its content does not match its hash (edited?)"
    try:
        content = json.loads(row.content)
    except ValueError:
        return row.id, f"record {row.id}: its content is not readable JSON"
    if not isinstance(content, dict) or content.get("id") != row.id:
        return row.id, f"record {row.id}: its content belongs to another record (moved?)"
    if content.get("prev_hash") == prev_hash and row.prev_hash != prev_hash:
        return row.id, f"record {row.id}: column prev_hash differs from the signed content"
    if content.get("prev_hash") != prev_hash:
        if expected_id == 1:
            return row.id, f"record {row.id}: does not start the chain (edited?)"
        # Either the earlier record was rewritten with a fresh hash, or this one was: the
        # earlier one is named, as the first record the chain can no longer vouch for.
        return expected_id - 1, (
            f"record {expected_id - 1}: record {row.id} no longer links to it "
            f"(record {expected_id - 1} or {row.id} was edited, replaced or reordered)"
        )
    for column in _COPIED:
        if getattr(row, column) != content.get(column):
            return row.id, f"record {row.id}: column {column} differs from the signed content"
    if row.patient_key != patient_key(row.patient_id):
        return row.id, f"record {row.id}: column patient_key differs from its patient id"
    return None


def content_hash_or_none(text: object) -> str | None:
    """The hash of stored content, or None when the stored value is not ASCII text at all."""
    if not isinstance(text, str):
        return None
    try:
        return content_hash(text)
    except UnicodeEncodeError:  # canonical content is ASCII; anything else was edited in
        return None


def walk(rows: Iterable[Row], head: tuple[int, str] | None) -> ChainReport:
    """Check every row in id order, then the head. Stops at the first bad record."""
    expected_id, prev_hash, count = 1, GENESIS_HASH, 0
    for row in rows:
        broken = check_row(row, expected_id, prev_hash)
        if broken is not None:
            bad, problem = broken
            return ChainReport(count, expected_id - 1, prev_hash, bad, problem)
        count += 1
        expected_id, prev_hash = row.id + 1, row.hash
    last_id = expected_id - 1
    head_id, head_hash = head if head is not None else (0, GENESIS_HASH)
    if (head_id, head_hash) == (last_id, prev_hash):
        return ChainReport(count, last_id, prev_hash)
    if head_id > last_id:
        problem = (
            f"record {last_id + 1} is missing (deleted?): the journal ends at record {last_id} "
            f"but its head says record {head_id}"
        )
        return ChainReport(count, last_id, prev_hash, last_id + 1, problem)
    if head_id < last_id:
        problem = (
            f"record {head_id + 1}: added outside the app (the journal's head says it ends at "
            f"record {head_id})"
        )
        return ChainReport(count, last_id, prev_hash, head_id + 1, problem)
    problem = (
        f"record {last_id}: the journal's head hash {head_hash[:12]}… does not match it "
        "(the record or the head was edited)"
    )
    return ChainReport(count, last_id, prev_hash, last_id or None, problem)

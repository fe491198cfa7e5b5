"""The hash chain: canonical JSON, SHA-256 per record, and the walk that finds the first break.

Each record's content is a JSON object that includes its own id and the previous record's hash;
its hash is SHA-256 over that canonical text. Editing a record changes its hash; recomputing that
hash breaks the next record's link; deleting or reordering records breaks the ids or the links.
The journal's head (last id and hash, kept beside the records) catches records cut off the end.
Anyone who can write the file can still rebuild the whole chain: this is tamper evidence, not
tamper proofing. The anchor (anchor.py) and a head kept elsewhere (``verify --expect-head``)
catch a rebuilt chain; docs/journal-integrity.md says what each proves.

Storage-neutral: a back end hands the walk one ``ChainRow`` per record, in id order, with the
fields its content signs and the plain columns it keeps beside the content for queries.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ixempra_gui.journal.anchor import Head

GENESIS_HASH = "0" * 64  # the "previous hash" of record 1
GENESIS = Head(0, GENESIS_HASH)
#: The fields of a record's content the walk compares with the row (see ``signed_fields``).
SIGNED_FIELDS = ("id", "prev_hash", "patient_id", "patient_key", "recorded_at", "administered_on")


def canonical_json(content: dict[str, Any]) -> str:
    """One text per content: sorted keys, no spaces, ASCII only (other characters escaped), no
    NaN. Floats are the ``ixempra-calc --json`` figures, written by repr (shortest round-trip)."""
    return json.dumps(
        content, sort_keys=True, ensure_ascii=True, separators=(",", ":"), allow_nan=False
    )


_ENCODER = json.JSONEncoder(
    sort_keys=True, ensure_ascii=True, separators=(",", ":"), allow_nan=False
)


def canonical_members(content: Mapping[str, Any]) -> dict[str, str]:
    """Each member of a JSON object as ``canonical_json`` writes it (``"key":value``), so a
    content that gains keys (a dose taking its place in the chain) is written without encoding
    what it already held again: ``joined_members`` of the union is its canonical JSON."""
    if not all(isinstance(key, str) for key in content):
        raise TypeError("canonical JSON members need text keys")
    return {
        key: f"{_ENCODER.encode(key)}:{_ENCODER.encode(value)}" for key, value in content.items()
    }


def joined_members(members: Mapping[str, str]) -> str:
    """The canonical JSON of the object whose members these are (sorted by key, as json.dumps
    sorts them)."""
    return "{" + ",".join(members[key] for key in sorted(members)) + "}"


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def content_hash_or_none(text: object) -> str | None:
    """The hash of stored content, or None when the stored value is not ASCII text at all."""
    if not isinstance(text, str):
        return None
    try:
        return content_hash(text)
    except UnicodeEncodeError:  # canonical content is ASCII; anything else was edited in
        return None


def signed_fields(text: object) -> dict[str, Any] | None:
    """The ``SIGNED_FIELDS`` of a stored content (absent ones None); None when the content is
    not a JSON object."""
    if not isinstance(text, str):
        return None
    try:
        content = json.loads(text)
    except ValueError:
        return None
    if not isinstance(content, dict):
        return None
    return {name: content.get(name) for name in SIGNED_FIELDS}


@dataclass(frozen=True)
class ChainRow:
    """One stored record as the walk sees it.

    ``signed``: the content's own SIGNED_FIELDS (None: the content is not a JSON object).
    ``columns``: plain columns kept beside the content that must equal what it signs (name →
    value; a layout whose columns are computed from the content has none to compare).
    ``key``: the stored lookup key, when the layout keeps one that is not signed, with the
    function that must give it from the signed patient id.
    """

    id: int
    hash: str
    content: str
    signed: Mapping[str, Any] | None
    columns: Mapping[str, Any] = field(default_factory=dict)
    key: tuple[str | None, Callable[[str], str]] | None = None


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

    @property
    def head(self) -> Head:
        return Head(self.head_id, self.head_hash)


def check_row(row: ChainRow, expected_id: int, prev_hash: str) -> tuple[int, str] | None:
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
    signed = row.signed
    if signed is None:
        return row.id, f"record {row.id}: its content is not readable JSON"
    if signed.get("id") != row.id or isinstance(signed.get("id"), bool):
        return row.id, f"record {row.id}: its content belongs to another record (moved?)"
    column_prev = row.columns.get("prev_hash", signed.get("prev_hash"))
    if signed.get("prev_hash") == prev_hash and column_prev != prev_hash:
        return row.id, f"record {row.id}: column prev_hash differs from the signed content"
    if signed.get("prev_hash") != prev_hash:
        if expected_id == 1:
            return row.id, f"record {row.id}: does not start the chain (edited?)"
        # Either the earlier record was rewritten with a fresh hash, or this one was: the
        # earlier one is named, as the first record the chain can no longer vouch for.
        return expected_id - 1, (
            f"record {expected_id - 1}: record {row.id} no longer links to it "
            f"(record {expected_id - 1} or {row.id} was edited, replaced or reordered)"
        )
    for column, value in row.columns.items():
        if column != "prev_hash" and value != signed.get(column):
            return row.id, f"record {row.id}: column {column} differs from the signed content"
    if row.key is not None:
        stored, key_of = row.key
        patient = signed.get("patient_id")
        signed_key = signed.get("patient_key")
        expected = key_of(patient) if isinstance(patient, str) else None
        if signed_key is not None and signed_key != expected:
            return row.id, f"record {row.id}: its patient key does not match its patient id"
        if signed_key is None and stored != expected:
            return row.id, f"record {row.id}: column patient_key differs from its patient id"
    return None


def walk(
    rows: Iterable[ChainRow], head: tuple[int, str] | None, start: Head = GENESIS
) -> ChainReport:
    """Check every row after ``start`` in id order, then the head. Stops at the first bad
    record. ``start``: a record already walked (its id and hash), or the genesis."""
    expected_id, prev_hash, count = start.id + 1, start.hash, start.id
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

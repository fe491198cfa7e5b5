"""The site journal's rows: the SQL the store sends (module docstring of ``postgres.store``),
a row as the chain walk sees it, a record as read back, and what only the server journal holds
(each recorded dose's verification, each migrated record's embedded original).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import psycopg
from psycopg.pq import TransactionStatus

from ixempra_gui.core.policy import Policy
from ixempra_gui.journal.anchor import Head
from ixempra_gui.journal.chain import (
    GENESIS,
    ChainReport,
    ChainRow,
    canonical_json,
    content_hash,
    content_hash_or_none,
    signed_fields,
    walk,
)
from ixempra_gui.journal.entries import (
    StoredRecord,
)
from ixempra_gui.journal.history import DoseFacts
from ixempra_gui.journal.identifiers import patient_key
from ixempra_gui.journal.kinds import NEAR_MISS, PREPARATION, record_kind

#: Keys a record's content gains when it takes its place in the chain; the rest is the
#: calculation the verifier verified (its canonical JSON's SHA-256 is ``calculation_hash``).
CHAIN_KEYS = frozenset(
    {
        "id",
        "prev_hash",
        "recorded_at",
        "history",
        "acknowledged_warnings",
        "calculation_hash",
        "verification_id",
    }
)
MAX_ID = 2**63 - 1
ROW = "id, hash, content, patient_key, administered_on"

# What the checks read in the same round trip as the work itself (module docstring of
# ``postgres.store``, 3.): the server's function of schema 3 (schema_v3.CHECKED_READ) takes the
# chain lock (``lock``) or reads the head, then the highest id, the records from the one this
# process's last walk ended at (the head among them) plus the anchored record, every record of
# the patient hashed by the server (a record edited in place with the server's protections off,
# its generated date moving it out of the window, is found at once, not only by the next
# verify), the patient's records this process read before (integrity.remember_read: still
# there, with the same hash, key and date), and the history's records (``start``/``day``; NULL:
# none). Its rows: (part, id, hash, content, patient_key, administered_on).
CHECKED_READ_SQL = (
    "SELECT part, id, hash, content, patient_key, administered_on FROM ixempra.checked_read("
    "%(lock)s, %(walked)s, %(anchor)s, %(key)s, %(seen)s::bigint[], %(start)s, %(day)s)"
)
# The same call with its arguments as parameters, for the recording's pipeline
# (``checked_read_args``).
CHECKED_READ_CALL = (
    b"SELECT part, id, hash, content, patient_key, administered_on FROM ixempra.checked_read("
    b"$1, $2, $3, $4, $5::bigint[], $6, $7)"
)


def checked_read_args(params: Mapping[str, Any]) -> list[str | None]:
    """CHECKED_READ_CALL's parameters from CHECKED_READ_SQL's named ones."""

    def text(value: Any) -> str | None:
        return None if value is None else str(value)

    seen = "{" + ",".join(str(int(i)) for i in params["seen"]) + "}"
    return [
        "true" if params["lock"] else "false",
        str(int(params["walked"])),
        str(int(params["anchor"])),
        text(params["key"]),
        seen,
        text(params["start"]),
        text(params["day"]),
    ]


# The records the history checks can use: every dose of the patient from the start of the
# window on (later ones too), and the last dose on or before this date; selected on columns
# the server computes from the signed content (read by CHECKED_READ_SQL when a caller's first
# statement; the same query).
HISTORY_SQL = (
    f"(SELECT {ROW} FROM ixempra.records "
    " WHERE patient_key = %(key)s AND administered_on >= %(start)s) "
    "UNION "
    f"(SELECT {ROW} FROM ixempra.records "
    " WHERE patient_key = %(key)s AND administered_on <= %(day)s "
    " ORDER BY administered_on DESC, id DESC LIMIT 1) "
    "ORDER BY id"
)
DOSES_SQL = (
    f"SELECT {ROW} FROM ixempra.records WHERE patient_key = %(key)s ORDER BY administered_on, id"
)
PATIENT_ROWS_SQL = (
    "SELECT id, hash, content FROM ixempra.records WHERE patient_key = %(key)s ORDER BY id"
)
INSERT_APPENDED = (
    "INSERT INTO ixempra.records (id, hash, content, origin) "
    "VALUES (%(id{i})s, %(hash{i})s, %(content{i})s, 'recorded')"
)
# A verified dose: id, hash, content, verification id as parameters (libpq_io.py,
# ``libpq_send_committing``).
INSERT_RECORDED = (
    b"INSERT INTO ixempra.records (id, hash, content, origin, verification_id) "
    b"VALUES ($1, $2, $3, 'recorded', $4)"
)


def rollback(conn: psycopg.Connection[Any]) -> None:
    """End a transaction left open or failed by an error (nothing to do on a lost connection)."""
    if conn.broken or conn.closed:
        return
    if conn.info.transaction_status in (TransactionStatus.INTRANS, TransactionStatus.INERROR):
        with contextlib.suppress(psycopg.Error):
            conn.execute("ROLLBACK")


def calculation_hash(content: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of a record's content without its chain keys."""
    return content_hash(canonical_json({k: v for k, v in content.items() if k not in CHAIN_KEYS}))


def chain_row(row: Sequence[Any]) -> ChainRow:
    """A stored row (id, hash, content, patient_key, administered_on) as the walk sees it: the
    generated columns must equal what the content signs, and the signed key the identifier's."""
    rid, digest, text, key, day = row[:5]
    return ChainRow(
        int(rid),
        str(digest),
        text,
        signed_fields(text),
        {"patient_key": key, "administered_on": day},
        (key, patient_key),
    )


@dataclass(frozen=True)
class MigrationReport:
    """What ``migrate_from`` did: records copied now, and those already on the server."""

    source_journal: str  # the hash of the source's first record: its identity
    copied: int
    already_there: int


class FetchedChain:
    """The chain as one round trip read it (``integrity.ChainSource``): the head, the highest
    id and the rows from the last walked record on (with the anchored one). The count is not
    read here (a count reads the whole table: it is checked on open and by ``verify``)."""

    def __init__(
        self,
        location: str,
        head: Head | None,
        last: int,
        rows: Sequence[Sequence[Any]],
        walked: Head,
    ) -> None:
        self._location = location
        self._head = head
        self._last = last
        self._rows = {int(r[0]): r for r in rows}
        self._walked = walked

    @property
    def location(self) -> str:
        return self._location

    def stored_head(self) -> Head | None:
        return self._head

    def count_and_last(self) -> tuple[int | None, int]:
        return None, self._last

    def record_hash(self, record_id: int) -> tuple[str, str | None] | None:
        row = self._rows.get(record_id)
        return None if row is None else (str(row[1]), content_hash_or_none(row[2]))

    def walk_from(self, start: Head, head: Head | None) -> ChainReport:
        if start.id < self._walked.id:
            # integrity.check could not start where this process's last walk ended: say why
            # from what this round trip read (what lies before it need not be read to say so).
            stored = self._head or GENESIS
            walked, last = self._walked, self._last
            if stored.id != last:
                bad = min(stored.id, last) + 1
                problem = (
                    f"record {bad}: the chain's head on the server says record {stored.id}, "
                    f"but the highest record is {last} (changed with the server's protections "
                    "off?)"
                )
            elif walked.id > last:
                bad = last + 1
                problem = (
                    f"record {bad}: the journal now ends at record {last}, but this session "
                    f"checked it up to record {walked.id}: records were removed on the server"
                )
            else:
                bad = walked.id
                problem = (
                    f"record {bad} changed on the server after this session checked it "
                    "(edited with the server's protections off?)"
                )
            return ChainReport(start.id, start.id, start.hash, bad, problem)
        rows = [chain_row(self._rows[i]) for i in sorted(self._rows) if i > start.id]
        return walk(rows, None if head is None else (head.id, head.hash), start)

    def find_hash(self, digest: str) -> int | None:
        if digest == GENESIS.hash:
            return 0
        return next((i for i, r in self._rows.items() if r[1] == digest), None)


def changed_since_read(
    seen: dict[int, tuple[str, str | None]], rows: Sequence[Sequence[Any]], key: str
) -> int | None:
    """The first record this process read for the patient ``key`` (id → hash, date) that is
    now missing or different (its hash, its key or its date: whether its content still gives
    its hash is what PATIENT_HASHES_SQL asks of every record with that key); None when all
    are as read. Records are never changed: one that is was altered in this session, where the
    incremental checks cannot see it (an edit of a record in place)."""
    found = {int(r[0]): r for r in rows}
    for rid in sorted(seen):
        digest, day = seen[rid]
        row = found.get(rid)
        if row is None or row[1] != digest or row[2] != key or row[3] != day:
            return rid
    return None


def history_params(key: str, current: DoseFacts, policy: Policy) -> dict[str, Any]:
    day = current.administered_on
    start = day - timedelta(days=policy.per_days - 1)
    return {"key": key, "start": start.isoformat(), "day": day.isoformat()}


def server_problem(
    row: ChainRow,
    origin: str,
    prepared_by: str,
    verified_by: str | None,
    verifier: str | None,
    verification_hash: str | None,
) -> str | None:
    """What is wrong with a row beyond the chain (its verification or its embedded original);
    None when all holds. Only rows whose hash already matched are examined meaningfully."""
    try:
        content = json.loads(row.content)
    except (TypeError, ValueError):
        return None  # the chain walk names it
    if not isinstance(content, dict):
        return None
    kind = record_kind(content)
    if origin == "recorded" and kind in (PREPARATION, NEAR_MISS):
        person = content.get("compounded_by" if kind == PREPARATION else "scanned_by")
        if content.get("authenticated") is not True or person != prepared_by:
            return f"record {row.id}: its compounder is not the server's inserting user"
        if verifier is not None or verified_by is not None:
            return f"record {row.id}: a {kind} record with a verification"
        return None
    if origin == "recorded":
        if content.get("authenticated") is not True:
            return f"record {row.id}: a recorded dose not marked authenticated"
        if content.get("prepared_by") != prepared_by:
            return f"record {row.id}: prepared_by differs from the server's inserting user"
        if verifier is None or verification_hash is None:
            return f"record {row.id}: its verification is missing"
        if content.get("verified_by") != verifier or verified_by != verifier:
            return f"record {row.id}: verified_by differs from the verification's user"
        if verifier == prepared_by:
            return f"record {row.id}: verified by its own preparer"
        if content.get("calculation_hash") != verification_hash:
            return f"record {row.id}: its verification is for another calculation"
        if calculation_hash(content) != verification_hash:
            return f"record {row.id}: its calculation does not match the verified hash"
        return None
    if origin == "migrated":
        source = content.get("migrated_from")
        if not isinstance(source, dict) or content.get("authenticated") is not False:
            return f"record {row.id}: a migrated record without its original"
        if content_hash_or_none(source.get("content")) != source.get("hash"):
            return f"record {row.id}: the embedded original no longer matches its hash"
        return None
    return f"record {row.id}: unknown origin {origin!r}"


def stored_record(row: Sequence[Any]) -> StoredRecord:
    rid, digest, text = row[:3]
    try:
        content = json.loads(text)
        readable = isinstance(content, dict)
    except (TypeError, ValueError):
        readable = False
    if not readable:
        content = {"unreadable_content": str(text)[:200]}
    prev = content.get("prev_hash") if readable else None
    intact = content_hash_or_none(text) == digest
    return StoredRecord(int(rid), str(digest), str(prev or ""), content, readable, intact)

"""The journal's tables, their version (``PRAGMA user_version``) and the migrations between them.

Each migration runs once, inside one ``BEGIN IMMEDIATE`` transaction with the version bump, so a
crash or a second process never leaves a half-migrated file. Migrations may add tables, columns
and indexes derived from the signed content; they never rewrite ``content``, ``hash`` or
``prev_hash`` (that would break the chain). A file newer than this app is refused, not guessed at.

Version 1 was the first layout. Version 2 added ``patient_key`` (the normalised patient id that
history queries look up, see ``chain.patient_key``) and its index.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from ixempra_gui.journal.chain import patient_key
from ixempra_gui.journal.errors import JournalSchemaError

SCHEMA_VERSION = 2


def _create_v1(conn: sqlite3.Connection) -> None:
    conn.execute(
        """CREATE TABLE records (
            id INTEGER PRIMARY KEY,
            recorded_at TEXT NOT NULL,
            patient_id TEXT NOT NULL,
            administered_on TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL,
            content TEXT NOT NULL
        )"""
    )
    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")


def _add_patient_key_v2(conn: sqlite3.Connection) -> None:
    conn.execute("ALTER TABLE records ADD COLUMN patient_key TEXT NOT NULL DEFAULT ''")
    rows = conn.execute("SELECT id, patient_id FROM records").fetchall()
    conn.executemany(
        "UPDATE records SET patient_key = ? WHERE id = ?",
        [(patient_key(pid), rid) for rid, pid in rows],
    )
    conn.execute("CREATE INDEX records_by_patient ON records (patient_key, administered_on, id)")


MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {
    1: _create_v1,
    2: _add_patient_key_v2,
}


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, target: int = SCHEMA_VERSION) -> int:
    """Bring the file up to ``target``; return the version it had. ``conn`` is in autocommit
    mode (isolation_level=None)."""
    found = schema_version(conn)
    if found > SCHEMA_VERSION:
        raise JournalSchemaError(
            f"the journal has schema version {found}, newer than this app understands "
            f"({SCHEMA_VERSION}): update the app; the file was left untouched"
        )
    if found >= target:
        return found
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = schema_version(conn)  # another process may have migrated meanwhile
        for step in range(version + 1, target + 1):
            MIGRATIONS[step](conn)
            conn.execute(f"PRAGMA user_version = {step:d}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return found

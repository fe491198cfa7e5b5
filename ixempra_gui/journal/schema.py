"""The journal's tables, their version (``PRAGMA user_version``) and the migrations between them.

Each migration runs once, inside one ``BEGIN IMMEDIATE`` transaction with the version bump, so a
crash or a second process never leaves a half-migrated file. Migrations may add tables, columns
and indexes derived from the signed content; they never rewrite ``content`` or ``hash`` (that
would break the chain). A file newer than this app is refused, not guessed at. The store walks
the chain before migrating: a broken journal is left exactly as it was found.

Version 1 was the first layout. Version 2 added ``patient_key`` (the normalised patient id that
history queries look up) and its index. Version 3 (issue 13) makes every column the history
selects on a generated column computed from the signed content (``prev_hash``, ``recorded_at``,
``patient_id``, ``administered_on``, ``patient_key``): editing one is impossible, and editing the
content breaks its hash. Records written before version 3 do not sign their patient key; the
migration computes it from their signed patient id with ``identifiers.patient_key`` into
``legacy_patient_key`` (checked by the walk), so old doses count under the clean identifier.
Version 4 (issue 16) adds ``kind`` (dose, preparation, near_miss, journal_start: journal/kinds.py),
generated from the signed content like the others, and its index (near misses are listed by
it). Files of versions 1–3 are read as they are when opened read-only.
"""

from __future__ import annotations

import json
import sqlite3
import unicodedata
from collections.abc import Callable

from ixempra_gui.journal.errors import JournalSchemaError
from ixempra_gui.journal.identifiers import patient_key
from ixempra_gui.journal.kinds import kind_sql

SCHEMA_VERSION = 4


def v2_patient_key(patient_id: str) -> str:
    """The lookup key schema version 2 stored (NFKC, case-folded): what the walk compares a
    version 2 file's column with when it is read without migrating it."""
    return unicodedata.normalize("NFKC", patient_id).casefold()


def _signed(path: str) -> str:
    """SQL for one value of the signed content (NULL when the content is not JSON)."""
    return f"CASE WHEN json_valid(content) THEN json_extract(content, '{path}') END"


RECORDS_V3 = f"""CREATE TABLE records (
    id INTEGER PRIMARY KEY,
    hash TEXT NOT NULL,
    content TEXT NOT NULL,
    legacy_patient_key TEXT,
    prev_hash TEXT GENERATED ALWAYS AS ({_signed("$.prev_hash")}) VIRTUAL,
    recorded_at TEXT GENERATED ALWAYS AS ({_signed("$.recorded_at")}) VIRTUAL,
    patient_id TEXT GENERATED ALWAYS AS ({_signed("$.patient_id")}) VIRTUAL,
    administered_on TEXT GENERATED ALWAYS AS ({_signed("$.administered_on")}) VIRTUAL,
    patient_key TEXT GENERATED ALWAYS AS (
        coalesce({_signed("$.patient_key")}, legacy_patient_key)) VIRTUAL
)"""
RECORDS_V4 = (
    RECORDS_V3[: RECORDS_V3.rindex(")")]
    + f",\n    kind TEXT GENERATED ALWAYS AS ({kind_sql(_signed)}) VIRTUAL\n)"
)
INDEX_KIND_V4 = "CREATE INDEX records_by_kind ON records (kind, id)"
INDEX_V3 = "CREATE INDEX records_by_patient ON records (patient_key, administered_on, id)"
# Only so that count(*), which every open compares with the last id and the head, reads a few
# small pages instead of a large index (about 0.01 ms instead of 5 ms at 100,000 records).
COUNT_INDEX_V3 = "CREATE INDEX records_count ON records (id)"
META = "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"


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
    conn.execute(META)


def _add_patient_key_v2(conn: sqlite3.Connection) -> None:
    conn.execute("ALTER TABLE records ADD COLUMN patient_key TEXT NOT NULL DEFAULT ''")
    rows = conn.execute("SELECT id, patient_id FROM records").fetchall()
    conn.executemany(
        "UPDATE records SET patient_key = ? WHERE id = ?",
        [(v2_patient_key(pid), rid) for rid, pid in rows],
    )
    conn.execute("CREATE INDEX records_by_patient ON records (patient_key, administered_on, id)")


def legacy_key(content: object) -> str | None:
    """The key of a record whose content does not sign one: from its signed patient id."""
    if not isinstance(content, str):
        return None
    try:
        data = json.loads(content)
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("patient_key") is not None:
        return None
    patient = data.get("patient_id")
    return patient_key(patient) if isinstance(patient, str) else None


def _derived_columns_v3(conn: sqlite3.Connection) -> None:
    conn.execute("DROP INDEX IF EXISTS records_by_patient")
    conn.execute("ALTER TABLE records RENAME TO records_before_v3")
    conn.execute(RECORDS_V3)
    conn.execute(
        "INSERT INTO records (id, hash, content) "
        "SELECT id, hash, content FROM records_before_v3 ORDER BY id"
    )
    keys = [
        (key, rid)
        for rid, text in conn.execute("SELECT id, content FROM records_before_v3")
        if (key := legacy_key(text)) is not None
    ]
    conn.executemany("UPDATE records SET legacy_patient_key = ? WHERE id = ?", keys)
    conn.execute("DROP TABLE records_before_v3")
    conn.execute(INDEX_V3)
    conn.execute(COUNT_INDEX_V3)


def _kind_v4(conn: sqlite3.Connection) -> None:
    """The table again with its ``kind`` column (a generated column that SQLite could add in
    place would change the table's stored definition text, which schema_problem compares)."""
    conn.execute("DROP INDEX records_by_patient")
    conn.execute("DROP INDEX records_count")
    conn.execute("ALTER TABLE records RENAME TO records_before_v4")
    conn.execute(RECORDS_V4)
    conn.execute(
        "INSERT INTO records (id, hash, content, legacy_patient_key) "
        "SELECT id, hash, content, legacy_patient_key FROM records_before_v4 ORDER BY id"
    )
    conn.execute("DROP TABLE records_before_v4")
    conn.execute(INDEX_V3)
    conn.execute(COUNT_INDEX_V3)
    conn.execute(INDEX_KIND_V4)


MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {
    1: _create_v1,
    2: _add_patient_key_v2,
    3: _derived_columns_v3,
    4: _kind_v4,
}


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def read_schema(conn: sqlite3.Connection) -> tuple[int, str | None]:
    """The file's version and what is wrong with its tables (``schema_problem``), read in one
    snapshot: another process creating or migrating the file commits its tables and version
    together, and two separate reads could see the tables without the version (a new journal
    taken for an altered one). ``conn`` is in autocommit mode."""
    conn.execute("BEGIN")
    try:
        version = schema_version(conn)
        return version, schema_problem(conn, version) if version <= SCHEMA_VERSION else None
    finally:
        conn.execute("COMMIT")  # read only: ends the snapshot


def check_version(found: int) -> None:
    if found > SCHEMA_VERSION:
        raise JournalSchemaError(
            f"the journal has schema version {found}, newer than this app understands "
            f"({SCHEMA_VERSION}): update the app; the file was left untouched"
        )


def migrate(conn: sqlite3.Connection, target: int = SCHEMA_VERSION) -> int:
    """Bring the file up to ``target``; return the version it had. ``conn`` is in autocommit
    mode (isolation_level=None)."""
    found = schema_version(conn)
    check_version(found)
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


def _normal(sql: str | None) -> str:
    return " ".join((sql or "").split())


_EXPECTED_OBJECTS = {
    1: {("table", "records"), ("table", "meta"), ("index", "sqlite_autoindex_meta_1")},
    2: {
        ("table", "records"),
        ("table", "meta"),
        ("index", "sqlite_autoindex_meta_1"),
        ("index", "records_by_patient"),
    },
}
_EXPECTED_OBJECTS[3] = {*_EXPECTED_OBJECTS[2], ("index", "records_count")}
_EXPECTED_OBJECTS[4] = {*_EXPECTED_OBJECTS[3], ("index", "records_by_kind")}


def schema_problem(conn: sqlite3.Connection, version: int) -> str | None:
    """Why the file's tables are not the ones this version has (a trigger, a view or a column
    definition added outside the app), or None. Version 0: a new, empty file."""
    rows = conn.execute("SELECT type, name, sql FROM sqlite_master").fetchall()
    if version == 0:
        return None if not rows else "the file holds tables but no journal version"
    objects = {(kind, name) for kind, name, _ in rows}
    expected = _EXPECTED_OBJECTS.get(version, set())
    if objects != expected:
        extra = ", ".join(f"{k} {n}" for k, n in sorted(objects - expected))
        missing = ", ".join(f"{k} {n}" for k, n in sorted(expected - objects))
        return (
            "its tables were changed outside the app"
            + (f" (added: {extra})" if extra else "")
            + (f" (missing: {missing})" if missing else "")
        )
    if version >= 3:
        sql = {name: text for _, name, text in rows}
        if (
            _normal(sql["records"]) != _normal(RECORDS_V3 if version == 3 else RECORDS_V4)
            or _normal(sql["records_by_patient"]) != _normal(INDEX_V3)
            or _normal(sql["records_count"]) != _normal(COUNT_INDEX_V3)
            or (version >= 4 and _normal(sql["records_by_kind"]) != _normal(INDEX_KIND_V4))
        ):
            return "the definition of its records table was changed outside the app"
    return None

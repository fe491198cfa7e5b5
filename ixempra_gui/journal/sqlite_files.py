"""Opening the SQLite journal file: for writing (WAL, ``synchronous=FULL``), or only for reading.

Reading (``list``, ``show``, ``verify``, ``export``) opens the file with ``mode=ro``: no
migration, no switch of journal mode, nothing written, so an audit copy or a damaged file is
read as it is (schema 1, 2 and 3). ``immutable=1`` is never used: with a ``-wal`` file beside the
journal, committed records live in it and would vanish. Where even a read-only open fails (a
read-only medium without the ``-shm`` index SQLite needs for a WAL file), the file and its
``-wal`` are copied to a temporary folder and the copy is read.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

BUSY_TIMEOUT_S = 30.0  # how long a second writer waits for the first one's commit


def why(exc: BaseException) -> str:
    """An OS or SQLite error in words; "database is locked" says who holds it."""
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    if isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text):
        return (
            f"another workstation or process is recording in the journal and held it for more "
            f"than {BUSY_TIMEOUT_S:.0f} s; try again in a moment ({text})"
        )
    return text


def _set_wal(conn: sqlite3.Connection) -> str:
    """Switch a new file to WAL. Two processes creating the journal at once can get "database is
    locked" here without SQLite's busy handler being called (it would risk a deadlock), so the
    switch is retried for as long as the busy timeout."""
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            return str(conn.execute("PRAGMA journal_mode = WAL").fetchone()[0])
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.005)


def connect_for_writing(path: Path) -> sqlite3.Connection:
    """WAL, FULL sync, busy timeout. Raises sqlite3.Error, or ValueError when WAL is refused."""
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S, isolation_level=None)
    try:
        mode = _set_wal(conn)
        if str(mode).lower() != "wal":
            raise ValueError(
                f"the journal at {path} cannot use write-ahead logging (mode {mode}); "
                "keep it on a local disk, not a network share"
            )
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA fullfsync = ON")  # macOS: really flush the disk cache
        # The records table computes its lookup columns with SQLite's own JSON functions, which
        # SQLite does not mark as safe for a schema when trusted_schema is off. The file's
        # schema is checked against the app's own on every open (schema.schema_problem).
        conn.execute("PRAGMA trusted_schema = ON")
    except BaseException:
        conn.close()
        raise
    return conn


def _ro(path: Path) -> sqlite3.Connection:
    uri = path.resolve().as_uri() + "?mode=ro"
    conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    try:
        conn.execute("PRAGMA trusted_schema = ON")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except BaseException:
        conn.close()
        raise
    return conn


def connect_for_reading(path: Path) -> tuple[sqlite3.Connection, Path | None]:
    """A read-only connection, and the temporary folder of the copy read (None: the file
    itself). Raises sqlite3.Error or OSError."""
    try:
        return _ro(path), None
    except sqlite3.OperationalError as exc:
        text = str(exc).lower()
        if not any(w in text for w in ("unable to open", "readonly", "read-only", "cantopen")):
            raise
    folder = Path(tempfile.mkdtemp(prefix="ixempra-journal-copy-"))
    try:
        copy = folder / path.name
        shutil.copyfile(path, copy)
        wal = path.with_name(path.name + "-wal")
        if wal.exists():
            shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))
        return _ro(copy), folder
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def remove_copy(folder: Path | None) -> None:
    if folder is not None:
        with contextlib.suppress(OSError):
            shutil.rmtree(folder)

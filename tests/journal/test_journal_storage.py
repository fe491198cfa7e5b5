"""Where and how the journal is stored: owner-only files, WAL + FULL sync, failures that leave
no partial record (read-only folder, full disk, no folder), and schema migrations."""

from __future__ import annotations

import os
import resource
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO
from journal_support import fill, new_record, raw, record_args, run_journal

from ixempra_gui.journal import paths, schema
from ixempra_gui.journal.errors import JournalError, JournalSchemaError
from ixempra_gui.journal.store import Journal

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


def _count(folder: Path) -> int:
    return raw(folder).execute("SELECT count(*) FROM records").fetchone()[0]


def test_data_dir_from_the_environment_else_platformdirs(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("IXEMPRA_DATA_DIR", str(tmp_path))
    assert paths.journal_path() == tmp_path / "journal.sqlite3"
    monkeypatch.setenv("IXEMPRA_DATA_DIR", "")
    import platformdirs

    expected = Path(platformdirs.user_data_dir("ixempra-gui", appauthor=False))
    assert paths.data_dir() == expected


@posix_only
def test_new_folder_and_files_are_owner_only(tmp_path: Path) -> None:
    folder = tmp_path / "new" / "data"
    old = os.umask(0o022)
    try:
        with Journal.open(folder) as journal:
            journal.record(new_record())
            modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()}
    finally:
        os.umask(old)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert modes["journal.sqlite3"] == 0o600
    assert modes.get("journal.sqlite3-wal") == 0o600  # SQLite copies the database file's mode
    assert modes.get("journal.sqlite3-shm") == 0o600


@posix_only
def test_an_existing_folder_keeps_its_mode(tmp_path: Path) -> None:
    tmp_path.chmod(0o755)
    fill(tmp_path, 1)
    assert stat.S_IMODE(tmp_path.stat().st_mode) == 0o755
    assert stat.S_IMODE((tmp_path / "journal.sqlite3").stat().st_mode) == 0o600


def test_wal_and_full_sync(tmp_path: Path) -> None:
    with Journal.open(tmp_path) as journal:
        conn = journal._conn
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 10_000


def _make_read_only(folder: Path) -> list[Path]:
    """chmod the folder and its files read-only; as root (who ignores modes), also chattr +i."""
    items = [*folder.iterdir(), folder]
    for p in items:
        p.chmod(0o500 if p.is_dir() else 0o400)
    if os.geteuid() == 0:
        if shutil.which("chattr") is None:
            pytest.skip("running as root and chattr is missing: cannot make a folder read-only")
        done = subprocess.run(["chattr", "+i", *map(str, items)], capture_output=True)
        if done.returncode != 0:
            pytest.skip(f"running as root and chattr +i failed: {done.stderr.decode().strip()}")
    return items


def _undo_read_only(items: list[Path]) -> None:
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-i", *map(str, items)], check=True)
    for p in items:
        p.chmod(0o700 if p.is_dir() else 0o600)


@posix_only
@pytest.mark.slow
def test_read_only_folder_gives_a_clear_error_and_no_partial_record(tmp_path: Path) -> None:
    fill(tmp_path, 2)
    items = _make_read_only(tmp_path)
    try:
        done = run_journal(tmp_path, record_args("RO"))
    finally:
        _undo_read_only(items)
    assert done.returncode == 1, done.stdout + done.stderr
    assert str(tmp_path / "journal.sqlite3") in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""  # no id was printed
    assert _count(tmp_path) == 2
    with Journal.open(tmp_path) as journal:
        assert journal.verify().ok


@pytest.mark.slow
def test_a_folder_that_cannot_be_created_gives_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    done = run_journal(blocker / "data", record_args("P"))
    assert done.returncode == 1
    assert "cannot create the journal" in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""


def _limit_file_size(limit: int):
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


@posix_only
@pytest.mark.slow
def test_full_disk_gives_a_clear_error_and_no_partial_record(tmp_path: Path) -> None:
    fill(tmp_path, 3)
    with Journal.open(tmp_path):
        pass  # checkpoint: the WAL is folded into the file and removed
    # A second connection kept open stops the WAL from being folded back and reset, so the
    # records below stay in it; the CLI then may grow no file past their size + 4 kB: room for
    # reading, not for the log of one more record (about 20 kB).
    holder = raw(tmp_path)
    holder.execute("SELECT count(*) FROM records").fetchone()
    with Journal.open(tmp_path) as journal:
        for i in range(3):
            journal.record(new_record(f"W{i}"))
    sizes = [p.stat().st_size for p in tmp_path.iterdir() if p.name.startswith("journal.")]
    limit = max([*sizes, 32_768]) + 4096
    env = dict(os.environ, PYTHONPATH=str(REPO), IXEMPRA_DATA_DIR=str(tmp_path))
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    done = subprocess.run(
        [sys.executable, "-m", "ixempra_gui.cli.journal", *record_args("FULL")],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
        preexec_fn=_limit_file_size(limit),
    )
    holder.close()
    assert done.returncode == 1, done.stdout + done.stderr
    assert "NOT recorded" in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""
    assert "cannot write the journal" in done.stderr
    assert _count(tmp_path) == 6
    with Journal.open(tmp_path) as journal:
        assert journal.verify().ok
        assert journal.record(new_record("AFTER")).id == 7  # the journal still works


def test_full_database_rolls_back_the_whole_record(tmp_path: Path) -> None:
    with Journal.open(tmp_path) as journal:
        journal.record(new_record("P0"))
        pages = journal._conn.execute("PRAGMA page_count").fetchone()[0]
        journal._conn.execute(f"PRAGMA max_page_count = {pages}")
        with pytest.raises(JournalError, match="NOT recorded"):
            journal.record(new_record("P1"))
        assert journal.count() == 1
        assert journal.verify().ok


# --- schema versions --------------------------------------------------------------------------


def _as_version_1(folder: Path, target: Path) -> None:
    """Copy a current journal's records into a file laid out as schema version 1."""
    target.mkdir()
    old = sqlite3.connect(target / "journal.sqlite3", isolation_level=None)
    schema.migrate(old, target=1)
    src = raw(folder)
    cols = "id, recorded_at, patient_id, administered_on, prev_hash, hash, content"
    old.executemany(
        f"INSERT INTO records ({cols}) VALUES (?, ?, ?, ?, ?, ?, ?)",
        src.execute(f"SELECT {cols} FROM records"),
    )
    old.executemany("INSERT INTO meta VALUES (?, ?)", src.execute("SELECT key, value FROM meta"))
    assert schema.schema_version(old) == 1
    old.close()


def test_migration_from_version_1_keeps_the_chain_and_finds_history(tmp_path: Path) -> None:
    fill(tmp_path / "src", 3)
    v1 = tmp_path / "v1"
    _as_version_1(tmp_path / "src", v1)
    columns = {r[1] for r in raw(v1).execute("PRAGMA table_info(records)")}
    assert "patient_key" not in columns
    with Journal.open(v1) as journal:
        assert schema.schema_version(journal._conn) == schema.SCHEMA_VERSION == 4
        assert journal.verify().ok
        assert [r.id for r in journal.records("p-1")] == [2]  # found through the new key
        assert journal.record(new_record("P-1"), acknowledge_history=True).id == 4
        assert journal.verify().ok
    indexes = {r[1] for r in raw(v1).execute("PRAGMA index_list(records)")}
    assert "records_by_patient" in indexes


def test_a_failed_migration_leaves_the_old_version_intact(tmp_path: Path, monkeypatch) -> None:
    fill(tmp_path / "src", 2)
    v1 = tmp_path / "v1"
    _as_version_1(tmp_path / "src", v1)

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("ALTER TABLE records ADD COLUMN patient_key TEXT")
        raise RuntimeError("power cut")

    monkeypatch.setitem(schema.MIGRATIONS, 2, broken)
    with pytest.raises(RuntimeError):
        Journal.open(v1)
    conn = raw(v1)
    assert schema.schema_version(conn) == 1
    assert "patient_key" not in {r[1] for r in conn.execute("PRAGMA table_info(records)")}


def test_a_journal_from_a_newer_app_is_refused_untouched(tmp_path: Path) -> None:
    fill(tmp_path, 1)
    raw(tmp_path).execute("PRAGMA user_version = 99")
    before = (tmp_path / "journal.sqlite3").read_bytes()
    with pytest.raises(JournalSchemaError, match="newer"):
        Journal.open(tmp_path)
    assert (tmp_path / "journal.sqlite3").read_bytes() == before


def test_a_file_that_is_not_a_journal_is_refused(tmp_path: Path) -> None:
    (tmp_path / "journal.sqlite3").write_bytes(b"hello" * 1000)
    with pytest.raises(JournalSchemaError, match="is not a journal file"):
        Journal.open(tmp_path)


def test_a_journal_another_process_creates_meanwhile_is_not_taken_for_an_altered_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two processes opening a new journal at once: the other one creates the tables and their
    version in one transaction right after this one read the version (0). Read in one snapshot,
    this open sees an empty file and goes on; read apart, it saw tables without a version and
    called the new journal altered (found by the two-process test in CI)."""
    from ixempra_gui.journal import store as journal_store
    from ixempra_gui.journal.sqlite_files import connect_for_writing

    path = paths.journal_path(tmp_path)
    paths.ensure_private_file(path)
    real_version = schema.schema_version
    created: list[bool] = []

    def version_then_another_process_creates(conn: sqlite3.Connection) -> int:
        found = real_version(conn)
        if not created:
            created.append(True)
            other = connect_for_writing(path)
            schema.migrate(other)
            other.close()
        return found

    for module in (schema, journal_store):  # wherever the open reads the version from
        monkeypatch.setattr(module, "schema_version", version_then_another_process_creates)
    with Journal.open(tmp_path) as journal:
        assert created and journal.count() == 0 and journal.version == schema.SCHEMA_VERSION
        assert journal.record(new_record("MRN-1")).id == 1

"""The hash chain: a journal verifies, and every kind of tampering is caught and named."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from journal_support import fill, raw, run_journal

from ixempra_gui.journal.chain import GENESIS_HASH, canonical_json, content_hash
from ixempra_gui.journal.errors import JournalError
from ixempra_gui.journal.store import Journal


def _verify(folder: Path):
    """What ``ixempra-journal verify`` reports: the file opened read-only, walked in full."""
    journal = Journal.open_read_only(folder)
    assert journal is not None
    with journal:
        return journal.verify()


def test_empty_journal_verifies(tmp_path: Path) -> None:
    Journal.open(tmp_path).close()
    report = _verify(tmp_path)
    assert report.ok and report.records == 0 and report.head_hash == GENESIS_HASH


def test_each_record_hashes_its_content_and_links_to_the_previous(tmp_path: Path) -> None:
    ids = fill(tmp_path, 4)
    assert ids == [1, 2, 3, 4]
    rows = raw(tmp_path).execute("SELECT id, prev_hash, hash, content FROM records ORDER BY id")
    previous = GENESIS_HASH
    for rid, prev_hash, digest, text in rows:
        content = json.loads(text)
        assert digest == hashlib.sha256(text.encode()).hexdigest()
        assert prev_hash == previous == content["prev_hash"]
        assert content["id"] == rid
        assert text == canonical_json(content)  # stored canonical, so anyone can re-hash it
        previous = digest
    report = _verify(tmp_path)
    assert (
        report.ok and report.records == 4 and report.head_id == 4 and report.head_hash == previous
    )


def _edit_content(rid: int, rehash: bool) -> Callable[[sqlite3.Connection], None]:
    def edit(conn: sqlite3.Connection) -> None:
        (text,) = conn.execute("SELECT content FROM records WHERE id = ?", (rid,)).fetchone()
        assert '"dose_mg":72.8' in text
        text = text.replace('"dose_mg":72.8', '"dose_mg":82.8')
        conn.execute("UPDATE records SET content = ? WHERE id = ?", (text, rid))
        if rehash:
            conn.execute("UPDATE records SET hash = ? WHERE id = ?", (content_hash(text), rid))

    return edit


def _swap_rows(a: int, b: int) -> Callable[[sqlite3.Connection], None]:
    cols = "hash, content, legacy_patient_key"  # the rest is computed from the content

    def swap(conn: sqlite3.Connection) -> None:
        ra = conn.execute(f"SELECT {cols} FROM records WHERE id = ?", (a,)).fetchone()
        rb = conn.execute(f"SELECT {cols} FROM records WHERE id = ?", (b,)).fetchone()
        sets = ", ".join(f"{c.strip()} = ?" for c in cols.split(","))
        conn.execute(f"UPDATE records SET {sets} WHERE id = ?", (*rb, a))
        conn.execute(f"UPDATE records SET {sets} WHERE id = ?", (*ra, b))

    return swap


def _sql(statement: str) -> Callable[[sqlite3.Connection], None]:
    return lambda conn: conn.execute(statement)


# (what was done, how, first bad record named)
TAMPERING = [
    ("dose edited in the content", _edit_content(3, rehash=False), 3),
    ("dose edited and the record's hash recomputed", _edit_content(3, rehash=True), 3),
    ("hash column edited", _sql(f"UPDATE records SET hash = '{'a' * 64}' WHERE id = 5"), 5),
    ("middle record deleted", _sql("DELETE FROM records WHERE id = 3"), 3),
    ("two middle records deleted", _sql("DELETE FROM records WHERE id IN (2, 3)"), 2),
    ("first record deleted", _sql("DELETE FROM records WHERE id = 1"), 1),
    ("last record deleted", _sql("DELETE FROM records WHERE id = 5"), 5),
    ("two records swapped", _swap_rows(2, 4), 2),
    ("record renumbered to the end", _sql("UPDATE records SET id = 9 WHERE id = 2"), 2),
    ("head edited", _sql('UPDATE meta SET value = \'{"id": 5, "hash": "00"}\''), 5),
    ("content made non-ASCII", _sql("UPDATE records SET content = content || 'é' WHERE id = 4"), 4),
]


@pytest.mark.parametrize(("what", "tamper", "first_bad"), TAMPERING, ids=[t[0] for t in TAMPERING])
def test_tampering_is_detected_and_the_first_bad_record_named(
    tmp_path: Path, what: str, tamper: Callable[[sqlite3.Connection], None], first_bad: int
) -> None:
    fill(tmp_path, 5)
    assert _verify(tmp_path).ok
    conn = raw(tmp_path)
    tamper(conn)
    conn.close()
    report = _verify(tmp_path)
    assert not report.ok, what
    assert report.first_bad_id == first_bad, report.problem
    assert f"record {first_bad}" in (report.problem or "")
    done = run_journal(tmp_path, ["verify"])
    assert done.returncode == 1, done.stdout
    assert "BROKEN" in done.stdout and f"first bad record: {first_bad}" in done.stdout


@pytest.mark.skipif(shutil.which("sqlite3") is None, reason="the sqlite3 shell is not installed")
def test_an_update_made_with_the_sqlite3_shell_is_detected(tmp_path: Path) -> None:
    fill(tmp_path, 3)
    subprocess.run(
        [
            "sqlite3",
            str(tmp_path / "journal.sqlite3"),
            "UPDATE records SET content = replace(content, '72.8', '27.8') WHERE id = 2;",
        ],
        check=True,
    )
    done = run_journal(tmp_path, ["verify"])
    assert done.returncode == 1
    assert "record 2" in done.stdout


@pytest.mark.parametrize(
    "column", ["patient_id", "patient_key", "administered_on", "recorded_at", "prev_hash"]
)
def test_the_columns_the_history_selects_on_cannot_be_edited(tmp_path: Path, column: str) -> None:
    """Schema 3: they are computed from the signed content (issue 13.2): editing the column the
    21-day count selects on is refused by SQLite itself; editing the content breaks the hash."""
    fill(tmp_path, 2)
    conn = raw(tmp_path)
    with pytest.raises(sqlite3.OperationalError, match="generated column"):
        conn.execute(f"UPDATE records SET {column} = 'x' WHERE id = 1")
    conn.close()
    assert _verify(tmp_path).ok


def test_recording_refuses_to_extend_a_journal_whose_end_was_cut(tmp_path: Path) -> None:
    fill(tmp_path, 3)
    raw(tmp_path).execute("DELETE FROM records WHERE id = 3")
    with pytest.raises(JournalError, match="altered"):
        Journal.open(tmp_path)
    assert raw(tmp_path).execute("SELECT count(*) FROM records").fetchone()[0] == 2


def test_verify_exit_status_zero_only_when_the_chain_holds(tmp_path: Path) -> None:
    fill(tmp_path, 2)
    done = run_journal(tmp_path, ["verify"])
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 records, the chain holds" in done.stdout
    missing = run_journal(tmp_path / "nowhere", ["verify"])
    assert missing.returncode == 1 and "no journal" in missing.stderr
    assert not (tmp_path / "nowhere").exists()  # reading never creates a journal


@pytest.fixture(scope="module")
def base_journal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("base")
    fill(folder, 4, anchor=None)
    with Journal.open(folder, anchor=None):
        pass  # closing the last connection checkpoints the WAL into the file
    return folder / "journal.sqlite3"


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(record=st.integers(1, 4), position=st.integers(0, 10_000), char=st.characters(codec="ascii"))
def test_any_one_character_changed_anywhere_is_detected(
    base_journal: Path, tmp_path: Path, record: int, position: int, char: str
) -> None:
    folder = tmp_path / f"j{record}-{position}-{ord(char)}"
    folder.mkdir()
    shutil.copy(base_journal, folder / "journal.sqlite3")
    conn = raw(folder)
    (text,) = conn.execute("SELECT content FROM records WHERE id = ?", (record,)).fetchone()
    at = position % len(text)
    changed = text[:at] + char + text[at + 1 :]
    if changed == text:
        return
    conn.execute("UPDATE records SET content = ? WHERE id = ?", (changed, record))
    conn.close()
    report = _verify(folder)
    assert not report.ok and report.first_bad_id == record

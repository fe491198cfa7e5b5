"""Every record names its kind (issue 16): SQLite schema 4 adds the ``kind`` column, generated
from the signed content; older records are read by their status; files of schema 1–3 stay
readable without being migrated, and the migration is one transaction, run once."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from journal_support import DAY0, new_record, raw, run_journal

from ixempra_gui.core.policy import load_policy
from ixempra_gui.journal import schema
from ixempra_gui.journal.chain import GENESIS_HASH, canonical_json, content_hash
from ixempra_gui.journal.entries import draft_content, journal_start_content
from ixempra_gui.journal.errors import JournalAltered
from ixempra_gui.journal.kinds import (
    DOSE,
    JOURNAL_START,
    NEAR_MISS,
    PREPARATION,
    UNKNOWN,
    kind_sql,
    record_kind,
)
from ixempra_gui.journal.store import Journal


def _v3_journal(folder: Path, contents: list[dict]) -> Path:
    """A schema-3 file as the previous app wrote it: records without a kind."""
    folder.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(folder / "journal.sqlite3", isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    schema.migrate(conn, target=3)
    prev = GENESIS_HASH
    for i, content in enumerate(contents, 1):
        content = {k: v for k, v in content.items() if k != "kind"}
        content.update(id=i, prev_hash=prev, recorded_at=f"2025-02-0{i}T10:00:00+00:00")
        text = canonical_json(content)
        prev = content_hash(text)
        conn.execute("INSERT INTO records (id, hash, content) VALUES (?, ?, ?)", (i, prev, text))
    conn.execute(
        "INSERT INTO meta VALUES ('head', ?)", (json.dumps({"id": len(contents), "hash": prev}),)
    )
    conn.close()
    return folder / "journal.sqlite3"


def _old_contents() -> list[dict]:
    start = journal_start_content("verify: record 3 edited; checked by A. Lead", {})
    doses = [draft_content(new_record(f"P-{i}"), load_policy()) for i in range(2)]
    return [start, *doses]


def test_new_records_sign_their_kind_and_the_column_follows_it(tmp_path: Path) -> None:
    with Journal.open(tmp_path) as journal:
        stored = journal.record(new_record())
    assert stored.content["kind"] == DOSE and stored.kind == DOSE and stored.is_dose
    assert raw(tmp_path).execute("SELECT kind FROM records").fetchall() == [(DOSE,)]
    assert journal_start_content("reason", {})["kind"] == JOURNAL_START


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        ({"kind": "preparation", "status": "prepared"}, PREPARATION),
        ({"kind": "near_miss"}, NEAR_MISS),
        ({"status": "verified"}, DOSE),  # written before kinds
        ({"status": "journal_started"}, JOURNAL_START),
        ({"kind": "dose ", "status": "verified"}, UNKNOWN),  # a kind is exact
        ({"kind": 1, "status": "verified"}, UNKNOWN),
        ({"kind": None, "status": "verified"}, DOSE),
        ({"status": "prepared"}, UNKNOWN),
        ({}, UNKNOWN),
    ],
)
def test_the_kind_column_is_the_same_rule_as_the_reader(content: dict, kind: str) -> None:
    assert record_kind(content) == kind
    conn = sqlite3.connect(":memory:")
    column = kind_sql(lambda path: f"json_extract(?, '{path}')")
    count = column.count("?")
    found = conn.execute(f"SELECT {column}", [json.dumps(content)] * count).fetchone()[0]
    assert found == kind


def test_a_schema_3_file_migrates_once_to_4_in_one_transaction(tmp_path: Path) -> None:
    _v3_journal(tmp_path, _old_contents())
    with Journal.open(tmp_path) as journal:
        assert journal.version == schema.SCHEMA_VERSION == 4
        assert journal.verify().ok
        assert [r.kind for r in journal.records()] == [JOURNAL_START, DOSE, DOSE]
        assert [r.id for r in journal.records_of_kind(DOSE)] == [2, 3]
        assert [d.record_id for d in journal.patient_doses("P-1")] == [3]
        assert journal.record(new_record("P-9")).id == 4
    assert raw(tmp_path).execute("SELECT id, kind FROM records ORDER BY id").fetchall() == [
        (1, JOURNAL_START),
        (2, DOSE),
        (3, DOSE),
        (4, DOSE),
    ]
    before = (tmp_path / "journal.sqlite3").stat().st_size
    conn = raw(tmp_path)
    assert schema.migrate(conn) == 4  # already there: nothing done
    conn.close()
    assert (tmp_path / "journal.sqlite3").stat().st_size == before
    assert {r[1] for r in raw(tmp_path).execute("PRAGMA index_list(records)")} >= {
        "records_by_kind",
        "records_by_patient",
        "records_count",
    }


def test_a_failed_migration_to_4_leaves_the_schema_3_file_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _v3_journal(tmp_path, _old_contents())
    rows = raw(tmp_path).execute("SELECT id, hash, content FROM records").fetchall()

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("ALTER TABLE records RENAME TO records_before_v4")
        raise RuntimeError("power cut")

    monkeypatch.setitem(schema.MIGRATIONS, 4, broken)
    with pytest.raises(RuntimeError):
        Journal.open(tmp_path)
    conn = sqlite3.connect(path)
    assert schema.schema_version(conn) == 3
    assert conn.execute("SELECT id, hash, content FROM records").fetchall() == rows
    assert schema.schema_problem(conn, 3) is None


def test_a_schema_3_file_is_read_as_it_is_without_migrating(tmp_path: Path) -> None:
    path = _v3_journal(tmp_path / "data", _old_contents())
    before = path.read_bytes()
    listed = run_journal(tmp_path / "data", ["list", "--json"])
    assert listed.returncode == 0, listed.stderr
    assert [row["id"] for row in json.loads(listed.stdout)] == [1, 2, 3]
    misses = run_journal(tmp_path / "data", ["near-misses"])
    assert misses.returncode == 0 and misses.stdout == "", misses.stderr
    assert path.read_bytes() == before
    assert schema.schema_version(raw(tmp_path / "data")) == 3
    journal = Journal.open_read_only(tmp_path / "data")
    assert journal is not None
    with journal:
        assert journal.check().ok
        assert [r.id for r in journal.records_of_kind(DOSE)] == [2, 3]


def test_a_changed_kind_column_is_found_on_open(tmp_path: Path) -> None:
    with Journal.open(tmp_path) as journal:
        journal.record(new_record())
    conn = raw(tmp_path)
    conn.executescript(
        "PRAGMA writable_schema = ON;"
        "UPDATE sqlite_master SET sql = replace(sql, '''near_miss''', '''near-miss''') "
        "WHERE name = 'records';"
        "PRAGMA writable_schema = OFF;"
    )
    conn.close()
    with pytest.raises(JournalAltered, match="definition of its records table"):
        Journal.open(tmp_path)


def test_a_preparation_never_counts_and_the_doses_readers_skip_it(tmp_path: Path) -> None:
    """A record of another kind for the same patient is neither counted by the history nor a
    dose of the History panel; one that no longer gives its hash still stops both."""
    with Journal.open(tmp_path) as journal:
        dose = journal.record(new_record("MRN-1"))
        draft = {
            "format": 1,
            "kind": PREPARATION,
            "status": "prepared",
            "patient_id": "MRN-1",
            "patient_key": "mrn-1",
            "dose_record": {"id": dose.id, "hash": dose.hash},
        }
        (prepared,) = journal.append([draft])
        assert prepared.id == 2 and prepared.prev_hash == dose.hash
        assert journal.verify().ok
        history = journal.history("MRN-1", new_record().result, DAY0)
        assert history is not None and history.prior_units_21d == 75
        assert [d.record_id for d in journal.patient_doses("MRN-1")] == [1]
        assert [r.id for r in journal.records("MRN-1")] == [1, 2]
    conn = raw(tmp_path)
    conn.execute(
        "UPDATE records SET content = replace(content, 'prepared', 'prepareD') WHERE id = 2"
    )
    conn.close()
    journal = Journal.open_read_only(tmp_path)
    assert journal is not None
    with journal, pytest.raises(JournalAltered, match="record 2"):
        journal.patient_doses("MRN-1")


def test_append_refuses_doses_and_two_patients(tmp_path: Path) -> None:
    with Journal.open(tmp_path) as journal:
        with pytest.raises(ValueError, match="only"):
            journal.append([{"kind": DOSE, "patient_key": "p"}])
        with pytest.raises(ValueError, match="one patient"):
            journal.append(
                [{"kind": NEAR_MISS, "patient_key": "a"}, {"kind": NEAR_MISS, "patient_key": "b"}]
            )
        with pytest.raises(ValueError, match="nothing"):
            journal.append([])
        assert journal.count() == 0

"""Issue 13.2, 13.3, 13.4, 13.7: the history trusts only signed data, the anchor, starting a new
journal, read-only opens of every schema, and the migration that recomputes patient keys."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from journal_support import DAY0, fill, new_record, printed_id, raw, record_args, run_journal

from ixempra_gui.journal import integrity, schema
from ixempra_gui.journal.anchor import AnchorFile, Head
from ixempra_gui.journal.chain import GENESIS_HASH, canonical_json, content_hash
from ixempra_gui.journal.errors import JournalAltered
from ixempra_gui.journal.restart import NothingToResolve, start_new_journal
from ixempra_gui.journal.store import Journal, history_for, read_patient_doses

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


def _anchor() -> AnchorFile:
    return AnchorFile.default()


# --- the anchor ---------------------------------------------------------------------------------


def test_the_anchor_follows_every_record_in_the_settings_folder(tmp_path: Path) -> None:
    fill(tmp_path / "data", 2)
    head = _anchor().read()
    assert _anchor().path == Path(os.environ["IXEMPRA_CONFIG_DIR"]) / "journal-anchor.json"
    with Journal.open(tmp_path / "data") as journal:
        assert head == journal.stored_head() and head is not None and head.id == 2
    if os.name == "posix":
        assert _anchor().path.stat().st_mode & 0o777 == 0o600


def test_first_open_after_the_upgrade_sets_the_anchor_after_a_full_verify(tmp_path: Path) -> None:
    fill(tmp_path, 3, anchor=None)  # written by an app without the anchor
    assert _anchor().read() is None
    integrity.forget_walks()
    with Journal.open(tmp_path) as journal:
        assert journal.stored_head() == _anchor().read()


def test_a_broken_journal_sets_no_anchor_and_is_not_opened(tmp_path: Path) -> None:
    fill(tmp_path, 3, anchor=None)
    raw(tmp_path).execute("UPDATE records SET content = content || ' ' WHERE id = 2")
    integrity.forget_walks()
    with pytest.raises(JournalAltered, match="record 2") as altered:
        Journal.open(tmp_path)
    assert altered.value.first_bad_id == 2 and "init --new" in str(altered.value)
    assert _anchor().read() is None


def test_the_anchor_is_not_keyed_by_the_journals_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pointing IXEMPRA_DATA_DIR at an empty folder does not give a fresh journal with 0 prior
    units: the journal this workstation saw holding records is missing."""
    real = tmp_path / "real"
    with Journal.open(real) as journal:
        journal.record(new_record("P", DAY0 - timedelta(days=7)))
    elsewhere = tmp_path / "elsewhere"
    history = history_for("P", new_record("P").result, DAY0, elsewhere)
    assert history is not None and [w.code for w in history.warnings] == ["journal_altered"]
    assert history.prior_units_21d is None
    done = run_journal(elsewhere, record_args("P"))
    assert done.returncode == 1 and "altered" in done.stderr and done.stdout == ""
    assert not (elsewhere / "journal.sqlite3").exists()  # no new journal was made
    listed = run_journal(elsewhere, ["list"])
    assert listed.returncode == 1 and "no journal file" in listed.stderr
    # The journal itself, moved to a new folder, is still this workstation's journal.
    moved = tmp_path / "moved"
    shutil.copytree(real, moved)
    monkeypatch.setenv("IXEMPRA_DATA_DIR", str(moved))
    assert run_journal(moved, record_args("Q")).returncode == 0


def test_an_unreadable_anchor_is_an_error_not_a_new_start(tmp_path: Path) -> None:
    fill(tmp_path, 1)
    _anchor().path.write_text("{ not an anchor")
    with pytest.raises(JournalAltered, match="anchor cannot be read"):
        Journal.open(tmp_path)


def test_the_anchor_only_moves_forward(tmp_path: Path) -> None:
    anchor = AnchorFile(tmp_path / "a.json")
    assert anchor.write(Head(5, "a" * 64), "j")
    assert not anchor.write(Head(3, "b" * 64), "j")
    assert anchor.read() == Head(5, "a" * 64)
    assert anchor.write(Head(1, "c" * 64), "j", force=True)  # init --new only
    assert anchor.read() == Head(1, "c" * 64)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "[]",
        '{"head": {"id": -1, "hash": "' + "a" * 64 + '"}}',
        '{"head": {"id": 1, "hash": "xyz"}}',
        '{"head": {"id": true, "hash": "' + "a" * 64 + '"}}',
        '{"head": {"id": 99999999999999999999999, "hash": "' + "a" * 64 + '"}}',
        "\udcff",
    ],
)
def test_a_damaged_anchor_file_is_reported_never_trusted(tmp_path: Path, text: str) -> None:
    from ixempra_gui.journal.anchor import AnchorUnreadable

    path = tmp_path / "a.json"
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    with pytest.raises(AnchorUnreadable):
        AnchorFile(path).read()


# --- verify --expect-head -------------------------------------------------------------------------


@pytest.mark.slow
def test_verify_against_a_head_kept_elsewhere(tmp_path: Path) -> None:
    fill(tmp_path, 2)
    with Journal.open(tmp_path) as journal:
        kept = journal.stored_head()
        journal.record(new_record("LATER"))
    assert kept is not None
    done = run_journal(tmp_path, ["verify", "--expect-head", kept.hash.upper()])
    assert done.returncode == 0, done.stdout + done.stderr
    assert "record 2; 1 records added since" in done.stdout
    unknown = run_journal(tmp_path, ["verify", "--expect-head", "f" * 64])
    assert unknown.returncode == 1 and "does not contain the expected head" in unknown.stdout
    for bad in ("abc", "g" * 64, kept.hash[:12]):
        refused = run_journal(tmp_path, ["verify", "--expect-head", bad])
        assert refused.returncode == 2 and "64 hexadecimal digits" in refused.stderr
    plain = run_journal(tmp_path, ["verify"])
    assert plain.returncode == 0 and "SHA-256 " in plain.stdout
    with Journal.open(tmp_path) as journal:
        head = journal.stored_head()
    assert head is not None and head.hash in plain.stdout  # the full 64 digits


def test_an_archived_copy_is_checked_against_its_own_head_not_the_anchor(tmp_path: Path) -> None:
    fill(tmp_path / "live", 2)
    shutil.copytree(tmp_path / "live", tmp_path / "archive")
    with Journal.open(tmp_path / "archive") as journal:
        kept = journal.stored_head()
    with Journal.open(tmp_path / "live") as journal:  # the live journal (and the anchor) move on
        journal.record(new_record("LATER"))
    assert kept is not None
    journal = Journal.open_read_only(tmp_path / "archive")
    assert journal is not None
    with journal:
        assert not journal.verify().ok  # the anchor's record 3 is not in the copy
        assert journal.verify(expected_hash=kept.hash).ok


# --- starting a new journal ---------------------------------------------------------------------


@pytest.mark.slow
def test_init_new_archives_the_old_file_and_starts_a_chain_holding_the_old_head(
    tmp_path: Path,
) -> None:
    first = run_journal(tmp_path, record_args("P", (DAY0 - timedelta(days=5)).isoformat()))
    assert first.returncode == 0
    with Journal.open(tmp_path) as journal:
        old_head = journal.stored_head()
    assert old_head is not None
    raw(tmp_path).execute("DELETE FROM records")  # emptied
    before = (tmp_path / "journal.sqlite3").read_bytes()

    refused = run_journal(tmp_path, record_args("P"))
    assert refused.returncode == 1 and "init --new" in refused.stderr and refused.stdout == ""
    calc = history_for("P", new_record("P").result, DAY0, tmp_path)
    assert calc is not None and calc.prior_units_21d is None

    no_reason = run_journal(tmp_path, ["init", "--new"])
    assert no_reason.returncode == 2 and "--reason" in no_reason.stderr
    blank = run_journal(tmp_path, ["init", "--new", "--reason", "  "])
    assert blank.returncode == 2 and "reason (--reason)" in blank.stderr

    reason = "verify: 0 records but the anchor says 1; checked by A. Lead"
    done = run_journal(tmp_path, ["init", "--new", "--reason", reason])
    assert done.returncode == 0, done.stderr
    [archived] = tmp_path.glob("journal.archived-*.sqlite3")
    assert archived.read_bytes()[:16] == before[:16]  # kept, not deleted
    assert str(archived) in done.stdout

    with Journal.open(tmp_path) as journal:
        first_record = journal.get(1)
        assert first_record is not None and first_record.status == "journal_started"
        previous = first_record.content["previous_journal"]
        assert previous["anchor"] == {"id": old_head.id, "hash": old_head.hash}
        assert previous["archived_as"] == str(archived)
        assert first_record.content["reason"] == reason
        assert _anchor().read() == Head(1, first_record.hash)
        history = journal.history("P", new_record("P").result, DAY0)
    assert history is not None and "journal_restarted" in {w.code for w in history.warnings}
    again = run_journal(tmp_path, record_args("P", flags=("--acknowledge-history",)))
    assert again.returncode == 0 and printed_id(again.stdout) == 2
    listed = run_journal(tmp_path, ["list"])
    assert listed.returncode == 0 and "journal_started: " + reason in listed.stdout
    intact = run_journal(tmp_path, ["init", "--new", "--reason", "just because"])
    assert intact.returncode == 2 and "nothing to resolve" in intact.stderr


def test_init_new_when_the_journal_is_missing(tmp_path: Path) -> None:
    fill(tmp_path, 2)
    (tmp_path / "journal.sqlite3").unlink()
    stored, previous = start_new_journal("file lost in a disk swap; C. Admin", tmp_path)
    assert stored.id == 1 and previous["anchor"]["id"] == 2
    assert "no journal file" in previous["problem"]
    with pytest.raises(NothingToResolve):
        start_new_journal("again", tmp_path)


def test_init_new_with_nothing_ever_recorded_is_refused(tmp_path: Path) -> None:
    with pytest.raises(NothingToResolve):
        start_new_journal("nothing", tmp_path / "none")
    with pytest.raises(ValueError, match="U\\+0007"):
        start_new_journal("bell\x07", tmp_path / "none")


# --- read-only opens ----------------------------------------------------------------------------


def _legacy(folder: Path, version: int, patient_ids: list[str]) -> Path:
    """A journal written by an older app: schema ``version`` (1 or 2), record format 1 (no
    signed patient key), each identifier stored as it was typed then."""
    template = new_record().result
    from ixempra_gui.core.policy import load_policy
    from ixempra_gui.journal.entries import draft_content

    folder.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(folder / "journal.sqlite3", isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    schema.migrate(conn, target=version)
    prev = GENESIS_HASH
    for i, pid in enumerate(patient_ids, 1):
        content = draft_content(new_record("X", DAY0 - timedelta(days=i)), load_policy())
        content.update(
            format=1,
            id=i,
            prev_hash=prev,
            patient_id=pid,
            recorded_at=f"2025-02-0{i}T10:00:00.000000+00:00",
            history={},
            acknowledged_warnings=[],
        )
        del content["patient_key"]
        text = canonical_json(content)
        digest = content_hash(text)
        columns = "id, recorded_at, patient_id, administered_on, prev_hash, hash, content"
        values = [i, content["recorded_at"], pid, content["administered_on"], prev, digest, text]
        if version == 2:
            columns += ", patient_key"
            values.append(schema.v2_patient_key(pid))
        conn.execute(
            f"INSERT INTO records ({columns}) VALUES ({', '.join('?' * len(values))})", values
        )
        prev = digest
    conn.execute(
        "INSERT INTO meta VALUES ('head', ?)", (json.dumps({"id": len(patient_ids), "hash": prev}),)
    )
    conn.close()
    assert template.ready_to_prepare
    return folder / "journal.sqlite3"


LOOK_ALIKES = [
    "MRN 0012345",
    "MRN\u200b0012345",
    "mrn\u00ad0012345",
    "ＭＲＮ００１２３４５",
    "МRN0012345",
]


@pytest.mark.slow
@pytest.mark.parametrize("version", [1, 2])
def test_list_show_verify_export_read_old_schemas_without_migrating(
    tmp_path: Path, version: int
) -> None:
    path = _legacy(tmp_path / "data", version, LOOK_ALIKES)
    before = path.read_bytes()
    for args in (["list"], ["list", "--json"], ["show", "2"], ["verify"]):
        done = run_journal(tmp_path / "data", args)
        assert done.returncode == 0, (args, done.stdout, done.stderr)
    listed = run_journal(tmp_path / "data", ["list", "--patient-id", "mrn0012345"])
    assert len(listed.stdout.splitlines()) == len(LOOK_ALIKES)  # one patient, the keys folded
    target = tmp_path / "out.csv"
    assert run_journal(tmp_path / "data", ["export", "--csv", str(target)]).returncode == 0
    assert path.read_bytes() == before  # not migrated, not written
    assert schema.schema_version(raw(tmp_path / "data")) == version


def test_migration_3_recomputes_old_keys_so_look_alikes_count_as_one_patient(
    tmp_path: Path,
) -> None:
    _legacy(tmp_path, 2, LOOK_ALIKES)
    with Journal.open(tmp_path) as journal:
        assert journal.version == schema.SCHEMA_VERSION == 4  # through 3, then kinds (4)
        assert journal.verify().ok
        history = journal.history("MRN 0012345", new_record().result, DAY0)
        assert history is not None
        assert history.prior_units_21d == 75 * len(LOOK_ALIKES)
        assert [d.record_id for d in journal.patient_doses("mrn0012345")] == [5, 4, 3, 2, 1]
    legacy = dict(raw(tmp_path).execute("SELECT id, legacy_patient_key FROM records"))
    assert set(legacy.values()) == {"mrn0012345"}


def test_an_old_journal_that_fails_its_checks_is_not_migrated(tmp_path: Path) -> None:
    path = _legacy(tmp_path, 2, ["A", "B", "C"])
    conn = raw(tmp_path)
    conn.execute("UPDATE records SET patient_key = 'zzz' WHERE id = 2")  # an unsigned column
    conn.close()
    with pytest.raises(JournalAltered, match="record 2"):
        Journal.open(tmp_path)
    assert schema.schema_version(raw(tmp_path)) == 2
    assert path.exists()


def test_an_edited_legacy_key_is_caught_by_the_walk(tmp_path: Path) -> None:
    _legacy(tmp_path, 2, ["A", "B"])
    Journal.open(tmp_path).close()  # migrated to 3
    raw(tmp_path).execute("UPDATE records SET legacy_patient_key = 'zzz' WHERE id = 1")
    integrity.forget_walks()
    with pytest.raises(JournalAltered, match="record 1"):
        Journal.open(tmp_path)


def test_a_trigger_or_a_changed_table_is_an_altered_journal(tmp_path: Path) -> None:
    fill(tmp_path, 1)
    raw(tmp_path).execute("CREATE TRIGGER t AFTER INSERT ON records BEGIN DELETE FROM records; END")
    with pytest.raises(JournalAltered, match="trigger t"):
        Journal.open(tmp_path)


@posix_only
def test_reading_commits_in_the_wal_and_writing_nothing(tmp_path: Path) -> None:
    """Records committed in the -wal (not yet folded into the file) are read, and a read-only
    open neither folds them in nor switches the journal mode."""
    fill(tmp_path, 2)
    holder = raw(tmp_path)  # keeps the WAL from being folded back
    holder.execute("SELECT count(*) FROM records").fetchone()
    with Journal.open(tmp_path) as journal:
        journal.record(new_record("WAL"))
    wal = tmp_path / "journal.sqlite3-wal"
    assert wal.stat().st_size > 0
    main_before = (tmp_path / "journal.sqlite3").read_bytes()
    journal = Journal.open_read_only(tmp_path)
    assert journal is not None
    with journal:
        assert [r.id for r in journal.records()] == [1, 2, 3]
        assert journal.check().ok
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            journal._conn.execute("DELETE FROM records")
    assert (tmp_path / "journal.sqlite3").read_bytes() == main_before  # nothing folded in
    assert wal.stat().st_size > 0
    holder.close()


@posix_only
@pytest.mark.slow
def test_a_journal_on_read_only_media_is_read_from_a_copy(tmp_path: Path) -> None:
    data = tmp_path / "data"
    fill(data, 2)
    holder = raw(data)
    holder.execute("SELECT count(*) FROM records").fetchone()
    with Journal.open(data) as journal:  # record 3 lives in the -wal only
        journal.record(new_record("WAL"))
    shutil.copytree(data, tmp_path / "media")
    holder.close()
    media = tmp_path / "media"
    (media / "journal.sqlite3-shm").unlink(missing_ok=True)  # as on a CD: no index file
    items = [*media.iterdir(), media]
    for p in items:
        p.chmod(0o500 if p.is_dir() else 0o400)
    immutable = os.geteuid() == 0 and shutil.which("chattr") is not None
    if immutable:
        subprocess.run(["chattr", "+i", *map(str, items)], check=True)
    elif os.geteuid() == 0:
        pytest.skip("running as root without chattr: cannot make a folder read-only")
    try:
        done = run_journal(media, ["list"])
        verified = run_journal(media, ["verify"])
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", *map(str, items)], check=True)
        for p in items:
            p.chmod(0o700 if p.is_dir() else 0o600)
    assert done.returncode == 0, done.stderr
    assert [line.split()[0] for line in done.stdout.splitlines()] == ["1", "2", "3"]
    assert "temporary copy" in done.stderr
    assert verified.returncode == 0 and "3 records, the chain holds" in verified.stdout


# --- within one session -------------------------------------------------------------------------


def test_a_session_walks_only_what_was_added(tmp_path: Path, monkeypatch) -> None:
    fill(tmp_path, 5)
    integrity.forget_walks()
    starts = []
    original = Journal.walk_from

    def spy(self, start, head):
        starts.append(start.id)
        return original(self, start, head)

    monkeypatch.setattr(Journal, "walk_from", spy)
    read_patient_doses("P-1", tmp_path)  # the window's first read: a full walk
    with Journal.open(tmp_path) as journal:  # recorded by this process (or another)
        journal.record(new_record("NEW-1"))
        journal.record(new_record("NEW-2"))
    read_patient_doses("P-1", tmp_path)
    assert starts[0] == 0 and starts[-1] == 7


def test_only_the_full_walk_catches_an_edit_to_a_record_this_session_never_read(
    tmp_path: Path,
) -> None:
    """The one case docs/journal-integrity.md names: an in-place edit, made after the process
    started, of a record of a patient this session has not read yet. A new process's full walk
    catches it; the session's incremental checks cannot (they do not re-read every record)."""
    with Journal.open(tmp_path) as journal:
        for days in (15, 10):
            journal.record(new_record("P", DAY0 - timedelta(days=days)), acknowledge_history=True)
    integrity.forget_walks()
    read_patient_doses("OTHER", tmp_path)  # the session has started: full walk done
    conn = raw(tmp_path)
    (text,) = conn.execute("SELECT content FROM records WHERE id = 1").fetchone()
    moved = json.loads(text) | {"administered_on": (DAY0 - timedelta(days=40)).isoformat()}
    conn.execute("UPDATE records SET content = ? WHERE id = 1", (canonical_json(moved),))
    conn.close()
    session = history_for("P", new_record("P").result, DAY0, tmp_path)
    assert session is not None and session.prior_units_21d == 75  # missed within the session
    integrity.forget_walks()
    fresh = history_for("P", new_record("P").result, DAY0, tmp_path)
    assert fresh is not None and [w.code for w in fresh.warnings] == ["journal_altered"]
    assert "record 1" in fresh.warnings[0].message


def test_a_record_read_in_this_session_and_edited_since_is_caught(tmp_path: Path) -> None:
    with Journal.open(tmp_path) as journal:
        journal.record(new_record("P", DAY0 - timedelta(days=10)))
        journal.record(new_record("OTHER", DAY0 - timedelta(days=10)))
    integrity.forget_walks()
    assert len(read_patient_doses("P", tmp_path)) == 1
    conn = raw(tmp_path)
    conn.execute(
        'UPDATE records SET content = replace(content, \'"patient_key":"p"\', '
        '\'"patient_key":"q"\') WHERE id = 1'
    )
    conn.close()
    with pytest.raises(JournalAltered, match="record 1 was removed or changed"):
        read_patient_doses("P", tmp_path)

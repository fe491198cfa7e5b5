"""The site journal on a real PostgreSQL server: what the server itself refuses, whoever the
client is, and what each failure says. In every refusal nothing is recorded."""

from __future__ import annotations

import threading
from typing import Any

import psycopg
import pytest
from journal_support import new_record
from pg_support import OUTSIDER, PASSWORDS, PREPARER, THIRD, VERIFIER, Site, new_site

from ixempra_gui.journal.anchor import Head
from ixempra_gui.journal.chain import GENESIS_HASH, canonical_json, content_hash
from ixempra_gui.journal.errors import HistoryNotAcknowledged, InvalidRecord
from ixempra_gui.journal.identifiers import patient_key
from ixempra_gui.journal.postgres.admin import (
    AdminInputError,
    add_pharmacist,
    site_init,
)
from ixempra_gui.journal.postgres.errors import (
    CredentialsRefused,
    NotAPharmacist,
    ServerJournalError,
    ServerReadOnly,
    ServerUnreachable,
    SiteSchemaError,
)
from ixempra_gui.journal.postgres.schema import SCHEMA_VERSION
from ixempra_gui.journal.postgres.session import VerifierSession
from ixempra_gui.journal.postgres.store import PostgresJournal, calculation_hash

pytestmark = pytest.mark.slow


def sign_in(site: Site, user: str = PREPARER) -> PostgresJournal:
    return PostgresJournal.open(site.url(user))


def verifier(site: Site, user: str = VERIFIER) -> VerifierSession:
    return VerifierSession.sign_in(site.url(user))


def dose(patient: str = "MRN-1", **changes: Any):
    return new_record(patient_id=patient, prepared_by=PREPARER, verified_by=VERIFIER, **changes)


def record_one(site: Site, patient: str = "MRN-1", **kwargs: Any):
    with sign_in(site) as journal, verifier(site) as check:
        return journal.record(dose(patient), verifier=check, **kwargs)


def count(site: Site) -> int:
    return int(site.sql("SELECT count(*) FROM ixempra.records")[0][0])


# --- append-only ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ixempra.records SET patient_key = 'someone-else'",
        "UPDATE ixempra.records SET content = replace(content, '75', '5')",
        "DELETE FROM ixempra.records",
        "TRUNCATE ixempra.records",
        "UPDATE ixempra.verifications SET verifier = 'rph_a'",
        "DELETE FROM ixempra.verifications",
        "UPDATE ixempra.chain_head SET last_id = 0",
        "DELETE FROM ixempra.schema_version",
    ],
)
def test_a_pharmacist_cannot_change_or_remove_anything(pg_site: Site, statement: str) -> None:
    stored = record_one(pg_site)
    before = pg_site.sql("SELECT id, hash, patient_key FROM ixempra.records")
    # A generated column is refused before privileges are even looked at.
    with pytest.raises((psycopg.errors.InsufficientPrivilege, psycopg.errors.GeneratedAlways)):
        pg_site.sql(statement, user=PREPARER)
    assert pg_site.sql("SELECT id, hash, patient_key FROM ixempra.records") == before
    assert before == [(stored.id, stored.hash, patient_key("MRN-1"))]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ixempra.records SET content = replace(content, '75', '5')",
        "DELETE FROM ixempra.records",
        "TRUNCATE ixempra.records CASCADE",
        "DELETE FROM ixempra.verifications",
        "UPDATE ixempra.chain_head SET last_id = 0",
    ],
)
def test_even_the_owner_role_cannot_change_or_remove_records(pg_site: Site, statement: str) -> None:
    record_one(pg_site)
    before = pg_site.sql("SELECT id, hash, patient_key FROM ixempra.records")
    with pytest.raises(psycopg.DatabaseError) as caught:
        pg_site.sql(f"SET ROLE ixempra_owner; {statement}")
    assert caught.value.sqlstate == "IXA01"
    assert pg_site.sql("SELECT id, hash, patient_key FROM ixempra.records") == before


def test_pharmacists_hold_select_and_insert_only(pg_site: Site) -> None:
    grants = pg_site.sql(
        "SELECT table_name, privilege_type FROM information_schema.role_table_grants "
        "WHERE grantee = 'ixempra_pharmacist' ORDER BY 1, 2"
    )
    assert {p for _, p in grants} == {"INSERT", "SELECT"}
    assert {t for t, p in grants if p == "INSERT"} == {"records", "verifications"}


# --- identities ----------------------------------------------------------------------------------
def test_preparer_and_verifier_are_the_server_users(pg_site: Site) -> None:
    stored = record_one(pg_site)
    c = stored.content
    assert c["prepared_by"] == PREPARER and c["verified_by"] == VERIFIER
    assert c["authenticated"] is True
    assert c["calculation_hash"] == calculation_hash(c)
    row = pg_site.sql(
        "SELECT r.prepared_by, r.verified_by, v.verifier, v.calculation_hash "
        "FROM ixempra.records r JOIN ixempra.verifications v ON v.id = r.verification_id"
    )
    assert row == [(PREPARER, VERIFIER, VERIFIER, c["calculation_hash"])]


def test_the_preparer_cannot_verify_their_own_dose(pg_site: Site) -> None:
    with (
        sign_in(pg_site) as journal,
        verifier(pg_site, PREPARER) as same,
        pytest.raises(InvalidRecord) as caught,
    ):
        journal.record(new_record(prepared_by=PREPARER, verified_by=PREPARER + " "), verifier=same)
    assert any(field == "verified_by" for field, _ in caught.value.problems)
    assert count(pg_site) == 0


def test_typed_names_must_agree_with_the_signed_in_users(pg_site: Site) -> None:
    with (
        sign_in(pg_site) as journal,
        verifier(pg_site) as check,
        pytest.raises(InvalidRecord) as caught,
    ):
        journal.record(new_record(prepared_by="Someone", verified_by=THIRD), verifier=check)
    fields = {field for field, _ in caught.value.problems}
    assert fields == {"prepared_by", "verified_by"}
    assert count(pg_site) == 0


def test_a_refusal_judged_while_the_first_round_trip_is_out_leaves_nothing_held(
    pg_site: Site,
) -> None:
    """The identity refusals are judged while the chain lock and the history are being read
    (postgres/refusals.py): the refused record leaves no transaction open, no lock held (another
    workstation records at once) and its own session ready for the next dose."""
    with (
        sign_in(pg_site) as journal,
        sign_in(pg_site, THIRD) as other,
        verifier(pg_site) as check,
        verifier(pg_site, THIRD) as third_checks,
    ):
        with pytest.raises(InvalidRecord) as caught:
            journal.record(new_record(prepared_by="Someone", verified_by=VERIFIER), verifier=check)
        assert [field for field, _ in caught.value.problems] == ["prepared_by"]
        assert journal._conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        for patient in ("MRN  1", "'; DROP TABLE ixempra.records; --"):  # bound, then refused
            with pytest.raises(InvalidRecord) as caught:
                journal.record(dose(patient), verifier=check)
            assert [field for field, _ in caught.value.problems] == ["patient_id"]
            assert journal._conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        other._conn.execute("SET lock_timeout = '2s'")  # a held chain lock would fail this
        other.record(new_record(prepared_by=THIRD, verified_by=VERIFIER), verifier=check)
        stored = journal.record(dose("MRN-2"), verifier=check)
        assert stored.id == 2 and journal.verify().ok
        with pytest.raises(InvalidRecord):
            journal.record(dose("MRN-3"), verifier=third_checks)  # THIRD is not the verifier named
    assert count(pg_site) == 2


def test_a_record_without_a_verifier_session_is_refused(pg_site: Site) -> None:
    with sign_in(pg_site) as journal, pytest.raises(InvalidRecord, match="sign-in"):
        journal.record(dose())
    assert count(pg_site) == 0


def test_a_wrong_verifier_password_is_refused(pg_site: Site) -> None:
    with pytest.raises(CredentialsRefused) as caught:
        VerifierSession.sign_in(pg_site.url(VERIFIER), password="not-the-password")
    assert "verifier" in str(caught.value) and "password" in str(caught.value)
    assert "not-the-password" not in str(caught.value)
    assert count(pg_site) == 0 and pg_site.sql("SELECT count(*) FROM ixempra.verifications") == [
        (0,)
    ]


def test_a_password_held_in_memory_signs_in(pg_site: Site, monkeypatch) -> None:
    monkeypatch.delenv("PGPASSFILE")
    monkeypatch.setenv("PGPASSFILE", "/nonexistent/pgpass")
    with pytest.raises(CredentialsRefused, match="no password supplied"):
        VerifierSession.sign_in(pg_site.url(VERIFIER))
    with VerifierSession.sign_in(pg_site.url(VERIFIER), password=PASSWORDS[VERIFIER]) as v:
        assert v.user == VERIFIER


def test_a_role_outside_the_pharmacist_group_is_refused(pg_site: Site) -> None:
    with pytest.raises(NotAPharmacist, match="ixempra_pharmacist"):
        sign_in(pg_site, OUTSIDER)
    with sign_in(pg_site) as journal:
        with pytest.raises(NotAPharmacist):
            VerifierSession.sign_in(pg_site.url(OUTSIDER))
        assert journal.count() == 0
    with pytest.raises(psycopg.OperationalError, match="CONNECT privilege"):
        pg_site.sql("SELECT count(*) FROM ixempra.records", user=OUTSIDER)


# --- what the server checks on INSERT, whatever the client ---------------------------------------
def forged(
    site: Site,
    user: str,
    verification: int | None,
    columns: dict[str, Any] | None = None,
    **overrides: Any,
) -> None:
    """A hostile client's INSERT: a well-formed record, with ``overrides`` in its content and
    ``columns`` written beside it (the server computes the columns the history selects on)."""
    last_id, last_hash = site.sql("SELECT last_id, last_hash FROM ixempra.chain_head")[0]
    content = {
        "id": last_id + 1,
        "prev_hash": last_hash,
        "recorded_at": "2025-03-01T10:00:00+00:00",
        "status": "verified",
        "patient_id": "MRN-F",
        "patient_key": "mrn-f",
        "administered_on": "2025-03-01",
        "prepared_by": user,
        "verified_by": VERIFIER,
        "authenticated": True,
        "facts": {"weight_kg": "70", "bsa_m2": "1.81", "units_total": 75},
        "verification_id": verification,
        "calculation_hash": "a" * 64,
    }
    content.update(overrides)
    content = {k: v for k, v in content.items() if v is not DROP}
    text = canonical_json(content)
    extra = columns or {}
    names = ", ".join(["id", "hash", "content", "origin", "verification_id", *extra])
    marks = ", ".join(["%s"] * (5 + len(extra)))
    site.sql(
        f"INSERT INTO ixempra.records ({names}) VALUES ({marks})",
        user=user,
        params=(content["id"], content_hash(text), text, "recorded", verification, *extra.values()),
    )


DROP = object()  # forged(..., key=DROP): the content leaves that key out


def verification_by(site: Site, user: str, digest: str = "a" * 64) -> int:
    return int(
        site.sql(
            "INSERT INTO ixempra.verifications (calculation_hash) VALUES (%s) RETURNING id",
            user=user,
            params=(digest,),
        )[0][0]
    )


def test_server_refuses_a_dose_without_a_verification(pg_site: Site) -> None:
    with pytest.raises(psycopg.DatabaseError, match="verification is missing"):
        forged(pg_site, PREPARER, None)
    with pytest.raises(psycopg.DatabaseError, match="verification is missing"):
        forged(pg_site, PREPARER, 12345)
    assert count(pg_site) == 0


def test_server_refuses_a_verification_written_by_the_preparer(pg_site: Site) -> None:
    own = verification_by(pg_site, PREPARER)
    with pytest.raises(psycopg.DatabaseError) as caught:
        forged(pg_site, PREPARER, own, verified_by=PREPARER, verification_id=own)
    assert caught.value.sqlstate == "IXV02"
    assert count(pg_site) == 0


def test_server_refuses_a_verification_of_another_calculation(pg_site: Site) -> None:
    theirs = verification_by(pg_site, VERIFIER, "b" * 64)
    with pytest.raises(psycopg.DatabaseError, match="another calculation"):
        forged(pg_site, PREPARER, theirs, verification_id=theirs)
    assert count(pg_site) == 0


def test_the_verifier_column_is_the_verifiers_session_not_a_claim(pg_site: Site) -> None:
    pg_site.sql(
        "INSERT INTO ixempra.verifications (verifier, calculation_hash, verified_at) "
        "VALUES ('rph_b', %s, now())",
        user=PREPARER,
        params=("c" * 64,),
    )
    assert pg_site.sql("SELECT verifier FROM ixempra.verifications") == [(PREPARER,)]


def test_a_verification_is_used_once(pg_site: Site) -> None:
    theirs = verification_by(pg_site, VERIFIER)
    forged(pg_site, PREPARER, theirs, verification_id=theirs)
    with pytest.raises(psycopg.errors.UniqueViolation):
        forged(
            pg_site,
            PREPARER,
            theirs,
            verification_id=theirs,
            patient_id="MRN-G",
            patient_key="mrn-g",
        )
    assert count(pg_site) == 1


@pytest.mark.parametrize(
    "change",
    [
        {"prev_hash": "f" * 64},
        {"id": 7},
        {"prepared_by": VERIFIER},
        {"authenticated": False},
        {"status": "journal_started"},
        {"patient_key": "someone-else"},
        {"patient_key": "MRN-F"},  # the key is the identifier without spaces, in lower case
        {"patient_key": DROP},
        {"patient_id": 12345, "patient_key": "12345"},
    ],
)
def test_server_refuses_a_record_that_breaks_the_chain_or_its_key(
    pg_site: Site, change: dict[str, Any]
) -> None:
    theirs = verification_by(pg_site, VERIFIER)
    with pytest.raises(psycopg.DatabaseError) as caught:
        forged(pg_site, PREPARER, theirs, verification_id=theirs, **change)
    assert caught.value.sqlstate == "IXC01"
    assert count(pg_site) == 0


@pytest.mark.parametrize(
    "columns",
    [{"patient_key": "someone-else"}, {"administered_on": "2020-01-01"}],
)
def test_the_columns_the_history_selects_on_are_the_servers_own(
    pg_site: Site, columns: dict[str, str]
) -> None:
    """patient_key and administered_on are generated from the signed content: no client
    writes them, and a superuser's edit of the content moves them with it."""
    theirs = verification_by(pg_site, VERIFIER)
    with pytest.raises(psycopg.errors.GeneratedAlways):
        forged(pg_site, PREPARER, theirs, columns, verification_id=theirs)
    assert count(pg_site) == 0
    stored = record_one(pg_site, "MRN 77")
    assert pg_site.sql("SELECT patient_key, administered_on FROM ixempra.records") == [
        ("mrn77", stored.administered_on)
    ]
    pg_site.sql(
        "SET session_replication_role = replica; UPDATE ixempra.records SET content = "
        'replace(content, \'"patient_key":"mrn77"\', \'"patient_key":"x"\')'
    )
    assert pg_site.sql("SELECT patient_key FROM ixempra.records") == [("x",)]


def test_a_non_ascii_legacy_key_is_left_to_the_app_and_a_wrong_one_is_caught_by_verify(
    pg_site: Site,
) -> None:
    """The server checks the key of a printable-ASCII identifier itself; an older identifier
    (only migrated records hold one) is folded by the app, whose walk checks it."""
    theirs = verification_by(pg_site, VERIFIER)
    forged(
        pg_site,
        PREPARER,
        theirs,
        verification_id=theirs,
        patient_id="MRN\u200b1",
        patient_key="not-its-key",
    )
    with sign_in(pg_site) as journal:
        report = journal.verify()
    assert not report.ok and report.first_bad_id == 1
    assert "patient key does not match" in (report.problem or "")


def test_server_checks_the_hash_itself(pg_site: Site) -> None:
    theirs = verification_by(pg_site, VERIFIER)
    content = canonical_json({"id": 1, "prev_hash": GENESIS_HASH})
    with pytest.raises(psycopg.DatabaseError, match="SHA-256"):
        pg_site.sql(
            "INSERT INTO ixempra.records (id, hash, content, origin, verification_id) "
            "VALUES (1, %s, %s, 'recorded', %s)",
            user=PREPARER,
            params=("0" * 64, content, theirs),
        )
    assert count(pg_site) == 0


# --- failures, classified ------------------------------------------------------------------------
def test_an_unreachable_server_says_so(pg_site: Site) -> None:
    url = pg_site.url().replace(str(pg_site.cluster.port), "1")
    with pytest.raises(ServerUnreachable) as caught:
        PostgresJournal.open(url)
    assert "cannot be reached" in str(caught.value) and "No such file" in str(caught.value)
    with pytest.raises(ServerUnreachable, match="Connection refused"):
        PostgresJournal.open("postgresql://rph_a@127.0.0.1:1/ixempra")


def test_a_connection_lost_while_answers_are_awaited_is_unreachable() -> None:
    """What the pipeline reader raises when no answer can come any more is classified as an
    unreachable server (so, while committing, as CommitUnknown)."""
    from ixempra_gui.journal.postgres.errors import classify
    from ixempra_gui.journal.postgres.libpq_io import LOST

    failure = classify(psycopg.OperationalError(LOST), who="the pharmacist rph_a", where="db")
    assert isinstance(failure, ServerUnreachable)


def test_a_read_only_server_records_nothing_and_says_so(pg_site: Site) -> None:
    record_one(pg_site)
    pg_site.sql(f"ALTER DATABASE {pg_site.dbname} SET default_transaction_read_only = on")
    with sign_in(pg_site) as journal, verifier(pg_site) as check:
        assert journal.count() == 1  # reading still works
        with pytest.raises(ServerReadOnly, match="read-only"):
            journal.record(dose("MRN-2"), verifier=check)
        assert journal.count() == 1


def test_a_database_without_a_site_journal_is_refused(pg_cluster) -> None:
    pg_cluster.psql("CREATE DATABASE bare")
    pg_cluster.psql("GRANT CONNECT ON DATABASE bare TO ixempra_pharmacist")
    with pytest.raises(SiteSchemaError, match="site-init"):
        PostgresJournal.open(pg_cluster.url(PREPARER, "bare"))


def test_a_site_journal_newer_than_the_app_is_refused(pg_site: Site) -> None:
    pg_site.sql(
        "INSERT INTO ixempra.schema_version (version, app_version, summary) "
        f"VALUES ({SCHEMA_VERSION + 1}, 'future', 'from a newer app')"
    )
    with pytest.raises(SiteSchemaError, match="newer"):
        sign_in(pg_site)
    with pytest.raises(SiteSchemaError, match="newer"):
        site_init(pg_site.admin_url)


def test_site_init_is_idempotent(pg_site: Site) -> None:
    record_one(pg_site)
    report = site_init(pg_site.admin_url)
    assert report.applied == () and report.found_version == report.version == SCHEMA_VERSION
    versions = pg_site.sql("SELECT version FROM ixempra.schema_version ORDER BY version")
    assert versions == [(v,) for v in range(1, SCHEMA_VERSION + 1)]
    assert count(pg_site) == 1
    owners = pg_site.sql("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'ixempra'")
    assert owners == [("ixempra_owner",)]


def test_add_pharmacist_creates_a_login_in_the_group(pg_site: Site) -> None:
    done = add_pharmacist(pg_site.admin_url, "rph_new", password="a-long-password")
    assert "created login role rph_new" in done and "a-long-password" not in done
    stored = pg_site.sql("SELECT rolpassword FROM pg_authid WHERE rolname = 'rph_new'")
    assert stored[0][0].startswith("SCRAM-SHA-256$")  # never the clear text
    with VerifierSession.sign_in(pg_site.url("rph_new"), password="a-long-password") as v:
        assert v.user == "rph_new"
    again = add_pharmacist(pg_site.admin_url, "rph_new", password=None)
    assert "existing role" in again


@pytest.mark.parametrize(
    ("name", "password", "words"),
    [
        ("bad name", "a-long-password", "pharmacist name"),
        ("pg_monitor", "a-long-password", "reserved"),
        ("ixempra_owner", "a-long-password", "reserved"),
        ("rph_x", "short", "at least 8"),
        ("rph_x", "line\nbreak-password", "control character"),
    ],
)
def test_add_pharmacist_refuses_bad_names_and_passwords(
    pg_site: Site, name: str, password: str, words: str
) -> None:
    with pytest.raises(AdminInputError, match=words):
        add_pharmacist(pg_site.admin_url, name, password=password)


def test_add_pharmacist_refuses_a_superuser(pg_site: Site) -> None:
    pg_site.sql("CREATE ROLE dba_on_call SUPERUSER LOGIN")
    with pytest.raises(ServerJournalError, match="superuser"):
        add_pharmacist(pg_site.admin_url, "dba_on_call", password=None)
    members = pg_site.sql(
        "SELECT count(*) FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member "
        "WHERE r.rolname = 'dba_on_call'"
    )
    assert members == [(0,)]


# --- the limit across workstations, and reconnecting ---------------------------------------------
def test_two_workstations_at_once_cannot_both_pass_the_limit(pg_site: Site) -> None:
    """75 units each for one patient, at the same moment: one is recorded, the others are
    refused for the 21-day limit (nothing is acknowledged here)."""
    workstations = 4
    barrier = threading.Barrier(workstations)
    outcomes: list[str] = []

    def workstation() -> None:
        with sign_in(pg_site) as journal, verifier(pg_site) as check:
            barrier.wait()
            try:
                journal.record(dose("SHARED-1"), verifier=check)
                outcomes.append("recorded")
            except HistoryNotAcknowledged as exc:
                assert "over_21_day_limit" in {w.code for w in exc.history.warnings}
                outcomes.append("refused")

    threads = [threading.Thread(target=workstation) for _ in range(workstations)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes) == ["recorded"] + ["refused"] * (workstations - 1)
    assert count(pg_site) == 1


def test_the_next_action_reconnects_after_the_connection_broke(pg_site: Site) -> None:
    with sign_in(pg_site) as journal, verifier(pg_site) as check:
        journal.record(dose("MRN-1"), verifier=check)
        pg_site.sql(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE usename IN (%s, %s) AND pid <> pg_backend_pid()",
            params=(PREPARER, VERIFIER),
        )
        with pytest.raises(ServerUnreachable):
            journal.count()
        with pytest.raises(ServerUnreachable):
            check.verify("a" * 64)
        assert journal.count() == 1  # both signed in again, as the same users
        journal.record(dose("MRN-2"), verifier=check)
        assert journal.count() == 2 and check.user == VERIFIER


def test_a_new_site_starts_an_empty_chain(pg_cluster) -> None:
    site = new_site(pg_cluster)
    with sign_in(site) as journal:
        assert journal.count() == 0 and journal.stored_head() == Head(0, GENESIS_HASH)
        assert journal.verify().ok


def test_an_insert_the_server_refuses_in_the_pipeline_leaves_the_session_usable(
    pg_site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The INSERT and its COMMIT leave as one pipeline: when the trigger refuses the INSERT
    (here a hash that is not the content's), the server skips the COMMIT, the refusal is
    raised as the server's, nothing is recorded, and the same session records the next dose."""
    from ixempra_gui.journal.postgres import store
    from ixempra_gui.journal.postgres.errors import ServerJournalError

    real_send = store.libpq_send_committing
    sent: list[list[str]] = []

    def send(conn, statement, params):
        sent.append(params)
        if len(sent) == 1:
            params = [params[0], "0" * 64, *params[2:]]
        return real_send(conn, statement, params)

    monkeypatch.setattr(store, "libpq_send_committing", send)
    with sign_in(pg_site) as journal, verifier(pg_site) as check:
        with pytest.raises(ServerJournalError, match="SHA-256"):
            journal.record(dose("MRN-1"), verifier=check)
        assert count(pg_site) == 0
        assert journal._conn.pgconn.pipeline_status == psycopg.pq.PipelineStatus.OFF
        assert journal._conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        stored = journal.record(dose("MRN-1"), verifier=check)
        assert (stored.id, len(sent)) == (1, 2) and journal.verify().ok
    assert count(pg_site) == 1


def test_a_connection_lost_while_committing_is_not_called_recorded_nor_not(
    pg_site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server goes away between the history read and the INSERT + COMMIT: the app cannot
    know whether the COMMIT arrived, and says exactly that."""
    from ixempra_gui.journal.postgres import store
    from ixempra_gui.journal.postgres.errors import CommitUnknown

    real_send = store.libpq_send_committing  # the INSERT + COMMIT (store._write)

    def send(conn, statement, params):
        assert statement.startswith(b"INSERT INTO ixempra.records")
        pg_site.sql("SELECT pg_terminate_backend(%s)", params=(conn.info.backend_pid,))
        return real_send(conn, statement, params)

    monkeypatch.setattr(store, "libpq_send_committing", send)
    with (
        sign_in(pg_site) as journal,
        verifier(pg_site) as check,
        pytest.raises(CommitUnknown, match="may or may not be in the journal"),
    ):
        journal.record(dose("MRN-1"), verifier=check)
    assert count(pg_site) == 0  # here it did not arrive

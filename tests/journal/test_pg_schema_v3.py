"""Site schema 3 (postgres/schema_v3.py): the history's columns generated with one parse of the
content each. site-init upgrades a schema 2 site in place, keeping every record, its hash and
the values of its generated columns; the kind rule on the server is the app's."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from journal_support import DAY0, new_record
from pg_support import PREPARER, VERIFIER, Site, site_of_an_older_app

from ixempra_gui.journal import integrity
from ixempra_gui.journal.kinds import record_kind

COLUMNS = "SELECT id, hash, patient_key, administered_on, kind FROM ixempra.records ORDER BY id"


def test_site_init_upgrades_a_schema_2_site_keeping_its_records(pg_cluster: Any) -> None:
    from ixempra_gui.journal.postgres import admin
    from ixempra_gui.journal.postgres.errors import SiteSchemaError
    from ixempra_gui.journal.postgres.session import VerifierSession
    from ixempra_gui.journal.postgres.store import PostgresJournal

    with (
        site_of_an_older_app(pg_cluster, "schema2", 2) as site,
        PostgresJournal.open(site.url(PREPARER), anchor=None) as journal,
        VerifierSession.sign_in(site.url(VERIFIER)) as verifier,
    ):
        for patient in ("MRN-1", "mrn 2", "MRN-1"):
            day = DAY0 + timedelta(days=21 * journal.count())
            journal.record(
                new_record(patient, day, PREPARER, VERIFIER),
                verifier=verifier,
                acknowledge_history=True,
            )
    before = site.sql(COLUMNS)
    assert [r[2:] for r in before] == [
        ("mrn-1", DAY0.isoformat(), "dose"),
        ("mrn2", (DAY0 + timedelta(days=21)).isoformat(), "dose"),
        ("mrn-1", (DAY0 + timedelta(days=42)).isoformat(), "dose"),
    ]
    with pytest.raises(SiteSchemaError, match="IT runs ixempra-journal site-init"):
        PostgresJournal.open(site.url(PREPARER), anchor=None)

    report = admin.site_init(site.admin_url)
    assert report.found_version == 2 and [a[:2] for a in report.applied] == ["3:"]
    assert site.sql(COLUMNS) == before
    generated = site.sql(
        "SELECT attname, attgenerated FROM pg_attribute "
        "WHERE attrelid = 'ixempra.records'::regclass "
        "AND attname IN ('patient_key', 'administered_on', 'kind') ORDER BY attname"
    )
    assert generated == [("administered_on", "s"), ("kind", "s"), ("patient_key", "s")]
    indexes = {
        r[0] for r in site.sql("SELECT indexname FROM pg_indexes WHERE schemaname = 'ixempra'")
    }
    assert {"records_by_patient", "records_by_kind"} <= indexes
    checks = {r[0] for r in site.sql("SELECT conname FROM pg_constraint WHERE contype = 'c'")}
    assert {"records_recorded_dose_verified", "records_verification_only_for_doses"} <= checks
    assert admin.site_init(site.admin_url).applied == ()  # idempotent

    integrity.forget_walks()
    with (
        PostgresJournal.open(site.url(PREPARER), anchor=None) as journal,
        VerifierSession.sign_in(site.url(VERIFIER)) as verifier,
    ):
        assert journal.verify().ok
        dose = new_record("MRN-1", DAY0 + timedelta(days=56), PREPARER, VERIFIER)
        history = journal.history("MRN-1", dose.result, dose.administered_on)
        assert history is not None and history.prior_units_21d == 75  # the migrated-over dose
        stored = journal.record(dose, verifier=verifier, acknowledge_history=True)
        assert journal.verify().ok
    assert site.sql(COLUMNS)[-1][2:] == ("mrn-1", dose.administered_on.isoformat(), "dose")
    assert stored.id == 4


@pytest.mark.parametrize(
    "content",
    [
        {"kind": "dose"},
        {"kind": "preparation", "status": "verified"},
        {"kind": "near_miss"},
        {"kind": "journal_start"},
        {"kind": "other"},
        {"kind": 3},
        {"kind": ["dose"]},
        {"kind": None, "status": "verified"},
        {"status": "verified"},
        {"status": "journal_started"},
        {"status": "ok"},
        {"status": 1},
        {},
    ],
)
def test_the_servers_kind_is_the_apps(pg_site: Site, content: dict[str, Any]) -> None:
    text = json.dumps(content)
    assert pg_site.sql("SELECT ixempra.record_kind(%s)", params=(text,)) == [
        (record_kind(content),)
    ]


def test_a_repeated_key_reads_as_python_reads_it(pg_site: Site) -> None:
    """Canonical JSON never repeats a key; a forged content that does is read by the server's
    columns as the app reads it (the last one), so the app's comparison holds."""
    text = '{"kind":"preparation","kind":"dose","patient_key":"a","patient_key":"b"}'
    parsed = json.loads(text)
    row = pg_site.sql(
        "SELECT ixempra.record_kind(%(t)s), (%(t)s::json) ->> 'patient_key'", params={"t": text}
    )
    assert row == [(record_kind(parsed), parsed["patient_key"])]

"""Preparing a verified dose (issue 16), over both journals: the preparation is an appended,
hash-chained record naming its dose by id and hash; every refused scan is a near miss; the
history and a patient's doses never count either; a dose is prepared once (a failed
preparation is remade); what the stores refuse, and what verify finds."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from gs1_codes import GTIN_15, GTIN_45, gtin, kit_code
from journal_support import DAY0, new_record, raw
from pg_support import PREPARER, THIRD, VERIFIER, Site, site_of_an_older_app

from ixempra_gui.core.compounding import Scan
from ixempra_gui.journal import integrity
from ixempra_gui.journal.errors import InvalidRecord, JournalAltered, JournalError
from ixempra_gui.journal.interface import JournalStore
from ixempra_gui.journal.kinds import DOSE, NEAR_MISS, PREPARATION
from ixempra_gui.journal.preparation_records import read_preparation
from ixempra_gui.journal.preparing import (
    NoSuchRecord,
    PreparationRefused,
    find_dose,
    judge,
    preparation_of,
    prepare,
    record_near_misses,
    record_preparation,
)
from ixempra_gui.journal.references import reference_problem

pytestmark = pytest.mark.slow

NOW = datetime.now(UTC).replace(microsecond=0)
EXPIRY = (date.today() + timedelta(days=400)).strftime("%y%m%d")
K45 = kit_code(GTIN_45, EXPIRY, serial="S45")
K15A = kit_code(GTIN_15, EXPIRY, serial="S15A")
K15B = kit_code(GTIN_15, EXPIRY, lot="LOT43", serial="S15B")
WRONG_DRUG = kit_code(gtin("1234567890"), EXPIRY)
RECON = NOW - timedelta(minutes=50)
DILUTED = NOW - timedelta(minutes=20)


def scans(*texts: str) -> list[Scan]:
    return [
        Scan(text, NOW - timedelta(minutes=55) + timedelta(seconds=i))
        for i, text in enumerate(texts)
    ]


@dataclass
class Side:
    name: str
    journal: JournalStore
    person: str
    record: Callable[..., Any]
    sql: Callable[[str], None]
    reopen: Callable[[], JournalStore]

    def dose(self, patient: str = "MRN-1") -> int:
        new = new_record(patient, DAY0, prepared_by=self.person, verified_by=VERIFIER)
        return int(self.record(new).id)

    def prepare(self, record_id: int, *texts: str, **kwargs: Any):
        options = {
            "compounded_by": self.person,
            "reconstituted_at": RECON,
            "diluted_at": DILUTED,
            "now": NOW,
        }
        options.update(kwargs)
        return prepare(self.journal, record_id, scans(*texts), **options)


@pytest.fixture(params=["sqlite", "postgresql"])
def side(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Side]:
    integrity.forget_walks()
    if request.param == "sqlite":
        from ixempra_gui.journal.store import Journal

        def run(statement: str) -> None:
            conn = raw(tmp_path)
            try:
                conn.executescript(statement)
            finally:
                conn.close()

        with Journal.open(tmp_path) as journal:
            yield Side(
                "sqlite",
                journal,
                "A. Pharmacist",
                journal.record,
                run,
                lambda: Journal.open(tmp_path),
            )
        return
    from ixempra_gui.journal.postgres.session import VerifierSession
    from ixempra_gui.journal.postgres.store import PostgresJournal

    site: Site = request.getfixturevalue("pg_site")
    with (
        PostgresJournal.open(site.url(PREPARER)) as journal,
        VerifierSession.sign_in(site.url(VERIFIER)) as verifier,
    ):

        def record(new: Any, **kwargs: Any) -> Any:
            return journal.record(new, verifier=verifier, **kwargs)

        def run(statement: str) -> None:
            site.sql(f"SET session_replication_role = replica; {statement}")

        yield Side(
            "postgresql",
            journal,
            PREPARER,
            record,
            run,
            lambda: PostgresJournal.open(site.url(PREPARER)),
        )


def test_a_complete_preparation_is_appended_and_names_its_dose(side: Side) -> None:
    dose_id = side.dose()
    dose = side.journal.get(dose_id)
    assert dose is not None
    outcome = side.prepare(dose_id, K45, K15A, K15B)
    assert outcome.outcome == "complete" and outcome.near_misses == ()
    stored = outcome.preparation
    assert stored is not None and stored.id == dose_id + 1 and stored.prev_hash == dose.hash
    again = side.journal.get(stored.id)
    assert again is not None and again.kind == PREPARATION and again.intact
    c = again.content
    assert c["dose_record"] == {"id": dose_id, "hash": dose.hash, "administered_on": "2025-03-01"}
    assert c["patient_key"] == "mrn-1" and "administered_on" not in c
    assert c["compounded_by"] == side.person and c["status"] == "prepared"
    assert c["authenticated"] is (side.name == "postgresql")
    assert [(k["strength_mg"], k["lot"], k["serial"]) for k in c["kits"]] == [
        (45, "LOT42", "S45"),
        (15, "LOT42", "S15A"),
        (15, "LOT43", "S15B"),
    ]
    assert c["kits"][1]["ndc11"] == "70020-1910-01" and c["kits"][1]["gtin"] == GTIN_15
    assert c["reconstituted_at"] == RECON.isoformat() and c["diluted_at"] == DILUTED.isoformat()
    assert c["complete_by"] == (DILUTED + timedelta(hours=6)).isoformat()
    assert c["label_until"] == (DILUTED + timedelta(hours=3)).isoformat()  # a 3 h infusion
    # the dose is unchanged, the preparation never counts
    assert side.journal.get(dose_id) == dose
    history = side.journal.history("MRN-1", new_record().result, DAY0 + timedelta(days=1))
    assert history is not None and history.prior_units_21d == 75
    assert [d.record_id for d in side.journal.patient_doses("MRN-1")] == [dose_id]
    assert side.journal.verify().ok
    assert reference_problem(side.journal.records()) is None
    found = preparation_of(side.journal, dose)
    assert found is not None and found.record.id == stored.id and not found.failed
    with side.reopen() as fresh:  # a new process's checks on open hold
        assert fresh.check().ok


def test_a_refused_scan_is_a_near_miss_and_the_plan_still_completes(side: Side) -> None:
    dose_id = side.dose()
    outcome = side.prepare(dose_id, K45, WRONG_DRUG, K15A, K15A, K15B)
    assert outcome.outcome == "refused_scan"
    assert [r.kind for r in outcome.near_misses] == [NEAR_MISS, NEAR_MISS]
    assert outcome.preparation is not None  # every planned kit was accepted
    wrong, identical = (r.content for r in outcome.near_misses)
    assert wrong["refusal"]["reason"] == "wrong_drug" and wrong["read"]["gtin"] == gtin(
        "1234567890"
    )
    assert identical["refusal"]["reason"] == "identical_scan"
    assert "serial S15A, was already accepted" in identical["refusal"]["message"]
    assert wrong["scanned_by"] == side.person and wrong["dose_record"]["id"] == dose_id
    assert wrong["scan"]["text"].startswith("01") and wrong["scan"]["length"] == len(WRONG_DRUG)
    kinds = [r.kind for r in side.journal.records()]
    assert kinds == [DOSE, NEAR_MISS, NEAR_MISS, PREPARATION]
    assert [r.id for r in side.journal.records_of_kind(NEAR_MISS)] == [2, 3]
    assert side.journal.verify().ok


def test_kits_missing_records_nothing_but_the_near_misses(side: Side) -> None:
    dose_id = side.dose()
    outcome = side.prepare(dose_id, K45)
    assert outcome.outcome == "kits_missing" and outcome.preparation is None
    assert outcome.check.kits.missing == ((15, 2),) and side.journal.count() == 1
    outcome = side.prepare(dose_id, K45, WRONG_DRUG)
    assert outcome.outcome == "refused_scan" and outcome.preparation is None
    assert [r.kind for r in side.journal.records()] == [DOSE, NEAR_MISS]


def test_a_dose_is_prepared_once_and_a_failed_preparation_is_remade(side: Side) -> None:
    dose_id = side.dose()
    failed = side.prepare(
        dose_id,
        K45,
        K15A,
        K15B,
        reconstituted_at=NOW - timedelta(minutes=90),
        diluted_at=NOW - timedelta(minutes=5),
    )
    assert failed.outcome == "failed" and failed.preparation is not None
    assert failed.preparation.content["status"] == "preparation_failed"
    assert "discard and remake" in failed.preparation.content["failures"][0]
    made = side.prepare(dose_id, K45, K15A, K15B)  # the remake
    assert made.outcome == "complete" and made.preparation is not None
    with pytest.raises(PreparationRefused, match=f"preparation record {made.preparation.id}") as e:
        side.prepare(dose_id, K45, K15A, K15B)
    assert e.value.prepared_by == made.preparation.id
    assert side.journal.count() == 3


def test_a_preparation_without_its_times_is_completed_by_a_later_one(side: Side) -> None:
    dose_id = side.dose()
    first = side.prepare(dose_id, K45, K15A, K15B, reconstituted_at=None, diluted_at=None)
    assert first.outcome == "complete" and first.preparation is not None
    record = read_preparation(first.preparation)
    assert record is not None and not record.timed
    second = side.prepare(dose_id, K45, K15A, K15B)
    assert second.preparation is not None
    dose = side.journal.get(dose_id)
    assert dose is not None
    current = preparation_of(side.journal, dose)
    assert current is not None and current.record.id == second.preparation.id and current.timed


def test_only_a_verified_dose_is_prepared(side: Side) -> None:
    dose_id = side.dose()
    made = side.prepare(dose_id, K45, K15A, K15B)
    assert made.preparation is not None
    with pytest.raises(PreparationRefused, match="is a preparation record, not a verified dose"):
        side.prepare(made.preparation.id, K45)
    with pytest.raises(NoSuchRecord, match="no record 99"):
        side.prepare(99, K45)


def test_times_that_cannot_be_are_refused_and_nothing_is_recorded(side: Side) -> None:
    dose_id = side.dose()
    with pytest.raises(InvalidRecord) as caught:
        side.prepare(dose_id, K45, WRONG_DRUG, diluted_at=NOW + timedelta(hours=1))
    assert caught.value.problems[0][0] == "diluted_at" and "future" in str(caught.value)
    with pytest.raises(InvalidRecord, match="before the reconstitution"):
        side.prepare(dose_id, K45, reconstituted_at=DILUTED, diluted_at=RECON)
    assert side.journal.count() == 1


def test_the_window_records_each_near_miss_then_the_preparation(side: Side) -> None:
    dose_id = side.dose()
    dose = find_dose(side.journal, dose_id)
    check = judge(dose, scans(WRONG_DRUG), reconstituted_at=None, diluted_at=None, now=NOW)
    (miss,) = record_near_misses(side.journal, dose, check.kits.outcomes[-1:], side.person)
    assert miss.kind == NEAR_MISS
    accepted = judge(dose, scans(K45), reconstituted_at=None, diluted_at=None, now=NOW)
    assert record_near_misses(side.journal, dose, accepted.kits.outcomes, side.person) == ()
    check = judge(
        dose,
        scans(WRONG_DRUG, K45, K15A, K15B),
        reconstituted_at=RECON,
        diluted_at=DILUTED,
        now=NOW,
    )
    outcome = record_preparation(side.journal, dose, check, side.person, with_near_misses=False)
    assert outcome.preparation is not None and outcome.near_misses == ()
    assert [r.kind for r in side.journal.records()] == [DOSE, NEAR_MISS, PREPARATION]


def test_a_preparation_whose_dose_reference_is_forged_is_found_by_verify(side: Side) -> None:
    """The tamper case of issue 16: a preparation appended with a correct link but naming a
    dose by a forged hash (or another patient's dose). The chain holds; the reference pass of
    verify names it, and the dose is not taken as prepared by it."""
    dose_id = side.dose()
    other = side.dose("MRN-2")
    made = side.prepare(dose_id, K45, K15A, K15B)
    assert made.preparation is not None
    prep_id = made.preparation.id
    forged = dict(made.preparation.content)
    forged["dose_record"] = {**forged["dose_record"], "hash": "f" * 64}
    _rewrite(side, prep_id, forged)
    report = side.journal.verify()
    assert report.ok  # the chain was rebuilt: it holds
    problem = reference_problem(side.journal.records())
    assert problem is not None and problem[0] == prep_id and "forged" in problem[1]
    dose = side.journal.get(dose_id)
    assert dose is not None and preparation_of(side.journal, dose) is None
    forged["dose_record"] = {"id": other, "hash": side.journal.get(other).hash}  # type: ignore[union-attr]
    _rewrite(side, prep_id, forged)
    problem = reference_problem(side.journal.records())
    assert problem is not None and "another patient" in problem[1]


def _rewrite(side: Side, record_id: int, content: dict[str, Any]) -> None:
    """Replace one record's content and rebuild the chain after it as the app would (SQLite:
    the file; the server: a superuser with the triggers off), head and anchor included."""
    from ixempra_gui.journal.chain import canonical_json, content_hash

    records = [r for r in side.journal.records() if r.id >= record_id]
    prev = records[0].prev_hash
    head = None
    table = "ixempra.records" if side.name == "postgresql" else "records"
    statements = []
    for r in records:
        c = dict(content if r.id == record_id else r.content)
        c["prev_hash"] = prev
        text = canonical_json(c)
        digest = content_hash(text)
        quoted = text.replace("'", "''")
        statements.append(
            f"UPDATE {table} SET content = '{quoted}', hash = '{digest}' WHERE id = {r.id};"
        )
        prev, head = digest, (r.id, digest)
    assert head is not None
    if side.name == "postgresql":
        statements.append(f"UPDATE ixempra.chain_head SET last_hash = '{head[1]}';")
    else:
        value = json.dumps({"id": head[0], "hash": head[1]})
        statements.append(f"UPDATE meta SET value = '{value}' WHERE key = 'head';")
    side.sql("\n".join(statements))
    integrity.forget_walks()
    if side.journal.anchor is not None:
        from ixempra_gui.journal.anchor import Head

        side.journal.move_anchor(Head(*head), force=True)


def test_the_server_refuses_a_preparation_naming_no_dose_of_its_patient(
    pg_site: Site,
) -> None:
    """What the site journal's trigger enforces whatever the client sends."""
    import psycopg

    from ixempra_gui.journal.postgres.session import VerifierSession
    from ixempra_gui.journal.postgres.store import PostgresJournal

    integrity.forget_walks()
    with (
        PostgresJournal.open(pg_site.url(PREPARER)) as journal,
        VerifierSession.sign_in(pg_site.url(VERIFIER)) as verifier,
    ):
        dose = journal.record(new_record("MRN-1", DAY0, PREPARER, VERIFIER), verifier=verifier)
        made = prepare(
            journal,
            dose.id,
            scans(K45, K15A, K15B),
            compounded_by=None,
            reconstituted_at=RECON,
            diluted_at=DILUTED,
            now=NOW,
        )
        assert made.preparation is not None
        draft = {
            k: v
            for k, v in made.preparation.content.items()
            if k not in ("id", "prev_hash", "recorded_at")
        }
        no_dose, alone = "names no dose of its patient", "recorded by the signed-in user"
        cases = [
            ({**draft, "dose_record": {"id": dose.id, "hash": "a" * 64}}, no_dose),
            (
                {
                    **draft,
                    "dose_record": {"id": made.preparation.id, "hash": made.preparation.hash},
                },
                no_dose,
            ),
            ({**draft, "patient_id": "MRN-2", "patient_key": "mrn-2"}, no_dose),
            ({**draft, "dose_record": {"id": "1", "hash": dose.hash}}, no_dose),
            ({**draft, "compounded_by": THIRD}, alone),
            ({**draft, "authenticated": False}, alone),
            ({**draft, "administered_on": "2025-03-01"}, alone),
        ]
        for content, expected in cases:
            with pytest.raises(JournalError, match=expected):
                journal.append([content])
        assert journal.count() == 2
        with pytest.raises(psycopg.Error, match="permission denied"):
            pg_site.sql(
                f"UPDATE ixempra.records SET content = content WHERE id = {made.preparation.id}",
                user=PREPARER,
            )
        assert journal.verify().ok


def test_a_compounder_other_than_the_signed_in_user_is_refused(pg_site: Site) -> None:
    from ixempra_gui.journal.postgres.session import VerifierSession
    from ixempra_gui.journal.postgres.store import PostgresJournal

    integrity.forget_walks()
    with (
        PostgresJournal.open(pg_site.url(PREPARER)) as journal,
        VerifierSession.sign_in(pg_site.url(VERIFIER)) as verifier,
    ):
        dose = journal.record(new_record("MRN-1", DAY0, PREPARER, VERIFIER), verifier=verifier)
        with pytest.raises(InvalidRecord, match="not the signed-in user"):
            prepare(
                journal,
                dose.id,
                scans(K45),
                compounded_by="someone else",
                reconstituted_at=None,
                diluted_at=None,
                now=NOW,
            )
        made = prepare(
            journal,
            dose.id,
            scans(K45, K15A, K15B),
            compounded_by=PREPARER.upper(),
            reconstituted_at=RECON,
            diluted_at=DILUTED,
            now=NOW,
        )
        assert made.preparation is not None
        assert made.preparation.content["compounded_by"] == PREPARER


def test_a_dose_record_edited_in_place_is_not_prepared(tmp_path: Path) -> None:
    from ixempra_gui.journal.store import Journal

    with Journal.open(tmp_path) as journal:
        dose = journal.record(new_record("MRN-1"))
        conn = raw(tmp_path)
        conn.execute("UPDATE records SET content = replace(content, '72.8', '92.8') WHERE id = 1")
        conn.close()
        with pytest.raises(JournalAltered, match="record 1"):
            prepare(
                journal,
                dose.id,
                scans(K45, K15A, K15B),
                compounded_by="A",
                reconstituted_at=RECON,
                diluted_at=DILUTED,
                now=NOW,
            )
        assert journal.count() == 1


def test_a_schema_1_site_journal_is_upgraded_by_site_init_keeping_its_records(
    pg_cluster: Any,
) -> None:
    """Site schema 2 on a journal that holds doses recorded under schema 1: site-init applies
    only migration 2, the records and the chain stay as they were, their kind is read from
    them, and the app refuses the old server until then."""
    from ixempra_gui.journal.postgres import admin
    from ixempra_gui.journal.postgres.errors import SiteSchemaError
    from ixempra_gui.journal.postgres.session import VerifierSession
    from ixempra_gui.journal.postgres.store import PostgresJournal

    with (
        site_of_an_older_app(pg_cluster, "upgraded", 1) as site,
        PostgresJournal.open(site.url(PREPARER)) as journal,
        VerifierSession.sign_in(site.url(VERIFIER)) as verifier,
    ):
        old = new_record("MRN-1", DAY0, PREPARER, VERIFIER)
        dose = journal.record(old, verifier=verifier)
    with pytest.raises(SiteSchemaError, match="IT runs ixempra-journal site-init"):
        PostgresJournal.open(site.url(PREPARER))
    report = admin.site_init(site.admin_url)
    assert report.found_version == 1 and [a[:2] for a in report.applied] == ["2:", "3:"]
    assert site.sql("SELECT id, kind, hash FROM ixempra.records") == [(1, DOSE, dose.hash)]
    integrity.forget_walks()
    with PostgresJournal.open(site.url(PREPARER)) as journal:
        assert journal.verify().ok
        made = prepare(
            journal,
            dose.id,
            scans(K45, K15A, K15B),
            compounded_by=None,
            reconstituted_at=RECON,
            diluted_at=DILUTED,
            now=NOW,
        )
        assert made.outcome == "complete"
        assert journal.verify().ok


def test_a_prepared_workstation_journal_migrates_with_its_preparation(
    tmp_path: Path, pg_site: Site
) -> None:
    """migrate --to: the preparation and near miss come along, still name their dose (by its
    original id and hash, which the migrated dose embeds), and the dose stays prepared."""
    from ixempra_gui.journal.postgres.migrate import migrate_journal
    from ixempra_gui.journal.postgres.store import PostgresJournal
    from ixempra_gui.journal.store import Journal

    integrity.forget_walks()
    with Journal.open(tmp_path) as local:
        dose = local.record(new_record("MRN-1"))
        made = prepare(
            local,
            dose.id,
            scans(K45, WRONG_DRUG, K15A, K15B),
            compounded_by="C",
            reconstituted_at=RECON,
            diluted_at=DILUTED,
            now=NOW,
        )
        assert made.outcome == "refused_scan" and made.preparation is not None
    with PostgresJournal.open(pg_site.url(PREPARER)) as site:
        report = migrate_journal(tmp_path, site)
        assert report.copied == 3
        assert [r.kind for r in site.records()] == [DOSE, NEAR_MISS, PREPARATION]
        assert site.verify().ok and reference_problem(site.records()) is None
        migrated = site.get(1)
        assert migrated is not None
        current = preparation_of(site, migrated)
        assert current is not None and current.record.id == 3 and current.timed
        with pytest.raises(PreparationRefused, match="preparation record 3"):
            prepare(
                site,
                1,
                scans(K45, K15A, K15B),
                compounded_by=None,
                reconstituted_at=RECON,
                diluted_at=DILUTED,
                now=NOW,
            )

"""What a superuser could still do to the site journal, and which check catches it: the server
refuses every change to a record for everyone else (test_pg_server.py), but a superuser can
turn its triggers off (``session_replication_role = replica``) — the documented bypass of
issue 14 point 4. Each case is done that way, in place or with the chain and the head rebuilt
as the app would; docs/journal-integrity.md ("The site journal") has this table.

Patient P has three 75-unit doses in the 21 days before DAY0 (225 prior units). Columns:
- verify: ``verify`` on this workstation (the whole chain walked, then its anchor for the
  server: the last head it saw);
- expect_head: ``verify --expect-head H`` from another workstation (no anchor), H the head kept
  before the tampering;
- open: what a new process checks on open (count = max(id) = head, the head record hashed,
  the anchor);
- history: P's history read by a new process (open, then the counted records and every other
  record of P hashed);
- session: P's history read again by a process that had read it before the tampering.
Whatever was done, the history either counts at least the 225 units or claims no figure.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import pytest
from journal_support import DAY0, new_record
from pg_support import PREPARER, VERIFIER, Site

from ixempra_gui.journal import integrity
from ixempra_gui.journal.chain import GENESIS_HASH, canonical_json, content_hash
from ixempra_gui.journal.errors import JournalAltered
from ixempra_gui.journal.postgres.admin import site_init
from ixempra_gui.journal.postgres.errors import ServerUnreachable
from ixempra_gui.journal.postgres.session import VerifierSession
from ixempra_gui.journal.postgres.store import PostgresJournal, calculation_hash

pytestmark = pytest.mark.slow

PRIOR = 225
# Records 2, 4 and 6 are P's doses (15, 10 and 5 days before DAY0); the others other patients'.
LAYOUT = [("Q", 30), ("P", 15), ("R", 12), ("P", 10), ("S", 8), ("P", 5), ("T", 2)]


def off(site: Site, *statements: str | tuple[str, tuple[object, ...]]) -> list[tuple]:
    """Run statements as the superuser with the triggers off (its bypass: no trigger fires,
    no foreign key is checked); the rows of the last one."""
    import psycopg

    with psycopg.connect(site.admin_url, autocommit=True) as conn:
        conn.execute("SET session_replication_role = replica")
        rows: list[tuple] = []
        for statement in statements:
            query, params = statement if isinstance(statement, tuple) else (statement, None)
            cursor = conn.execute(query, params)
            rows = cursor.fetchall() if cursor.description else []
        return rows


def _contents(site: Site) -> list[dict]:
    return [json.loads(t) for (t,) in site.sql("SELECT content FROM ixempra.records ORDER BY id")]


def _rebuild(site: Site, contents: list[dict]) -> None:
    """Rewrite the records as 1..n, each hashed and linked as the app does, and the head."""
    rows, prev = [], GENESIS_HASH
    for i, content in enumerate(contents, 1):
        text = canonical_json(dict(content, id=i, prev_hash=prev))
        prev = content_hash(text)
        rows.append((i, prev, text, content["verification_id"]))
    insert = (
        "INSERT INTO ixempra.records (id, hash, content, origin, prepared_by, verified_by, "
        "verification_id) VALUES (%s, %s, %s, 'recorded', 'rph_a', 'rph_b', %s)"
    )
    off(
        site,
        "DELETE FROM ixempra.records",
        *[(insert, row) for row in rows],
        ("UPDATE ixempra.chain_head SET last_id = %s, last_hash = %s", (len(rows), prev)),
    )


def _moved(content: dict) -> dict:
    """P's dose of 10 days before moved 40 days before: out of the window."""
    return dict(content, administered_on=(DAY0 - timedelta(days=40)).isoformat())


def delete(site: Site, rebuilt: bool) -> None:
    if rebuilt:
        _rebuild(site, [c for c in _contents(site) if c["id"] != 4])
    else:
        off(site, "DELETE FROM ixempra.records WHERE id = 4")


def edit(site: Site, rebuilt: bool) -> None:
    """P's dose 4 moved out of the window (its generated date follows its content)."""
    if rebuilt:
        _rebuild(site, [_moved(c) if c["id"] == 4 else c for c in _contents(site)])
    else:
        text = canonical_json(_moved(_contents(site)[3]))
        off(site, ("UPDATE ixempra.records SET content = %s WHERE id = 4", (text,)))


def lower(site: Site, rebuilt: bool) -> None:
    """P's dose 4 made 5 units instead of 75."""
    contents = _contents(site)
    contents[3]["facts"]["units_total"] = 5
    if rebuilt:
        _rebuild(site, contents)
    else:
        text = canonical_json(contents[3])
        off(site, ("UPDATE ixempra.records SET content = %s WHERE id = 4", (text,)))


def truncate(site: Site, rebuilt: bool) -> None:
    """P's last dose and the record after it removed, the head moved back."""
    if rebuilt:
        _rebuild(site, _contents(site)[:5])
    else:
        head = site.sql("SELECT hash FROM ixempra.records WHERE id = 5")[0][0]
        off(
            site,
            "DELETE FROM ixempra.records WHERE id > 5",
            ("UPDATE ixempra.chain_head SET last_id = 5, last_hash = %s", (head,)),
        )


def empty(site: Site, rebuilt: bool) -> None:
    off(
        site,
        "DELETE FROM ixempra.records",
        ("UPDATE ixempra.chain_head SET last_id = 0, last_hash = %s", (GENESIS_HASH,)),
    )


def forge(site: Site, rebuilt: bool) -> None:
    """A dose never verified, appended for patient F with its link, a verification written
    under the verifier's name for its calculation, and the head moved: a valid extension."""
    content = _contents(site)[-1]
    prev = site.sql("SELECT hash FROM ixempra.records WHERE id = 7")[0][0]
    content.update(id=8, prev_hash=prev, patient_id="F", patient_key="f")
    digest_of_calculation = calculation_hash(content)
    [(verification,)] = off(
        site,
        (
            "INSERT INTO ixempra.verifications (verifier, calculation_hash, verified_at) "
            "VALUES ('rph_b', %s, now()) RETURNING id",
            (digest_of_calculation,),
        ),
    )
    content.update(calculation_hash=digest_of_calculation, verification_id=verification)
    text = canonical_json(content)
    digest = content_hash(text)
    off(
        site,
        (
            "INSERT INTO ixempra.records (id, hash, content, origin, prepared_by, verified_by, "
            "verification_id) VALUES (8, %s, %s, 'recorded', 'rph_a', 'rph_b', %s)",
            (digest, text, verification),
        ),
        ("UPDATE ixempra.chain_head SET last_id = 8, last_hash = %s", (digest,)),
    )


def replaced(site: Site, rebuilt: bool) -> None:
    """The database dropped and created again under the same name, site-init run: an empty
    journal where the workstation saw one of 7 records."""
    site.sql(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
        "AND pid <> pg_backend_pid()",
        params=(site.dbname,),
    )
    site.cluster.psql(f"DROP DATABASE {site.dbname} WITH (FORCE)")
    site.cluster.psql(f"CREATE DATABASE {site.dbname}")
    site_init(site.admin_url)


# (case, rebuilt): caught by (verify, expect_head, open, history, session)
MATRIX: dict[tuple[str, bool], tuple[bool, bool, bool, bool, bool]] = {
    ("delete", False): (True, True, True, True, True),
    ("delete", True): (True, True, True, True, True),
    ("edit", False): (True, True, False, True, True),
    ("edit", True): (True, True, True, True, True),
    ("lower", False): (True, True, False, True, True),
    ("lower", True): (True, True, True, True, True),
    ("truncate", False): (True, True, True, True, True),
    ("truncate", True): (True, True, True, True, True),
    ("empty", False): (True, True, True, True, True),
    ("forge", True): (False, False, False, False, False),
    ("replaced", False): (True, True, True, True, True),
}
CASES: dict[str, Callable[[Site, bool], None]] = {
    "delete": delete,
    "edit": edit,
    "lower": lower,
    "truncate": truncate,
    "empty": empty,
    "forge": forge,
    "replaced": replaced,
}


def _prior(journal: PostgresJournal) -> int | None:
    """P's prior units as a history reads them; None when the journal is altered."""
    try:
        try:
            history = journal.history("P", new_record().result, DAY0)
        except ServerUnreachable:  # its connection was ended (a database replaced)
            history = journal.history("P", new_record().result, DAY0)  # signs in again
    except JournalAltered:
        return None
    assert history is not None
    return history.prior_units_21d


@pytest.mark.parametrize(("case", "rebuilt"), list(MATRIX), ids=[f"{c}-{r}" for c, r in MATRIX])
def test_what_catches_a_superusers_tampering(pg_site: Site, case: str, rebuilt: bool) -> None:
    url = pg_site.url(PREPARER)
    integrity.forget_walks()
    with (
        PostgresJournal.open(url) as journal,
        VerifierSession.sign_in(pg_site.url(VERIFIER)) as verifier,
    ):
        for patient, days in LAYOUT:
            journal.record(
                new_record(patient, DAY0 - timedelta(days=days), PREPARER, VERIFIER),
                verifier=verifier,
                acknowledge_history=True,
            )
    kept_head = pg_site.sql("SELECT last_hash FROM ixempra.chain_head")[0][0]
    session = PostgresJournal.open(url)
    try:
        assert _prior(session) == PRIOR
        CASES[case](pg_site, rebuilt)
        in_session = _prior(session)
    finally:
        session.close()

    integrity.forget_walks()  # each column below is a new process
    with PostgresJournal.open_read_only(url) as reader:
        by_verify = not reader.verify().ok
    integrity.forget_walks()
    with PostgresJournal.open_read_only(url, anchor=None) as elsewhere:
        by_expected_head = not elsewhere.verify(expected_hash=kept_head).ok
    integrity.forget_walks()
    try:
        opened = PostgresJournal.open(url)
    except JournalAltered:
        by_open, in_new_process = True, None
    else:
        by_open = False
        with opened:
            in_new_process = _prior(opened)

    found = (
        by_verify,
        by_expected_head,
        by_open,
        in_new_process is None,
        in_session is None,
    )
    assert found == MATRIX[(case, rebuilt)]
    for prior in (in_new_process, in_session):  # never a lower count without saying so
        assert prior is None or prior >= PRIOR

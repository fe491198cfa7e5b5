"""pytest fixtures of the PostgreSQL journal tests: one throwaway cluster per test session
(``pg_cluster``), a fresh site database per test (``pg_site``).

No silent skip: without PostgreSQL's server binaries the fixture fails with a message saying
what to install. The cluster's passfile (``PGPASSFILE``, set for the session) holds the test
pharmacists' passwords: a shared passfile stands in for each pharmacist's own .pgpass here and
is for tests only. Registered by tests/conftest.py.
"""

from __future__ import annotations

import contextlib
import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from pg_cluster import Cluster, ClusterUnavailable

PREPARER = "rph_a"
VERIFIER = "rph_b"
THIRD = "rph_c"
OUTSIDER = "clerk"  # a login role that is not in ixempra_pharmacist
PASSWORDS = {
    PREPARER: "prep-secret-1",
    VERIFIER: "verif-secret-2",
    THIRD: "third-secret-3",
    OUTSIDER: "clerk-secret-4",
}
_databases = itertools.count(1)


@dataclass(frozen=True)
class Site:
    """One site database on the test cluster, initialised by site-init."""

    cluster: Cluster
    dbname: str

    def url(self, user: str = PREPARER) -> str:
        return self.cluster.url(user, self.dbname)

    @property
    def admin_url(self) -> str:
        return self.cluster.url("postgres", self.dbname)

    def sql(self, query: str, user: str = "postgres", params: Any = None) -> list[tuple[Any, ...]]:
        """Run one statement as ``user`` (password from the passfile) and return its rows."""
        import psycopg

        with psycopg.connect(self.url(user), autocommit=True) as conn:
            cursor = conn.execute(query, params)
            return cursor.fetchall() if cursor.description else []

    def env(self, url_user: str = PREPARER) -> dict[str, str]:
        """Environment of a CLI process configured for this site journal."""
        return {"IXEMPRA_JOURNAL_URL": self.url(url_user), "PGPASSFILE": str(self.cluster.passfile)}


def start_cluster(**kwargs: Any) -> Cluster:
    """A started cluster, or pytest.fail saying what is missing (never a skip)."""
    try:
        return Cluster(**kwargs).start()
    except ClusterUnavailable as exc:
        pytest.fail(f"PostgreSQL test cluster: {exc}", pytrace=False)


def add_roles(cluster: Cluster, dbname: str) -> None:
    """The test pharmacists (and one login that is not a pharmacist) on ``cluster``."""
    from ixempra_gui.journal.postgres.admin import add_pharmacist

    admin_url = cluster.url("postgres", dbname)
    for user in (PREPARER, VERIFIER, THIRD):
        add_pharmacist(admin_url, user, password=PASSWORDS[user])
        cluster.remember_password(user, PASSWORDS[user])
    cluster.psql(f"CREATE ROLE {OUTSIDER} LOGIN PASSWORD '{PASSWORDS[OUTSIDER]}'")
    cluster.remember_password(OUTSIDER, PASSWORDS[OUTSIDER])


def new_site(cluster: Cluster) -> Site:
    from ixempra_gui.journal.postgres.admin import site_init

    dbname = f"site{next(_databases)}"
    cluster.psql(f"CREATE DATABASE {dbname}")
    site_init(cluster.url("postgres", dbname))
    return Site(cluster, dbname)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    cluster = start_cluster(fsync=False)  # process crashes only: the OS keeps what was written
    saved = os.environ.get("PGPASSFILE")
    os.environ["PGPASSFILE"] = str(cluster.passfile)
    try:
        first = new_site(cluster)
        add_roles(cluster, first.dbname)
        yield cluster
    finally:
        if saved is None:
            os.environ.pop("PGPASSFILE", None)
        else:
            os.environ["PGPASSFILE"] = saved
        cluster.destroy()


@pytest.fixture
def pg_site(pg_cluster: Cluster) -> Site:
    """A fresh site journal (its own database, site-init run) for one test."""
    return new_site(pg_cluster)


@contextlib.contextmanager
def site_of_an_older_app(cluster: Cluster, dbname: str, version: int) -> Iterator[Site]:
    """A new site database initialised by an app whose site schema stopped at ``version``,
    while that app's schema version is in force (records written meanwhile are the old
    app's). This app reads the chain through schema 3's function: it is lent to the old
    server for that time (the old app sent the same reads as separate statements)."""
    from ixempra_gui.journal import integrity
    from ixempra_gui.journal.postgres import admin, schema, session
    from ixempra_gui.journal.postgres.schema_v3 import CHECKED_READ

    cluster.psql(f"CREATE DATABASE {dbname}")
    site = Site(cluster, dbname)
    with pytest.MonkeyPatch.context() as old_app:
        for module in (admin, session):
            old_app.setattr(module, "SCHEMA_VERSION", version)
        old_app.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:version])
        assert admin.site_init(site.admin_url).version == version
        if version < 3:
            site.sql(f"SET ROLE ixempra_owner; {CHECKED_READ}")
        integrity.forget_walks()
        yield site
    if version < 3:
        site.sql("SET ROLE ixempra_owner; DROP FUNCTION ixempra.checked_read")

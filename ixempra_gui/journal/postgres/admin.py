"""What IT runs once per site: ``site-init`` (roles, schema, migrations) and ``add-pharmacist``.

Both connect with an administrator's URL (a superuser such as ``postgres``, or a role with
CREATEROLE that owns the database) whose password comes from libpq's own sources or is given in
memory, never in the URL. ``site-init`` is idempotent: run again it applies only the migrations
the server lacks (none: nothing changes). Passwords of pharmacists are sent to the server as
SCRAM-SHA-256 verifiers computed here by libpq, never as clear text a server log could keep.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from ixempra_gui import __version__
from ixempra_gui.journal.postgres.errors import ServerJournalError, SiteSchemaError, classify
from ixempra_gui.journal.postgres.schema import (
    BOOTSTRAP_ROLES,
    CREATE_VERSION_TABLE,
    OWNER_ROLE,
    PHARMACIST_ROLE,
    SCHEMA,
    SCHEMA_VERSION,
    SITE_INIT_LOCK,
    migration_plan,
    version_row_params,
)
from ixempra_gui.journal.postgres.session import connect
from ixempra_gui.journal.site_config import redact

ADMIN = "the administrator"
MIN_PASSWORD_CHARS = 8
MAX_PASSWORD_CHARS = 1024
_ROLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.@-]{0,62}")
_RESERVED = frozenset({OWNER_ROLE, PHARMACIST_ROLE, "postgres", "public", "none"})


class AdminInputError(ValueError):
    """A pharmacist's name or password that cannot be used (the message says what is)."""


@dataclass(frozen=True)
class SiteInitReport:
    database: str
    found_version: int
    version: int
    applied: tuple[str, ...]  # "1: summary" per migration applied now
    site_id: str


def _admin_connection(admin_url: str, password: str | None) -> psycopg.Connection[Any]:
    return connect(admin_url, who=ADMIN, password=password)


def _scalar(conn: psycopg.Connection[Any], query: str) -> Any:
    row = conn.execute(query).fetchone()
    assert row is not None
    return row[0]


def _is_superuser(conn: psycopg.Connection[Any]) -> bool:
    row = conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = session_user").fetchone()
    return bool(row and row[0])


def site_init(admin_url: str, *, password: str | None = None) -> SiteInitReport:
    """Create or upgrade the site journal in the database ``admin_url`` names."""
    where = redact(admin_url)
    conn = _admin_connection(admin_url, password)
    try:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (SITE_INIT_LOCK,))
            database = _scalar(conn, "SELECT current_database()::text")
            db = sql.Identifier(database)
            conn.execute(BOOTSTRAP_ROLES)
            if not _is_superuser(conn):
                # SET ROLE below needs membership (a superuser has it implicitly).
                conn.execute(f"GRANT {OWNER_ROLE} TO CURRENT_USER")
            conn.execute(
                sql.SQL("GRANT CONNECT, CREATE ON DATABASE {} TO ixempra_owner").format(db)
            )
            conn.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO ixempra_pharmacist").format(db))
            conn.execute(sql.SQL("REVOKE CONNECT, TEMPORARY ON DATABASE {} FROM PUBLIC").format(db))
            owner = conn.execute(
                "SELECT pg_get_userbyid(nspowner)::text FROM pg_namespace WHERE nspname = %s",
                (SCHEMA,),
            ).fetchone()
            if owner is not None and owner[0] != OWNER_ROLE:
                raise SiteSchemaError(
                    f"the database {where} already has a schema {SCHEMA} owned by {owner[0]}, "
                    f"not {OWNER_ROLE}: it was not made by site-init; nothing was changed"
                )
            conn.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(OWNER_ROLE)))
            conn.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
            conn.execute(f"REVOKE ALL ON SCHEMA {SCHEMA} FROM PUBLIC")
            conn.execute(f"GRANT USAGE ON SCHEMA {SCHEMA} TO {PHARMACIST_ROLE}")
            conn.execute(CREATE_VERSION_TABLE)
            found = int(
                _scalar(conn, "SELECT coalesce(max(version), 0) FROM ixempra.schema_version")
            )
            if found > SCHEMA_VERSION:
                raise SiteSchemaError(
                    f"the site journal on {where} has schema version {found}, newer than this "
                    f"app ({SCHEMA_VERSION}): run site-init from an up-to-date app; nothing "
                    "was changed"
                )
            applied = []
            for migration in migration_plan(found):
                conn.execute(migration.sql())
                conn.execute(
                    "INSERT INTO ixempra.schema_version (version, app_version, summary) "
                    "VALUES (%(version)s, %(app)s, %(summary)s)",
                    version_row_params(migration, __version__),
                )
                applied.append(f"{migration.version}: {migration.summary}")
            site_id = _scalar(conn, "SELECT site_id::text FROM ixempra.site")
            conn.execute("RESET ROLE")
    except psycopg.Error as exc:
        raise classify(exc, who=ADMIN, where=where) from exc
    finally:
        conn.close()
    return SiteInitReport(database, found, SCHEMA_VERSION, tuple(applied), site_id)


def check_pharmacist_name(name: str) -> None:
    if not isinstance(name, str) or not _ROLE_NAME.fullmatch(name):
        raise AdminInputError(
            f"pharmacist name {name!r}: 1 to 63 characters, ASCII letters, digits, '_', '.', "
            "'@' and '-', starting with a letter or '_'"
        )
    if name.lower() in _RESERVED or name.lower().startswith("pg_"):
        raise AdminInputError(f"pharmacist name {name!r} is reserved; choose another")


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_CHARS:
        raise AdminInputError(
            f"password: at least {MIN_PASSWORD_CHARS} characters ({len(password)} given)"
        )
    if len(password) > MAX_PASSWORD_CHARS:
        raise AdminInputError(f"password: at most {MAX_PASSWORD_CHARS} characters")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in password):
        raise AdminInputError("password: contains a control character (a line break?)")


def add_pharmacist(
    admin_url: str,
    name: str,
    *,
    password: str | None,
    admin_password: str | None = None,
) -> str:
    """Create login role ``name`` in ``ixempra_pharmacist`` (or add an existing role to it,
    and set its password when one is given). Returns what was done, in words."""
    check_pharmacist_name(name)
    if password is not None:
        check_password(password)
    where = redact(admin_url)
    conn = _admin_connection(admin_url, admin_password)
    try:
        with conn.transaction():
            group = conn.execute(
                "SELECT 1 FROM pg_roles WHERE rolname = %s", (PHARMACIST_ROLE,)
            ).fetchone()
            if group is None:
                raise SiteSchemaError(
                    f"the server {where} has no {PHARMACIST_ROLE} group: run "
                    "ixempra-journal site-init --admin-url URL first"
                )
            existing = conn.execute(
                "SELECT rolsuper, rolcanlogin FROM pg_roles WHERE rolname = %s", (name,)
            ).fetchone()
            if existing is not None and existing[0]:
                raise ServerJournalError(
                    f"{name} is a superuser on {where}: pharmacists sign in with ordinary "
                    "roles (a superuser can bypass the journal's protections)"
                )
            role = sql.Identifier(name)
            verifier = None
            if password is not None:
                verifier = conn.pgconn.encrypt_password(
                    password.encode("utf-8"), name.encode("utf-8"), b"scram-sha-256"
                ).decode("ascii")
            if existing is None:
                statement = sql.SQL("CREATE ROLE {} LOGIN").format(role)
                done = f"created login role {name} in {PHARMACIST_ROLE}"
            else:
                statement = sql.SQL("ALTER ROLE {} LOGIN").format(role)
                done = f"added existing role {name} to {PHARMACIST_ROLE}"
            if verifier is not None:
                statement = sql.SQL("{} PASSWORD {}").format(statement, sql.Literal(verifier))
                done += ", password set"
            conn.execute(statement)
            conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(PHARMACIST_ROLE), role))
    except psycopg.Error as exc:
        raise classify(exc, who=ADMIN, where=where) from exc
    finally:
        conn.close()
    return f"{done} on {where}"

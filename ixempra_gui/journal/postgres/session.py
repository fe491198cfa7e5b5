"""Signing in to the site journal: one checked connection per person.

``open_session`` connects (a password, when given, is held in memory only and passed to libpq;
otherwise libpq's own sources: ``.pgpass``, a client certificate, Kerberos), then asks the
server who this is (``session_user``), whether it is a member of ``ixempra_pharmacist``, whether
the server accepts writes, which site this database is and its schema version. The preparer's
journal (``store.PostgresJournal``) and the verifier (``VerifierSession``) each hold their own
session: the verification is written by the verifier's session, so the server, not the
preparer's client, says who verified.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import psycopg
from psycopg import errors, pq

from ixempra_gui import __version__
from ixempra_gui.journal.postgres.errors import (
    CredentialsRefused,
    NotAPharmacist,
    SiteSchemaError,
    classify,
)
from ixempra_gui.journal.postgres.libpq_io import libpq_flush, libpq_results
from ixempra_gui.journal.postgres.schema import PHARMACIST_ROLE, SCHEMA_VERSION
from ixempra_gui.journal.site_config import check_url, redact

APPLICATION_NAME = f"ixempra-gui {__version__}"
CONNECT_TIMEOUT_S = 10
LOCK_TIMEOUT = "30s"  # as the SQLite journal's busy timeout: then "another workstation..."
IDLE_IN_TRANSACTION_TIMEOUT = "60s"  # a frozen workstation never holds the chain lock long
_KEEPALIVES = {"keepalives_idle": "30", "keepalives_interval": "10", "keepalives_count": "3"}


@dataclass(frozen=True)
class SessionInfo:
    """Who the server says this session is, and what the database is."""

    user: str
    database: str
    pharmacist: bool
    read_only: bool  # a standby (in recovery): nothing can be written there
    schema_version: int | None  # None: no site journal in this database
    site_id: str | None
    location: str = ""  # the server and database reached: postgresql://host:port/database


def connect(
    url: str,
    *,
    who: str,
    user: str | None = None,
    password: str | None = None,
    read_only: bool = False,
) -> psycopg.Connection[Any]:
    """An autocommit connection to ``url`` (refused when it holds a password), or the
    classified ServerJournalError. ``read_only``: every transaction of the session is read-only
    (``list``, ``show``, ``verify``, ``export``: nothing they run can write)."""
    url = check_url(url, "the journal URL")
    # psycopg's own parser, imported where it is used (the module loads without a server)
    from psycopg.conninfo import conninfo_to_dict

    given = conninfo_to_dict(url)
    options: dict[str, Any] = {"application_name": APPLICATION_NAME}
    if "connect_timeout" not in given:
        options["connect_timeout"] = CONNECT_TIMEOUT_S
    options.update({k: v for k, v in _KEEPALIVES.items() if k not in given})
    if user is not None:
        options["user"] = user
    if password is not None:
        options["password"] = password
    where = redact(url, user=user)
    try:
        conn = psycopg.connect(url, autocommit=True, **options)
    except psycopg.Error as exc:
        raise classify(exc, who=who, where=where) from exc
    try:
        conn.execute(
            f"SET lock_timeout = '{LOCK_TIMEOUT}'; "
            f"SET idle_in_transaction_session_timeout = '{IDLE_IN_TRANSACTION_TIMEOUT}'"
            + ("; SET default_transaction_read_only = on" if read_only else "")
        )
    except psycopg.Error as exc:
        conn.close()
        raise classify(exc, who=who, where=where) from exc
    return conn


def session_info(conn: psycopg.Connection[Any]) -> SessionInfo:
    """Identity, membership, read-only state (a standby, or a database or role whose
    transactions default to read-only); the site and schema version when readable."""
    row = conn.execute(
        """
        SELECT session_user::text,
               current_database()::text,
               coalesce((SELECT pg_has_role(session_user, r.oid, 'MEMBER')
                         FROM pg_roles AS r WHERE r.rolname = %s), false),
               pg_is_in_recovery() OR current_setting('transaction_read_only')::bool,
               to_regclass('ixempra.schema_version') IS NOT NULL
                   AND to_regclass('ixempra.site') IS NOT NULL
        """,
        (PHARMACIST_ROLE,),
    ).fetchone()
    assert row is not None
    user, database, pharmacist, read_only, has_site = row
    version = site_id = None
    if pharmacist and has_site:
        found = conn.execute(
            "SELECT (SELECT max(version) FROM ixempra.schema_version), "
            "(SELECT site_id::text FROM ixempra.site)"
        ).fetchone()
        if found is not None:
            version, site_id = found
    return SessionInfo(
        str(user),
        str(database),
        bool(pharmacist),
        bool(read_only),
        version,
        site_id,
        server_location(conn),
    )


def server_location(conn: psycopg.Connection[Any]) -> str:
    """``postgresql://host:port/database`` of the server this connection reached (a Unix
    socket folder in brackets): no user, no parameter. The site journal is known by it in this
    process's memory of walks and in the workstation's anchor for it."""
    info = conn.info
    host = info.host or "[local]"
    if host.startswith("/"):
        host = f"[{host}]"
    return f"postgresql://{host}:{info.port}/{info.dbname}"


def check_site(info: SessionInfo, where: str) -> None:
    """SiteSchemaError unless the database holds a site journal this app understands."""
    if info.schema_version is None:
        raise SiteSchemaError(
            f"the database {where} holds no site journal (or {info.user} may not read it): "
            "IT runs ixempra-journal site-init --admin-url URL once"
        )
    if info.schema_version > SCHEMA_VERSION:
        raise SiteSchemaError(
            f"the site journal on {where} has schema version {info.schema_version}, newer than "
            f"this app understands ({SCHEMA_VERSION}): update the app on this workstation"
        )
    if info.schema_version < SCHEMA_VERSION:
        raise SiteSchemaError(
            f"the site journal on {where} has schema version {info.schema_version}; this app "
            f"needs {SCHEMA_VERSION}: IT runs ixempra-journal site-init --admin-url URL"
        )


def open_session(
    url: str,
    *,
    who: str,
    user: str | None = None,
    password: str | None = None,
    read_only: bool = False,
) -> tuple[psycopg.Connection[Any], SessionInfo]:
    """A connection of a pharmacist to the site journal, checked: member of the group, a site
    journal of the right version. ``who`` names the person in messages ("the verifier")."""
    conn = connect(url, who=who, user=user, password=password, read_only=read_only)
    try:
        info = session_info(conn)
        where = redact(url, user=info.user)
        if not info.pharmacist:
            raise NotAPharmacist(
                f"{info.user} signed in to {where} but is not in the ixempra_pharmacist group: "
                "IT adds pharmacists with ixempra-journal add-pharmacist"
            )
        check_site(info, where)
    except psycopg.Error as exc:
        conn.close()
        raise classify(exc, who=who, where=redact(url, user=user)) from exc
    except BaseException:
        conn.close()
        raise
    return conn, info


_HASH = re.compile(r"[0-9a-f]{64}")
_VERIFY_SQL = b"INSERT INTO ixempra.verifications (calculation_hash) VALUES ($1) RETURNING id"


def _collect(pgconn: Any, encoding: str) -> int | psycopg.Error:
    """The verification's id from its INSERT sent through libpq, or the error (the server's,
    or the connection's): every result is read, so the session is idle again."""
    found: int | psycopg.Error | None = None
    try:
        for result in libpq_results(pgconn):
            if found is not None:
                continue
            if result.status == pq.ExecStatus.TUPLES_OK and result.ntuples == 1:
                found = int(result.get_value(0, 0).decode("ascii"))
            else:
                found = errors.error_from_result(result, encoding=encoding)
    except psycopg.Error as exc:
        return exc
    return found if found is not None else psycopg.OperationalError("no answer to the INSERT")


class VerifierSession:
    """The second pharmacist, signed in with their own credentials. ``verify`` writes the
    verification of one calculation hash from this session (the server records its user)."""

    def __init__(
        self,
        conn: psycopg.Connection[Any],
        info: SessionInfo,
        url: str,
        user: str | None = None,
        password: str | None = None,
    ) -> None:
        self._conn = conn
        self.info = info
        self.user = info.user
        self.site_id = info.site_id
        self.display = redact(url, user=info.user)
        self._url, self._user, self._password = url, user, password  # in memory only

    @classmethod
    def sign_in(
        cls, url: str, *, user: str | None = None, password: str | None = None
    ) -> VerifierSession:
        """CredentialsRefused (wrong password...), NotAPharmacist, ServerUnreachable..."""
        who = f"the verifier {user}" if user else "the verifier"
        try:
            conn, info = open_session(url, who=who, user=user, password=password)
        except CredentialsRefused as exc:
            raise CredentialsRefused(f"the verifier's sign-in was refused: {exc}") from exc
        try:
            conn.execute("SET synchronous_commit = off")  # see verify()
        except psycopg.Error as exc:
            conn.close()
            raise classify(exc, who=who, where=redact(url, user=info.user)) from exc
        return cls(conn, info, url, user, password)

    def _connection(self) -> psycopg.Connection[Any]:
        """The open connection; a broken one is replaced by signing in again as the same
        verifier (the next action reconnects)."""
        if self._conn.closed or self._conn.broken:
            again = VerifierSession.sign_in(self._url, user=self._user, password=self._password)
            if again.user != self.user:
                again.close()
                raise CredentialsRefused(
                    f"reconnecting to {self.display} signed in as {again.user}, not {self.user}"
                )
            self._conn, self.info = again._conn, again.info
        return self._conn

    def verify(self, calculation_hash: str) -> int:
        """Record, from the verifier's own session, that they verified this calculation; the
        verification's id (committed before this returns). ``verifying`` does the same while
        the caller works."""
        with self.verifying(calculation_hash) as verification_id:
            return verification_id()

    @contextlib.contextmanager
    def verifying(self, calculation_hash: str) -> Iterator[Callable[[], int]]:
        """Send the verification of this calculation from the verifier's own session at once,
        and give the caller a function that waits for its id (committed by then): the
        preparer's chain lock and history read travel to the server while this one is there
        (the record itself is inserted only after the id came back).

        The verifier's session commits without waiting for the disk (``synchronous_commit =
        off``, set at sign-in; this session writes nothing else): the record that uses the
        verification commits after it and waits for the disk, and the server's log is flushed
        in order, so that wait covers the verification too; a crash before it loses only a
        verification no record uses. One disk wait per dose instead of two."""
        if not _HASH.fullmatch(calculation_hash):
            raise ValueError("a calculation hash is 64 lowercase hex digits")
        who = f"the verifier {self.user}"
        try:
            conn = self._connection()
        except psycopg.Error as exc:
            raise classify(exc, who=who, where=self.display) from exc
        pgconn = conn.pgconn
        # Sent through libpq at once, Sync included (it commits while the caller's round trip
        # is on the server); psycopg's pipeline cost ~0.15 ms of this process's time first.
        try:
            pgconn.send_query_params(_VERIFY_SQL, [calculation_hash.encode("ascii")])
            libpq_flush(pgconn)
        except psycopg.Error as exc:
            raise classify(exc, who=who, where=self.display) from exc
        outcome: list[int | psycopg.Error] = []

        def verification_id() -> int:
            if not outcome:
                outcome.append(_collect(pgconn, conn.info.encoding))
            found = outcome[0]
            if isinstance(found, psycopg.Error):
                raise classify(found, who=who, where=self.display) from found
            return found

        try:
            yield verification_id
        finally:
            if not outcome:  # the caller failed first: read the answer, the session stays usable
                outcome.append(_collect(pgconn, conn.info.encoding))

    def close(self) -> None:
        self._conn.close()

    @property
    def closed(self) -> bool:
        return bool(self._conn.closed)

    def __enter__(self) -> VerifierSession:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

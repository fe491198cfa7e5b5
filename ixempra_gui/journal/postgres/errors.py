"""What went wrong with the site's journal server, in words a pharmacist and IT can act on.

libpq reports a failed connection as text only (no SQLSTATE): the classification reads its
messages (English; a server configured for another language still gets the right class for the
client-side failures, and the original text is always kept in the message). Errors raised
after the connection exists carry a SQLSTATE and are classified by it. Every class is a
``JournalError``: nothing was recorded unless ``CommitUnknown`` says it cannot tell.
"""

from __future__ import annotations

import re

from ixempra_gui.journal.errors import JournalError, JournalSchemaError


class ServerJournalError(JournalError):
    """The journal server refused or failed; ``reason`` says which kind of failure."""

    reason = "server"
    short = "journal server error"  # for "history NOT checked (...)"


class ServerUnreachable(ServerJournalError):
    """Host unreachable, server down, starting up or shutting down, connection lost."""

    reason = "unreachable"
    short = "journal unreachable"


class CredentialsRefused(ServerJournalError):
    """Wrong password, unknown role, login not allowed from here (pg_hba.conf)."""

    reason = "credentials"
    short = "journal sign-in refused"


class NotAPharmacist(ServerJournalError):
    """The signed-in role is not a member of the ``ixempra_pharmacist`` group."""

    reason = "not_pharmacist"
    short = "role not in the pharmacist group"


class ServerReadOnly(ServerJournalError):
    """A read-only server (hot standby) or a read-only session: nothing can be recorded."""

    reason = "read_only"
    short = "journal server read-only"


class ServerBusy(ServerJournalError):
    """Another workstation held the chain lock for longer than the lock timeout."""

    reason = "busy"
    short = "journal busy"


class SiteSchemaError(ServerJournalError, JournalSchemaError):
    """The database has no site journal yet, or one newer than this app."""

    reason = "schema"
    short = "site journal not set up"


class CommitUnknown(ServerJournalError):
    """The connection was lost while COMMIT was in flight: the record may or may not exist."""

    reason = "commit_unknown"
    short = "journal connection lost"


_UNREACHABLE = (
    "connection refused",
    "no such file or directory",
    "could not translate host name",
    "failed to resolve host",
    "name or service not known",
    "timeout expired",
    "timed out",
    "network is unreachable",
    "no route to host",
    "could not connect",
    "server closed the connection",
    "terminating connection",
    "the database system is starting up",
    "the database system is shutting down",
    "the database system is in recovery mode",
    "the database system is not yet accepting connections",
    "too many clients",
    "connection is lost",
    "connection is bad",
    "connection is closed",
    "the connection is closed",
    "consuming input failed",
    "ssl syscall error",
    "eof detected",
    "server conn crashed",
)
_CREDENTIALS = (
    "password authentication failed",
    "no password supplied",
    "authentication failed",
    "sasl authentication",
    "scram",
    "no pg_hba.conf entry",
    "pg_hba.conf rejects",
    "is not permitted to log in",
    "role",  # 'role "x" does not exist' (checked after the database case below)
)
_TLS = ("certificate", "ssl error", "sslmode", "tls")


def _detail(message: str) -> str:
    """The useful part of a libpq message: after 'FATAL:' or the last 'failed:'."""
    text = " ".join(message.split())
    for marker in ("FATAL: ", "ERROR: "):
        if marker in text:
            text = text.rsplit(marker, 1)[1]
            break
    else:
        if "failed: " in text:
            text = text.rsplit("failed: ", 1)[1]
    text = re.sub(r"\s*Is the server running.*$", "", text)
    return text.strip().rstrip(".") or "no detail"


def classify(exc: BaseException, *, who: str, where: str) -> ServerJournalError:
    """The ServerJournalError for a psycopg error met by ``who`` (e.g. "the verifier rph_b")
    talking to ``where`` (a redacted URL)."""
    message = str(exc)
    lower = message.lower()
    detail = _detail(message)
    sqlstate = getattr(exc, "sqlstate", None) or ""
    if sqlstate == "25006" or "read-only" in lower or "hot standby" in lower:
        return ServerReadOnly(
            f"the journal server {where} is read-only (a standby, or read-only mode): "
            f"nothing can be recorded there ({detail})"
        )
    if "permission denied for database" in lower:  # CONNECT is granted to the group only
        return NotAPharmacist(
            f"{who} may not connect to {where} ({detail}): the role is not in the "
            "ixempra_pharmacist group (ixempra-journal add-pharmacist)"
        )
    if sqlstate == "42501":
        return NotAPharmacist(
            f"{who} may not use the site journal on {where} ({detail}): the role is not in "
            "the ixempra_pharmacist group (ixempra-journal add-pharmacist)"
        )
    if sqlstate == "55P03":
        return ServerBusy(
            f"another workstation is recording in the journal on {where} and held it too "
            "long; try again"
        )
    if sqlstate in ("42P01", "3F000", "42883"):
        return SiteSchemaError(
            f"the database {where} holds no site journal ({detail}): IT runs "
            "ixempra-journal site-init --admin-url URL once"
        )
    if sqlstate == "3D000" or ("database" in lower and "does not exist" in lower):
        return ServerJournalError(
            f"the database named in {where} does not exist on the server ({detail})"
        )
    if sqlstate.startswith("08") or sqlstate in ("57P01", "57P02", "57P03"):
        return ServerUnreachable(f"the journal server {where} cannot be reached: {detail}")
    if any(marker in lower for marker in _UNREACHABLE):
        return ServerUnreachable(f"the journal server {where} cannot be reached: {detail}")
    if "no pg_hba.conf entry" in lower or "pg_hba.conf rejects" in lower:
        return CredentialsRefused(
            f"the journal server {where} does not accept {who} from this workstation "
            f"(pg_hba.conf): {detail}"
        )
    if any(marker in lower for marker in _CREDENTIALS):
        return CredentialsRefused(
            f"the journal server {where} refused the sign-in of {who}: {detail} (check the "
            "user name and password)"
        )
    if any(marker in lower for marker in _TLS):
        return ServerUnreachable(
            f"the journal server {where} could not be reached securely: {detail}"
        )
    return ServerJournalError(f"the journal server {where} reported: {detail}")

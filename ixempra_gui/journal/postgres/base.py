"""A pharmacist's signed-in session on the site journal: the connection (reconnected on the next
action after it broke), who is signed in, the workstation's anchor for the server, and how a
server's error is said. ``postgres.store.PostgresJournal`` builds on it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import partial
from types import TracebackType
from typing import Any, Self

import psycopg

from ixempra_gui.journal.anchor import AnchorFile, Head
from ixempra_gui.journal.anchor_slots import SlottedAnchor
from ixempra_gui.journal.errors import (
    RESOLVE_SERVER,
    JournalAltered,
)
from ixempra_gui.journal.postgres.errors import (
    ServerJournalError,
    classify,
)
from ixempra_gui.journal.postgres.session import SessionInfo, open_session
from ixempra_gui.journal.site_config import redact
from ixempra_gui.system.site_settings import config_dir


def site_anchor(location: str) -> SlottedAnchor:
    """This workstation user's anchor for one site journal: one file per server and database
    (``location``), beside the SQLite journal's anchor in the settings folder. Evidence of the
    last head this workstation saw there: a server rolled back, or a database replaced, does
    not contain it. Two slots written in place (anchor_slots.py); the older single file
    (``.json``) is read until the slot file exists."""
    key = hashlib.sha256(location.encode("utf-8")).hexdigest()[:16]
    stem = config_dir() / f"journal-anchor-site-{key}"
    return SlottedAnchor(stem.with_suffix(".slots"), legacy=stem.with_suffix(".json"))


class DefaultAnchor:
    def __repr__(self) -> str:
        return "SITE_ANCHOR"


#: ``anchor=`` default: the workstation's anchor for the server and database reached.
SITE_ANCHOR: Any = DefaultAnchor()


class SessionBase:
    """The session under ``PostgresJournal``: connection, identity, anchor, errors."""

    #: What a person does when it fails its checks: IT, on the server.
    resolution = RESOLVE_SERVER

    def __init__(
        self,
        conn: psycopg.Connection[Any],
        info: SessionInfo,
        url: str,
        user: str | None,
        password: str | None,
        *,
        read_only: bool = False,
        anchor: AnchorFile | DefaultAnchor | None = SITE_ANCHOR,
    ) -> None:
        self._conn = conn
        self.info = info
        self.url = url
        self._user = user
        self._password = password  # in memory only, for reconnecting
        self.user = info.user
        self.site_id = info.site_id
        self.read_only = read_only
        self.display = redact(url, user=info.user)
        self._location = info.location
        self.anchor = site_anchor(info.location) if isinstance(anchor, DefaultAnchor) else anchor
        self.warnings: list[str] = []  # not fatal: said on stderr or in the status bar
        self._memo: dict[int, tuple[str, str | None] | None] | None = None
        self._walk_problem: tuple[int, str] | None = None
        # A dose's signed fields the history uses, by (id, hash): reading.Reading._assess
        # parses a record's text once per process (its text is still hashed at every read).
        self._signed_doses: dict[tuple[int, str], tuple[Any, ...]] = {}

    @classmethod
    def _sign_in(
        cls,
        url: str,
        user: str | None,
        password: str | None,
        *,
        read_only: bool,
        anchor: AnchorFile | DefaultAnchor | None,
    ) -> Self:
        who = f"the pharmacist {user}" if user else "this pharmacist"
        conn, info = open_session(url, who=who, user=user, password=password, read_only=read_only)
        return cls(conn, info, url, user, password, read_only=read_only, anchor=anchor)

    @property
    def description(self) -> str:
        """Which journal, for the CLIs and the window's status bar."""
        return f"site journal {self.display}"

    @property
    def location(self) -> str:
        """The server and database (no user): this process's memory of walks and the
        workstation's anchor are kept by it."""
        return self._location

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def anchor_move(self, head: Head, *, force: bool = False) -> Callable[[], None]:
        """Keeping ``head`` in this workstation's anchor for the server (forward only),
        prepared now and written when the result is called; a failure is a warning: the
        journal itself is intact."""
        anchor = self.anchor
        if anchor is None:
            return lambda: None
        try:
            if isinstance(anchor, SlottedAnchor):
                write = anchor.prepare(head, self._location, force=force)
            else:
                write = partial(anchor.write, head, self._location, force=force)
        except OSError as exc:
            return partial(self._anchor_warning, exc)

        def written() -> None:
            try:
                if write is not None:
                    write()
            except OSError as exc:
                self._anchor_warning(exc)

        return written

    def _anchor_warning(self, exc: OSError) -> None:
        path = self.anchor.path if self.anchor is not None else ""
        self.warnings.append(
            f"warning: the anchor {path} could not be written ({exc.strerror or exc}); the "
            "site journal is intact, but this workstation keeps no evidence of the head it saw"
        )

    def _connection(self) -> psycopg.Connection[Any]:
        """The open connection; a broken one is replaced (reconnect on the next action)."""
        if self._conn.closed or self._conn.broken:
            self._conn.close()
            conn, info = open_session(
                self.url,
                who=f"the pharmacist {self.user}",
                user=self._user,
                password=self._password,
                read_only=self.read_only,
            )
            if info.user != self.user or info.location != self._location:
                conn.close()
                raise ServerJournalError(
                    f"reconnecting to {self.display} reached {info.location} as {info.user}, "
                    f"not {self._location} as {self.user}"
                )
            self._conn, self.info = conn, info
        return self._conn

    def _failed(self, exc: psycopg.Error) -> ServerJournalError:
        return classify(exc, who=f"the pharmacist {self.user}", where=self.display)

    def _altered(self, problem: str, first_bad_id: int | None) -> JournalAltered:
        return JournalAltered(self._location, problem, first_bad_id, self.resolution)

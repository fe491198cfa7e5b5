"""Qt-free: the window's sign-in to the journal this workstation is configured for (issue 14).

Nothing configured: the workstation's own SQLite file, exactly as before (names typed, not
authenticated). A site journal (``journal.site_config``): the window first tries libpq's own
credentials (.pgpass, a client certificate, Kerberos) and asks for a password only when the
server says one is needed. The password is held in this object's memory only — never written,
never logged, never in a repr — and each journal action opens its own checked session with it,
so a lost server is reconnected on the next action. Fail closed: not signed in, unreachable or
refused, the history says "history NOT checked (...)" with null figures and Verify is refused
with the reason; nothing is queued locally.
"""

from __future__ import annotations

import getpass
import os
import threading
from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import date
from typing import TYPE_CHECKING

from ixempra_gui.core.models import DoseResult
from ixempra_gui.core.policy import load_policy
from ixempra_gui.journal import configured, paths
from ixempra_gui.journal.entries import NewRecord, PatientDose, StoredRecord, facts_of_result
from ixempra_gui.journal.errors import JournalAltered, JournalError
from ixempra_gui.journal.history import History
from ixempra_gui.journal.interface import JournalStore
from ixempra_gui.journal.site_config import JournalChoice, journal_choice, redact
from ixempra_gui.journal.store import Journal
from ixempra_gui.presentation.events import Event
from ixempra_gui.presentation.site_answers import (
    Credentials,
    Probe,
    SignInOutcome,
    SiteDoses,
    VerifyProbe,
)

if TYPE_CHECKING:
    # psycopg (ixempra-gui[postgresql]): loaded only for a site journal
    from ixempra_gui.journal.postgres.store import PostgresJournal

NOT_SIGNED_IN = "not signed in"
#: Until when Verify cannot record (the end of its refusal).
SIGN_IN = "until you are signed in to the site journal (File → Sign in to the site journal…)"
READ_ONLY = "while the server is read-only (a standby, or IT set the database read-only)"
#: What each failure of the server is called in the sign-in dialog (postgres.errors' reasons).
HEADLINES = {
    "unreachable": "The journal server cannot be reached.",
    "credentials": "The server refused the sign-in (user name or password).",
    "not_pharmacist": "This user is not in the pharmacist group (ixempra_pharmacist).",
    "read_only": "The journal server is read-only: nothing can be recorded there.",
    "schema": "The site journal is not set up on this server.",
    "password_needed": "The server asks for a password.",
}


class JournalSignIn:
    """The configured journal and who is signed in to it (a site journal), for one window."""

    def __init__(self, choice: JournalChoice | None = None) -> None:
        self.config_error: str | None = None
        try:
            self.choice: JournalChoice | None = choice or journal_choice()
        except JournalError as exc:  # unusable site settings: fail closed, never SQLite
            self.choice, self.config_error = None, str(exc)
        self._credentials: Credentials | None = None
        self.user: str | None = None  # the server's name for the signed-in pharmacist
        self.read_only = False
        self.problem: str | None = None  # the last failure, said in the status bar
        self.changed: Event[str] = Event("journal")  # the status bar's text
        self._reader: PostgresJournal | None = None  # the History panel's session
        self._reading_lock = threading.Lock()  # one read at a time on the kept session
        #: The credentials of a sign-in the server never answered (unreachable): tried again
        #: later (ui/journal_status.py), in memory only; never those the server refused.
        self.retry_credentials: Credentials | None = None

    # --- what it is -------------------------------------------------------------------------

    @property
    def is_site(self) -> bool:
        return self.config_error is not None or (self.choice is not None and self.choice.is_server)

    @property
    def signed_in(self) -> bool:
        return self._credentials is not None

    @property
    def url(self) -> str:
        assert self.choice is not None and self.choice.url is not None
        return self.choice.url

    @property
    def display(self) -> str:
        """The site journal's redacted URL with the signed-in user (never a password)."""
        if self.choice is None or self.choice.url is None:
            return "the site journal (site settings unusable)"
        return redact(self.choice.url, user=self.user)

    def url_user(self) -> str:
        """The user name libpq would sign in as (prefilled in the sign-in dialog): the URL's,
        else ``PGUSER``, else the login name; "" when none is known."""
        if self.choice is None or self.choice.url is None:
            return ""
        # psycopg (ixempra-gui[postgresql]): loaded only for a site journal
        from psycopg.conninfo import conninfo_to_dict

        named = str(conninfo_to_dict(self.choice.url).get("user") or "")
        try:
            login = getpass.getuser()
        except (OSError, KeyError, ImportError):  # no login name known (a service account)
            login = ""
        return named or os.environ.get("PGUSER", "") or login

    def status_text(self) -> str:
        """The journal in use, for the status bar: the file, or the server and the user."""
        if not self.is_site:
            return f"Journal: {paths.journal_path()} (this workstation's file)"
        if self.config_error is not None:
            return "Journal: site settings unusable — history NOT checked, Verify refused"
        # the state first: a status bar too narrow for it all cuts the URL, never the state
        if not self.signed_in:
            why = f" ({self.problem})" if self.problem else ""
            return (
                f"Journal: {NOT_SIGNED_IN}{why} — history NOT checked, Verify refused — "
                f"{self.display}"
            )
        state = f"signed in as {self.user}"
        if self.read_only:
            state += " (server read-only: nothing can be recorded)"
        if self.problem:
            state += f" ({self.problem})"
        return f"Journal: {state} — {self.display}"

    def _say(self) -> None:
        self.changed.emit(self.status_text())

    # --- signing in ---------------------------------------------------------------------------

    def sign_in_own(self) -> SignInOutcome:
        """Sign in with libpq's own credentials (no password asked)."""
        return self.settle(self.probe(Credentials(None, None)))

    def sign_in(self, user: str, password: str) -> SignInOutcome:
        """Sign in as ``user`` with ``password`` (held in memory only)."""
        return self.settle(self.probe(self.credentials(user, password)))

    @staticmethod
    def credentials(user: str, password: str) -> Credentials:
        return Credentials(user.strip() or None, password or None)

    def sign_out(self) -> str:
        """Forget who is signed in and their password (a shift change at a shared workstation:
        the next dose must not be signed with the last pharmacist's name); what to say."""
        who = self.user
        self._drop_reader()
        self.retry_credentials = None
        self._credentials, self.user, self.read_only, self.problem = None, None, False, None
        self._say()
        return (
            f"{who or 'Nobody'} signed out of {self.display}: the history is NOT checked and "
            "nothing can be recorded until someone signs in."
        )

    def probe(self, credentials: Credentials) -> Probe:
        """Open a checked session with ``credentials`` and close it: who the server says this
        is, or why not. Changes nothing here (a worker thread may run it; ``settle`` then)."""
        if self.config_error is not None:
            return Probe(credentials, None, False, self.config_error, "schema", "")
        try:
            with self._open(credentials) as journal:
                return Probe(credentials, journal.user, bool(journal.info.read_only))
        except JournalError as exc:
            reason = str(getattr(exc, "reason", "server"))
            if credentials.password is None and "no password supplied" in str(exc):
                reason = "password_needed"
            short = str(getattr(exc, "short", "journal unavailable"))
            return Probe(credentials, None, False, str(exc), reason, short)

    def settle(self, probe: Probe) -> SignInOutcome:
        """Take a probe's answer (on the GUI thread): signed in, or why not."""
        if probe.user is None:
            self.problem = probe.short or self.problem
            unanswered = probe.reason == "unreachable" and not self.signed_in
            self.retry_credentials = probe.credentials if unanswered else None
            self._say()
            headline = HEADLINES.get(probe.reason, "The site journal could not be opened.")
            detail = probe.error[:1].upper() + probe.error[1:]
            return SignInOutcome(False, f"{headline} {detail}", probe.reason)
        self._drop_reader()  # another user, perhaps: the next read signs in as this one
        self._credentials, self.user = probe.credentials, probe.user
        self.retry_credentials = None
        self.read_only, self.problem = probe.read_only, None
        self._say()
        said = f"Signed in to {self.display} as {probe.user}."
        return SignInOutcome(True, f"{said} {HEADLINES['read_only']}" if self.read_only else said)

    def _open(self, credentials: Credentials) -> PostgresJournal:
        # psycopg (ixempra-gui[postgresql]): loaded only for a site journal
        from ixempra_gui.journal.postgres.store import PostgresJournal

        return PostgresJournal.open(self.url, user=credentials.user, password=credentials.password)

    def _not_usable(self) -> str | None:
        """Why the site journal cannot be used now without signing in (None: it can)."""
        if self.config_error is not None:
            return f"site settings unusable: {self.config_error}"
        if not self.signed_in:
            return f"{NOT_SIGNED_IN} to the site journal {self.display}"
        return None

    def _short(self) -> str:
        """What "history NOT checked (...)" says while the journal cannot be used: the last
        failure (e.g. "journal unreachable"), else "not signed in"."""
        if self.config_error is not None:
            return "site settings unusable"
        return self.problem or NOT_SIGNED_IN

    # --- what the window does with it ---------------------------------------------------------

    def sign_in_needed(self) -> str | None:
        """Why Verify cannot be offered now, without asking the server (None: it may be)."""
        why = self._not_usable() if self.is_site else None
        if why is None and self.is_site and self.read_only:
            return self._refusal(f"the journal server {self.display} is read-only", READ_ONLY)
        return None if why is None else self._refusal(why)

    @staticmethod
    def _refusal(why: str, until: str = SIGN_IN) -> str:
        return (
            f"Verify is refused: {why}. Nothing can be recorded {until}; the calculation, the "
            "worksheet and coverage still work."
        )

    def verify_refusal(self) -> str | None:
        """Why Verify cannot record now (None: it can). A signed-in session is opened again
        (the server may have gone away since): reconnect on the next action."""
        return self.settle_verify(self.verify_probe())

    def verify_probe(self) -> VerifyProbe | None:
        """Open a signed-in session and close it (a worker thread may run it: nothing here
        changes); None when there is nothing to ask the server (SQLite, not signed in)."""
        if not self.is_site or self._not_usable() is not None:
            return None
        assert self._credentials is not None
        try:
            with self._open(self._credentials) as journal:
                return VerifyProbe(bool(journal.info.read_only))
        except JournalError as exc:
            return VerifyProbe(False, str(exc), str(getattr(exc, "short", "journal unavailable")))

    def settle_verify(self, probe: VerifyProbe | None) -> str | None:
        """Take the probe's answer (on the GUI thread): why Verify cannot record, or None."""
        if not self.is_site:
            return None
        why = self._not_usable()
        if why is None and probe is not None:
            self.read_only, self.problem = probe.read_only, probe.short or None
            why = probe.error or None
            self._say()
            if why is None and self.read_only:
                return self.sign_in_needed()
        return None if why is None else self._refusal(why)

    def read_doses(self, patient_id: str) -> tuple[tuple[PatientDose, ...] | None, str | None]:
        """A patient's verified doses from the site journal, or (None, why not)."""
        return self.settle_read(self.fetch_doses(patient_id))

    def fetch_doses(self, patient_id: str) -> SiteDoses:
        """Read the doses (a worker thread may run it: only the kept session, under its lock,
        changes here; ``settle_read`` then says what was found)."""
        why = self._not_usable()
        if why is not None:
            return SiteDoses(None, f"history NOT checked ({self._short()}): {why}")
        try:
            with self._reading_lock:
                doses = self._read(patient_id)
        except JournalAltered as exc:
            return SiteDoses(None, str(exc))
        except JournalError as exc:
            short = str(getattr(exc, "short", "journal unavailable"))
            return SiteDoses(None, f"history NOT checked ({short}): {exc}", short)
        return SiteDoses(doses, None, "")

    def settle_read(self, found: SiteDoses) -> tuple[tuple[PatientDose, ...] | None, str | None]:
        """Take a read's answer (on the GUI thread): the status bar follows the server."""
        if found.problem is not None and (found.problem or None) != self.problem:
            self.problem = found.problem or None
            self._say()
        return found.doses, found.error

    def _read(self, patient_id: str) -> tuple[PatientDose, ...]:
        """The doses through the kept session (a connection per identifier typed would cost
        SCRAM and the journal's checks on open each time: bench/window_journal.py); a session
        that failed is dropped and a new one tried once, at once — a server restarted since the
        last read costs nothing but that."""
        assert self._credentials is not None
        kept = self._reader is not None
        try:
            return self._reading().patient_doses(patient_id)
        except JournalAltered:
            self._drop_reader()
            raise
        except JournalError:
            self._drop_reader()
            if not kept:
                raise
        return self._reading().patient_doses(patient_id)

    def _reading(self) -> PostgresJournal:
        if self._reader is None:
            assert self._credentials is not None
            self._reader = self._open(self._credentials)
        return self._reader

    def _drop_reader(self) -> None:
        reader, self._reader = self._reader, None
        if reader is not None:
            reader.close()

    def history_for(
        self, patient_id: str, result: DoseResult, administered_on: date
    ) -> History | None:
        """The history checks of a double check (null figures and a warning when the site
        journal cannot be used: never an exception, never 0 units)."""
        why = self._not_usable()
        if why is None:
            assert self._credentials is not None
            return configured.history_for(
                patient_id,
                result,
                administered_on,
                user=self._credentials.user,
                password=self._credentials.password,
            )
        policy = load_policy()
        current = facts_of_result(result, administered_on)
        if current is None:
            return None
        return configured.not_checked(self._short(), why, current.units_total, policy)

    def opener(self) -> AbstractContextManager[JournalStore]:
        """The journal a preparation and its near misses are appended to: this workstation's
        file, or a session of the signed-in pharmacist on the site journal (the compounder is
        then that user). JournalError saying why not (never the local file instead)."""
        if not self.is_site:
            return Journal.open()
        why = self._not_usable()
        if why is not None:
            raise JournalError(f"nothing can be recorded: {why}")
        assert self._credentials is not None
        return self._open(self._credentials)

    def record(
        self, new: NewRecord, acknowledged: Sequence[str], verifier: Credentials | None
    ) -> StoredRecord:
        """Record a double check on the site journal: the verifier signs in with their own
        session, which writes the verification (on a worker thread; raises the journal's
        errors, nothing recorded)."""
        why = self._not_usable()
        if why is not None:
            raise JournalError(f"the dose was NOT recorded: {why}")
        if verifier is None or not verifier.user or not verifier.password:
            raise JournalError(
                "the dose was NOT recorded: the verifier signs in with their own user name "
                "and password"
            )
        assert self._credentials is not None
        # psycopg (ixempra-gui[postgresql]): loaded only for a site journal
        from ixempra_gui.journal.postgres.session import VerifierSession

        with (
            VerifierSession.sign_in(
                self.url, user=verifier.user, password=verifier.password
            ) as session,
            self._open(self._credentials) as journal,
        ):
            warning = configured.local_journal_warning(journal)
            return journal.record(
                new,
                acknowledged_warnings=list(acknowledged),
                verifier=session,
                extra_warnings=() if warning is None else (warning,),
            )

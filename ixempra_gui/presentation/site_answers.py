"""Qt-free: what a worker thread found on the site journal (a sign-in, a read), handed back to
``JournalSignIn`` on the GUI thread (which alone changes its state and tells the status bar)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ixempra_gui.journal.entries import PatientDose


@dataclass(frozen=True)
class VerifyProbe:
    """What reopening the signed-in session before Verify found (worker thread)."""

    read_only: bool
    error: str = ""  # "" when the session opened
    short: str = ""  # for the status bar


@dataclass(frozen=True)
class SiteDoses:
    """A patient's doses read from the site journal (worker thread), or why not; ``problem``
    is the status bar's new word ("" cleared, None unchanged)."""

    doses: tuple[PatientDose, ...] | None
    error: str | None
    problem: str | None = None


@dataclass(frozen=True)
class Credentials:
    """A user name and password given in the window (None: libpq's own sources). The password
    never appears in a repr, a log or a file."""

    user: str | None
    password: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class SignInOutcome:
    signed_in: bool
    message: str  # what the dialog and the status bar say
    reason: str = ""  # a journal_sign_in.HEADLINES key, "" when signed in


@dataclass(frozen=True)
class Probe:
    """What one sign-in attempt found: the server's user name, or the failure."""

    credentials: Credentials
    user: str | None  # None: not signed in
    read_only: bool
    error: str = ""
    reason: str = ""  # a journal_sign_in.HEADLINES key
    short: str = ""  # for the status bar: "journal unreachable"...

"""The journal operations the core, the CLIs and the window use, whatever the back end.

``JournalStore`` is what the SQLite ``store.Journal`` offers today; the PostgreSQL
``postgres.store.PostgresJournal`` implements the same, plus what only a server journal has
(``AuthenticatedJournal``: the signed-in user, a record needs the verifier's own session).
Exports are ``records()`` through ``export.record_row`` / ``export.export_csv`` on both.
Structural typing (``typing.Protocol``): neither store imports this module.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from datetime import date
from types import TracebackType
from typing import TYPE_CHECKING, Protocol, Self, runtime_checkable

if TYPE_CHECKING:
    from ixempra_gui.core.models import DoseResult
    from ixempra_gui.core.policy import Policy
    from ixempra_gui.journal.chain import ChainReport
    from ixempra_gui.journal.entries import NewRecord, PatientDose, StoredRecord
    from ixempra_gui.journal.history import History, HistoryWarning
    from ixempra_gui.journal.postgres.session import VerifierSession


@runtime_checkable
class JournalStore(Protocol):
    """One open journal. Every method raises ``errors.JournalError`` when the journal cannot
    be read or written; ``record`` returns only after the record is committed."""

    def record(
        self,
        new: NewRecord,
        *,
        acknowledge_history: bool = False,
        acknowledged_warnings: Collection[str] | None = None,
        policy: Policy | None = None,
    ) -> StoredRecord:
        """Append one verified dose (InvalidRecord, RecordRefused, HistoryNotAcknowledged)."""
        ...

    def history(
        self,
        patient_id: str,
        result: DoseResult,
        administered_on: date,
        policy: Policy | None = None,
    ) -> History | None:
        """The history checks of a calculation not yet recorded (None: invalid inputs)."""
        ...

    def get(self, record_id: int) -> StoredRecord | None: ...

    def records(self, patient_id: str | None = None) -> Iterator[StoredRecord]:
        """Records in id order, of one patient when given (also what exports write)."""
        ...

    def patient_doses(self, patient_id: str) -> tuple[PatientDose, ...]: ...

    def count(self) -> int: ...

    def verify(self) -> ChainReport: ...

    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


@runtime_checkable
class AuthenticatedJournal(JournalStore, Protocol):
    """A journal whose users are authenticated by the server (PostgreSQL): the preparer is
    the signed-in user, and a record needs the verifier's own signed-in session."""

    user: str  # the signed-in preparer (the server's session_user)

    @property
    def description(self) -> str:
        """Which journal, for the status bar and the CLIs ("site journal postgresql://...")."""
        ...

    def record(
        self,
        new: NewRecord,
        *,
        acknowledge_history: bool = False,
        acknowledged_warnings: Collection[str] | None = None,
        policy: Policy | None = None,
        verifier: VerifierSession | None = None,
        extra_warnings: Sequence[HistoryWarning] = (),
    ) -> StoredRecord: ...

    def head(self) -> tuple[int, str]: ...


def describe(journal: JournalStore) -> str:
    """Which journal this is, in words: the site journal's redacted URL and user, or the
    SQLite file's path."""
    description = getattr(journal, "description", None)
    if isinstance(description, str):
        return description
    path = getattr(journal, "path", None)
    return f"journal file {path}" if path is not None else type(journal).__name__

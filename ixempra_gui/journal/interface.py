"""The journal operations the core, the CLIs and the window use, whatever the back end.

``JournalStore`` is what both stores offer: the SQLite ``store.Journal`` (a workstation's file)
and the PostgreSQL ``postgres.store.PostgresJournal`` (the site journal). Both are checked the
same way (``integrity.ChainSource``: the head, the count, the anchor, the walk), refuse to record
into or count from a journal that fails (``JournalAltered``), and export through
``export.csv_bytes``. The server journal adds what only it has (``AuthenticatedJournal``: the
signed-in user; a record needs the verifier's own session). Structural typing
(``typing.Protocol``): neither store imports this module; mypy checks that each satisfies it
(``_conformance`` below, never run).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from datetime import date
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, Self, runtime_checkable

from ixempra_gui.journal.integrity import ChainSource

if TYPE_CHECKING:
    from ixempra_gui.core.models import DoseResult
    from ixempra_gui.core.policy import Policy
    from ixempra_gui.journal.anchor import AnchorFile, Head
    from ixempra_gui.journal.appending import AppendCheck
    from ixempra_gui.journal.entries import NewRecord, PatientDose, StoredRecord
    from ixempra_gui.journal.history import History, HistoryWarning
    from ixempra_gui.journal.integrity import IntegrityReport
    from ixempra_gui.journal.kit_serials import KitsCheck
    from ixempra_gui.journal.postgres.session import VerifierSession


@runtime_checkable
class JournalStore(ChainSource, Protocol):
    """One open journal. Every method raises ``errors.JournalError`` when the journal cannot
    be read or written (``JournalAltered`` when it fails its checks); ``record`` returns only
    after the record is committed."""

    read_only: bool  # opened only to read: ``record`` refuses
    warnings: list[str]  # not fatal (an anchor that could not be written): said to the user
    anchor: AnchorFile | None  # where this workstation keeps the last head it saw
    resolution: str  # what a person does when it fails its checks (errors.RESOLVE_*)

    @property
    def description(self) -> str:
        """Which journal, in words: "journal file PATH" or "site journal postgresql://..."."""
        ...

    def record(
        self,
        new: NewRecord,
        *,
        acknowledge_history: bool = False,
        acknowledged_warnings: Collection[str] | None = None,
        policy: Policy | None = None,
    ) -> StoredRecord:
        """Append one verified dose (InvalidRecord, RecordRefused, HistoryNotAcknowledged,
        JournalAltered)."""
        ...

    def history(
        self,
        patient_id: str,
        result: DoseResult,
        administered_on: date,
        policy: Policy | None = None,
    ) -> History | None:
        """The history checks of a calculation not yet recorded (None: invalid inputs); every
        record counted has its hash checked (JournalAltered: never a partial count)."""
        ...

    def append(
        self,
        drafts: Sequence[dict[str, Any]],
        check: AppendCheck | None = None,
        kits_check: KitsCheck | None = None,
    ) -> list[StoredRecord]:
        """Append records of one patient that are not doses (a preparation, near misses),
        in one transaction, once the checks and ``check`` (given the patient's records, each
        hash-checked) pass under the write lock (journal/appending.py)."""
        ...

    def records_of_kind(self, kind: str) -> Iterator[StoredRecord]:
        """Records of one kind (journal/kinds.py), in id order."""
        ...

    def get(self, record_id: int) -> StoredRecord | None: ...

    def records(self, patient_id: str | None = None) -> Iterator[StoredRecord]:
        """Records in id order, of one patient when given (also what exports write)."""
        ...

    def patient_doses(self, patient_id: str) -> tuple[PatientDose, ...]: ...

    def count(self) -> int: ...

    def check(self, *, expected_hash: str | None = None, full: bool = False) -> IntegrityReport:
        """The checks of every open (``integrity.check``), against the anchor or
        ``expected_hash``; ``full``: walk every record."""
        ...

    def verify(self, *, expected_hash: str | None = None) -> IntegrityReport:
        """The whole chain walked, and its head checked against the anchor or
        ``expected_hash``; keeps the anchor when all holds (not for an expected head)."""
        ...

    def move_anchor(self, head: Head, *, force: bool = False) -> None:
        """Keep ``head`` (checked by this process) in the anchor, forward only; a failure is a
        warning (``warnings``)."""
        ...

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
    site_id: str | None

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

    def history(
        self,
        patient_id: str,
        result: DoseResult,
        administered_on: date,
        policy: Policy | None = None,
        *,
        extra_warnings: Sequence[HistoryWarning] = (),
    ) -> History | None: ...


def describe(journal: JournalStore) -> str:
    """Which journal this is, in words: the site journal's redacted URL and user, or the
    SQLite file's path."""
    return journal.description


if TYPE_CHECKING:

    def _conformance() -> None:
        """mypy's check that both stores are journal stores (never called)."""
        # never called: for mypy only, so that neither store is imported with this interface
        from ixempra_gui.journal.postgres.store import PostgresJournal
        from ixempra_gui.journal.store import Journal

        def sqlite_store(journal: Journal) -> JournalStore:
            return journal

        def server_store(journal: PostgresJournal) -> AuthenticatedJournal:
            return journal

        del sqlite_store, server_store

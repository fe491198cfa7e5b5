"""Why the journal refused or failed. Each message says what happened and what to do."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ixempra_gui.journal.history import History


class JournalError(Exception):
    """The journal could not be opened, read or written; nothing was recorded."""


class JournalSchemaError(JournalError):
    """The journal file was written by a newer version of the app, or is not a journal."""


#: What a person does when a workstation's journal file fails its checks.
RESOLVE_FILE = (
    "keep the file for audit, run ixempra-journal verify, then ixempra-journal init --new "
    "--reason TEXT"
)
#: What a person does when the site journal on the server fails its checks: its records are
#: append-only and cannot be started anew from a workstation (docs/journal-integrity.md).
RESOLVE_SERVER = (
    "run ixempra-journal verify to name the first bad record and call IT: the site journal "
    "is resolved on the server (restore the missing records from its backups), never from a "
    "workstation"
)


class JournalAltered(JournalError):
    """The journal failed its integrity checks (a broken chain, a missing anchored record, a
    missing journal the anchor says existed): its history is not trusted and nothing is recorded
    until a person resolves it (``resolution`` says how: ``ixempra-journal init --new`` for a
    file, IT for the site journal)."""

    def __init__(
        self,
        location: str,
        problem: str,
        first_bad_id: int | None = None,
        resolution: str = RESOLVE_FILE,
    ) -> None:
        self.location = location
        self.problem = problem
        self.first_bad_id = first_bad_id
        self.resolution = resolution
        super().__init__(
            f"the journal at {location} was altered: {problem}. Nothing can be recorded and the "
            f"history is not checked until a person resolves it: {resolution}."
        )


class JournalBusy(JournalError):
    """Another workstation or process held the journal's write lock for too long."""


class InvalidRecord(ValueError):
    """A record's identifiers are unusable (empty patient id, same two users...)."""

    def __init__(self, problems: Sequence[tuple[str, str]]) -> None:
        self.problems = tuple(problems)  # (field, message)
        super().__init__("; ".join(message for _, message in self.problems))


class RecordRefused(Exception):
    """The dose may not be recorded as verified (it is not ready to prepare)."""


class HistoryNotAcknowledged(RecordRefused):
    """The patient's history raised warnings that the verifier has not acknowledged."""

    def __init__(self, history: History) -> None:
        self.history = history
        codes = ", ".join(w.code for w in history.warnings)
        super().__init__(f"the patient's history needs acknowledging before recording ({codes})")

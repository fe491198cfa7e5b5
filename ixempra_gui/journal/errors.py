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


class JournalAltered(JournalError):
    """The journal failed its integrity checks (a broken chain, a missing anchored record, a
    missing journal the anchor says existed): its history is not trusted and nothing is recorded
    until a person starts a new journal (``ixempra-journal init --new``)."""

    def __init__(self, location: str, problem: str, first_bad_id: int | None = None) -> None:
        self.location = location
        self.problem = problem
        self.first_bad_id = first_bad_id
        super().__init__(
            f"the journal at {location} was altered: {problem}. Nothing can be recorded and the "
            "history is not checked until a person resolves it: keep the file for audit, run "
            "ixempra-journal verify, then ixempra-journal init --new --reason TEXT."
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

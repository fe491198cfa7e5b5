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

"""Qt-free: the Preparation panel's journal calls, each a function a worker thread can run —
it is given everything it needs (the opener, the dose, the refused scan, the compounder),
touches no desk state, and returns its outcome or what went wrong in words, never raising.

``preparation_desk.PreparationDesk`` queues them (a refused scan's near miss is kept before
the next scan is judged) and takes each outcome back on the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from ixempra_gui.core.compounding import PreparationCheck, ScanOutcome
from ixempra_gui.journal.entries import StoredRecord
from ixempra_gui.journal.errors import InvalidRecord, JournalError
from ixempra_gui.journal.interface import JournalStore
from ixempra_gui.journal.preparation_records import (
    DoseToPrepare,
    NotPreparable,
    RecordedPreparation,
    dose_to_prepare,
)
from ixempra_gui.journal.preparing import (
    NoSuchRecord,
    PreparationRefused,
    compounder,
    find_dose,
    preparation_of,
    record_near_misses,
    record_preparation,
)

JournalOpener = Callable[[], AbstractContextManager[JournalStore]]

LOADING = "Reading the journal for this dose…"
KEEPING_NEAR_MISS = "Recording the refused scan as a near miss…"
RECORDING = "Recording the preparation…"


@dataclass(frozen=True)
class Job:
    """One journal call: what the panel says meanwhile, the call, and who takes its outcome."""

    kind: str  # "load", "scan" or "record"
    doing: str
    work: Callable[[], object]
    settle: Callable[[Any], None]


@dataclass(frozen=True)
class Loaded:
    """The dose found in the journal (still the one verified), a preparation that stands, or
    why it cannot be prepared here."""

    dose: DoseToPrepare | None
    recorded: RecordedPreparation | None = None
    unavailable: str = ""


def load(open_journal: JournalOpener, record: StoredRecord) -> Loaded:
    """Find the dose; a dose already prepared comes with its preparation (shown, not redone)."""
    try:
        with open_journal() as journal:
            try:
                return Loaded(find_dose(journal, record.id))
            except PreparationRefused as exc:
                if exc.prepared_by is None:
                    raise
                return Loaded(_dose_of(record), preparation_of(journal, record))
    except (PreparationRefused, NoSuchRecord, JournalError) as exc:
        return Loaded(None, None, f"This dose cannot be prepared here: {exc}")
    except Exception as exc:  # a bug: nothing can be prepared (fail closed), and it is said
        return Loaded(None, None, f"This dose cannot be prepared here: {exc!r}")


@dataclass(frozen=True)
class NotRecorded:
    """The journal refused the preparation under its lock (a kit another dose used since the
    panel read the dose): why, and the dose read again so those kits show as refused."""

    why: str
    dose: DoseToPrepare | None = None


def keep_near_miss(
    open_journal: JournalOpener, dose: DoseToPrepare, refused: ScanOutcome, compounded_by: str
) -> tuple[StoredRecord, ...] | str:
    """Append one refused scan as a near miss: its record, or why it was not kept."""
    try:
        with open_journal() as journal:
            who = compounder(journal, compounded_by)
            return record_near_misses(journal, dose, [refused], who)
    except (InvalidRecord, JournalError) as exc:
        return f"The refused scan was NOT kept as a near miss: {said(exc)}"
    except Exception as exc:  # a bug: said, never a traceback in the panel
        return f"The refused scan was NOT kept as a near miss: {exc!r}"


def keep_preparation(
    open_journal: JournalOpener,
    record: StoredRecord,
    dose: DoseToPrepare,
    check: PreparationCheck,
    compounded_by: str,
) -> RecordedPreparation | NotRecorded | str | None:
    """Append the preparation: as the journal reads it back, or why it was not recorded."""
    try:
        with open_journal() as journal:
            who = compounder(journal, compounded_by)
            outcome = record_preparation(journal, dose, check, who, with_near_misses=False)
            if outcome.refused is not None:
                why = f"The preparation was NOT recorded: {outcome.refused}"
                return NotRecorded(why, find_dose(journal, record.id))
            return preparation_of(journal, record) if outcome.preparation is not None else None
    except (InvalidRecord, PreparationRefused, JournalError) as exc:
        return f"The preparation was NOT recorded: {said(exc)}"
    except Exception as exc:  # a bug: said, never a traceback in the panel
        return f"The preparation was NOT recorded: {exc!r}"


def _dose_of(record: StoredRecord) -> DoseToPrepare | None:
    """The plan of a dose already prepared (find_dose refuses it: it is shown, not redone)."""
    try:
        return dose_to_prepare(record)
    except NotPreparable:
        return None


def said(exc: Exception) -> str:
    if isinstance(exc, InvalidRecord):
        return " ".join(message for _, message in exc.problems)
    return str(exc)

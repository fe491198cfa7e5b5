"""Qt-free: every use the window makes of the journal, in one place (the widgets never import it).

Three uses: reading a patient's verified doses for the History panel and the Coverage tab's
dosing limit (once per identifier, after typing pauses; never a journal created), the history
checks of a double check at Compare, and recording a signed check (on a worker thread: the
journal may wait for another workstation's lock). The rules and the messages are the
journal's; this module only turns its exceptions into what the screen says.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from ixempra_gui.core.models import DoseResult
from ixempra_gui.journal import store
from ixempra_gui.journal.entries import NewRecord, PatientDose, StoredRecord
from ixempra_gui.journal.errors import JournalAltered, JournalError
from ixempra_gui.journal.history import History

if TYPE_CHECKING:
    from ixempra_gui.presentation.journal_sign_in import JournalSignIn
    from ixempra_gui.presentation.site_answers import Credentials, SiteDoses

__all__ = [
    "DosesRead",
    "PatientDose",
    "StoredRecord",
    "fetch_doses",
    "history_for",
    "read_doses",
    "record",
    "settle_doses",
]


@dataclass(frozen=True)
class DosesRead:
    """A patient's verified doses, or why they are not known (never a partial history)."""

    doses: tuple[PatientDose, ...] | None
    error: str | None = None
    site: SiteDoses | None = None  # read from the site journal: settled on the GUI thread


def read_doses(patient_id: str, journal: JournalSignIn | None = None) -> DosesRead:
    """The verified doses of a (trimmed, valid) identifier; an unreadable or altered journal
    is said, never read in part (issue 13.2). ``journal``: the window's sign-in (a site
    journal is read through it; none, or SQLite: the workstation's file)."""
    return settle_doses(fetch_doses(patient_id, journal), journal)


def settle_doses(found: DosesRead, journal: JournalSignIn | None) -> DosesRead:
    """On the GUI thread: the site journal's sign-in takes what the read found."""
    if found.site is not None and journal is not None:
        journal.settle_read(found.site)
    return found


def fetch_doses(patient_id: str, journal: JournalSignIn | None = None) -> DosesRead:
    """``read_doses`` without telling anyone (a worker thread runs it; ``settle_doses``)."""
    if journal is not None and journal.is_site:
        site = journal.fetch_doses(patient_id)
        return DosesRead(site.doses, site.error, site)
    try:
        return DosesRead(store.read_patient_doses(patient_id))
    except JournalAltered as exc:
        return DosesRead(None, str(exc))
    except JournalError as exc:
        return DosesRead(None, f"the journal could not be read: {exc}")


def history_for(
    patient_id: str,
    result: DoseResult,
    administered_on: date,
    journal: JournalSignIn | None = None,
) -> History | None:
    """The journal's history checks for this dose (its figures null, with a warning, when the
    journal cannot be trusted or read: never an exception)."""
    if journal is not None and journal.is_site:
        return journal.history_for(patient_id, result, administered_on)
    return store.history_for(patient_id, result, administered_on)


def record(
    new: NewRecord,
    acknowledged: Sequence[str],
    journal: JournalSignIn | None = None,
    verifier: Credentials | None = None,
) -> StoredRecord:
    """Record a signed check; returns after COMMIT returned. Raises the journal's errors. On a
    site journal the verifier signs in with ``verifier`` and their session verifies."""
    if journal is not None and journal.is_site:
        return journal.record(new, acknowledged, verifier)
    with store.Journal.open() as opened:
        return opened.record(new, acknowledged_warnings=list(acknowledged))

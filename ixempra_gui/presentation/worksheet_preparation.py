"""Qt-free: the preparation the worksheet prints once one is recorded (issue 16), read from the
journal the dose was recorded in — the signed-in site journal, or the workstation's file (never
created here). Never another journal's record: a preparation counts only when it names the
dose's id and hash."""

from __future__ import annotations

from ixempra_gui.journal.entries import StoredRecord
from ixempra_gui.journal.errors import JournalError
from ixempra_gui.journal.preparing import preparation_of
from ixempra_gui.journal.store import Journal
from ixempra_gui.presentation import preparation_view as pv
from ixempra_gui.presentation.preparation_desk import JournalOpener


def preparation_lines(
    dose: StoredRecord, site: JournalOpener | None = None
) -> tuple[str, ...] | None:
    """The worksheet's lines of the preparation of ``dose``, or None (none yet: the worksheet
    keeps its table to write in); a journal that cannot be read is said. ``site``: the signed-in
    site journal's opener (else the workstation's file)."""
    try:
        opened = site() if site is not None else Journal.open_existing()
        if opened is None:
            return None
        with opened as journal:
            prep = preparation_of(journal, dose)
    except JournalError as exc:
        return (f"The preparation could not be read from the journal: {exc}",)
    return pv.preparation_lines(prep) if prep is not None else None

"""Qt-free: what a worker thread found on the site journal, handed back to ``JournalSignIn``
on the GUI thread (which alone changes its state and tells the status bar)."""

from __future__ import annotations

from dataclasses import dataclass
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

"""Qt-free: journal work that may wait — a server that silently drops packets (10 s connect
timeout), a SQLite file locked by another workstation (30 s busy timeout) — is handed to a
``Runner`` rather than done where the pharmacist's action arrived.

The presentation decides *what* runs and what its outcome means; the window's runner
(``ui.off_thread.ThreadRunner``) runs ``work`` on a worker thread and ``then`` back on the GUI
thread, so the window never freezes on the journal. Without an event loop (tests, scripts)
``ImmediateRunner`` runs both at once, so every decision is tested without Qt or threads.
``work`` touches no widget and no session state, and returns its failure rather than raising.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

T = TypeVar("T")


class Runner(Protocol):
    """Runs ``work`` (perhaps on another thread), then ``then(outcome)`` where it was asked."""

    def run(self, work: Callable[[], T], then: Callable[[T], object], name: str) -> None: ...


class ImmediateRunner:
    """Both at once, on the caller's thread (no event loop: tests, scripts)."""

    def run(self, work: Callable[[], T], then: Callable[[T], object], name: str) -> None:
        then(work())

"""Qt-free: "do this once the pharmacist pauses" — the session's only notion of time passing.

The session decides *what* waits (the journal is read 300 ms after the last keystroke in the
identifier; the History panel is redrawn 40 ms after the last edit, off the keystroke's path)
and the window's event loop decides *how*: ``ui.scheduler.QtScheduler`` restarts one
single-shot QTimer per key. Without an event loop (tests, a script) ``ManualScheduler`` keeps
what is due until it is run, so every decision is tested without Qt and without sleeping.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol


class Scheduler(Protocol):
    """Runs a callback after a pause; asking again for the same key restarts the pause."""

    def later(self, key: str, delay_ms: int, callback: Callable[[], object]) -> None: ...

    def cancel(self, key: str) -> None: ...

    def pending(self, key: str) -> bool: ...


class ManualScheduler:
    """Keeps what is due until ``run`` (tests; anything without an event loop)."""

    def __init__(self) -> None:
        self.due: dict[str, tuple[int, Callable[[], object]]] = {}

    def later(self, key: str, delay_ms: int, callback: Callable[[], object]) -> None:
        self.due.pop(key, None)  # restarted: now the last in line, as a restarted timer is
        self.due[key] = (delay_ms, callback)

    def cancel(self, key: str) -> None:
        self.due.pop(key, None)

    def pending(self, key: str) -> bool:
        return key in self.due

    def run(self, key: str | None = None) -> int:
        """Run what is due (only ``key``'s, if given), shortest delay first; how many ran.
        A callback may schedule again: that waits for the next ``run``."""
        keys = [key] if key is not None else sorted(self.due, key=lambda k: self.due[k][0])
        ran = 0
        for k in keys:
            entry = self.due.pop(k, None)
            if entry is not None:
                entry[1]()
                ran += 1
        return ran

"""The session's pauses on the window's event loop: one single-shot QTimer per key.

``presentation.scheduling.Scheduler`` says what waits and how long (the journal read after
typing pauses, the History panel's redraw); this runs it. Asking again for a key restarts its
timer, as typing on restarts a debounce.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer


class QtScheduler(QObject):
    """``Scheduler`` on Qt timers (owned by ``parent``: they stop with the window)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timers: dict[str, QTimer] = {}
        self._callbacks: dict[str, Callable[[], object]] = {}

    def later(self, key: str, delay_ms: int, callback: Callable[[], object]) -> None:
        timer = self._timers.get(key)
        if timer is None:
            timer = QTimer(self)
            timer.setSingleShot(True)
            timer.timeout.connect(lambda: self._fire(key))
            self._timers[key] = timer
        self._callbacks[key] = callback
        timer.start(delay_ms)

    def _fire(self, key: str) -> None:
        callback = self._callbacks.pop(key, None)
        if callback is not None:
            callback()

    def cancel(self, key: str) -> None:
        timer = self._timers.get(key)
        if timer is not None:
            timer.stop()
        self._callbacks.pop(key, None)

    def pending(self, key: str) -> bool:
        timer = self._timers.get(key)
        return timer is not None and timer.isActive()

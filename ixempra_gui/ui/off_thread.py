"""Run one slow call (a journal server's sign-in) on a worker thread and hand its outcome back
to the GUI thread, so a server that is slow to answer never freezes the window."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QObject, Signal


class _Bridge(QObject):
    """Carries the worker's outcome to the GUI thread (a queued signal)."""

    done = Signal(object)


T = TypeVar("T")


def run_off_thread(
    parent: QObject, work: Callable[[], T], then: Callable[[T], object], name: str
) -> None:
    """``then(work())`` on the GUI thread, ``work()`` on a worker thread. ``work`` must not
    raise (it returns its failure) and must not touch widgets."""
    bridge = _Bridge(parent)
    bridge.done.connect(then)
    bridge.done.connect(bridge.deleteLater)

    def run() -> None:
        outcome = work()
        # RuntimeError: the window closed meanwhile, and nobody is waiting for the outcome
        with contextlib.suppress(RuntimeError):
            bridge.done.emit(outcome)

    threading.Thread(target=run, name=name, daemon=True).start()


class ThreadRunner:
    """``presentation.background.Runner`` on worker threads: ``then`` on the GUI thread, and
    dropped once ``parent`` is gone (the window or panel closed meanwhile)."""

    def __init__(self, parent: QObject) -> None:
        self.parent = parent

    def run(self, work: Callable[[], T], then: Callable[[T], object], name: str) -> None:
        run_off_thread(self.parent, work, then, name)

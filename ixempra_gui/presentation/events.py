"""Qt-free change notification: a small typed event the session emits and widgets connect to.

napari's model/events pattern without Qt: the session holds the state, each kind of change is
one ``Event[T]`` carrying one typed value, and a widget connects a callback that renders that
value. The session never knows which widgets listen, so it is tested without Qt (a list's
``append`` is a perfectly good listener), and a widget never reaches into another one.

Callbacks run synchronously, in the order they were connected, on the caller's thread (the GUI
thread: the session is only ever called from there). An exception in a callback propagates to
whoever changed the state, as a Qt slot's would reach the crash handler: a failed render must
never be swallowed while a stale figure stays on screen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

T = TypeVar("T")

Callback = Callable[[T], object]


class Event(Generic[T]):
    """One kind of change; ``emit(value)`` calls every connected callback with it."""

    __slots__ = ("_blocked", "_callbacks", "name")

    def __init__(self, name: str) -> None:
        self.name = name
        self._callbacks: list[Callback[T]] = []
        self._blocked = 0

    def __repr__(self) -> str:
        return f"Event({self.name!r}, {len(self._callbacks)} connected)"

    def connect(self, callback: Callback[T]) -> Callback[T]:
        """Call ``callback(value)`` on every emit; returns it (usable as a decorator)."""
        if callback not in self._callbacks:
            self._callbacks.append(callback)
        return callback

    def disconnect(self, callback: Callback[T]) -> None:
        """Stop calling ``callback``; a callback never connected is ignored."""
        if callback in self._callbacks:
            self._callbacks.remove(callback)

    @property
    def connected(self) -> int:
        return len(self._callbacks)

    def emit(self, value: T) -> None:
        """Call every callback with ``value`` (none while blocked)."""
        if self._blocked:
            return
        for callback in tuple(self._callbacks):  # a callback may disconnect itself
            callback(value)

    @contextmanager
    def blocked(self) -> Iterator[None]:
        """Emit nothing inside the block (nested blocks count)."""
        self._blocked += 1
        try:
            yield
        finally:
            self._blocked -= 1

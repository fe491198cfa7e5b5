"""Qt-free: what the session publishes — one typed event per kind of change — and what each
carries. Widgets connect to ``Session.events``; ``presentation.session`` emits.

The payloads, like the other small values whose classes are created before the window's first
frame (``signed_check.VerifyState``, ``ui.window_actions.Handlers``), are NamedTuples: as
immutable and typed as a frozen dataclass, for a seventh of the cost of creating the class
(about 0.06 ms against 0.4 ms each on CPython 3.11; bench/startup.py measures the start-up).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, NamedTuple

from ixempra_gui.presentation.events import Event

if TYPE_CHECKING:
    from ixempra_gui.presentation.coverage_answers import CoverageForm
    from ixempra_gui.presentation.coverage_view import CoverageView
    from ixempra_gui.presentation.history_view import HistoryView
    from ixempra_gui.presentation.order_state import FieldMessage, FormInput, ViewState
    from ixempra_gui.presentation.preferences import Preferences
    from ixempra_gui.presentation.signed_check import VerifyState


class OrderState(NamedTuple):
    """One calculation, as the window shows it."""

    form: FormInput | None  # None: the calculation itself failed
    view: ViewState
    messages: Mapping[str, tuple[FieldMessage, ...]]  # the dose's and the journal's, per field
    title: str


class ShownForm(NamedTuple):
    """The session changed the order itself (un-ticked "values checked", or New order)."""

    form: FormInput
    prefs: Preferences
    fresh: bool  # a new order: nothing of the last patient stays, not even a message line


class Notice(NamedTuple):
    """A line for the status bar, shown for ``ms`` milliseconds."""

    text: str
    ms: int


class Document(NamedTuple):
    """A worksheet or summary to print, or why there is none."""

    html: str | None
    refusal: str = ""


class SessionEvents:
    """Every change the session publishes, one typed event each."""

    def __init__(self) -> None:
        self.form: Event[ShownForm] = Event("form")
        self.order: Event[OrderState] = Event("order")
        self.hints: Event[Mapping[str, str]] = Event("hints")
        self.preferences: Event[Preferences] = Event("preferences")
        self.verification: Event[VerifyState] = Event("verification")
        self.checking: Event[bool] = Event("checking")  # the double check opened / closed
        self.history: Event[HistoryView] = Event("history")
        self.coverage_form: Event[CoverageForm] = Event("coverage_form")
        self.coverage: Event[CoverageView] = Event("coverage")
        self.notice: Event[Notice] = Event("notice")
        #: One calculation's views have all been published (the window lays out once, now).
        self.published: Event[None] = Event("published")

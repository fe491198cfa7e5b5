"""Qt-free: one independent double check of the order on screen, from the second entry to the
journal record — everything the Verify dialog decides; the dialog collects text and shows this.

The rules are the journal's (``compare``, ``sign_off_problems``, the history checks and
``Journal.record``); the words are ``verify_view``'s. The second entry is calculated on every
edit (the verifier's own messages, never anything of the first entry); Compare calculates both
entries at that moment and locks the comparison; Sign builds the record, which is written on a
worker thread (``write``: the journal may wait for another workstation's lock), and the outcome
comes back here to be worded. A recorded check is handed to the session (``on_recorded``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, datetime

from ixempra_gui.core.calculator import calculate
from ixempra_gui.core.models import Order
from ixempra_gui.journal.double_check import Comparison, compare, sign_off, sign_off_problems
from ixempra_gui.journal.entries import NewRecord, StoredRecord
from ixempra_gui.journal.errors import (
    HistoryNotAcknowledged,
    InvalidRecord,
    JournalError,
    RecordRefused,
)
from ixempra_gui.journal.history import History
from ixempra_gui.journal.identifiers import same_person
from ixempra_gui.presentation import journal_access
from ixempra_gui.presentation.fields import StatusKind
from ixempra_gui.presentation.history_view import shown_id
from ixempra_gui.presentation.journal_sign_in import JournalSignIn
from ixempra_gui.presentation.order_state import FormInput, ViewState
from ixempra_gui.presentation.order_view import build_order, date_issues, render
from ixempra_gui.presentation.preferences import Preferences
from ixempra_gui.presentation.site_answers import Credentials
from ixempra_gui.presentation.verify_view import (
    DifferenceRow,
    SecondEntry,
    compared_line,
    comparison_summary,
    difference_rows,
    history_lines,
    readable_problems,
    reentered_fields,
    second_form,
    site_settings_line,
)

__all__ = [
    "Compared",
    "Comparison",
    "Outcome",
    "PendingRecord",
    "SecondEntry",
    "StoredRecord",
    "VerifyCheck",
]

NOTHING_RECORDED = "Nothing was recorded; your entry and the form are kept."
COMPARE_FIRST = "Compare your entry with the first entry before signing."
READING_HISTORY = "Reading the journal for the patient's history…"
NOT_AUTHENTICATED = (
    "Names typed, not authenticated: this workstation's own journal records the names as "
    "typed (a site journal signs each pharmacist in)."
)


@dataclass(frozen=True)
class Compared:
    """What Compare shows: the verdict, what was compared, one row per difference, and the
    history warnings to acknowledge before signing."""

    summary: str
    compared: str
    rows: tuple[DifferenceRow, ...]
    history_lines: tuple[str, ...]

    @property
    def description(self) -> str:
        """Every difference in one line, for screen readers."""
        return "; ".join(row.text for row in self.rows) or "No difference."


@dataclass(frozen=True)
class PendingRecord:
    """A signed check ready to be written, and the history warnings acknowledged with it."""

    new: NewRecord
    acknowledged: tuple[str, ...]
    journal: JournalSignIn | None = None  # a site journal: the preparer's sign-in
    verifier: Credentials | None = None  # ...and the verifier's, in memory only


@dataclass(frozen=True)
class Outcome:
    """What became of a write: recorded (the record exists from now on) or why not."""

    recorded: bool
    message: str
    #: The history changed since Compare: its warnings, to show again and acknowledge again.
    history_lines: tuple[str, ...] | None = None
    #: Not one of the journal's errors: a bug, for the crash handler.
    unexpected: BaseException | None = None


class VerifyCheck:
    """The second pharmacist's entry, its comparison with the first, and signing."""

    def __init__(
        self,
        first: FormInput,
        prefs: Preferences,
        patient_id: str,
        administered_on: date,
        today: date,
        now: Callable[[], datetime],
        on_recorded: Callable[[StoredRecord], object] | None = None,
        journal: JournalSignIn | None = None,
    ) -> None:
        self.first = first
        self.prefs = prefs
        self.patient_id = patient_id
        self.administered_on = administered_on
        self.today = today
        self._now = now
        self._on_recorded = on_recorded
        self.journal = journal
        self.fields = reentered_fields(first)
        self.comparison: Comparison | None = None
        self.history: History | None = None
        self.orders: tuple[Order, Order] | None = None
        self.first_view: ViewState | None = None
        self.record: StoredRecord | None = None
        self.reading_history = False  # Compare's history read is under way
        self.history_error = ""  # it failed (a bug): Sign is refused

    @property
    def intro(self) -> str:
        return (
            f"Patient {shown_id(self.patient_id)}, administered on "
            f"{self.administered_on.isoformat()}.\n"
            "Second pharmacist: enter the order again from the source documents (the chart, "
            "the lab report), without looking at the first entry. It is hidden until you "
            "compare; then every difference is listed."
        )

    # --- who checks: typed names, or the site journal's sign-ins -------------------------------

    @property
    def authenticated(self) -> bool:
        """A site journal: the preparer is the signed-in user, the verifier signs in here."""
        return self.journal is not None and self.journal.is_site

    @property
    def preparer(self) -> str:
        """The signed-in preparer's name on a site journal ("" on SQLite: typed)."""
        return (self.journal.user or "") if self.authenticated and self.journal else ""

    @property
    def who_note(self) -> str:
        if not self.authenticated:
            return NOT_AUTHENTICATED
        return (
            f"Site journal: prepared by {self.preparer}, the signed-in user. The verifier signs "
            "in below with their own user name and password; their own session records the "
            "verification, so the server, not this form, says who verified."
        )

    def verifier_problems(self, verified_by: str, password: str) -> list[str]:
        """What the verifier's sign-in still lacks on a site journal (none on SQLite)."""
        if not self.authenticated:
            return []
        problems = []
        if verified_by.strip() and same_person(verified_by, self.preparer):
            problems.append(
                f"Verified by: {verified_by.strip()} is signed in as the preparer; another "
                "pharmacist signs in with their own name and password to verify."
            )
        if not password:
            problems.append("Verifier's password: the verifier signs in with their own password.")
        return problems

    # --- the second entry ---------------------------------------------------------------------

    def _second(self, entry: SecondEntry, now: datetime) -> tuple[Order, ViewState]:
        form = second_form(self.first, entry)
        order = build_order(form, self.prefs, now)
        return order, render(form, calculate(order))

    def entry_view(self, entry: SecondEntry) -> ViewState:
        """The verifier's entry calculated as it stands: its own messages, nothing of the first."""
        return self._second(entry, self._now())[1]

    @staticmethod
    def entry_problem(view: ViewState, shown: Collection[str], final: bool) -> str:
        """Messages for fields the dialog has no row for, and (at Compare) why the entry is
        not complete."""
        lines = []
        if final and view.kind is StatusKind.INPUT_NEEDED:
            lines.append(f"Your entry is not complete: {view.banner_detail}")
        lines += [
            m.shown for key, found in view.field_messages.items() if key not in shown for m in found
        ]
        return "\n".join(lines)

    # --- comparing ------------------------------------------------------------------------------

    def compare(self, entry: SecondEntry) -> tuple[ViewState, Compared | None]:
        """Calculate both entries now and compare them; None when the second entry is not
        complete (nothing is compared, nothing locked). Once compared, the comparison stands."""
        view, ready = self.begin_compare(entry)
        return view, self.finish_compare(self.read_history()) if ready else None

    def begin_compare(self, entry: SecondEntry) -> tuple[ViewState, bool]:
        """Compare's calculation (GUI thread); True when compared and locked: the history is
        then read (``read_history``, a worker thread) and ``finish_compare`` words it all."""
        if self.comparison is not None:
            raise RuntimeError("this double check is already compared")
        now = self._now()
        second_order, second_view = self._second(entry, now)
        if second_view.kind is StatusKind.INPUT_NEEDED:
            return second_view, False
        first_order = build_order(self.first, self.prefs, now)
        first_result = calculate(first_order)
        issues = date_issues(self.first, self.prefs, self.today)
        self.first_view = render(self.first, first_result, issues)
        assert second_view.result is not None
        self.orders = (first_order, second_order)
        self.comparison = compare(first_result, second_view.result)
        self.reading_history = True  # Sign waits for it
        return second_view, True

    def read_history(self) -> History | BaseException | None:
        """The journal's history checks of the first entry (a worker thread may run it; an
        exception is returned, never raised there)."""
        assert self.first_view is not None and self.first_view.result is not None
        try:
            return journal_access.history_for(
                self.patient_id, self.first_view.result, self.administered_on, self.journal
            )
        except Exception as exc:  # a bug: said, and Sign stays refused (fail closed)
            return exc

    def finish_compare(self, history: History | BaseException | None) -> Compared:
        """What Compare shows, once the history is read (GUI thread)."""
        assert self.comparison is not None
        self.reading_history = False
        if isinstance(history, BaseException):
            self.history_error = f"The patient's history could not be checked: {history!r}"
            history = None
        self.history = history
        return Compared(
            comparison_summary(self.comparison),
            f"{compared_line()}\n{site_settings_line(self.prefs)}",
            difference_rows(self.comparison),
            history_lines(self.history),
        )

    @property
    def history_warned(self) -> bool:
        return self.history is not None and bool(self.history.warnings)

    # --- signing --------------------------------------------------------------------------------

    def sign_problems(
        self, prepared_by: str, verified_by: str, comment: str, history_acknowledged: bool
    ) -> list[str]:
        """Every reason the check cannot be signed yet, in the journal's words."""
        if self.comparison is None:
            return [COMPARE_FIRST]
        if self.reading_history or self.history_error:
            return [self.history_error or READING_HISTORY]
        problems = readable_problems(
            sign_off_problems(self.comparison, prepared_by, verified_by, comment),
            self.comparison,
        )
        if self.first_view is not None and not self.first_view.ready:
            problems.append(
                f"The first entry is not ready to prepare now: {self.first_view.banner_detail}"
            )
        if self.history_warned and not history_acknowledged:
            problems.append("Tick that you have checked the history warnings.")
        return problems

    def pending(
        self,
        prepared_by: str,
        verified_by: str,
        comment: str,
        history_acknowledged: bool,
        verifier_password: str = "",
    ) -> PendingRecord:
        """The record to write (sign_off refuses, listing every problem, if it may not be)."""
        if self.comparison is None or self.orders is None:
            raise RuntimeError(COMPARE_FIRST)
        signed = sign_off(self.comparison, prepared_by, verified_by, comment)
        first, second = self.orders
        new = NewRecord.from_sign_off(signed, first, second, self.patient_id, self.administered_on)
        acknowledged = (
            tuple(w.key for w in self.history.warnings)
            if self.history is not None and history_acknowledged
            else ()
        )
        if not self.authenticated:
            return PendingRecord(new, acknowledged)
        verifier = Credentials(verified_by.strip(), verifier_password)
        return PendingRecord(new, acknowledged, self.journal, verifier)

    @staticmethod
    def write(pending: PendingRecord) -> object:
        """Write the record (on a worker thread): the StoredRecord, once its COMMIT returned,
        or the exception — every failure goes back to the dialog, which says so."""
        try:
            return journal_access.record(
                pending.new, pending.acknowledged, pending.journal, pending.verifier
            )
        except BaseException as exc:
            return exc

    def outcome(self, outcome: object) -> Outcome:
        """What the write's outcome means for the pharmacist (and, recorded, for the session)."""
        if isinstance(outcome, StoredRecord):  # committed: from here on the record exists
            self.record = outcome
            if self._on_recorded is not None:
                self._on_recorded(outcome)
            return Outcome(True, f"Recorded: journal record {outcome.id}.")
        if isinstance(outcome, HistoryNotAcknowledged):
            self.history = outcome.history
            return Outcome(
                False,
                "The patient's history changed since Compare (another dose was recorded?): "
                f"check the warnings and tick again. {NOTHING_RECORDED}",
                history_lines=history_lines(self.history),
            )
        if isinstance(outcome, InvalidRecord):
            return Outcome(False, f"{outcome} {NOTHING_RECORDED}")
        if isinstance(outcome, RecordRefused):
            return Outcome(False, f"Refused: {outcome}. {NOTHING_RECORDED}")
        if isinstance(outcome, JournalError):
            message = str(outcome)
            if "NOT recorded" not in message:
                message = f"The dose was NOT recorded: {message}"
            return Outcome(False, f"{message}\n{NOTHING_RECORDED}")
        return Outcome(
            False,
            f"The dose was NOT recorded: unexpected error {outcome!r}. {NOTHING_RECORDED}",
            unexpected=outcome if isinstance(outcome, BaseException) else None,
        )

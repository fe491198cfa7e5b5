"""Qt-free: the one session of the window — the order on screen and everything that follows it.

The session owns the order as typed (``FormInput``), its calculation (``ViewState``), the
verification (the record signed, whether the order is unchanged since), the patient's history
(doses read from the journal), the Coverage tab's answers and verdict, and what was printed. It
publishes every change through ``events`` (napari's model/events pattern): widgets connect,
render what they are given, and forward the pharmacist's intent — an edit, Verify, New order,
print — back to it. No widget reads another one, and none reaches into the main window.

Importing it loads neither Qt nor the core: it is built before the window's first frame, and
reaches the rules, the journal and the documents through ``presentation.loader`` once there is
something to calculate.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from ixempra_gui.presentation import loader
from ixempra_gui.presentation.background import ImmediateRunner, Runner
from ixempra_gui.presentation.fields import StatusKind, print_tooltip
from ixempra_gui.presentation.patient_history import PANEL_DELAY_MS, READ_DELAY_MS, PatientHistory
from ixempra_gui.presentation.preferences import Preferences
from ixempra_gui.presentation.scheduling import ManualScheduler, Scheduler
from ixempra_gui.presentation.session_events import (
    Document,
    Notice,
    OrderState,
    SessionEvents,
    ShownForm,
)
from ixempra_gui.presentation.signed_check import NOT_READY, SignedCheck

if TYPE_CHECKING:
    from datetime import date, datetime

    from ixempra_gui.presentation.coverage_answers import CoverageForm
    from ixempra_gui.presentation.coverage_view import CoverageView
    from ixempra_gui.presentation.journal_access import StoredRecord
    from ixempra_gui.presentation.journal_sign_in import JournalSignIn
    from ixempra_gui.presentation.new_order import Question, Snapshot
    from ixempra_gui.presentation.order_state import FormInput, ViewState
    from ixempra_gui.presentation.site_answers import VerifyProbe
    from ixempra_gui.presentation.verify_check import VerifyCheck

#: Scheduler keys: the journal read and the History panel's redraw.
JOURNAL_READ = "journal-read"
HISTORY_PANEL = "history-panel"


class Session:
    """The order on screen, its result, verification, history and coverage."""

    def __init__(
        self,
        prefs: Preferences | None = None,
        scheduler: Scheduler | None = None,
        today: Callable[[], date] | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.prefs = prefs or Preferences()
        self.scheduler: Scheduler = scheduler or ManualScheduler()
        self._today = today
        self._clock = clock
        self.events = SessionEvents()
        self.entered: FormInput | None = None  # the last order the form sent, as typed
        self.form: FormInput | None = None  # the order calculated (None: not yet, or failed)
        self.view: ViewState | None = None  # None: nothing calculated yet
        self.signed = SignedCheck()
        self.history = PatientHistory()
        self.checking: VerifyCheck | None = None  # the double check open now
        self.coverage_form: CoverageForm | None = None  # None: no Coverage tab yet
        self.coverage_view: CoverageView | None = None
        self._checked_values: frozenset[str] | None = None  # what the tick was given for
        self._output: Snapshot | None = None  # the last order printed or saved as PDF
        self._hints_sent = False
        #: Once-per-site notices already shown at this site (the window reads them from its
        #: settings): folded out of the top of the result (presentation/alerts.py).
        self.notices_seen: frozenset[str] = frozenset()
        self._journal: JournalSignIn | None = None  # see journal
        #: Runs the journal's slow calls: the window's runs them on a worker thread.
        self.runner: Runner = ImmediateRunner()

    # --- time -------------------------------------------------------------------------------

    def today(self) -> date:
        return self._today() if self._today is not None else loader.datetime.date.today()

    def clock(self) -> datetime:
        """Now, with the local time zone (what a printout states)."""
        if self._clock is not None:
            return self._clock()
        return loader.datetime.datetime.now().astimezone()

    def now(self) -> datetime:
        """The minute of the calculation, local and naive (an empty "prepared at")."""
        return self.clock().replace(tzinfo=None, second=0, microsecond=0)

    def say(self, text: str, ms: int = 8000) -> None:
        self.events.notice.emit(Notice(text, ms))

    @property
    def journal(self) -> JournalSignIn:
        """The configured journal and who is signed in to it (read on first use: after the
        first frame)."""
        if self._journal is None:
            self._journal = loader.journal_sign_in.JournalSignIn()
        return self._journal

    @property
    def patient_id(self) -> str:
        return self.form.patient_id if self.form is not None else ""

    # --- the order --------------------------------------------------------------------------

    def edit(self, form: FormInput) -> None:
        """The pharmacist changed the order (any field): calculate it and publish it."""
        previous, self.entered = self.entered, form
        starts_new = loader.new_order.identifier_starts_new_order
        another = starts_new(form, self.signed.order(), self.prefs)
        if another and self.new_order(form.patient_id):
            return  # another patient typed over a verified order: no question, it was verified
        changed = previous is None or form.patient_id != previous.patient_id
        if changed:
            self._identifier_changed()
        self._calculate(form)
        if changed:
            self.publish_history()  # at once: never another patient's doses under this one

    def recalculate(self) -> ViewState | None:
        """Calculate the order as it stands now (the time and the date move on): before it
        is printed or verified, never what an earlier edit showed."""
        if self.entered is not None:
            self._calculate(self.entered)
        return self.view

    def _calculate(self, form: FormInput) -> None:
        ov = loader.order_view
        if not self._hints_sent:
            self._hints_sent = True
            self.events.hints.emit(ov.field_hints())
        try:
            form, view, unticked = self._present(form)
        except Exception:
            # A bug, not bad input (the core never raises on input): clear every figure, and
            # let the crash handler report the traceback.
            self.form, self.view = None, ov.failure_view()
            self._publish(form.patient_id)
            raise
        self.form, self.view = form, loader.alerts.fold_seen(view, self.notices_seen)
        if unticked:
            self.events.form.emit(ShownForm(form, self.prefs, fresh=False))
            self.say(
                "“I have checked the values” was un-ticked: a value it was not given for needs "
                f"checking ({'; '.join(unticked)}).",
                20000,
            )
        self._publish(form.patient_id)

    def _present(self, form: FormInput) -> tuple[FormInput, ViewState, tuple[str, ...]]:
        """The view of the order; the tick "I have checked the values" covers only the values
        it was given for: one that appears after it un-ticks it (and the order is calculated
        again without it)."""
        ov = loader.order_view
        today, now = self.today(), self.now()
        view = ov.present(form, self.prefs, today, now)
        unticked: tuple[str, ...] = ()
        if form.acknowledge_warnings and self._checked_values is not None:
            unticked = tuple(v for v in view.values_to_check if v not in self._checked_values)
            if unticked:
                form = replace(form, acknowledge_warnings=False)
                view = ov.present(form, self.prefs, today, now)
        ticked = form.acknowledge_warnings
        self._checked_values = frozenset(view.values_to_check) if ticked else None
        return form, view, unticked

    def _publish(self, typed_patient_id: str) -> None:
        """Every view of the calculation: the order, coverage, Verify; the history soon."""
        assert self.view is not None
        messages = dict(self.view.field_messages)
        if self.form is not None:
            messages.update(self.history.messages(self.form, self.today()))
        title = loader.title.window_title(typed_patient_id)
        self.events.order.emit(OrderState(self.form, self.view, messages, title))
        self._publish_coverage()
        self._publish_verification()
        self.scheduler.later(HISTORY_PANEL, PANEL_DELAY_MS, self.publish_history)
        self.events.published.emit(None)

    def set_preferences(self, prefs: Preferences) -> None:
        """The site's preferences changed: the form takes their units and limits where nothing
        is typed (its edits come back through ``edit``), and the order is calculated again."""
        self.prefs = prefs
        self.events.preferences.emit(prefs)
        self.recalculate()

    # --- a new patient ----------------------------------------------------------------------

    def new_order_question(self) -> Question | None:
        """What New order must ask first, or None (clear at once)."""
        form, view = self.form, self.view
        if form is None or view is None:
            return None
        return loader.new_order.new_order_question(
            view.ready, (form, self.prefs), self._output, self.signed.order(), view.dose_value
        )

    def new_order(self, patient_id: str = "") -> bool:
        """Clear every patient entry (keeping ``patient_id``), the verification and the
        history; site preferences stay. Refused (False) while a double check is open: it owns
        the order until it closes."""
        if self.checking is not None:
            return False
        self.signed.clear()
        self._identifier_changed()
        self._checked_values, self._output = None, None
        today = self.today().isoformat()
        fresh = loader.new_order.fresh_form(self.prefs, today, patient_id)
        self.entered = fresh
        self.events.form.emit(ShownForm(fresh, self.prefs, fresh=True))
        if self.coverage_form is not None:
            self.coverage_form = loader.coverage_answers.CoverageForm(request_date=today)
            self.events.coverage_form.emit(self.coverage_form)
        self._calculate(fresh)
        self.publish_history()
        self.say(
            "New order: the last patient's entries were cleared on both tabs; site preferences "
            "are kept.",
            10000,
        )
        return True

    # --- printing ---------------------------------------------------------------------------

    def worksheet(self) -> Document:
        """The worksheet of the order as it stands now (calculated again), or why there is none."""
        self.recalculate()
        form, view = self.form, self.view
        if form is None or view is None or not view.ready:
            why = view.print_tooltip if view else print_tooltip(StatusKind.INPUT_NEEDED)
            return Document(None, why)
        record = self.signed.record_line(form, self.prefs)
        signed = self.signed.record(form, self.prefs)  # its preparation, once recorded (issue 16)
        site = self.journal.opener if self.journal.is_site else None
        prepared = loader.worksheet_preparation.preparation_lines(signed, site) if signed else None
        return Document(
            loader.worksheet.build_worksheet(form, view, self.clock(), record, prepared)
        )

    def printed(self) -> None:
        """The worksheet on screen was printed or saved as PDF (New order need not ask)."""
        self._output = (self.form, self.prefs) if self.form is not None else None

    def prior_auth(self) -> Document:
        """The prior-authorization summary of the order and answers as they stand now."""
        self.recalculate()
        cv = loader.coverage_view
        view = self.coverage_view
        try:
            if view is None:
                raise cv.NotAvailableError(cv.PA_NOT_YET)
            summary = cv.prior_auth_summary(view)
        except cv.NotAvailableError as why:
            return Document(None, str(why))
        return Document(loader.prior_auth_sheet.prior_auth_html(summary, self.clock()))

    @staticmethod
    def prior_auth_title() -> str:
        """The summary's title (its PDF's title and the print job's name)."""
        return loader.prior_auth_sheet.TITLE

    # --- verification -----------------------------------------------------------------------

    def _publish_verification(self) -> None:
        state = self.signed.state(self.view, self.form, self.prefs, self.today())
        if state.available and (why := self.journal.sign_in_needed()) is not None:
            state = state._replace(blocker=why)  # a site journal nobody is signed in to
        self.events.verification.emit(state)

    def this_record(self) -> int | None:
        """The journal record signed for the order on screen, unchanged since (this dose)."""
        return self.signed.record_id(self.form, self.prefs)

    def request_double_check(self, then: Callable[[VerifyCheck | str], object]) -> None:
        """``start_double_check`` with the site journal's server asked first through the
        runner (a worker thread: a silent server never freezes the window); ``then`` gets the
        check of the order as it stands when the server answered, or why not."""
        journal = self.journal
        if self.checking is not None or not journal.is_site or journal.sign_in_needed():
            then(self.start_double_check())
            return

        def answered(probe: VerifyProbe | None) -> None:
            then(self.start_double_check(lambda: journal.settle_verify(probe)))

        self.runner.run(journal.verify_probe, answered, "ixempra-verify-probe")

    def start_double_check(
        self, refusal_now: Callable[[], str | None] | None = None
    ) -> VerifyCheck | str:
        """Open the double check of the order as it stands (calculated again now), or why not
        (``refusal_now``: the site journal's answer, already asked for)."""
        if self.checking is not None:
            return self.checking
        self.recalculate()
        form, view = self.form, self.view
        blocker = self.signed.blocker(view, form, self.prefs, self.today())
        if blocker is not None or form is None:
            return blocker or NOT_READY
        # a site journal: signed in and reachable
        refusal = (refusal_now or self.journal.verify_refusal)()
        if refusal is not None:
            return refusal
        hv = loader.history_view
        when, _ = hv.administration_date(form.administered_on, self.today())
        assert when is not None  # the blocker said the date is usable
        self.checking = loader.verify_check.VerifyCheck(
            form,
            self.prefs,
            hv.patient_id_text(form.patient_id),
            when,
            self.today(),
            self.now,
            on_recorded=lambda record: self._recorded(record, form),
            journal=self.journal,
        )
        self.events.checking.emit(True)
        return self.checking

    def double_check_closed(self) -> None:
        self.checking = None
        self.events.checking.emit(False)
        self.recalculate()

    def _recorded(self, record: StoredRecord, form: FormInput) -> None:
        """The check is in the journal (its commit returned): this order is verified."""
        self.signed.sign(record, form, self.prefs)
        self.say(f"Verified and recorded: journal record {record.id}.", 15000)
        self.load_history()  # the panel now lists this dose too
        self._publish_verification()

    # --- the patient's history --------------------------------------------------------------

    def _identifier_changed(self) -> None:
        """Another identifier (or none): its doses are read once typing pauses; until then
        the panel says it is reading, never another patient's doses under this one."""
        self.history.forget()
        self.scheduler.cancel(HISTORY_PANEL)
        self.scheduler.later(JOURNAL_READ, READ_DELAY_MS, self.load_history)

    def load_history(self) -> None:
        """Read the patient's verified doses through the runner (no journal is ever created
        here): the panel says it is reading, then shows them."""
        self.scheduler.cancel(JOURNAL_READ)
        typed = self.entered.patient_id if self.entered is not None else ""
        self.history.start(typed, self.journal, self.runner, self._history_read)
        self.publish_history()

    def _history_read(self) -> None:
        self.publish_history()
        self._publish_coverage()  # its dosing limit now counts the doses already given

    def publish_history(self) -> None:
        """The History panel for the order and the calculation as they stand."""
        self.scheduler.cancel(HISTORY_PANEL)
        form, view = self.form, self.view
        if form is None or view is None:
            return
        if self.history.needs_read(form) and not self.scheduler.pending(JOURNAL_READ):
            # e.g. the first calculation of a form typed before it, or New order's identifier
            self.scheduler.later(JOURNAL_READ, READ_DELAY_MS, self.load_history)
        self.events.history.emit(self.history.view(form, view, self.today(), self.this_record()))

    def prior_units(self) -> int | None:
        """Units of this patient's verified doses in the policy's window (None: not known)."""
        if self.form is None:
            return None
        return self.history.prior_units(self.form, self.today(), self.this_record())

    # --- coverage ---------------------------------------------------------------------------

    def set_coverage_answers(self, answers: CoverageForm) -> None:
        """The Coverage tab's answers as they stand (every answer): evaluate them."""
        self.coverage_form = answers
        self._publish_coverage()

    def _publish_coverage(self) -> None:
        if self.coverage_form is None or self.view is None:
            return  # no Coverage tab, or nothing calculated yet: the tab's first words stand
        cv = loader.coverage_view
        if self.view.result is None:  # the calculation itself failed: check nothing
            self.coverage_view = cv.failed_coverage_view()
        else:
            self.coverage_view = cv.present_coverage(
                self.coverage_form, self.view, self.patient_id, self.today(), self.prior_units()
            )
        self.events.coverage.emit(self.coverage_view)

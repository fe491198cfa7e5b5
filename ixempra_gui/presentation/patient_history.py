"""Qt-free: the patient's verified doses, as read from the journal for the identifier typed.

The journal is read once per identifier, after typing pauses (``READ_DELAY_MS``), never on a
keystroke; the History panel then follows every edit of the order and the date from those
doses, at no disk cost, redrawn once typing pauses (``PANEL_DELAY_MS``) so a keystroke's path
to the new dose stays short (bench/startup.py). Until the doses of the identifier as typed are
read they are not known: never another patient's doses under this identifier.

The journal's own checks of the identifier and of the administration date are said beside
those fields: they never stop the dose; they stop Verify and the history.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ixempra_gui.presentation import loader
from ixempra_gui.presentation.background import ImmediateRunner, Runner
from ixempra_gui.presentation.fields import MessageKind

if TYPE_CHECKING:
    from datetime import date

    from ixempra_gui.presentation.history_view import HistoryView
    from ixempra_gui.presentation.journal_access import DosesRead, PatientDose
    from ixempra_gui.presentation.journal_sign_in import JournalSignIn
    from ixempra_gui.presentation.order_state import FieldMessage, FormInput, ViewState

#: The journal is read this long after the last keystroke in the patient identifier.
READ_DELAY_MS = 300
#: The History panel is redrawn this long after the last edit (the dose is not waited for).
PANEL_DELAY_MS = 40


class PatientHistory:
    """The doses read for one identifier (None: not read yet or unreadable) and why not."""

    def __init__(self) -> None:
        self.doses: tuple[PatientDose, ...] | None = None
        self.error: str | None = None
        self.read_for: str | None = None  # the identifier the doses were read for
        self.reading: str | None = None  # the identifier whose read is under way

    def forget(self) -> None:
        """Another identifier, or a new order: nothing is known until the journal is read."""
        self.doses, self.error, self.read_for, self.reading = None, None, None, None

    def read(self, typed: str, journal: JournalSignIn | None = None) -> None:
        """Read the verified doses of the identifier as typed (trimmed), at once."""
        self.start(typed, journal, ImmediateRunner(), lambda: None)

    def start(
        self,
        typed: str,
        journal: JournalSignIn | None,
        runner: Runner,
        then: Callable[[], object],
    ) -> None:
        """Read the verified doses of the identifier as typed (trimmed) through ``runner`` (the
        window's: a worker thread), then ``then()``; none is read for an identifier the
        journal refuses, and no journal is ever created here. Until the doses are back they
        are not known (the panel says it is reading); a read that comes back for another
        identifier than the one typed now is dropped. ``journal``: the window's sign-in to a
        site journal (None: the workstation's file)."""
        hv = loader.history_view
        patient = hv.patient_id_text(typed)
        self.doses, self.error, self.read_for, self.reading = None, None, patient, None
        if not patient or hv.patient_id_problem(patient) is not None:
            return
        self.reading = patient
        access = loader.journal_access

        def work() -> DosesRead:
            try:
                return access.fetch_doses(patient, journal)
            except Exception as exc:  # a bug: the history stays unknown (fail closed), said
                return access.DosesRead(None, f"the journal could not be read: {exc!r}")

        def done(found: DosesRead) -> None:
            access.settle_doses(found, journal)  # the status bar follows the server anyway
            if self.reading != patient:
                return  # stale: another identifier (or a new order) since it was asked
            self.doses, self.error, self.reading = found.doses, found.error, None
            then()

        runner.run(work, done, "ixempra-history-read")

    def needs_read(self, form: FormInput) -> bool:
        """The identifier in the form is usable and its doses were not read yet."""
        hv = loader.history_view
        patient = hv.patient_id_text(form.patient_id)
        return bool(patient) and self.read_for != patient and hv.patient_id_problem(patient) is None

    @staticmethod
    def messages(form: FormInput, today: date) -> dict[str, tuple[FieldMessage, ...]]:
        """Inline messages for the identifier and the administration date (the journal's)."""
        hv, message = loader.history_view, loader.order_state.FieldMessage
        messages: dict[str, tuple[FieldMessage, ...]] = {}
        problem = hv.patient_id_problem(hv.patient_id_text(form.patient_id))
        if problem:
            messages["patient_id"] = (message(MessageKind.ERROR, problem),)
        _, date_problem = hv.administration_date(form.administered_on, today)
        if date_problem:
            messages["administered_on"] = (message(MessageKind.ERROR, date_problem),)
        return messages

    def prior_units(self, form: FormInput, today: date, this_record: int | None) -> int | None:
        """Units of this patient's verified doses in the policy's window before the
        administration date, once the journal has been read for the identifier as typed;
        None while not known (no identifier, not read yet, unreadable, no usable date)."""
        if self.doses is None:
            return None
        hv = loader.history_view
        if self.read_for != hv.patient_id_text(form.patient_id):
            return None
        when, problem = hv.administration_date(form.administered_on, today)
        if when is None or problem:
            return None
        return hv.units_before(self.doses, when, this_record)

    def view(
        self, form: FormInput, view: ViewState, today: date, this_record: int | None
    ) -> HistoryView:
        """The History panel for the order and its calculation as they stand."""
        hv = loader.history_view
        patient = hv.patient_id_text(form.patient_id)
        problem = hv.patient_id_problem(patient) if patient else None
        current = self.read_for == patient
        when, date_problem = hv.administration_date(form.administered_on, today)
        return hv.history_view(
            patient,
            self.doses if current else None,
            view.result,
            when,
            problem or (self.error if current else None),
            date_problem,
            this_record,
        )

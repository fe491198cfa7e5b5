"""Qt-free: the last double check signed in this window, and whether Verify may be used now.

A journal record belongs to the order on screen only while that order (and the preferences it
was calculated with) is the one signed: the record line then names it on screen and on the
worksheet, the History panel lists it as this dose and the Coverage tab counts its units once
(issue 12.8). After any edit it is an earlier dose, and the order must be verified again.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, NamedTuple

from ixempra_gui.presentation import loader
from ixempra_gui.presentation.fields import NOT_VERIFIED

if TYPE_CHECKING:
    from datetime import date

    from ixempra_gui.presentation.journal_access import StoredRecord
    from ixempra_gui.presentation.new_order import Snapshot
    from ixempra_gui.presentation.order_state import FormInput, ViewState
    from ixempra_gui.presentation.preferences import Preferences

NOT_READY = "Verify is available only for a dose that is ready to prepare."
VERIFY_TIP = (
    "Independent double check: a second pharmacist re-enters the order, the two are compared, "
    "and the check is signed into the journal (Ctrl+Shift+V)."
)


def _of_the_dose(prefs: Preferences) -> Preferences:
    """The preferences a dose is calculated with: the bag label's second-identifier lines and
    the scanners' GS substitute (issue 16) change no figure, so changing them keeps the check."""
    return replace(prefs, second_patient_identifier=False, scanner_gs_substitute="")


class VerifyState(NamedTuple):
    """What the Verify button and the record line show."""

    blocker: str | None  # why Verify is unavailable; None: it is available
    record_text: str  # the record of this very order's check, or that it is not verified

    @property
    def available(self) -> bool:
        return self.blocker is None

    @property
    def tooltip(self) -> str:
        return self.blocker or VERIFY_TIP


INITIAL_VERIFY = VerifyState(NOT_READY, NOT_VERIFIED)


class SignedCheck:
    """The record of the last check signed here, with the order and preferences it signed."""

    def __init__(self) -> None:
        self._signed: tuple[StoredRecord, FormInput, Preferences] | None = None

    def sign(self, record: StoredRecord, form: FormInput, prefs: Preferences) -> None:
        self._signed = (record, form, prefs)

    def clear(self) -> None:
        self._signed = None

    def order(self) -> Snapshot | None:
        """The last order signed in this window, with the preferences it was signed with."""
        return None if self._signed is None else (self._signed[1], self._signed[2])

    def record(self, form: FormInput | None, prefs: Preferences) -> StoredRecord | None:
        """The record of this very order's check, or None (not verified, or the order or the
        preferences changed since it was signed: then it is an earlier dose)."""
        if self._signed is None or form is None:
            return None
        record, signed_form, signed_prefs = self._signed
        same = (signed_form, _of_the_dose(signed_prefs)) == (form, _of_the_dose(prefs))
        return record if same else None

    def record_id(self, form: FormInput | None, prefs: Preferences) -> int | None:
        record = self.record(form, prefs)
        return None if record is None else record.id

    def record_line(self, form: FormInput | None, prefs: Preferences) -> str | None:
        """The record line of this very order's check (screen and worksheet), or None."""
        record = self.record(form, prefs)
        return None if record is None else loader.verify_view.record_line(record)

    def state(
        self, view: ViewState | None, form: FormInput | None, prefs: Preferences, today: date
    ) -> VerifyState:
        line = self.record_line(form, prefs)
        if line is None and self._signed is not None:
            line = (
                f"{NOT_VERIFIED} The order changed after journal record {self._signed[0].id} "
                "was signed: verify again."
            )
        return VerifyState(self.blocker(view, form, prefs, today), line or NOT_VERIFIED)

    def blocker(
        self, view: ViewState | None, form: FormInput | None, prefs: Preferences, today: date
    ) -> str | None:
        """Why Verify is unavailable now (None: it is available)."""
        if view is None or form is None:
            return NOT_READY
        return loader.verify_view.verify_blocker(
            view.ready,
            view.not_ready,
            loader.history_view.patient_id_text(form.patient_id),
            form.administered_on,
            today,
            self.record_id(form, prefs),
        )

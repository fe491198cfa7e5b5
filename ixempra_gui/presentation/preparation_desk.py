"""Qt-free: the preparation of the dose just verified in this window (issue 16) — the kits
scanned, the two times, who compounds — judged and recorded through the same journal
functions as ``ixempra-journal prepare`` (``journal.preparing``: find_dose, judge,
compounder, record_near_misses, record_preparation) and labelled through ``bag_label``.

Every refused scan is appended as a near miss as soon as it is refused (what was scanned,
when, by whom); the preparation is appended once, when every planned kit is accepted and both
times are usable (a preparation past its 1-hour limit is recorded as failed: discard and
remake). A journal problem is said in the panel, never raised to the pharmacist.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime, tzinfo
from typing import Final

from ixempra_gui.core.compounding import PreparationCheck, Scan, describe_plan
from ixempra_gui.core.compounding_clock import DILUTED_AT, RECONSTITUTED_AT
from ixempra_gui.journal.bag_label import (
    BLANK,
    DEADLINE,
    DETAIL,
    DRUG_LINE,
    PATIENT,
    PEOPLE,
    RECORD,
    WARNING,
    BagLabel,
    LabelRefused,
    bag_label_document,
)
from ixempra_gui.journal.entries import StoredRecord
from ixempra_gui.journal.errors import InvalidRecord, JournalError
from ixempra_gui.journal.identifiers import check_person
from ixempra_gui.journal.interface import JournalStore
from ixempra_gui.journal.preparation_records import (
    DoseToPrepare,
    NotPreparable,
    RecordedPreparation,
    dose_to_prepare,
)
from ixempra_gui.journal.preparing import (
    NoSuchRecord,
    PreparationRefused,
    compounder,
    find_dose,
    judge,
    preparation_of,
    record_near_misses,
    record_preparation,
)
from ixempra_gui.journal.store import Journal
from ixempra_gui.presentation import preparation_view as pv

__all__ = [
    "BLANK",
    "DEADLINE",
    "DETAIL",
    "DRUG_LINE",
    "PATIENT",
    "PEOPLE",
    "RECORD",
    "WARNING",
    "BagLabel",
    "PreparationDesk",
]

JournalOpener = Callable[[], AbstractContextManager[JournalStore]]
NOT_RECORDED: Final = "Record the preparation first (every planned kit scanned, both times)."


def _open_journal() -> AbstractContextManager[JournalStore]:
    return Journal.open()


class PreparationDesk:
    """One dose's preparation at this workstation: the scans so far, the times, the record."""

    def __init__(
        self,
        dose: StoredRecord,
        clock: Callable[[], datetime],
        *,
        gs_substitute: str | None = None,
        second_identifier: bool = False,
        open_journal: JournalOpener = _open_journal,
        tz: tzinfo | None = None,
        compounded_by: str = "",
    ) -> None:
        self.record = dose
        self.clock = clock  # now, aware (the session's clock)
        self.gs_substitute = gs_substitute
        self.second_identifier = second_identifier
        self.open_journal = open_journal
        self.tz = tz
        self.compounded_by = compounded_by  # on a site journal: the signed-in user
        self.scans: list[Scan] = []
        self.reconstituted_at: datetime | None = None
        self.diluted_at: datetime | None = None
        self.notes: list[str] = []
        self.near_misses: list[StoredRecord] = []
        self.recorded: RecordedPreparation | None = None
        self.dose: DoseToPrepare | None = None
        self.unavailable = ""  # why this dose cannot be prepared here (said in the panel)
        self._load()

    # --- the dose -----------------------------------------------------------------------------

    def _load(self) -> None:
        """Find the dose (still the one verified); a preparation that stands is shown."""
        try:
            with self.open_journal() as journal:
                try:
                    self.dose = find_dose(journal, self.record.id)
                except PreparationRefused as exc:
                    if exc.prepared_by is None:
                        raise
                    self.recorded = preparation_of(journal, self.record)
                    self.dose = _dose_of(self.record)
                    if self.recorded is not None:
                        self.reconstituted_at = self.recorded.reconstituted_at
                        self.diluted_at = self.recorded.diluted_at
        except (PreparationRefused, NoSuchRecord, JournalError) as exc:
            self.unavailable = f"This dose cannot be prepared here: {exc}"

    @property
    def heading(self) -> str:
        result = self.record.result
        dose = result.get("dose_mg")
        plan = describe_plan(self.dose.plan) if self.dose is not None else "—"
        return (
            f"Dose record {self.record.id} · patient {self.record.patient_id} · "
            f"{dose} mg · kits: {plan}"
        )

    # --- what the pharmacist does ---------------------------------------------------------------

    def set_compounder(self, name: str) -> str | None:
        """Who compounds (and scans); the problem with the name, or None."""
        self.compounded_by = name.strip()
        if not self.compounded_by:
            return "Compounded by: required (who compounds and scans the kits)."
        if _looks_scanned(self.compounded_by):
            return (
                "Compounded by: this looks like a kit's barcode, scanned into the name field. "
                "Type who compounds, press Enter, then scan in the Scan field."
            )
        return check_person("Compounded by", self.compounded_by)

    def set_times(self, reconstituted_at: datetime | None, diluted_at: datetime | None) -> None:
        """The batch's times as entered (naive: local wall time)."""
        self.reconstituted_at, self.diluted_at = reconstituted_at, diluted_at

    def check(self) -> PreparationCheck | None:
        """The scans and times judged now (None when the dose cannot be prepared)."""
        if self.dose is None:
            return None
        return judge(
            self.dose,
            self.scans,
            reconstituted_at=self.reconstituted_at,
            diluted_at=self.diluted_at,
            now=self.clock(),
            gs_substitute=self.gs_substitute,
            tz=self.tz,
        )

    def scan(self, typed: str) -> None:
        """One scan as the field holds it; a refused one is appended as a near miss now."""
        if self.dose is None or self.recorded is not None or not typed.strip():
            return
        if problem := self.set_compounder(self.compounded_by):
            self.notes.append(f"Scan not judged: {problem}")
            return
        self.scans.append(Scan(pv.scan_text(typed), self.clock()))
        check = self.check()
        assert check is not None
        last = check.kits.outcomes[-1]
        if last.refusal is None:
            return
        try:
            with self.open_journal() as journal:
                who = compounder(journal, self.compounded_by)
                self.near_misses += record_near_misses(journal, self.dose, [last], who)
        except (InvalidRecord, JournalError) as exc:
            self.notes.append(f"The refused scan was NOT kept as a near miss: {_said(exc)}")

    def record_preparation(self) -> None:
        """Append the preparation (complete, or failed) once every planned kit is accepted."""
        check = self.check()
        if check is None or self.dose is None or not self._recordable(check):
            return
        try:
            with self.open_journal() as journal:
                who = compounder(journal, self.compounded_by)
                outcome = record_preparation(journal, self.dose, check, who, with_near_misses=False)
                if outcome.refused is not None:
                    self.notes.append(f"The preparation was NOT recorded: {outcome.refused}")
                    self.dose = find_dose(journal, self.record.id)  # kits used since: refused
                elif outcome.preparation is not None:
                    self.recorded = preparation_of(journal, self.record)
        except (InvalidRecord, PreparationRefused, JournalError) as exc:
            self.notes.append(f"The preparation was NOT recorded: {_said(exc)}")

    def label(self) -> BagLabel | str:
        """The bag label now, or why there is none (LabelRefused's reason)."""
        if self.recorded is None:
            return NOT_RECORDED
        try:
            return bag_label_document(
                self.record,
                self.recorded,
                now=self.clock(),
                second_identifier=self.second_identifier,
                tz=self.tz,
            )
        except LabelRefused as exc:
            return f"No label: {exc}"

    def remake(self) -> None:
        """After a failed preparation: start again with new kits and times (the failed record
        stays in the journal; find_dose lets a failed preparation be remade)."""
        if self.recorded is None or not self.recorded.failed:
            return
        self.scans.clear()
        self.notes.clear()
        self.recorded, self.reconstituted_at, self.diluted_at = None, None, None
        self._load()

    # --- what the panel shows -----------------------------------------------------------------

    def _recordable(self, check: PreparationCheck) -> bool:
        return (
            self.recorded is None
            and check.kits.complete
            and not check.clocks.errors
            and self.reconstituted_at is not None
            and self.diluted_at is not None
            and self.set_compounder(self.compounded_by) is None
        )

    def view(self) -> pv.PreparationView:
        check = self.check()
        label = self.label()
        printable = not isinstance(label, str)
        if check is None:
            return _unavailable(self.heading, self.unavailable, tuple(self.notes))
        tz = self.tz
        last, refused = pv.last_scan(check, tz)
        blockers = list(check.blockers)
        if problem := self.set_compounder(self.compounded_by):
            blockers.insert(0, problem)
        done = self.recorded
        return pv.PreparationView(
            heading=self.heading,
            kits=_recorded_rows(done, tz) if done and not self.scans else pv.kit_rows(check, tz),
            refused=tuple(pv.refused_line(o, tz) for o in check.kits.near_misses),
            last_scan=last,
            last_refused=refused,
            reconstitution_clock=pv.reconstitution_clock(check.clocks, tz),
            infusion_clock=pv.infusion_clock(check.clocks, tz),
            time_problems={
                issue.field: issue.message
                for issue in check.clocks.errors
                if issue.field in (RECONSTITUTED_AT, DILUTED_AT)
            },
            failure=" ".join(check.failures),
            blockers=tuple(blockers),
            can_scan=done is None and not check.kits.complete and problem is None,
            can_record=self._recordable(check),
            can_remake=done is not None and done.failed,
            recorded=_recorded_text(done),
            can_print=printable,
            print_refusal="" if printable else str(label),
            notes=tuple(self.notes),
        )


def _looks_scanned(name: str) -> bool:
    """A scan typed into the name field (the scanner types wherever the focus is): a group
    separator, a symbology identifier, or a GTIN's AI 01 and 14 digits."""
    return (
        pv.GS_SHOWN in name
        or pv.GS in name
        or name.startswith("]")
        or (name[:16].isdigit() and name.startswith("01") and len(name) >= 16)
    )


def _dose_of(record: StoredRecord) -> DoseToPrepare | None:
    """The plan of a dose already prepared (find_dose refuses it: it is shown, not redone)."""
    try:
        return dose_to_prepare(record)
    except NotPreparable:
        return None


def _recorded_rows(done: RecordedPreparation, tz: tzinfo | None) -> tuple[pv.KitRow, ...]:
    """The kits of a preparation recorded before this panel opened, as recorded."""
    return tuple(
        pv.KitRow(
            kit.strength_mg or 0,
            True,
            f"{pv.TICK} {kit.strength_mg} mg kit — lot {kit.lot} · exp "
            f"{kit.expiry.isoformat() if kit.expiry else '?'} · serial {kit.serial or 'none'}",
        )
        for kit in done.kits
    )


def _recorded_text(done: RecordedPreparation | None) -> str:
    if done is None:
        return ""
    state = "FAILED — discard and remake" if done.failed else "complete"
    return (
        f"Preparation recorded ({state}): journal record {done.record.id}, compounded by "
        f"{done.compounded_by}."
    )


def _said(exc: Exception) -> str:
    if isinstance(exc, InvalidRecord):
        return " ".join(message for _, message in exc.problems)
    return str(exc)


def _unavailable(heading: str, why: str, notes: tuple[str, ...]) -> pv.PreparationView:
    return pv.PreparationView(
        heading=heading,
        kits=(),
        refused=(),
        last_scan=why,
        last_refused=True,
        reconstitution_clock="",
        infusion_clock="",
        time_problems={},
        failure="",
        blockers=(why,),
        can_scan=False,
        can_record=False,
        can_remake=False,
        recorded="",
        can_print=False,
        print_refusal=why,
        notes=notes,
    )


def preparation_lines(dose: StoredRecord) -> tuple[str, ...] | None:
    """The worksheet's lines of the preparation of ``dose``, or None (none yet: the worksheet
    keeps its table to write in); a journal that cannot be read is said."""
    try:
        journal = Journal.open_existing()
        if journal is None:
            return None
        with journal:
            prep = preparation_of(journal, dose)
    except JournalError as exc:
        return (f"The preparation could not be read from the journal: {exc}",)
    return pv.preparation_lines(prep) if prep is not None else None

"""Qt-free: the preparation of the dose just verified in this window (issue 16) — the kits
scanned, the two times, who compounds — judged and recorded through the same journal
functions as ``ixempra-journal prepare`` (``journal.preparing``: find_dose, judge,
compounder, record_near_misses, record_preparation) and labelled through ``bag_label``.

Every refused scan is appended as a near miss (what was scanned, when, by whom) before the
next scan is judged: the journal calls (``preparation_work``) wait in a queue, run one at a
time here (``run_all``) or by the panel on a worker thread (``next_job`` / ``finish``). The
preparation is appended once, when every planned kit is accepted and both times are usable
(past its 1-hour limit: recorded as failed, discard and remake). A journal problem is said in
the panel, never raised to the pharmacist.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime, tzinfo
from functools import partial
from typing import Final

from ixempra_gui.core.compounding import PreparationCheck, Scan, ScanOutcome, describe_plan
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
from ixempra_gui.journal.identifiers import check_person
from ixempra_gui.journal.interface import JournalStore
from ixempra_gui.journal.preparation_records import DoseToPrepare, RecordedPreparation
from ixempra_gui.journal.preparing import judge
from ixempra_gui.journal.store import Journal
from ixempra_gui.presentation import preparation_view as pv
from ixempra_gui.presentation import preparation_work as work

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

JournalOpener = work.JournalOpener
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
        at_once: bool = True,
    ) -> None:
        """``at_once``: every journal call is made when asked (tests, scripts); False (the
        window): they wait in ``next_job`` for the panel to run them on a worker thread."""
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
        self.at_once = at_once
        #: What waits for the journal, in order: ("load" | "scan" | "record", text, when).
        self._todo: deque[tuple[str, str, datetime | None]] = deque()
        self._job: work.Job | None = None  # the journal call under way
        self._load()

    # --- the dose -----------------------------------------------------------------------------

    def _load(self) -> None:
        """Find the dose (still the one verified); a preparation that stands is shown."""
        self._ask("load")

    def _loaded(self, found: work.Loaded) -> None:
        self.dose, self.recorded, self.unavailable = found.dose, found.recorded, found.unavailable
        if self.recorded is not None:
            self.reconstituted_at = self.recorded.reconstituted_at
            self.diluted_at = self.recorded.diluted_at

    # --- the journal calls, one at a time and in order ------------------------------------------

    def _ask(self, kind: str, text: str = "", when: datetime | None = None) -> None:
        self._todo.append((kind, text, when))
        if self.at_once:
            self.run_all()

    @property
    def busy(self) -> str:
        """What the journal is doing now ("" when nothing)."""
        return self._job.doing if self._job is not None else ""

    @property
    def waiting(self) -> bool:
        """A journal call is under way or asked for (Record waits for it)."""
        return self._job is not None or bool(self._todo)

    def next_job(self) -> work.Job | None:
        """The next journal call to run, once the last one is finished (None: none now). A
        queued scan is judged here, after the near miss of the scan before it was kept."""
        if self._job is not None:
            return None
        while self._todo and self._job is None:
            self._job = self._job_for(*self._todo.popleft())
        return self._job

    def finish(self, outcome: object) -> str:
        """Take the outcome of the call ``next_job`` gave (GUI thread); its kind."""
        job, self._job = self._job, None
        assert job is not None
        job.settle(outcome)
        return job.kind

    def run_all(self) -> None:
        """Every journal call asked for, here and now."""
        while (job := self.next_job()) is not None:
            self.finish(job.work())

    def _job_for(self, kind: str, text: str, when: datetime | None) -> work.Job | None:
        opener = self.open_journal
        if kind == "load":
            return work.Job(
                kind, work.LOADING, partial(work.load, opener, self.record), self._loaded
            )
        if kind == "scan":
            refused = self._judge(text, when or self.clock())
            if refused is None or self.dose is None:
                return None
            miss = partial(work.keep_near_miss, opener, self.dose, refused, self.compounded_by)
            return work.Job(kind, work.KEEPING_NEAR_MISS, miss, self._near_miss_kept)
        check = self.check()
        if check is None or self.dose is None or not self._recordable(check):
            return None
        keep = partial(
            work.keep_preparation, opener, self.record, self.dose, check, self.compounded_by
        )
        return work.Job(kind, work.RECORDING, keep, self._prepared)

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
        """One scan as the field holds it; a refused one is appended as a near miss before
        the next scan is judged."""
        self._ask("scan", typed, self.clock())

    def _judge(self, typed: str, when: datetime) -> ScanOutcome | None:
        """Judge one scan now: the refused outcome to keep as a near miss, or None."""
        if self.dose is None or self.recorded is not None or not typed.strip():
            return None
        if problem := self.set_compounder(self.compounded_by):
            self.notes.append(f"Scan not judged: {problem}")
            return None
        self.scans.append(Scan(pv.scan_text(typed), when))
        check = self.check()
        assert check is not None
        last = check.kits.outcomes[-1]
        return last if last.refusal is not None else None

    def _near_miss_kept(self, kept: tuple[StoredRecord, ...] | str) -> None:
        if isinstance(kept, str):
            self.notes.append(kept)
        else:
            self.near_misses += kept

    def record_preparation(self) -> None:
        """Append the preparation (complete, or failed) once every planned kit is accepted."""
        self._ask("record")

    def _prepared(self, outcome: RecordedPreparation | work.NotRecorded | str | None) -> None:
        if isinstance(outcome, work.NotRecorded):
            self.notes.append(outcome.why)
            if outcome.dose is not None:
                self.dose = outcome.dose  # read again: kits another dose used since are refused
        elif isinstance(outcome, str):
            self.notes.append(outcome)
        elif outcome is not None:
            self.recorded = outcome

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
            return _unavailable(self.heading, self.busy or self.unavailable, tuple(self.notes))
        tz = self.tz
        last, refused = pv.last_scan(check, tz)
        blockers = list(check.blockers)
        if problem := self.set_compounder(self.compounded_by):
            blockers.insert(0, problem)
        if self.busy:
            queued = sum(1 for kind, *_ in self._todo if kind == "scan")
            waiting = f" ({queued} scan{'s' if queued != 1 else ''} waiting for it)"
            blockers.insert(0, self.busy + (waiting if queued else ""))
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
            can_record=self._recordable(check) and not self.waiting,
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

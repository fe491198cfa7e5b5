"""Preparing a verified dose (issue 16), on either journal: find the dose, judge the scans and
the times against its plan (``core.compounding``), and append what happened — every refused
scan as a near miss, and the preparation once every planned kit is accepted.

Refused before anything is judged: a record that is not a verified dose, a dose record that
fails its checks (``JournalAltered``), a dose already prepared (its latest preparation did not
fail and has both times: the message names that record). Times that are not usable (in the
future, a dilution before the reconstitution) are input errors (``InvalidRecord``): nothing is
recorded. Under the journal's write lock the dose is looked up again, unchanged, and still not
prepared (two workstations never both prepare it), and none of its serialised kits is in
another dose's preparation (journal/kit_serials.py: two workstations never both use one kit);
near misses are kept even when the preparation itself is refused there.

On the site journal the compounder is the signed-in user (a name given must be that user's).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from typing import Any

from ixempra_gui.core.compounding import (
    PreparationCheck,
    Scan,
    ScanOutcome,
    check_preparation,
    refused_as_used,
)
from ixempra_gui.core.wording import recorded_time
from ixempra_gui.journal.appending import AppendCheck
from ixempra_gui.journal.entries import StoredRecord
from ixempra_gui.journal.errors import InvalidRecord, JournalAltered, RecordRefused
from ixempra_gui.journal.identifiers import check_person, same_person
from ixempra_gui.journal.interface import AuthenticatedJournal, JournalStore
from ixempra_gui.journal.kinds import PREPARATION
from ixempra_gui.journal.kit_serials import KitsCheck, serials_used
from ixempra_gui.journal.preparation_records import (
    DoseToPrepare,
    NotPreparable,
    RecordedPreparation,
    blocking_preparation,
    current_preparation,
    dose_to_prepare,
    near_miss_draft,
    preparation_draft,
)

RECORDED_WITH_CLI = "ixempra-journal prepare"
RECORDED_WITH_WINDOW = "ixempra-gui preparation"


class NoSuchRecord(LookupError):
    """No record has this id."""


class PreparationRefused(RecordRefused):
    """The dose cannot be prepared (not a dose, already prepared); nothing was recorded.
    ``prepared_by``: the record of the preparation that stands, when that is the reason."""

    def __init__(self, message: str, prepared_by: int | None = None) -> None:
        super().__init__(message)
        self.prepared_by = prepared_by


class KitAlreadyUsed(PreparationRefused):
    """Under the write lock, serialised kits of the preparation were found in another dose's
    preparation (``refused``: those scans, now refused); the preparation was not recorded."""

    def __init__(self, message: str, refused: tuple[ScanOutcome, ...]) -> None:
        super().__init__(message)
        self.refused = refused


@dataclass(frozen=True)
class PrepareOutcome:
    """What one call judged and recorded."""

    dose: DoseToPrepare
    check: PreparationCheck
    preparation: StoredRecord | None  # recorded once every planned kit was accepted
    near_misses: tuple[StoredRecord, ...]  # one per refused scan, recorded
    refused: str | None = None  # why the preparation was refused under the lock, if it was

    @property
    def outcome(self) -> str:
        """``refused_scan`` (any near miss), ``kits_missing``, ``failed`` or ``complete``."""
        if self.check.kits.near_misses:
            return "refused_scan"
        if self.preparation is None:
            return "kits_missing"
        return "failed" if self.check.failed else "complete"


def find_dose(journal: JournalStore, record_id: int) -> DoseToPrepare:
    """The verified dose ``record_id`` that may be prepared now. NoSuchRecord; PreparationRefused
    (not a dose, already prepared); JournalAltered when the dose record fails its hash."""
    record = journal.get(record_id)
    if record is None:
        raise NoSuchRecord(f"no record {record_id} (the journal holds {journal.count()} records)")
    dose = _dose(journal, record)
    standing = blocking_preparation(record, list(journal.records(dose.patient_id)))
    if standing is not None:
        raise _already(dose, standing)
    preparations = list(journal.records_of_kind(PREPARATION))
    _require_intact(journal, preparations)
    return replace(dose, serials_used=serials_used(record, preparations))


def _require_intact(journal: JournalStore, records: Sequence[StoredRecord]) -> None:
    for record in records:
        if not record.readable or not record.intact:
            raise JournalAltered(
                journal.location,
                f"record {record.id}: its content does not match its hash (edited?)",
                record.id,
                journal.resolution,
            )


def _dose(journal: JournalStore, record: StoredRecord) -> DoseToPrepare:
    if record.readable and not record.intact:
        raise JournalAltered(
            journal.location,
            f"record {record.id}: its content does not match its hash (edited?)",
            record.id,
            journal.resolution,
        )
    try:
        return dose_to_prepare(record)
    except NotPreparable as exc:
        raise PreparationRefused(f"{exc}; nothing was recorded") from exc


def _already(dose: DoseToPrepare, standing: RecordedPreparation) -> PreparationRefused:
    record = standing.record
    return PreparationRefused(
        f"record {dose.record.id} was already prepared: preparation record {record.id} "
        f"(compounded by {standing.compounded_by}, recorded "
        f"{recorded_time(record.recorded_at)}); a dose is prepared once (a failed preparation "
        "is remade); nothing was recorded",
        prepared_by=record.id,
    )


def judge(
    dose: DoseToPrepare,
    scans: Iterable[Scan],
    *,
    reconstituted_at: datetime | None,
    diluted_at: datetime | None,
    now: datetime,
    gs_substitute: str | None = None,
    tz: tzinfo | None = None,
) -> PreparationCheck:
    """The scans and times of a preparation of ``dose``, judged at ``now`` (pure)."""
    return check_preparation(
        dose.plan,
        scans,
        reconstituted_at=reconstituted_at,
        diluted_at=diluted_at,
        infusion_hours=dose.infusion_hours,
        now=now,
        gs_substitute=gs_substitute,
        tz=tz,
        used=dose.serials_used,
        administered_on=dose.administration_date,
    )


def compounder(journal: JournalStore, given: str | None) -> str:
    """Who compounds: the signed-in user on the site journal (a name given must be theirs),
    else the name given. InvalidRecord naming the field otherwise."""
    if isinstance(journal, AuthenticatedJournal):
        if given is not None and not same_person(given, journal.user):
            raise InvalidRecord(
                [
                    (
                        "compounded_by",
                        f"Compounded by: {given!r} is not the signed-in user {journal.user!r}.",
                    )
                ]
            )
        return journal.user
    if given is None:
        raise InvalidRecord([("compounded_by", "Compounded by: required (who compounded).")])
    if problem := check_person("Compounded by", given):
        raise InvalidRecord([("compounded_by", problem)])
    return given


def record_near_misses(
    journal: JournalStore,
    dose: DoseToPrepare,
    refused: Sequence[ScanOutcome],
    scanned_by: str,
    *,
    recorded_with: str = RECORDED_WITH_WINDOW,
) -> tuple[StoredRecord, ...]:
    """Append refused scans as near misses, e.g. the window's last scan as soon as it is
    refused (``check.kits.outcomes[-1]``); accepted outcomes are ignored. Nothing: ()."""
    authenticated = isinstance(journal, AuthenticatedJournal)
    drafts = [
        near_miss_draft(
            dose,
            outcome,
            scanned_by=scanned_by,
            authenticated=authenticated,
            recorded_with=recorded_with,
        )
        for outcome in refused
        if outcome.refusal is not None
    ]
    if not drafts:
        return ()
    return tuple(journal.append(drafts, check=_dose_unchanged(dose)))


def record_preparation(
    journal: JournalStore,
    dose: DoseToPrepare,
    check: PreparationCheck,
    compounded_by: str,
    *,
    with_near_misses: bool = True,
    recorded_with: str = RECORDED_WITH_WINDOW,
) -> PrepareOutcome:
    """Append the near misses of ``check`` (unless already recorded) and, when every planned
    kit was accepted, the preparation, in one transaction. InvalidRecord for unusable times."""
    if check.clocks.errors:
        raise InvalidRecord([(issue.field, issue.message) for issue in check.clocks.errors])
    authenticated = isinstance(journal, AuthenticatedJournal)
    misses = (
        _near_miss_drafts(journal, dose, check, compounded_by, recorded_with)
        if with_near_misses
        else []
    )
    drafts = list(misses)
    if check.kits.complete:
        drafts.append(
            preparation_draft(
                dose,
                check,
                compounded_by=compounded_by,
                authenticated=authenticated,
                recorded_with=recorded_with,
            )
        )
    if not drafts:
        return PrepareOutcome(dose, check, None, ())
    try:
        written = journal.append(
            drafts,
            check=_preparable(dose, preparing=check.kits.complete),
            kits_check=_kits_unused(dose, check),
        )
    except KitAlreadyUsed as exc:
        check = _with_refused(check, exc.refused)
        late = _drafts_of(journal, dose, exc.refused, compounded_by, recorded_with)
        kept = journal.append([*misses, *late], check=_dose_unchanged(dose))
        return PrepareOutcome(dose, check, None, tuple(kept), refused=str(exc))
    except PreparationRefused as exc:
        if not misses:
            raise
        kept = journal.append(misses, check=_dose_unchanged(dose))
        return PrepareOutcome(dose, check, None, tuple(kept), refused=str(exc))
    prepared = [r for r in written if r.kind == PREPARATION]
    others = tuple(r for r in written if r.kind != PREPARATION)
    return PrepareOutcome(dose, check, prepared[0] if prepared else None, others)


def prepare(
    journal: JournalStore,
    record_id: int,
    scans: Sequence[Scan],
    *,
    compounded_by: str | None,
    reconstituted_at: datetime | None,
    diluted_at: datetime | None,
    now: datetime,
    gs_substitute: str | None = None,
    tz: tzinfo | None = None,
    recorded_with: str = RECORDED_WITH_CLI,
) -> PrepareOutcome:
    """One call per preparation (the CLI's ``prepare``): find the dose, judge, record."""
    who = compounder(journal, compounded_by)
    dose = find_dose(journal, record_id)
    check = judge(
        dose,
        scans,
        reconstituted_at=reconstituted_at,
        diluted_at=diluted_at,
        now=now,
        gs_substitute=gs_substitute,
        tz=tz,
    )
    return record_preparation(journal, dose, check, who, recorded_with=recorded_with)


def preparation_of(journal: JournalStore, dose: StoredRecord) -> RecordedPreparation | None:
    """The latest preparation of a dose record (what its label is printed from), if any."""
    patient = dose.patient_id
    return current_preparation(dose, list(journal.records(patient))) if patient else None


# --- under the write lock --------------------------------------------------------------------


def _near_miss_drafts(
    journal: JournalStore,
    dose: DoseToPrepare,
    check: PreparationCheck,
    scanned_by: str,
    recorded_with: str,
) -> list[dict[str, Any]]:
    return _drafts_of(journal, dose, check.kits.near_misses, scanned_by, recorded_with)


def _drafts_of(
    journal: JournalStore,
    dose: DoseToPrepare,
    refused: Sequence[ScanOutcome],
    scanned_by: str,
    recorded_with: str,
) -> list[dict[str, Any]]:
    authenticated = isinstance(journal, AuthenticatedJournal)
    return [
        near_miss_draft(
            dose,
            outcome,
            scanned_by=scanned_by,
            authenticated=authenticated,
            recorded_with=recorded_with,
        )
        for outcome in refused
    ]


def _locked_dose(dose: DoseToPrepare, patient: Sequence[StoredRecord]) -> None:
    if not any(r.id == dose.record.id and r.hash == dose.record.hash for r in patient):
        raise PreparationRefused(
            f"record {dose.record.id} is no longer the dose it was when it was read; nothing "
            "was recorded"
        )


def _dose_unchanged(dose: DoseToPrepare) -> AppendCheck:
    def check(patient: Sequence[StoredRecord]) -> None:
        _locked_dose(dose, patient)

    return check


def _preparable(dose: DoseToPrepare, *, preparing: bool) -> AppendCheck:
    def check(patient: Sequence[StoredRecord]) -> None:
        _locked_dose(dose, patient)
        if preparing and (standing := blocking_preparation(dose.record, patient)) is not None:
            raise _already(dose, standing)

    return check


def _kits_unused(dose: DoseToPrepare, check: PreparationCheck) -> KitsCheck:
    """None of the serialised kits accepted is in another dose's preparation (given those
    holding any of them, read under the lock)."""

    def unused(found: Sequence[StoredRecord]) -> None:
        used = serials_used(dose.record, found)
        refused = tuple(
            refused_as_used(o, where)
            for o in check.kits.accepted
            if o.kit is not None
            and o.kit.serial is not None
            and (where := used.get((o.kit.gtin, o.kit.serial))) is not None
        )
        if refused:
            raise KitAlreadyUsed(
                f"{len(refused)} kit(s) of this preparation were used for another dose in the "
                "meantime (another workstation?): the preparation was not recorded; the scans "
                "are kept as near misses",
                refused,
            )

    return unused


def _with_refused(check: PreparationCheck, refused: Sequence[ScanOutcome]) -> PreparationCheck:
    """``check`` with the scans of ``refused`` (same text and time) refused as they are."""
    by_scan = {(o.text, o.at): o for o in refused}
    outcomes = tuple(by_scan.get((o.text, o.at), o) for o in check.kits.outcomes)
    return replace(check, kits=replace(check.kits, outcomes=outcomes))

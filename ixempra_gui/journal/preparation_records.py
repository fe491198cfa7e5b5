"""What a preparation record and a near-miss record hold (issue 16), built from the core's
``PreparationCheck`` and read back for ``show``, ``export``, ``near-misses`` and the bag label.

A preparation references its dose record by id and hash (``dose_record``); the dose is never
edited. It names the patient as the dose does (so it is found among the patient's records) but
carries no administration date: the history never selects it. Kits are kept as scanned: GTIN,
NDC-11 (and whether its package code is verified), lot, expiry, serial, when scanned. Times are
ISO 8601 in UTC. A near miss keeps what was scanned (shown safely: the group separator as
``<GS>``, any other invisible character as ``<U+XXXX>``, at most ``MAX_SCAN_CHARS``, with the
scan's length and SHA-256), when, by whom, and why it was refused.

The dose's plan (kits per strength) and infusion time come from the dose record as it was
verified, never from a new calculation.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Final, TypeVar

from ixempra_gui import __version__
from ixempra_gui.core import label
from ixempra_gui.core.compounding import PreparationCheck, ScanOutcome, describe_plan
from ixempra_gui.core.gs1_scan import printable
from ixempra_gui.core.kits import load_kits
from ixempra_gui.core.models import VialPlan
from ixempra_gui.journal.entries import StoredRecord
from ixempra_gui.journal.identifiers import patient_key, trim_patient_id
from ixempra_gui.journal.kinds import DOSE, NEAR_MISS, PREPARATION

PREPARATION_FORMAT: Final = 1
STATUS_PREPARED: Final = "prepared"
STATUS_FAILED: Final = "preparation_failed"
STATUS_NEAR_MISS: Final = "near_miss"
MAX_SCAN_CHARS: Final = 200


class NotPreparable(ValueError):
    """The record is not a verified dose that can be prepared; the message says why."""


@dataclass(frozen=True)
class DoseToPrepare:
    """A verified dose record, and what its preparation is checked against."""

    record: StoredRecord
    plan: VialPlan
    infusion_hours: int
    patient_id: str
    patient_key: str
    #: Serialised kits (GTIN, serial) already used for other doses, and where (kit_serials.py).
    serials_used: Mapping[tuple[str, str], str] = field(default_factory=dict, compare=False)

    @property
    def administration_date(self) -> date | None:
        """The day the dose was verified for (None: not a readable date in the record)."""
        try:
            return date.fromisoformat(self.record.administered_on)
        except ValueError:
            return None

    @property
    def reference(self) -> dict[str, Any]:
        return {
            "id": self.record.id,
            "hash": self.record.hash,
            "administered_on": self.record.administered_on,
        }


def dose_to_prepare(record: StoredRecord) -> DoseToPrepare:
    """The dose in ``record``; NotPreparable when it is not a verified, ready dose (a record
    of another kind, one without a plan) or no longer matches its hash."""
    if not record.readable or not record.intact:
        raise NotPreparable(f"record {record.id} does not match its hash (edited?)")
    if record.kind != DOSE or not record.is_dose:
        raise NotPreparable(
            f"record {record.id} is a {record.kind.replace('_', ' ')} record, not a verified "
            "dose: give the id of the dose record"
        )
    result = record.result
    vials = result.get("vials")
    preparation = result.get("preparation")
    hours = preparation.get("infusion_hours") if isinstance(preparation, dict) else None
    counts: list[tuple[int, int]] = []
    if isinstance(vials, dict):
        for strength, count in vials.items():
            if str(strength).isdigit() and isinstance(count, int) and count >= 0:
                counts.append((int(strength), count))
    total = result.get("vial_total_mg")
    if (
        result.get("ready_to_prepare") is not True
        or not counts
        or len(counts) != len(vials or {})
        or not isinstance(total, int)
        or not isinstance(hours, int)
        or not 1 <= hours < label.DILUTED_MAX_HOURS
    ):
        raise NotPreparable(f"record {record.id} holds no kit plan and infusion time to prepare")
    plan = VialPlan(tuple(sorted(counts, reverse=True)), total)
    stocked = load_kits().strengths_mg
    if plan.vial_count <= 0 or any(n and s not in stocked for s, n in plan.counts):
        raise NotPreparable(
            f"record {record.id} plans kits ({describe_plan(plan)}) that are not IXEMPRA kits "
            f"of {', '.join(f'{s} mg' for s in stocked)}"
        )
    patient = trim_patient_id(record.patient_id)
    return DoseToPrepare(record, plan, hours, patient, patient_key(patient))


def references(content: Mapping[str, Any], dose: StoredRecord) -> bool:
    """Whether a record's content names ``dose`` (by id and hash; for records migrated from
    one workstation journal, by the dose's original id and hash there)."""
    ref = content.get("dose_record")
    if not isinstance(ref, dict):
        return False
    if ref.get("id") == dose.id and ref.get("hash") == dose.hash:
        return True
    mine, theirs = content.get("migrated_from"), dose.content.get("migrated_from")
    return (
        isinstance(mine, dict)
        and isinstance(theirs, dict)
        and mine.get("journal") == theirs.get("journal")
        and ref.get("id") == theirs.get("record_id")
        and ref.get("hash") == theirs.get("hash")
    )


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat(timespec="seconds")


def _kit(outcome: ScanOutcome) -> dict[str, Any]:
    kit, match = outcome.kit, outcome.match
    assert kit is not None
    return {
        "strength_mg": None if match is None else match.product.strength_mg,
        "gtin": kit.gtin,
        "ndc11": None if match is None else match.ndc11,
        "ndc11_verified": None if match is None else match.ndc11_verified,
        "lot": kit.lot,
        "expiry": kit.expiry.isoformat(),
        "expiry_raw": kit.expiry_raw,
        "serial": kit.serial,
        "scanned_at": _iso(outcome.at),
        "symbology": kit.symbology,
    }


def preparation_draft(
    dose: DoseToPrepare,
    check: PreparationCheck,
    *,
    compounded_by: str,
    authenticated: bool,
    recorded_with: str,
) -> dict[str, Any]:
    """The content of the preparation of ``dose`` (every planned kit accepted)."""
    clocks = check.clocks
    return {
        "format": PREPARATION_FORMAT,
        "kind": PREPARATION,
        "status": STATUS_FAILED if check.failed else STATUS_PREPARED,
        "patient_id": dose.patient_id,
        "patient_key": dose.patient_key,
        "dose_record": dose.reference,
        "compounded_by": compounded_by,
        "authenticated": authenticated,
        "plan": {str(s): n for s, n in dose.plan.counts},
        "kits": [_kit(o) for o in check.kits.accepted],
        "reconstituted_at": _iso(clocks.reconstituted_at),
        "diluted_at": _iso(clocks.diluted_at),
        "dilute_by": _iso(clocks.dilute_by),
        "complete_by": _iso(clocks.complete_by),
        "label_until": _iso(clocks.start_by),
        "infusion_hours": dose.infusion_hours,
        "failures": list(check.failures),
        "checked_at": _iso(clocks.now),
        "app_version": __version__,
        "recorded_with": recorded_with,
    }


def scan_as_recorded(text: str) -> dict[str, Any]:
    """A scan as a near miss keeps it: shown safely, its length, its SHA-256."""
    data = text.encode("utf-8", "surrogatepass")
    return {
        "text": printable(text, MAX_SCAN_CHARS),
        "length": len(text),
        "sha256": hashlib.sha256(data).hexdigest(),
    }


def near_miss_draft(
    dose: DoseToPrepare,
    outcome: ScanOutcome,
    *,
    scanned_by: str,
    authenticated: bool,
    recorded_with: str,
) -> dict[str, Any]:
    """The content of one refused scan while preparing ``dose``."""
    refusal = outcome.refusal
    assert refusal is not None
    kit = outcome.kit
    return {
        "format": PREPARATION_FORMAT,
        "kind": NEAR_MISS,
        "status": STATUS_NEAR_MISS,
        "patient_id": dose.patient_id,
        "patient_key": dose.patient_key,
        "dose_record": dose.reference,
        "scanned_by": scanned_by,
        "authenticated": authenticated,
        "scanned_at": _iso(outcome.at),
        "scan": scan_as_recorded(outcome.text),
        "read": None if kit is None else _kit(outcome),
        "refusal": {
            "reason": refusal.reason.value,
            "problem": None if refusal.problem is None else refusal.problem.value,
            "message": refusal.message,
        },
        "plan": {str(s): n for s, n in dose.plan.counts},
        "app_version": __version__,
        "recorded_with": recorded_with,
    }


# --- reading back --------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordedKit:
    strength_mg: int | None
    gtin: str
    ndc11: str | None
    ndc11_verified: bool | None
    lot: str
    expiry: date | None
    serial: str | None
    scanned_at: datetime | None


@dataclass(frozen=True)
class RecordedPreparation:
    """A preparation record read back (times aware, in UTC; None when not recorded)."""

    record: StoredRecord
    dose_id: int | None
    dose_hash: str | None
    compounded_by: str
    authenticated: bool
    kits: tuple[RecordedKit, ...]
    reconstituted_at: datetime | None
    diluted_at: datetime | None
    infusion_hours: int | None
    failures: tuple[str, ...]

    @property
    def failed(self) -> bool:
        return bool(self.failures) or self.record.status == STATUS_FAILED

    @property
    def timed(self) -> bool:
        """Both times recorded: the preparation is whole (a later one may not replace it)."""
        return self.reconstituted_at is not None and self.diluted_at is not None


def _time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _day(value: object) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


T = TypeVar("T")


def _as(value: object, kind: type[T], default: T) -> T:
    return value if isinstance(value, kind) else default


def read_kit(entry: object) -> RecordedKit | None:
    if not isinstance(entry, dict):
        return None
    strength, verified = entry.get("strength_mg"), entry.get("ndc11_verified")
    return RecordedKit(
        strength_mg=strength if isinstance(strength, int) else None,
        gtin=_text(entry.get("gtin")),
        ndc11=entry.get("ndc11") if isinstance(entry.get("ndc11"), str) else None,
        ndc11_verified=verified if isinstance(verified, bool) else None,
        lot=_text(entry.get("lot")),
        expiry=_day(entry.get("expiry")),
        serial=entry.get("serial") if isinstance(entry.get("serial"), str) else None,
        scanned_at=_time(entry.get("scanned_at")),
    )


def read_preparation(record: StoredRecord) -> RecordedPreparation | None:
    """The preparation a record holds; None when it is not a readable preparation record."""
    if not record.readable or record.kind != PREPARATION:
        return None
    c = record.content
    ref: dict[str, Any] = _as(c.get("dose_record"), dict, {})
    kits: list[Any] = _as(c.get("kits"), list, [])
    failures: list[Any] = _as(c.get("failures"), list, [])
    hours = c.get("infusion_hours")
    dose_id = ref.get("id")
    return RecordedPreparation(
        record=record,
        dose_id=dose_id if isinstance(dose_id, int) and not isinstance(dose_id, bool) else None,
        dose_hash=ref.get("hash") if isinstance(ref.get("hash"), str) else None,
        compounded_by=_text(c.get("compounded_by")),
        authenticated=c.get("authenticated") is True,
        kits=tuple(k for k in (read_kit(e) for e in kits) if k is not None),
        reconstituted_at=_time(c.get("reconstituted_at")),
        diluted_at=_time(c.get("diluted_at")),
        infusion_hours=hours if isinstance(hours, int) and not isinstance(hours, bool) else None,
        failures=tuple(str(f) for f in failures),
    )


def preparations_of(dose: StoredRecord, records: Iterable[StoredRecord]) -> list[StoredRecord]:
    """The preparation records of ``dose`` among ``records`` (the patient's), in id order."""
    return [r for r in records if r.kind == PREPARATION and references(r.content, dose)]


def related_to(dose: StoredRecord, records: Iterable[StoredRecord]) -> list[StoredRecord]:
    """The preparations and near misses of ``dose`` among ``records``, in id order."""
    return [
        r for r in records if r.kind in (PREPARATION, NEAR_MISS) and references(r.content, dose)
    ]


def blocking_preparation(
    dose: StoredRecord, records: Sequence[StoredRecord]
) -> RecordedPreparation | None:
    """The preparation that makes ``dose`` prepared: the latest one, when it did not fail and
    has both times. A failed preparation is remade; one recorded without its times is
    completed by a later one (its kits scanned again)."""
    found = preparations_of(dose, records)
    if not found:
        return None
    latest = read_preparation(found[-1])
    if latest is None or latest.failed or not latest.timed:
        return None
    return latest


def current_preparation(
    dose: StoredRecord, records: Sequence[StoredRecord]
) -> RecordedPreparation | None:
    """The latest preparation of ``dose`` (what the label is printed from), if any."""
    found = preparations_of(dose, records)
    return read_preparation(found[-1]) if found else None

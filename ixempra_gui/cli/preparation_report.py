"""What ``ixempra-journal prepare`` prints (lines, or the ``--json`` object), and the lines
``list`` and ``show`` give preparations and near misses (issue 16). Never imports Qt."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import Any

from ixempra_gui.core.compounding import ScanOutcome, describe_plan
from ixempra_gui.core.compounding_clock import shown
from ixempra_gui.core.gs1_scan import printable
from ixempra_gui.core.wording import recorded_time
from ixempra_gui.journal.entries import StoredRecord
from ixempra_gui.journal.interface import JournalStore
from ixempra_gui.journal.kinds import NEAR_MISS, PREPARATION
from ixempra_gui.journal.preparation_records import related_to, scan_as_recorded
from ixempra_gui.journal.preparing import PrepareOutcome

PROG = "ixempra-journal"
EXIT_OK, EXIT_NOT_COMPLETE, EXIT_REFUSED_SCAN = 0, 3, 5


def _err(message: str) -> None:
    print(f"{PROG}: error: {message}", file=sys.stderr)


def exit_status(outcome: PrepareOutcome) -> int:
    """5 any near miss; else 3 kits missing, failed or refused under the lock; else 0."""
    if outcome.check.kits.near_misses:
        return EXIT_REFUSED_SCAN
    if outcome.preparation is None or outcome.check.failed or outcome.refused:
        return EXIT_NOT_COMPLETE
    return EXIT_OK


def _kit_words(o: ScanOutcome) -> str:
    kit, match = o.kit, o.match
    if kit is None:
        return ""
    words = f"{o.strength_mg} mg kit" if match is not None else f"GTIN {kit.gtin}"
    words += f", lot {kit.lot}, expiry {kit.expiry.isoformat()}"
    if kit.serial is not None:
        words += f", serial {kit.serial}"
    if match is not None:
        verified = "" if match.ndc11_verified else " (package code not verified)"
        words += f", NDC {match.ndc11}{verified}"
    return words


def report(outcome: PrepareOutcome, as_json: bool) -> int:
    status = exit_status(outcome)
    if as_json:
        print(json.dumps(report_json(outcome, status), ensure_ascii=False, indent=1))
        return status
    dose, check = outcome.dose, outcome.check
    misses = iter(outcome.near_misses)
    print(
        f"dose record {dose.record.id}: patient {dose.patient_id}, given "
        f"{dose.record.administered_on}; plan {describe_plan(dose.plan)}, infusion "
        f"{dose.infusion_hours} h"
    )
    for n, o in enumerate(check.kits.outcomes, start=1):
        if o.refusal is None:
            print(f"  scan {n}: accepted: {_kit_words(o)}")
            continue
        kept = next(misses, None)
        where = f" [near miss: record {kept.id}]" if kept is not None else ""
        print(f"  scan {n}: REFUSED ({o.refusal.reason.value}): {o.refusal.message}{where}")
        print(f"    scanned: {printable(o.text, 120)}")
    missing = " + ".join(f"{n} × {s} mg" for s, n in check.kits.missing)
    print(f"kits: {'every planned kit accepted' if not missing else 'still to scan: ' + missing}")
    clocks = check.clocks
    if clocks.reconstituted_at is not None:
        line = f"reconstituted {shown(clocks.reconstituted_at)}"
        if clocks.diluted_at is not None and clocks.complete_by and clocks.start_by:
            line += (
                f", diluted {shown(clocks.diluted_at)}: complete infusion by "
                f"{shown(clocks.complete_by)}; label until {shown(clocks.start_by)}"
            )
        elif clocks.dilute_by is not None:
            line += f": dilute by {shown(clocks.dilute_by)}"
        print(line)
    for failure in check.failures:
        print(f"PREPARATION FAILED: {failure}")
    return _said(outcome, status)


def _said(outcome: PrepareOutcome, status: int) -> int:
    stored = outcome.preparation
    if outcome.refused:
        _err(f"refused: {outcome.refused}")
    if outcome.near_misses:
        ids = ", ".join(str(r.id) for r in outcome.near_misses)
        _err(f"{len(outcome.near_misses)} scan(s) refused; kept as near misses (records {ids})")
    if stored is None:
        if not outcome.refused:
            print("not recorded: kits still to scan (scan every planned kit in one call)")
        return status
    what = "FAILED preparation" if outcome.check.failed else "preparation"
    print(f"recorded: {what} record {stored.id}, hash {stored.short_hash}")
    if not outcome.check.label_allowed:
        print("label: " + " ".join(outcome.check.blockers))
    print(stored.id, flush=True)
    return status


def report_json(outcome: PrepareOutcome, status: int) -> dict[str, Any]:
    """The --json object (README: "Preparation")."""
    check, dose = outcome.check, outcome.dose
    misses = iter(outcome.near_misses)
    scans = []
    for n, o in enumerate(check.kits.outcomes, start=1):
        kit = o.kit
        kept = next(misses, None) if o.refusal is not None else None
        scans.append(
            {
                "n": n,
                "accepted": o.accepted,
                "strength_mg": o.strength_mg,
                "gtin": None if kit is None else kit.gtin,
                "lot": None if kit is None else kit.lot,
                "expiry": None if kit is None else kit.expiry.isoformat(),
                "serial": None if kit is None else kit.serial,
                "reason": None if o.refusal is None else o.refusal.reason.value,
                "message": None if o.refusal is None else o.refusal.message,
                "near_miss_record": None if kept is None else kept.id,
                "scan": scan_as_recorded(o.text),
            }
        )
    clocks = check.clocks

    def iso(moment: datetime | None) -> str | None:
        return None if moment is None else moment.isoformat()

    stored = outcome.preparation
    return {
        "dose_record": {
            "id": dose.record.id,
            "hash": dose.record.hash,
            "patient_id": dose.patient_id,
            "plan": {str(s): n for s, n in dose.plan.counts},
            "infusion_hours": dose.infusion_hours,
        },
        "scans": scans,
        "missing": [{"strength_mg": s, "count": n} for s, n in check.kits.missing],
        "complete": check.kits.complete,
        "failed": check.failed,
        "failures": list(check.failures),
        "times": {
            "reconstituted_at": iso(clocks.reconstituted_at),
            "diluted_at": iso(clocks.diluted_at),
            "dilute_by": iso(clocks.dilute_by),
            "complete_by": iso(clocks.complete_by),
            "label_until": iso(clocks.start_by),
        },
        "label_allowed": check.label_allowed,
        "blockers": list(check.blockers),
        "preparation_record": None if stored is None else {"id": stored.id, "hash": stored.hash},
        "near_miss_records": [r.id for r in outcome.near_misses],
        "refused": outcome.refused,
        "outcome": outcome.outcome,
        "exit_status": status,
    }


def record_line(r: StoredRecord) -> str | None:
    """``list``'s line for a preparation or a near miss (None for other kinds)."""
    c = r.content
    ref = c.get("dose_record") if isinstance(c.get("dose_record"), dict) else {}
    assert isinstance(ref, dict)
    signed = " (signed in)" if c.get("authenticated") is True else ""
    if r.kind == PREPARATION:
        kits = c.get("kits") if isinstance(c.get("kits"), list) else []
        assert isinstance(kits, list)
        lots = ", ".join(
            f"{k.get('strength_mg')} mg lot {k.get('lot')}" for k in kits if isinstance(k, dict)
        )
        state = "FAILED preparation" if c.get("status") == "preparation_failed" else "preparation"
        return (
            f"{r.id:>6}  {recorded_time(r.recorded_at)}  {state} of dose record "
            f"{ref.get('id')}: {lots}; "
            f"diluted {c.get('diluted_at') or 'time not recorded'}; compounded by "
            f"{c.get('compounded_by')}{signed}  patient {r.patient_id}"
        )
    if r.kind == NEAR_MISS:
        refusal = c.get("refusal") if isinstance(c.get("refusal"), dict) else {}
        assert isinstance(refusal, dict)
        return (
            f"{r.id:>6}  {recorded_time(r.recorded_at)}  near miss while preparing dose record "
            f"{ref.get('id')}: {refusal.get('reason')}; scanned by {c.get('scanned_by')}"
            f"{signed}  patient {r.patient_id}"
        )
    return None


def record_json(r: StoredRecord) -> dict[str, object]:
    """``list --json``'s extra keys for any readable record: its kind, and the dose it names."""
    ref = r.content.get("dose_record")
    return {
        "kind": r.kind,
        "dose_record_id": ref.get("id") if isinstance(ref, dict) else None,
    }


def referenced_by(journal: JournalStore, record: StoredRecord) -> list[dict[str, object]]:
    """``show``'s list of the preparations and near misses of a dose record."""
    if not record.is_dose or not record.patient_id:
        return []
    return [
        {"id": r.id, "kind": r.kind, "hash": r.hash}
        for r in related_to(record, journal.records(record.patient_id))
    ]

"""``ixempra-journal`` record and init: the only commands that write the journal — a verified
dose appended, or a new journal started (the old file archived, never deleted).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date

from ixempra_gui.cli import calc as calc_cli
from ixempra_gui.cli.journal_common import (
    EXIT_HISTORY,
    EXIT_INVALID,
    EXIT_JOURNAL,
    EXIT_NOT_READY,
    EXIT_OK,
    PROG,
    err,
    folder_notes,
    note,
)
from ixempra_gui.cli.journal_read import dose_text, units_total
from ixempra_gui.core.calculator import calculate
from ixempra_gui.core.models import Status
from ixempra_gui.journal import paths
from ixempra_gui.journal.entries import NewRecord, StoredRecord, parse_administration_date
from ixempra_gui.journal.errors import (
    HistoryNotAcknowledged,
    InvalidRecord,
    JournalError,
    RecordRefused,
)
from ixempra_gui.journal.identifiers import check_patient_id, trim_patient_id
from ixempra_gui.journal.restart import NothingToResolve, start_new_journal
from ixempra_gui.journal.store import Journal


def cmd_init(args: argparse.Namespace) -> int:
    try:
        stored, previous = start_new_journal(args.reason)
    except NothingToResolve as exc:
        err(f"refused: {exc}")
        return EXIT_INVALID
    except ValueError as exc:
        err(f"reason (--reason): {exc}")
        return EXIT_INVALID
    except OSError as exc:
        err(f"cannot archive the journal: {exc.strerror or exc}; nothing was changed")
        return EXIT_JOURNAL
    for warning in previous.get("warnings", []):
        note(warning)
    if previous.get("archived_as"):
        print(f"archived the old journal as {previous['archived_as']}")
    print(
        f"started a new journal at {paths.journal_path()}: record 1 holds the old head and the "
        f"reason. Head: record 1, SHA-256 {stored.hash}"
    )
    return EXIT_OK


def _who_and_when(args: argparse.Namespace) -> tuple[list[tuple[str, str]], date]:
    """The identifier's and the date's problems (field, message), and the date."""
    problems = []
    if args.patient_id is None:
        problems.append(("patient_id", "Patient id: --patient-id is required to record a dose."))
    else:
        problem = check_patient_id(args.patient_id)
        if problem:
            problems.append(("patient_id", problem))
    when = date.today()
    if args.administered_on is not None:
        try:
            when = parse_administration_date(args.administered_on)
        except ValueError as exc:
            problems.append(("administered_on", str(exc)))
    return problems, when


def _field_errors(problems: list[tuple[str, str]]) -> int:
    for field, message in problems:
        err(f"{field} (--{field.replace('_', '-')}): {message}")
    return EXIT_INVALID


def _new_record(args: argparse.Namespace) -> NewRecord | int:
    """The record to write, or the exit status of a refused order (said on stderr)."""
    problems, when = _who_and_when(args)
    order = calc_cli.order_from_args(args)
    result = calculate(order)
    problems += [(i.field, i.message) for i in result.errors]
    if problems:
        return _field_errors(problems)
    if result.status is not Status.OK or not result.ready_to_prepare:
        err(
            f"refused: no dose is ready to prepare (status {result.status.value}); nothing was "
            "recorded"
        )
        for reason in result.reasons:
            if reason.severity.value == "stop":
                print(f"  {reason.message} ({reason.source})", file=sys.stderr)
        return EXIT_NOT_READY
    return NewRecord(
        patient_id=trim_patient_id(args.patient_id),
        administered_on=when,
        prepared_by=args.prepared_by,
        verified_by=args.verified_by,
        order=order,
        result=result,
    )


def _write(new: NewRecord, acknowledge_history: bool) -> tuple[StoredRecord, list[str]] | int:
    """The record committed and the journal's warnings, or the exit status (said)."""
    try:
        with Journal.open() as journal:
            stored = journal.record(new, acknowledge_history=acknowledge_history)
            return stored, list(journal.warnings)
    except InvalidRecord as exc:
        return _field_errors(list(exc.problems))
    except HistoryNotAcknowledged as exc:
        err("refused: the patient's history needs checking; nothing was recorded")
        for w in exc.history.warnings:
            print(f"  [warning] {w.message} ({w.source})", file=sys.stderr)
        print("  After checking, record again with --acknowledge-history.", file=sys.stderr)
        return EXIT_HISTORY
    except RecordRefused as exc:
        err(f"refused: {exc}")
        return EXIT_NOT_READY
    except JournalError as exc:
        err(str(exc) if "NOT recorded" in str(exc) else f"the dose was NOT recorded: {exc}")
        return EXIT_JOURNAL


def cmd_record(args: argparse.Namespace) -> int:
    new = _new_record(args)
    if isinstance(new, int):
        return new
    folder_notes()
    written = _write(new, args.acknowledge_history)
    if isinstance(written, int):
        return written
    stored, warnings = written
    # Committed: from here on the record exists, whatever happens to this process.
    for warning in warnings:
        note(warning)
    for code in stored.content.get("acknowledged_warnings", []):
        print(f"{PROG}: warning acknowledged and recorded: {code}", file=sys.stderr)
    if args.json:
        print(json.dumps(stored.content, ensure_ascii=False, indent=1, sort_keys=True))
    print(
        f"recorded: {dose_text(stored)} for patient {stored.patient_id}, given "
        f"{stored.administered_on}, J9207 {units_total(stored)} units; prepared by "
        f"{stored.content['prepared_by']}, verified by {stored.content['verified_by']}; "
        f"record {stored.id}, hash {stored.short_hash}"
    )
    print(stored.id, flush=True)
    return EXIT_OK

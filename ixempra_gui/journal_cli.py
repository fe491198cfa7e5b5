"""``ixempra-journal``: record verified doses and read, check and export the journal.

Exit status: 0 done (``verify``: the whole chain holds); 1 the journal failed (cannot be opened,
read or written; ``verify`` found a break; ``show`` found no such record) and nothing was
recorded; 2 invalid input; 3 refused: no dose ready to prepare; 4 refused: the patient's history
raised warnings that were not acknowledged (``--acknowledge-history``).
Never imports Qt (import-linter contract in pyproject.toml).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from ixempra_gui import __version__
from ixempra_gui import cli as calc_cli
from ixempra_gui.core.calculator import calculate
from ixempra_gui.core.formatting import format_number
from ixempra_gui.core.models import Status
from ixempra_gui.journal import paths
from ixempra_gui.journal.entries import (
    NewRecord,
    StoredRecord,
    check_patient_id,
    parse_administration_date,
)
from ixempra_gui.journal.errors import (
    HistoryNotAcknowledged,
    InvalidRecord,
    JournalError,
    RecordRefused,
)
from ixempra_gui.journal.export import export_csv
from ixempra_gui.journal.store import Journal

PROG = "ixempra-journal"
EXIT_OK = 0
EXIT_JOURNAL = 1
EXIT_INVALID = 2
EXIT_NOT_READY = 3
EXIT_HISTORY = 4


def _err(message: str) -> None:
    print(f"{PROG}: error: {message}", file=sys.stderr)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="The verification journal of Ixempra doses: one tamper-evident record per "
        f"verified dose, in ${paths.ENV_DATA_DIR} or the user data folder (see: {PROG} path).",
        epilog="Exit status: 0 done; 1 journal failure, broken chain or no such record; "
        "2 invalid input; 3 no dose ready to prepare; 4 history warnings not acknowledged.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("list", help="one line per record")
    p.add_argument("--patient-id", metavar="ID", help="only this patient's records")
    p.add_argument("--json", action="store_true", help="a JSON array instead of lines")
    p = sub.add_parser("show", help="one record, in full, as JSON")
    p.add_argument("id", type=int, metavar="ID", help="record id")
    sub.add_parser("verify", help="walk the hash chain; exit 0 only when all of it holds")
    p = sub.add_parser("export", help="every record to a CSV file (written atomically)")
    p.add_argument("--csv", required=True, type=Path, metavar="FILE", help="the CSV file")
    sub.add_parser("path", help="print where the journal file is")

    p = sub.add_parser(
        "record",
        parents=[calc_cli.build_parser()],
        conflict_handler="resolve",
        help="calculate a dose and record it as verified",
        description="Calculate the dose from the same options as ixempra-calc and record it "
        "as verified. Refuses a dose that is not ready to prepare. Prints the new record id "
        "alone on the last line, only after the record is committed to disk.",
    )
    p.add_argument("--prepared-by", required=True, metavar="NAME", help="who calculated")
    p.add_argument(
        "--verified-by", required=True, metavar="NAME", help="who checked (another person)"
    )
    p.add_argument(
        "--acknowledge-history",
        action="store_true",
        help="record even though the patient's history raised warnings (they are stored)",
    )
    return parser


def _open_existing() -> Journal | None:
    journal = Journal.open_existing()
    if journal is None:
        where = paths.journal_path()
        print(f"{PROG}: no journal at {where} (nothing recorded yet)", file=sys.stderr)
    return journal


def _dose(record: StoredRecord) -> str:
    dose = record.result.get("dose_mg")
    return "—" if dose is None else f"{format_number(_decimal(dose))} mg"


def _decimal(value: float) -> object:
    from decimal import Decimal

    return Decimal(repr(value))


def _units(record: StoredRecord) -> object:
    billing = record.result.get("billing") or {}
    return billing.get("units_total")


def cmd_list(args: argparse.Namespace) -> int:
    journal = _open_existing()
    if journal is None:
        if args.json:
            print("[]")
        return EXIT_OK
    with journal:
        records = journal.records(args.patient_id)
        if args.json:
            rows = [
                {
                    "id": r.id,
                    "recorded_at": r.recorded_at,
                    "administered_on": r.administered_on,
                    "patient_id": r.patient_id,
                    "dose_mg": r.result.get("dose_mg"),
                    "units_total": _units(r),
                    "prepared_by": r.content.get("prepared_by"),
                    "verified_by": r.content.get("verified_by"),
                    "hash": r.hash,
                }
                for r in records
            ]
            print(json.dumps(rows, ensure_ascii=False, indent=1))
            return EXIT_OK
        for r in records:
            print(
                f"{r.id:>6}  {r.recorded_at}  given {r.administered_on}  {_dose(r):>9}  "
                f"J9207 {_units(r)} units  prepared {r.content.get('prepared_by')}, verified "
                f"{r.content.get('verified_by')}  patient {r.patient_id}"
            )
    return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    journal = _open_existing()
    if journal is None:
        return EXIT_JOURNAL
    with journal:
        record = journal.get(args.id)
        if record is None:
            _err(f"no record {args.id} (the journal holds {journal.count()} records)")
            return EXIT_JOURNAL
    shown = {"id": record.id, "hash": record.hash, "content": record.content}
    print(json.dumps(shown, ensure_ascii=False, indent=1, sort_keys=True))
    return EXIT_OK


def cmd_verify(args: argparse.Namespace) -> int:
    journal = _open_existing()
    if journal is None:
        return EXIT_JOURNAL
    with journal:
        report = journal.verify()
        path = journal.path
    if report.ok:
        print(
            f"journal {path}: {report.records} records, the chain holds. Head: record "
            f"{report.head_id}, SHA-256 {report.head_hash}"
        )
        return EXIT_OK
    print(f"journal {path}: BROKEN: {report.problem}")
    if report.first_bad_id is not None:
        print(f"first bad record: {report.first_bad_id}")
    return EXIT_JOURNAL


def cmd_export(args: argparse.Namespace) -> int:
    journal = _open_existing()
    if journal is None:
        return EXIT_JOURNAL
    target: Path = args.csv
    with journal:
        try:
            count = export_csv(journal.records(), target)
        except OSError as exc:
            _err(f"cannot write {target}: {exc.strerror or exc}; nothing was written")
            return EXIT_JOURNAL
    print(f"exported {count} records to {target}")
    return EXIT_OK


def cmd_path(args: argparse.Namespace) -> int:
    print(paths.journal_path())
    return EXIT_OK


def cmd_record(args: argparse.Namespace) -> int:
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
    order = calc_cli.order_from_args(args)
    result = calculate(order)
    problems += [(i.field, i.message) for i in result.errors]
    if problems:
        for field, message in problems:
            _err(f"{field} (--{field.replace('_', '-')}): {message}")
        return EXIT_INVALID
    if result.status is not Status.OK or not result.ready_to_prepare:
        _err(
            f"refused: no dose is ready to prepare (status {result.status.value}); nothing was "
            "recorded"
        )
        for reason in result.reasons:
            if reason.severity.value == "stop":
                print(f"  {reason.message} ({reason.source})", file=sys.stderr)
        return EXIT_NOT_READY
    new = NewRecord(
        patient_id=args.patient_id,
        administered_on=when,
        prepared_by=args.prepared_by,
        verified_by=args.verified_by,
        order=order,
        result=result,
    )
    try:
        with Journal.open() as journal:
            stored = journal.record(new, acknowledge_history=args.acknowledge_history)
    except InvalidRecord as exc:
        for field, message in exc.problems:
            _err(f"{field} (--{field.replace('_', '-')}): {message}")
        return EXIT_INVALID
    except HistoryNotAcknowledged as exc:
        _err("refused: the patient's history needs checking; nothing was recorded")
        for w in exc.history.warnings:
            print(f"  [warning] {w.message} ({w.source})", file=sys.stderr)
        print("  After checking, record again with --acknowledge-history.", file=sys.stderr)
        return EXIT_HISTORY
    except RecordRefused as exc:
        _err(f"refused: {exc}")
        return EXIT_NOT_READY
    except JournalError as exc:
        _err(str(exc) if "NOT recorded" in str(exc) else f"the dose was NOT recorded: {exc}")
        return EXIT_JOURNAL
    # Committed: from here on the record exists, whatever happens to this process.
    for code in stored.content.get("acknowledged_warnings", []):
        print(f"{PROG}: warning acknowledged and recorded: {code}", file=sys.stderr)
    if args.json:
        print(json.dumps(stored.content, ensure_ascii=False, indent=1, sort_keys=True))
    print(
        f"recorded: {_dose(stored)} for patient {stored.patient_id}, given "
        f"{stored.administered_on}, J9207 {_units(stored)} units; prepared by "
        f"{stored.content['prepared_by']}, verified by {stored.content['verified_by']}"
    )
    print(stored.id, flush=True)
    return EXIT_OK


COMMANDS = {
    "list": cmd_list,
    "show": cmd_show,
    "verify": cmd_verify,
    "export": cmd_export,
    "path": cmd_path,
    "record": cmd_record,
}


def main(argv: Sequence[str] | None = None) -> int:
    from ixempra_gui.journal_site_cli import site_main  # issue 14: the site journal, if any

    if (site_status := site_main(sys.argv[1:] if argv is None else argv)) is not None:
        return site_status
    args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    try:
        return COMMANDS[args.command](args)
    except JournalError as exc:
        _err(str(exc))
        return EXIT_JOURNAL
    except sqlite3.Error as exc:  # a read that failed half-way (the file changed or broke)
        _err(f"the journal could not be read: {exc}")
        return EXIT_JOURNAL


if __name__ == "__main__":
    sys.exit(main())

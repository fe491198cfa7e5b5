"""``ixempra-journal``: record verified doses and read, check and export the journal.

Exit status:
  0 done (``verify``: the whole chain holds, and the anchor or the expected head is in it);
  1 journal problem: it cannot be opened, read or written, it was altered (``journal_altered``:
    a broken chain, a missing anchored record, no journal where one was), ``show`` found no
    such record, or an unreadable record was listed or exported; nothing was recorded;
  2 invalid input (an option, an identifier, an export target);
  3 refused: no dose ready to prepare;
  4 refused: the patient's history raised warnings that were not acknowledged;
  5 ``prepare``: a kit scan was refused (kept as a near miss; cli/preparation.py says the rest:
    3 there also means kits still missing, a failed preparation, a dose not preparable, and
    for ``label`` no complete preparation in time);
  6 the output was closed early (``| head``): what was done stays done;
  7 internal error (a fault of the program; please report it);
  130 interrupted (Ctrl+C).
``list``, ``show``, ``verify``, ``export``, ``near-misses`` and ``label`` only read the file
(sqlite_files). Never imports Qt (import-linter contract in pyproject.toml).
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

from ixempra_gui import __version__
from ixempra_gui.cli import calc as calc_cli
from ixempra_gui.cli import preparation as preparation_cli
from ixempra_gui.cli import preparation_report
from ixempra_gui.cli.guard import EXIT_INTERNAL, EXIT_OUTPUT_CLOSED, guarded
from ixempra_gui.cli.options import OptionError
from ixempra_gui.core.calculator import calculate
from ixempra_gui.core.formatting import format_number
from ixempra_gui.core.models import Status
from ixempra_gui.journal import paths
from ixempra_gui.journal.anchor import AnchorFile, AnchorUnreadable
from ixempra_gui.journal.entries import (
    NewRecord,
    StoredRecord,
    parse_administration_date,
)
from ixempra_gui.journal.errors import (
    HistoryNotAcknowledged,
    InvalidRecord,
    JournalAltered,
    JournalError,
    RecordRefused,
)
from ixempra_gui.journal.export import ExportRefused, csv_bytes, export_target
from ixempra_gui.journal.identifiers import check_patient_id, preview, trim_patient_id
from ixempra_gui.journal.integrity import IntegrityReport
from ixempra_gui.journal.interface import JournalStore
from ixempra_gui.journal.references import reference_problem
from ixempra_gui.journal.site_config import journal_choice
from ixempra_gui.journal.store import Journal
from ixempra_gui.system.private_files import writable_by_others, write_atomically
from ixempra_gui.system.site_settings import config_dir

PROG = "ixempra-journal"
EXIT_OK = 0
EXIT_JOURNAL = 1
EXIT_INVALID = 2
EXIT_NOT_READY = 3
EXIT_HISTORY = 4
EXIT_REFUSED_SCAN = 5  # prepare: a kit scan was refused (issue 16)
EXIT_STATUS_TEXT = (
    "Exit status: 0 done; 1 journal problem (cannot be read or written, altered — "
    "journal_altered —, no such record, an unreadable record); 2 invalid input; 3 no dose "
    "ready to prepare (prepare: kits still missing, a failed preparation, not a verified "
    "dose or already prepared; label: no complete preparation in time); 4 history warnings "
    "not acknowledged; 5 prepare: a kit scan was refused (kept as a near miss); "
    f"{EXIT_OUTPUT_CLOSED} output closed early (| head); {EXIT_INTERNAL} internal error; 130 "
    "interrupted."
)
_HEX64 = re.compile(r"[0-9a-fA-F]{64}")
_MAX_ID = 2**63 - 1


def _err(message: str) -> None:
    print(f"{PROG}: error: {message}", file=sys.stderr)


def _note(message: str) -> None:
    print(f"{PROG}: {message}", file=sys.stderr)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        _err(f"arguments: {message}")
        sys.exit(EXIT_INVALID)


def build_parser() -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = _Parser(
        prog=PROG,
        allow_abbrev=False,
        description="The verification journal of Ixempra doses: one tamper-evident record per "
        f"verified dose, in ${paths.ENV_DATA_DIR} or the user data folder (see: {PROG} path).",
        epilog=EXIT_STATUS_TEXT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    expect = argparse.ArgumentParser(add_help=False)
    expect.add_argument(
        "--expect-head",
        metavar="HASH",
        help="check the journal against this head hash (64 hex digits, as verify printed it) "
        "instead of this workstation's anchor: for an archived or copied journal",
    )

    p = sub.add_parser(
        "list", help="one line per record", parents=[expect], epilog=EXIT_STATUS_TEXT
    )
    p.add_argument("--patient-id", metavar="ID", help="only this patient's records")
    p.add_argument("--json", action="store_true", help="a JSON array instead of lines")
    p = sub.add_parser(
        "show", help="one record, in full, as JSON", parents=[expect], epilog=EXIT_STATUS_TEXT
    )
    p.add_argument("id", metavar="ID", help="record id (1, 2, ...)")
    sub.add_parser(
        "verify",
        parents=[expect],
        help="walk the hash chain and check its head; exit 0 only when all of it holds",
        epilog=EXIT_STATUS_TEXT,
    )
    p = sub.add_parser(
        "export",
        parents=[expect],
        help="every record to a CSV file (written atomically)",
        epilog=EXIT_STATUS_TEXT,
    )
    p.add_argument(
        "--csv",
        required=True,
        metavar="FILE",
        help="the CSV file (a new file, or an existing one with --force; - for standard "
        "output); never inside the journal's or the settings' folder",
    )
    p.add_argument("--force", action="store_true", help="replace an existing regular file")
    sub.add_parser("path", help="print where the journal file and its anchor are")
    p = sub.add_parser(
        "init",
        help="start a new journal after the old one failed its checks (archives the old file)",
        description="Start a new journal when the current one fails its checks (verify says "
        "BROKEN, or it is missing or was replaced). The old file is renamed beside it, never "
        "deleted; the new journal's first record holds the old head and the reason. A journal "
        "that holds is refused.",
        epilog=EXIT_STATUS_TEXT,
    )
    p.add_argument("--new", action="store_true", required=True, help="start a new journal")
    p.add_argument(
        "--reason", required=True, metavar="TEXT", help="what was found, and who checked it"
    )

    p = sub.add_parser(
        "record",
        parents=[calc_cli.build_parser()],
        conflict_handler="resolve",
        help="calculate a dose and record it as verified",
        description="Calculate the dose from the same options as ixempra-calc and record it "
        "as verified. Refuses a dose that is not ready to prepare. Prints the new record id "
        "alone on the last line, only after the record is committed to disk.",
        epilog=EXIT_STATUS_TEXT,
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
    preparation_cli.add_parsers(sub, EXIT_STATUS_TEXT)  # prepare, near-misses, label
    return parser


# --- reading ----------------------------------------------------------------------------------


def _expected_head(args: argparse.Namespace) -> str | None:
    """The --expect-head hash in lower case; ValueError when it is not 64 hex digits."""
    value: str | None = getattr(args, "expect_head", None)
    if value is None:
        return None
    if not _HEX64.fullmatch(value):
        raise OptionError(
            f"expect_head (--expect-head): {preview(value)} is not a head hash: give the 64 "
            "hexadecimal digits ixempra-journal verify printed."
        )
    return value.lower()


def _open_for_reading() -> JournalStore | None:
    """The configured journal, to read only: the site journal when this workstation is set up
    for one (signed in, named on stderr), else the file, read-only; None when there is no file
    (said on stderr). JournalAltered when there is none but the anchor says there was one;
    JournalError (SiteConfigError) when the site setting cannot be used."""
    choice = journal_choice()
    for note in choice.notes:
        _note(f"note: {note}")
    if choice.is_server:
        from ixempra_gui.cli.site import open_for_reading

        return open_for_reading(choice)
    journal = Journal.open_read_only()
    if journal is None:
        where = paths.journal_path()
        try:
            anchored = AnchorFile.default().read()
        except AnchorUnreadable:
            anchored = None
        if anchored is not None and anchored.id > 0:
            raise JournalAltered(
                str(where),
                f"there is no journal file, but this workstation saw one holding record "
                f"{anchored.id} (anchor {anchored.hash[:12]}…)",
                1,
            )
        _note(f"no journal at {where} (nothing recorded yet)")
    return journal


def _checked(journal: JournalStore, expected: str | None, *, full: bool = False) -> IntegrityReport:
    if full:
        report = journal.verify(expected_hash=expected)
    else:
        report = journal.check(expected_hash=expected)
        if report.ok and expected is None:
            journal.move_anchor(report.head)
    for warning in journal.warnings:
        _note(warning)
    return report


def _integrity_error(journal: JournalStore, report: IntegrityReport) -> None:
    bad = f" (first bad record: {report.first_bad_id})" if report.first_bad_id else ""
    _err(
        f"the {journal.description} was altered: {report.problem}{bad}. What is shown was read "
        f"as stored and is NOT vouched for. A person resolves it: {journal.resolution}."
    )


def _decimal(value: float) -> Decimal:
    return Decimal(repr(value))


def _dose(record: StoredRecord) -> str:
    dose = record.result.get("dose_mg")
    if isinstance(dose, bool) or not isinstance(dose, int | float):
        return "—"
    try:
        return f"{format_number(_decimal(dose))} mg"
    except (ArithmeticError, ValueError, TypeError):
        return "— (unreadable)"


def _units(record: StoredRecord) -> object:
    billing = record.result.get("billing")
    return billing.get("units_total") if isinstance(billing, dict) else None


def _signed_in(r: StoredRecord) -> str:
    """How the names were given: signed in to the site journal, or typed (said only in a site
    journal, where both kinds meet: migrated records keep their typed names)."""
    if r.content.get("authenticated") is True:
        return " (signed in)"
    if "migrated_from" in r.content:
        return f" (typed names, not authenticated; migrated by {r.content.get('migrated_by')})"
    return ""


def _line(r: StoredRecord) -> str:
    if not r.readable:
        return f"{r.id:>6}  UNREADABLE record {r.id}: its content is not a journal record"
    if (line := preparation_report.record_line(r)) is not None:
        return line
    if r.status != "verified":
        reason = str(r.content.get("reason", ""))
        return f"{r.id:>6}  {r.recorded_at}  {r.status}: {reason}{_signed_in(r)}"
    return (
        f"{r.id:>6}  {r.recorded_at}  given {r.administered_on}  {_dose(r):>9}  "
        f"J9207 {_units(r)} units  prepared {r.content.get('prepared_by')}, verified "
        f"{r.content.get('verified_by')}{_signed_in(r)}  patient {r.patient_id}"
    )


def _json_row(r: StoredRecord) -> dict[str, object]:
    if not r.readable:
        return {"id": r.id, "hash": r.hash, "unreadable": True}
    return {
        "id": r.id,
        **preparation_report.record_json(r),
        "status": r.status,
        "recorded_at": r.recorded_at,
        "administered_on": r.administered_on,
        "patient_id": r.patient_id,
        "dose_mg": r.result.get("dose_mg"),
        "units_total": _units(r),
        "prepared_by": r.content.get("prepared_by"),
        "verified_by": r.content.get("verified_by"),
        "authenticated": r.content.get("authenticated") is True,
        "hash": r.hash,
    }


class _Seen:
    """The records a command read that it cannot vouch for: unreadable ones, and readable ones
    whose content no longer gives their hash (what a site journal's cheap checks on open do not
    walk: every record shown is hashed as it is shown)."""

    def __init__(self) -> None:
        self.unreadable: list[int] = []
        self.altered: list[int] = []

    def watch(self, records: Iterable[StoredRecord]) -> Iterator[StoredRecord]:
        for r in records:
            self.note(r)
            yield r

    def note(self, r: StoredRecord) -> None:
        if not r.readable:
            self.unreadable.append(r.id)
        elif not r.intact:
            self.altered.append(r.id)


def cmd_list(args: argparse.Namespace) -> int:
    patient = args.patient_id
    if patient is not None and (problem := check_patient_id(patient)):
        _err(f"patient_id (--patient-id): {problem}")
        return EXIT_INVALID
    expected = _expected_head(args)
    journal = _open_for_reading()
    if journal is None:
        if args.json:
            print("[]")
        return EXIT_OK
    seen = _Seen()
    with journal:
        report = _checked(journal, expected)
        records = seen.watch(
            journal.records(trim_patient_id(patient) if patient is not None else None)
        )
        if args.json:
            print(json.dumps([_json_row(r) for r in records], ensure_ascii=False, indent=1))
        else:
            for r in records:
                print(_line(r))
    return _read_outcome(journal, report, seen)


def _read_outcome(journal: JournalStore, report: IntegrityReport, seen: _Seen) -> int:
    sys.stdout.flush()
    code = EXIT_OK
    if seen.unreadable:
        shown = ", ".join(str(i) for i in seen.unreadable[:20])
        _err(f"UNREADABLE record(s) {shown}: run {PROG} verify")
        code = EXIT_JOURNAL
    if seen.altered:
        shown = ", ".join(str(i) for i in seen.altered[:20])
        _err(
            f"record(s) {shown}: the content no longer matches the hash (edited?); what was "
            f"shown of them is NOT vouched for: run {PROG} verify"
        )
        code = EXIT_JOURNAL
    if not report.ok:
        _integrity_error(journal, report)
        code = EXIT_JOURNAL
    return code


def _record_id(text: str) -> int:
    value = text.strip()
    # Length first: int() of thousands of digits is slow, and SQLite holds 64-bit ids.
    if not (value.isascii() and value.isdigit() and len(value) <= 19) or not (
        0 < int(value) <= _MAX_ID
    ):
        raise OptionError(
            f"id: {preview(value)} is not a record id: a whole number from 1 to {_MAX_ID}."
        )
    return int(value)


def cmd_show(args: argparse.Namespace) -> int:
    record_id = _record_id(args.id)
    expected = _expected_head(args)
    journal = _open_for_reading()
    if journal is None:
        return EXIT_JOURNAL
    with journal:
        report = _checked(journal, expected)
        record = journal.get(record_id)
        if record is None:
            _err(f"no record {record_id} (the journal holds {journal.count()} records)")
            if not report.ok:
                _integrity_error(journal, report)
            return EXIT_JOURNAL
        if record.readable:
            shown = {"id": record.id, "hash": record.hash, "content": record.content}
            if related := preparation_report.referenced_by(journal, record):
                shown["preparations_and_near_misses"] = related  # issue 16
        else:
            shown = {"id": record.id, "hash": record.hash, "unreadable": True}
        print(json.dumps(shown, ensure_ascii=False, indent=1, sort_keys=True))
        seen = _Seen()
        seen.note(record)
        return _read_outcome(journal, report, seen)


def cmd_verify(args: argparse.Namespace) -> int:
    expected = _expected_head(args)
    _folder_notes()
    journal = _open_for_reading()
    if journal is None:
        return EXIT_JOURNAL
    with journal:
        report = _checked(journal, expected, full=True)
        if report.ok and (bad := reference_problem(journal.records())) is not None:
            report = replace(report, first_bad_id=bad[0], problem=bad[1])
        where = journal.description
        anchor = journal.anchor.path if journal.anchor is not None else None
        resolution = journal.resolution
    if report.ok:
        print(
            f"{where}: {report.records} records, the chain holds. Head: record "
            f"{report.head.id}, SHA-256 {report.head.hash}"
        )
        if report.reference:
            print(f"checked against {report.reference}")
        elif anchor is not None:
            print(f"anchor set: {anchor}")
        return EXIT_OK
    print(f"{where}: BROKEN: {report.problem}")
    if report.first_bad_id is not None:
        print(f"first bad record: {report.first_bad_id}")
    print(f"A person resolves it: {resolution}.")
    return EXIT_JOURNAL


def cmd_export(args: argparse.Namespace) -> int:
    expected = _expected_head(args)
    to_stdout = args.csv == "-"
    target = None
    if not to_stdout:
        if not args.csv or (bad := _path_problem(args.csv)):
            raise ExportRefused(bad or "give a file name, or - for standard output")
        target = export_target(Path(args.csv), [paths.data_dir(), config_dir()], force=args.force)
    journal = _open_for_reading()
    if journal is None:
        return EXIT_JOURNAL
    with journal:
        report = _checked(journal, expected)
        seen = _Seen()
        data, count, _ = csv_bytes(seen.watch(journal.records()))
        head = report.head
    if to_stdout:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        done = sys.stderr  # stdout is the CSV: the summary goes beside it
    else:
        assert target is not None
        try:
            write_atomically(target, data)
        except OSError as exc:
            _err(f"cannot write {target}: {exc.strerror or exc}; nothing was written")
            return EXIT_JOURNAL
        done = sys.stdout
    where = "standard output" if to_stdout else str(target)
    print(f"exported {count} records to {where}", file=done)
    print(f"head: record {head.id}, SHA-256 {head.hash}", file=done)
    return _read_outcome(journal, report, seen)


def _path_problem(text: str) -> str | None:
    if "\x00" in text or not text.isprintable():
        return f"--csv {text!a}: the file name holds a control character"
    return None


def _folder_notes() -> None:
    """Warn when the journal's or the settings' folder (the anchor's) is writable by others."""
    for warning in (paths.folder_warning(), writable_by_others(config_dir())):
        if warning:
            _note(warning if warning.startswith("warning:") else f"warning: {warning}")


def cmd_path(args: argparse.Namespace) -> int:
    print(paths.journal_path())
    print(f"anchor: {AnchorFile.default().path}", file=sys.stderr)
    _folder_notes()
    return EXIT_OK


def cmd_init(args: argparse.Namespace) -> int:
    from ixempra_gui.journal.restart import NothingToResolve, start_new_journal

    try:
        stored, previous = start_new_journal(args.reason)
    except NothingToResolve as exc:
        _err(f"refused: {exc}")
        return EXIT_INVALID
    except ValueError as exc:
        _err(f"reason (--reason): {exc}")
        return EXIT_INVALID
    except OSError as exc:
        _err(f"cannot archive the journal: {exc.strerror or exc}; nothing was changed")
        return EXIT_JOURNAL
    for warning in previous.get("warnings", []):
        _note(warning)
    if previous.get("archived_as"):
        print(f"archived the old journal as {previous['archived_as']}")
    print(
        f"started a new journal at {paths.journal_path()}: record 1 holds the old head and the "
        f"reason. Head: record 1, SHA-256 {stored.hash}"
    )
    return EXIT_OK


# --- recording --------------------------------------------------------------------------------


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
        patient_id=trim_patient_id(args.patient_id),
        administered_on=when,
        prepared_by=args.prepared_by,
        verified_by=args.verified_by,
        order=order,
        result=result,
    )
    _folder_notes()
    try:
        with Journal.open() as journal:
            stored = journal.record(new, acknowledge_history=args.acknowledge_history)
            warnings = list(journal.warnings)
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
    for warning in warnings:
        _note(warning)
    for code in stored.content.get("acknowledged_warnings", []):
        print(f"{PROG}: warning acknowledged and recorded: {code}", file=sys.stderr)
    if args.json:
        print(json.dumps(stored.content, ensure_ascii=False, indent=1, sort_keys=True))
    print(
        f"recorded: {_dose(stored)} for patient {stored.patient_id}, given "
        f"{stored.administered_on}, J9207 {_units(stored)} units; prepared by "
        f"{stored.content['prepared_by']}, verified by {stored.content['verified_by']}; "
        f"record {stored.id}, hash {stored.short_hash}"
    )
    print(stored.id, flush=True)
    return EXIT_OK


def _near_misses(args: argparse.Namespace) -> int:
    from ixempra_gui.cli.near_misses import cmd_near_misses

    return cmd_near_misses(args)


def _label(args: argparse.Namespace) -> int:
    from ixempra_gui.cli.label import cmd_label

    return cmd_label(args)


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "list": cmd_list,
    "show": cmd_show,
    "verify": cmd_verify,
    "export": cmd_export,
    "path": cmd_path,
    "init": cmd_init,
    "record": cmd_record,
    "prepare": preparation_cli.cmd_prepare,  # issue 16: cli/preparation.py
    "near-misses": _near_misses,
    "label": _label,
}


@guarded(PROG)
def main(argv: Sequence[str] | None = None) -> int:
    from ixempra_gui.cli.site import site_main  # issue 14: the site journal, if any

    if (site_status := site_main(sys.argv[1:] if argv is None else argv)) is not None:
        return site_status
    args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    try:
        return COMMANDS[args.command](args)
    except (OptionError, ExportRefused) as exc:  # an option the command refused, naming it
        _err(str(exc))
        return EXIT_INVALID
    except JournalError as exc:
        _err(str(exc))
        return EXIT_JOURNAL
    except sqlite3.Error as exc:  # a read that failed half-way (the file changed or broke)
        _err(f"the journal could not be read: {exc}")
        return EXIT_JOURNAL


if __name__ == "__main__":
    sys.exit(main(None))

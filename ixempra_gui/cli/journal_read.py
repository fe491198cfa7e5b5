"""``ixempra-journal`` list, show, verify, export and path: they only read the file (checked
against this workstation's anchor, or the head hash given), never write it.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from ixempra_gui.cli import preparation_report
from ixempra_gui.cli.journal_common import (
    EXIT_INVALID,
    EXIT_JOURNAL,
    EXIT_OK,
    HEX64,
    MAX_ID,
    PROG,
    err,
    folder_notes,
    note,
)
from ixempra_gui.cli.options import OptionError
from ixempra_gui.cli.site_signin import open_for_reading
from ixempra_gui.core.formatting import format_number
from ixempra_gui.core.wording import recorded_time
from ixempra_gui.journal import paths
from ixempra_gui.journal.anchor import AnchorFile, AnchorUnreadable
from ixempra_gui.journal.entries import StoredRecord
from ixempra_gui.journal.errors import JournalAltered
from ixempra_gui.journal.export import ExportRefused, csv_bytes, export_target
from ixempra_gui.journal.identifiers import check_patient_id, preview, trim_patient_id
from ixempra_gui.journal.integrity import IntegrityReport
from ixempra_gui.journal.interface import JournalStore
from ixempra_gui.journal.references import reference_problem
from ixempra_gui.journal.site_config import journal_choice
from ixempra_gui.journal.store import Journal
from ixempra_gui.system.private_files import write_atomically
from ixempra_gui.system.site_settings import config_dir


def _expected_head(args: argparse.Namespace) -> str | None:
    """The --expect-head hash in lower case; ValueError when it is not 64 hex digits."""
    value: str | None = getattr(args, "expect_head", None)
    if value is None:
        return None
    if not HEX64.fullmatch(value):
        raise OptionError(
            f"expect_head (--expect-head): {preview(value)} is not a head hash: give the 64 "
            "hexadecimal digits ixempra-journal verify printed."
        )
    return value.lower()


def open_journal() -> JournalStore | None:
    """The configured journal, to read only: the site journal when this workstation is set up
    for one (signed in, named on stderr), else the file, read-only; None when there is no file
    (said on stderr). JournalAltered when there is none but the anchor says there was one;
    JournalError (SiteConfigError) when the site setting cannot be used."""
    choice = journal_choice()
    for said in choice.notes:
        note(f"note: {said}")
    if choice.is_server:
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
        note(f"no journal at {where} (nothing recorded yet)")
    return journal


def checked(journal: JournalStore, expected: str | None, *, full: bool = False) -> IntegrityReport:
    if full:
        report = journal.verify(expected_hash=expected)
    else:
        report = journal.check(expected_hash=expected)
        if report.ok and expected is None:
            journal.move_anchor(report.head)
    for warning in journal.warnings:
        note(warning)
    return report


def integrity_error(journal: JournalStore, report: IntegrityReport) -> None:
    bad = f" (first bad record: {report.first_bad_id})" if report.first_bad_id else ""
    err(
        f"the {journal.description} was altered: {report.problem}{bad}. What is shown was read "
        f"as stored and is NOT vouched for. A person resolves it: {journal.resolution}."
    )


def _decimal(value: float) -> Decimal:
    return Decimal(repr(value))


def dose_text(record: StoredRecord) -> str:
    dose = record.result.get("dose_mg")
    if isinstance(dose, bool) or not isinstance(dose, int | float):
        return "—"
    try:
        return f"{format_number(_decimal(dose))} mg"
    except (ArithmeticError, ValueError, TypeError):
        return "— (unreadable)"


def units_total(record: StoredRecord) -> object:
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
        return f"{r.id:>6}  {recorded_time(r.recorded_at)}  {r.status}: {reason}{_signed_in(r)}"
    return (
        f"{r.id:>6}  {recorded_time(r.recorded_at)}  given {r.administered_on}  {dose_text(r):>9}  "
        f"J9207 {units_total(r)} units  prepared {r.content.get('prepared_by')}, verified "
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
        "units_total": units_total(r),
        "prepared_by": r.content.get("prepared_by"),
        "verified_by": r.content.get("verified_by"),
        "authenticated": r.content.get("authenticated") is True,
        "hash": r.hash,
    }


class Seen:
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
        err(f"patient_id (--patient-id): {problem}")
        return EXIT_INVALID
    expected = _expected_head(args)
    journal = open_journal()
    if journal is None:
        if args.json:
            print("[]")
        return EXIT_OK
    seen = Seen()
    with journal:
        report = checked(journal, expected)
        records = seen.watch(
            journal.records(trim_patient_id(patient) if patient is not None else None)
        )
        if args.json:
            print(json.dumps([_json_row(r) for r in records], ensure_ascii=False, indent=1))
        else:
            for r in records:
                print(_line(r))
    return read_outcome(journal, report, seen)


def read_outcome(journal: JournalStore, report: IntegrityReport, seen: Seen) -> int:
    sys.stdout.flush()
    code = EXIT_OK
    if seen.unreadable:
        shown = ", ".join(str(i) for i in seen.unreadable[:20])
        err(f"UNREADABLE record(s) {shown}: run {PROG} verify")
        code = EXIT_JOURNAL
    if seen.altered:
        shown = ", ".join(str(i) for i in seen.altered[:20])
        err(
            f"record(s) {shown}: the content no longer matches the hash (edited?); what was "
            f"shown of them is NOT vouched for: run {PROG} verify"
        )
        code = EXIT_JOURNAL
    if not report.ok:
        integrity_error(journal, report)
        code = EXIT_JOURNAL
    return code


def record_id_of(text: str) -> int:
    value = text.strip()
    # Length first: int() of thousands of digits is slow, and SQLite holds 64-bit ids.
    if not (value.isascii() and value.isdigit() and len(value) <= 19) or not (
        0 < int(value) <= MAX_ID
    ):
        raise OptionError(
            f"id: {preview(value)} is not a record id: a whole number from 1 to {MAX_ID}."
        )
    return int(value)


def cmd_show(args: argparse.Namespace) -> int:
    record_id = record_id_of(args.id)
    expected = _expected_head(args)
    journal = open_journal()
    if journal is None:
        return EXIT_JOURNAL
    with journal:
        report = checked(journal, expected)
        record = journal.get(record_id)
        if record is None:
            err(f"no record {record_id} (the journal holds {journal.count()} records)")
            if not report.ok:
                integrity_error(journal, report)
            return EXIT_JOURNAL
        if record.readable:
            shown = {"id": record.id, "hash": record.hash, "content": record.content}
            if related := preparation_report.referenced_by(journal, record):
                shown["preparations_and_near_misses"] = related  # issue 16
        else:
            shown = {"id": record.id, "hash": record.hash, "unreadable": True}
        print(json.dumps(shown, ensure_ascii=False, indent=1, sort_keys=True))
        seen = Seen()
        seen.note(record)
        return read_outcome(journal, report, seen)


def cmd_verify(args: argparse.Namespace) -> int:
    expected = _expected_head(args)
    folder_notes()
    journal = open_journal()
    if journal is None:
        return EXIT_JOURNAL
    with journal:
        report = checked(journal, expected, full=True)
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
        if not args.csv or (bad := path_problem(args.csv)):
            raise ExportRefused(bad or "give a file name, or - for standard output")
        target = export_target(Path(args.csv), [paths.data_dir(), config_dir()], force=args.force)
    journal = open_journal()
    if journal is None:
        return EXIT_JOURNAL
    with journal:
        report = checked(journal, expected)
        seen = Seen()
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
            err(f"cannot write {target}: {exc.strerror or exc}; nothing was written")
            return EXIT_JOURNAL
        done = sys.stdout
    where = "standard output" if to_stdout else str(target)
    print(f"exported {count} records to {where}", file=done)
    print(f"head: record {head.id}, SHA-256 {head.hash}", file=done)
    return read_outcome(journal, report, seen)


def path_problem(text: str) -> str | None:
    if "\x00" in text or not text.isprintable():
        return f"--csv {text!a}: the file name holds a control character"
    return None


def cmd_path(args: argparse.Namespace) -> int:
    print(paths.journal_path())
    print(f"anchor: {AnchorFile.default().path}", file=sys.stderr)
    folder_notes()
    return EXIT_OK

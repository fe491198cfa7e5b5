"""``ixempra-journal near-misses [--since DATE] [--csv FILE]`` (issue 16): every refused kit
scan kept in the journal (what was scanned, when, by whom, why), one line each, or a CSV file
written as ``export`` writes one (a safe target, atomically, owner-only, formula cells
neutralised). Reads only; exit status as ``list``. Never imports Qt.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime
from pathlib import Path

from ixempra_gui.cli.journal_common import err
from ixempra_gui.cli.journal_read import Seen, checked, open_journal, path_problem, read_outcome
from ixempra_gui.cli.options import OptionError
from ixempra_gui.core.compounding_clock import local_date, shown
from ixempra_gui.journal import paths
from ixempra_gui.journal.entries import StoredRecord
from ixempra_gui.journal.export import ExportRefused, export_target, near_misses_csv
from ixempra_gui.journal.identifiers import preview
from ixempra_gui.journal.kinds import NEAR_MISS
from ixempra_gui.system.private_files import write_atomically
from ixempra_gui.system.site_settings import config_dir

EXIT_OK, EXIT_JOURNAL = 0, 1


def parse_since(text: str) -> date:
    """--since: YYYY-MM-DD (digits 0-9); the caller's OptionError names the option."""
    value = text.strip()
    try:
        if len(value) != 10 or not value.isascii():
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise OptionError(
            f"since (--since): {preview(value)} is not a date: give YYYY-MM-DD."
        ) from None


def scanned_at(record: StoredRecord) -> datetime | None:
    value = record.content.get("scanned_at") if record.readable else None
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    return moment if moment is not None and moment.tzinfo is not None else None


def _kept(record: StoredRecord, since: date | None) -> bool:
    if since is None:
        return True
    when = scanned_at(record)
    try:
        return when is None or local_date(when) >= since  # an unreadable time is shown
    except (OverflowError, OSError, ValueError):
        return True


def _line(record: StoredRecord) -> str:
    if not record.readable:
        return f"{record.id:>6}  UNREADABLE record {record.id}: its content is not a journal record"
    c = record.content
    when = scanned_at(record)
    refusal, scan, dose = (
        value if isinstance(value := c.get(key), dict) else {}
        for key in ("refusal", "scan", "dose_record")
    )
    signed = " (signed in)" if c.get("authenticated") is True else ""
    return (
        f"{record.id:>6}  {shown(when) if when else '?'}  by {c.get('scanned_by')}{signed}  "
        f"patient {c.get('patient_id')}, dose record {dose.get('id')}  "
        f"{refusal.get('reason')}: {refusal.get('message')}  scanned: {scan.get('text')}"
    )


def cmd_near_misses(args: argparse.Namespace) -> int:
    since = parse_since(args.since) if args.since is not None else None
    target = None
    if args.csv is not None and args.csv != "-":
        if not args.csv or (bad := path_problem(args.csv)):
            raise ExportRefused(bad or "give a file name, or - for standard output")
        target = export_target(Path(args.csv), [paths.data_dir(), config_dir()], force=args.force)
    journal = open_journal()
    if journal is None:
        return EXIT_OK
    seen = Seen()
    with journal:
        report = checked(journal, None)
        records = [r for r in seen.watch(journal.records_of_kind(NEAR_MISS)) if _kept(r, since)]
    if args.csv is None:
        for record in records:
            print(_line(record))
        print(f"{len(records)} near miss(es)", file=sys.stderr)
        return read_outcome(journal, report, seen)
    data, count = near_misses_csv(records)
    if target is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        try:
            write_atomically(target, data)
        except OSError as exc:
            err(f"cannot write {target}: {exc.strerror or exc}; nothing was written")
            return EXIT_JOURNAL
    where = "standard output" if target is None else str(target)
    print(
        f"exported {count} near miss(es) to {where}",
        file=sys.stderr if target is None else sys.stdout,
    )
    return read_outcome(journal, report, seen)

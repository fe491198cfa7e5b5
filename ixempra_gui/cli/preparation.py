"""``ixempra-journal prepare``: the preparation of a verified dose, one call per preparation
(issue 16), on the workstation's journal or the site journal. Its parsers and those of
``near-misses`` and ``label`` (cli/near_misses.py, cli/label.py) are added to ixempra-journal's.

Exit status: 0 every planned kit scanned and accepted, the times (when given) usable and the
preparation not failed: recorded; 5 a scan was refused (the reasons printed; each refused scan
kept as a near miss, the preparation recorded too when every planned kit was accepted); 3 not
complete and nothing refused: kits still missing (nothing recorded), or the preparation failed
its 1-hour limit or used an expired kit (recorded as failed: discard and remake), or the dose
cannot be prepared (not a verified dose, already prepared: the record that prepared it is
named); 2 malformed arguments (nothing judged, nothing recorded); 1 journal problem (no such
record, a journal or dose record that fails its checks, cannot be written). Never imports Qt.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import Any, Final

from ixempra_gui.cli.journal_read import record_id_of
from ixempra_gui.cli.preparation_report import report
from ixempra_gui.cli.site_signin import open_for_writing
from ixempra_gui.core.compounding import Scan
from ixempra_gui.core.gs1_scan import GS_SUBSTITUTES, check_gs_substitute
from ixempra_gui.journal import paths
from ixempra_gui.journal.errors import InvalidRecord, JournalError
from ixempra_gui.journal.identifiers import check_person, foreign_character, preview
from ixempra_gui.journal.interface import JournalStore
from ixempra_gui.journal.preparing import NoSuchRecord, PreparationRefused, prepare
from ixempra_gui.journal.site_config import journal_choice
from ixempra_gui.journal.store import Journal

PROG = "ixempra-journal"
EXIT_OK, EXIT_JOURNAL, EXIT_INVALID, EXIT_NOT_COMPLETE, EXIT_REFUSED_SCAN = 0, 1, 2, 3, 5
MAX_SCANS: Final = 60
MAX_TIME_CHARS: Final = 40
TIME_ACCEPTED: Final = (
    "YYYY-MM-DDTHH:MM (local time), or with an offset: 2025-03-01T10:05+01:00, 2025-03-01T09:05Z"
)


def _err(message: str) -> None:
    print(f"{PROG}: error: {message}", file=sys.stderr)


def parse_time(text: str, option: str) -> datetime:
    """An ISO 8601 date and time, naive (local) or with an offset; ValueError naming the
    option and what is accepted."""
    value = text.strip()
    if len(value) > MAX_TIME_CHARS:
        raise ValueError(f"{option}: {preview(value)} is too long. Accepted: {TIME_ACCEPTED}.")
    if bad := foreign_character(value):
        raise ValueError(
            f"{option}: the character {bad} is not accepted. Accepted: {TIME_ACCEPTED}."
        )
    if len(value) < 16 or not value[:4].isdigit() or value[10:11] not in ("T", "t", " "):
        raise ValueError(
            f"{option}: {preview(value)} is not a date and time. Accepted: {TIME_ACCEPTED}."
        )
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"{option}: {preview(value)} is not a date and time. Accepted: {TIME_ACCEPTED}."
        ) from None


def add_parsers(sub: Any, epilog: str) -> None:
    """``prepare``, ``near-misses`` and ``label`` in ixempra-journal's subcommands."""
    p = sub.add_parser(
        "prepare",
        help="record the preparation of a verified dose: its kits scanned, lots and times",
        description="Check each scanned kit against the dose record's plan (IXEMPRA, the "
        "planned strength, unexpired, not scanned twice, no more than planned) and record the "
        "preparation once every planned kit is accepted; every refused scan is kept as a near "
        "miss. A scan is the text the scanner sends: raw (01003700201910101727123110LOT42), "
        "with a symbology identifier (]d2...) or with group separators (0x1D, or "
        "--gs-substitute). Prints the preparation record id alone on the last line when it "
        "was recorded.",
        epilog=epilog,
    )
    p.add_argument("id", metavar="RECORD_ID", help="the verified dose record (its id)")
    p.add_argument(
        "--scan", action="append", required=True, metavar="GS1", help="one kit's barcode text"
    )
    p.add_argument(
        "--compounded-by",
        metavar="NAME",
        help="who compounded (required; on the site journal: optional, your signed-in user)",
    )
    p.add_argument(
        "--reconstituted-at",
        metavar="ISO",
        help=f"when the vials were reconstituted: {TIME_ACCEPTED}",
    )
    p.add_argument("--diluted-at", metavar="ISO", help="when the bag was completed (same form)")
    p.add_argument(
        "--gs-substitute",
        metavar="CHAR",
        help=f"the character the scanner sends for the group separator (one of {GS_SUBSTITUTES})",
    )
    p.add_argument("--json", action="store_true", help="a JSON object instead of lines")
    p = sub.add_parser(
        "near-misses",
        help="the refused kit scans (near misses), one line each, or a CSV file",
        epilog=epilog,
    )
    p.add_argument("--since", metavar="DATE", help="only those scanned on or after YYYY-MM-DD")
    p.add_argument(
        "--csv",
        metavar="FILE",
        help="write them to a CSV file instead (a new file, or --force; - for standard output)",
    )
    p.add_argument("--force", action="store_true", help="replace an existing regular file")
    p = sub.add_parser(
        "label",
        help="the bag label of a prepared dose (text, or an SVG file with --svg)",
        description="The label of the complete preparation of a verified dose record, while "
        "the infusion can still start in time (dilution + 6 h - infusion hours); refused "
        "otherwise (exit 3).",
        epilog=epilog,
    )
    p.add_argument("id", metavar="RECORD_ID", help="the verified dose record (its id)")
    p.add_argument("--svg", metavar="FILE", help="write the label as SVG (- for standard output)")
    p.add_argument("--force", action="store_true", help="replace an existing regular file")


def _problems(args: argparse.Namespace, server: bool) -> tuple[dict[str, Any], list[str]]:
    found: dict[str, Any] = {}
    problems: list[str] = []
    for field in ("reconstituted_at", "diluted_at"):
        text = getattr(args, field)
        if text is not None:
            try:
                found[field] = parse_time(text, f"{field} (--{field.replace('_', '-')})")
            except ValueError as exc:
                problems.append(str(exc))
    try:
        found["gs_substitute"] = check_gs_substitute(args.gs_substitute)
    except ValueError as exc:
        problems.append(f"gs_substitute (--gs-substitute): {exc}")
    if len(args.scan) > MAX_SCANS:
        problems.append(f"scan (--scan): {len(args.scan)} scans; at most {MAX_SCANS} in one call")
    for n, text in enumerate(args.scan, start=1):
        if not text.strip(" \t\r\n"):
            problems.append(f"scan (--scan): scan {n} is empty: give the text the scanner sent")
    who = args.compounded_by
    if who is None and not server:
        problems.append("compounded_by (--compounded-by): required (who compounded)")
    elif who is not None and (problem := check_person("Compounded by", who)):
        problems.append(f"compounded_by (--compounded-by): {problem}")
    return found, problems


def cmd_prepare(args: argparse.Namespace) -> int:
    record_id = record_id_of(args.id)
    # Python 3.11's argparse drops an option's value "--" (--scan=--) and leaves an empty
    # list in its place: that scan's text was "--" (newer Pythons keep it as given).
    args.scan = ["--" if scan == [] else scan for scan in args.scan]
    choice = journal_choice()
    found, problems = _problems(args, choice.is_server)
    if problems:
        for problem in problems:
            _err(problem)
        return EXIT_INVALID
    now = datetime.now(UTC)
    scans = [Scan(text, now) for text in args.scan]
    journal = _open_for_writing(choice)
    if journal is None:
        return EXIT_JOURNAL
    with journal:
        try:
            outcome = prepare(
                journal,
                record_id,
                scans,
                compounded_by=args.compounded_by,
                reconstituted_at=found.get("reconstituted_at"),
                diluted_at=found.get("diluted_at"),
                now=now,
                gs_substitute=found.get("gs_substitute"),
            )
        except InvalidRecord as exc:
            for field, message in exc.problems:
                _err(f"{field} (--{field.replace('_', '-')}): {message} Nothing was recorded.")
            return EXIT_INVALID
        except NoSuchRecord as exc:
            _err(f"{exc}; nothing was recorded")
            return EXIT_JOURNAL
        except PreparationRefused as exc:
            _err(f"refused: {exc}")
            return EXIT_NOT_COMPLETE
        except JournalError as exc:
            text = str(exc)
            _err(text if "NOT recorded" in text else f"the preparation was NOT recorded: {text}")
            return EXIT_JOURNAL
        for warning in journal.warnings:
            print(f"{PROG}: {warning}", file=sys.stderr)
    return report(outcome, args.json)


def _open_for_writing(choice: Any) -> JournalStore | None:
    for note in choice.notes:
        print(f"{PROG}: note: {note}", file=sys.stderr)
    if choice.is_server:
        return open_for_writing(choice)
    journal = Journal.open_existing()
    if journal is None:
        _err(f"no journal at {paths.journal_path()}: nothing has been recorded to prepare")
    return journal

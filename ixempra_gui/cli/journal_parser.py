"""The ``ixempra-journal`` command line: every command and option, and its help. The site
journal's own commands are ``cli.site``'s, which adds them to this help.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ixempra_gui import __version__
from ixempra_gui.cli import calc as calc_cli
from ixempra_gui.cli import preparation as preparation_cli
from ixempra_gui.cli.journal_common import EXIT_INVALID, EXIT_STATUS_TEXT, PROG, err
from ixempra_gui.journal import paths


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        err(f"arguments: {message}")
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

    _reading_commands(sub, expect)
    _writing_commands(sub)
    preparation_cli.add_parsers(sub, EXIT_STATUS_TEXT)  # prepare, near-misses, label
    return parser


def _reading_commands(
    sub: argparse._SubParsersAction[Any], expect: argparse.ArgumentParser
) -> None:
    """list, show, verify, export, path: they only read the journal."""
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


def _writing_commands(sub: argparse._SubParsersAction[Any]) -> None:
    """init and record: the commands that write the journal."""
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

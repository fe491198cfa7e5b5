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
import sqlite3
import sys
from collections.abc import Callable, Sequence

from ixempra_gui.cli import preparation as preparation_cli
from ixempra_gui.cli.guard import guarded
from ixempra_gui.cli.journal_common import (
    EXIT_INVALID,
    EXIT_JOURNAL,
    PROG,
    err,
)
from ixempra_gui.cli.journal_parser import build_parser
from ixempra_gui.cli.journal_read import cmd_export, cmd_list, cmd_path, cmd_show, cmd_verify
from ixempra_gui.cli.journal_write import cmd_init, cmd_record
from ixempra_gui.cli.label import cmd_label
from ixempra_gui.cli.near_misses import cmd_near_misses
from ixempra_gui.cli.options import OptionError
from ixempra_gui.cli.site import site_main
from ixempra_gui.journal.errors import JournalError
from ixempra_gui.journal.export import ExportRefused

__all__ = ["COMMANDS", "build_parser", "main"]

COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "list": cmd_list,
    "show": cmd_show,
    "verify": cmd_verify,
    "export": cmd_export,
    "path": cmd_path,
    "init": cmd_init,
    "record": cmd_record,
    "prepare": preparation_cli.cmd_prepare,  # issue 16: cli/preparation.py
    "near-misses": cmd_near_misses,
    "label": cmd_label,
}


@guarded(PROG)
def main(argv: Sequence[str] | None = None) -> int:
    if (site_status := site_main(sys.argv[1:] if argv is None else argv)) is not None:
        return site_status  # issue 14: a site command, or record / path / init on a site journal
    args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    try:
        return COMMANDS[args.command](args)
    except (OptionError, ExportRefused) as exc:  # an option the command refused, naming it
        err(str(exc))
        return EXIT_INVALID
    except JournalError as exc:
        err(str(exc))
        return EXIT_JOURNAL
    except sqlite3.Error as exc:  # a read that failed half-way (the file changed or broke)
        err(f"the journal could not be read: {exc}")
        return EXIT_JOURNAL


if __name__ == "__main__":
    sys.exit(main(None))

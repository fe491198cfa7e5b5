"""``ixempra-journal``: record verified doses and read, check and export the journal.

Exit status:
  0 done (``verify``: the whole chain holds, and the anchor or the expected head is in it);
  1 journal problem: it cannot be opened, read or written, it was altered (``journal_altered``:
    a broken chain, a missing anchored record, no journal where one was), ``show`` found no
    such record, or an unreadable record was listed or exported; nothing was recorded;
  2 invalid input (an option, an identifier, an export target);
  3 refused: no dose ready to prepare;
  4 refused: the patient's history raised warnings that were not acknowledged;
  5 reserved (a refused scan, a later issue);
  6 the output was closed early (``| head``): what was done stays done;
  7 internal error (a fault of the program; please report it);
  130 interrupted (Ctrl+C).
``list``, ``show``, ``verify`` and ``export`` only read the file (sqlite_files). Never imports
Qt (import-linter contract in pyproject.toml).
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Sequence

from ixempra_gui.cli.guard import guarded
from ixempra_gui.cli.journal_common import (
    EXIT_INVALID,
    EXIT_JOURNAL,
    PROG,
    OptionError,
    err,
)
from ixempra_gui.cli.journal_parser import build_parser
from ixempra_gui.cli.journal_read import cmd_export, cmd_list, cmd_path, cmd_show, cmd_verify
from ixempra_gui.cli.journal_write import cmd_init, cmd_record
from ixempra_gui.cli.site import site_main
from ixempra_gui.journal.errors import JournalError
from ixempra_gui.journal.export import ExportRefused

__all__ = ["COMMANDS", "build_parser", "main"]

COMMANDS = {
    "list": cmd_list,
    "show": cmd_show,
    "verify": cmd_verify,
    "export": cmd_export,
    "path": cmd_path,
    "init": cmd_init,
    "record": cmd_record,
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

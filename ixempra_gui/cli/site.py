"""``ixempra-journal`` for a site journal on PostgreSQL (issue 14), called first by
``journal_cli.main``: it handles the site commands and, when the workstation is configured for a
site journal, ``record``, ``path`` and ``init``; otherwise it returns None and ``journal_cli``
goes on. ``list``, ``show``, ``verify`` and ``export`` are ``journal_cli``'s own commands for
either journal: they open the site journal through ``open_for_reading`` (read-only session).

Site commands (any workstation, IT):
  site-init --admin-url URL                   create or upgrade the site journal (idempotent)
  add-pharmacist --admin-url URL NAME         a login role in ixempra_pharmacist
  migrate --to URL [--expect-head HASH]       this user's SQLite journal into the site journal
With a site journal configured (``IXEMPRA_JOURNAL_URL`` or ``journal_url`` in site.ini):
  record ... --verifier-url URL               the verifier signs in with their own credentials
  path                                        which journal, and this workstation's anchor for it
  init --new                                  refused: a site journal is resolved on the server

Passwords: never in a URL (refused); from libpq's own sources (.pgpass, client certificate,
Kerberos), a prompt on the terminal, or one line on stdin where an option says so. The journal
in use is named on stderr (redacted). Exit status as ``journal_cli`` (0 done; 1 the journal
failed — unreachable, password refused, not a pharmacist, read-only, altered — and nothing was
recorded; 2 invalid input; 3 no dose ready; 4 history warnings not acknowledged; 5 ``prepare``:
a kit scan refused (kept as a near miss); 6 output closed; 7 internal error: ``cli_guard`` wraps
``journal_cli.main``, this included). ``prepare``, ``near-misses`` and ``label`` are
``journal_cli``'s commands for either journal (``open_for_writing``, ``open_for_reading``).
Never imports Qt.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Any

from ixempra_gui.cli.journal_common import EXIT_JOURNAL, EXIT_OK, err
from ixempra_gui.cli.journal_parser import build_parser
from ixempra_gui.cli.site_admin import (
    cmd_add_pharmacist,
    cmd_init,
    cmd_migrate,
    cmd_path,
    cmd_site_init,
)
from ixempra_gui.cli.site_parsers import build_server_parser, build_site_parser
from ixempra_gui.cli.site_record import cmd_record
from ixempra_gui.cli.site_signin import (
    open_for_reading,
    open_for_writing,
    open_server,
    say_journal,
)
from ixempra_gui.journal.errors import JournalError
from ixempra_gui.journal.site_config import SiteConfigError, journal_choice

__all__ = [
    "build_server_parser",
    "build_site_parser",
    "open_for_reading",
    "open_for_writing",
    "site_main",
]

SITE_COMMANDS = ("site-init", "add-pharmacist", "migrate")
SERVER_COMMANDS = ("path", "record", "init")  # the others: journal_cli, for either journal


def _command(argv: Sequence[str]) -> str | None:
    return argv[0] if argv and not argv[0].startswith("-") else None


def _help() -> str:
    return (
        build_parser().format_help()
        + "\nsite journal (PostgreSQL):\n"
        + "  site-init           create or upgrade the site journal (--admin-url URL)\n"
        + "  add-pharmacist      a pharmacist's login role (--admin-url URL NAME)\n"
        + "  migrate             copy this user's SQLite journal into it (--to URL)\n"
        + "  With IXEMPRA_JOURNAL_URL or journal_url in site.ini, every command above uses the "
        + "site journal\n  (record then needs --verifier-url; init --new is refused there: IT "
        + "resolves a site journal\n  on the server). See: ixempra-journal COMMAND -h\n"
    )


def _run(argv: Sequence[str], body: Callable[[argparse.Namespace], int], parser: Any) -> int:
    """Parse and run one command; a journal failure is one line and exit 1. A closed pipe,
    Ctrl+C and a fault of the program are cli_guard's (journal_cli.main is guarded)."""
    args = parser.parse_args(list(argv))
    try:
        return body(args)
    except JournalError as exc:
        # A connection lost during COMMIT says itself that the record may or may not exist.
        unknown = getattr(exc, "reason", "") == "commit_unknown"
        err(
            f"the dose was NOT recorded: {exc}"
            if args.command == "record" and not unknown
            else str(exc)
        )
        return EXIT_JOURNAL


def site_main(argv: Sequence[str]) -> int | None:
    """Handle ``argv`` when it is a site command, or ``record``, ``path`` or ``init`` while a
    site journal is configured; None to leave it to journal_cli."""
    argv = list(argv)
    command = _command(argv)
    if command is None:
        if argv and argv[0] in ("-h", "--help"):
            print(_help(), end="")
            raise SystemExit(EXIT_OK)  # as argparse's own --help
        return None
    if command in SITE_COMMANDS:
        handlers: dict[str, Callable[[argparse.Namespace], int]] = {
            "site-init": cmd_site_init,
            "add-pharmacist": cmd_add_pharmacist,
            "migrate": cmd_migrate,
        }
        return _run(argv, lambda a: handlers[a.command](a), build_site_parser())
    if command not in SERVER_COMMANDS:
        return None
    try:
        choice = journal_choice()
    except SiteConfigError as exc:
        err(f"{exc}; nothing was done")
        return EXIT_JOURNAL
    if not choice.is_server:
        return None  # journal_cli says the notes of the choice

    def body(args: argparse.Namespace) -> int:
        if args.command == "path":
            return cmd_path(choice)
        if args.command == "init":
            return cmd_init(choice)
        with open_server(choice) as journal:
            say_journal(journal, choice)
            return cmd_record(journal, args, choice)

    return _run(argv, body, build_server_parser())

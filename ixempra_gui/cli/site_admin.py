"""``ixempra-journal`` on a site journal, apart from ``record``: ``init`` (refused), ``path``,
and IT's ``site-init``, ``add-pharmacist`` and ``migrate``. Never imports Qt."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from ixempra_gui.cli.journal_common import EXIT_INVALID, EXIT_JOURNAL, EXIT_OK, HEX64, err, note
from ixempra_gui.cli.site_signin import open_server, say_journal, sign_in, stdin_line
from ixempra_gui.journal import paths
from ixempra_gui.journal.configured import location
from ixempra_gui.journal.site_config import JournalChoice, redact
from ixempra_gui.system.site_settings import config_dir


def cmd_init(choice: JournalChoice) -> int:
    """``init --new`` on a site journal: refused. Its records are append-only on the server,
    and no workstation may archive or restart them; says whether it holds and, if not, what
    IT does (docs/journal-integrity.md, "The site journal")."""
    with open_server(choice, read_only=True) as journal:
        say_journal(journal, choice)
        report = journal.verify()
        where, resolution = journal.description, journal.resolution
    if report.ok:
        err(
            f"refused: the {where} holds ({report.records} records, head {report.head.hash}): "
            "there is nothing to resolve"
        )
        return EXIT_INVALID
    bad = f" (first bad record: {report.first_bad_id})" if report.first_bad_id else ""
    err(
        f"refused: the {where} fails its checks: {report.problem}{bad}. A site journal is "
        f"never started anew from a workstation: {resolution}. Nothing was changed."
    )
    return EXIT_JOURNAL


def cmd_path(choice: JournalChoice) -> int:

    print(location(choice))
    print(
        f"anchor: {config_dir() / 'journal-anchor-site-*.slots'} (one per server and database)",
        file=sys.stderr,
    )
    for remark in choice.notes:
        note(f"note: {remark}")
    return EXIT_OK


def cmd_site_init(args: argparse.Namespace) -> int:
    # psycopg (ixempra-gui[postgresql]): loaded only for a site journal
    from ixempra_gui.journal.postgres.admin import site_init

    url = args.admin_url
    report = sign_in(
        lambda pw: site_init(url, password=pw), f"the administrator ({redact(url)})", None
    )
    if report.applied:
        for step in report.applied:
            print(f"applied migration {step}")
    print(
        f"site journal in database {report.database} ({redact(url)}): schema version "
        f"{report.version}" + ("" if report.applied else " (already up to date; nothing changed)")
    )
    return EXIT_OK


def cmd_add_pharmacist(args: argparse.Namespace) -> int:
    # psycopg (ixempra-gui[postgresql]): loaded only for a site journal
    from ixempra_gui.journal.postgres.admin import AdminInputError, add_pharmacist, check_password

    password: str | None = None
    try:
        if args.password_stdin:
            password = stdin_line("--password-stdin")
        elif not args.no_password:
            if not sys.stdin.isatty():
                raise AdminInputError(
                    "password: give --password-stdin (one line on standard input), "
                    "--no-password, or run on a terminal to be asked"
                )
            password = getpass.getpass(f"New password for {args.name}: ")
            check_password(password)
            if getpass.getpass("Again: ") != password:
                raise AdminInputError("password: the two entries differ")
        url = args.admin_url
        done = sign_in(
            lambda pw: add_pharmacist(url, args.name, password=password, admin_password=pw),
            f"the administrator ({redact(url)})",
            None,
        )
    except (AdminInputError, ValueError) as exc:
        err(str(exc))
        return EXIT_INVALID
    print(done)
    return EXIT_OK


def cmd_migrate(args: argparse.Namespace) -> int:
    # psycopg (ixempra-gui[postgresql]): loaded only for a site journal
    from ixempra_gui.journal.postgres.migrate import migrate_journal

    url = args.to
    folder: Path | None = args.source
    # psycopg (ixempra-gui[postgresql]): loaded only for a site journal
    from ixempra_gui.journal.postgres.store import PostgresJournal

    expected = args.expect_head
    if expected is not None and not HEX64.fullmatch(expected):
        err(
            "expect_head (--expect-head): not a head hash: give the 64 hexadecimal digits "
            "ixempra-journal verify printed."
        )
        return EXIT_INVALID
    target = sign_in(lambda pw: PostgresJournal.open(url, password=pw), redact(url), None)
    with target:
        note(f"migrating into the {target.description}, signed in as {target.user}")
        report = migrate_journal(
            folder,
            target,
            progress=_progress,
            expected_hash=None if expected is None else expected.lower(),
        )
        for warning in target.warnings:
            note(warning)
    print(
        f"migrated {report.copied} records from {paths.journal_path(folder)} into the "
        f"{target.description} ({report.already_there} were already there); the local "
        "journal was left unchanged"
    )
    return EXIT_OK


def _progress(done: int, total: int) -> None:
    if total >= 200 and (done % 500 == 0 or done == total):
        note(f"{done} of {total} records")

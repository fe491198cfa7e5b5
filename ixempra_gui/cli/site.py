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
import getpass
import json
import re
import sys
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ixempra_gui.cli import calc as calc_cli
from ixempra_gui.core.calculator import calculate
from ixempra_gui.core.formatting import format_number
from ixempra_gui.core.models import Status
from ixempra_gui.journal import paths
from ixempra_gui.journal.entries import NewRecord, StoredRecord, parse_administration_date
from ixempra_gui.journal.errors import (
    HistoryNotAcknowledged,
    InvalidRecord,
    JournalError,
    RecordRefused,
)
from ixempra_gui.journal.identifiers import (
    check_patient_id,
    check_person,
    same_person,
)
from ixempra_gui.journal.site_config import (
    JournalChoice,
    SiteConfigError,
    check_url,
    journal_choice,
    redact,
)

if TYPE_CHECKING:
    from ixempra_gui.journal.postgres.store import PostgresJournal

PROG = "ixempra-journal"
EXIT_OK = 0
EXIT_JOURNAL = 1
EXIT_INVALID = 2
EXIT_NOT_READY = 3
EXIT_HISTORY = 4
SITE_COMMANDS = ("site-init", "add-pharmacist", "migrate")
SERVER_COMMANDS = ("path", "record", "init")  # the others: journal_cli, for either journal
_HEAD = re.compile(r"[0-9a-fA-F]{64}")
T = TypeVar("T")


def _err(message: str) -> None:
    print(f"{PROG}: error: {message}", file=sys.stderr)


def _note(message: str) -> None:
    print(f"{PROG}: {message}", file=sys.stderr)


# --- parsers -----------------------------------------------------------------------------------
def _add_admin_url(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--admin-url",
        required=True,
        metavar="URL",
        help="an administrator's libpq URI, e.g. postgresql://postgres@db.clinic.local/ixempra "
        "(no password in it: .pgpass, PGPASSWORD, a client certificate, or a prompt)",
    )


def build_site_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG, description="Set up and fill the site journal on PostgreSQL."
    )  # argparse exits 2 on a usage error, as EXIT_INVALID
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p = sub.add_parser(
        "site-init",
        help="create or upgrade the site journal (roles, tables, triggers); idempotent",
        description="Create the roles ixempra_owner and ixempra_pharmacist, the schema "
        "ixempra and its append-only tables in the database the URL names (create the "
        "database first: createdb ixempra), or apply the migrations it lacks.",
    )
    _add_admin_url(p)
    p = sub.add_parser(
        "add-pharmacist",
        help="create a pharmacist's login role (or add a role to the pharmacist group)",
    )
    _add_admin_url(p)
    p.add_argument("name", metavar="NAME", help="the role name the pharmacist signs in with")
    secret = p.add_mutually_exclusive_group()
    secret.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the new password from the first line of standard input",
    )
    secret.add_argument(
        "--no-password",
        action="store_true",
        help="set no password (the role signs in with a client certificate or Kerberos)",
    )
    p = sub.add_parser(
        "migrate",
        help="copy this user's SQLite journal into the site journal (run again: nothing new)",
        description="Each record of the local journal becomes a new site record that embeds "
        "the original content and hash verbatim; a local journal that fails verify is refused. "
        "The local file is left unchanged.",
    )
    p.add_argument("--to", required=True, metavar="URL", help="the site journal (your user)")
    p.add_argument(
        "--from",
        dest="source",
        type=Path,
        metavar="FOLDER",
        help=f"the local journal's folder (default ${paths.ENV_DATA_DIR} or the user data folder)",
    )
    p.add_argument(
        "--expect-head",
        metavar="HASH",
        help="check the local journal against this head (64 hex digits, as verify printed "
        "it) instead of this workstation's anchor: for a journal copied from elsewhere",
    )
    return parser


def build_server_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description="The site journal (PostgreSQL).")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("path", help="print which journal is in use, and this workstation's anchor")
    p = sub.add_parser(
        "init",
        help="refused on a site journal: it is resolved on the server (docs)",
        description="A site journal cannot be started anew from a workstation: its records are "
        "append-only on the server. This says whether it holds, and what IT does if not.",
    )
    p.add_argument("--new", action="store_true", required=True, help="start a new journal")
    p.add_argument("--reason", required=True, metavar="TEXT", help="what was found")
    p = sub.add_parser(
        "record",
        parents=[calc_cli.build_parser()],
        conflict_handler="resolve",
        help="calculate a dose and record it as verified",
        description="Calculate the dose from the same options as ixempra-calc and record it "
        "as verified in the site journal: you are the preparer (your signed-in user); the "
        "verifier signs in with their own credentials (--verifier-url). Prints the new record "
        "id alone on the last line, only after the record is committed.",
    )
    p.add_argument(
        "--verifier-url",
        required=True,
        metavar="URL",
        help="the verifier's libpq URI (their user, same server and database; no password)",
    )
    p.add_argument(
        "--verifier-password-stdin",
        action="store_true",
        help="read the verifier's password from the first line of standard input (else a "
        "prompt on the terminal, else libpq's own sources)",
    )
    p.add_argument(
        "--prepared-by", metavar="NAME", help="optional: must be your signed-in user name"
    )
    p.add_argument(
        "--verified-by", metavar="NAME", help="optional: must be the verifier's user name"
    )
    p.add_argument(
        "--acknowledge-history",
        action="store_true",
        help="record even though the patient's history raised warnings (they are stored)",
    )
    return parser


# --- signing in ----------------------------------------------------------------------------------
def _stdin_line(what: str) -> str:
    line = sys.stdin.readline()
    if not line:
        raise ValueError(f"{what}: nothing on standard input")
    return line.rstrip("\r\n")


def _sign_in(open_with: Callable[[str | None], T], who: str, password: str | None) -> T:
    """Connect with ``password`` (or libpq's sources); when the server asks for a password
    none of them gave and this is a terminal, prompt once (like psql)."""
    from ixempra_gui.journal.postgres.errors import CredentialsRefused

    try:
        return open_with(password)
    except CredentialsRefused as exc:
        if password is not None or "no password supplied" not in str(exc):
            raise
        if not sys.stdin.isatty():
            raise
    prompted = getpass.getpass(f"Password for {who}: ")
    return open_with(prompted)


def _open_server(choice: JournalChoice, *, read_only: bool = False) -> PostgresJournal:
    """Sign in to the configured site journal: to record (checked: JournalAltered when it
    fails), or ``read_only`` (a read-only session, checked by the command)."""
    from ixempra_gui.journal.postgres.store import PostgresJournal

    assert choice.url is not None
    url = choice.url
    opener = PostgresJournal.open_read_only if read_only else PostgresJournal.open
    return _sign_in(lambda pw: opener(url, password=pw), redact(url), None)


def _say_journal(journal: PostgresJournal, choice: JournalChoice) -> None:
    _note(f"{journal.description}, signed in as {journal.user} (from {choice.source})")
    for note in choice.notes:
        _note(f"note: {note}")


def _local_note(journal: PostgresJournal) -> None:
    from ixempra_gui.journal.configured import local_journal_warning

    warning = local_journal_warning(journal)
    if warning is not None:
        _note(f"note: {warning.message}")


def open_for_writing(choice: JournalChoice) -> PostgresJournal:
    """The site journal for ``prepare`` (cli/preparation.py): signed in, checked, named on
    stderr; the compounder is the signed-in user."""
    journal = _open_server(choice)
    try:
        _say_journal(journal, choice)
    except BaseException:
        journal.close()
        raise
    return journal


def open_for_reading(choice: JournalChoice) -> PostgresJournal:
    """The site journal for ``list``, ``show``, ``verify`` and ``export`` (journal_cli): a
    read-only session, named on stderr, with a note when this user's own SQLite journal holds
    records the site journal lacks."""
    journal = _open_server(choice, read_only=True)
    try:
        _note(f"{journal.description}, signed in as {journal.user} (from {choice.source})")
        _local_note(journal)
    except BaseException:
        journal.close()
        raise
    return journal


# --- formatting ----------------------------------------------------------------------------------
def _dose(record: StoredRecord) -> str:
    dose = record.result.get("dose_mg")
    if isinstance(dose, bool) or not isinstance(dose, int | float):
        return "—"
    return f"{format_number(Decimal(repr(dose)))} mg"


def _units(record: StoredRecord) -> object:
    billing = record.result.get("billing")
    return billing.get("units_total") if isinstance(billing, dict) else None


# --- commands ------------------------------------------------------------------------------------
def _record_problems(args: argparse.Namespace) -> tuple[date, list[tuple[str, str]]]:
    problems: list[tuple[str, str]] = []
    if args.patient_id is None:
        problems.append(("patient_id", "Patient id: --patient-id is required to record a dose."))
    elif problem := check_patient_id(args.patient_id):
        problems.append(("patient_id", problem))
    when = date.today()
    if args.administered_on is not None:
        try:
            when = parse_administration_date(args.administered_on)
        except ValueError as exc:
            problems.append(("administered_on", str(exc)))
    for field, label in (("prepared_by", "Prepared by"), ("verified_by", "Verified by")):
        value = getattr(args, field)
        if value is not None and (problem := check_person(label, value)):
            problems.append((field, problem))
    try:
        check_url(args.verifier_url, "--verifier-url")
    except SiteConfigError as exc:
        problems.append(("verifier_url", f"Verifier URL: {exc}"))
    return when, problems


def _print_problems(problems: Sequence[tuple[str, str]]) -> None:
    for field, message in problems:
        _err(f"{field} (--{field.replace('_', '-')}): {message}")


def cmd_record(journal: PostgresJournal, args: argparse.Namespace, choice: JournalChoice) -> int:
    from ixempra_gui.journal.configured import local_journal_warning
    from ixempra_gui.journal.postgres.session import VerifierSession

    when, problems = _record_problems(args)
    order = calc_cli.order_from_args(args)
    result = calculate(order)
    problems += [(i.field, i.message) for i in result.errors]
    if args.prepared_by is not None and not same_person(args.prepared_by, journal.user):
        problems.append(
            (
                "prepared_by",
                f"Prepared by: {args.prepared_by!r} is not the signed-in user {journal.user!r}.",
            )
        )
    if problems:
        _print_problems(problems)
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
    verifier_url = args.verifier_url
    try:
        password = (
            _stdin_line("--verifier-password-stdin") if args.verifier_password_stdin else None
        )
    except ValueError as exc:
        _print_problems([("verifier_password_stdin", str(exc))])
        return EXIT_INVALID
    if password is None and sys.stdin.isatty():
        # The verifier types their password here, in front of the preparer's screen: a
        # credential libpq would find on this account (.pgpass) is the preparer's, not theirs.
        typed = getpass.getpass(
            f"Password for the verifier ({redact(verifier_url)}) "
            "[Enter: their certificate or Kerberos ticket]: "
        )
        password = typed or None
    verifier = VerifierSession.sign_in(verifier_url, password=password)
    with verifier:
        _note(f"verifier signed in as {verifier.user}")
        if args.verified_by is not None and not same_person(args.verified_by, verifier.user):
            _print_problems(
                [
                    (
                        "verified_by",
                        f"Verified by: {args.verified_by!r} is not the signed-in verifier "
                        f"{verifier.user!r}.",
                    )
                ]
            )
            return EXIT_INVALID
        new = NewRecord(
            patient_id=args.patient_id,
            administered_on=when,
            prepared_by=journal.user,
            verified_by=verifier.user,
            order=order,
            result=result,
        )
        extra = local_journal_warning(journal)
        try:
            stored = journal.record(
                new,
                acknowledge_history=args.acknowledge_history,
                verifier=verifier,
                extra_warnings=(extra,) if extra else (),
            )
        except InvalidRecord as exc:
            _print_problems(exc.problems)
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
    # Committed: from here on the record exists, whatever happens to this process.
    for code in stored.content.get("acknowledged_warnings", []):
        _note(f"warning acknowledged and recorded: {code}")
    if args.json:
        print(json.dumps(stored.content, ensure_ascii=False, indent=1, sort_keys=True))
    print(
        f"recorded: {_dose(stored)} for patient {stored.patient_id}, given "
        f"{stored.administered_on}, J9207 {_units(stored)} units; prepared by "
        f"{stored.content['prepared_by']}, verified by {stored.content['verified_by']} "
        f"(both signed in) in the {journal.description}; record {stored.id}, hash "
        f"{stored.short_hash}"
    )
    for warning in journal.warnings:
        _note(warning)
    print(stored.id, flush=True)
    return EXIT_OK


def cmd_init(choice: JournalChoice) -> int:
    """``init --new`` on a site journal: refused. Its records are append-only on the server,
    and no workstation may archive or restart them; says whether it holds and, if not, what
    IT does (docs/journal-integrity.md, "The site journal")."""
    with _open_server(choice, read_only=True) as journal:
        _say_journal(journal, choice)
        report = journal.verify()
        where, resolution = journal.description, journal.resolution
    if report.ok:
        _err(
            f"refused: the {where} holds ({report.records} records, head {report.head.hash}): "
            "there is nothing to resolve"
        )
        return EXIT_INVALID
    bad = f" (first bad record: {report.first_bad_id})" if report.first_bad_id else ""
    _err(
        f"refused: the {where} fails its checks: {report.problem}{bad}. A site journal is "
        f"never started anew from a workstation: {resolution}. Nothing was changed."
    )
    return EXIT_JOURNAL


def cmd_path(choice: JournalChoice) -> int:
    from ixempra_gui.journal.configured import location
    from ixempra_gui.system.site_settings import config_dir

    print(location(choice))
    print(
        f"anchor: {config_dir() / 'journal-anchor-site-*.json'} (one per server and database)",
        file=sys.stderr,
    )
    for note in choice.notes:
        _note(f"note: {note}")
    return EXIT_OK


def cmd_site_init(args: argparse.Namespace) -> int:
    from ixempra_gui.journal.postgres.admin import site_init

    url = args.admin_url
    report = _sign_in(
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
    from ixempra_gui.journal.postgres.admin import AdminInputError, add_pharmacist, check_password

    password: str | None = None
    try:
        if args.password_stdin:
            password = _stdin_line("--password-stdin")
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
        done = _sign_in(
            lambda pw: add_pharmacist(url, args.name, password=password, admin_password=pw),
            f"the administrator ({redact(url)})",
            None,
        )
    except (AdminInputError, ValueError) as exc:
        _err(str(exc))
        return EXIT_INVALID
    print(done)
    return EXIT_OK


def cmd_migrate(args: argparse.Namespace) -> int:
    from ixempra_gui.journal.postgres.migrate import migrate_journal

    url = args.to
    folder: Path | None = args.source
    from ixempra_gui.journal.postgres.store import PostgresJournal

    expected = args.expect_head
    if expected is not None and not _HEAD.fullmatch(expected):
        _err(
            "expect_head (--expect-head): not a head hash: give the 64 hexadecimal digits "
            "ixempra-journal verify printed."
        )
        return EXIT_INVALID
    target = _sign_in(lambda pw: PostgresJournal.open(url, password=pw), redact(url), None)
    with target:
        _note(f"migrating into the {target.description}, signed in as {target.user}")
        report = migrate_journal(
            folder,
            target,
            progress=_progress,
            expected_hash=None if expected is None else expected.lower(),
        )
        for warning in target.warnings:
            _note(warning)
    print(
        f"migrated {report.copied} records from {paths.journal_path(folder)} into the "
        f"{target.description} ({report.already_there} were already there); the local "
        "journal was left unchanged"
    )
    return EXIT_OK


def _progress(done: int, total: int) -> None:
    if total >= 200 and (done % 500 == 0 or done == total):
        _note(f"{done} of {total} records")


# --- entry ---------------------------------------------------------------------------------------
def _command(argv: Sequence[str]) -> str | None:
    return argv[0] if argv and not argv[0].startswith("-") else None


def _help() -> str:
    from ixempra_gui.cli.journal import build_parser

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
        _err(
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
        _err(f"{exc}; nothing was done")
        return EXIT_JOURNAL
    if not choice.is_server:
        return None  # journal_cli says the notes of the choice

    def body(args: argparse.Namespace) -> int:
        if args.command == "path":
            return cmd_path(choice)
        if args.command == "init":
            return cmd_init(choice)
        with _open_server(choice) as journal:
            _say_journal(journal, choice)
            return cmd_record(journal, args, choice)

    return _run(argv, body, build_server_parser())

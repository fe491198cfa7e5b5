"""``ixempra-journal record`` on a site journal: the preparer signed in, the verifier signs in
with their own credentials (``--verifier-url``); the record id is printed only once committed.
Never imports Qt."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from ixempra_gui.cli import calc as calc_cli
from ixempra_gui.cli.journal_common import (
    EXIT_HISTORY,
    EXIT_INVALID,
    EXIT_NOT_READY,
    EXIT_OK,
    err,
    note,
)
from ixempra_gui.cli.site_signin import stdin_line
from ixempra_gui.core.calculator import calculate
from ixempra_gui.core.formatting import format_number
from ixempra_gui.core.models import DoseResult, Order, Status
from ixempra_gui.journal.configured import local_journal_warning
from ixempra_gui.journal.entries import NewRecord, StoredRecord, parse_administration_date
from ixempra_gui.journal.errors import HistoryNotAcknowledged, InvalidRecord, RecordRefused
from ixempra_gui.journal.identifiers import check_patient_id, check_person, same_person
from ixempra_gui.journal.site_config import JournalChoice, SiteConfigError, check_url, redact

if TYPE_CHECKING:
    # psycopg (ixempra-gui[postgresql]): loaded only for a site journal
    from ixempra_gui.journal.postgres.session import VerifierSession
    from ixempra_gui.journal.postgres.store import PostgresJournal


def _dose(record: StoredRecord) -> str:
    dose = record.result.get("dose_mg")
    if isinstance(dose, bool) or not isinstance(dose, int | float):
        return "—"
    return f"{format_number(Decimal(repr(dose)))} mg"


def _units(record: StoredRecord) -> object:
    billing = record.result.get("billing")
    return billing.get("units_total") if isinstance(billing, dict) else None


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
        err(f"{field} (--{field.replace('_', '-')}): {message}")


class _Stop(Exception):
    """The command ends here with this exit status; what was wrong is already said."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def cmd_record(journal: PostgresJournal, args: argparse.Namespace, choice: JournalChoice) -> int:
    try:
        when, order, result = _checked_order(journal, args)
        password = _verifier_password(args)
        verifier = _sign_in_verifier(args.verifier_url, password)
        with verifier:
            note(f"verifier signed in as {verifier.user}")
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
            stored = _write(journal, verifier, new, args)
    except _Stop as stop:
        return stop.status
    # Committed: from here on the record exists, whatever happens to this process.
    _say_recorded(journal, stored, args)
    return EXIT_OK


def _sign_in_verifier(url: str, password: str | None) -> VerifierSession:
    # psycopg (ixempra-gui[postgresql]): loaded only for a site journal
    from ixempra_gui.journal.postgres.session import VerifierSession as Session

    return Session.sign_in(url, password=password)


def _checked_order(
    journal: PostgresJournal, args: argparse.Namespace
) -> tuple[date, Order, DoseResult]:
    """The order the options give and its result; _Stop when it may not be recorded."""
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
        raise _Stop(EXIT_INVALID)
    if result.status is not Status.OK or not result.ready_to_prepare:
        err(
            f"refused: no dose is ready to prepare (status {result.status.value}); nothing was "
            "recorded"
        )
        for reason in result.reasons:
            if reason.severity.value == "stop":
                print(f"  {reason.message} ({reason.source})", file=sys.stderr)
        raise _Stop(EXIT_NOT_READY)
    return when, order, result


def _verifier_password(args: argparse.Namespace) -> str | None:
    """From stdin (--verifier-password-stdin), typed by the verifier on a terminal, or None:
    libpq's own sources."""
    try:
        password = stdin_line("--verifier-password-stdin") if args.verifier_password_stdin else None
    except ValueError as exc:
        _print_problems([("verifier_password_stdin", str(exc))])
        raise _Stop(EXIT_INVALID) from exc
    if password is None and sys.stdin.isatty():
        # The verifier types their password here, in front of the preparer's screen: a
        # credential libpq would find on this account (.pgpass) is the preparer's, not theirs.
        typed = getpass.getpass(
            f"Password for the verifier ({redact(args.verifier_url)}) "
            "[Enter: their certificate or Kerberos ticket]: "
        )
        password = typed or None
    return password


def _write(
    journal: PostgresJournal,
    verifier: VerifierSession,
    new: NewRecord,
    args: argparse.Namespace,
) -> StoredRecord:
    """The record, once committed; _Stop when the journal refused it."""
    extra = local_journal_warning(journal)
    try:
        return journal.record(
            new,
            acknowledge_history=args.acknowledge_history,
            verifier=verifier,
            extra_warnings=(extra,) if extra else (),
        )
    except InvalidRecord as exc:
        _print_problems(exc.problems)
        raise _Stop(EXIT_INVALID) from exc
    except HistoryNotAcknowledged as exc:
        err("refused: the patient's history needs checking; nothing was recorded")
        for w in exc.history.warnings:
            print(f"  [warning] {w.message} ({w.source})", file=sys.stderr)
        print("  After checking, record again with --acknowledge-history.", file=sys.stderr)
        raise _Stop(EXIT_HISTORY) from exc
    except RecordRefused as exc:
        err(f"refused: {exc}")
        raise _Stop(EXIT_NOT_READY) from exc


def _say_recorded(journal: PostgresJournal, stored: StoredRecord, args: argparse.Namespace) -> None:
    for code in stored.content.get("acknowledged_warnings", []):
        note(f"warning acknowledged and recorded: {code}")
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
        note(warning)
    print(stored.id, flush=True)

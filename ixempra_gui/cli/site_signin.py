"""Signing in to the site journal from ``ixempra-journal`` (``cli.site``): a password from
stdin, a prompt on the terminal, or libpq's own sources; never in a URL. Never imports Qt."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from ixempra_gui.cli.journal_common import note
from ixempra_gui.journal.configured import local_journal_warning
from ixempra_gui.journal.site_config import JournalChoice, redact

if TYPE_CHECKING:
    # psycopg (ixempra-gui[postgresql]): loaded only for a site journal
    from ixempra_gui.journal.postgres.store import PostgresJournal

T = TypeVar("T")


def stdin_line(what: str) -> str:
    line = sys.stdin.readline()
    if not line:
        raise ValueError(f"{what}: nothing on standard input")
    return line.rstrip("\r\n")


def sign_in(open_with: Callable[[str | None], T], who: str, password: str | None) -> T:
    """Connect with ``password`` (or libpq's sources); when the server asks for a password
    none of them gave and this is a terminal, prompt once (like psql)."""
    # psycopg (ixempra-gui[postgresql]): loaded only for a site journal
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


def open_server(choice: JournalChoice, *, read_only: bool = False) -> PostgresJournal:
    """Sign in to the configured site journal: to record (checked: JournalAltered when it
    fails), or ``read_only`` (a read-only session, checked by the command)."""
    # psycopg (ixempra-gui[postgresql]): loaded only for a site journal
    from ixempra_gui.journal.postgres.store import PostgresJournal

    assert choice.url is not None
    url = choice.url
    opener = PostgresJournal.open_read_only if read_only else PostgresJournal.open
    return sign_in(lambda pw: opener(url, password=pw), redact(url), None)


def say_journal(journal: PostgresJournal, choice: JournalChoice) -> None:
    note(f"{journal.description}, signed in as {journal.user} (from {choice.source})")
    for remark in choice.notes:
        note(f"note: {remark}")


def _local_note(journal: PostgresJournal) -> None:

    warning = local_journal_warning(journal)
    if warning is not None:
        note(f"note: {warning.message}")


def open_for_writing(choice: JournalChoice) -> PostgresJournal:
    """The site journal for ``prepare`` (cli/preparation.py): signed in, checked, named on
    stderr; the compounder is the signed-in user."""
    journal = open_server(choice)
    try:
        say_journal(journal, choice)
    except BaseException:
        journal.close()
        raise
    return journal


def open_for_reading(choice: JournalChoice) -> PostgresJournal:
    """The site journal for ``list``, ``show``, ``verify`` and ``export`` (journal_cli): a
    read-only session, named on stderr, with a note when this user's own SQLite journal holds
    records the site journal lacks."""
    journal = open_server(choice, read_only=True)
    try:
        note(f"{journal.description}, signed in as {journal.user} (from {choice.source})")
        _local_note(journal)
    except BaseException:
        journal.close()
        raise
    return journal

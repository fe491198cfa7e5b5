"""The journal this workstation is configured for (``site_config``): open it, read a patient's
history from it, say which it is. Used by the CLIs now and by the window next.

Fail closed: a site journal that cannot be reached, or a site setting that cannot be used,
never falls back to the workstation's SQLite file. For a calculation the history then says
"history NOT checked (...)" with null figures — never 0 units; recording refuses. A workstation
set up for a site journal that still holds records in its own SQLite journal that are not in
the site journal gets a history warning saying so (those doses are not counted), which must be
acknowledged like any other.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from ixempra_gui.core.models import DoseResult
from ixempra_gui.core.policy import Policy, load_policy
from ixempra_gui.journal import paths
from ixempra_gui.journal.entries import PatientDose, facts_of_result
from ixempra_gui.journal.errors import JournalAltered, JournalError
from ixempra_gui.journal.history import (
    History,
    HistoryWarning,
    history_altered,
    history_unavailable,
)
from ixempra_gui.journal.interface import JournalStore
from ixempra_gui.journal.site_config import JournalChoice, journal_choice
from ixempra_gui.journal.store import Journal
from ixempra_gui.journal.store import history_for as sqlite_history_for
from ixempra_gui.journal.store import read_patient_doses as sqlite_doses

if TYPE_CHECKING:
    # psycopg (ixempra-gui[postgresql]): loaded only for a site journal
    from ixempra_gui.journal.postgres.store import PostgresJournal

SRC_FAIL_CLOSED = "issue 14: the site journal fails closed"
LOCAL_NOT_MIGRATED = "local_journal_not_migrated"


def location(choice: JournalChoice | None = None) -> str:
    """Which journal, before connecting: the site journal's redacted URL (and where that
    setting came from), or the SQLite file's path."""
    choice = choice or journal_choice()
    if choice.is_server:
        return f"site journal {choice.display} (from {choice.source})"
    return f"journal file {paths.journal_path()}"


def open_journal(
    *, user: str | None = None, password: str | None = None, choice: JournalChoice | None = None
) -> JournalStore:
    """The configured journal, open and checked; the SQLite file is created when missing (a
    site journal is never created here: IT runs site-init). JournalError (ServerJournalError,
    SiteConfigError; JournalAltered when it fails its checks) says what is wrong."""
    choice = choice or journal_choice()
    if choice.url is not None:
        # psycopg (ixempra-gui[postgresql]): loaded only for a site journal
        from ixempra_gui.journal.postgres.store import PostgresJournal

        return PostgresJournal.open(choice.url, user=user, password=password)

    return Journal.open()


def not_checked(short: str, reason: str, units_this_dose: int | None, policy: Policy) -> History:
    """A history with null figures whose one warning says the check was not made, and why."""
    base = history_unavailable(reason, units_this_dose, policy)
    message = (
        f"history NOT checked ({short}): {reason}. The {policy.per_days}-day limit and the "
        "changes since the last dose were NOT checked."
    )
    warning = HistoryWarning("journal_unavailable", message, SRC_FAIL_CLOSED)
    return replace(base, warnings=(warning,))


def _short(exc: JournalError) -> str:
    return str(getattr(exc, "short", "journal unavailable"))


def local_journal_warning(
    server: PostgresJournal, folder: Path | None = None
) -> HistoryWarning | None:
    """A warning when this user's SQLite journal holds records the site journal lacks."""

    path = paths.journal_path(folder)
    try:
        local = Journal.open_read_only(folder)  # only counted: never migrated or changed
        if local is None:
            return None
        with local:
            count = local.count()
            first = local.get(1) if count else None
    except JournalError as exc:
        return HistoryWarning(
            LOCAL_NOT_MIGRATED,
            f"This workstation's own journal ({path}) cannot be read ({exc}): doses recorded "
            "there are NOT counted in this history.",
            SRC_FAIL_CLOSED,
        )
    if not count:
        return None
    migrated = server.migrated_count(first.hash) if first is not None else 0
    if migrated >= count:
        return None
    return HistoryWarning(
        LOCAL_NOT_MIGRATED,
        f"This workstation's own journal ({path}) holds {count - migrated} of its {count} "
        "records that are not in the site journal: their doses are NOT counted in this "
        "history. Run ixempra-journal migrate --to URL.",
        SRC_FAIL_CLOSED,
    )


def history_for(
    patient_id: str,
    result: DoseResult,
    administered_on: date,
    policy: Policy | None = None,
    *,
    user: str | None = None,
    password: str | None = None,
) -> History | None:
    """The history checks of a calculation from the configured journal (none is created).
    Never raises for the journal: an unusable one gives null figures and a warning."""
    policy = policy or load_policy()
    current = facts_of_result(result, administered_on)
    if current is None:
        return None
    try:
        choice = journal_choice()
    except JournalError as exc:
        return not_checked("site settings unusable", str(exc), current.units_total, policy)
    if choice.url is None:
        return sqlite_history_for(patient_id, result, administered_on, policy=policy)
    # psycopg (ixempra-gui[postgresql]): loaded only for a site journal
    from ixempra_gui.journal.postgres.store import PostgresJournal

    try:
        with PostgresJournal.open(choice.url, user=user, password=password) as journal:
            warning = local_journal_warning(journal)
            return journal.history(
                patient_id,
                result,
                administered_on,
                policy,
                extra_warnings=() if warning is None else (warning,),
            )
    except JournalAltered as exc:
        return history_altered(
            exc.problem, exc.first_bad_id, current.units_total, policy, exc.resolution
        )
    except JournalError as exc:
        return not_checked(_short(exc), str(exc), current.units_total, policy)


def read_patient_doses(
    patient_id: str, *, user: str | None = None, password: str | None = None
) -> tuple[PatientDose, ...]:
    """A patient's verified doses from the configured journal (nothing created), each checked
    against its hash. JournalError when it cannot be read (JournalAltered: it fails its
    checks)."""
    choice = journal_choice()
    if choice.url is None:
        return sqlite_doses(patient_id)
    # psycopg (ixempra-gui[postgresql]): loaded only for a site journal
    from ixempra_gui.journal.postgres.store import PostgresJournal

    with PostgresJournal.open(choice.url, user=user, password=password) as journal:
        return journal.patient_doses(patient_id)

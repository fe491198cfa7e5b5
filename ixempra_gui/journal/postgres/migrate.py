"""``ixempra-journal migrate --to URL``: a workstation's SQLite journal into the site journal.

The source must pass ``verify`` first (a broken chain is refused: nothing copied). Its
identity is the hash of its first record; each record is copied, in id order, as a new site
record embedding the original content and hash verbatim (``PostgresJournal.migrate_record``),
one transaction each, keyed by (source journal, record id, hash): a second run, or a run
interrupted and started again, copies only what is missing. The local file is not changed.
Migrated doses count in the site journal's history like any other.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ixempra_gui.journal import paths
from ixempra_gui.journal.errors import JournalError
from ixempra_gui.journal.postgres.store import MigrationReport, PostgresJournal
from ixempra_gui.journal.store import Journal


class MigrationRefused(JournalError):
    """The local journal cannot be migrated (missing, or its chain is broken)."""


def migrate_journal(
    folder: Path | None,
    target: PostgresJournal,
    progress: Callable[[int, int], None] | None = None,
) -> MigrationReport:
    """Copy every record of the SQLite journal in ``folder`` (default: this user's) that the
    site journal does not hold yet."""
    path = paths.journal_path(folder)
    source = Journal.open_existing(folder)
    if source is None:
        raise MigrationRefused(f"no local journal at {path}: nothing to migrate")
    with source:
        report = source.verify()
        if not report.ok:
            raise MigrationRefused(
                f"the local journal {path} fails verify ({report.problem}): nothing was "
                "migrated. Keep the file for audit; ixempra-journal verify names the record"
            )
        total = source.count()
        first = source.get(1) if total else None
        if first is None:
            return MigrationReport("", 0, 0)
        copied = already = 0
        for done, record in enumerate(source.records(), start=1):
            try:
                fresh = target.migrate_record(first.hash, record)
            except ValueError as exc:  # the record no longer matches its hash
                raise MigrationRefused(f"{path}: {exc}; migration stopped") from exc
            copied += fresh
            already += not fresh
            if progress is not None:
                progress(done, total)
        return MigrationReport(first.hash, copied, already)

"""``ixempra-journal migrate --to URL``: a workstation's SQLite journal into the site journal.

The source is opened read-only (never migrated or changed: schema 1, 2 and 3 are read as they
are) and must pass ``verify`` first — the whole chain walked, and checked against this
workstation's anchor, or against ``expected_hash`` (``--expect-head``) for a journal copied from
elsewhere; one that fails is refused and nothing is copied. Its identity is the hash of its first
record; each record is copied, in id order, as a new site record embedding the original content
and hash verbatim (``PostgresJournal.migrate_record``), one transaction each, keyed by (source
journal, record id, hash): a second run, or a run interrupted and started again, copies only
what is missing. Migrated doses count in the site journal's history like any other, under the
patient key this app computes now from their identifier (``identifiers.patient_key``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ixempra_gui.journal import paths
from ixempra_gui.journal.errors import JournalError
from ixempra_gui.journal.postgres.store import MigrationReport, PostgresJournal
from ixempra_gui.journal.store import Journal
from ixempra_gui.journal.store_chain import DEFAULT_ANCHOR, AnchorChoice


class MigrationRefused(JournalError):
    """The local journal cannot be migrated (missing, or it fails verify)."""


def migrate_journal(
    folder: Path | None,
    target: PostgresJournal,
    progress: Callable[[int, int], None] | None = None,
    *,
    expected_hash: str | None = None,
    anchor: AnchorChoice = DEFAULT_ANCHOR,
) -> MigrationReport:
    """Copy every record of the SQLite journal in ``folder`` (default: this user's) that the
    site journal does not hold yet."""
    path = paths.journal_path(folder)
    source = Journal.open_read_only(folder, anchor=anchor)
    if source is None:
        raise MigrationRefused(f"no local journal at {path}: nothing to migrate")
    with source:
        report = source.verify(expected_hash=expected_hash)
        if not report.ok:
            bad = f" (first bad record: {report.first_bad_id})" if report.first_bad_id else ""
            raise MigrationRefused(
                f"the local journal {path} fails verify: {report.problem}{bad}. Nothing was "
                "migrated. Keep the file for audit; ixempra-journal verify names the record"
            )
        total = report.records
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

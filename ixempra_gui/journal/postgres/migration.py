"""Copying a workstation's records into the site journal (``PostgresJournal.migrate_record``,
driven by ``postgres.migrate``): one new site record per original, embedding its content and
hash verbatim, keyed by (source journal, record id, hash)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import psycopg

from ixempra_gui.journal import integrity
from ixempra_gui.journal.anchor import Head
from ixempra_gui.journal.chain import canonical_json, content_hash
from ixempra_gui.journal.entries import RECORD_FORMAT, StoredRecord
from ixempra_gui.journal.errors import JournalError
from ixempra_gui.journal.identifiers import patient_key
from ixempra_gui.journal.postgres.reading import Reading
from ixempra_gui.journal.postgres.rows import rollback


class Migrating(Reading):
    """The site journal's session, able to take in a workstation's records."""

    # --- migration ----------------------------------------------------------------------------
    def migrated_count(self, source_journal: str) -> int:
        """How many records of the journal whose first record's hash is ``source_journal``
        are already here."""
        try:
            row = (
                self._connection()
                .execute(
                    "SELECT count(*) FROM ixempra.records WHERE source_journal = %s",
                    (source_journal,),
                )
                .fetchone()
            )
        except psycopg.Error as exc:
            raise self._failed(exc) from exc
        assert row is not None
        return int(row[0])

    def migrate_record(self, source_journal: str, original: StoredRecord) -> bool:
        """Copy one record of a workstation's journal: a new record embedding the original
        content and hash verbatim, signing the patient key of its identifier as this app finds
        it now (``identifiers.patient_key``). False when it is already here (idempotency key:
        source journal, record id, hash). JournalAltered when the site journal fails its
        checks."""
        if self.read_only:
            raise JournalError("the site journal was opened for reading only")
        original_text = canonical_json(original.content)
        if content_hash(original_text) != original.hash:
            raise ValueError(f"record {original.id} does not match its hash")
        conn = self._connection()
        try:
            report, (there,) = self._checked_round_trip(
                conn,
                [
                    "SELECT 1 FROM ixempra.records WHERE source_journal = %(journal)s AND "
                    "source_record_id = %(source_id)s AND source_hash = %(source_hash)s"
                ],
                {"journal": source_journal, "source_id": original.id, "source_hash": original.hash},
                lock=True,
            )
            if there:
                rollback(conn)  # nothing to write: end the transaction, free the lock
                return False
            record_id = report.head.id + 1
            content = _migrated_content(
                original, original_text, source_journal, report.head, self.user
            )
            text = canonical_json(content)
            digest = content_hash(text)
            psycopg.ClientCursor(conn).execute(
                "INSERT INTO ixempra.records (id, hash, content, origin, source_journal, "
                "source_record_id, source_hash) VALUES (%(id)s, %(hash)s, %(content)s, "
                "'migrated', %(journal)s, %(source_id)s, %(source_hash)s); COMMIT",
                {
                    "id": record_id,
                    "hash": digest,
                    "content": text,
                    "journal": source_journal,
                    "source_id": original.id,
                    "source_hash": original.hash,
                },
            )
        except psycopg.Error as exc:
            rollback(conn)
            raise self._failed(exc) from exc
        except BaseException:
            rollback(conn)
            raise
        head = Head(record_id, digest)
        integrity.remember_walk(self._location, head)
        self.move_anchor(head)
        return True


def _migrated_content(
    original: StoredRecord,
    original_text: str,
    source_journal: str,
    head: Head,
    user: str,
) -> dict[str, Any]:
    """A migrated record's content: the original's, its chain keys replaced, the patient key
    signed as this app finds it now, and the original embedded verbatim with its hash."""
    content = {
        k: v
        for k, v in original.content.items()
        if k not in ("id", "prev_hash", "recorded_at", "patient_key")
    }
    patient = original.content.get("patient_id")
    if isinstance(patient, str):
        content.update(format=RECORD_FORMAT, patient_key=patient_key(patient))
    content.update(
        id=head.id + 1,
        prev_hash=head.hash,
        recorded_at=datetime.now(UTC).isoformat(timespec="microseconds"),
        authenticated=False,
        migrated_by=user,
        migrated_from={
            "journal": source_journal,
            "record_id": original.id,
            "hash": original.hash,
            "content": original_text,
        },
    )
    return content

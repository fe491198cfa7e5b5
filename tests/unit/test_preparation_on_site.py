"""The Preparation panel's journal is the one the window signed in to (issues 14 and 16): the
workstation's file when nothing is configured; on a site journal a session of the signed-in
pharmacist, who is the compounder — and, not signed in, nothing is appended anywhere (never
the local file instead). Independent reference: the site journal read back as the preparer."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from conftest import order_kwargs
from pg_support import PASSWORDS, PREPARER, VERIFIER, Site
from preparation_support import KIT_15, KIT_15_B, KIT_45, ZONE, clock

from ixempra_gui.core.calculator import calculate
from ixempra_gui.core.models import Order
from ixempra_gui.journal.entries import NewRecord, StoredRecord
from ixempra_gui.journal.errors import JournalError
from ixempra_gui.journal.postgres.session import VerifierSession
from ixempra_gui.journal.postgres.store import PostgresJournal
from ixempra_gui.journal.store import Journal
from ixempra_gui.presentation.journal_sign_in import JournalSignIn
from ixempra_gui.presentation.preparation_desk import PreparationDesk
from ixempra_gui.presentation.worksheet_preparation import preparation_lines


def _site_dose(site: Site) -> StoredRecord:
    """v01 (1 × 45 mg + 2 × 15 mg kits), verified by another pharmacist's own session."""
    order = Order(**order_kwargs())
    new = NewRecord("MRN-0012345", date(2026, 11, 2), PREPARER, VERIFIER, order, calculate(order))
    with (
        PostgresJournal.open(site.url(PREPARER)) as journal,
        VerifierSession.sign_in(site.url(VERIFIER)) as verifier,
    ):
        return journal.record(new, verifier=verifier)


def test_nothing_configured_prepares_in_the_workstations_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("IXEMPRA_DATA_DIR", str(tmp_path))
    with JournalSignIn().opener() as journal:
        assert isinstance(journal, Journal)
    assert (tmp_path / "journal.sqlite3").exists()


def test_not_signed_in_to_the_site_nothing_is_appended_anywhere(
    pg_site: Site, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    dose = _site_dose(pg_site)
    monkeypatch.setenv("IXEMPRA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("IXEMPRA_JOURNAL_URL", pg_site.url(PREPARER))
    signed = JournalSignIn()
    with pytest.raises(JournalError, match="not signed in"):
        signed.opener()
    desk = PreparationDesk(dose, clock, tz=ZONE, open_journal=signed.opener)
    assert "cannot be prepared here" in desk.unavailable and "not signed in" in desk.unavailable
    assert not any(tmp_path.iterdir())  # no local journal made instead


def test_signed_in_the_preparation_is_the_signed_in_users(
    pg_site: Site, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    dose = _site_dose(pg_site)
    empty = tmp_path / "empty-pgpass"
    empty.write_text("")
    monkeypatch.setenv("PGPASSFILE", str(empty))  # the window's password, not a passfile
    monkeypatch.setenv("IXEMPRA_JOURNAL_URL", pg_site.url(PREPARER))
    signed = JournalSignIn()
    assert signed.sign_in(PREPARER, PASSWORDS[PREPARER]).signed_in
    desk = PreparationDesk(
        dose, clock, tz=ZONE, open_journal=signed.opener, compounded_by=signed.user or ""
    )
    assert desk.unavailable == "" and desk.compounded_by == PREPARER
    for code in (KIT_45, KIT_15, KIT_15_B):
        desk.scan(code)
    desk.set_times(datetime(2026, 11, 2, 9, 20), datetime(2026, 11, 2, 9, 50))
    desk.record_preparation()
    assert desk.view().can_print
    # the worksheet prints it from the site journal; the workstation's file has none of it
    printed = preparation_lines(dose, signed.opener)
    assert printed is not None and any("LOT45" in line for line in printed)
    assert preparation_lines(dose) is None
    monkeypatch.setenv("PGPASSFILE", str(pg_site.cluster.passfile))
    with PostgresJournal.open(pg_site.url(PREPARER)) as journal:
        kinds = [(r.kind, r.content.get("compounded_by")) for r in journal.records()]
    assert kinds == [("dose", None), ("preparation", PREPARER)]

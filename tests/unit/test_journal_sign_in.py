"""The window's sign-in to the configured journal, Qt-free (presentation/journal_sign_in.py):
nothing configured is the workstation's file as before; an unusable setting or a server that
cannot be reached fails closed (history NOT checked with null figures, Verify refused); a
password given is never shown anywhere."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pg_support import PASSWORDS, PREPARER, Site, add_roles, new_site, start_cluster

from ixempra_gui.core.calculator import calculate
from ixempra_gui.core.models import Order
from ixempra_gui.presentation import journal_access
from ixempra_gui.presentation.journal_sign_in import JournalSignIn
from ixempra_gui.presentation.site_answers import Credentials

V01 = {"height": "170 cm", "weight": "70 kg", "regimen": "monotherapy", "ast": "30 U/L"}
V01 |= {"ast_uln": "40 U/L", "alt": "25 U/L", "alt_uln": "40 U/L", "bilirubin": "0.8 mg/dL"}
V01 |= {"bilirubin_uln": "1.2 mg/dL", "anc": "1800", "platelets": "150000"}


def test_nothing_configured_is_the_workstations_file(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("IXEMPRA_DATA_DIR", str(tmp_path))
    journal = JournalSignIn()
    assert not journal.is_site and journal.verify_refusal() is None
    assert (
        journal.status_text()
        == f"Journal: {tmp_path / 'journal.sqlite3'} (this workstation's file)"
    )
    read = journal_access.read_doses("MRN-1", journal)
    assert read.doses is None or read.doses == ()  # no journal yet: none is created
    assert not (tmp_path / "journal.sqlite3").exists()


def test_unusable_site_settings_fail_closed(monkeypatch) -> None:
    monkeypatch.setenv("IXEMPRA_JOURNAL_URL", "postgresql://rph_a:secret@db/ixempra")
    journal = JournalSignIn()
    assert journal.is_site and journal.config_error is not None
    assert "secret" not in journal.status_text() and "unusable" in journal.status_text()
    refusal = journal.verify_refusal()
    assert refusal is not None and refusal.startswith("Verify is refused: site settings unusable")
    history = journal.history_for("MRN-1", calculate(Order(**V01)), date.today())
    assert history is not None and history.prior_units_21d is None  # never 0 units
    assert history.within_limit is None
    assert history.warnings[0].message.startswith("history NOT checked (site settings unusable)")


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(password=st.text(min_size=6, max_size=80).filter(lambda p: p.strip() and "\x00" not in p))
def test_a_password_is_never_shown(tmp_path: Path, monkeypatch, password: str) -> None:
    url = f"postgresql://rph_a@/ixempra?host={tmp_path / 'no-server'}&port=5999"
    monkeypatch.setenv("IXEMPRA_JOURNAL_URL", url)
    journal = JournalSignIn()
    outcome = journal.sign_in("rph_a", password)
    assert not outcome.signed_in and outcome.reason == "unreachable"
    shown = [outcome.message, journal.status_text(), journal.display, repr(journal.__dict__)]
    shown.append(repr(Credentials("rph_a", password)))
    assert all(password not in text for text in shown)
    assert "history NOT checked" in (journal.read_doses("MRN-1")[1] or "")


def test_a_signed_in_site_journal_reads_and_reconnects(
    pg_site: Site, monkeypatch, tmp_path
) -> None:
    empty = tmp_path / "empty-pgpass"
    empty.write_text("")
    monkeypatch.setenv("PGPASSFILE", str(empty))
    monkeypatch.setenv("IXEMPRA_JOURNAL_URL", pg_site.url(PREPARER))
    journal = JournalSignIn()
    own = journal.sign_in_own()
    assert not own.signed_in and own.reason == "password_needed"
    assert journal.sign_in(PREPARER, PASSWORDS[PREPARER]).signed_in
    assert journal.status_text().startswith(f"Journal: signed in as {PREPARER} — ")
    assert journal.read_doses("MRN-1") == ((), None)
    assert journal.verify_refusal() is None


def test_a_server_that_went_away_is_reconnected_on_the_next_action(monkeypatch) -> None:
    """Its own cluster (stopped and started again here, never the shared one)."""
    cluster = start_cluster(fsync=False)
    try:
        monkeypatch.setenv("PGPASSFILE", str(cluster.passfile))
        site = new_site(cluster)
        add_roles(cluster, site.dbname)
        monkeypatch.setenv("IXEMPRA_JOURNAL_URL", site.url(PREPARER))
        journal = JournalSignIn()
        assert journal.sign_in_own().signed_in
        cluster.stop()
        doses, why = journal.read_doses("MRN-1")
        assert doses is None and why is not None
        assert why.startswith("history NOT checked (journal unreachable)")
        assert "journal unreachable" in journal.status_text()
        refusal = journal.verify_refusal()
        assert refusal is not None and "cannot be reached" in refusal
        cluster.start()
        assert journal.read_doses("MRN-1") == ((), None)  # no second sign-in needed
        assert journal.verify_refusal() is None
        assert journal.status_text().startswith(f"Journal: signed in as {PREPARER} — ")
    finally:
        cluster.destroy()


@pytest.mark.parametrize("user", ["", "  "])
def test_a_blank_user_name_means_the_urls(user: str) -> None:
    assert JournalSignIn.credentials(user, "pw") == Credentials(None, "pw")


def test_the_dialog_names_whom_libpq_would_sign_in_as(monkeypatch) -> None:
    monkeypatch.setenv("IXEMPRA_JOURNAL_URL", "postgresql://db.clinic.local/ixempra")
    monkeypatch.setenv("PGUSER", "rph_env")
    assert JournalSignIn().url_user() == "rph_env"
    monkeypatch.setenv("IXEMPRA_JOURNAL_URL", "postgresql://rph_url@db.clinic.local/ixempra")
    assert JournalSignIn().url_user() == "rph_url"
    monkeypatch.delenv("IXEMPRA_JOURNAL_URL")
    assert JournalSignIn().url_user() == ""  # the workstation's file: nobody signs in

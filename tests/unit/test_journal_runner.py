"""Qt-free: the session hands its journal calls to a runner (the window's runs them on a worker
thread) and decides what their outcome means when it comes back — in any order, late, or
for an identifier no longer typed. A runner that holds each call until the test lets it go
stands for a journal that is slow to answer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from pg_support import PASSWORDS, PREPARER, Site
from test_session import ORDER, _record, journal_dir, session_and_ears

from ixempra_gui.presentation.session import JOURNAL_READ
from ixempra_gui.presentation.site_answers import VerifyProbe
from ixempra_gui.presentation.verify_check import VerifyCheck

__all__ = ["journal_dir"]  # the fixture, shared with test_session


class HeldRunner:
    """Keeps each call until ``let_go``: nothing runs before the test says so."""

    def __init__(self) -> None:
        self.held: list[tuple[Callable[[], object], Callable[[object], object], str]] = []

    def run(self, work: Callable[[], object], then: Callable[[object], object], name: str) -> None:
        self.held.append((work, then, name))

    def let_go(self, index: int, outcome: object | None = None) -> None:
        """Run held call ``index`` (or hand ``then`` the given outcome instead)."""
        work, then, _ = self.held.pop(index)
        then(work() if outcome is None else outcome)


def test_a_read_that_comes_back_after_another_identifier_is_dropped(journal_dir: Path) -> None:
    _record(journal_dir, "MRN-7", 3)
    session, scheduler, heard = session_and_ears()
    runner = HeldRunner()
    session.runner = runner
    session.edit(ORDER)
    scheduler.run(JOURNAL_READ)
    assert [name for *_, name in runner.held] == ["ixempra-history-read"]
    assert heard.history[-1].summary == "Reading the journal for patient MRN-7…"
    assert session.prior_units() is None  # not known while reading: never 0 units
    session.edit(replace(ORDER, patient_id="MRN-8"))
    scheduler.run(JOURNAL_READ)
    runner.let_go(1)  # MRN-8's read comes back first...
    assert heard.history[-1].summary == "No verified dose of patient MRN-8 in the journal."
    runner.let_go(0)  # ...then MRN-7's, which nobody is looking at any more
    assert session.history.read_for == "MRN-8" and session.history.doses == ()
    assert heard.history[-1].summary == "No verified dose of patient MRN-8 in the journal."
    assert session.prior_units() == 0


def test_the_read_is_published_only_when_it_comes_back(journal_dir: Path) -> None:
    record_id = _record(journal_dir, "MRN-7", 3)
    session, scheduler, heard = session_and_ears()
    runner = HeldRunner()
    session.runner = runner
    session.edit(ORDER)
    scheduler.run(JOURNAL_READ)
    assert session.prior_units() is None
    runner.let_go(0)
    assert heard.history[-1].summary.startswith("1 verified dose of patient MRN-7")
    assert f"record {record_id}" in heard.history[-1].dose_lines[0]
    assert session.prior_units() is not None and session.prior_units() > 0


def test_verify_asks_the_site_journal_through_the_runner_and_says_its_refusal(
    journal_dir: Path, pg_site: Site, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    empty = tmp_path / "empty-pgpass"
    empty.write_text("")
    monkeypatch.setenv("PGPASSFILE", str(empty))
    monkeypatch.setenv("IXEMPRA_JOURNAL_URL", pg_site.url(PREPARER))
    session, scheduler, _heard = session_and_ears()
    assert session.journal.sign_in(PREPARER, PASSWORDS[PREPARER]).signed_in
    runner = HeldRunner()
    session.runner = runner
    session.edit(ORDER)
    scheduler.run()
    answers: list[VerifyCheck | str] = []
    session.request_double_check(answers.append)
    assert answers == [] and session.checking is None  # the server is being asked
    assert [name for *_, name in runner.held] == ["ixempra-history-read", "ixempra-verify-probe"]
    runner.let_go(1, VerifyProbe(False, "connection timeout expired", "journal unreachable"))
    [refusal] = answers
    assert isinstance(refusal, str) and refusal.startswith("Verify is refused:")
    assert "connection timeout expired" in refusal
    assert session.journal.problem == "journal unreachable" and session.checking is None
    session.request_double_check(answers.append)
    runner.let_go(1)  # the server answers this time
    assert isinstance(answers[-1], VerifyCheck) and session.checking is answers[-1]
    assert session.journal.problem is None

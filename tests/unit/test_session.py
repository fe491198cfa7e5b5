"""The Qt-free session the window's widgets subscribe to: what it publishes for each intent
(an edit, Verify, a signed check, New order, a print), when it reads the journal, and that
nothing it decides needs Qt. Each test listens to the session's events with plain lists.

Independent references: the journal read back through its own API (``Journal.records``), the
core's own calculation for the figures (``calculate``), and the window's rules as the issues
state them (New order asks only for a dose neither printed nor verified; another identifier
typed over a verified order starts a new order).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time
from pathlib import Path

import pytest
from pg_support import PASSWORDS, PREPARER, VERIFIER, Site

from ixempra_gui.journal.store import Journal
from ixempra_gui.presentation import loader
from ixempra_gui.presentation.coverage_answers import CoverageForm
from ixempra_gui.presentation.events import Event
from ixempra_gui.presentation.fields import NOT_VERIFIED, StatusKind
from ixempra_gui.presentation.new_order import fresh_form
from ixempra_gui.presentation.preferences import Preferences
from ixempra_gui.presentation.scheduling import ManualScheduler
from ixempra_gui.presentation.session import HISTORY_PANEL, JOURNAL_READ, Session
from ixempra_gui.presentation.verify_check import SecondEntry, VerifyCheck

TODAY = date.today()
PREFS = Preferences()
ORDER = replace(
    fresh_form(PREFS, TODAY.isoformat(), "MRN-7"),
    height="170 cm",
    weight="70 kg",
    regimen="monotherapy",
    ast="30 U/L",
    alt="25 U/L",
    bilirubin="0.8 mg/dL",
    anc="1800",
    platelets="150000",
)
SAME_AGAIN = SecondEntry(
    values={
        "height": "170 cm",
        "weight": "70 kg",
        "regimen": "monotherapy",
        "ast": "30",
        "ast_uln": "40",
        "alt": "25",
        "alt_uln": "40",
        "bilirubin": "0.8",
        "bilirubin_uln": "1.2",
        "anc": "1800",
        "platelets": "150000",
    },
    units={"height": "cm", "weight": "kg", "ast": "u/l", "alt": "u/l", "bilirubin": "mg/dl"},
)


@pytest.fixture
def journal_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "journal"
    monkeypatch.setenv("IXEMPRA_DATA_DIR", str(folder))
    monkeypatch.setenv("IXEMPRA_CONFIG_DIR", str(tmp_path / "config"))
    return folder


class Heard:
    """Every event of one session, as lists (a plain ``append`` is a listener)."""

    def __init__(self, session: Session) -> None:
        events = session.events
        self.order: list = []
        self.form: list = []
        self.hints: list = []
        self.verification: list = []
        self.checking: list = []
        self.history: list = []
        self.coverage_form: list = []
        self.coverage: list = []
        self.notice: list = []
        self.published: list = []
        for name in vars(self):
            getattr(events, name).connect(getattr(self, name).append)


def session_and_ears(**kwargs: object) -> tuple[Session, ManualScheduler, Heard]:
    """A session whose day is ``TODAY``: a run that crosses midnight compares like with like."""
    kwargs.setdefault("today", lambda: TODAY)
    scheduler = ManualScheduler()
    session = Session(PREFS, scheduler, **kwargs)  # type: ignore[arg-type]
    return session, scheduler, Heard(session)


# --- the event --------------------------------------------------------------------------------


def test_an_event_calls_each_listener_once_in_order_and_can_be_held_back() -> None:
    event: Event[int] = Event("n")
    heard: list[tuple[str, int]] = []

    def first(n: int) -> None:
        heard.append(("first", n))

    def once(n: int) -> None:
        heard.append(("once", n))
        event.disconnect(once)  # a listener may leave while it is being called

    event.connect(first)
    event.connect(first)  # connected twice is connected once
    event.connect(once)
    event.emit(1)
    with event.blocked(), event.blocked():
        event.emit(2)
    event.emit(3)
    event.disconnect(lambda n: None)  # never connected: ignored
    assert heard == [("first", 1), ("once", 1), ("first", 3)]
    assert event.connected == 1


def test_the_manual_scheduler_restarts_a_key_and_runs_shortest_first() -> None:
    ran: list[str] = []
    scheduler = ManualScheduler()
    scheduler.later("slow", 300, lambda: ran.append("slow"))
    scheduler.later("fast", 40, lambda: ran.append("fast old"))
    scheduler.later("fast", 40, lambda: ran.append("fast"))  # restarted: the old one is gone
    scheduler.later("gone", 10, lambda: ran.append("gone"))
    scheduler.cancel("gone")
    assert scheduler.pending("slow") and not scheduler.pending("gone")
    assert scheduler.run() == 2
    assert ran == ["fast", "slow"]


# --- an edit ----------------------------------------------------------------------------------


def test_importing_the_session_loads_neither_qt_nor_the_rules() -> None:
    """It is built before the window's first frame (bench/startup.py): the rules come later,
    through the loader, once there is something to calculate."""
    import subprocess
    import sys

    from conftest import REPO

    code = (
        "import sys, ixempra_gui.presentation.session\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pint', 'PySide6')\n"
        "    or m.startswith(('ixempra_gui.core', 'ixempra_gui.journal'))))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    # only the field registry's light declarations (no rule, no pint: tests/unit/test_layering)
    light = ["ixempra_gui.core", "ixempra_gui.core.choices", "ixempra_gui.core.order_fields"]
    assert set(eval(proc.stdout)) <= set(light)


def test_an_edit_publishes_the_calculation_its_title_and_messages(journal_dir: Path) -> None:
    from ixempra_gui.core.calculator import calculate

    session, _, heard = session_and_ears()
    session.edit(ORDER)
    [state] = heard.order
    expected = calculate(loader.order_view.build_order(ORDER, PREFS, session.now()))
    assert state.view.kind is StatusKind.READY and expected.dose_mg is not None
    assert state.view.dose_value == f"{expected.dose_mg} mg" == "72.8 mg"
    assert state.title.startswith("MRN-7 — ") and state.form == ORDER
    assert heard.published == [None] and len(heard.verification) == 1
    assert heard.verification[0].available, heard.verification[0].tooltip
    assert len(heard.hints) == 1 and "Accepted" in heard.hints[0]["height"]
    heavier = replace(ORDER, weight="71 kg")
    session.edit(heavier)
    assert len(heard.hints) == 1  # once: what each field accepts does not change
    again = calculate(loader.order_view.build_order(heavier, PREFS, session.now()))
    assert heard.order[-1].view.dose_value == f"{again.dose_mg} mg" != state.view.dose_value


def test_the_journal_checks_of_the_identifier_and_date_are_said_beside_them(
    journal_dir: Path,
) -> None:
    session, _, heard = session_and_ears()
    session.edit(replace(ORDER, patient_id="MRN\x07", administered_on="1/5/2025"))
    messages = heard.order[-1].messages
    assert messages["patient_id"][0].shown.startswith("Error: ")
    assert "YYYY-MM-DD" in messages["administered_on"][0].text
    assert heard.order[-1].view.ready  # they never stop the dose; they stop Verify
    assert not heard.verification[-1].available


def test_a_value_to_check_after_the_tick_unticks_it_and_says_why(journal_dir: Path) -> None:
    session, _, heard = session_and_ears()
    ticked = replace(ORDER, weight="210 kg", acknowledge_warnings=True)  # unusual: to check
    session.edit(ticked)
    assert heard.order[-1].view.ready and heard.form == []  # the tick covers what was shown
    session.edit(replace(ticked, height="230 cm"))  # another unusual value, after the tick
    [shown] = heard.form
    assert not shown.form.acknowledge_warnings and not shown.fresh
    assert not heard.order[-1].view.ready
    assert "un-ticked" in heard.notice[-1].text and "Height" in heard.notice[-1].text


def test_a_failed_calculation_clears_every_figure_and_is_reported(
    journal_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    session, _, heard = session_and_ears()
    session.coverage_form = CoverageForm()

    def broken(*args: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(loader.order_view, "present", broken)
    with pytest.raises(RuntimeError, match="a bug"):
        session.edit(ORDER)
    state = heard.order[-1]
    assert state.form is None and state.view.dose_value == "—"
    assert state.view.banner_text == "NO DOSE: INTERNAL ERROR"
    assert "failed" in heard.coverage[-1].detail and not heard.coverage[-1].pa_enabled
    assert not heard.verification[-1].available


# --- the patient's history ----------------------------------------------------------------------


def _record(folder: Path, patient: str, days_before: int) -> int:
    from datetime import timedelta

    from ixempra_gui.core.calculator import calculate
    from ixempra_gui.core.models import Order
    from ixempra_gui.journal.entries import NewRecord

    order = Order(**loader.order_view.build_order(ORDER, PREFS).__dict__)
    new = NewRecord(patient, TODAY - timedelta(days=days_before), "C", "D", order, calculate(order))
    with Journal.open(folder) as journal:
        return journal.record(new, acknowledge_history=True).id


def test_the_journal_is_read_once_typing_pauses_never_on_the_keystroke(journal_dir: Path) -> None:
    record_id = _record(journal_dir, "MRN-7", 25)
    session, scheduler, heard = session_and_ears()
    session.edit(replace(ORDER, patient_id="MRN-"))
    assert heard.history[-1].summary.startswith("Reading the journal for patient MRN-")
    session.edit(ORDER)  # another identifier: read again, once typing pauses
    assert heard.history[-1].summary.startswith("Reading the journal for patient MRN-7")
    assert scheduler.pending(JOURNAL_READ) and session.prior_units() is None
    scheduler.run(JOURNAL_READ)
    assert session.history.read_for == "MRN-7"
    assert heard.history[-1].summary.startswith("1 verified dose of patient MRN-7")
    assert f"record {record_id}" in heard.history[-1].dose_lines[0]
    assert session.prior_units() == 0  # 25 days before: outside the 21-day window
    session.edit(replace(ORDER, weight="71 kg"))  # the order changes: no new read
    assert not scheduler.pending(JOURNAL_READ) and scheduler.pending(HISTORY_PANEL)
    scheduler.run(HISTORY_PANEL)
    assert "71 kg" in heard.history[-1].trend_description


def test_coverage_is_evaluated_with_the_order_and_the_doses_already_given(
    journal_dir: Path,
) -> None:
    _record(journal_dir, "MRN-7", 20)  # 75 units inside the 21-day window
    session, scheduler, heard = session_and_ears()
    session.set_coverage_answers(CoverageForm(diagnosis="C50.912", setting="metastatic"))
    assert heard.coverage == []  # nothing calculated yet: the tab's first words stand
    session.edit(ORDER)
    assert "are not known here" in heard.coverage[-1].dosing_limit
    scheduler.run(JOURNAL_READ)
    assert "75 units in the 21 days before + this dose 75" in heard.coverage[-1].dosing_limit
    session.set_coverage_answers(CoverageForm(diagnosis="C50.912", setting="adjuvant"))
    assert heard.coverage[-1].verdict.startswith("DOES NOT MEET")


# --- Verify -------------------------------------------------------------------------------------


def test_verify_is_refused_with_the_reason_and_opened_for_a_ready_identified_dose(
    journal_dir: Path,
) -> None:
    session, _, heard = session_and_ears()
    assert session.start_double_check() == "Verify is available only for a dose that is ready " + (
        "to prepare."
    )
    session.edit(replace(ORDER, patient_id=""))
    refused = session.start_double_check()
    assert isinstance(refused, str) and "patient identifier" in refused
    session.edit(ORDER)
    check = session.start_double_check()
    assert isinstance(check, VerifyCheck) and heard.checking == [True]
    assert session.start_double_check() is check  # one check at a time
    assert not session.new_order()  # the open check owns the order
    session.double_check_closed()
    assert heard.checking == [True, False] and session.checking is None


def test_a_signed_check_is_recorded_and_names_this_order_until_it_changes(
    journal_dir: Path,
) -> None:
    session, _, heard = session_and_ears()
    session.edit(ORDER)
    check = session.start_double_check()
    assert isinstance(check, VerifyCheck)
    view, compared = check.compare(SAME_AGAIN)
    assert compared is not None, view.banner_detail
    assert check.sign_problems("A. One", "B. Two", "", False) == []
    outcome = check.outcome(check.write(check.pending("A. One", "B. Two", "", False)))
    assert outcome.recorded, outcome.message
    with Journal.open(journal_dir) as journal:
        [record] = list(journal.records())
    assert record.content["result"]["dose_mg"] == 72.8
    state = heard.verification[-1]
    assert state.record_text.startswith(f"Journal record {record.id} (hash {record.short_hash})")
    assert "Already verified" in (state.blocker or "")
    assert heard.notice[-1].text == f"Verified and recorded: journal record {record.id}."
    worksheet = session.worksheet()
    assert worksheet.html is not None and f"Journal record {record.id}" in worksheet.html
    assert session.new_order_question() is None  # verified as it stands: nothing to lose
    session.edit(replace(ORDER, weight="71 kg"))
    assert heard.verification[-1].record_text.startswith(NOT_VERIFIED)
    assert f"journal record {record.id} was signed" in heard.verification[-1].record_text
    assert session.new_order_question() is not None


def test_another_identifier_over_a_verified_order_starts_a_new_order_keeping_it(
    journal_dir: Path,
) -> None:
    session, _, heard = session_and_ears()
    session.edit(ORDER)
    check = session.start_double_check()
    assert isinstance(check, VerifyCheck)
    check.compare(SAME_AGAIN)
    check.outcome(check.write(check.pending("A. One", "B. Two", "", False)))
    session.double_check_closed()
    session.edit(replace(ORDER, patient_id="MRN-8"))
    shown = heard.form[-1]
    assert shown.fresh and shown.form == fresh_form(PREFS, TODAY.isoformat(), "MRN-8")
    assert session.form == shown.form and not heard.order[-1].view.ready
    assert heard.verification[-1].record_text == NOT_VERIFIED


# --- New order and printing ---------------------------------------------------------------------


def test_new_order_asks_only_for_a_ready_dose_neither_printed_nor_verified(
    journal_dir: Path,
) -> None:
    session, _, heard = session_and_ears()
    assert session.new_order_question() is None
    session.edit(ORDER)
    question = session.new_order_question()
    assert question is not None and "72.8 mg for MRN-7" in question.text
    assert session.worksheet().html is not None
    session.printed()
    assert session.new_order_question() is None
    session.set_coverage_answers(CoverageForm(diagnosis="C50.912", request_date="2001-01-01"))
    assert session.new_order("MRN-9")
    fresh = fresh_form(PREFS, TODAY.isoformat(), "MRN-9")
    assert heard.form[-1].form == fresh and heard.form[-1].fresh
    assert heard.coverage_form[-1] == CoverageForm(request_date=TODAY.isoformat())
    assert session.form == fresh and heard.order[-1].form == fresh
    assert heard.history[-1].summary.startswith("Reading the journal for patient MRN-9")
    assert "New order" in heard.notice[-1].text


def test_a_document_is_refused_with_the_reason_when_no_dose_is_ready(journal_dir: Path) -> None:
    session, _, _ = session_and_ears()
    refused = session.worksheet()
    assert refused.html is None and "Not available" in refused.refusal
    session.edit(replace(ORDER, weight=""))
    assert "incomplete" in session.worksheet().refusal
    assert session.prior_auth().html is None
    session.set_coverage_answers(CoverageForm(diagnosis="C50.912", setting="metastatic"))
    assert "no dose is ready" in session.prior_auth().refusal


def test_the_clock_of_a_printout_is_the_sessions(journal_dir: Path) -> None:
    at = datetime.combine(TODAY, time(4, 5, 6)).astimezone()
    session, _, _ = session_and_ears(clock=lambda: at)
    session.edit(replace(ORDER, prepared_at=""))
    assert session.now() == datetime.combine(TODAY, time(4, 5))
    html = session.worksheet().html or ""
    assert f"{TODAY.isoformat()} 04:05" in html  # printed at, and the use-by times from it


def test_on_a_site_journal_verify_waits_for_a_sign_in_and_records_both_signed_in_names(
    journal_dir: Path, pg_site: Site, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Issue 14, Qt-free: nobody signed in → the history is not checked and Verify is refused
    with the reason; signed in → the check names the signed-in preparer, the verifier signs in
    with their own password, and the server's record holds both names."""
    empty = tmp_path / "empty-pgpass"
    empty.write_text("")
    monkeypatch.setenv("PGPASSFILE", str(empty))
    monkeypatch.setenv("IXEMPRA_JOURNAL_URL", pg_site.url(PREPARER))
    session, scheduler, heard = session_and_ears()
    session.edit(ORDER)
    scheduler.run()
    assert heard.verification[-1].blocker.startswith("Verify is refused: not signed in")
    assert "history NOT checked (not signed in)" in heard.history[-1].summary
    refused = session.start_double_check()
    assert isinstance(refused, str) and refused.startswith("Verify is refused: not signed in")

    assert session.journal.sign_in(PREPARER, PASSWORDS[PREPARER]).signed_in
    session.recalculate()
    assert heard.verification[-1].available
    check = session.start_double_check()
    assert isinstance(check, VerifyCheck) and check.authenticated
    assert check.preparer == PREPARER and "Site journal" in check.who_note
    _, compared = check.compare(SAME_AGAIN)
    assert compared is not None
    assert check.verifier_problems(PREPARER, "x")[0].startswith(f"Verified by: {PREPARER} is")
    assert check.verifier_problems(VERIFIER, "") == [
        "Verifier's password: the verifier signs in with their own password."
    ]
    pending = check.pending(PREPARER, VERIFIER, "", False, PASSWORDS[VERIFIER])
    assert pending.verifier is not None and PASSWORDS[VERIFIER] not in repr(pending.verifier)
    outcome = check.outcome(check.write(pending))
    assert outcome.recorded, outcome.message
    monkeypatch.setenv("PGPASSFILE", str(pg_site.cluster.passfile))  # the superuser's
    [(prepared, verified, authenticated)] = pg_site.sql(
        "SELECT c->>'prepared_by', c->>'verified_by', c->>'authenticated' FROM "
        "(SELECT content::jsonb AS c FROM ixempra.records) AS r WHERE c ? 'double_check'"
    )
    assert (prepared, verified, authenticated) == (PREPARER, VERIFIER, "true")
    assert f"verified by {VERIFIER} (prepared by {PREPARER}), recorded" in (
        heard.verification[-1].record_text
    )

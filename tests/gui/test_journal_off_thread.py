"""No journal round trip on the window's GUI thread (issues 14 and 16): a journal that does not
answer — a server silently dropping packets, a SQLite file locked by another workstation — is
stood in for by journal calls that block on a ``threading.Event``. While one blocks, the window
keeps calculating and its event loop keeps running; the panel says it is reading or
recording; a read that comes back for an identifier no longer typed is dropped; a failure
still reaches the screen in its own words, never as 0 units.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from preparation_support import EXPIRED_15, KIT_15, ZONE, clock, kinds, record_dose
from test_preparation_panel import wedge
from test_verification import child, first_entry, open_verify, second_entry, type_into

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QPushButton

from ixempra_gui import app
from ixempra_gui.journal.errors import JournalError
from ixempra_gui.journal.store import Journal
from ixempra_gui.presentation import journal_access
from ixempra_gui.presentation.preparation_desk import PreparationDesk
from ixempra_gui.presentation.preparation_work import KEEPING_NEAR_MISS
from ixempra_gui.presentation.verify_check import READING_HISTORY
from ixempra_gui.ui.main_window import MainWindow
from ixempra_gui.ui.preparation_panel import PreparationPanel

SLOW = "MRN-SLOW"
UNREACHABLE = "history NOT checked (journal unreachable): connection timeout expired (10 s)"


@pytest.fixture
def gate() -> Iterator[threading.Event]:
    """Opened by the test (and always at its end: no worker is left waiting)."""
    event = threading.Event()
    yield event
    event.set()


@pytest.fixture
def window(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> MainWindow:
    monkeypatch.setenv("IXEMPRA_DATA_DIR", str(tmp_path / "journal"))
    win = app.create_main_window()
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def event_loop_runs(qtbot) -> None:
    """A zero-delay timer fires: the GUI thread is not blocked."""
    fired: list[bool] = []
    QTimer.singleShot(0, lambda: fired.append(True))
    qtbot.waitUntil(lambda: bool(fired), timeout=2_000)


def slow_reads(
    monkeypatch: pytest.MonkeyPatch, gate: threading.Event, answer: journal_access.DosesRead
) -> list[str]:
    """``MRN-SLOW``'s read waits for ``gate``, then says ``answer``; others read the journal.
    Returns the identifiers whose read has come back from the worker."""
    real, returned = journal_access.fetch_doses, []

    def fetch(patient: str, journal=None) -> journal_access.DosesRead:
        found = real(patient, journal)
        if patient == SLOW:
            assert gate.wait(20)
            found = answer
        returned.append(patient)
        return found

    monkeypatch.setattr(journal_access, "fetch_doses", fetch)
    return returned


def test_the_window_keeps_calculating_while_the_history_read_waits(
    qtbot, window: MainWindow, gate: threading.Event, monkeypatch: pytest.MonkeyPatch
) -> None:
    slow_reads(monkeypatch, gate, journal_access.DosesRead(()))
    first_entry(qtbot, window, patient=SLOW)
    summary = child(window, QLabel, "historySummary")
    qtbot.waitUntil(lambda: summary.text() == f"Reading the journal for patient {SLOW}…")
    dose = child(window, QLabel, "doseValue")
    before = dose.text()
    type_into(qtbot, window, "weightInput", "80 kg")  # the read still waits
    assert dose.text() not in (before, "—"), "the edit was calculated at once"
    event_loop_runs(qtbot)
    assert summary.text() == f"Reading the journal for patient {SLOW}…"
    gate.set()
    qtbot.waitUntil(lambda: summary.text() == f"No verified dose of patient {SLOW} in the journal.")


def test_a_read_for_an_identifier_no_longer_typed_is_dropped(
    qtbot, window: MainWindow, gate: threading.Event, monkeypatch: pytest.MonkeyPatch
) -> None:
    stale = journal_access.DosesRead(None, "the doses of the identifier typed before")
    returned = slow_reads(monkeypatch, gate, stale)
    first_entry(qtbot, window, patient=SLOW)
    summary = child(window, QLabel, "historySummary")
    qtbot.waitUntil(lambda: window.session.history.reading == SLOW)
    type_into(qtbot, window, "patientIdInput", "MRN-0012345")
    qtbot.waitUntil(lambda: summary.text().startswith("No verified dose of patient MRN-0012345"))
    gate.set()
    qtbot.waitUntil(lambda: SLOW in returned)
    event_loop_runs(qtbot)  # the stale outcome has reached the GUI thread by now
    event_loop_runs(qtbot)
    assert summary.text().startswith("No verified dose of patient MRN-0012345")
    assert "typed before" not in summary.text()
    assert window.session.history.read_for == "MRN-0012345"
    assert window.session.history.doses == ()


def test_an_unreachable_journal_is_said_in_its_words_never_0_units(
    qtbot, window: MainWindow, gate: threading.Event, monkeypatch: pytest.MonkeyPatch
) -> None:
    slow_reads(monkeypatch, gate, journal_access.DosesRead(None, UNREACHABLE))
    gate.set()
    first_entry(qtbot, window, patient=SLOW)
    summary = child(window, QLabel, "historySummary")
    qtbot.waitUntil(lambda: UNREACHABLE in summary.text())
    assert summary.text().startswith(f"History of patient {SLOW} NOT shown or checked")
    assert "0 units" not in child(window, QLabel, "historyWindow").text()
    assert window.session.prior_units() is None


def test_compare_reads_the_history_off_the_gui_thread(
    qtbot, window: MainWindow, gate: threading.Event, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = journal_access.history_for

    def history_for(*args, **kwargs):
        assert gate.wait(20)
        return real(*args, **kwargs)

    first_entry(qtbot, window)
    dialog = open_verify(qtbot, window)
    second_entry(qtbot, dialog)
    monkeypatch.setattr(journal_access, "history_for", history_for)
    qtbot.mouseClick(child(dialog, QPushButton, "compareButton"), Qt.MouseButton.LeftButton)
    error = child(dialog, QLabel, "verifyError")
    sign = child(dialog, QPushButton, "signButton")
    assert error.text() == READING_HISTORY and dialog.check.reading_history
    assert not sign.isEnabled() and sign.toolTip() == READING_HISTORY
    event_loop_runs(qtbot)
    assert dialog.check.reading_history  # still waiting for the journal
    gate.set()
    qtbot.waitUntil(lambda: not dialog.check.reading_history, timeout=20_000)
    summary = child(dialog, QLabel, "comparisonSummary")
    assert summary.text().startswith("The two entries match in value")
    assert sign.isEnabled(), sign.toolTip()
    assert not error.isVisible()


def test_a_failing_history_read_at_compare_refuses_sign_with_its_words(
    qtbot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    def history_for(*_args, **_kwargs):
        raise RuntimeError("the read broke")

    first_entry(qtbot, window)
    dialog = open_verify(qtbot, window)
    second_entry(qtbot, dialog)
    monkeypatch.setattr(journal_access, "history_for", history_for)
    qtbot.mouseClick(child(dialog, QPushButton, "compareButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.check.reading_history, timeout=20_000)
    error = child(dialog, QLabel, "verifyError")
    assert "could not be checked" in error.text() and "the read broke" in error.text()
    sign = child(dialog, QPushButton, "signButton")
    assert not sign.isEnabled() and "the read broke" in sign.toolTip()


# --- the Preparation panel ------------------------------------------------------------------------


def slow_panel(qtbot, opener) -> PreparationPanel:
    """The panel as the window builds it (journal calls on worker threads), signed by a
    compounder, its dose read."""
    desk = PreparationDesk(record_dose(), clock, tz=ZONE, open_journal=opener, at_once=False)
    panel = PreparationPanel(desk)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    qtbot.waitUntil(lambda: not desk.waiting, timeout=20_000)
    panel.activateWindow()
    panel.first_focus()
    qtbot.keyClicks(panel.compounder, "C. Technician")
    qtbot.keyClick(panel.compounder, Qt.Key.Key_Return)
    return panel


def test_the_panel_reads_the_dose_off_the_gui_thread(qtbot, gate: threading.Event) -> None:
    def opener():
        assert gate.wait(20)
        return Journal.open()

    desk = PreparationDesk(record_dose(), clock, tz=ZONE, open_journal=opener, at_once=False)
    panel = PreparationPanel(desk)
    qtbot.addWidget(panel)
    panel.show()
    assert panel.last_scan.text() == "Reading the journal for this dose…"
    assert not panel.scan_field.isEnabled() and not panel.record_button.isEnabled()
    event_loop_runs(qtbot)
    gate.set()
    qtbot.waitUntil(lambda: not desk.waiting, timeout=20_000)
    assert desk.dose is not None and "kits: 2 × 15 mg" in panel.heading.text()


def test_a_scan_waits_for_the_near_miss_before_it_and_record_waits_for_both(
    qtbot, gate: threading.Event
) -> None:
    opened: list[bool] = []

    def opener():
        if opened:  # the dose's read is free; the near miss waits for the gate
            assert gate.wait(20)
        opened.append(True)
        return Journal.open()

    panel = slow_panel(qtbot, opener)
    desk = panel.desk
    wedge(panel, EXPIRED_15)  # refused: its near miss is being recorded
    assert desk.busy == KEEPING_NEAR_MISS
    assert KEEPING_NEAR_MISS in panel.blockers.text()
    wedge(panel, KIT_15)  # the scanner goes on: queued, not judged yet
    wedge(panel, KIT_15)
    assert len(desk.scans) == 1 and desk.waiting
    assert f"{KEEPING_NEAR_MISS} (2 scans waiting for it)" in panel.blockers.text()
    assert panel.scan_field.isEnabled() and not panel.record_button.isEnabled()
    event_loop_runs(qtbot)
    assert kinds() == ["dose"]
    gate.set()
    qtbot.waitUntil(lambda: not desk.waiting, timeout=20_000)
    # in order: the expired kit (near miss), the 15 mg kit, the same kit again (near miss)
    assert [o.refusal is None for o in desk.check().kits.outcomes] == [False, True, False]
    assert kinds() == ["dose", "near_miss", "near_miss"]
    assert len(desk.near_misses) == 2 and not desk.notes


def test_a_journal_failure_on_a_near_miss_is_said_in_its_words(qtbot) -> None:
    opened: list[bool] = []

    def opener():
        if opened:
            raise JournalError("the journal server cannot be reached: timeout expired")
        opened.append(True)
        return Journal.open()

    panel = slow_panel(qtbot, opener)
    wedge(panel, EXPIRED_15)
    qtbot.waitUntil(lambda: not panel.desk.waiting, timeout=20_000)
    assert panel.notes.isVisible()
    assert panel.notes.text() == (
        "The refused scan was NOT kept as a near miss: the journal server cannot be reached: "
        "timeout expired"
    )
    assert kinds() == ["dose"]

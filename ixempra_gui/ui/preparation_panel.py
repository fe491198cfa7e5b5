"""The Preparation panel (issue 16): after Verify recorded the dose, the kits are scanned (a
keyboard-wedge scanner into the focused scan field, no mouse needed), the batch's times
entered, the preparation recorded, and the bag label printed or saved as PDF.

Every rule and every word is the presentation's (``presentation.preparation_desk``: the same
journal functions as ``ixempra-journal prepare`` and ``label``); this widget renders its view
and forwards what the pharmacist does. A timer redraws the running 1-hour and 6-hour clocks.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from pathlib import Path

from PySide6.QtCore import QDate, QDateTime, Qt, QTime, QTimer
from PySide6.QtWidgets import (
    QDateTimeEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ixempra_gui import APP_NAME
from ixempra_gui.presentation.background import Runner
from ixempra_gui.presentation.preparation_desk import PreparationDesk
from ixempra_gui.presentation.preparation_view import PreparationView
from ixempra_gui.ui import loader
from ixempra_gui.ui.off_thread import ThreadRunner
from ixempra_gui.ui.scan_field import ScanField

#: The clocks are redrawn this often (their text counts minutes).
CLOCK_MS = 15_000
_RED = "color: #b00000;"
_GREEN = "color: #1b5e20;"


def _label(name: str, bold: bool = False) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if bold:
        font = label.font()
        font.setBold(True)
        label.setFont(font)
    return label


def _style(label: QLabel, sheet: str) -> None:
    """Set a colour only when it changes: setStyleSheet polishes the widget again each time
    (most of a redraw's cost; bench/preparation.py)."""
    if label.styleSheet() != sheet:
        label.setStyleSheet(sheet)


def _time_edit(name: str, caption: str) -> QDateTimeEdit:
    edit = QDateTimeEdit()
    edit.setObjectName(name)
    edit.setAccessibleName(caption)
    edit.setDisplayFormat("yyyy-MM-dd HH:mm")
    edit.setCalendarPopup(True)
    return edit


def _local(moment: datetime) -> QDateTime:
    """An instant as this machine's wall time, to the minute (what the time fields show)."""
    wall = moment.astimezone() if moment.tzinfo is not None else moment
    return QDateTime(QDate(wall.year, wall.month, wall.day), QTime(wall.hour, wall.minute))


class PreparationPanel(QWidget):
    """Scan, times, record, label — for one verified dose."""

    def __init__(
        self, desk: PreparationDesk, parent: QWidget | None = None, runner: Runner | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("preparationPanel")
        self.desk = desk
        #: Runs the desk's journal calls (a worker thread): the panel never waits for them.
        self.runner: Runner = runner or ThreadRunner(self)
        self.heading = _label("preparationHeading", bold=True)
        self.compounder = QLineEdit()
        self.compounder.setObjectName("compoundedByEdit")
        self.compounder.setAccessibleName("Compounded by")
        self.compounder.setPlaceholderText("who compounds and scans (name)")
        self.compounder.setText(desk.compounded_by)
        self.scan_field = ScanField(desk.gs_substitute or "")
        self.last_scan = _label("lastScan", bold=True)
        self.kit_box = QGroupBox("Kits of the plan")
        self.kit_rows = QVBoxLayout(self.kit_box)
        self.kit_labels: list[QLabel] = []
        self.refused = _label("refusedScans")
        self.refused_box = QGroupBox("Refused scans (each kept as a near miss)")
        QVBoxLayout(self.refused_box).addWidget(self.refused)
        self.reconstituted = _time_edit("reconstitutedAtEdit", "Reconstituted at")
        self.diluted = _time_edit("dilutedAtEdit", "Diluted (bag completed) at")
        self.time_problems = {
            "reconstituted_at": _label("reconstitutedAtProblem"),
            "diluted_at": _label("dilutedAtProblem"),
        }
        self.recon_clock = _label("reconstitutionClock")
        self.infusion_clock = _label("infusionClock")
        self.failure = _label("preparationFailure", bold=True)
        self.blockers = _label("preparationBlockers")
        self.recorded = _label("preparationRecorded", bold=True)
        self.notes = _label("preparationNotes")
        self.said = ""  # the last thing done with the label (printed, saved)
        self._name_typed = False  # the compounder's name was edited here
        self.record_button = QPushButton("&Record preparation")
        self.print_button = QPushButton("&Print label…")
        self.pdf_button = QPushButton("Save label as P&DF…")
        self.remake_button = QPushButton("Re&make (new kits)")
        for button, name in (
            (self.record_button, "recordPreparationButton"),
            (self.print_button, "printLabelButton"),
            (self.pdf_button, "saveLabelPdfButton"),
            (self.remake_button, "remakeButton"),
        ):
            button.setObjectName(name)
        self._build()
        for button in self.findChildren(QPushButton):
            # Enter belongs to the scanner: in a dialog it would press an auto-default button
            button.setAutoDefault(False)
        self._connect()
        self._set_times_now()
        self.timer = QTimer(self)
        self.timer.setInterval(CLOCK_MS)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        self._pump()

    # --- building -----------------------------------------------------------------------------

    def _build(self) -> None:
        self.now_buttons: list[QPushButton] = []
        entry = QFormLayout()
        entry.addRow("Compounded &by", self.compounder)
        entry.addRow("&Scan", self.scan_field)
        times = QGroupBox("Times of the batch")
        form = QFormLayout(times)
        for edit, caption, key in (
            (self.reconstituted, "Reconstituted at", "reconstituted_at"),
            (self.diluted, "Diluted (bag completed) at", "diluted_at"),
        ):
            now = QPushButton("Now")
            self.now_buttons.append(now)
            now.setObjectName(f"{edit.objectName()}Now")
            now.setAccessibleName(f"{caption}: now")
            now.clicked.connect(lambda _=False, e=edit: self._now(e))
            row = QHBoxLayout()
            row.addWidget(edit, 1)
            row.addWidget(now)
            form.addRow(caption, row)
            form.addRow("", self.time_problems[key])
        form.addRow(self.recon_clock)
        form.addRow(self.infusion_clock)
        buttons = QHBoxLayout()
        for button in (
            self.record_button,
            self.print_button,
            self.pdf_button,
            self.remake_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(entry)
        layout.addWidget(self.last_scan)
        layout.addWidget(self.kit_box)
        layout.addWidget(times)
        for label in (self.failure, self.blockers, self.recorded, self.notes):
            layout.addWidget(label)
        layout.addLayout(buttons)
        layout.addWidget(self.refused_box)  # last: it grows with every refused scan
        layout.addStretch(1)

    def _connect(self) -> None:
        self.compounder.textEdited.connect(self._compounder_edited)
        self.compounder.returnPressed.connect(self.scan_field.setFocus)
        self.scan_field.scanned.connect(self.scan)
        self.reconstituted.dateTimeChanged.connect(self._times_edited)
        self.diluted.dateTimeChanged.connect(self._times_edited)
        self.record_button.clicked.connect(self.record)
        self.print_button.clicked.connect(self.print_label)
        self.pdf_button.clicked.connect(lambda: self.save_pdf())
        self.remake_button.clicked.connect(self.remake)

    def first_focus(self) -> None:
        """Who compounds first, when not yet given; then the scan field (no mouse needed)."""
        field = self.scan_field if self.scan_field.isEnabled() else self.compounder
        field.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- what the pharmacist does -------------------------------------------------------------

    def _local_now(self) -> QDateTime:
        return _local(self.desk.clock())

    def _set_times_now(self) -> None:
        """The times start at now (the pharmacist edits them, or presses Now when done);
        a preparation recorded before shows its own."""
        if self.desk.reconstituted_at is not None and self.desk.diluted_at is not None:
            for edit, moment in (
                (self.reconstituted, self.desk.reconstituted_at),
                (self.diluted, self.desk.diluted_at),
            ):
                edit.setDateTime(_local(moment))
            return
        for edit in (self.reconstituted, self.diluted):
            edit.setDateTime(self._local_now())
        self._times_edited()

    def _now(self, edit: QDateTimeEdit) -> None:
        edit.setDateTime(self._local_now())

    def _times_edited(self) -> None:
        if self.desk.recorded is not None:
            return
        recon: datetime = self.reconstituted.dateTime().toPython()  # type: ignore[assignment]
        diluted: datetime = self.diluted.dateTime().toPython()  # type: ignore[assignment]
        self.desk.set_times(recon, diluted)
        self.refresh()

    def _compounder_edited(self, text: str) -> None:
        self._name_typed = True
        self.desk.set_compounder(text)
        self.refresh()

    def scan(self, text: str) -> None:
        self.desk.scan(text)  # judged once the near miss of the scan before it is kept
        self._pump()
        self.scan_field.setFocus(Qt.FocusReason.OtherFocusReason)

    def record(self) -> None:
        self.desk.record_preparation()
        self._pump()

    def remake(self) -> None:
        self.desk.remake()
        self._set_times_now()
        self._pump()
        self.scan_field.setFocus(Qt.FocusReason.OtherFocusReason)

    def _pump(self) -> None:
        """Run the desk's next journal call on the runner, then show where it stands (the
        panel says what the journal is doing meanwhile; Record waits)."""
        job = self.desk.next_job()
        if job is not None:
            self.runner.run(job.work, self._finished, f"ixempra-preparation-{job.kind}")
        self.refresh()

    def _finished(self, outcome: object) -> None:
        if self.desk.finish(outcome) == "load":
            self._set_times_now()  # a preparation recorded before shows its own times
            self._pump()
            if not self._name_typed:  # never moved away from a name being typed
                self.first_focus()
            return
        self._pump()

    def _label_or_say(self) -> object | None:
        label = self.desk.label()
        if isinstance(label, str):
            loader.QMessageBox.information(self, APP_NAME, label)
            self.refresh()
            return None
        return label

    def print_label(self) -> None:
        label = self._label_or_say()
        if label is not None and loader.printing.print_label(label, self):
            self._say("Label sent to the printer.")

    def save_pdf(self, path: Path | None = None) -> Path | None:
        """Write the label as PDF (asks where unless ``path`` is given); the path, or None."""
        label = self._label_or_say()
        if label is None:
            return None
        printing = loader.printing
        target = path or printing.ask_pdf_path(
            self, "Save label as PDF", printing.pdf_file_name("label", self.desk.record.patient_id)
        )
        if printing.saved(self, "label", target, partial(printing.write_label_pdf, label)) is None:
            return None
        self._say(f"Label saved: {target}")
        return target

    # --- rendering ----------------------------------------------------------------------------

    def refresh(self) -> None:
        """Show the desk's view as it stands now (the clocks move on)."""
        view = self.desk.view()
        self.heading.setText(view.heading)
        self.last_scan.setText(view.last_scan)
        _style(self.last_scan, _RED if view.last_refused else _GREEN)
        self._render_kits(view)
        self.refused.setText("\n".join(view.refused) or "None.")
        for key, label in self.time_problems.items():
            label.setText(view.time_problems.get(key, ""))
            label.setVisible(key in view.time_problems)
            _style(label, _RED)
        self.recon_clock.setText(view.reconstitution_clock)
        self.infusion_clock.setText(view.infusion_clock)
        self.failure.setText(view.failure)
        _style(self.failure, _RED)
        self.failure.setVisible(bool(view.failure))
        waiting = [] if view.recorded else list(view.blockers)
        self.blockers.setText("\n".join(f"• {b}" for b in waiting))
        self.blockers.setVisible(bool(waiting))
        self.recorded.setText(view.recorded)
        self.recorded.setVisible(bool(view.recorded))
        self._show_notes(view)
        self._render_actions(view)

    def _say(self, text: str) -> None:
        """What was just done with the label, kept under the desk's notes until the next."""
        self.said = text
        self._show_notes(self.desk.view())

    def _show_notes(self, view: PreparationView) -> None:
        """The desk's notes (journal problems) and what was done; hidden when none."""
        text = "\n".join([*view.notes, self.said] if self.said else view.notes)
        self.notes.setText(text)
        self.notes.setVisible(bool(text))

    def _render_kits(self, view: PreparationView) -> None:
        while len(self.kit_labels) < len(view.kits):
            label = _label(f"kitRow{len(self.kit_labels)}")
            self.kit_rows.addWidget(label)
            self.kit_labels.append(label)
        for i, label in enumerate(self.kit_labels):
            row = view.kits[i] if i < len(view.kits) else None
            label.setVisible(row is not None)
            if row is not None:
                label.setText(row.text)
                _style(label, _GREEN if row.accepted else _RED if row.refused else "")

    def _render_actions(self, view: PreparationView) -> None:
        done = bool(view.recorded)
        self.compounder.setEnabled(not done)
        self.scan_field.setEnabled(view.can_scan)
        for widget in (self.reconstituted, self.diluted, *self.now_buttons):
            widget.setEnabled(not done)
        self.record_button.setEnabled(view.can_record)
        self.record_button.setToolTip(
            "Append the preparation to the journal" if view.can_record else "\n".join(view.blockers)
        )
        for button in (self.print_button, self.pdf_button):
            button.setEnabled(view.can_print)
            button.setToolTip(view.print_refusal or "The bag label of this preparation")
        self.remake_button.setVisible(view.can_remake)

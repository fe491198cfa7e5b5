"""The Coverage tab: policy MG.MM.PH.153 as a checklist beside the order, and the
prior-authorization summary to print or save as PDF.

It asks only what the order does not say; the regimen, dose and liver tests come from the
session's latest calculation. Every answer is forwarded to the session, which evaluates it
beside the order (core/coverage.py, through coverage_view.py) on every answer and every order
edit, so the verdict is never stale; the summary is built from a fresh calculation at the
moment of printing. No coverage rule lives here, and the tab never reaches into the window.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ixempra_gui import APP_NAME
from ixempra_gui.presentation.coverage_answers import PA_NOT_YET
from ixempra_gui.presentation.fields import DASH, StatusKind
from ixempra_gui.ui import loader
from ixempra_gui.ui.coverage_questions import CoverageQuestions
from ixempra_gui.ui.coverage_verdict import CoverageVerdict, checklist_html, value_label
from ixempra_gui.ui.form_rows import EnterMovesOn
from ixempra_gui.ui.widgets import set_text

if TYPE_CHECKING:
    from ixempra_gui.presentation.coverage_answers import CoverageForm
    from ixempra_gui.presentation.coverage_view import CoverageView
    from ixempra_gui.presentation.session import Session

#: The verdict's icon and frame colour (the words say the same).
_VERDICT_KIND = {
    "meets": StatusKind.READY,
    "not_met": StatusKind.CONTRAINDICATED,
    "not_checked": StatusKind.INPUT_NEEDED,
    "answers_needed": StatusKind.INPUT_NEEDED,  # neutral: nothing answered disqualifies yet
}


class CoveragePanel(QWidget):
    """The Coverage tab: the verdict on top, the questions and the checklist below, the
    prior-authorization buttons at the bottom."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("coveragePanel")
        self.session = session
        self.view: CoverageView | None = None  # None: nothing evaluated yet
        self.verdict = CoverageVerdict()
        self.questions = CoverageQuestions(session.today().isoformat())
        self.inputs = self.questions.inputs
        self.diagnosis = self.questions.diagnosis
        self.resistant = self.questions.resistant
        self.toxicities = self.questions.toxicities
        self._build_results()
        self._build_outputs()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.verdict)
        layout.addWidget(self.scroll_area, 1)
        layout.addLayout(self._buttons)
        self._chain_tabs()
        self._set_available(False, PA_NOT_YET)
        self.questions.changed.connect(self._answered)
        self.diagnosis.editingFinished.connect(self._normalise_diagnosis)
        session.events.coverage.connect(self.show_coverage)
        session.events.coverage_form.connect(self.questions.show_answers)
        self._answered()  # the session now evaluates these answers with every calculation

    # --- building ---------------------------------------------------------------------------

    def _build_results(self) -> None:
        """What the evaluation says, below the questions, in one scroll area."""
        column = self.questions.column
        self.order_facts = value_label("coverageOrderFacts", "Taken from the order")
        self.findings = value_label("coverageFindings", "Why the policy is not met")
        self.criteria = value_label("coverageCriteria", "Criteria checklist", rich=True)
        self.exclusions = value_label("coverageExclusions", "Exclusions checklist", rich=True)
        self.authorization = value_label("coverageAuthorization", "Authorization period")
        self.dosing_limit = value_label("coverageDosingLimit", "Dosing limit")
        self.notes = value_label("coverageNotes", "Coverage notes")
        self._box("From the order (Order tab)", column, self.order_facts)
        self.findings_box = self._box("Not met, and why", column, self.findings)
        self._box("Criteria", column, self.criteria)
        self._box("Exclusions checked", column, self.exclusions)
        self._box(
            "Authorization and dosing limit",
            column,
            self.authorization,
            self.dosing_limit,
            self.notes,
        )
        column.addStretch(1)
        self.scroll_area = QScrollArea()
        self.scroll_area.setObjectName("coverageScroll")
        self.questions.resize(1, 1)  # sized when shown: no layout pass while the window is built
        self.scroll_area.setWidget(self.questions)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    @staticmethod
    def _box(title: str, parent: QVBoxLayout, *widgets: QWidget) -> QGroupBox:
        box = QGroupBox(title)
        column = QVBoxLayout(box)
        for widget in widgets:
            column.addWidget(widget)
        parent.addWidget(box)
        return box

    def _build_outputs(self) -> None:
        """Print and Save as PDF, as buttons and as File-menu actions."""
        self.print_button = QPushButton("Print PA summary…")
        self.print_button.setObjectName("priorAuthPrintButton")
        self.print_button.setAccessibleName("Print prior-authorization summary")
        self.pdf_button = QPushButton("Save PA summary as PDF…")
        self.pdf_button.setObjectName("priorAuthPdfButton")
        self.pdf_button.setAccessibleName("Save prior-authorization summary as PDF")
        self.print_action = QAction("Print prior-&authorization summary…", self)
        self.print_action.setObjectName("priorAuthPrintAction")
        self.print_action.triggered.connect(self.print_summary)
        self.pdf_action = QAction("Sa&ve prior-authorization summary as PDF…", self)
        self.pdf_action.setObjectName("priorAuthPdfAction")
        self.pdf_action.triggered.connect(lambda: self.save_pdf())
        self.print_button.clicked.connect(self.print_action.trigger)
        self.pdf_button.clicked.connect(self.pdf_action.trigger)
        self._buttons = QHBoxLayout()
        self._buttons.addWidget(self.print_button)
        self._buttons.addWidget(self.pdf_button)
        self._buttons.addStretch(1)

    def _chain_tabs(self) -> None:
        self._enter = EnterMovesOn(self)
        self._chain = [*self.questions.chain, self.print_button, self.pdf_button]
        for widget in self.questions.chain:
            widget.installEventFilter(self._enter)
        for first, second in zip(self._chain, self._chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    def showEvent(self, event: QShowEvent) -> None:
        """On first show (not at start-up: bench/startup.py), the scroll area becomes never
        narrower than its questions: text wraps, check boxes and fields are never cut."""
        if self.scroll_area.minimumWidth() == 0:
            scrollbar = self.scroll_area.verticalScrollBar().sizeHint().width()
            self.scroll_area.setMinimumWidth(
                self.questions.minimumSizeHint().width() + scrollbar + 2
            )
        super().showEvent(event)

    # --- answers and what the session says of them ------------------------------------------

    @property
    def tab_chain(self) -> list[QWidget]:
        return list(self._chain)

    def coverage_form(self) -> CoverageForm:
        """The answers exactly as they stand."""
        return self.questions.answers()

    def _answered(self) -> None:
        self.session.set_coverage_answers(self.questions.answers())

    def show_coverage(self, view: CoverageView) -> None:
        self.view = view
        self.verdict.show_verdict(_VERDICT_KIND[view.kind.value], view.verdict, view.detail)
        self.questions.show_messages(view.field_messages)
        set_text(self.order_facts, "\n".join(f"{k}: {v}" for k, v in view.order_facts) or DASH)
        set_text(self.findings, "\n".join(f"• {f}" for f in view.findings))
        if self.findings_box.isVisibleTo(self) != bool(view.findings):
            self.findings_box.setVisible(bool(view.findings))
        set_text(self.criteria, checklist_html(view.criteria) or DASH)
        self.criteria.setAccessibleDescription("\n".join(ln.text for ln in view.criteria))
        set_text(self.exclusions, checklist_html(view.exclusions) or DASH)
        self.exclusions.setAccessibleDescription("\n".join(ln.text for ln in view.exclusions))
        set_text(self.authorization, f"Authorization: {view.authorization}")
        set_text(self.dosing_limit, f"Dosing limit: {view.dosing_limit}")
        set_text(self.notes, "\n".join(f"Note: {n}" for n in view.notes))
        self.notes.setVisible(bool(view.notes))
        self._set_available(view.pa_enabled, view.pa_tooltip)

    def _set_available(self, enabled: bool, tooltip: str) -> None:
        for action, button in (
            (self.print_action, self.print_button),
            (self.pdf_action, self.pdf_button),
        ):
            action.setEnabled(enabled)
            button.setEnabled(enabled)
            button.setToolTip(tooltip)
            button.setAccessibleDescription(tooltip)
            action.setToolTip(tooltip)

    def _normalise_diagnosis(self) -> None:
        """A listed code, once typed, is shown in its normal form (c50912 → C50.912)."""
        code = self.view.diagnosis_code if self.view is not None else None
        if code and self.diagnosis.text() != code:
            self.diagnosis.setText(code)

    # --- the prior-authorization summary ----------------------------------------------------

    def summary_html(self) -> str | None:
        """The summary of the order and answers as they stand now, or None (and a message)."""
        document = self.session.prior_auth()  # never what an earlier edit showed
        if document.html is None:
            loader.QMessageBox.information(self, APP_NAME, document.refusal)
        return document.html

    def print_summary(self) -> None:
        html = self.summary_html()
        if html is None:
            return
        title, what = self.session.prior_auth_title(), "prior-authorization summary"
        if loader.printing.print_html(html, self, title=title, what=what):
            self.session.say("Prior-authorization summary sent to the printer.")

    def default_pdf_name(self) -> str:
        return str(loader.printing.pdf_file_name("prior-auth", self.session.patient_id))

    def ask_pdf_path(self) -> Path | None:
        caption = "Save prior-authorization summary as PDF"
        path: Path | None = loader.printing.ask_pdf_path(self, caption, self.default_pdf_name())
        return path

    def save_pdf(self, path: Path | None = None) -> Path | None:
        """Write the summary PDF (asks where unless ``path`` is given); the path, or None."""
        html = self.summary_html()
        if html is None:
            return None
        write = partial(loader.printing.write_pdf, html, title=self.session.prior_auth_title())
        what = "prior-authorization summary"
        target = loader.printing.saved(self, what, path or self.ask_pdf_path(), write)
        if target is None:
            return None
        self.session.say(f"Prior-authorization summary saved: {target}")
        return target

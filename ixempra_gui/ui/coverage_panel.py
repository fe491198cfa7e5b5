"""The Coverage tab: policy MG.MM.PH.153 as a checklist beside the order, and the
prior-authorization summary to print or save as PDF.

It asks only what the order does not say; the regimen, dose and liver tests come from the
window's latest calculation. Every order edit and every answer re-evaluates (the core's
core/coverage.py, through coverage_presenter.py), so the verdict is never stale; the summary is
built from a fresh calculation at the moment of printing. No coverage rule lives here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QAction, QFont, QPainter, QPen, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ixempra_gui import APP_NAME
from ixempra_gui.presentation.coverage_text import (
    COVERAGE_LABELS,
    INITIAL_VERDICT,
    INITIAL_VERDICT_DETAIL,
    REQUEST_CHOICES,
    RESPONSE_CHOICES,
    SETTING_CHOICES,
    THERAPY_CHOICES,
    TOXICITY_CHOICES,
)
from ixempra_gui.presentation.fields import DASH, MessageKind, StatusKind
from ixempra_gui.ui.order_form import _EnterMovesOn
from ixempra_gui.ui.widgets import (
    StatusIcon,
    WrappedLabel,
    accent,
    mark_field,
    set_text,
)

if TYPE_CHECKING:  # the presenters (and the core) load after the first paint
    from ixempra_gui.presentation.coverage_view import ChecklistLine, CoverageForm, CoverageView
    from ixempra_gui.presentation.order_view import FieldMessage, ViewState

_DESCRIPTIONS = {
    "request": "Initial request, or renewal of an authorization (renewal adds the response and "
    "toxicity questions).",
    "request_date": "The day the authorization would start, year-month-day; today by default.",
    "diagnosis": "ICD-10-CM code from the policy's list (C50.011–C50.929, Z85.3); c50912 is "
    "read as C50.912.",
    "setting": "Disease setting of the breast cancer: the policy covers recurrent or metastatic.",
    "response": "Tumor response on Ixempra since the last authorization (renewal).",
}
FAILED_DETAIL = "the calculation of the order failed, so coverage is not checked."
_PREFIX = {MessageKind.ERROR: "Error: ", MessageKind.WARNING: "Check: ", MessageKind.NOTE: ""}
#: The verdict's icon and frame colour (the words say the same).
_VERDICT_KIND = {
    "meets": StatusKind.READY,
    "not_met": StatusKind.CONTRAINDICATED,
    "not_checked": StatusKind.INPUT_NEEDED,
}


def _value_label(name: str, accessible: str, rich: bool = False) -> QLabel:
    label = WrappedLabel(DASH)
    label.setObjectName(name)
    if rich:
        label.setTextFormat(Qt.TextFormat.RichText)
    label.setAccessibleName(accessible)
    label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    return label


class CoverageVerdict(QFrame):
    """Icon + verdict words (``coverageVerdict``) + a paragraph saying why (``coverageDetail``)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("coverageVerdictFrame")
        self.icon = StatusIcon()
        self.icon.setObjectName("coverageIcon")
        self.text = WrappedLabel(INITIAL_VERDICT)
        self.text.setObjectName("coverageVerdict")
        self.text.setAccessibleName("Coverage verdict")
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        font = QFont(self.text.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.text.setFont(font)
        self.detail = WrappedLabel(INITIAL_VERDICT_DETAIL)
        self.detail.setObjectName("coverageDetail")
        self.detail.setAccessibleName("Coverage: why")
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        words = QVBoxLayout()
        words.setSpacing(2)
        words.addWidget(self.text)
        words.addWidget(self.detail)
        row = QHBoxLayout(self)
        row.setContentsMargins(14, 6, 6, 6)
        row.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        row.addLayout(words, 1)
        self._kind = StatusKind.INPUT_NEEDED
        self.icon.set_kind(self._kind)

    def show_verdict(self, kind: StatusKind, text: str, detail: str) -> None:
        set_text(self.text, text)
        set_text(self.detail, detail)
        self.text.setAccessibleDescription(detail)
        if kind is not self._kind:
            self._kind = kind
            self.icon.set_kind(kind)
            self.update()

    def paintEvent(self, event: object) -> None:
        super().paintEvent(event)  # type: ignore[arg-type]
        painter = QPainter(self)
        colour = accent(self._kind, self.palette())
        painter.setPen(QPen(colour, 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(QRectF(0.5, 0.5, self.width() - 1.0, self.height() - 1.0))
        painter.fillRect(QRectF(0, 0, 8, self.height()), colour)


def _checklist_html(lines: tuple[ChecklistLine, ...]) -> str:
    from html import escape  # not needed before the first result (start-up time)

    return "".join(
        f"<p style='margin-bottom:6px'><b>{escape(ln.symbol)} {escape(ln.outcome)}</b> · "
        f"<b>{escape(ln.section)}</b>: {escape(ln.wording)}<br/>"
        f"<i>Answer:</i> {escape(ln.answer)}</p>"
        for ln in lines
    )


class CoveragePanel(QWidget):
    """The Coverage tab: the verdict on top, the questions and the checklist below, the
    prior-authorization buttons at the bottom."""

    def __init__(
        self,
        today: Callable[[], date],
        refresh: Callable[[], None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("coveragePanel")
        self.today = today
        self._refresh = refresh  # recalculates the order now (the window's recalculate)
        self.order_view: ViewState | None = None
        self.patient_id = ""
        self.prior_units: int | None = None
        self.view: CoverageView | None = None  # None: nothing evaluated yet
        self.inputs: dict[str, QWidget] = {}
        self.messages: dict[str, QLabel] = {}
        self._chain: list[QWidget] = []
        self._enter = _EnterMovesOn(self)

        self.verdict = CoverageVerdict()

        questions = QWidget()
        column = QVBoxLayout(questions)
        column.setContentsMargins(0, 0, 4, 0)

        request = self._group("Request", column)
        self.request = self._combo(request, "request", "Re&quest type", REQUEST_CHOICES)
        self._date(request, "request_date", "Request da&te")

        history = self._group("Diagnosis and prior therapy", column)
        self.diagnosis = self._line(history, "diagnosis", "&ICD-10 diagnosis", "e.g. C50.912")
        self.diagnosis.editingFinished.connect(self._normalise_diagnosis)
        self.setting = self._combo(
            history, "setting", "Disease &setting", SETTING_CHOICES, placeholder="Choose…"
        )
        resistant = QLabel("Resistant or refractory to:")
        resistant.setWordWrap(True)
        history.addRow(resistant)
        self.resistant: dict[str, QCheckBox] = {}
        therapies = QHBoxLayout()
        for value, text, name in THERAPY_CHOICES:
            box = self._check(
                name,
                text,
                f"Resistant or refractory to {value}",
                f"The disease is documented as resistant or refractory to {value} treatment.",
            )
            self.resistant[value] = box
            therapies.addWidget(box)
        therapies.addStretch(1)
        history.addRow(therapies)
        self.contraindicated = self._check(
            "anthracyclineContraindicatedCheck",
            "Further anthracycline c&ontraindicated",
            COVERAGE_LABELS["anthracycline_contraindicated"],
            "Further anthracycline therapy is contraindicated (the second way to meet I.1.A.i, "
            "with taxane resistance).",
        )
        history.addRow(self.contraindicated)
        self.progression = self._check(
            "progressionCheck",
            "&Progression while on Ixempra",
            COVERAGE_LABELS["progression_on_ixempra"],
            "The disease progressed while the member was taking Ixempra (policy exclusion 4).",
        )
        history.addRow(self.progression)

        self.renewal_box = QGroupBox("Renewal")
        self.renewal_box.setObjectName("renewalGroup")
        renewal = QFormLayout(self.renewal_box)
        self._form_style(renewal)
        column.addWidget(self.renewal_box)
        self.response = self._combo(
            renewal, "response", "&Response on Ixempra", RESPONSE_CHOICES, placeholder="Choose…"
        )
        toxic = QLabel("Unacceptable toxicity from Ixempra:")
        toxic.setWordWrap(True)
        renewal.addRow(toxic)
        self.toxicities: dict[str, QCheckBox] = {}
        toxicity_column = QVBoxLayout()
        for code, text, name in TOXICITY_CHOICES:
            words = text.replace("&", "")
            box = self._check(
                name,
                text,
                f"Unacceptable toxicity: {words.lower()}",
                f"Unacceptable {words.lower()} from Ixempra (renewal criterion II.3).",
            )
            self.toxicities[code] = box
            toxicity_column.addWidget(box)  # one column: no wider than the order form
        renewal.addRow(toxicity_column)

        self.order_facts = _value_label("coverageOrderFacts", "Taken from the order")
        self.findings = _value_label("coverageFindings", "Why the policy is not met")
        self.criteria = _value_label("coverageCriteria", "Criteria checklist", rich=True)
        self.exclusions = _value_label("coverageExclusions", "Exclusions checklist", rich=True)
        self.authorization = _value_label("coverageAuthorization", "Authorization period")
        self.dosing_limit = _value_label("coverageDosingLimit", "Dosing limit")
        self.notes = _value_label("coverageNotes", "Coverage notes")
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

        scroll = QScrollArea()
        scroll.setObjectName("coverageScroll")
        questions.resize(1, 1)  # sized when shown: no layout pass while the window is built
        scroll.setWidget(questions)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll = scroll
        self._questions = questions

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
        self._chain += [self.print_button, self.pdf_button]
        buttons = QHBoxLayout()
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.pdf_button)
        buttons.addStretch(1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.verdict)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)

        for widget in self._chain:
            if not isinstance(widget, QPushButton):
                widget.installEventFilter(self._enter)
        for first, second in zip(self._chain, self._chain[1:], strict=False):
            QWidget.setTabOrder(first, second)
        self.request.currentIndexChanged.connect(self._show_renewal)
        self._show_renewal()
        self._set_available(False, "Not available yet: enter the order and the answers.")

    def showEvent(self, event: QShowEvent) -> None:
        """On first show (not at start-up: bench/startup.py), the scroll area becomes never
        narrower than its questions: text wraps, check boxes and fields are never cut."""
        if self.scroll.minimumWidth() == 0:
            scrollbar = self.scroll.verticalScrollBar().sizeHint().width()
            self.scroll.setMinimumWidth(self._questions.minimumSizeHint().width() + scrollbar + 2)
        super().showEvent(event)

    # --- building ---------------------------------------------------------------------------

    @staticmethod
    def _form_style(form: QFormLayout) -> None:
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)

    def _group(self, title: str, parent: QVBoxLayout) -> QFormLayout:
        box = QGroupBox(title)
        form = QFormLayout(box)
        self._form_style(form)
        parent.addWidget(box)
        return form

    def _box(self, title: str, parent: QVBoxLayout, *widgets: QWidget) -> QGroupBox:
        box = QGroupBox(title)
        column = QVBoxLayout(box)
        for widget in widgets:
            column.addWidget(widget)
        parent.addWidget(box)
        return box

    def _row(self, form: QFormLayout, key: str, text: str, field: QWidget) -> None:
        label = QLabel(text)
        label.setBuddy(field)
        label.setWordWrap(True)
        message = QLabel()
        message.setObjectName(f"{_camel(key)}Message")
        message.setWordWrap(True)
        message.setTextFormat(Qt.TextFormat.PlainText)
        message.hide()
        cell = QWidget()
        column = QVBoxLayout(cell)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(field)
        column.addWidget(message)
        form.addRow(label, cell)
        field.setAccessibleName(COVERAGE_LABELS[key])
        field.setAccessibleDescription(_DESCRIPTIONS[key])
        field.setToolTip(_DESCRIPTIONS[key])
        self.inputs[key] = field
        self.messages[key] = message
        self._chain.append(field)

    def _line(self, form: QFormLayout, key: str, text: str, example: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(f"{_camel(key)}Input")
        edit.setPlaceholderText(example)
        edit.setClearButtonEnabled(True)
        edit.setMaxLength(32)
        edit.textChanged.connect(self.recompute)
        self._row(form, key, text, edit)
        return edit

    def _date(self, form: QFormLayout, key: str, text: str) -> QLineEdit:
        edit = self._line(form, key, text, "YYYY-MM-DD")
        edit.setText(self.today().isoformat())
        return edit

    def _combo(
        self,
        form: QFormLayout,
        key: str,
        text: str,
        choices: tuple[tuple[str, str], ...],
        placeholder: str | None = None,
    ) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(f"{_camel(key)}Combo")
        if placeholder is not None:
            combo.addItem(placeholder)  # no data: to be chosen
        for value, shown in choices:
            combo.addItem(shown, value)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(12)
        combo.currentIndexChanged.connect(self.recompute)
        self._row(form, key, text, combo)
        return combo

    def _check(self, name: str, text: str, accessible: str, description: str) -> QCheckBox:
        box = QCheckBox(text)
        box.setObjectName(name)
        box.setAccessibleName(accessible)
        box.setAccessibleDescription(description)
        box.setToolTip(description)
        box.toggled.connect(self.recompute)
        self._chain.append(box)
        return box

    def reset(self) -> None:
        """A new patient (File → New order): every answer as a fresh tab has it, the request
        dated today; evaluated once, after (not once per answer)."""
        order_view, self.order_view = self.order_view, None  # recompute waits (see recompute)
        try:
            for key, widget in self.inputs.items():
                if isinstance(widget, QComboBox):
                    widget.setCurrentIndex(0)  # the placeholder, or the first choice (initial)
                elif isinstance(widget, QLineEdit):
                    widget.setText(self.today().isoformat() if key == "request_date" else "")
            boxes = [*self.resistant.values(), *self.toxicities.values()]
            for box in [*boxes, self.contraindicated, self.progression]:
                box.setChecked(False)
        finally:
            self.order_view = order_view
        self.recompute()

    # --- reading ----------------------------------------------------------------------------

    @property
    def tab_chain(self) -> list[QWidget]:
        return list(self._chain)

    def coverage_form(self) -> CoverageForm:
        """The answers exactly as they stand."""
        from ixempra_gui.presentation.coverage_view import CoverageForm

        return CoverageForm(
            request=str(self.request.currentData()),
            request_date=self.inputs_text("request_date"),
            diagnosis=self.diagnosis.text(),
            setting=self.setting.currentData(),
            resistant_to=tuple(v for v, box in self.resistant.items() if box.isChecked()),
            anthracycline_contraindicated=self.contraindicated.isChecked(),
            progression_on_ixempra=self.progression.isChecked(),
            response=self.response.currentData(),
            unacceptable_toxicities=tuple(
                c for c, box in self.toxicities.items() if box.isChecked()
            ),
        )

    def inputs_text(self, key: str) -> str:
        edit = self.inputs[key]
        assert isinstance(edit, QLineEdit)
        return edit.text()

    # --- calculating and showing ------------------------------------------------------------

    def show_order(
        self, view: ViewState | None, patient_id: str, prior_units: int | None = None
    ) -> None:
        """The window calculated the order (every edit), or read the patient's verified doses
        (``prior_units`` in the policy's window; None: not known): re-evaluate coverage."""
        self.order_view = view
        self.patient_id = patient_id
        self.prior_units = prior_units
        self.recompute()

    def recompute(self) -> None:
        if self.order_view is None:
            return  # nothing calculated yet: the core is not loaded; the initial text stands
        if self.order_view.result is None:  # the calculation itself failed: check nothing
            self.view = None
            self.verdict.show_verdict(StatusKind.INPUT_NEEDED, INITIAL_VERDICT, FAILED_DETAIL)
            self._set_available(False, f"Not available: {FAILED_DETAIL}")
            return
        from ixempra_gui.presentation.coverage_view import present_coverage

        self.view = present_coverage(
            self.coverage_form(), self.order_view, self.patient_id, self.today(), self.prior_units
        )
        self.render(self.view)

    def render(self, view: CoverageView) -> None:
        self.verdict.show_verdict(_VERDICT_KIND[view.kind.value], view.verdict, view.detail)
        self._show_messages(view.field_messages)
        set_text(self.order_facts, "\n".join(f"{k}: {v}" for k, v in view.order_facts) or DASH)
        set_text(self.findings, "\n".join(f"• {f}" for f in view.findings))
        if self.findings_box.isVisibleTo(self) != bool(view.findings):
            self.findings_box.setVisible(bool(view.findings))
        set_text(self.criteria, _checklist_html(view.criteria) or DASH)
        self.criteria.setAccessibleDescription("\n".join(ln.text for ln in view.criteria))
        set_text(self.exclusions, _checklist_html(view.exclusions) or DASH)
        self.exclusions.setAccessibleDescription("\n".join(ln.text for ln in view.exclusions))
        set_text(self.authorization, f"Authorization: {view.authorization}")
        set_text(self.dosing_limit, f"Dosing limit: {view.dosing_limit}")
        set_text(self.notes, "\n".join(f"Note: {n}" for n in view.notes))
        self.notes.setVisible(bool(view.notes))
        self._set_available(view.pa_enabled, view.pa_tooltip)

    def _show_messages(self, messages: Mapping[str, tuple[FieldMessage, ...]]) -> None:
        for key, label in self.messages.items():
            found = messages.get(key, ())
            text = "\n".join(_PREFIX[m.kind] + m.text for m in found)
            if label.text() != text:
                label.setText(text)
                label.setVisible(bool(text))
            state = next((m.kind.value for m in found if m.kind is MessageKind.ERROR), "")
            field = self.inputs[key]
            mark_field(field, state)
            described = "\n".join([*(m.text for m in found), _DESCRIPTIONS[key]])
            if field.accessibleDescription() != described:
                field.setAccessibleDescription(described)
                field.setToolTip(described)

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

    def _show_renewal(self) -> None:
        """The response and toxicity questions only for a renewal (the core ignores them for an
        initial request, and so does the presenter)."""
        self.renewal_box.setVisible(self.request.currentData() == "renewal")

    def _normalise_diagnosis(self) -> None:
        """A listed code, once typed, is shown in its normal form (c50912 → C50.912)."""
        code = self.view.diagnosis_code if self.view is not None else None
        if code and self.diagnosis.text() != code:
            self.diagnosis.setText(code)

    # --- the prior-authorization summary ----------------------------------------------------

    def summary_html(self) -> str | None:
        """The summary of the order and answers as they stand now, or None (and a message)."""
        from ixempra_gui.presentation.coverage_view import NotAvailableError, prior_auth_summary
        from ixempra_gui.presentation.prior_auth_sheet import prior_auth_html

        if self._refresh is not None:
            self._refresh()  # never print what an earlier edit showed
        else:
            self.recompute()
        view = self.view
        try:
            if view is None:
                raise NotAvailableError(self.print_button.toolTip())
            summary = prior_auth_summary(view)
        except NotAvailableError as why:
            QMessageBox.information(self, APP_NAME, str(why))
            return None
        return prior_auth_html(summary, datetime.now().astimezone())

    def print_summary(self) -> None:
        html = self.summary_html()
        if html is None:
            return
        from ixempra_gui.presentation.prior_auth_sheet import TITLE
        from ixempra_gui.ui.printing import print_html

        if print_html(html, self, title=TITLE, what="prior-authorization summary"):
            self._status("Prior-authorization summary sent to the printer.")

    def default_pdf_name(self) -> str:
        from ixempra_gui.ui.printing import pdf_file_name

        return pdf_file_name("prior-auth", self.patient_id)

    def ask_pdf_path(self) -> Path | None:
        from ixempra_gui.ui.printing import ask_pdf_path

        caption = "Save prior-authorization summary as PDF"
        return ask_pdf_path(self, caption, self.default_pdf_name())

    def save_pdf(self, path: Path | None = None) -> Path | None:
        """Write the summary PDF (asks where unless ``path`` is given); the path, or None."""
        html = self.summary_html()
        if html is None:
            return None
        target = path or self.ask_pdf_path()
        if target is None:
            return None
        from ixempra_gui.presentation.prior_auth_sheet import TITLE
        from ixempra_gui.ui.printing import write_pdf

        try:
            write_pdf(html, target, title=TITLE)
        except OSError as err:
            QMessageBox.warning(
                self, APP_NAME, f"The prior-authorization summary was not saved to {target}:\n{err}"
            )
            return None
        self._status(f"Prior-authorization summary saved: {target}")
        return target

    def _status(self, text: str) -> None:
        window = self.window()
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(text, 8000)


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(part.capitalize() for part in rest)

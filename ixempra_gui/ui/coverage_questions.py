"""The Coverage tab's questions: only what the order does not say (request type and date,
diagnosis, disease setting, prior therapy, progression, and for a renewal the response and the
toxicities), each with its label, accelerator, description and message line.

It reads its answers as a ``CoverageForm`` and shows one the session set (New order); every
answer emits ``changed``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ixempra_gui.presentation.coverage_answers import CoverageForm
from ixempra_gui.presentation.coverage_text import (
    COVERAGE_LABELS,
    REQUEST_CHOICES,
    RESPONSE_CHOICES,
    SETTING_CHOICES,
    THERAPY_CHOICES,
    TOXICITY_CHOICES,
)
from ixempra_gui.presentation.fields import MessageKind
from ixempra_gui.ui.form_rows import mark_field, message_label

if TYPE_CHECKING:
    from ixempra_gui.presentation.order_state import FieldMessage

DESCRIPTIONS = {
    "request": "Initial request, or renewal of an authorization (renewal adds the response and "
    "toxicity questions).",
    "request_date": "The day the authorization would start, year-month-day; today by default.",
    "diagnosis": "ICD-10-CM code from the policy's list (C50.011–C50.929, Z85.3); c50912 is "
    "read as C50.912.",
    "setting": "Disease setting of the breast cancer: the policy covers recurrent or metastatic.",
    "response": "Tumor response on Ixempra since the last authorization (renewal).",
}


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(part.capitalize() for part in rest)


def _form(box: QGroupBox) -> QFormLayout:
    form = QFormLayout(box)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
    form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    return form


class CoverageQuestions(QWidget):
    """The questions, in tab order (``chain``); answers with choices, ticks and text."""

    changed = Signal()

    def __init__(self, today: str) -> None:
        super().__init__()
        self.inputs: dict[str, QWidget] = {}
        self.messages: dict[str, QLabel] = {}
        self.chain: list[QWidget] = []
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(0, 0, 4, 0)
        self._request(today)
        self._history()
        self._renewal()
        self.request.currentIndexChanged.connect(self._show_renewal)
        self._show_renewal()

    # --- building ---------------------------------------------------------------------------

    def _group(self, title: str) -> QFormLayout:
        box = QGroupBox(title)
        self.column.addWidget(box)
        return _form(box)

    def _request(self, today: str) -> None:
        request = self._group("Request")
        self.request = self._combo(request, "request", "Re&quest type", REQUEST_CHOICES)
        self._line(request, "request_date", "Request da&te", "YYYY-MM-DD").setText(today)

    def _history(self) -> None:
        history = self._group("Diagnosis and prior therapy")
        self.diagnosis = self._line(history, "diagnosis", "&ICD-10 diagnosis", "e.g. C50.912")
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

    def _renewal(self) -> None:
        self.renewal_box = QGroupBox("Renewal")
        self.renewal_box.setObjectName("renewalGroup")
        renewal = _form(self.renewal_box)
        self.column.addWidget(self.renewal_box)
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

    def _row(self, form: QFormLayout, key: str, text: str, field: QWidget) -> None:
        label = QLabel(text)
        label.setBuddy(field)
        label.setWordWrap(True)
        message = message_label(f"{_camel(key)}Message")
        cell = QWidget()
        column = QVBoxLayout(cell)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(field)
        column.addWidget(message)
        form.addRow(label, cell)
        field.setAccessibleName(COVERAGE_LABELS[key])
        field.setAccessibleDescription(DESCRIPTIONS[key])
        field.setToolTip(DESCRIPTIONS[key])
        self.inputs[key] = field
        self.messages[key] = message
        self.chain.append(field)

    def _line(self, form: QFormLayout, key: str, text: str, example: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(f"{_camel(key)}Input")
        edit.setPlaceholderText(example)
        edit.setClearButtonEnabled(True)
        edit.setMaxLength(32)
        edit.textChanged.connect(self.changed)
        self._row(form, key, text, edit)
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
        combo.currentIndexChanged.connect(self.changed)
        self._row(form, key, text, combo)
        return combo

    def _check(self, name: str, text: str, accessible: str, description: str) -> QCheckBox:
        box = QCheckBox(text)
        box.setObjectName(name)
        box.setAccessibleName(accessible)
        box.setAccessibleDescription(description)
        box.setToolTip(description)
        box.toggled.connect(self.changed)
        self.chain.append(box)
        return box

    def _show_renewal(self) -> None:
        """The response and toxicity questions only for a renewal (the core ignores them for an
        initial request, and so does the presenter)."""
        self.renewal_box.setVisible(self.request.currentData() == "renewal")

    # --- reading and showing ----------------------------------------------------------------

    def answers(self) -> CoverageForm:
        """The answers exactly as they stand."""
        date = self.inputs["request_date"]
        assert isinstance(date, QLineEdit)
        return CoverageForm(
            request=str(self.request.currentData()),
            request_date=date.text(),
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

    def show_answers(self, answers: CoverageForm) -> None:
        """Show answers the session set (a new order), without emitting ``changed``."""
        blocked = self.blockSignals(True)
        try:
            for combo, value in (
                (self.request, answers.request),
                (self.setting, answers.setting),
                (self.response, answers.response),
            ):
                combo.setCurrentIndex(max(0, combo.findData(value)) if value else 0)
            date = self.inputs["request_date"]
            assert isinstance(date, QLineEdit)
            date.setText(answers.request_date)
            self.diagnosis.setText(answers.diagnosis)
            for value, box in self.resistant.items():
                box.setChecked(value in answers.resistant_to)
            self.contraindicated.setChecked(answers.anthracycline_contraindicated)
            self.progression.setChecked(answers.progression_on_ixempra)
            for code, box in self.toxicities.items():
                box.setChecked(code in answers.unacceptable_toxicities)
        finally:
            self.blockSignals(blocked)
        self._show_renewal()

    def show_messages(self, messages: Mapping[str, tuple[FieldMessage, ...]]) -> None:
        for key, label in self.messages.items():
            found = messages.get(key, ())
            text = "\n".join(m.shown for m in found)
            if label.text() != text:
                label.setText(text)
                label.setVisible(bool(text))
            state = next((m.kind.value for m in found if m.kind is MessageKind.ERROR), "")
            field = self.inputs[key]
            mark_field(field, state)
            described = "\n".join([*(m.text for m in found), DESCRIPTIONS[key]])
            if field.accessibleDescription() != described:
                field.setAccessibleDescription(described)
                field.setToolTip(described)

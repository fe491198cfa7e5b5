"""The live result: banner and dose always in sight, the details below in a scroll area.

It renders a presenter ``ViewState`` and nothing else; setting a label only when its text
changed keeps a keystroke's repaint small (bench/startup.py measures it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ixempra_gui.presentation.order_state import ReasonLine, ViewState
from ixempra_gui.presentation.fields import NOT_VERIFIED
from ixempra_gui.ui.widgets import (
    HepaticGauge,
    StatusBanner,
    VialPicture,
    WrappedLabel,
    set_text,
)

_SEVERITY_WORDS = {"stop": "Stop", "warning": "Warning", "info": "Info"}


def reasons_text(reasons: Sequence[ReasonLine]) -> str:
    """Each reason with its severity and, on the next line, its source. Plain text: a rich-text
    label is laid out as a document on every layout pass, which cost a frame per keystroke."""
    return "\n\n".join(
        f"{_SEVERITY_WORDS.get(r.severity, r.severity)}: {r.message}\n    Source: {r.source}"
        for r in reasons
    )


def _value_label(name: str, accessible: str, description: str = "") -> QLabel:
    label = WrappedLabel("—")
    label.setObjectName(name)
    label.setAccessibleName(accessible)
    label.setAccessibleDescription(description or accessible)
    label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    return label


def _fixed_line(label: QLabel, widest: str) -> None:
    """One line whose size never follows its text: a new figure repaints only the label, not
    the whole window (a word-wrapped label re-lays out everything up to the splitter)."""
    label.setWordWrap(False)
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
    label.setMinimumWidth(label.fontMetrics().horizontalAdvance(widest) + 4)


class ResultPanel(QWidget):
    """Status, dose, buttons; then vials, preparation, billing, liver gauge, rules, reasons."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resultPanel")
        self.banner = StatusBanner()
        figures = self._build_figures()
        buttons = self._build_buttons()
        scroll = self._build_details()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 0, 0, 0)
        layout.addWidget(self.banner)
        layout.addLayout(figures)
        layout.addLayout(buttons)
        layout.addWidget(self.record_label)
        layout.addWidget(scroll, 1)

    def _build_figures(self) -> QGridLayout:
        """Dose, level and BSA, always in sight, each on one line of fixed size."""
        self.dose = _value_label("doseValue", "Dose", "The dose to prepare, or — when none")
        big = QFont(self.dose.font())
        big.setBold(True)
        big.setPointSizeF(big.pointSizeF() * 2.0)
        self.dose.setFont(big)
        self.level = _value_label("levelValue", "Dose level")
        self.bsa = _value_label("bsaValue", "Body surface area")
        _fixed_line(self.dose, "888.8 mg")
        _fixed_line(self.level, "25.6 mg/m²")
        _fixed_line(self.bsa, "2.41 m² → capped at 2.2 m²")
        self.bsa_detail = _value_label("bsaDetail", "Body surface area details")
        self.dose_note = _value_label("doseNote", "Dose rounding")
        self.dose_note.hide()
        figures = QGridLayout()
        figures.setHorizontalSpacing(12)
        figures.setVerticalSpacing(2)
        for row, (caption, widget) in enumerate(
            (("Dose", self.dose), ("Level", self.level), ("BSA", self.bsa))
        ):
            words = QLabel(caption)
            words.setBuddy(widget)
            figures.addWidget(words, row, 0, Qt.AlignmentFlag.AlignLeft)
            figures.addWidget(widget, row, 1)
        figures.addWidget(self.dose_note, 3, 1)
        figures.setColumnStretch(1, 1)
        return figures

    def _build_buttons(self) -> QHBoxLayout:
        """Print, Save as PDF and Verify, and the record line of the signed check."""
        self.print_button = QPushButton("Print worksheet…")
        self.print_button.setObjectName("printButton")
        self.print_button.setAccessibleName("Print worksheet")
        self.pdf_button = QPushButton("Save as P&DF…")
        self.pdf_button.setObjectName("savePdfButton")
        self.pdf_button.setAccessibleName("Save worksheet as PDF")
        self.verify_button = QPushButton("Verify…")
        self.verify_button.setObjectName("verifyButton")
        self.verify_button.setAccessibleName("Verify: independent double check")
        self.record_label = _value_label(
            "recordIdLabel",
            "Journal record",
            "The journal record of this dose's double check, or that it is not yet verified",
        )
        self.record_label.setText(NOT_VERIFIED)
        buttons = QHBoxLayout()
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.pdf_button)
        buttons.addWidget(self.verify_button)
        buttons.addStretch(1)
        return buttons

    def _build_details(self) -> QScrollArea:
        """The details, section by section, in a scroll area."""
        self.vials = _value_label("vialsValue", "Vials")
        self.vial_picture = VialPicture()
        self.preparation = _value_label("preparationValue", "Preparation")
        self.billing = _value_label("billingValue", "Billing lines")
        self.gauge = HepaticGauge()
        self.gate = _value_label("gateValue", "Start-of-cycle criteria")
        self.level_rules = _value_label("levelRulesValue", "Dose level rules")
        self.inputs_echo = _value_label("inputsEchoValue", "Inputs as understood")
        self.reasons = _value_label("reasonsValue", "Reasons and sources")
        details = QWidget()
        self.sections = QVBoxLayout(details)
        self.sections.setContentsMargins(0, 0, 4, 0)
        self.add_section("Vials", self.vials, self.vial_picture)
        self.add_section("Preparation", self.preparation)
        self.add_section("Billing", self.billing)
        self.add_section("Liver tests (×ULN)", self.gauge)
        self.add_section("Start of cycle", self.gate)
        self.add_section(
            "BSA and dose level: every rule considered", self.bsa_detail, self.level_rules
        )
        self.add_section("Inputs as understood", self.inputs_echo)
        self.add_section("Reasons and sources", self.reasons)
        self.sections.addStretch(1)
        scroll = QScrollArea()
        scroll.setObjectName("resultScroll")
        scroll.setWidget(details)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        return scroll

    def add_section(self, title: str, *widgets: QWidget, index: int | None = None) -> QGroupBox:
        """A titled panel in the details (coverage and history panels join here); at the end,
        or at ``index`` among the sections."""
        box = QGroupBox(title)
        column = QVBoxLayout(box)
        for widget in widgets:
            column.addWidget(widget)
        last = self.sections.count()
        item = self.sections.itemAt(last - 1) if last else None
        if item is not None and item.spacerItem() is not None:
            last -= 1  # before the final stretch
        index = last if index is None else max(0, min(index, last))
        self.sections.insertWidget(index, box)
        return box

    def show_view(self, view: ViewState) -> None:
        self.banner.show_status(view.kind, view.banner_text, view.banner_detail)
        set_text(self.dose, view.dose_value)
        set_text(self.level, view.level_value)
        set_text(self.dose_note, view.dose_note)
        if self.dose_note.isVisibleTo(self) != bool(view.dose_note):
            self.dose_note.setVisible(bool(view.dose_note))
        set_text(self.gate, "\n".join(view.gate_lines) or "—")
        set_text(self.bsa, view.bsa_value)
        set_text(self.bsa_detail, view.bsa_detail or "—")
        set_text(self.vials, view.vials_value)
        self.vial_picture.set_fills(view.vial_fill)
        if self.vial_picture.isVisibleTo(self) != bool(view.vial_fill):
            self.vial_picture.setVisible(bool(view.vial_fill))
        set_text(self.preparation, "\n".join(view.preparation_lines) or "—")
        set_text(self.billing, view.billing_value)
        self.gauge.set_bars(view.gauge, view.gauge_thresholds, view.gauge_description)
        set_text(self.level_rules, "\n".join(view.level_rules) or "—")
        set_text(self.inputs_echo, "\n".join(f"{k}: {v}" for k, v in view.inputs_echo) or "—")
        set_text(self.reasons, reasons_text(view.reasons) or "—")

"""The live result: banner and dose always in sight, the details below in a scroll area.

The top holds what the preparer acts on (dose, level and why it is not the starting level,
withdraw, vials, bag, concentration, rate) and every stop and warning; only info-level rules,
sources and the echo of the inputs fold away; a section with nothing to say is hidden.

It renders a presenter ``ViewState`` and nothing else; setting a label only when its text
changed keeps a keystroke's repaint small (bench/startup.py measures it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFrame,
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
from ixempra_gui.ui.fold_section import FoldSection
from ixempra_gui.ui.top_figures import TopFigures
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


#: What the preparer acts on, beside the dose: (caption, object name, widest expected text).
_ACTS_ON = (
    ("Withdraw", "withdrawValue", "888.8 mL"),
    ("Vials", "topVialsValue", "8 × 45 mg + 8 × 15 mg"),
    ("Bag", "bagValue", "500 mL Sodium chloride 0.9%"),
    ("Concentration", "concentrationValue", "0.88 mg/mL"),
    ("Rate", "rateValue", "888.8 mL/h over 3 h"),
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
    """Status; dose and what the preparer acts on; buttons; then the details: the level's why
    and the alerts, vials, preparation, billing, liver gauge, start of cycle, and the folds."""

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

    def _build_figures(self) -> QVBoxLayout:
        """Dose, level and BSA, and withdraw, vials, bag, concentration and rate beside them
        (under them when narrow): always in sight, each on one line of fixed size."""
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
        self.level_why = _value_label("levelWhy", "Why this level", "Why the level is reduced")
        self.level_why.hide()
        self.alerts = _value_label("alertsValue", "Stops and warnings")
        self.alerts.hide()
        self.acts_on: dict[str, QLabel] = {}
        for caption, name, widest in _ACTS_ON:
            value = _value_label(name, caption)
            _fixed_line(value, widest)
            self.acts_on[caption] = value
        self.top = TopFigures(
            [("Dose", self.dose), ("Level", self.level), ("BSA", self.bsa)],
            list(self.acts_on.items()),
        )
        figures = QVBoxLayout()
        figures.setSpacing(2)
        for widget in (self.top, self.dose_note):
            figures.addWidget(widget)
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
        """The details, section by section, in a scroll area; info-level rules, sources and the
        echo fold away (closed at start)."""
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
        # First in the details, never folded: why the level is reduced, then every stop and
        # warning. Inside the scroll area, so showing them never changes the window's size.
        self.sections.addWidget(self.level_why)
        self.sections.addWidget(self.alerts)
        self._leading = self.sections.count()  # sections are placed after these
        # The dose's own sections, shown and hidden together (one relayout, not three).
        self.dose_sections = QWidget()
        self.dose_sections.setObjectName("doseSections")
        dose_column = QVBoxLayout(self.dose_sections)
        dose_column.setContentsMargins(0, 0, 0, 0)
        for title, *widgets in (
            ("Vials", self.vials, self.vial_picture),
            ("Preparation", self.preparation),
            ("Billing", self.billing),
        ):
            dose_column.addWidget(_box(title, *widgets))
        self.sections.addWidget(self.dose_sections)
        self.boxes = {
            "gauge": self.add_section("Liver tests (×ULN)", self.gauge),
            "gate": self.add_section("Start of cycle", self.gate),
        }
        self.folds = {
            "rules": FoldSection(
                "BSA and dose level: every rule considered",
                "levelRules",
                self.bsa_detail,
                self.level_rules,
            ),
            "echo": FoldSection("Inputs as understood", "inputsEcho", self.inputs_echo),
            "reasons": FoldSection("Reasons and sources", "reasons", self.reasons),
        }
        for fold in self.folds.values():
            self.sections.addWidget(fold)
        self.sections.addStretch(1)
        scroll = QScrollArea()
        scroll.setObjectName("resultScroll")
        scroll.setWidget(details)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Always there: the details keep their width when they grow past the view, so a
        # keystroke never re-wraps every section (bench/startup.py).
        scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        return scroll

    def add_section(self, title: str, *widgets: QWidget, index: int | None = None) -> QGroupBox:
        """A titled panel in the details (coverage and history panels join here); at the end,
        or at ``index`` among the sections (after the level's why and the alerts)."""
        box = _box(title, *widgets)
        last = self.sections.count()
        item = self.sections.itemAt(last - 1) if last else None
        if item is not None and item.spacerItem() is not None:
            last -= 1  # before the final stretch
        index = last if index is None else max(self._leading, min(index + self._leading, last))
        self.sections.insertWidget(index, box)
        return box

    def show_view(self, view: ViewState) -> None:
        self.banner.show_status(view.kind, view.banner_text, view.banner_detail)
        set_text(self.dose, view.dose_value)
        set_text(self.level, view.level_value)
        acts_on = dict(view.acts_on)
        for caption, label in self.acts_on.items():
            set_text(label, acts_on.get(caption, "—"))
        _shown_if(self.dose_note, view.dose_note)
        _shown_if(self.level_why, view.level_why)
        _shown_if(self.alerts, "\n".join(view.alerts))
        set_text(self.gate, "\n".join(view.gate_lines) or "—")
        set_text(self.bsa, view.bsa_value)
        set_text(self.bsa_detail, view.bsa_detail or "—")
        set_text(self.vials, view.vials_value)
        self.vial_picture.set_fills(view.vial_fill)
        if self.vial_picture.isHidden() == bool(view.vial_fill):
            self.vial_picture.setVisible(bool(view.vial_fill))
        set_text(self.preparation, "\n".join(view.preparation_lines) or "—")
        set_text(self.billing, view.billing_value)
        self.gauge.set_bars(view.gauge, view.gauge_thresholds, view.gauge_description)
        set_text(self.level_rules, "\n".join(view.level_rules) or "—")
        set_text(self.inputs_echo, "\n".join(f"{k}: {v}" for k, v in view.inputs_echo) or "—")
        set_text(self.reasons, reasons_text(view.reasons) or "—")
        self._hide_empty(view)

    def _hide_empty(self, view: ViewState) -> None:
        """A section with nothing to say is hidden (the dose's sections while there is none)."""
        if self.dose_sections.isHidden() == view.ready:
            self.dose_sections.setVisible(view.ready)
        shown = {
            "gauge": bool(view.gauge),
            "gate": bool(view.gate_lines),
        }
        for key, box in self.boxes.items():
            if box.isHidden() == shown[key]:
                box.setVisible(shown[key])
        filled = {
            "rules": bool(view.level_rules or view.bsa_detail),
            "echo": bool(view.inputs_echo),
            "reasons": bool(view.reasons),
        }
        for key, fold in self.folds.items():
            if fold.isHidden() == filled[key]:
                fold.setVisible(filled[key])


def _box(title: str, *widgets: QWidget) -> QGroupBox:
    box = QGroupBox(title)
    column = QVBoxLayout(box)
    for widget in widgets:
        column.addWidget(widget)
    return box


def _shown_if(label: QLabel, text: str) -> None:
    """The text, and the label only while it has one (no blank line where nothing is said)."""
    set_text(label, text)
    if label.isHidden() == bool(text):
        label.setVisible(bool(text))

"""Placeholder main window: a minimal order form that already shows the calculator's summary.

The full window (a later issue) replaces this. Until then the form is useful on its own: every
edit builds an ``Order`` from the raw text and shows ``text_summary`` of ``calculate(order)``.
No dose rule lives here; the window only collects text and renders a result.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPlainTextEdit,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ixempra_gui import APP_NAME
from ixempra_gui.core.calculator import calculate
from ixempra_gui.core.models import DoseResult, Order, Regimen
from ixempra_gui.core.report import STATUS_WORDS, text_summary
from ixempra_gui.core.units import QUANTITY_FIELDS

#: Defaults a pharmacist usually keeps; every other field starts empty on purpose.
ULN_DEFAULTS = {"ast_uln": "40 U/L", "alt_uln": "40 U/L", "bilirubin_uln": "1.2 mg/dL"}

#: Example text shown in empty fields (placeholder only, never a value).
_EXAMPLES = {
    "height": "e.g. 170 cm",
    "weight": "e.g. 70 kg",
    "ast": "e.g. 30 U/L",
    "alt": "e.g. 25 U/L",
    "bilirubin": "e.g. 0.8 mg/dL",
}

#: Form order: the order the pharmacist reads them off the chart.
_FORM_ORDER = (
    "height",
    "weight",
    "regimen",
    "ast",
    "ast_uln",
    "alt",
    "alt_uln",
    "bilirubin",
    "bilirubin_uln",
)

# Short, distinct first words: a narrow (200 %-scaled) form must not cut the telling part off.
_REGIMEN_CHOICES = (
    (Regimen.MONOTHERAPY, "Monotherapy"),
    (Regimen.CAPECITABINE, "With capecitabine"),
)

_INTRO = (
    "<b>Preview form.</b> The full order form (BSA formula, CYP3A4 inhibitor, Gilbert's "
    "syndrome, worksheet and journal) arrives in a later version. Type values with their unit; "
    "the summary on the right is recalculated on every edit."
)


_INVALID_STYLE = "QLineEdit { border: 2px solid #b71c1c; border-radius: 2px; padding: 1px; }"


class MainWindow(QMainWindow):
    """Collects the order as text and shows the calculator's summary of it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(APP_NAME)
        self.setObjectName("mainWindow")
        self.fields: dict[str, QLineEdit] = {}
        self._accepted: dict[str, str] = {}  # what each field accepts, for tooltips
        self.last_result: DoseResult | None = None

        specs = {spec.key: spec for spec in QUANTITY_FIELDS}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        # Labels wrap themselves; wrapping rows would put some fields under their label.
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        for key in _FORM_ORDER:
            if key == "regimen":
                self.regimen = self._make_regimen()
                form.addRow(self._buddy_label("Regimen", self.regimen), self.regimen)
                continue
            spec = specs[key]
            edit = QLineEdit(ULN_DEFAULTS.get(key, ""))
            edit.setObjectName(f"{key}Edit")
            edit.setPlaceholderText(_EXAMPLES.get(key, ""))
            edit.setAccessibleName(spec.label)
            self._accepted[key] = f"Accepted: {spec.accepted}"
            edit.setAccessibleDescription(self._accepted[key])
            edit.setToolTip(self._accepted[key])
            edit.setClearButtonEnabled(True)
            edit.textChanged.connect(self.recalculate)
            self.fields[key] = edit
            form.addRow(self._buddy_label(spec.label, edit), edit)

        inputs_box = QGroupBox("Order")
        inputs_box.setLayout(form)

        intro = QLabel(_INTRO)
        intro.setObjectName("introLabel")
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.RichText)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(intro)
        left_layout.addWidget(inputs_box)
        left_layout.addStretch(1)
        # At 1366x768 with 200 % scaling only ~380 logical pixels are left: scroll, never clip.
        scroll = QScrollArea()
        scroll.setObjectName("formScroll")
        scroll.setWidget(left)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setMinimumWidth(300)

        self.status_label = QLabel()
        self.status_label.setObjectName("statusLabel")
        self.status_label.setAccessibleName("Dose status")
        status_font = QFont(self.status_label.font())
        status_font.setBold(True)
        status_font.setPointSizeF(status_font.pointSizeF() * 1.3)
        self.status_label.setFont(status_font)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.result_view = QPlainTextEdit()
        self.result_view.setObjectName("resultView")
        self.result_view.setReadOnly(True)
        self.result_view.setAccessibleName("Dose calculation result")
        self.result_view.setAccessibleDescription(
            "Recalculated on every edit: status, inputs, BSA, dose, vials, volume, billing, "
            "and the reason for each figure."
        )
        self.result_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.result_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(self.status_label)
        right_layout.addWidget(self.result_view, 1)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setObjectName("mainSplitter")
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(scroll)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        self.setCentralWidget(splitter)

        self._fit_to_screen(splitter)
        self.recalculate()

    def _fit_to_screen(self, splitter: QSplitter) -> None:
        """Start at a size that fits the screen with room for title bar and panels.

        A fixed 1280x720 does not fit a 1366x768 laptop once the desktop's panel and the title
        bar are counted, and is twice the screen at 200 % scaling (683x384 logical pixels).
        """
        screen = self.screen()
        if screen is None:
            self.resize(1200, 700)
            return
        available = screen.availableGeometry()
        width = min(1200, int(available.width() * 0.92))
        height = min(720, int(available.height() * 0.88))
        self.resize(width, height)
        self.move(available.center() - self.rect().center())
        splitter.setSizes([int(width * 0.36), width - int(width * 0.36)])

    def _make_regimen(self) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName("regimenCombo")
        # No preselected regimen: the two regimens use different hepatic tables, so the
        # pharmacist must choose one; an unchosen regimen is reported by the calculator.
        combo.addItem("Choose…")
        for regimen, text in _REGIMEN_CHOICES:
            combo.addItem(text, regimen.value)
        # The combo must not widen the form past a 200 %-scaled 1366x768 screen (683 px).
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(12)
        combo.setAccessibleName("Regimen")
        combo.setAccessibleDescription("Ixempra alone (monotherapy) or with capecitabine")
        combo.currentIndexChanged.connect(self.recalculate)
        return combo

    @staticmethod
    def _buddy_label(text: str, buddy: QWidget) -> QLabel:
        label = QLabel(text)
        label.setBuddy(buddy)  # a screen reader reads the label with the field it names
        label.setWordWrap(True)
        return label

    def order(self) -> Order:
        """The order exactly as typed; the calculator decides what it means."""
        texts = {key: edit.text() for key, edit in self.fields.items()}
        return Order(regimen=self.regimen.currentData(), **texts)

    def recalculate(self) -> None:
        """Show the calculator's result for the current text (called on every edit)."""
        try:
            result = calculate(self.order())
        except Exception:
            # A bug, not bad input (calculate never raises on input): never leave the previous
            # dose on screen; the crash handler reports the traceback.
            self.last_result = None
            self.status_label.setText("NO DOSE: INTERNAL ERROR")
            self.status_label.setStyleSheet("color: #b71c1c;")
            self.result_view.setPlainText("The calculation failed. No dose is shown.")
            raise
        self.last_result = result
        self._mark_fields(result)
        self.status_label.setText(STATUS_WORDS[result.status])
        # Colour only repeats what the words say (ready or not); it never carries meaning alone.
        colour = "#1b5e20" if result.ready_to_prepare else "#b71c1c"
        self.status_label.setStyleSheet(f"color: {colour};")
        self.result_view.setPlainText(text_summary(result))

    def _mark_fields(self, result: DoseResult) -> None:
        """Put each field's own message on that field, so the wrong one is found at a glance.

        Empty fields are not marked: they are simply not filled in yet.
        """
        messages: dict[str, list[str]] = {}
        for issue in result.issues:
            messages.setdefault(issue.field, []).append(issue.message)
        for key, edit in self.fields.items():
            problems = messages.get(key, []) if edit.text().strip() else []
            if bool(edit.property("invalid")) != bool(problems):  # restyle only on a change
                edit.setProperty("invalid", bool(problems))
                edit.setStyleSheet(_INVALID_STYLE if problems else "")
            # Screen readers read the description: the problem first, then what is accepted.
            described = "\n".join([*problems, self._accepted[key]])
            edit.setToolTip(described)
            edit.setAccessibleDescription(described)

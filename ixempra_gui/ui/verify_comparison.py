"""What Compare shows in the double check: the verdict, what was compared, the two entries
side by side, one table row per difference (``differencesList``: field, first entry, second
entry, what to do; a difference in value marked in words and bold, not only by colour), the
history warnings to acknowledge, the comment that explains a difference, and what still
prevents signing. Hidden until Compare.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QGroupBox,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from ixempra_gui.presentation.verify_check import Compared


def note(name: str, accessible: str) -> QLabel:
    """A hidden, selectable plain-text line of the dialog."""
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setAccessibleName(accessible)
    label.hide()
    return label


class ComparisonBox(QGroupBox):
    """The comparison; ``changed`` is called when the tick or the comment changes."""

    def __init__(self, changed: Callable[[], object]) -> None:
        super().__init__("Comparison")
        self.setObjectName("comparisonBox")
        self.summary = note("comparisonSummary", "Comparison result")
        bold = QFont(self.summary.font())
        bold.setBold(True)
        self.summary.setFont(bold)
        self.compared = note("comparedFields", "What was compared")
        self.differences = differences_table()
        self.history_warnings = note("verifyHistoryWarnings", "History warnings")
        self.history_warnings.setFont(bold)
        self.acknowledge_history = QCheckBox(
            "I have checked the &history warnings above (they are recorded)"
        )
        self.acknowledge_history.setObjectName("acknowledgeHistoryCheck")
        self.acknowledge_history.setAccessibleName("History warnings checked")
        self.acknowledge_history.setAccessibleDescription(
            "Required before signing when the patient's history raised warnings."
        )
        self.acknowledge_history.toggled.connect(changed)
        comment_label = QLabel(
            "C&omment: why each difference is acceptable (required when the entries differ)"
        )
        comment_label.setWordWrap(True)
        self.comment = self._comment()
        self.comment.textChanged.connect(changed)
        comment_label.setBuddy(self.comment)
        self.sign_problems = note("signProblems", "What still prevents signing")
        column = QVBoxLayout(self)
        for widget in (
            self.summary,
            self.compared,
            self.differences,
            self.history_warnings,
            self.acknowledge_history,
            comment_label,
            self.comment,
            self.sign_problems,
        ):
            column.addWidget(widget)
        self.hide()

    @staticmethod
    def _comment() -> QPlainTextEdit:
        comment = QPlainTextEdit()
        comment.setObjectName("differenceCommentInput")
        comment.setAccessibleName("Comment explaining the differences")
        comment.setAccessibleDescription(
            "Required when the two entries differ in value; recorded with the check."
        )
        comment.setTabChangesFocus(True)
        comment.setPlaceholderText("e.g. patient re-weighed today; the first entry is current")
        line = comment.fontMetrics().lineSpacing()
        comment.setFixedHeight(line * 3 + 12)
        return comment

    def show_comparison(self, compared: Compared) -> None:
        self.summary.setText(compared.summary)
        self.summary.show()
        self.compared.setText(compared.compared)
        self.compared.show()
        fill_differences(self.differences, compared)
        self.show_history(compared.history_lines)
        self.show()

    def show_history(self, lines: tuple[str, ...]) -> None:
        """The history warnings (again, when they changed since Compare): to tick again."""
        text = "\n".join(f"Warning: {line}" for line in lines)
        self.history_warnings.setText(text)
        self.history_warnings.setVisible(bool(text))
        self.acknowledge_history.setChecked(False)
        self.acknowledge_history.setVisible(bool(text))

    def show_problems(self, problems: list[str]) -> None:
        text = "\n".join(f"• {p}" for p in problems)
        self.sign_problems.setText(("To sign: \n" + text) if text else "")
        self.sign_problems.setVisible(bool(text))


#: The table's columns: the mark, then the two entries side by side.
COLUMNS = ("", "Field", "First entry", "Second entry", "What to do")


def differences_table() -> QTableWidget:
    table = QTableWidget(0, len(COLUMNS))
    table.setObjectName("differencesList")
    table.setAccessibleName("Differences between the two entries")
    table.setHorizontalHeaderLabels(COLUMNS)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setWordWrap(True)
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
    table.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    return table


def fill_differences(table: QTableWidget, compared: Compared) -> None:
    """One row per difference (none: one row saying so)."""
    table.setRowCount(0)
    bold = QFont(table.font())
    bold.setBold(True)
    for row in compared.rows:
        cells = (row.mark, row.field, row.first, row.second, row.action)
        at = table.rowCount()
        table.insertRow(at)
        for column, text in enumerate(cells):
            item = QTableWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, row.material)
            if row.material:
                item.setFont(bold)
            table.setItem(at, column, item)
    if not compared.rows:
        table.insertRow(0)
        table.setItem(0, 1, QTableWidgetItem("No difference: every input and result is the same."))
        table.setSpan(0, 1, 1, len(COLUMNS) - 1)
    else:
        table.clearSpans()
    table.setAccessibleDescription(compared.description)
    table.resizeRowsToContents()
    header = table.horizontalHeader().height()
    shown = min(8, max(1, table.rowCount()))
    height = sum(table.rowHeight(r) for r in range(shown)) if table.rowCount() else 0
    table.setMinimumHeight(header + height + 2 * table.frameWidth() + 2)

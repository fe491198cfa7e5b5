"""How the main window is laid out: the order form (scrolling) and the Coverage tab on the
left, the result on the right, under a cover that hides both while a double check is open.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QWidget,
)

COVERAGE_TAB_TIP = "Payer policy criteria and the prior-authorization summary"
COVER_TEXT = (
    "Independent double check in progress.\nThe first entry is hidden while the second "
    "pharmacist re-enters the order; the double-check window lists the differences."
)


class WindowLayout:
    """The window's containers around the form and the result panel."""

    def __init__(self, form: QWidget, result_panel: QWidget) -> None:
        # At 1366x768 with 200 % scaling only ~683x384 logical pixels are left: scroll, never clip.
        self.form_scroll = QScrollArea()
        self.form_scroll.setObjectName("formScroll")
        self.form_scroll.setWidget(form)
        self.form_scroll.setWidgetResizable(True)
        self.form_scroll.setFrameShape(QFrame.Shape.NoFrame)
        # The form never narrower than its fields: labels wrap, fields are never cut off.
        scrollbar = self.form_scroll.verticalScrollBar().sizeHint().width()
        self.form_scroll.setMinimumWidth(form.minimumSizeHint().width() + scrollbar + 2)

        # The Coverage tab shares the left side with the order: the dose stays in sight.
        self.tabs = QTabWidget()
        self.tabs.setObjectName("orderTabs")
        self.tabs.setAccessibleName("Order and coverage")
        self.tabs.addTab(self.form_scroll, "Order")
        self.tabs.addTab(QWidget(), "Coverage")  # the panel replaces it (see coverage)
        self.tabs.setTabToolTip(0, "The order: dose inputs (Ctrl+Tab: next tab)")
        self.tabs.setTabToolTip(1, COVERAGE_TAB_TIP)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.tabs)
        self.splitter.addWidget(result_panel)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)

        # While the double check is open the first entry is covered: the second pharmacist
        # must not see it (issue 6).
        self.cover = QLabel(COVER_TEXT)
        self.cover.setObjectName("verifyCover")
        self.cover.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.cover.setWordWrap(True)
        self.central = QStackedWidget()
        self.central.setObjectName("centralStack")
        self.central.addWidget(self.splitter)
        self.central.addWidget(self.cover)

"""The pharmacist's workstation window: the order form on the left, the live result on the right.

Every edit builds a ``FormInput``, the presenter turns it into a ``ViewState`` through the core,
and the window renders it. No dose rule lives here. The worksheet is built from a fresh
calculation of the form at the moment of printing, never from what an earlier edit showed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QSettings, Qt, QTimer, qVersion
from PySide6.QtGui import QCloseEvent, QPaintEvent
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QMainWindow,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QWidget,
)

from ixempra_gui import APP_NAME, __version__
from ixempra_gui.presentation.preferences import Preferences

if TYPE_CHECKING:  # the presenter (and through it the core) loads after the first paint
    from ixempra_gui.presentation.order_view import FormInput, ViewState
from ixempra_gui.presentation.fields import BANNER_TEXT, INITIAL_DETAIL, StatusKind, print_tooltip
from ixempra_gui.ui.order_form import OrderForm
from ixempra_gui.ui.result_panel import ResultPanel
from ixempra_gui.ui.verification import Verification

if TYPE_CHECKING:
    from datetime import date
    from pathlib import Path

    from PySide6.QtGui import QAction

    from ixempra_gui.presentation.session import Question
    from ixempra_gui.ui.coverage_panel import CoveragePanel

COVERAGE_TAB_TIP = "Payer policy criteria and the prior-authorization summary"


def _today() -> date:
    """Today's date (datetime is imported on first use, after the first frame)."""
    from datetime import date

    return date.today()


class MainWindow(QMainWindow):
    """Order form, live result, worksheet printing."""

    def __init__(
        self,
        prefs: Preferences | None = None,
        settings: QSettings | None = None,
        parent: QWidget | None = None,
        defer_coverage: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle(APP_NAME)
        self.prefs = prefs or Preferences()
        self.settings = settings
        self.view: ViewState | None = None  # None: nothing calculated yet
        self.form_snapshot: FormInput | None = None
        self._hints_loaded = False
        #: The values the acknowledgement tick was given for (None: not ticked).
        self._checked_values: frozenset[str] | None = None
        self.clearing = False  # New order is clearing the inputs (see new_order)
        #: The last order whose worksheet was printed or saved as PDF, with its preferences.
        self._output: tuple[FormInput, Preferences] | None = None
        self.today = _today  # replaced by tests that need a fixed day

        self.form = OrderForm(self.prefs, event_filters=not defer_coverage)
        self.result_panel = ResultPanel()

        # At 1366x768 with 200 % scaling only ~683x384 logical pixels are left: scroll, never clip.
        form_scroll = QScrollArea()
        form_scroll.setObjectName("formScroll")
        form_scroll.setWidget(self.form)
        form_scroll.setWidgetResizable(True)
        form_scroll.setFrameShape(QFrame.Shape.NoFrame)
        # The form never narrower than its fields: labels wrap, fields are never cut off.
        scrollbar = form_scroll.verticalScrollBar().sizeHint().width()
        form_scroll.setMinimumWidth(self.form.minimumSizeHint().width() + scrollbar + 2)
        self.form_scroll = form_scroll

        # The Coverage tab shares the left side with the order: the dose stays in sight.
        self._coverage: CoveragePanel | None = None
        self.tabs = QTabWidget()
        self.tabs.setObjectName("orderTabs")
        self.tabs.setAccessibleName("Order and coverage")
        self.tabs.addTab(form_scroll, "Order")
        self.tabs.addTab(QWidget(), "Coverage")  # the panel replaces it (see coverage)
        self.tabs.setTabToolTip(0, "The order: dose inputs (Ctrl+Tab: next tab)")
        self.tabs.setTabToolTip(1, COVERAGE_TAB_TIP)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.tabs)
        self.splitter.addWidget(self.result_panel)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.setCentralWidget(self.splitter)

        self.file_menu = self.menuBar().addMenu("&File")
        self.help_menu = self.menuBar().addMenu("&Help")
        self.new_action: QAction | None = None  # the actions: see _install_actions
        self.print_action: QAction | None = None
        self.pdf_action: QAction | None = None
        self._printing = (False, print_tooltip(StatusKind.INPUT_NEEDED))
        self.verification = Verification(self)  # Verify, History, record id
        if not defer_coverage:
            self._install_actions()
            self._install_coverage()
        self.tabs.currentChanged.connect(lambda index: index == 1 and self.coverage)
        self.form.changed.connect(self.recalculate)
        self._render_initial()
        self._fit_to_screen()
        self._painted = False
        # What the first frame does not show waits for it (see after_first_frame).
        self._after_first_frame: list[Callable[[], object]] = (
            [
                self._install_actions,
                self.form.install_event_filters,
                self.recalculate,
                self._install_coverage,
            ]
            if defer_coverage
            else [self.recalculate]
        )

    # --- building ---------------------------------------------------------------------------

    def _install_actions(self) -> None:
        """The menus' actions and their shortcuts (Verify's too), once.

        ``app.main`` adds them just after the first frame: QAction, QKeySequence and QIcon
        (QAction's constructor needs it) cost about 2 ms the window does not need to show.
        Until then the buttons that trigger them are disabled, as nothing is ready to print.
        """
        if self.print_action is not None:
            return
        from PySide6.QtGui import QAction, QKeySequence

        self._native_text = QKeySequence.SequenceFormat.NativeText  # for the tooltips
        self.new_action = QAction("&New order", self)
        self.new_action.setObjectName("newOrderAction")
        self.new_action.setShortcut(QKeySequence.StandardKey.New)  # Ctrl+N
        self.new_action.setToolTip(
            "Clear every entry of this patient on both tabs (site preferences are kept)"
        )
        self.new_action.triggered.connect(lambda: self.new_order())
        self.print_action = QAction("&Print worksheet…", self)
        self.print_action.setObjectName("printAction")
        self.print_action.setShortcut(QKeySequence.StandardKey.Print)  # Ctrl+P
        self.print_action.triggered.connect(self.print_worksheet)
        self.pdf_action = QAction("Save worksheet as P&DF…", self)
        self.pdf_action.setObjectName("savePdfAction")
        self.pdf_action.setShortcut(QKeySequence("Ctrl+Shift+S"))
        self.pdf_action.triggered.connect(lambda: self.save_pdf())
        prefs_action = QAction("P&references…", self)
        prefs_action.setObjectName("preferencesAction")
        prefs_action.setShortcut(QKeySequence("Ctrl+,"))
        prefs_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        prefs_action.triggered.connect(self.edit_preferences)
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        quit_action.triggered.connect(self.close)
        about_action = QAction("&About", self)
        about_action.triggered.connect(self.about)

        file_menu = self.file_menu
        file_menu.addAction(self.new_action)
        file_menu.addSeparator()
        file_menu.addAction(self.print_action)
        file_menu.addAction(self.pdf_action)
        self._coverage_anchor = file_menu.addSeparator()  # the coverage actions go before it
        file_menu.addAction(prefs_action)
        file_menu.addSeparator()
        file_menu.addAction(quit_action)
        self.help_menu.addAction(about_action)
        self.result_panel.print_button.clicked.connect(self.print_action.trigger)
        self.result_panel.pdf_button.clicked.connect(self.pdf_action.trigger)
        self.verification.install_action(file_menu)
        self._set_printing(*self._printing)

    @property
    def coverage(self) -> CoveragePanel:
        """The Coverage tab's panel, built on first use."""
        if self._coverage is None:
            self._install_coverage()
        assert self._coverage is not None
        return self._coverage

    def _install_coverage(self) -> None:
        """Build the Coverage panel in place of its placeholder tab.

        ``app.main`` builds it just after the first frame (about 11 ms saved before the window
        shows); ``create_main_window()`` builds it at once, so every widget exists on return.
        """
        if self._coverage is not None:
            return
        self._install_actions()  # the coverage actions go beside the worksheet's
        from ixempra_gui.ui.coverage_panel import CoveragePanel

        panel = CoveragePanel(lambda: self.today(), self.recalculate)
        self._coverage = panel
        current = self.tabs.currentIndex()
        placeholder = self.tabs.widget(1)
        blocked = self.tabs.blockSignals(True)
        self.tabs.removeTab(1)
        self.tabs.insertTab(1, panel, "Coverage")
        self.tabs.setTabToolTip(1, COVERAGE_TAB_TIP)
        self.tabs.setCurrentIndex(current)
        self.tabs.blockSignals(blocked)
        placeholder.deleteLater()
        self.file_menu.insertActions(self._coverage_anchor, [panel.print_action, panel.pdf_action])
        if self.view is not None:
            panel.show_order(self.view, self._patient(), self.verification.prior_units())

    def _patient(self) -> str:
        return self.form_snapshot.patient_id if self.form_snapshot is not None else ""

    def _fit_to_screen(self) -> None:
        """Start at a size that fits the screen (a 1366x768 laptop, or 200 % scaling)."""
        screen = self.screen()
        if screen is None:
            self.resize(1200, 720)
            return
        available = screen.availableGeometry()
        width = min(1280, int(available.width() * 0.96))
        height = min(800, int(available.height() * 0.92))
        self.resize(width, height)
        self.move(available.center() - self.rect().center())
        left = max(self.tabs.minimumSizeHint().width(), int(width * 0.42))
        self.splitter.setSizes([left, width - left])

    # --- calculating and showing ------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        """After the first frame is on screen, load the core (~150 ms with pint) and calculate.

        Until then the window shows the empty form's true state (no dose, input needed); an
        edit before then calculates at once.
        """
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            for callback in self._after_first_frame:
                QTimer.singleShot(0, callback)
            self._after_first_frame.clear()

    def after_first_frame(self, callback: Callable[[], object]) -> None:
        """Run ``callback`` just after the window's first paint (soon, if it has painted):
        what the first frame does not show waits until the window is on screen."""
        if self._painted:
            QTimer.singleShot(0, callback)
        else:
            self._after_first_frame.append(callback)

    def _render_initial(self) -> None:
        """The empty form's true state, without the presenter: no dose, input needed."""
        kind = StatusKind.INPUT_NEEDED
        self.result_panel.banner.show_status(kind, BANNER_TEXT[kind], INITIAL_DETAIL)
        self._set_printing(False, print_tooltip(kind))

    def recalculate(self) -> None:
        """Calculate the form as it stands and show it (every edit; never leaves a stale dose)."""
        from datetime import datetime

        from ixempra_gui.presentation.order_view import failure_view, field_hints, present

        self._install_actions()  # a result may be ready to print: its actions must exist
        form = self.form.form_input()
        self._show_title(form.patient_id)
        try:
            if not self._hints_loaded:
                self.form.set_hints(field_hints())
                self._hints_loaded = True
            now = datetime.now().replace(second=0, microsecond=0)
            view = present(form, self.prefs, self.today(), now)
            if form.acknowledge_warnings:
                new_values = self._values_not_checked(view)
                if new_values:  # the tick was given for other values: it does not cover these
                    self.form.set_acknowledged(False)
                    form = replace(form, acknowledge_warnings=False)
                    view = present(form, self.prefs, self.today(), now)
                    self.statusBar().showMessage(
                        "“I have checked the values” was un-ticked: a value it was not given "
                        f"for needs checking ({'; '.join(new_values)}).",
                        20000,
                    )
            self._checked_values = (
                frozenset(view.values_to_check) if form.acknowledge_warnings else None
            )
        except Exception:
            # A bug, not bad input (the core never raises on input): clear every figure, and
            # let the crash handler report the traceback.
            self.view = failure_view()
            self.form_snapshot = None
            self.render(self.view)
            raise
        self.view = view
        self.form_snapshot = form
        self.render(view)

    def _show_title(self, patient_id: str) -> None:
        """Whose order this is, in the title bar (session.window_title: shortened, never a
        control character); '[*]' doubled, or Qt would take it for the modified mark."""
        from ixempra_gui.presentation.session import window_title

        title = window_title(patient_id).replace("[*]", "[*][*]")
        if self.windowTitle() != title:
            self.setWindowTitle(title)

    def _values_not_checked(self, view: ViewState) -> tuple[str, ...]:
        """Values to check that appeared after the tick (all of them if it was just ticked)."""
        if self._checked_values is None:  # ticked just now: it covers what is shown
            return ()
        return tuple(v for v in view.values_to_check if v not in self._checked_values)

    def render(self, view: ViewState) -> None:
        self.result_panel.render(view)
        self.form.show_messages({**view.field_messages, **self.verification.messages()})
        self.refresh_coverage()
        self._set_printing(view.ready, view.print_tooltip)
        self.verification.render(view)
        # Lay out what changed now, before the next frame: left to the event loop, each level
        # of nesting (label, section, scroll area, panel) took a pass of its own and the
        # details were painted twice, once at the old size (bench/startup.py).
        for _ in range(3):
            QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)

    def refresh_coverage(self) -> None:
        """The Coverage tab re-evaluated beside the latest calculation and what the journal
        says of the patient's earlier doses (every edit, and when the journal has been read)."""
        if self._coverage is not None and self.view is not None:
            self._coverage.show_order(self.view, self._patient(), self.verification.prior_units())

    def _set_printing(self, ready: bool, tooltip: str) -> None:
        self._printing = (ready, tooltip)  # applied again when the actions are added
        for action, button in (
            (self.print_action, self.result_panel.print_button),
            (self.pdf_action, self.result_panel.pdf_button),
        ):
            button.setEnabled(ready)
            tip = tooltip
            if action is not None:
                action.setEnabled(ready)
                if ready:
                    tip = f"{tip} ({action.shortcut().toString(self._native_text)})"
                action.setToolTip(tip)
            button.setToolTip(tip)
            button.setAccessibleDescription(tip)

    # --- worksheet --------------------------------------------------------------------------

    def worksheet_html(self) -> str | None:
        """The worksheet of the form as it stands now, or None (and a message) if not ready."""
        from datetime import datetime

        from PySide6.QtWidgets import QMessageBox

        from ixempra_gui.presentation.worksheet import build_worksheet

        self.recalculate()  # never print what an earlier edit showed
        form, view = self.form_snapshot, self.view
        if form is None or view is None or not view.ready:
            tip = view.print_tooltip if view else print_tooltip(StatusKind.INPUT_NEEDED)
            QMessageBox.information(self, APP_NAME, tip)
            return None
        return build_worksheet(form, view, datetime.now().astimezone(), self.verification.text())

    def print_worksheet(self) -> None:
        html = self.worksheet_html()
        if html is None:
            return
        from ixempra_gui.ui.printing import print_html

        if print_html(html, self):
            self._output = (self.form_snapshot, self.prefs) if self.form_snapshot else None
            self.statusBar().showMessage("Worksheet sent to the printer.", 8000)

    def default_pdf_name(self) -> str:
        from ixempra_gui.ui.printing import pdf_file_name

        return pdf_file_name("worksheet", self._patient())

    def ask_pdf_path(self) -> Path | None:
        from ixempra_gui.ui.printing import ask_pdf_path

        return ask_pdf_path(self, "Save worksheet as PDF", self.default_pdf_name())

    def save_pdf(self, path: Path | None = None) -> Path | None:
        """Write the worksheet PDF (asks where unless ``path`` is given); the path, or None."""
        html = self.worksheet_html()
        if html is None:
            return None
        target = path or self.ask_pdf_path()
        if target is None:
            return None
        from PySide6.QtWidgets import QMessageBox

        from ixempra_gui.ui.printing import write_pdf

        try:
            write_pdf(html, target)
        except OSError as err:
            QMessageBox.warning(self, APP_NAME, f"The worksheet was not saved to {target}:\n{err}")
            return None
        self._output = (self.form_snapshot, self.prefs) if self.form_snapshot else None
        self.statusBar().showMessage(f"Worksheet saved: {target}", 8000)
        return target

    # --- a new patient ----------------------------------------------------------------------

    def new_order_question(self) -> Question | None:
        """What New order must ask first (session.new_order_question), or None."""
        from ixempra_gui.presentation.session import new_order_question

        form, view = self.form_snapshot, self.view
        if form is None or view is None:
            return None
        return new_order_question(
            view.ready,
            (form, self.prefs),
            self._output,
            self.verification.verified_order(),
            view.dose_value,
        )

    def confirm_discard(self, question: Question) -> bool:
        """Ask; True only for Discard (Cancel, Escape or closing the box keep the order)."""
        from PySide6.QtWidgets import QMessageBox

        buttons = QMessageBox.StandardButton
        box = QMessageBox(
            QMessageBox.Icon.Question,
            APP_NAME,
            question.text,
            buttons.Discard | buttons.Cancel,
            self,
        )
        box.setObjectName("newOrderQuestion")
        box.setInformativeText(question.detail)
        box.setDefaultButton(buttons.Cancel)
        box.setEscapeButton(buttons.Cancel)
        box.button(buttons.Discard).setText("&Discard and start a new order")
        return box.exec() == buttons.Discard

    def new_order(self, ask: bool = True, keep_patient_id: bool = False) -> bool:
        """File → New order (Ctrl+N): clear every patient entry on both tabs, the identifier
        too unless ``keep_patient_id`` (another identifier typed over a verified order), and
        the verification; site preferences stay. Asks first when a ready dose would be lost
        unprinted and unverified. True when the window was cleared."""
        if self.verification.dialog is not None:
            return False  # the double check is open: it owns the order until it closes
        if ask:
            question = self.new_order_question()
            if question is not None and not self.confirm_discard(question):
                return False
        patient = self.form.form_input().patient_id if keep_patient_id else ""
        self.clearing = True
        try:
            self.verification.reset()
            self.form.reset(self.prefs, self.today().isoformat(), patient)
            if self._coverage is not None:
                self._coverage.reset()
        finally:
            self.clearing = False
        self._checked_values = None
        self._output = None
        self.tabs.setCurrentIndex(0)
        self.recalculate()
        self.form_scroll.ensureVisible(0, 0)
        self.form.inputs["patient_id"].setFocus(Qt.FocusReason.OtherFocusReason)
        self.statusBar().showMessage(
            "New order: the last patient's entries were cleared on both tabs; site preferences "
            "are kept.",
            10000,
        )
        return True

    # --- preferences, state, about ----------------------------------------------------------

    def edit_preferences(self) -> None:
        from ixempra_gui.ui.preferences_dialog import PreferencesDialog

        dialog = PreferencesDialog(self.prefs, self)
        if dialog.exec() == PreferencesDialog.DialogCode.Accepted:
            self.apply_preferences(dialog.preferences())

    def apply_preferences(self, prefs: Preferences) -> None:
        self.prefs = prefs
        if self.settings is not None:
            from ixempra_gui.ui.settings import save_preferences

            save_preferences(self.settings, prefs)
        self.form.apply_preferences(prefs)
        self.recalculate()

    def restore_state(self) -> None:
        """Geometry and splitter of the last run (patient data is never stored)."""
        if self.settings is None:
            return
        from ixempra_gui.ui.settings import window_state

        geometry, splitter = window_state(self.settings)
        if geometry is not None:
            self.restoreGeometry(geometry)
        if splitter is not None:
            self.splitter.restoreState(splitter)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.settings is not None:
            from ixempra_gui.ui.settings import save_window_state

            save_window_state(self.settings, self.saveGeometry(), self.splitter.saveState())
        super().closeEvent(event)

    def about(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.about(
            self,
            f"About {APP_NAME}",
            f"{APP_NAME} {__version__} (Qt {qVersion()})\n\n"
            "Ixabepilone (Ixempra) dose, vials, preparation and billing. "
            "Check every figure against the order and the prescribing information.",
        )

"""The pharmacist's workstation window: the order form on the left, the live result on the right.

The window holds one ``Session`` (Qt-free: the order on screen, its result, the verification,
the patient's history, coverage) and wires widgets to it: the form forwards every edit, the
result panel, the form's messages, the title and the print actions render what the session
publishes. No dose rule lives here, and no widget reads another one. The worksheet is built
from a fresh calculation at the moment of printing, never from what an earlier edit showed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QSettings, Qt, QTimer, qVersion
from PySide6.QtGui import QCloseEvent, QPaintEvent
from PySide6.QtWidgets import (
    QApplication,
    QMainWindow,
    QWidget,
)

from ixempra_gui import APP_NAME, __version__
from ixempra_gui.presentation.fields import BANNER_TEXT, INITIAL_DETAIL, StatusKind, print_tooltip
from ixempra_gui.presentation.preferences import Preferences
from ixempra_gui.presentation.session import Session
from ixempra_gui.ui import loader
from ixempra_gui.ui.journal_status import JournalStatus
from ixempra_gui.ui.off_thread import ThreadRunner
from ixempra_gui.ui.order_form import OrderForm
from ixempra_gui.ui.preparation_launcher import PreparationLauncher
from ixempra_gui.ui.result_panel import ResultPanel
from ixempra_gui.ui.scheduler import QtScheduler
from ixempra_gui.ui.settings import save_preferences, save_window_state, window_state
from ixempra_gui.ui.verification import Verification
from ixempra_gui.ui.window_actions import Handlers, WindowActions
from ixempra_gui.ui.window_layout import COVERAGE_TAB_TIP, WindowLayout

if TYPE_CHECKING:
    from pathlib import Path

    from PySide6.QtGui import QAction

    from ixempra_gui.presentation.new_order import Question
    from ixempra_gui.presentation.order_state import ViewState
    from ixempra_gui.presentation.session_events import OrderState, ShownForm
    from ixempra_gui.ui.coverage_panel import CoveragePanel


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
        self.settings = settings
        self.session = Session(prefs or Preferences(), QtScheduler(self))
        self.session.runner = ThreadRunner(self)  # the journal's slow calls off this thread
        self.form = OrderForm(
            self.session.prefs, self.session.today().isoformat(), event_filters=not defer_coverage
        )
        self.result_panel = ResultPanel()
        self._coverage: CoveragePanel | None = None
        self._build_layout()
        self.file_menu = self.menuBar().addMenu("&File")
        self.help_menu = self.menuBar().addMenu("&Help")
        self.verification = Verification(self.session, self.result_panel, self)
        self.preparation = PreparationLauncher(self.session, self)  # issue 16: after Verify
        self.menu_actions = WindowActions(
            self,
            (self.file_menu, self.help_menu),
            self.result_panel,
            self.verification,
            Handlers(
                new_order=lambda: self.new_order(),
                print_worksheet=lambda: self.print_worksheet(),
                save_pdf=lambda: self.save_pdf(),
                edit_preferences=lambda: self.edit_preferences(),
                quit=self.close,
                about=lambda: self.about(),
            ),
        )
        self._connect_session()
        if not defer_coverage:
            self._install_actions()
            self._install_coverage()
        self.tabs.currentChanged.connect(lambda index: index == 1 and self.coverage)
        self.form.changed.connect(self._edited)
        self._render_initial()
        self._fit_to_screen()
        self.form.inputs["patient_id"].setFocus()  # the first thing typed (as after New order)
        self._painted = False
        # What the first frame does not show waits for it (see after_first_frame).
        self._after_first_frame: list[Callable[[], object]] = [self.recalculate]
        if defer_coverage:
            self._after_first_frame[:0] = [self._install_actions, self.form.install_event_filters]
            self._after_first_frame.append(self._install_coverage)
        # The journal in use, in the status bar; a site journal's sign-in (issue 14).
        self.journal_status = JournalStatus(self.session, self)
        self._after_first_frame.append(lambda: self.journal_status.start(self.file_menu))

    # --- building ---------------------------------------------------------------------------

    def _build_layout(self) -> None:
        """The form (scrolling) and the Coverage tab on the left, the result on the right,
        under a cover that hides them both while a double check is open."""
        layout = WindowLayout(self.form, self.result_panel)
        self.form_scroll, self.tabs, self.splitter = (
            layout.form_scroll,
            layout.tabs,
            layout.splitter,
        )
        self.cover, self.central = layout.cover, layout.central
        self.setCentralWidget(self.central)

    def _connect_session(self) -> None:
        """The window renders what the session publishes."""
        events = self.session.events
        events.order.connect(self._show_order)
        events.form.connect(self._show_form)
        events.hints.connect(self.form.set_hints)
        events.preferences.connect(self.form.apply_preferences)
        events.notice.connect(lambda notice: self.statusBar().showMessage(notice.text, notice.ms))
        events.checking.connect(self._show_cover)
        events.published.connect(self._settle)

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
        panel: CoveragePanel = loader.coverage_panel.CoveragePanel(self.session)
        self._coverage = panel
        current = self.tabs.currentIndex()
        placeholder = self.tabs.widget(1)
        blocked = self.tabs.blockSignals(True)
        self.tabs.removeTab(1)
        self.tabs.insertTab(1, panel, "Coverage")
        self.tabs.setTabToolTip(1, COVERAGE_TAB_TIP)
        self.tabs.setCurrentIndex(current)
        self.tabs.blockSignals(blocked)
        if placeholder is not None:
            placeholder.deleteLater()
        anchor = self._coverage_anchor
        assert anchor is not None  # the actions were installed above
        self.file_menu.insertActions(anchor, [panel.print_action, panel.pdf_action])

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

    def _install_actions(self) -> None:
        self.menu_actions.install()
        self.preparation.install_action(self.file_menu)

    @property
    def _coverage_anchor(self) -> QAction | None:
        return self.menu_actions.coverage_anchor

    @property
    def new_action(self) -> QAction | None:
        return self.menu_actions.new

    @property
    def print_action(self) -> QAction | None:
        return self.menu_actions.print

    @property
    def pdf_action(self) -> QAction | None:
        return self.menu_actions.pdf

    def _set_printing(self, ready: bool, tooltip: str) -> None:
        self.menu_actions.set_printing(ready, tooltip)

    # --- the session's state ----------------------------------------------------------------

    @property
    def prefs(self) -> Preferences:
        return self.session.prefs

    @property
    def view(self) -> ViewState | None:
        """The calculation on screen (None: nothing calculated yet)."""
        return self.session.view

    # --- calculating and showing ------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        """After the first frame is on screen, load the core (~150 ms with pint) and calculate.

        Until then the window shows the empty form's true state (no dose, input needed); an
        edit before then calculates at once.
        """
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            # Up to the first calculation now; the rest (Coverage tab, journal status, icon)
            # once its result has been painted: its repaint is posted before they are queued.
            split = self._after_first_frame.index(self.recalculate) + 1
            now, later = self._after_first_frame[:split], self._after_first_frame[split:]
            for callback in now:
                QTimer.singleShot(0, callback)
            QTimer.singleShot(0, lambda: [QTimer.singleShot(0, c) for c in later])
            self._after_first_frame.clear()

    def after_first_frame(self, callback: Callable[[], object]) -> None:
        """Run ``callback`` just after the window's first paint (soon, if it has painted):
        what the first frame does not show waits until the window is on screen."""
        if self._painted:
            QTimer.singleShot(0, callback)
        else:
            self._after_first_frame.append(callback)

    def _render_initial(self) -> None:
        """The empty form's true state, before the session calculates: no dose, input needed."""
        kind = StatusKind.INPUT_NEEDED
        self.result_panel.banner.show_status(kind, BANNER_TEXT[kind], INITIAL_DETAIL)
        self._set_printing(False, print_tooltip(kind))

    def _edited(self) -> None:
        self.session.edit(self.form.form_input())

    def recalculate(self) -> None:
        """Calculate the form as it stands and show it (never leaves a stale dose)."""
        self.session.edit(self.form.form_input())

    def _show_order(self, state: OrderState) -> None:
        self._install_actions()  # a result may be ready to print: its actions must exist
        title = state.title.replace("[*]", "[*][*]")  # else Qt takes it for the modified mark
        if self.windowTitle() != title:
            self.setWindowTitle(title)
        self.result_panel.show_view(state.view)
        self.form.show_messages(state.messages)
        self._set_printing(state.view.ready, state.view.print_tooltip)

    def _show_form(self, shown: ShownForm) -> None:
        """The session changed the order itself; a new order starts at the identifier."""
        self.form.show_form(shown.form, shown.prefs, shown.fresh)
        if shown.fresh:
            self.tabs.setCurrentIndex(0)
            self.form_scroll.ensureVisible(0, 0)
            self.form.inputs["patient_id"].setFocus(Qt.FocusReason.OtherFocusReason)

    def _show_cover(self, checking: bool) -> None:
        self.central.setCurrentWidget(self.cover if checking else self.splitter)

    @staticmethod
    def _settle(_: None = None) -> None:
        """Lay out what changed now, before the next frame: left to the event loop, each level
        of nesting (label, section, scroll area, panel) took a pass of its own and the details
        were painted twice, once at the old size (bench/startup.py)."""
        for _pass in range(3):
            QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)

    # --- worksheet --------------------------------------------------------------------------

    def worksheet_html(self) -> str | None:
        """The worksheet of the form as it stands now, or None (and a message) if not ready."""
        document = self.session.worksheet()  # never what an earlier edit showed
        if document.html is None:
            loader.QMessageBox.information(self, APP_NAME, document.refusal)
        return document.html

    def print_worksheet(self) -> None:
        html = self.worksheet_html()
        if html is not None and loader.printing.print_html(html, self):
            self.session.printed()
            self.statusBar().showMessage("Worksheet sent to the printer.", 8000)

    def default_pdf_name(self) -> str:
        return str(loader.printing.pdf_file_name("worksheet", self.session.patient_id))

    def ask_pdf_path(self) -> Path | None:
        caption = "Save worksheet as PDF"
        path: Path | None = loader.printing.ask_pdf_path(self, caption, self.default_pdf_name())
        return path

    def save_pdf(self, path: Path | None = None) -> Path | None:
        """Write the worksheet PDF (asks where unless ``path`` is given); the path, or None."""
        html = self.worksheet_html()
        if html is None:
            return None
        write = partial(loader.printing.write_pdf, html)
        target = loader.printing.saved(self, "worksheet", path or self.ask_pdf_path(), write)
        if target is None:
            return None
        self.session.printed()
        self.statusBar().showMessage(f"Worksheet saved: {target}", 8000)
        return target

    # --- a new patient ----------------------------------------------------------------------

    def new_order_question(self) -> Question | None:
        """What New order must ask first (session.new_order_question), or None."""
        return self.session.new_order_question()

    def confirm_discard(self, question: Question) -> bool:
        """Ask; True only for Discard (Cancel, Escape or closing the box keep the order)."""
        box_class = loader.QMessageBox
        buttons = box_class.StandardButton
        box = box_class(
            box_class.Icon.Question, APP_NAME, question.text, buttons.Discard | buttons.Cancel, self
        )
        box.setObjectName("newOrderQuestion")
        box.setInformativeText(question.detail)
        box.setDefaultButton(buttons.Cancel)
        box.setEscapeButton(buttons.Cancel)
        box.button(buttons.Discard).setText("&Discard and start a new order")
        return bool(box.exec() == buttons.Discard)

    def new_order(self, ask: bool = True, keep_patient_id: bool = False) -> bool:
        """File → New order (Ctrl+N): clear every patient entry on both tabs, the identifier
        too unless ``keep_patient_id``, and the verification; site preferences stay. Asks
        first when a ready dose would be lost unprinted and unverified. True when cleared."""
        if self.verification.dialog is not None:
            return False  # the double check is open: it owns the order until it closes
        if ask:
            question = self.session.new_order_question()
            if question is not None and not self.confirm_discard(question):
                return False
        patient = self.form.form_input().patient_id if keep_patient_id else ""
        return self.session.new_order(patient)

    # --- preferences, state, about ----------------------------------------------------------

    def edit_preferences(self) -> None:
        dialogs = loader.preferences_dialog
        dialog = dialogs.PreferencesDialog(self.session.prefs, self)
        if dialog.exec() == dialogs.PreferencesDialog.DialogCode.Accepted:
            self.apply_preferences(dialog.preferences())

    def apply_preferences(self, prefs: Preferences) -> None:
        if self.settings is not None:
            save_preferences(self.settings, prefs)
        self.session.set_preferences(prefs)

    def restore_state(self) -> None:
        """Geometry and splitter of the last run (patient data is never stored)."""
        if self.settings is None:
            return
        geometry, splitter = window_state(self.settings)
        if geometry is not None:
            self.restoreGeometry(geometry)
        if splitter is not None:
            self.splitter.restoreState(splitter)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.settings is not None:
            save_window_state(self.settings, self.saveGeometry(), self.splitter.saveState())
        super().closeEvent(event)

    def about(self) -> None:
        loader.QMessageBox.about(
            self,
            f"About {APP_NAME}",
            f"{APP_NAME} {__version__} (Qt {qVersion()})\n\n"
            "Ixabepilone (Ixempra) dose, vials, preparation and billing. "
            "Check every figure against the order and the prescribing information.",
        )

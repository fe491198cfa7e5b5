"""The main window's menus: New order, Print, Save as PDF, Preferences, Quit, About, with their
shortcuts, and whether Print and Save as PDF are available (only for a dose ready to prepare).

``app.main`` adds the actions just after the first frame: QAction, QKeySequence and QIcon
(QAction's constructor needs it) cost about 2 ms the window does not need to show. Until then
the buttons that trigger them are disabled, as nothing is ready to print.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

from ixempra_gui.ui import loader

if TYPE_CHECKING:
    from PySide6.QtGui import QAction, QKeySequence
    from PySide6.QtWidgets import QMainWindow, QMenu

    from ixempra_gui.ui.result_panel import ResultPanel
    from ixempra_gui.ui.verification import Verification


class Handlers(NamedTuple):
    """What each action does (the window's methods)."""

    new_order: Callable[[], object]
    print_worksheet: Callable[[], object]
    save_pdf: Callable[[], object]
    edit_preferences: Callable[[], object]
    quit: Callable[[], object]
    about: Callable[[], object]


class WindowActions:
    """The window's actions, built once (``install``), and the print buttons' state."""

    def __init__(
        self,
        window: QMainWindow,
        menus: tuple[QMenu, QMenu],
        result_panel: ResultPanel,
        verification: Verification,
        handlers: Handlers,
    ) -> None:
        self.window = window
        self.file_menu, self.help_menu = menus
        self.result_panel = result_panel
        self.verification = verification
        self.handlers = handlers
        self.new: QAction | None = None
        self.print: QAction | None = None
        self.pdf: QAction | None = None
        self.coverage_anchor: QAction | None = None  # the coverage actions go before it
        self._printing = (False, "")  # applied again when the actions are added
        self._native_text: QKeySequence.SequenceFormat | None = None

    def _action(
        self,
        text: str,
        name: str,
        keys: QKeySequence | QKeySequence.StandardKey,
        slot: Callable[[], object],
    ) -> QAction:
        action = loader.QAction(text, self.window)
        if name:
            action.setObjectName(name)
        action.setShortcut(keys)
        action.triggered.connect(slot)
        return action

    def install(self) -> None:
        """The menus' actions and their shortcuts (Verify's too), once."""
        if self.print is not None:
            return
        do, keys = self.handlers, loader.QKeySequence
        self._native_text = keys.SequenceFormat.NativeText  # for the tooltips
        self.new = self._action("&New order", "newOrderAction", keys.StandardKey.New, do.new_order)
        self.new.setToolTip(
            "Clear every entry of this patient on both tabs (site preferences are kept)"
        )
        self.print = self._action(
            "&Print worksheet…", "printAction", keys.StandardKey.Print, do.print_worksheet
        )
        self.pdf = self._action(
            "Save worksheet as P&DF…",
            "savePdfAction",
            keys("Ctrl+Shift+S"),
            do.save_pdf,
        )
        prefs = self._action(
            "P&references…", "preferencesAction", keys("Ctrl+,"), do.edit_preferences
        )
        prefs.setMenuRole(loader.QAction.MenuRole.PreferencesRole)
        quit_action = self._action("&Quit", "", keys.StandardKey.Quit, do.quit)
        quit_action.setMenuRole(loader.QAction.MenuRole.QuitRole)
        about = loader.QAction("&About", self.window)
        about.triggered.connect(do.about)
        self._fill_menus(prefs, quit_action, about)
        self.set_printing(*self._printing)

    def _fill_menus(self, prefs: QAction, quit_action: QAction, about: QAction) -> None:
        assert self.new is not None and self.print is not None and self.pdf is not None
        file_menu = self.file_menu
        file_menu.addAction(self.new)
        file_menu.addSeparator()
        file_menu.addAction(self.print)
        file_menu.addAction(self.pdf)
        self.coverage_anchor = file_menu.addSeparator()
        file_menu.addAction(prefs)
        file_menu.addSeparator()
        file_menu.addAction(quit_action)
        self.help_menu.addAction(about)
        self.result_panel.print_button.clicked.connect(self.print.trigger)
        self.result_panel.pdf_button.clicked.connect(self.pdf.trigger)
        self.verification.install_action(file_menu)

    def set_printing(self, ready: bool, tooltip: str) -> None:
        """Print and Save as PDF only for a dose ready to prepare; the tooltip says why not."""
        self._printing = (ready, tooltip)
        panel = self.result_panel
        for action, button in ((self.print, panel.print_button), (self.pdf, panel.pdf_button)):
            button.setEnabled(ready)
            tip = tooltip
            if action is not None:
                action.setEnabled(ready)
                if ready and self._native_text is not None:
                    tip = f"{tip} ({action.shortcut().toString(self._native_text)})"
                action.setToolTip(tip)
            button.setToolTip(tip)
            button.setAccessibleDescription(tip)

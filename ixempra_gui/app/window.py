"""The main window as the app builds it: the application's names and icon, the settings from
their INI file, the site checks said on stderr and in the status bar.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from ixempra_gui import APP_NAME, __version__
from ixempra_gui.presentation import loader as presentation_loader
from ixempra_gui.ui import loader
from ixempra_gui.ui.main_window import MainWindow
from ixempra_gui.ui.settings import (
    load_preferences,
    load_seen_notices,
    open_settings,
    remember_notices,
)


def identify(app: QApplication, icon: bool = True) -> None:
    """Names (and, unless ``icon`` is False, the window icon) of the application."""
    app.setApplicationName("ixempra-gui")
    app.setApplicationDisplayName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName("Ixempra dosing workstation")
    app.setDesktopFileName("ixempra-gui")
    if icon:
        set_window_icon(app)


def set_window_icon(app: QApplication) -> None:
    """The SVG window icon. ``main`` sets it just after the first frame: QIcon and the SVG
    icon engine plugin cost about 3 ms that the empty window does not need."""
    app.setWindowIcon(loader.QIcon(str(presentation_loader.site_checks.icon_file())))


def create_main_window(
    settings_file: str | Path | None = None, defer_coverage: bool = False
) -> MainWindow:
    """The main window, built and restored but not shown, without starting an event loop.

    A QApplication must already exist (the app's ``main``, or pytest-qt). Settings come from the
    explicit INI file (``settings_file``, else ``$IXEMPRA_CONFIG_DIR/settings.ini``, else the
    user's config folder); unusable stored values keep their defaults and are reported.
    ``defer_coverage`` (used by ``main``) adds the Coverage tab, the menus' actions, the form's
    event filters and the window icon just after the first frame, which then shows sooner; the
    first frame is the same (tests/gui/test_entry_points.py).
    """
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        raise RuntimeError("create_main_window() needs a QApplication; create one first")
    if not app.applicationDisplayName().startswith(APP_NAME):
        identify(app, icon=not defer_coverage)
    settings = open_settings(Path(settings_file) if settings_file is not None else None)
    prefs, problems = load_preferences(settings)
    window = MainWindow(prefs, settings, defer_coverage=defer_coverage)
    remember_once_notices(window, settings)
    if defer_coverage:
        window.after_first_frame(lambda: set_window_icon(app))
        window.after_first_frame(lambda: report_site_checks(window, settings))
    else:
        report_site_checks(window, settings)
    window.restore_state()
    for problem in problems:
        print(f"ixempra-gui: settings {settings.fileName()}: {problem}", file=sys.stderr)
    if problems:
        window.statusBar().showMessage(
            f"Some preferences in {settings.fileName()} were unusable; defaults were used.", 15000
        )
    return window


def remember_once_notices(window: MainWindow, settings: QSettings) -> None:
    """A long notice said once per site (the NDC to confirm) is remembered in settings.ini when
    first shown; from the next start on, only its marker on the billing lines remains."""
    session = window.session
    session.notices_seen = load_seen_notices(settings)

    def shown(state: object) -> None:
        view = getattr(state, "view", None)
        if view is not None and view.alerts:
            codes = presentation_loader.alerts.once_shown(view)
            if codes:
                remember_notices(settings, codes)

    session.events.order.connect(shown)


def report_site_checks(window: MainWindow, settings: QSettings) -> list[str]:
    """Unusable site settings (``[site]`` in settings.ini) and folders other users can write
    (the settings' folder, which holds the journal's anchor, and the journal's): on stderr and
    in the status bar. Returns what was said."""
    notes = presentation_loader.site_checks.site_notes(settings.fileName())
    for note in notes:
        print(f"ixempra-gui: {note}", file=sys.stderr)
    if notes:
        window.statusBar().showMessage(notes[0], 30000)
    return notes

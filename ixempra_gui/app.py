"""``ixempra-gui``: start Qt, install the crash handler, show the main window. Wiring only.

The window lives in ``ixempra_gui.ui``; the dose rules live in ``ixempra_gui.core``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from ixempra_gui import APP_NAME, __version__
from ixempra_gui.ui.main_window import MainWindow

if TYPE_CHECKING:  # argparse, traceback, QMessageBox, QIcon: imported where used (start-up)
    import argparse

    from PySide6.QtCore import QSettings

EXIT_NO_DISPLAY = 2

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], object]

NO_DISPLAY_MESSAGE = (
    "ixempra-gui: no display found (neither DISPLAY nor WAYLAND_DISPLAY is set).\n"
    "Run it from a desktop session, or without one under a virtual X server:\n"
    "    xvfb-run ixempra-gui\n"
    "The calculator also works without a display: ixempra-calc --help"
)


def _build_parser() -> argparse.ArgumentParser:
    import argparse

    parser = argparse.ArgumentParser(
        prog="ixempra-gui",
        description="Ixabepilone (Ixempra) dosing workstation. Other arguments go to Qt "
        "(e.g. -platform offscreen).",
    )
    parser.add_argument(
        "--no-crash-dialog",
        action="store_true",
        help="on an unexpected error, only print the traceback (no dialog)",
    )
    # Hidden: lets tests and smoke checks start the real app and have it quit on its own.
    parser.add_argument("--quit-after-ms", type=int, metavar="N", help=argparse.SUPPRESS)
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check this installation (data, golden cases, Qt plugins, window, PDF, journal) "
        "without a display, print one line per check, exit 0 when all pass",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser


def display_available(qt_args: Sequence[str], environ: Mapping[str, str] | None = None) -> bool:
    """False only on Linux with no X11/Wayland display and no platform chosen.

    Qt would otherwise abort the process with a core dump and a message about xcb plugins,
    which tells a pharmacist nothing.
    """
    env = os.environ if environ is None else environ
    if not sys.platform.startswith("linux"):
        return True
    if any(env.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")):
        return True
    return any(arg.split("=", 1)[0] in ("-platform", "--platform") for arg in qt_args)


def make_excepthook(show_dialog: bool) -> ExceptHook:
    """A sys.excepthook: traceback to stderr always, and a dialog if asked and possible.

    PySide6 hands exceptions raised in slots to sys.excepthook and carries on, so without this
    an error during an edit would leave a stale figure on screen with nothing said.
    """
    busy = False

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        import traceback

        from PySide6.QtWidgets import QMessageBox

        nonlocal busy
        details = "".join(traceback.format_exception(exc_type, exc, tb))
        print(f"ixempra-gui: unexpected error\n{details}", file=sys.stderr, end="", flush=True)
        if not show_dialog or busy or QApplication.instance() is None:
            return
        busy = True  # an error while showing the dialog must not open another one
        try:
            box = QMessageBox(QMessageBox.Icon.Critical, APP_NAME, "An unexpected error occurred.")
            box.setInformativeText(
                "Do not use the figures on screen. Re-enter the order, or use ixempra-calc. "
                "Please report this error; Show Details… has the text to copy."
            )
            box.setDetailedText(details)
            box.exec()
        except Exception:  # the traceback is already on stderr
            traceback.print_exc(file=sys.stderr)
        finally:
            busy = False

    return hook


def _identify(app: QApplication, icon: bool = True) -> None:
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
    from PySide6.QtGui import QIcon

    from ixempra_gui.core.resources import resource_path

    app.setWindowIcon(QIcon(str(resource_path("icons", "ixempra-gui.svg"))))


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
    from ixempra_gui.ui.settings import load_preferences, open_settings

    app = QApplication.instance()
    if not isinstance(app, QApplication):
        raise RuntimeError("create_main_window() needs a QApplication; create one first")
    if not app.applicationDisplayName().startswith(APP_NAME):
        _identify(app, icon=not defer_coverage)
    settings = open_settings(Path(settings_file) if settings_file is not None else None)
    prefs, problems = load_preferences(settings)
    window = MainWindow(prefs, settings, defer_coverage=defer_coverage)
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


def report_site_checks(window: MainWindow, settings: QSettings) -> list[str]:
    """Unusable site settings (``[site]`` in settings.ini) and folders other users can write
    (the settings' folder, which holds the journal's anchor, and the journal's): on stderr and
    in the status bar. Returns what was said."""
    from ixempra_gui.journal.paths import folder_warning
    from ixempra_gui.site_settings import load_site_settings
    from ixempra_gui.ui.settings import settings_folder_warning

    _, problems = load_site_settings(Path(settings.fileName()))
    notes = [f"settings {settings.fileName()}: [site] {problem}" for problem in problems]
    if warning := settings_folder_warning(settings):
        notes.append(f"warning: {warning}")
    if warning := folder_warning():
        notes.append(warning)
    for note in notes:
        print(f"ixempra-gui: {note}", file=sys.stderr)
    if notes:
        window.statusBar().showMessage(notes[0], 30000)
    return notes


def main(argv: Sequence[str] | None = None) -> int:
    """Start the workstation; returns the process exit status."""
    args_in = list(sys.argv[1:] if argv is None else argv)
    try:
        options, qt_args = _build_parser().parse_known_args(args_in)
    except SystemExit as stop:  # --help, --version, bad option
        return stop.code if isinstance(stop.code, int) else 2

    if options.self_test:  # before any window: it needs no display and starts its own Qt
        from ixempra_gui import selftest

        return selftest.run(qt_args)

    if not display_available(qt_args):
        print(NO_DISPLAY_MESSAGE, file=sys.stderr)
        return EXIT_NO_DISPLAY

    existing = QApplication.instance()
    if isinstance(existing, QApplication):  # pytest-qt, or a second main() in one process
        app = existing
    else:
        app = QApplication(["ixempra-gui", *qt_args])
    _identify(app, icon=False)  # the window icon follows the first frame

    offscreen = app.platformName() in ("offscreen", "minimal")
    previous_hook = sys.excepthook
    hook = make_excepthook(show_dialog=not (options.no_crash_dialog or offscreen))
    sys.excepthook = hook
    try:
        try:
            window = create_main_window(defer_coverage=True)  # built after the first frame
        except Exception as err:  # e.g. an unreadable policy file: say so, do not just vanish
            hook(type(err), err, err.__traceback__)
            return 1
        window.show()
        if options.quit_after_ms is not None:
            QTimer.singleShot(max(0, options.quit_after_ms), app.quit)
        return app.exec()
    finally:
        sys.excepthook = previous_hook

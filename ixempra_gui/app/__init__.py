"""``ixempra-gui``: start Qt, install the crash handler, show the main window. Wiring only.

The window lives in ``ixempra_gui.ui`` (built by ``app.window``); the dose rules live in
``ixempra_gui.core``; the crash handler is ``app.crash``; ``--self-test`` is ``app.selftest``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from ixempra_gui import __version__
from ixempra_gui.app.crash import ExceptHook, make_excepthook
from ixempra_gui.app.window import (
    create_main_window,
    identify,
    report_site_checks,
    set_window_icon,
)

__all__ = [
    "EXIT_NO_DISPLAY",
    "ExceptHook",
    "create_main_window",
    "display_available",
    "main",
    "make_excepthook",
    "report_site_checks",
    "set_window_icon",
]

EXIT_NO_DISPLAY = 2

NO_DISPLAY_MESSAGE = (
    "ixempra-gui: no display found (neither DISPLAY nor WAYLAND_DISPLAY is set).\n"
    "Run it from a desktop session, or without one under a virtual X server:\n"
    "    xvfb-run ixempra-gui\n"
    "The calculator also works without a display: ixempra-calc --help"
)


def _build_parser() -> argparse.ArgumentParser:
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


def main(argv: Sequence[str] | None = None) -> int:
    """Start the workstation; returns the process exit status."""
    args_in = list(sys.argv[1:] if argv is None else argv)
    try:
        options, qt_args = _build_parser().parse_known_args(args_in)
    except SystemExit as stop:  # --help, --version, bad option
        return stop.code if isinstance(stop.code, int) else 2

    if options.self_test:  # before any window: it needs no display and starts its own Qt
        # Imported only here: a normal start does not load the self-test's own modules.
        from ixempra_gui.app import selftest

        return selftest.run(qt_args)

    if not display_available(qt_args):
        print(NO_DISPLAY_MESSAGE, file=sys.stderr)
        return EXIT_NO_DISPLAY

    existing = QApplication.instance()
    if isinstance(existing, QApplication):  # pytest-qt, or a second main() in one process
        app = existing
    else:
        app = QApplication(["ixempra-gui", *qt_args])
    identify(app, icon=False)  # the window icon follows the first frame

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

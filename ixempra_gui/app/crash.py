"""The crash handler: an unexpected error is printed with its traceback, and shown in a dialog
that says not to use the figures on screen (unless ``--no-crash-dialog``, or offscreen).

PySide6 hands exceptions raised in slots to ``sys.excepthook`` and carries on, so without this
an error during an edit would leave a stale figure on screen with nothing said.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from types import TracebackType

from PySide6.QtWidgets import QApplication

from ixempra_gui import APP_NAME
from ixempra_gui.ui import loader

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], object]


def make_excepthook(show_dialog: bool) -> ExceptHook:
    """A sys.excepthook: traceback to stderr always, and a dialog if asked and possible.

    PySide6 hands exceptions raised in slots to sys.excepthook and carries on, so without this
    an error during an edit would leave a stale figure on screen with nothing said.
    """
    busy = False

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        nonlocal busy
        details = "".join(traceback.format_exception(exc_type, exc, tb))
        print(f"ixempra-gui: unexpected error\n{details}", file=sys.stderr, end="", flush=True)
        if not show_dialog or busy or QApplication.instance() is None:
            return
        busy = True  # an error while showing the dialog must not open another one
        try:
            box_class = loader.QMessageBox
            box = box_class(box_class.Icon.Critical, APP_NAME, "An unexpected error occurred.")
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

"""The one lazy seam of the widgets: what the window's first frame does not need, on first use.

The Qt-free side of the same seam is ``ixempra_gui.presentation.loader`` (the rules, the
journal, the documents). This one serves the widgets' own late parts: print support
(QtPrintSupport and its plugin load only to print), the Coverage tab, the dialogs, and Qt
classes used only after the first frame. PySide6 builds a class's Python enum types when the
class is first imported (about 0.15 ms each; QKeySequence and QAction pull in more), so they are
looked up here when first used rather than imported at the top of a module the window loads
before it paints (bench/startup.py).

``loader.QMessageBox`` is the class itself; ``loader.printing`` is the module. Each name is
imported once (PEP 562 ``__getattr__``) and then cached as a plain attribute of this module.
Our own late modules are not imported here even for type checking (they use this seam
themselves: that would be an import circle); their callers annotate what they get.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what each name is, for mypy and readers; imported on first use below
    from PySide6.QtCore import QByteArray as QByteArray
    from PySide6.QtGui import QAction as QAction
    from PySide6.QtGui import QIcon as QIcon
    from PySide6.QtGui import QKeySequence as QKeySequence
    from PySide6.QtPrintSupport import QPrintDialog as QPrintDialog
    from PySide6.QtPrintSupport import QPrinter as QPrinter
    from PySide6.QtWidgets import QFileDialog as QFileDialog
    from PySide6.QtWidgets import QMessageBox as QMessageBox

#: Name → (module, attribute of it; None: the module itself).
NAMES: dict[str, tuple[str, str | None]] = {
    "QByteArray": ("PySide6.QtCore", "QByteArray"),
    "QAction": ("PySide6.QtGui", "QAction"),
    "QIcon": ("PySide6.QtGui", "QIcon"),
    "QKeySequence": ("PySide6.QtGui", "QKeySequence"),
    "QPrintDialog": ("PySide6.QtPrintSupport", "QPrintDialog"),
    "QPrinter": ("PySide6.QtPrintSupport", "QPrinter"),
    "QFileDialog": ("PySide6.QtWidgets", "QFileDialog"),
    "QMessageBox": ("PySide6.QtWidgets", "QMessageBox"),
    "coverage_panel": ("ixempra_gui.ui.coverage_panel", None),
    "label_painting": ("ixempra_gui.ui.label_painting", None),
    "preparation_panel": ("ixempra_gui.ui.preparation_panel", None),
    "preferences_dialog": ("ixempra_gui.ui.preferences_dialog", None),
    "printing": ("ixempra_gui.ui.printing", None),
    "sign_in_dialog": ("ixempra_gui.ui.sign_in_dialog", None),
    "verify_dialog": ("ixempra_gui.ui.verify_dialog", None),
}

__all__ = sorted(NAMES)


def __getattr__(name: str) -> Any:
    try:
        module_name, attribute = NAMES[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    module = importlib.import_module(module_name)
    value = module if attribute is None else getattr(module, attribute)
    globals()[name] = value  # from now on a plain attribute: no second lookup through here
    return value


def loaded() -> tuple[str, ...]:
    """The names already looked up through this seam (tests and the start-up bench read it)."""
    return tuple(name for name in NAMES if name in globals())

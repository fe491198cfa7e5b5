"""PySide6 looks at every module imported after it for the word "PySide6" (its ``__feature__``
switch, PYSIDE-2029) through ``inspect.getsource``: tokenised line by line, about 0.5 ms a
module, and the window imports some 250 (pint among them) between launch and its first result.

``install()`` gives it the same answer by reading the file's bytes once. Only a module with a
``.py`` file is answered here; anything else (a built-in, a compiled or zipped module, an
unreadable file) goes to PySide6's own check, and if a PySide6 release renames the hook this
does nothing.
"""

from __future__ import annotations

import sys
from types import ModuleType

import PySide6.QtCore  # noqa: F401  (loads shibokensupport.feature, whose hook this replaces)

_MARK = "_ixempra_fast"


def install() -> bool:
    """Replace the hook's source search; True when it was replaced (now or before)."""
    feature = sys.modules.get("shibokensupport.feature")
    original = getattr(feature, "_mod_uses_pyside", None)
    if feature is None or not callable(original):
        return False
    if getattr(original, _MARK, False):
        return True

    def uses_pyside(module: ModuleType) -> bool:
        path = getattr(module, "__file__", None)
        if not isinstance(path, str) or not path.endswith(".py"):
            return bool(original(module))
        try:
            with open(path, "rb") as source:
                return b"PySide6" in source.read()
        except OSError:
            return bool(original(module))

    setattr(uses_pyside, _MARK, True)
    feature._mod_uses_pyside = uses_pyside  # type: ignore[attr-defined]
    return True


install()

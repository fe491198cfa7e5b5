"""The cheaper answer to PySide6's "does this module use PySide6?" (ui/import_check.py) is the
answer PySide6's own source search gives."""

from __future__ import annotations

import sys

import pytest

pytest.importorskip("PySide6")

import ixempra_gui.core.units
import ixempra_gui.presentation.session
import ixempra_gui.ui.main_window
import ixempra_gui.ui.widgets
from ixempra_gui.ui import import_check


def test_installed_and_answers_as_pysides_own_search() -> None:
    import inspect

    assert import_check.install()
    feature = sys.modules["shibokensupport.feature"]
    fast = feature._mod_uses_pyside
    assert getattr(fast, "_ixempra_fast", False)
    modules = [
        ixempra_gui.ui.main_window,  # imports PySide6
        ixempra_gui.ui.widgets,
        ixempra_gui.core.units,  # no Qt
        ixempra_gui.presentation.session,
        inspect,  # the standard library
        sys,  # built in: no file, PySide6's own check answers
    ]
    for module in modules:
        try:
            expected = "PySide6" in inspect.getsource(module)
        except (OSError, TypeError):
            expected = False
        assert fast(module) is expected, module.__name__


def test_installing_twice_keeps_one_replacement() -> None:
    feature = sys.modules["shibokensupport.feature"]
    first = feature._mod_uses_pyside
    assert import_check.install() and feature._mod_uses_pyside is first

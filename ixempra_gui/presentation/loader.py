"""The one lazy seam of the Qt-free side: what the first frame does not need, loaded on first use.

The window is painted before pint's registry, the rules and the journal are imported (about
150 ms; bench/startup.py): everything that runs only once an order is calculated is reached as
an attribute of this module (``loader.order_view.present(...)``), and the module named is
imported then, once (PEP 562 ``__getattr__``; the attribute is then cached in this module's
namespace, so later lookups are plain attribute reads). Modules that are themselves only
loaded after the first frame import the core at their top, as any module does.

The widgets' side of the same seam (QtPrintSupport, the dialogs, Qt classes used only later) is
``ixempra_gui.ui.loader``: the layer contracts keep Qt out of this one.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # what each name is, for mypy and readers; imported on first use below
    import datetime as datetime

    from ixempra_gui.presentation import alerts as alerts
    from ixempra_gui.presentation import coverage_answers as coverage_answers
    from ixempra_gui.presentation import coverage_view as coverage_view
    from ixempra_gui.presentation import history_view as history_view
    from ixempra_gui.presentation import journal_access as journal_access
    from ixempra_gui.presentation import journal_sign_in as journal_sign_in
    from ixempra_gui.presentation import new_order as new_order
    from ixempra_gui.presentation import order_input as order_input
    from ixempra_gui.presentation import order_state as order_state
    from ixempra_gui.presentation import order_view as order_view
    from ixempra_gui.presentation import preparation_desk as preparation_desk
    from ixempra_gui.presentation import prior_auth_sheet as prior_auth_sheet
    from ixempra_gui.presentation import site_checks as site_checks
    from ixempra_gui.presentation import title as title
    from ixempra_gui.presentation import verify_check as verify_check
    from ixempra_gui.presentation import verify_view as verify_view
    from ixempra_gui.presentation import worksheet as worksheet
    from ixempra_gui.presentation import worksheet_preparation as worksheet_preparation

#: Attribute → module imported on first use. ``datetime`` too: the window's first frame
#: needs no date (about 2 ms of start-up).
MODULES = {
    "datetime": "datetime",
    "alerts": "ixempra_gui.presentation.alerts",
    "coverage_answers": "ixempra_gui.presentation.coverage_answers",
    "coverage_view": "ixempra_gui.presentation.coverage_view",
    "history_view": "ixempra_gui.presentation.history_view",
    "journal_access": "ixempra_gui.presentation.journal_access",
    "journal_sign_in": "ixempra_gui.presentation.journal_sign_in",
    "new_order": "ixempra_gui.presentation.new_order",
    "order_input": "ixempra_gui.presentation.order_input",
    "order_state": "ixempra_gui.presentation.order_state",
    "order_view": "ixempra_gui.presentation.order_view",
    "preparation_desk": "ixempra_gui.presentation.preparation_desk",
    "worksheet_preparation": "ixempra_gui.presentation.worksheet_preparation",
    "prior_auth_sheet": "ixempra_gui.presentation.prior_auth_sheet",
    "site_checks": "ixempra_gui.presentation.site_checks",
    "title": "ixempra_gui.presentation.title",
    "verify_check": "ixempra_gui.presentation.verify_check",
    "verify_view": "ixempra_gui.presentation.verify_view",
    "worksheet": "ixempra_gui.presentation.worksheet",
}

__all__ = sorted(MODULES)


def __getattr__(name: str) -> ModuleType:
    try:
        path = MODULES[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    module = importlib.import_module(path)
    globals()[name] = module  # from now on a plain attribute: no second lookup through here
    return module


def loaded() -> tuple[str, ...]:
    """The names already imported through this seam (tests and the start-up bench read it)."""
    return tuple(name for name in MODULES if name in globals())

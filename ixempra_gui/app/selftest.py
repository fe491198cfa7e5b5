"""``ixempra-gui --self-test``: prove that an installed copy works, one line per check.

The same command runs in a checkout, a venv, the .deb and the Windows install, so it checks what
an install can get wrong: data files found where the app is installed, the core giving the golden
figures, every Qt plugin the app loads at run time (platform, styles, image formats, print
support) present and loadable after trimming, the main window built, a worksheet PDF rendered,
a journal opened, and the site journal's PostgreSQL driver loaded. It needs no display: without
one it uses Qt's offscreen platform.

Exit status 0 when every check passed, 1 otherwise; the last line names the failed checks.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from ixempra_gui import APP_NAME, __version__
from ixempra_gui.app.selftest_core import (
    EXIT_FAILED,
    EXIT_OK,
    CheckFailed,
    NotInThisBuild,
    Outcome,
    check_golden_cases,
    check_journal,
    check_kit_scanning,
    check_label_barcode,
    check_python,
    check_resources,
    check_site_journal,
    golden_mismatches,
    golden_order,
)
from ixempra_gui.app.selftest_qt import (
    check_image_formats,
    check_main_window,
    check_plugins,
    check_print_support,
    check_qt,
    needs_offscreen,
    required_plugins,
    start_qt,
)

__all__ = [
    "EXIT_FAILED",
    "EXIT_OK",
    "CheckFailed",
    "NotInThisBuild",
    "check_journal",
    "check_kit_scanning",
    "check_label_barcode",
    "check_plugins",
    "golden_mismatches",
    "golden_order",
    "needs_offscreen",
    "required_plugins",
    "run",
]


# -- the run ----------------------------------------------------------------------------------


def _emit(line: str, stream: TextIO | None) -> None:
    """Print one line; pythonw.exe has no stdout, which must not fail the test."""
    target = stream if stream is not None else sys.stdout
    if target is None:
        return
    print(line, file=target, flush=True)


def run(qt_args: Sequence[str] = (), stream: TextIO | None = None) -> int:
    """Run every check, print one line each, return the exit status."""
    outcomes: list[Outcome] = []
    started = time.perf_counter()

    def step(name: str, check: Callable[[], str]) -> bool:
        try:
            outcome = Outcome(name, True, f"ok: {check()}")
        except NotInThisBuild as absent:
            outcome = Outcome(name, True, str(absent))
        except Exception as err:  # a check must report, never crash the run
            outcome = Outcome(name, False, f"FAILED: {type(err).__name__}: {err}")
        outcomes.append(outcome)
        _emit(f"self-test: {name}: {outcome.detail}", stream)
        return outcome.ok

    _emit(f"self-test: {APP_NAME} {__version__}", stream)
    step("python", check_python)
    step("resources", check_resources)
    step("golden cases", check_golden_cases)
    step("kit scanning", check_kit_scanning)
    step("label barcode", check_label_barcode)
    with tempfile.TemporaryDirectory(prefix="ixempra-selftest-") as tmp:
        folder = Path(tmp)
        holder: dict[str, Any] = {}

        def qt() -> str:
            holder["app"] = start_qt(qt_args)
            return check_qt(holder["app"])

        qt_names = ("qt plugins", "image formats", "print support", "main window")
        if step("qt", qt):
            step("qt plugins", check_plugins)
            step("image formats", check_image_formats)
            step("print support", lambda: check_print_support(folder))
            step("main window", lambda: check_main_window(holder["app"]))
        else:
            for name in qt_names:
                outcomes.append(Outcome(name, False, "FAILED: not run: Qt did not start"))
                _emit(f"self-test: {name}: FAILED: not run: Qt did not start", stream)
        step("journal", lambda: check_journal(folder / "journal"))
        step("site journal", check_site_journal)

    failed = [o.name for o in outcomes if not o.ok]
    seconds = time.perf_counter() - started
    if failed:
        _emit(f"self-test: FAILED ({len(failed)} of {len(outcomes)}): {', '.join(failed)}", stream)
        return EXIT_FAILED
    _emit(f"self-test: PASSED ({len(outcomes)} checks in {seconds:.1f} s)", stream)
    return EXIT_OK

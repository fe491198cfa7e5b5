"""How long the window's GUI thread stalls while the journal is slow to answer, with the
journal calls on a worker thread (``ui/off_thread.ThreadRunner``, the window's) against the
same calls on the GUI thread (``presentation/background.ImmediateRunner``: what the window
did before), same run.

A journal that does not answer is stood in for by a History read that sleeps ``--wait`` s
(a silent server waits 10 s, a locked SQLite file up to 30 s). A 10 ms QTimer ticks on the GUI
thread throughout; the figure is the longest gap between two ticks while the read is under
way, and when the doses reached the panel. Prints figures only, never fails on timings.

Run from the repository root: QT_QPA_PLATFORM=offscreen python bench/gui_stall.py [--wait S]
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import os
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if importlib.util.find_spec("ixempra_gui") is None:  # a checkout that is not installed
    sys.path.insert(0, str(REPO_ROOT))
_FOLDER = Path(tempfile.mkdtemp(prefix="ixempra-bench-stall-"))
os.environ["IXEMPRA_CONFIG_DIR"] = str(_FOLDER / "config")
os.environ["IXEMPRA_DATA_DIR"] = str(_FOLDER / "data")

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from ixempra_gui.app import window  # noqa: E402
from ixempra_gui.presentation import journal_access  # noqa: E402
from ixempra_gui.presentation.background import ImmediateRunner  # noqa: E402
from ixempra_gui.ui.off_thread import ThreadRunner  # noqa: E402


def stall(app: QApplication, on_thread: bool, wait: float) -> tuple[float, float]:
    """(longest gap between 10 ms ticks during the read, time until the doses were shown)."""
    win = window.create_main_window()
    win.session.runner = ThreadRunner(win) if on_thread else ImmediateRunner()
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    form = win.form.form_input()
    win.session.edit(form.__class__(**{**form.__dict__, "patient_id": "MRN-BENCH"}))
    timer.start()
    shown: list[float] = []
    win.session.events.history.connect(
        lambda view: (
            shown.append(time.perf_counter()) if "No verified dose" in view.summary else None
        )
    )
    start = time.perf_counter()
    QTimer.singleShot(20, win.session.load_history)
    while not shown and time.perf_counter() - start < wait + 5:
        app.processEvents()
        time.sleep(0.001)
    end = time.perf_counter() + 0.05
    while time.perf_counter() < end:
        app.processEvents()
    timer.stop()
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    win.close()
    return max(gaps, default=0.0), (shown[0] - start if shown else float("nan"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wait", type=float, default=1.0, help="the slow read, in seconds")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    real = journal_access.fetch_doses

    def slow(patient: str, journal: object = None) -> journal_access.DosesRead:
        time.sleep(args.wait)
        return real(patient, journal)  # type: ignore[arg-type]

    journal_access.fetch_doses = slow  # type: ignore[assignment]
    base_gap, base_shown = stall(app, on_thread=False, wait=args.wait)
    gap, shown = stall(app, on_thread=True, wait=args.wait)
    print(f"journal read sleeping {args.wait * 1000:.0f} ms; a 10 ms timer on the GUI thread")
    print(
        f"  on the GUI thread (before):  longest stall {base_gap * 1000:7.1f} ms, "
        f"doses shown after {base_shown * 1000:7.1f} ms"
    )
    print(
        f"  on a worker thread (now):    longest stall {gap * 1000:7.1f} ms, "
        f"doses shown after {shown * 1000:7.1f} ms"
    )
    if gap > 0:
        print(f"  stall ratio before/now: {base_gap / gap:.0f}x")


if __name__ == "__main__":
    main()

"""How fast the workstation window appears and answers a keystroke, measured in one run.

1. Start-up: launch → first painted window, in fresh processes on the offscreen platform, for
   the app (``create_main_window`` as ``ixempra-gui`` does it) and for a bare PySide6 window
   with one label; several runs each, interleaved. Prints the medians and their ratio
   (target: app ≤ 1.2 × bare; first result ≤ 2 × bare; RSS ≤ 1.3 × bare). Also prints
   launch → first result rendered (the core, with pint, loads just after the first paint) so
   that cost is not hidden, and the resident memory of each once its first result is shown.
   Beside them, the floors the fixed points set (PySide6, pint in the process), no app code:
   a plain PySide6 window holding the same widgets the app made for its first frame (counted
   per class, shown or hidden, in the app's run) with the Qt namespace's enums loaded; and the
   bare window that then imports pint and builds the unit registry (its load time and RSS).
   A target below its floor cannot be met while that fixed point holds.
2. Keystroke → result rendered: in one process, the v01 order typed into the active window,
   then keystrokes that each change the weight (a full recalculation and re-render each time):
   time from the key press until the window is at rest again (the event loop run until a pass
   delivers nothing: every layout pass and repaint the key caused, however many rounds of
   posted events they take), for a digit that changes one dose into another, a Backspace that
   makes the weight wrong (the dose becomes "—" and the message appears), and the worst case,
   a digit that turns "—" into a dose (every section of the details fills in).
   Prints median and p99 (target p99 ≤ 16.7 ms, one frame at 60 Hz). Then the same with a
   patient identifier typed whose history holds ``--doses`` verified doses (a temporary
   journal). Off the keystroke path, timed apart: the History panel's redraw (once typing
   pauses, from the doses read once) and the journal read (once per identifier, debounced).

Prints figures only; never fails on timings. Run from the repository root:
    python bench/startup.py [--runs 9] [--keystrokes 400]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

REPO_ROOT = Path(__file__).resolve().parent.parent

# The child prints a line at the first Paint event of its top-level window, and the app variant
# another once the first calculation has been rendered, then quits.
CHILD = r"""
import sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

variant = sys.argv[1]

def resident_kb():  # resident memory now (Linux: VmRSS), else the peak so far (kB)
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

app = QApplication(["bench", "-platform", "offscreen"])

class FirstPaint(QObject):
    done = False
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and not self.done:
            self.done = True
            print("painted", flush=True)
            QTimer.singleShot(0, after_paint)
        return False

if variant == "app":
    from ixempra_gui.app import create_main_window
    window = create_main_window(defer_coverage=True)  # as app.main builds it
elif variant == "replica":  # the Qt widgets of the app's first frame, without the app's code
    import json
    from PySide6 import QtWidgets
    from PySide6.QtCore import Qt  # the Qt namespace: any real window touches its enum classes
    window = QtWidgets.QMainWindow()
    page = QtWidgets.QWidget()
    layout = QtWidgets.QVBoxLayout(page)
    for kind, count in json.loads(sys.argv[2]).items():
        name, _, hidden = kind.partition(" ")
        for _ in range(count):
            widget = getattr(QtWidgets, name)()
            layout.addWidget(widget, 0, Qt.AlignmentFlag.AlignLeft)
            widget.setHidden(bool(hidden))
    window.setCentralWidget(page)
    window.resize(1280, 720)
else:  # "bare", and "pint": the bare window, then pint with the app's unit definitions
    from PySide6.QtWidgets import QLabel
    window = QLabel("Ixempra dosing workstation")

def widget_classes():  # the widgets the app's code made for its first frame, per PySide6 class
    import collections, json
    from PySide6 import QtWidgets
    def pyside_class(widget):
        return next(c.__name__ for c in type(widget).__mro__ if c.__module__.startswith("PySide6"))
    def made_by_qt(widget):  # a part a composite widget makes for itself (popup, scroll bars)
        parent = widget.parentWidget()
        while parent is not None:
            if isinstance(parent, QtWidgets.QComboBox):
                return True
            scroll_area = isinstance(parent, QtWidgets.QAbstractScrollArea)
            if scroll_area and widget.parentWidget() is parent:  # viewport, bar containers
                return True
            parent = parent.parentWidget()
        return isinstance(widget, (QtWidgets.QScrollBar, QtWidgets.QSplitterHandle,
                                   QtWidgets.QTabBar, QtWidgets.QMenuBar))
    counts = collections.Counter(  # "QLabel" shown, "QLabel hidden" made but not shown
        pyside_class(w) + ("" if w.isVisible() else " hidden")
        for w in app.allWidgets() if w.isWindow() is False and not made_by_qt(w)
    )
    return json.dumps(dict(counts))

def after_paint():
    if variant == "app" and window.view is None:
        QTimer.singleShot(0, after_paint)  # the first calculation is queued after the paint
        return
    if variant == "pint":
        from ixempra_gui.core.units import registry
        registry()
    print("result", flush=True)
    print(f"rss {resident_kb()}", flush=True)
    if variant == "app":
        print(f"widgets {widget_classes()}", flush=True)
    app.quit()

watcher = FirstPaint()
window.installEventFilter(watcher)
window.show()
QTimer.singleShot(30000, app.quit)  # never hang the bench, whatever goes wrong
sys.exit(app.exec())
"""


class Launch(NamedTuple):
    painted: float  # seconds from launch to the first paint
    result: float  # ... to the first result rendered (bare: painted; pint: pint loaded)
    rss: float  # resident memory (MB) at that moment
    widgets: str  # the app's first frame: widgets per PySide6 class (JSON), else ""


def launch_once(variant: str, env: dict[str, str], widgets: str = "") -> Launch:
    """One fresh process of ``variant`` (see CHILD), timed from its launch."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, variant, widgets],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
        cwd=REPO_ROOT,
    )
    assert proc.stdout is not None
    painted = result = rss = float("nan")
    for line in proc.stdout:
        now = time.perf_counter() - start
        if line.strip() == "painted":
            painted = now
        elif line.strip() == "result":
            result = now
        elif line.startswith("rss "):
            rss = int(line.split()[1]) / 1024
        elif line.startswith("widgets "):
            widgets = line.split(" ", 1)[1].strip()
    if proc.wait(timeout=60) != 0 or painted != painted or result != result:  # NaN: no line
        raise RuntimeError(
            f"the {variant} child did not paint and calculate (exit {proc.returncode})"
        )
    return Launch(painted, result, rss, widgets)


def median(launches: list[Launch], field: str) -> float:
    return statistics.median(getattr(launch, field) for launch in launches)


def bench_startup(runs: int) -> None:
    """The app against the bare window, and the floors the fixed points set (PySide6 with the
    widgets the first frame shows; pint with the unit definitions), all interleaved."""
    config = tempfile.mkdtemp(prefix="ixempra-bench-config-")
    env = dict(
        os.environ,
        PYTHONDONTWRITEBYTECODE="",  # bytecode cached, as in an installed copy (pip compiles it)
        QT_QPA_PLATFORM="offscreen",
        IXEMPRA_CONFIG_DIR=config,
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
    )
    env.pop("PYTHONDONTWRITEBYTECODE")
    launch_once("bare", env)  # warm the OS file cache for both, and write the app's bytecode
    widgets = launch_once("app", env).widgets
    launch_once("replica", env, widgets)
    times: dict[str, list[Launch]] = {"bare": [], "app": [], "replica": [], "pint": []}
    for _ in range(runs):
        for variant in times:
            times[variant].append(launch_once(variant, env, widgets))
    bare, app = median(times["bare"], "painted"), median(times["app"], "painted")
    app_result = median(times["app"], "result")
    bare_rss, app_rss = median(times["bare"], "rss"), median(times["app"], "rss")
    print(f"start-up, launch → first painted window, median of {runs} runs (offscreen):")
    print(f"  bare PySide6 window, one label   {bare * 1000:7.1f} ms")
    print(f"  ixempra-gui main window          {app * 1000:7.1f} ms")
    print(f"  ratio app / bare                 {app / bare:7.2f}   (target ≤ 1.2)")
    print(
        f"  app, launch → first result shown {app_result * 1000:7.1f} ms  (core loads after paint)"
    )
    print(f"  ratio first result / bare paint  {app_result / bare:7.2f}   (target ≤ 2)")
    print(f"RSS, bare window {bare_rss:.1f} MB, app with its first result {app_rss:.1f} MB")
    print(f"  ratio app / bare                 {app_rss / bare_rss:7.2f}   (target ≤ 1.3)")
    replica = median(times["replica"], "painted")
    pint_result, pint_rss = median(times["pint"], "result"), median(times["pint"], "rss")
    count = sum(json.loads(widgets).values())
    print("floors set by the fixed points, same run (no app code):")
    print(
        f"  PySide6 alone, the first frame's {count} widgets and the Qt enums: painted "
        f"{replica * 1000:.1f} ms = {replica / bare:.2f} × bare"
    )
    print(
        f"  bare window, then pint with the unit definitions: loaded {pint_result * 1000:.1f} ms"
        f" = {pint_result / bare:.2f} × bare paint; RSS {pint_rss:.1f} MB = "
        f"{pint_rss / bare_rss:.2f} × bare"
    )


PATIENT = "BENCH-0001"


def fill_journal(doses: int) -> None:
    """A temporary journal holding ``doses`` verified doses of PATIENT, three weeks apart."""
    from datetime import date, timedelta

    from ixempra_gui.core.calculator import calculate
    from ixempra_gui.core.models import Order
    from ixempra_gui.journal.entries import NewRecord
    from ixempra_gui.journal.store import Journal

    order = Order(
        height="170 cm",
        weight="70 kg",
        regimen="monotherapy",
        ast="30 U/L",
        ast_uln="40 U/L",
        alt="25 U/L",
        alt_uln="40 U/L",
        bilirubin="0.8 mg/dL",
        bilirubin_uln="1.2 mg/dL",
        anc="1800",  # counts are required before every cycle (issue 12)
        platelets="150000",
    )
    result = calculate(order)
    with Journal.open() as journal:
        for i in range(doses):
            day = date.today() - timedelta(days=21 * (doses - i))
            new = NewRecord(PATIENT, day, "A. Pharmacist", "B. Checker", order, result)
            journal.record(new, acknowledge_history=True)


def bench_keystrokes(count: int, doses: int) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["IXEMPRA_CONFIG_DIR"] = tempfile.mkdtemp(prefix="ixempra-bench-config-")
    os.environ["IXEMPRA_DATA_DIR"] = tempfile.mkdtemp(prefix="ixempra-bench-data-")
    sys.path.insert(0, str(REPO_ROOT))
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QLineEdit

    from ixempra_gui.app import create_main_window

    app = QApplication.instance() or QApplication(["bench", "-platform", "offscreen"])
    window = create_main_window()
    window.show()
    QTest.qWaitForWindowExposed(window)
    window.activateWindow()  # keystrokes go to the focused field, as at the workstation
    QTest.qWaitForWindowActive(window)
    typed = {
        "heightInput": "170 cm",
        "weightInput": "70 kg",
        "astInput": "30 U/L",
        "altInput": "25 U/L",
        "bilirubinInput": "0.8 mg/dL",
        "ancInput": "1800",  # counts are required before every cycle (issue 12)
        "plateletsInput": "150000",
    }
    for name, text in typed.items():
        edit = window.findChild(QLineEdit, name)
        edit.clear()
        QTest.keyClicks(edit, text)
    regimen = window.findChild(QComboBox, "regimenCombo")
    regimen.setCurrentIndex(regimen.findData("monotherapy"))
    app.processEvents()
    dose = window.findChild(QLabel, "doseValue")
    assert dose.text() == "72.8 mg", dose.text()

    weight = window.findChild(QLineEdit, "weightInput")
    weight.setFocus()
    digits = [Qt.Key.Key_0 + d for d in range(10)]

    from PySide6.QtCore import QEvent, QObject

    class EventCount(QObject):
        """Counts the events Qt delivers: none in a pass means the window is at rest."""

        delivered = 0

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            self.delivered += 1
            return False

    counter = EventCount()
    app.installEventFilter(counter)

    def settle() -> None:
        """Run the event loop until a pass delivers nothing: every layout pass and repaint the
        keystroke caused, however many rounds of posted events they take, is done."""
        for _ in range(50):
            before = counter.delivered
            app.processEvents()
            if counter.delivered == before:
                return

    def one_keystroke(i: int, kind: str) -> float:
        """Time one key in the weight (70 kg): from the key press until the window is at rest."""
        if kind == "invalid → dose":  # "7 kg" first: below 10 kg; the digit makes it a dose
            weight.setCursorPosition(1)
            QTest.keyClick(weight, Qt.Key.Key_Delete)
        elif kind == "dose → dose":  # the digit replaces the selected one
            weight.setSelection(1, 1)
        else:  # Backspace after "70": "7 kg", the dose becomes "—" and the message appears
            weight.setCursorPosition(2)
        settle()
        start = time.perf_counter()
        key = Qt.Key.Key_Backspace if kind == "dose → '—'" else digits[i % 10]
        QTest.keyClick(weight, key)  # recalculates and re-renders synchronously (textChanged)
        settle()  # layout and repaint: the new figures on screen
        elapsed = time.perf_counter() - start
        shown.add(dose.text())
        if kind == "dose → '—'":
            QTest.keyClick(weight, digits[i % 10])  # back to a dose, untimed
        return elapsed

    shown: set[str] = set()

    def measure(where: str) -> None:
        for label, kind in (
            ("dose → dose", "dose → dose"),
            ("dose → '—' (a wrong value)", "dose → '—'"),
            ("'—' → dose (worst case)", "invalid → dose"),
        ):
            samples = sorted(one_keystroke(i, kind) for i in range(count))
            p99 = samples[min(len(samples) - 1, round(0.99 * (len(samples) - 1)))]
            print(f"keystroke → result rendered, {label}, {where}, {count} keystrokes:")
            print(f"  median {statistics.median(samples) * 1000:6.2f} ms")
            print(f"  p99    {p99 * 1000:6.2f} ms   (target ≤ 16.7 ms, one frame at 60 Hz)")

    measure("no patient identifier")
    print(f"  ({len(shown)} different doses shown)")

    fill_journal(doses)
    patient = window.findChild(QLineEdit, "patientIdInput")
    patient.setText(PATIENT)
    deadline = time.perf_counter() + 5
    while window.session.history.read_for != PATIENT and time.perf_counter() < deadline:
        app.processEvents()
        time.sleep(0.005)
    time.sleep(0.1)  # the History panel is redrawn once typing pauses
    settle()
    history = window.findChild(QLabel, "historySummary").text()
    assert history.startswith(f"{doses} verified doses"), history
    weight.setFocus()
    measure(f"patient with {doses} verified doses")

    redraws = []
    for i in range(100):
        weight.setText(f"{60 + i % 30} kg")  # recalculated (not timed); the panel is pending
        app.processEvents()
        start = time.perf_counter()
        window.session.publish_history()
        app.processEvents()
        redraws.append(time.perf_counter() - start)
    redraws.sort()
    print(f"History panel redraw once typing pauses ({doses} doses), 100 redraws:")
    print(f"  median {statistics.median(redraws) * 1000:6.2f} ms, p99 {redraws[98] * 1000:6.2f} ms")

    from ixempra_gui.journal.store import read_patient_doses

    reads = []
    for _ in range(50):
        start = time.perf_counter()
        read_patient_doses(PATIENT)
        reads.append(time.perf_counter() - start)
    print(f"journal read for the History panel ({doses} doses; once per identifier, debounced):")
    print(f"  median {statistics.median(reads) * 1000:6.2f} ms   (not on the keystroke path)")
    window.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=9, help="start-up runs per variant")
    parser.add_argument("--keystrokes", type=int, default=400)
    parser.add_argument(
        "--doses", type=int, default=20, help="verified doses in the patient's history"
    )
    args = parser.parse_args()
    print(f"{platform.python_implementation()} {platform.python_version()}, {platform.machine()}")
    bench_startup(args.runs)
    bench_keystrokes(args.keystrokes, args.doses)


if __name__ == "__main__":
    main()

"""How fast the Preparation panel answers a scan and redraws its clocks, measured in one run.

In one process on the offscreen platform, with a temporary journal holding one verified dose
(1 × 45 mg + 2 × 15 mg): the panel's redraw (the clocks' timer: every scan and time judged
again, the view worded) before and after the preparation is recorded (after: the bag label is
built too, its Code 128 by python-barcode), and one scan typed as a keyboard-wedge scanner
types it (key events char by char, Enter) until the panel is at rest: accepted, and refused
(the near miss appended to the journal, fsync included). Baseline, in the same run: the same
panel's QLabel.setText of one kit row (what any redraw costs at least), and the frame budget
(16.7 ms at 60 Hz). Prints figures only; never fails on timings.

    QT_QPA_PLATFORM=offscreen python bench/preparation.py [--repeat 200]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FRAME_MS = 1000 / 60


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"median {statistics.median(ordered):7.3f} ms, p99 {p99:7.3f} ms"


def _time(action: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="ixempra-bench-prep-"))
    os.environ["IXEMPRA_DATA_DIR"] = str(folder / "data")
    os.environ["IXEMPRA_CONFIG_DIR"] = str(folder / "config")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "journal")]
    # bench only: the test helpers compose the dose and the kit codes (biip's check digits)
    from gs1_codes import GTIN_15, GTIN_45, kit_code
    from journal_support import new_record

    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    from ixempra_gui.journal.store import Journal
    from ixempra_gui.presentation.preparation_desk import PreparationDesk
    from ixempra_gui.ui.preparation_panel import PreparationPanel

    app = QApplication.instance() or QApplication([])
    with Journal.open() as journal:
        record = journal.record(new_record("MRN-BENCH", date.today()))
    panel = PreparationPanel(PreparationDesk(record, lambda: datetime.now().astimezone()))
    panel.resize(1100, 690)
    panel.show()
    panel.compounder.setText("C. Technician")
    panel._compounder_edited("C. Technician")
    expiry = (date.today() + timedelta(days=400)).strftime("%y%m%d")

    def wedge(code: str) -> None:
        for char in [*code, "\r"]:
            key = Qt.Key.Key_Return if char == "\r" else Qt.Key.Key_unknown
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QApplication.sendEvent(
                    panel.scan_field, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, char)
                )
        app.processEvents()

    row = panel.kit_labels[0]
    baseline = _time(lambda: row.setText(row.text() + ""), args.repeat)
    before = _time(panel.refresh, args.repeat)
    wedge(kit_code(GTIN_45, expiry, serial="B-45"))
    accepted = _time(
        lambda: wedge(kit_code(GTIN_15, expiry, lot="L0")) or panel.desk.scans.pop(), 50
    )
    refused = _time(lambda: wedge(kit_code(GTIN_45, expiry, serial="B-45")), 20)
    wedge(kit_code(GTIN_15, expiry, lot="L1"))
    wedge(kit_code(GTIN_15, expiry, lot="L2"))
    panel.record()
    after = _time(panel.refresh, args.repeat)
    python = sys.version.split()[0]
    print(f"Preparation panel, {args.repeat} redraws each (offscreen, Python {python})")
    print(f"  baseline QLabel.setText of a kit row   {_ms(baseline)}")
    print(f"  redraw, kits being scanned             {_ms(before)}")
    print(f"  redraw, recorded (label + Code 128)    {_ms(after)}")
    print(f"  wedge scan accepted, keys -> at rest   {_ms(accepted)}")
    print(f"  wedge scan refused + near miss kept    {_ms(refused)}")
    for name, samples in (("redraw (recorded)", after), ("scan accepted", accepted)):
        ratio = statistics.median(samples) / FRAME_MS
        print(f"  {name}: {ratio:.2f} × the 16.7 ms frame budget (median)")


if __name__ == "__main__":
    main()

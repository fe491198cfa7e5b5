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

import html
import importlib
import importlib.util
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from ixempra_gui import APP_NAME, __version__
from ixempra_gui.core.resources import resource_path, resources_dir

EXIT_OK = 0
EXIT_FAILED = 1

GOLDEN_CASES = ("golden", "reference-cases.json")
ICON = ("icons", "ixempra-gui.svg")
NOT_AVAILABLE = "not available in this build"

#: Qt plugins the app loads at run time, by folder and base name (no lib prefix, no suffix).
#: The installers keep these when they trim Qt; this list is what proves the trimming safe.
COMMON_PLUGINS = (
    ("platforms", "qoffscreen"),
    ("imageformats", "qsvg"),
    ("imageformats", "qico"),
    ("iconengines", "qsvgicon"),
)
PLATFORM_PLUGINS = {
    # Qt for Windows builds its print support into Qt6PrintSupport.dll (no plugin file).
    "win32": (
        ("platforms", "qwindows"),
        ("styles", "qmodernwindowsstyle"),
    ),
    "linux": (
        ("platforms", "qxcb"),
        ("platforminputcontexts", "composeplatforminputcontextplugin"),
        ("printsupport", "cupsprintersupport"),
    ),
}


class CheckFailed(Exception):
    """A self-test check found a problem; the message says what."""


class NotInThisBuild(Exception):
    """The part a check covers is not in this build (not a failure)."""


@dataclass
class Outcome:
    name: str
    ok: bool
    detail: str


def required_plugins(platform_name: str = sys.platform) -> tuple[tuple[str, str], ...]:
    """The (folder, base name) of every Qt plugin this platform's install must carry."""
    key = "linux" if platform_name.startswith("linux") else platform_name
    return COMMON_PLUGINS + PLATFORM_PLUGINS.get(key, ())


def needs_offscreen(qt_args: Sequence[str], environ: dict[str, str] | None = None) -> bool:
    """True on Linux with no X11/Wayland display and no platform chosen by the caller."""
    env = os.environ if environ is None else environ
    if not sys.platform.startswith("linux"):
        return False
    if any(env.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")):
        return False
    return not any(arg.split("=", 1)[0] in ("-platform", "--platform") for arg in qt_args)


# -- checks that need no Qt -----------------------------------------------------------------


def check_python() -> str:
    frozen = " (frozen)" if getattr(sys, "frozen", False) else ""
    return (
        f"{platform.python_implementation()} {platform.python_version()} "
        f"{platform.machine() or '?'}{frozen} at {sys.executable}; "
        f"{APP_NAME} {__version__} from {Path(__file__).resolve().parent.parent}"
    )


def check_resources() -> str:
    from ixempra_gui.core.policy import load_policy
    from ixempra_gui.core.units import registry

    folder = resources_dir()
    policy = load_policy()
    registry().Quantity(1, "m").to("cm")
    for parts in (GOLDEN_CASES, ICON):
        if not resource_path(*parts).is_file():
            raise CheckFailed(f"missing {'/'.join(parts)} in {folder}")
    return f"{folder} (policy {policy.id} reviewed {policy.last_review}, unit definitions)"


def golden_mismatches(case: dict[str, Any], out: dict[str, Any]) -> list[str]:
    """Each expected key whose value differs, as 'key: expected X, got Y'."""
    wrong = []
    for key, value in case["expected"].items():
        got = out.get(key)
        if key == "billing" and value is not None and isinstance(got, dict):
            got = {k: got.get(k) for k in value}
        if got != value:
            wrong.append(f"{key}: expected {value!r}, got {got!r}")
    return wrong


def check_golden_cases() -> str:
    from ixempra_gui.cli.calc import build_parser, order_from_args
    from ixempra_gui.core.calculator import calculate
    from ixempra_gui.core.report import to_json_dict

    cases = json.loads(resource_path(*GOLDEN_CASES).read_text(encoding="utf-8"))
    if not cases:
        raise CheckFailed("no golden cases bundled")
    failures = []
    for case in cases:
        argv = [part for key, value in case["args"].items() for part in (key, value)]
        args = build_parser().parse_args([*argv, *case.get("flags", [])])
        out = to_json_dict(calculate(order_from_args(args)))
        wrong = golden_mismatches(case, out)
        if wrong:
            failures.append(f"{case['id']} ({'; '.join(wrong)})")
    if failures:
        raise CheckFailed(f"{len(failures)}/{len(cases)} cases differ: " + " | ".join(failures))
    return f"{len(cases)}/{len(cases)} reference cases give the expected results"


def check_kit_scanning() -> str:
    """Each kit's code, composed with biip's check digit, reads back as that kit; a wrong check
    digit is refused: biip and its data files (AI table, prefix tries) work where installed."""
    import biip
    from biip.checksums import gs1_standard_check_digit

    from ixempra_gui.core.gs1_scan import GS, KitScan, ScanRefusal, parse_scan
    from ixempra_gui.core.kits import load_kits

    catalog = load_kits()
    read = []
    for kit in catalog.kits:
        payload = "003" + kit.ndc_digits
        gtin = payload + str(gs1_standard_check_digit(payload))
        scan = parse_scan(f"]d201{gtin}17271231{GS}21SELFTEST{GS}10LOT42\r\n")
        match = catalog.identify(scan.ndc10) if isinstance(scan, KitScan) else None
        if match is None or match.product != kit:
            raise CheckFailed(f"the {kit.strength_mg} mg kit's code did not read back: {scan}")
        wrong = gtin[:-1] + str((int(gtin[-1]) + 1) % 10)
        if not isinstance(parse_scan(f"01{wrong}17271231{GS}10LOT42"), ScanRefusal):
            raise CheckFailed(f"a wrong check digit on {wrong} was accepted")
        unverified = "" if kit.package_verified else ", package code unverified"
        read.append(f"{kit.strength_mg} mg {kit.ndc11}{unverified}")
    return f"biip {biip.__version__} reads the kits' codes ({'; '.join(read)})"


def golden_order(case_id: str = "v01") -> Any:
    """The Order of one bundled golden case, read the way ixempra-calc reads its options."""
    from ixempra_gui.cli.calc import build_parser, order_from_args

    cases = json.loads(resource_path(*GOLDEN_CASES).read_text(encoding="utf-8"))
    case = next(c for c in cases if c["id"] == case_id)
    argv = [part for key, value in case["args"].items() for part in (key, value)]
    return order_from_args(build_parser().parse_args([*argv, *case.get("flags", [])]))


def check_journal(folder: Path) -> str:
    """Create a journal in ``folder`` (never the user's, nor the user's anchor: its own anchor
    beside it), record golden case v01 as a verified dose, and walk the chain and check the
    anchor: SQLite (its JSON functions), WAL, fsync and hashing work where the app is
    installed."""
    if importlib.util.find_spec("ixempra_gui.journal") is None:
        raise NotInThisBuild(NOT_AVAILABLE)
    from datetime import date

    from ixempra_gui.core.calculator import calculate
    from ixempra_gui.journal.anchor import AnchorFile
    from ixempra_gui.journal.entries import NewRecord
    from ixempra_gui.journal.store import Journal

    order = golden_order("v01")
    record = NewRecord(
        patient_id="SELF-TEST",
        administered_on=date.today(),
        prepared_by="self-test preparer",
        verified_by="self-test verifier",
        order=order,
        result=calculate(order),
        recorded_with="ixempra-gui --self-test",
    )
    anchor = AnchorFile(folder / "self-test-anchor.json")
    with Journal.open(folder, anchor=anchor) as journal:
        stored = journal.record(record)
        report = journal.verify()
        path = journal.path
    if not report.ok or report.records != 1:
        raise CheckFailed(f"chain of {report.records} record(s) failed: {report.problem}")
    if anchor.read() != report.head:
        raise CheckFailed(f"the anchor {anchor.path} does not hold the head")
    return f"record {stored.id} ({stored.short_hash}) written, verified and anchored in {path}"


def check_site_journal() -> str:
    """The site journal's PostgreSQL driver loads here (psycopg and the libpq, OpenSSL it
    carries), and which journal this workstation is set up for: the site settings are read as
    the app reads them, so a site.ini that cannot be used fails this check. No connection."""
    if importlib.util.find_spec("psycopg") is None:
        raise NotInThisBuild(NOT_AVAILABLE + " (install ixempra-gui[postgresql])")
    import psycopg

    from ixempra_gui.journal.configured import location
    from ixempra_gui.journal.errors import JournalError

    libpq = psycopg.pq.version()  # loads libpq (and, through it, OpenSSL)
    try:
        where = location()
    except JournalError as exc:
        raise CheckFailed(str(exc)) from exc
    return (
        f"psycopg {psycopg.__version__} ({psycopg.pq.__impl__}), libpq "
        f"{libpq // 10000}.{libpq % 10000}; this workstation uses the {where}"
    )


# -- checks that need Qt ----------------------------------------------------------------------


def start_qt(qt_args: Sequence[str]) -> Any:
    """The QApplication (an existing one is reused), on offscreen when there is no display."""
    from PySide6.QtWidgets import QApplication

    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    args = ["ixempra-gui", *qt_args]
    if needs_offscreen(qt_args):
        args += ["-platform", "offscreen"]
    return QApplication(args)


def check_qt(app: Any) -> str:
    import PySide6
    from PySide6.QtCore import QLibraryInfo, qVersion

    return (
        f"PySide6 {PySide6.__version__}, Qt {qVersion()}, platform {app.platformName()}, "
        f"style {app.style().name()}, plugins in {QLibraryInfo.path(QLibraryInfo.PluginsPath)}"
    )


def _plugin_file(folder: Path, base: str) -> Path | None:
    for candidate in (f"{base}.dll", f"lib{base}.so", f"lib{base}.dylib", f"{base}.so"):
        if (folder / candidate).is_file():
            return folder / candidate
    return None


def check_plugins() -> str:
    from PySide6.QtCore import QLibraryInfo, QPluginLoader

    root = Path(QLibraryInfo.path(QLibraryInfo.PluginsPath))
    problems, loaded = [], []
    for folder, base in required_plugins():
        found = _plugin_file(root / folder, base)
        if found is None:
            problems.append(f"{folder}/{base} missing")
            continue
        loader = QPluginLoader(str(found))
        if not loader.load():
            problems.append(f"{folder}/{found.name} does not load: {loader.errorString()}")
            continue
        loaded.append(f"{folder}/{base}")
    if problems:
        raise CheckFailed("; ".join(problems))
    return f"{len(loaded)} loaded ({', '.join(loaded)})"


def check_image_formats() -> str:
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QIcon, QImage, QImageReader

    formats = {bytes(f).decode() for f in QImageReader.supportedImageFormats()}
    missing = {"png", "svg", "ico"} - formats
    if missing:
        raise CheckFailed(f"image formats missing: {', '.join(sorted(missing))}")
    svg = resource_path(*ICON)
    reader = QImageReader(str(svg))
    reader.setScaledSize(QSize(64, 64))
    image = reader.read()
    if image.isNull():
        raise CheckFailed(f"{svg.name} did not load: {reader.errorString()}")
    if image.pixelColor(32, 32).alpha() == 0:
        raise CheckFailed(f"{svg.name} rendered empty")
    pixmap = QIcon(str(svg)).pixmap(48, 48)
    if pixmap.isNull():
        raise CheckFailed("the svg icon engine gave no pixmap")
    with tempfile.TemporaryDirectory(prefix="ixempra-selftest-") as tmp:
        ico = Path(tmp) / "icon.ico"
        if not image.save(str(ico), "ICO") or QImage(str(ico)).isNull():
            raise CheckFailed("ICO round trip failed")
    return f"svg, ico, png ({len(formats)} formats); app icon rendered at 64 px"


def worksheet_html() -> str:
    """A worksheet-like page: the summary of golden case v01, escaped as the real one is."""
    from ixempra_gui.core.calculator import calculate
    from ixempra_gui.core.models import Order
    from ixempra_gui.core.report import text_summary

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
    )
    summary = html.escape(text_summary(calculate(order)))
    return (
        f"<h1>{html.escape(APP_NAME)}: self-test worksheet</h1>"
        f"<p>Not for use: printed by ixempra-gui --self-test {__version__}.</p>"
        f"<pre>{summary}</pre><p>Prepared by: ________ Verified by: ________</p>"
    )


def _check_pdf(path: Path) -> int:
    data = path.read_bytes() if path.is_file() else b""
    if not data.startswith(b"%PDF-") or len(data) < 1000 or b"%%EOF" not in data[-64:]:
        raise CheckFailed(f"{path.name} is not a complete PDF ({len(data)} bytes)")
    return len(data)


def check_print_support(folder: Path) -> str:
    from PySide6.QtGui import QPageSize, QPdfWriter, QTextDocument
    from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

    # Listing printers loads the platform's print support plugin (cups, windows).
    printers = QPrinterInfo.availablePrinterNames()
    document = QTextDocument()
    document.setHtml(worksheet_html())

    via_writer = folder / "worksheet-pdfwriter.pdf"
    writer = QPdfWriter(str(via_writer))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.Letter))
    writer.setTitle("Ixempra self-test worksheet")
    document.print_(writer)
    del writer  # the file is finished when the writer goes

    via_printer = folder / "worksheet-printer.pdf"
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(via_printer))
    document.print_(printer)
    del printer

    sizes = [_check_pdf(via_writer), _check_pdf(via_printer)]
    return (
        f"worksheet PDF via QPdfWriter ({sizes[0]:,} bytes) and QPrinter ({sizes[1]:,} bytes) "
        f"in {folder}; {len(printers)} printer(s) listed"
    )


def build_main_window() -> Any:
    """The app's main window: ``create_main_window()`` when the app has it, else MainWindow."""
    from ixempra_gui import app

    factory = getattr(app, "create_main_window", None)
    if callable(factory):
        return factory()
    from ixempra_gui.ui.main_window import MainWindow

    return MainWindow()


def check_main_window(qt_app: Any) -> str:
    window = build_main_window()
    try:
        window.show()
        for _ in range(3):
            qt_app.processEvents()
        image = window.grab()
        if image.isNull() or image.width() < 100 or image.height() < 100:
            raise CheckFailed(f"window rendered as {image.width()}x{image.height()}")
        title = window.windowTitle()
        if not title:
            raise CheckFailed("window has no title")
        return f"{type(window).__name__} {title!r} rendered at {image.width()}x{image.height()}"
    finally:
        window.close()
        window.deleteLater()
        qt_app.processEvents()


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

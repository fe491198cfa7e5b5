"""The self-test's Qt checks: Qt starts (offscreen without a display), every plugin the app
loads at run time is present and loads, the image formats and the icon, a worksheet PDF through
QPdfWriter and QPrinter, and the main window built and rendered.

Each check imports what it checks: a part missing from an install fails its own check, never
the run (and Qt is imported only once the run has chosen its platform).
"""

from __future__ import annotations

import html
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ixempra_gui import APP_NAME, __version__
from ixempra_gui.app.selftest_core import ICON, CheckFailed
from ixempra_gui.core.resources import resource_path

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


# -- checks that need Qt ----------------------------------------------------------------------


def start_qt(qt_args: Sequence[str]) -> Any:
    """The QApplication (an existing one is reused), on offscreen when there is no display."""
    # in the check: a part missing from this install fails this check only
    from PySide6.QtWidgets import QApplication

    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    args = ["ixempra-gui", *qt_args]
    if needs_offscreen(qt_args):
        args += ["-platform", "offscreen"]
    return QApplication(args)


def check_qt(app: Any) -> str:
    # in the check: a part missing from this install fails this check only
    import PySide6
    from PySide6.QtCore import QLibraryInfo, qVersion

    plugins = QLibraryInfo.LibraryPath.PluginsPath
    return (
        f"PySide6 {PySide6.__version__}, Qt {qVersion()}, platform {app.platformName()}, "
        f"style {app.style().name()}, plugins in {QLibraryInfo.path(plugins)}"
    )


def _plugin_file(folder: Path, base: str) -> Path | None:
    for candidate in (f"{base}.dll", f"lib{base}.so", f"lib{base}.dylib", f"{base}.so"):
        if (folder / candidate).is_file():
            return folder / candidate
    return None


def check_plugins() -> str:
    # in the check: a part missing from this install fails this check only
    from PySide6.QtCore import QLibraryInfo, QPluginLoader

    root = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath))
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
    # in the check: a part missing from this install fails this check only
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QIcon, QImage, QImageReader

    formats = {bytes(f.data()).decode() for f in QImageReader.supportedImageFormats()}
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
        # PySide6 takes the format as str (its stub says bytes, which it refuses at run time)
        saved = image.save(str(ico), "ICO")  # type: ignore[call-overload]
        if not saved or QImage(str(ico)).isNull():
            raise CheckFailed("ICO round trip failed")
    return f"svg, ico, png ({len(formats)} formats); app icon rendered at 64 px"


def worksheet_html() -> str:
    """A worksheet-like page: the summary of golden case v01, escaped as the real one is."""
    # in the check: a part missing from this install fails this check only
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
    # in the check: a part missing from this install fails this check only
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
    """The app's main window, as ``ixempra-gui`` builds it (``create_main_window``)."""
    # in the check: a window module missing from this install fails this check only
    from ixempra_gui.app.window import create_main_window

    return create_main_window()


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

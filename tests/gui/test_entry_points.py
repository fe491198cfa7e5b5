"""Start the real app the way users do, in a fresh interpreter, and check how it ends."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytest.importorskip("PySide6")

from conftest import REPO
from conftest import run_module as run_app_module

from ixempra_gui import app


def run_module(*args: str, env_changes: dict[str, str | None]) -> subprocess.CompletedProcess[str]:
    """``python -m ixempra_gui`` from the checkout."""
    return run_app_module("ixempra_gui", list(args), env_changes)


@pytest.mark.slow
def test_module_starts_shows_the_window_and_quits_cleanly() -> None:
    done = run_module("--quit-after-ms", "300", env_changes={"QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0, done.stderr
    assert "unexpected error" not in done.stderr


@pytest.mark.slow
def test_help_exits_zero_and_hides_the_test_option() -> None:
    done = run_module("--help", env_changes={"QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0, done.stderr
    assert "--no-crash-dialog" in done.stdout
    assert "--quit-after-ms" not in done.stdout


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11/Wayland check is Linux-only")
def test_no_display_is_explained_instead_of_a_qt_abort() -> None:
    done = run_module(
        "--quit-after-ms",
        "0",
        env_changes={"DISPLAY": None, "WAYLAND_DISPLAY": None, "QT_QPA_PLATFORM": None},
    )
    assert done.returncode == app.EXIT_NO_DISPLAY
    assert "no display found" in done.stderr
    assert "xvfb-run ixempra-gui" in done.stderr


def test_display_check_accepts_any_way_of_choosing_a_platform(monkeypatch) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    assert not app.display_available([], environ={})
    assert app.display_available([], environ={"DISPLAY": ":0"})
    assert app.display_available([], environ={"WAYLAND_DISPLAY": "wayland-0"})
    assert app.display_available([], environ={"QT_QPA_PLATFORM": "offscreen"})
    assert app.display_available(["-platform", "offscreen"], environ={})
    monkeypatch.setattr(sys, "platform", "win32")
    assert app.display_available([], environ={})


def test_excepthook_prints_the_traceback_without_a_dialog(capsys) -> None:
    hook = app.make_excepthook(show_dialog=False)
    try:
        raise RuntimeError("boom in a slot")
    except RuntimeError as err:
        hook(type(err), err, err.__traceback__)
    err_text = capsys.readouterr().err
    assert "unexpected error" in err_text
    assert "RuntimeError: boom in a slot" in err_text
    assert "Traceback (most recent call last)" in err_text


def test_main_in_process_quits_and_restores_the_excepthook(qapp) -> None:
    from PySide6.QtCore import QTimer

    before = sys.excepthook
    try:
        assert app.main(["--quit-after-ms", "0", "--no-crash-dialog"]) == 0
        assert sys.excepthook is before
    finally:
        # main()'s quit leaves Qt's "quit now" flag set after its loop returned: every later
        # QEventLoop.exec (qtbot.wait, waitUntil, a modal dialog) would return at once, and
        # the tests that follow would neither wait nor see queued signals. One round of the
        # application's own loop clears it.
        QTimer.singleShot(0, qapp.quit)
        qapp.exec()


def run_offscreen(code: str) -> list[str]:
    """Run ``code`` in a fresh Python with an offscreen QApplication ``app``; its output lines."""
    prelude = (
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication(['t', '-platform', 'offscreen'])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", prelude + code],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()


def test_window_is_built_without_the_core_or_print_support() -> None:
    """Start-up design (timed by bench/startup.py, never here): the window is built and shown
    before pint, the core and the presenter load, and QtPrintSupport loads only to print."""
    lines = run_offscreen(
        "import sys\n"
        "from PySide6.QtWidgets import QLabel\n"
        "from ixempra_gui.app import create_main_window\n"
        "w = create_main_window()\n"
        "heavy = ('pint', 'ixempra_gui.core.calculator', 'ixempra_gui.presentation.order_view',\n"
        "         'PySide6.QtPrintSupport')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
        "w.show(); app.processEvents(); app.processEvents()\n"
        "print(w.findChild(QLabel, 'statusBanner').text())\n"
    )
    before, banner = lines[-2:]
    assert before == "[]"
    assert banner == "NO DOSE: INPUT NEEDED"


def test_app_main_path_adds_the_icon_and_the_actions_just_after_the_first_frame() -> None:
    """``create_main_window(defer_coverage=True)``, as ``main`` builds it: the window paints
    with its menus but without the window icon and the menus' actions (QIcon, QAction and
    QKeySequence wait), which are added right after, as create_main_window() has them."""
    lines = run_offscreen(
        "from ixempra_gui.app import create_main_window\n"
        "def state(w):\n"
        "    menus = [a.text() for a in w.menuBar().actions()]\n"
        "    items = [a.text() or '-' for a in w.file_menu.actions()]\n"
        "    print(app.windowIcon().isNull(), menus, items, w.help_menu.actions() != [])\n"
        "w = create_main_window(defer_coverage=True)\n"
        "state(w)\n"
        "w.show()\n"
        "for _ in range(5): app.processEvents()\n"
        "state(w)\n"
        "print(w.print_action.shortcut().toString(), w.verification.action.isEnabled())\n"
        "state(create_main_window())\n"
    )
    before, after, keys, whole = lines[-4:]
    assert before == "True ['&File', '&Help'] [] False"
    assert after.startswith("False ['&File', '&Help'] ['&New order', '-', '&Print worksheet…'")
    assert "'V&erify (independent double check)…'" in after and after.endswith("'&Quit'] True")
    assert "prior-authorization" in after  # the Coverage tab's, also just after the frame
    assert keys == "Ctrl+P False"
    assert whole == after  # create_main_window() builds the same at once


def test_an_edit_before_the_first_frame_still_has_its_actions(qtbot) -> None:
    """app.main's path: an edit that arrives before the first paint calculates at once, and
    a ready dose then has its Print and Verify actions, as after the first frame."""
    win = app.create_main_window(defer_coverage=True)
    qtbot.addWidget(win)
    assert win.print_action is None and win.verification.action is None
    from PySide6.QtWidgets import QLineEdit

    win.findChild(QLineEdit, "weightInput").setText("70 kg")
    assert win.print_action is not None and win.verification.action is not None
    assert win.view is not None and not win.print_action.isEnabled()


def test_app_main_path_enter_moves_on_once_the_window_is_up(qtbot) -> None:
    """The form's event filters (Enter moves on, FocusOut) follow the first frame there."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QComboBox, QLineEdit

    win = app.create_main_window(defer_coverage=True)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.view is not None, timeout=10000)  # after the first frame
    win.activateWindow()
    height = win.findChild(QLineEdit, "heightInput")
    height.setFocus()
    qtbot.keyClick(height, Qt.Key.Key_Return)
    assert win.focusWidget() is win.findChild(QComboBox, "heightUnitCombo")


def test_app_main_path_paints_the_same_first_frame_as_the_whole_window(qtbot) -> None:
    """What app.main leaves until after the first frame is never in it: that frame is, pixel
    for pixel, the one of the window create_main_window() builds whole."""
    frames = []
    for window in (app.create_main_window(defer_coverage=True), app.create_main_window()):
        qtbot.addWidget(window)
        window.resize(1200, 760)
        window.show()
        frames.append(window.grab().toImage())  # before any event: the first frame
    assert frames[0] == frames[1]


def test_app_main_path_paints_the_first_result_before_building_the_rest(qtbot) -> None:
    """After the first frame, the first calculation's result is painted before the Coverage
    tab (about 45 ms), the journal status and the icon are built: they follow it."""
    from PySide6.QtCore import QEvent, QObject

    win = app.create_main_window(defer_coverage=True)
    qtbot.addWidget(win)
    seen: list[tuple[bool, str]] = []  # at each paint: a result yet? what the Coverage tab is

    class Paints(QObject):
        def eventFilter(self, watched, event) -> bool:
            if event.type() == QEvent.Type.Paint:
                seen.append((win.view is not None, type(win.tabs.widget(1)).__name__))
            return False

    watcher = Paints()
    win.installEventFilter(watcher)
    win.show()
    qtbot.waitUntil(lambda: type(win.tabs.widget(1)).__name__ == "CoveragePanel", timeout=10000)
    win.removeEventFilter(watcher)
    assert seen[0] == (False, "QWidget")  # the first frame: no result, the tab's placeholder
    assert (True, "QWidget") in seen  # the result painted while Coverage was not yet built

"""Start the real app the way users do, in a fresh interpreter, and check how it ends."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytest.importorskip("PySide6")

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
    before = sys.excepthook
    assert app.main(["--quit-after-ms", "0", "--no-crash-dialog"]) == 0
    assert sys.excepthook is before

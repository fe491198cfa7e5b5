"""``ixempra-gui --self-test``: passes on a good install, names the check that fails otherwise."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import types
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from conftest import REPO, SHARED_SPEC, run_module

from ixempra_gui.app import selftest

CHECKS = (
    "python",
    "resources",
    "golden cases",
    "kit scanning",
    "label barcode",
    "qt",
    "qt plugins",
    "image formats",
    "print support",
    "main window",
    "journal",
    "site journal",
)
NO_DISPLAY = {"DISPLAY": None, "WAYLAND_DISPLAY": None, "QT_QPA_PLATFORM": None}


def _lines(stdout: str) -> dict[str, str]:
    """Check name -> the rest of its line."""
    found = {}
    for line in stdout.splitlines():
        name, _, rest = line.removeprefix("self-test: ").partition(": ")
        found[name] = rest
    return found


@pytest.mark.slow
def test_self_test_passes_without_a_display_and_prints_one_line_per_check() -> None:
    done = run_module("ixempra_gui", ["--self-test"], env_changes=NO_DISPLAY)
    assert done.returncode == selftest.EXIT_OK, done.stdout + done.stderr
    lines = _lines(done.stdout)
    for name in CHECKS:
        assert name in lines, f"no line for {name}:\n{done.stdout}"
    assert "platform offscreen" in lines["qt"]  # fell back to offscreen on its own
    assert lines["golden cases"].startswith("ok: 10/10")
    assert lines["site journal"].startswith("ok: psycopg ")  # the driver and its libpq load
    assert "this workstation uses the journal file" in lines["site journal"]
    assert done.stdout.splitlines()[-1].startswith(f"self-test: PASSED ({len(CHECKS)} checks")


def _copy_install(target: Path) -> Path:
    """A copy of the package with its data inside it, as a wheel installs it."""
    site = target / "site"
    shutil.copytree(REPO / "ixempra_gui", site / "ixempra_gui")
    shutil.copytree(REPO / "resources", site / "ixempra_gui" / "resources")
    return site


def _run_copy(site: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DISPLAY")}
    env.update(PYTHONPATH=str(site), QT_QPA_PLATFORM="offscreen")
    return subprocess.run(
        [sys.executable, "-m", "ixempra_gui", "--self-test"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )


@pytest.mark.slow
def test_a_copy_away_from_the_checkout_uses_its_own_data(tmp_path: Path) -> None:
    site = _copy_install(tmp_path)
    done = _run_copy(site, tmp_path)
    assert done.returncode == selftest.EXIT_OK, done.stdout + done.stderr
    assert str(site / "ixempra_gui" / "resources") in _lines(done.stdout)["resources"]


@pytest.mark.slow
def test_a_wrong_golden_figure_fails_and_is_named(tmp_path: Path) -> None:
    site = _copy_install(tmp_path)
    golden = site / "ixempra_gui" / "resources" / "golden" / "reference-cases.json"
    cases = json.loads(golden.read_text(encoding="utf-8"))
    cases[0]["expected"]["dose_mg"] = 72.9  # the core gives 72.8 for v01
    golden.write_text(json.dumps(cases), encoding="utf-8")
    done = _run_copy(site, tmp_path)
    assert done.returncode == selftest.EXIT_FAILED
    assert "v01 (dose_mg: expected 72.9, got 72.8)" in _lines(done.stdout)["golden cases"]
    assert done.stdout.splitlines()[-1] == f"self-test: FAILED (1 of {len(CHECKS)}): golden cases"


@pytest.mark.slow
def test_missing_data_fails_the_resources_check(tmp_path: Path) -> None:
    site = _copy_install(tmp_path)
    (site / "ixempra_gui" / "resources" / "icons" / "ixempra-gui.svg").unlink()
    done = _run_copy(site, tmp_path)
    assert done.returncode == selftest.EXIT_FAILED
    last = done.stdout.splitlines()[-1]
    assert last.startswith("self-test: FAILED") and "resources" in last
    assert "missing icons/ixempra-gui.svg" in _lines(done.stdout)["resources"]


def test_bundled_golden_cases_are_the_visible_reference_cases() -> None:
    spec = SHARED_SPEC / "reference-cases.json"
    if not spec.is_file():
        pytest.skip(f"{spec} not found (../shared is not beside the repo)")
    bundled = REPO / "resources" / "golden" / "reference-cases.json"
    assert json.loads(bundled.read_text("utf-8")) == json.loads(spec.read_text("utf-8"))


def test_golden_mismatches_lists_each_wrong_key() -> None:
    case = {"expected": {"dose_mg": 72.8, "billing": {"units_administered": 73}}}
    good = {"dose_mg": 72.8, "billing": {"units_administered": 73, "modifier": "JW"}}
    assert selftest.golden_mismatches(case, good) == []
    bad = {"dose_mg": 72.9, "billing": {"units_administered": 74}}
    assert selftest.golden_mismatches(case, bad) == [
        "dose_mg: expected 72.8, got 72.9",
        "billing: expected {'units_administered': 73}, got {'units_administered': 74}",
    ]


def test_a_missing_plugin_is_named(qapp, monkeypatch) -> None:
    from ixempra_gui.app import selftest_qt

    real = selftest.required_plugins()
    monkeypatch.setattr(
        selftest_qt, "required_plugins", lambda: (*real, ("printsupport", "qnosuchprinter"))
    )
    with pytest.raises(selftest.CheckFailed, match="printsupport/qnosuchprinter missing"):
        selftest.check_plugins()


def test_required_plugins_per_platform() -> None:
    windows = dict(selftest.required_plugins("win32"))
    assert ("platforms", "qwindows") in selftest.required_plugins("win32")
    assert not any(folder == "printsupport" for folder, _ in selftest.required_plugins("win32"))
    assert ("printsupport", "cupsprintersupport") in selftest.required_plugins("linux")
    assert ("platforms", "qxcb") in selftest.required_plugins("linux")
    assert ("platforms", "qoffscreen") in selftest.required_plugins("linux")
    assert windows["styles"] == "qmodernwindowsstyle"


def test_offscreen_only_when_linux_has_no_display(monkeypatch) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    assert selftest.needs_offscreen([], environ={})
    assert not selftest.needs_offscreen([], environ={"DISPLAY": ":0"})
    assert not selftest.needs_offscreen([], environ={"QT_QPA_PLATFORM": "xcb"})
    assert not selftest.needs_offscreen(["-platform", "minimal"], environ={})
    monkeypatch.setattr(sys, "platform", "win32")
    assert not selftest.needs_offscreen([], environ={})


def test_journal_absent_is_reported_not_failed(monkeypatch) -> None:
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "ixempra_gui.journal" else real_find_spec(name, *a),
    )
    with pytest.raises(selftest.NotInThisBuild, match="not available in this build"):
        selftest.check_journal(Path("unused"))


def test_journal_check_records_and_verifies_in_its_own_folder_only(
    monkeypatch, tmp_path: Path
) -> None:
    from ixempra_gui.journal.store import Journal

    users = tmp_path / "users-data"
    monkeypatch.setenv("IXEMPRA_DATA_DIR", str(users))
    detail = selftest.check_journal(tmp_path / "selftest")
    assert re.match(r"record 1 \([0-9a-f]{12}\) written, verified and anchored", detail)
    assert not users.exists()  # the user's journal is never touched
    # nor the user's anchor (issue 13.4): the self-test keeps its own beside its journal
    assert not (Path(os.environ["IXEMPRA_CONFIG_DIR"]) / "journal-anchor.json").exists()
    assert (tmp_path / "selftest" / "self-test-anchor.json").is_file()
    with Journal.open(tmp_path / "selftest") as journal:
        [stored] = list(journal.records())
        assert journal.verify().ok
    assert stored.content["result"]["dose_mg"] == 72.8  # golden case v01


def test_journal_check_fails_when_the_chain_does_not_hold(monkeypatch, tmp_path: Path) -> None:
    from ixempra_gui.journal import store

    def broken_verify(self: store.Journal) -> object:
        return types.SimpleNamespace(ok=False, records=1, problem="hash mismatch at record 1")

    monkeypatch.setattr(store.Journal, "verify", broken_verify)
    with pytest.raises(selftest.CheckFailed, match="hash mismatch at record 1"):
        selftest.check_journal(tmp_path)


def test_kit_scanning_reads_every_kit_and_names_one_that_does_not_read_back(monkeypatch) -> None:
    line = selftest.check_kit_scanning()
    assert "15 mg 70020-1910-01" in line and "45 mg 70020-1911-01, package code unverified" in line
    from ixempra_gui.core.kits import KitCatalog

    monkeypatch.setattr(KitCatalog, "identify", lambda self, ndc10: None)
    with pytest.raises(selftest.CheckFailed, match="the 45 mg kit's code did not read back"):
        selftest.check_kit_scanning()

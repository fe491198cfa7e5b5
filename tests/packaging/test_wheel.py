"""The wheel carries resources/ and the app runs from it, away from the checkout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import REPO, V01


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(REPO)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    [built] = out.glob("ixempra_gui-*.whl")
    return built


def test_wheel_contains_the_data_files(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for resource in REPO.joinpath("resources").rglob("*"):
        if resource.is_file():
            relative = resource.relative_to(REPO / "resources").as_posix()
            assert f"ixempra_gui/resources/{relative}" in names


def test_installed_wheel_calculates_outside_the_checkout(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    args = [part for key, value in V01.items() for part in (key, value)]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"PYTHONPATH": str(site)}
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, ixempra_gui, ixempra_gui.core.resources as r, ixempra_gui.cli.calc as c;"
            "print(ixempra_gui.__file__, r.resources_dir(), file=sys.stderr);"
            "sys.exit(c.main(sys.argv[1:]))",
            *args,
            "--json",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert str(site) in proc.stderr.split()[0]  # the wheel's copy, not the checkout
    assert proc.stderr.split()[1].startswith(str(site / "ixempra_gui" / "resources"))
    assert json.loads(proc.stdout)["dose_mg"] == 72.8


def test_wheel_declares_the_journal_command_and_its_dependency(wheel: Path) -> None:
    archive = zipfile.ZipFile(wheel)
    [entry_points] = [n for n in archive.namelist() if n.endswith(".dist-info/entry_points.txt")]
    assert "ixempra-journal = ixempra_gui.cli.journal:main" in archive.read(entry_points).decode()
    [metadata] = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
    requires = [
        line
        for line in archive.read(metadata).decode().splitlines()
        if line.startswith("Requires-Dist:")
    ]
    assert any("platformdirs" in line for line in requires)

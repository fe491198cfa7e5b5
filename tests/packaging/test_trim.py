"""The installers' Qt allow-lists: trim.py keeps exactly what they list, and they list every
plugin the self-test requires (so trimming can never silently drop printing or the platform)."""

from __future__ import annotations

import fnmatch
import importlib.util
from pathlib import Path

import pytest
from conftest import REPO

from ixempra_gui.app import selftest

_spec = importlib.util.spec_from_file_location("trim", REPO / "packaging" / "trim.py")
assert _spec is not None and _spec.loader is not None
trim = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(trim)

KEEP_LISTS = {
    "win32": (REPO / "packaging" / "windows" / "qt-keep.txt", "PySide6/plugins/{}/{}.dll"),
    "linux": (REPO / "packaging" / "linux" / "qt-keep.txt", "PySide6/Qt/plugins/{}/lib{}.so"),
}


@pytest.mark.parametrize("platform", sorted(KEEP_LISTS))
def test_keep_list_carries_every_plugin_the_self_test_requires(platform: str) -> None:
    keep_list, layout = KEEP_LISTS[platform]
    _roots, patterns = trim.read_keep_list(keep_list)
    for folder, base in selftest.required_plugins(platform):
        path = layout.format(folder, base)
        assert any(fnmatch.fnmatchcase(path, p) for p in patterns), f"{path} not in {keep_list}"


def _tree(root: Path, files: list[str]) -> None:
    for name in files:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(b"x" * 10)


def test_trim_keeps_listed_files_and_leaves_other_packages_alone(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        [
            "PySide6/QtCore.pyd",
            "PySide6/Qt6Quick.dll",
            "PySide6/qml/QtQuick/x.qml",
            "PySide6/plugins/platforms/qwindows.dll",
            "PySide6/plugins/platforms/qdirect2d.dll",
            "pint/__init__.py",
        ],
    )
    kept, removed, unmatched = trim.trim(
        tmp_path,
        ["PySide6"],
        ["PySide6/QtCore.pyd", "PySide6/plugins/platforms/qwindows.dll", "PySide6/QtSvg.pyd"],
    )
    left = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert left == [
        "PySide6/QtCore.pyd",
        "PySide6/plugins/platforms/qwindows.dll",
        "pint/__init__.py",  # outside the trimmed folders: untouched
    ]
    assert not (tmp_path / "PySide6" / "qml").exists()  # emptied folders go too
    assert (kept, removed) == (20, 30)
    assert unmatched == ["PySide6/QtSvg.pyd"]  # listed but absent: the build fails on it


def test_keep_list_syntax(tmp_path: Path) -> None:
    listing = tmp_path / "keep.txt"
    listing.write_text("# comment\ntrim: A B\n\nA/x.dll  # why\nB/*.py\n", encoding="utf-8")
    assert trim.read_keep_list(listing) == (["A", "B"], ["A/x.dll", "B/*.py"])

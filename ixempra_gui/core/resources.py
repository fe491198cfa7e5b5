"""Find the data files in resources/ wherever the app runs.

A checkout keeps them at the repository root, a wheel inside the package
(``ixempra_gui/resources``), a frozen build beside the executable. One function knows all three.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

_MARKER = Path("policy") / "MG.MM.PH.153.json"


class ResourcesNotFoundError(FileNotFoundError):
    """The application's data files are missing: the install is broken."""


def _candidates() -> list[Path]:
    package_dir = Path(__file__).resolve().parent.parent
    found = [package_dir / "resources", package_dir.parent / "resources"]
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        found.append(Path(frozen) / "resources")
    return found


@cache
def resources_dir() -> Path:
    """The folder holding policy data, unit definitions and golden cases."""
    for candidate in _candidates():
        if (candidate / _MARKER).is_file():
            return candidate
    searched = ", ".join(str(c) for c in _candidates())
    raise ResourcesNotFoundError(f"application data not found (searched: {searched})")


def resource_path(*parts: str) -> Path:
    """Path of one file under resources/."""
    return resources_dir().joinpath(*parts)

"""The installers' hash-pinned requirements satisfy pyproject.toml's runtime dependencies, so a
dependency added to the app (biip, say) cannot be missing from an installer, nor pinned at a
version the app excludes."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from conftest import REPO
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

LINUX = REPO / "packaging" / "linux" / "requirements.txt"
WINDOWS = REPO / "packaging" / "windows" / "requirements.txt"
# The environments the installers build for (build-deb.sh: CPython 3.11 x86_64; build-windows.sh:
# CPython 3.13 win_amd64).
ENVIRONMENTS = {
    LINUX: {"python_version": "3.11", "python_full_version": "3.11.2", "sys_platform": "linux",
            "platform_system": "Linux", "os_name": "posix", "platform_machine": "x86_64"},
    WINDOWS: {"python_version": "3.13", "python_full_version": "3.13.2", "sys_platform": "win32",
              "platform_system": "Windows", "os_name": "nt", "platform_machine": "AMD64"},
}  # fmt: skip
# Deliberate: Windows ships PySide6 6.9.3, below the app's 6.10 (its requirements file says why).
EXCEPTIONS = {(WINDOWS, "pyside6-essentials")}
PIN = re.compile(r"^([A-Za-z0-9_.-]+)==(\S+) \\\n\s+--hash=sha256:([0-9a-f]{64})$", re.M)


def pins(path: Path) -> dict[str, Version]:
    text = path.read_text(encoding="utf-8")
    found: dict[str, Version] = {
        canonicalize_name(name): Version(version) for name, version, _ in PIN.findall(text)
    }
    entries = [line for line in text.splitlines() if line and not line.startswith((" ", "#"))]
    where = path.relative_to(REPO)
    assert len(found) == len(entries), f"{where}: every entry is name==version + one sha256"
    return found


@pytest.mark.parametrize("path", [LINUX, WINDOWS], ids=["linux", "windows"])
def test_every_runtime_dependency_is_pinned_within_its_range(path: Path) -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pinned = pins(path)
    where = path.relative_to(REPO)
    checked = []
    for text in project["dependencies"]:
        requirement = Requirement(text)
        if requirement.marker and not requirement.marker.evaluate(ENVIRONMENTS[path]):
            continue
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{where} does not pin {name} ({text})"
        if (path, name) not in EXCEPTIONS:
            assert pinned[name] in requirement.specifier, f"{where}: {name} {pinned[name]}"
        checked.append(name)
    assert {"pint", "platformdirs", "biip", "pyside6-essentials"} <= set(checked)

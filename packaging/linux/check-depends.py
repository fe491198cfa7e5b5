"""Check the Debian package's Depends: every library a shipped ELF file needs is shipped, or
comes from a Debian package listed in depends.txt.

``python3 packaging/linux/check-depends.py STAGE_DIR packaging/linux/depends.txt`` on the build
machine (Debian, with those packages installed: build-deb.sh installs them). Each needed soname
not shipped is found with ``ldconfig -p`` and owned with ``dpkg -S``; a library no listed package
provides fails the build, so a Qt update that links something new cannot ship a package that
installs but does not start.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def needed(binary: Path) -> list[str]:
    out = subprocess.run(["objdump", "-p", str(binary)], capture_output=True, text=True)
    return [
        line.split()[1] for line in out.stdout.splitlines() if line.strip().startswith("NEEDED")
    ]


def is_elf(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(4) == b"\x7fELF"


def system_libraries() -> dict[str, str]:
    out = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=True).stdout
    found: dict[str, str] = {}
    for line in out.splitlines():
        if "=>" in line and "x86-64" in line:
            name, path = line.split("=>")
            found.setdefault(name.split()[0], path.strip())
    return found


def owner(path: str) -> str | None:
    candidates = {path, str(Path(path).resolve())}
    candidates |= {c.removeprefix("/usr") for c in list(candidates)}
    candidates |= {"/usr" + c for c in list(candidates) if not c.startswith("/usr")}
    for candidate in sorted(candidates):
        done = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
        if done.returncode == 0:
            return done.stdout.split(":", 1)[0].strip()
    return None


def main(argv: list[str]) -> int:
    stage, depends_file = Path(argv[0]), Path(argv[1])
    depends = {
        line.split("#", 1)[0].strip()
        for line in depends_file.read_text(encoding="utf-8").splitlines()
        if line.split("#", 1)[0].strip()
    }
    elves = [p for p in stage.rglob("*") if p.is_file() and not p.is_symlink() and is_elf(p)]
    shipped = {p.name for p in elves}
    libraries = system_libraries()
    problems: list[str] = []
    used: dict[str, str] = {}
    for elf in sorted(elves):
        for soname in needed(elf):
            if soname in shipped or soname in used:
                continue
            path = libraries.get(soname)
            package = owner(path) if path else None
            if package is None:
                problems.append(
                    f"{elf.relative_to(stage)} needs {soname}: not found on this system"
                )
            elif package.split(":")[0] not in depends:
                problems.append(f"{elf.relative_to(stage)} needs {soname} from {package}: add it")
            else:
                used[soname] = package
    for problem in problems:
        print(f"check-depends: {problem}", file=sys.stderr)
    packages = sorted({p.split(":")[0] for p in used.values()})
    print(
        f"check-depends: {len(elves)} ELF files need {len(used)} system libraries from "
        f"{len(packages)} listed packages; {len(problems)} problems"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

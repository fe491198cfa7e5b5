"""Check the staged Windows install: every DLL a shipped .dll/.pyd/.exe imports is shipped or is
part of Windows 10 1809, and nothing imports ICU.

``python packaging/windows/check-dlls.py STAGE_DIR`` (needs x86_64-w64-mingw32-objdump, Debian
binutils-mingw-w64-x86-64). A trimmed-away dependency fails the build here, before any installer
is made; the ICU rule is the build-time half of the Windows 10 1809 proof (PySide6 >= 6.10's
Qt6Core.dll imports icuuc.dll, which 1809 lacks; the Wine test runs with no ICU at all).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

OBJDUMP = "x86_64-w64-mingw32-objdump"

#: DLLs that Windows 10 1809 and later provide (lower case). API sets (api-ms-win-*) are
#: resolved by the loader and always present since Windows 10.
SYSTEM_DLLS = {
    "advapi32.dll", "authz.dll", "bcrypt.dll", "comctl32.dll", "comdlg32.dll", "crypt32.dll",
    "d3d11.dll", "d3d12.dll", "d3d9.dll", "dwmapi.dll", "dwrite.dll", "dxgi.dll", "gdi32.dll",
    "imm32.dll", "iphlpapi.dll", "kernel32.dll", "mpr.dll", "netapi32.dll", "ntdll.dll",
    "ole32.dll", "oleaut32.dll", "rpcrt4.dll", "secur32.dll", "setupapi.dll", "shell32.dll",
    "shlwapi.dll", "uiautomationcore.dll", "user32.dll", "userenv.dll", "uxtheme.dll",
    "version.dll", "winmm.dll", "winspool.drv", "ws2_32.dll", "wtsapi32.dll", "msvcrt.dll",
    "ucrtbase.dll", "propsys.dll", "cfgmgr32.dll", "powrprof.dll", "psapi.dll", "dbghelp.dll",
}  # fmt: skip
FORBIDDEN = {"icuuc.dll", "icuin.dll", "icu.dll"}


def imports(binary: Path) -> list[str]:
    out = subprocess.run([OBJDUMP, "-p", str(binary)], capture_output=True, text=True, check=True)
    return [
        line.split("DLL Name:", 1)[1].strip().lower()
        for line in out.stdout.splitlines()
        if "DLL Name:" in line
    ]


def main(argv: list[str]) -> int:
    stage = Path(argv[0])
    binaries = [
        p for p in stage.rglob("*") if p.suffix.lower() in (".dll", ".pyd", ".exe") and p.is_file()
    ]
    shipped = {p.name.lower() for p in binaries}
    problems = []
    for binary in sorted(binaries):
        for name in imports(binary):
            where = binary.relative_to(stage)
            if name in FORBIDDEN:
                problems.append(f"{where} imports {name} (absent on Windows 10 1809)")
            elif not (
                name in shipped or name in SYSTEM_DLLS or name.startswith(("api-ms-", "ext-ms-"))
            ):
                problems.append(f"{where} imports {name}, which is neither shipped nor Windows'")
    for problem in problems:
        print(f"check-dlls: {problem}", file=sys.stderr)
    print(
        f"check-dlls: {len(binaries)} binaries, {len(problems)} problems, no ICU import"
        if not problems
        else f"check-dlls: {len(problems)} problems"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

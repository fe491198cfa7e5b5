#!/usr/bin/env bash
# Prepare a Wine TEST prefix for the native "windows" platform run:  wine-prepare.sh PREFIX
#
# Wine 8 lacks the WinRT class Windows.UI.ViewManagement.UISettings, which Qt's windows platform
# plugin asks for its colours; without it the app aborts under Wine (exit 3) before any window.
# This builds a stub of that class from test-stubs/uisettings.c with mingw-w64 and registers it
# in PREFIX only. It is a test-environment gap, not a Windows one: every Windows 10 (1809
# included) and 11 has the class, so the stub NEVER goes into the installer or any shipped
# file. No ICU stub is made: the installed Qt (PySide6 6.9.3) does not import ICU, and the
# offscreen self-test runs before this script touches the prefix, with no ICU in it at all.
set -euo pipefail
PREFIX=${1:?usage: wine-prepare.sh PREFIX}
HERE=$(cd "$(dirname "$0")" && pwd)
sh "$HERE/../apt-need.sh" gcc-mingw-w64-x86-64-win32
export WINEPREFIX=$PREFIX WINEDEBUG=-all
export WINEDLLOVERRIDES="mscoree,mshtml=;winemenubuilder.exe=d;wbemprox=d"
[ -f "$PREFIX/system.reg" ] || { echo "wine-prepare: $PREFIX is not a Wine prefix" >&2; exit 1; }

out=$(mktemp -d)
x86_64-w64-mingw32-gcc -shared -O2 -s -Wall -o "$out/uisettings_stub.dll" "$HERE/test-stubs/uisettings.c"
cp "$out/uisettings_stub.dll" "$PREFIX/drive_c/windows/system32/uisettings_stub.dll"
rm -rf "$out"
timeout 60 wine reg add 'HKLM\Software\Microsoft\WindowsRuntime\ActivatableClassId\Windows.UI.ViewManagement.UISettings' \
    /v DllPath /t REG_SZ /d 'C:\windows\system32\uisettings_stub.dll' /f 2>&1 | tr -d '\r' | grep -v "completed successfully" || true
timeout 60 wineserver -w
echo "wine-prepare: UISettings test stub registered in $PREFIX (test prefix only)"

#!/usr/bin/env bash
# Wine smoke test of the Windows installer:  wine-test.sh [SETUP_EXE]
#
# Fresh Wine prefix; silent install; files, Start-menu shortcut and uninstall registry key;
# --self-test on the offscreen platform with NO ICU in the prefix (the proof that the build runs
# on Windows 10 1809, which has no icuuc.dll); --self-test on the native "windows" platform under
# Xvfb (after wine-prepare.sh adds a test-only WinRT stub Wine 8 lacks); launch from the
# Start-menu shortcut under Xvfb and a screenshot; silent uninstall; nothing left behind.
# Prints one PASS/FAIL line per step; exits non-zero at the first failure.
#
# Wine 8 traps handled here (test environment only, nothing shipped changes): every Wine call
# under `timeout`; output always piped (Wine 8 + CPython 3.13 cannot set up std streams on a
# regular file); `wineserver -w` before checking results (the NSIS uninstaller re-launches
# itself from %TEMP%); Wine strips QT_* variables, so WINEQT_QPA_PLATFORM carries the platform;
# WMI disabled (CPython's platform module asks it, and Wine 8's aborts).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
VERSION=$(python3 -c 'import tomllib,sys; print(tomllib.load(open(sys.argv[1],"rb"))["project"]["version"])' "$REPO/pyproject.toml")
SETUP=$(realpath "${1:-$REPO/dist/ixempra-gui-$VERSION-setup.exe}")
PYTHON=${PYTHON:-$REPO/.venv/bin/python}
APP_NAME="Ixempra Dosing Workstation"
KEY='HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall\IxempraDosingWorkstation'
WORK=$REPO/build/wine-test
OUT=$REPO/dist

sh "$HERE/../apt-need.sh" wine wine64 xvfb xauth x11-utils gcc-mingw-w64-x86-64-win32
t0=$(date +%s)
pass() { echo "wine-test: PASS $1 ($(($(date +%s) - t0)) s)"; }
fail() { echo "wine-test: FAIL $1" >&2; exit 1; }
[ -f "$SETUP" ] || fail "no installer at $SETUP"

rm -rf "$WORK"
mkdir -p "$WORK" "$OUT"
export WINEPREFIX=$WORK/prefix WINEDEBUG=-all WINEARCH=win64
export WINEDLLOVERRIDES="mscoree,mshtml=;winemenubuilder.exe=d;wbemprox=d"
unset WINEQT_QPA_PLATFORM DISPLAY
XVFB_PID=""
cleanup() {
    timeout 30 wineserver -k >/dev/null 2>&1 || true
    [ -n "$XVFB_PID" ] && kill "$XVFB_PID" 2>/dev/null || true
}
trap cleanup EXIT
wine_run() {  # wine_run SECONDS PROGRAM ARGS...: piped, CR stripped; returns the program's status
    local seconds=$1 rc
    shift
    set +e
    timeout "$seconds" wine "$@" 2>&1 | tr -d '\r' |
        { grep -v -E '^(it looks like wine32|multiarch|execute "dpkg|apt-get install wine32)' || true; }
    rc=${PIPESTATUS[0]}
    set -e
    return "$rc"
}

# 1. A fresh prefix, and no ICU anywhere in it.
timeout 180 wineboot --init 2>&1 | tr -d '\r' | grep -v -E 'wine32|multiarch|i386|rundll32|winemenubuilder|configuration' || true
timeout 120 wineserver -w
icu=$(find "$WINEPREFIX/drive_c/windows" -iname 'icu*.dll' | head -3)
[ -z "$icu" ] || fail "fresh prefix has ICU DLLs: $icu"
pass "fresh prefix, no ICU DLL in it"

# 2. Wine 8's prefix says Windows 7: the installer must refuse it and install nothing. Then the
#    prefix is made to report Windows 10 version 1809 (build 17763), the oldest supported.
if wine_run 120 "$SETUP" /S; then fail "the installer accepted Windows 7"; fi
timeout 120 wineserver -w
[ ! -e "$WINEPREFIX/drive_c/Program Files/$APP_NAME" ] || fail "the installer wrote files on Windows 7"
wine_run 60 winecfg /v win10 >/dev/null
for value in CurrentBuild CurrentBuildNumber; do
    wine_run 60 reg add 'HKLM\Software\Microsoft\Windows NT\CurrentVersion' /v "$value" /t REG_SZ /d 17763 /f >/dev/null
done
wine_run 60 reg add 'HKLM\Software\Microsoft\Windows NT\CurrentVersion' /v ReleaseId /t REG_SZ /d 1809 /f >/dev/null
timeout 60 wineserver -w
ver=$(wine_run 60 cmd /c ver)
grep -q "10.0.17763" <<<"$ver" || fail "prefix does not report Windows 10 1809: $ver"
pass "installer refuses Windows 7; prefix now reports Windows 10 1809 (10.0.17763)"

# 3. Silent per-machine install.
wine_run 300 "$SETUP" /S || fail "silent install exited non-zero"
timeout 120 wineserver -w
INSTALL="$WINEPREFIX/drive_c/Program Files/$APP_NAME"
LNK="$WINEPREFIX/drive_c/ProgramData/Microsoft/Windows/Start Menu/Programs/$APP_NAME.lnk"
for f in python/python.exe python/pythonw.exe python/python313._pth uninstall.exe ixempra-gui.exe \
    site-packages/ixempra_gui/__init__.py site-packages/ixempra_gui/resources/golden/reference-cases.json \
    site-packages/ixempra_gui/app/__pycache__/selftest.cpython-313.pyc site-packages/PySide6/Qt6Core.dll \
    licenses/LGPL-3.txt; do
    [ -f "$INSTALL/$f" ] || fail "installed file missing: $f"
done
[ ! -e "$INSTALL/site-packages/PySide6/Qt6Quick.dll" ] || fail "Qt Quick was not trimmed away"
[ -f "$LNK" ] || fail "no Start-menu shortcut at $LNK"
grep -a -q "ixempra-gui.exe" "$LNK" || fail "the shortcut does not start ixempra-gui.exe"
if [ -n "${IXEMPRA_SIGN_CA:-}" ]; then  # CI: the certificate that signed this build
    for exe in ixempra-gui.exe uninstall.exe; do
        osslsigncode verify -CAfile "$IXEMPRA_SIGN_CA" -in "$INSTALL/$exe" >/dev/null 2>&1 \
            || fail "installed $exe: signature does not verify"
    done
    pass "installed launcher and uninstaller carry verified signatures"
fi
reg=$(wine_run 60 reg query "$KEY") || fail "no uninstall registry key: $reg"
for value in "DisplayName.*$APP_NAME" "DisplayVersion.*$VERSION" "Publisher.*contributors" "QuietUninstallString.*/S"; do
    grep -q -E "$value" <<<"$reg" || fail "uninstall key lacks $value: $reg"
done
du -sh "$INSTALL" | awk '{print "wine-test: installed size " $1}'
pass "silent install: files, Start-menu shortcut, Add/Remove Programs key"

# 4. The installed app's own self-test, offscreen, with no ICU in the prefix (Windows 10 1809).
PYEXE="$INSTALL/python/python.exe"
out=$(WINEQT_QPA_PLATFORM=offscreen wine_run 180 "$PYEXE" -m ixempra_gui --self-test) \
    || fail "offscreen self-test failed:
$out"
echo "$out" | sed 's/^/    /'
grep -q "platform offscreen" <<<"$out" || fail "offscreen self-test did not run on offscreen"
grep -q "^self-test: PASSED" <<<"$out" || fail "offscreen self-test did not pass"
timeout 60 wineserver -w
pass "--self-test on offscreen, no ICU stub in the prefix"

# 5. Native windows platform under Xvfb (test-only WinRT stub from wine-prepare.sh).
bash "$HERE/wine-prepare.sh" "$WINEPREFIX"
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$WORK/display" 2>/dev/null &
XVFB_PID=$!
for _ in $(seq 50); do [ -s "$WORK/display" ] && break; sleep 0.1; done
export DISPLAY=":$(cat "$WORK/display")"
out=$(wine_run 180 "$PYEXE" -m ixempra_gui --self-test) || fail "native self-test failed:
$out"
echo "$out" | sed 's/^/    /'
grep -q "platform windows" <<<"$out" || fail "native self-test did not run on the windows platform"
grep -q "^self-test: PASSED" <<<"$out" || fail "native self-test did not pass"
timeout 60 wineserver -w
pass "--self-test on the native windows platform under Xvfb"

# 6. Start the app from its Start-menu shortcut; wait for its window; photograph the screen.
lnk_win=$(winepath -w "$LNK" 2>/dev/null | tr -d '\r')
# Not piped: the app would inherit the pipe and hold it open for as long as it runs.
timeout 60 wine start "$lnk_win" >/dev/null 2>&1 || fail "start of the shortcut failed"
shown=""
for _ in $(seq 120); do
    if xwininfo -root -tree 2>/dev/null | grep -q '"Ixempra dosing workstation"'; then shown=1; break; fi
    sleep 0.5
done
[ -n "$shown" ] || fail "no window titled 'Ixempra dosing workstation' within 60 s of the shortcut"
sleep 3  # let it finish painting
ps -eo args | grep -q -i '[p]ythonw.exe -m ixempra_gui' || fail "pythonw.exe -m ixempra_gui is not running"
ps -eo args | grep -q -i '[i]xempra-gui.exe' || fail "the launcher ixempra-gui.exe is not running"
QT_QPA_PLATFORM=xcb "$PYTHON" "$HERE/screenshot.py" "$OUT/wine-startmenu-screenshot.png" \
    || fail "screenshot blank or failed"
timeout 30 wineserver -k || true
timeout 60 wineserver -w || true
pass "launched from the Start-menu shortcut (ixempra-gui.exe -> pythonw.exe), screenshot $OUT/wine-startmenu-screenshot.png"

# 7. Silent uninstall, then nothing left in Program Files, the Start menu or the registry.
# The app was just killed with its wineserver: start a new one with a no-op first, so the
# uninstaller does not race the server's start (seen once in CI: "exited non-zero", no output).
wine_run 60 cmd /c exit 0 >/dev/null || true
timeout 60 wineserver -w || true
uninstall() {
    set +e
    out=$(wine_run 300 "$INSTALL/uninstall.exe" /S)
    rc=$?
    set -e
    timeout 120 wineserver -w  # the uninstaller re-launched itself from %TEMP%: wait for that copy
}
uninstall
if [ "$rc" -ne 0 ]; then
    # Said, never hidden: a second run must succeed and leave nothing behind (checked below).
    echo "wine-test: the silent uninstall exited $rc (output: ${out:-none}); running it once more"
    [ -e "$INSTALL/uninstall.exe" ] || fail "silent uninstall exited $rc and removed its uninstaller"
    uninstall
    [ "$rc" -eq 0 ] || fail "silent uninstall exited $rc twice (output: ${out:-none})"
fi
[ ! -e "$INSTALL" ] || fail "left in Program Files: $(find "$INSTALL" | head -5)"
[ ! -e "$LNK" ] || fail "Start-menu shortcut left behind"
left=$(find "$WINEPREFIX/drive_c/ProgramData/Microsoft/Windows/Start Menu" -iname '*ixempra*')
[ -z "$left" ] || fail "left in the Start menu: $left"
left=$(grep -i -l -E 'ixempra' "$WINEPREFIX/system.reg" "$WINEPREFIX/user.reg" || true)
[ -z "$left" ] || fail "registry still names Ixempra in $left: $(grep -i -h ixempra $left | head -3)"
pass "silent uninstall: nothing left in Program Files, the Start menu or the registry"
echo "wine-test: PASS all ($(($(date +%s) - t0)) s)"

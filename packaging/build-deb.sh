#!/usr/bin/env bash
# Build the Debian package: dist/ixempra-gui_<version>_amd64.deb (+ .sha256).
#
#   bash packaging/build-deb.sh [--hello]
#
# A self-contained Python environment under /opt/ixempra-gui, built on Debian's python3.11:
# the Linux wheels pinned by hash (packaging/linux/requirements.txt) and the app built from this
# checkout, Qt trimmed by an allow-list (packaging/linux/qt-keep.txt), .pyc precompiled (nothing
# is written under /opt at run time, so removal leaves nothing), Depends checked against what
# every shipped library links (packaging/linux/check-depends.py). Also /usr/bin/ixempra-gui and
# /usr/bin/ixempra-calc and ixempra-journal, a .desktop entry and the SVG icon.
#
# --hello packages a bare PySide6 "hello" app the same way into build/bench/ (bench/bundle.py's
# baseline), with the same runtime stack: Qt, and the site journal's PostgreSQL driver. PYTHON (default .venv/bin/python) builds the app's wheel.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
HELLO=0
[ "${1:-}" = "--hello" ] && HELLO=1
export PIP_ROOT_USER_ACTION=ignore PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_FIND_LINKS=
PYTHON=${PYTHON:-.venv/bin/python}
[ -x "$PYTHON" ] || { echo "build-deb: $PYTHON not found (run packaging/debian-setup.sh)" >&2; exit 1; }
VERSION=$(python3 -c 'import tomllib; print(tomllib.load(open("pyproject.toml","rb"))["project"]["version"])')
DEPENDS_LIST=$(grep -v -E '^\s*(#|$)' packaging/linux/depends.txt)
# The build checks Depends against the libraries on this machine, so they must be installed.
# shellcheck disable=SC2086
sh packaging/apt-need.sh dpkg-dev binutils $DEPENDS_LIST

BUILD=$REPO/build/deb
DOWNLOADS=$BUILD/downloads
if [ $HELLO = 1 ]; then
    PACKAGE=hello-pyside6; WORK=$BUILD/hello; OUT_DIR=$REPO/build/bench; MODULE=hello_pyside6
    SUMMARY="bare PySide6 hello app (size baseline for bench/bundle.py)"
else
    PACKAGE=ixempra-gui; WORK=$BUILD/app; OUT_DIR=$REPO/dist; MODULE=ixempra_gui
    SUMMARY="Ixabepilone (Ixempra) dosing workstation for pharmacists"
fi
ROOT=$WORK/root
OPT=/opt/$PACKAGE
VENV=$ROOT$OPT
SITE=$VENV/lib/python3.11/site-packages
rm -rf "$WORK"
mkdir -p "$DOWNLOADS" "$OUT_DIR" "$ROOT"
pip() {  # pip, without the notes about this machine's extra (absent) local indexes
    local rc
    set +e
    python3 -m pip "$@" 2>&1 | grep -v -E '^WARNING: (Location .* is ignored|Target directory .* already exists)'
    rc=${PIPESTATUS[0]}
    set -e
    return "$rc"
}
t0=$(date +%s)
say() { echo "build-deb: $* ($(($(date +%s) - t0)) s)"; }

# 1. The environment, on Debian's interpreter (not whatever python3 is first on PATH).
/usr/bin/python3.11 -m venv --without-pip "$VENV"
rm -f "$VENV"/bin/activate* "$VENV"/bin/Activate.ps1
sed -i '/^command = /d' "$VENV/pyvenv.cfg"   # names the build folder; not needed to run

# 2. Wheels by hash, then the app (or the hello app); trimmed; Depends checked.
requirements=packaging/linux/requirements.txt
if [ $HELLO = 1 ]; then
    python3 - "$requirements" "$WORK/requirements.txt" <<'PY'
import re, sys
blocks = re.split(r"\n(?=\S)", open(sys.argv[1]).read())
keep = [b for b in blocks if b.startswith(("pyside6-essentials", "shiboken6", "psycopg"))]
open(sys.argv[2], "w").write("\n".join(keep) + "\n")
PY
    requirements=$WORK/requirements.txt
fi
platform=(--platform manylinux_2_34_x86_64 --platform manylinux_2_28_x86_64
    --platform manylinux_2_17_x86_64 --python-version 3.11 --implementation cp --only-binary=:all:)
pip download -q --require-hashes --no-deps "${platform[@]}" -d "$DOWNLOADS" -r "$requirements"
pip install -q --no-deps --no-compile --target "$SITE" "${platform[@]}" \
    --require-hashes --no-index --find-links "$DOWNLOADS" -r "$requirements"
if [ $HELLO = 1 ]; then
    mkdir -p "$SITE/hello_pyside6"
    cat > "$SITE/hello_pyside6/__main__.py" <<'PY'
"""A bare PySide6 app: the baseline the package's size is compared against."""
import sys

from PySide6.QtWidgets import QApplication, QLabel

app = QApplication(sys.argv)
label = QLabel("Hello")
label.show()
sys.exit(0 if "--self-test" in sys.argv else app.exec())
PY
else
    "$PYTHON" -m pip wheel -q --no-deps -w "$WORK/wheel" .
    pip install -q --no-deps --no-compile --target "$SITE" "$WORK"/wheel/ixempra_gui-*.whl
fi
rm -rf "$SITE/bin"
say "staged"
python3 packaging/trim.py "$SITE" packaging/linux/qt-keep.txt
python3 packaging/linux/check-depends.py "$ROOT" packaging/linux/depends.txt

# 3. Bytecode for Debian's 3.11, recorded with the installed paths.
/usr/bin/python3.11 -m compileall -q -j 0 --invalidation-mode unchecked-hash -s "$ROOT" -p / "$SITE"
say "$(find "$SITE" -name '*.pyc' | wc -l) .pyc files precompiled"

# 4. Launchers, desktop entry, icon, docs, control file.
mkdir -p "$ROOT/usr/bin" "$ROOT/usr/share/doc/$PACKAGE" "$ROOT/DEBIAN"
launcher() {  # launcher NAME MODULE
    cat > "$ROOT/usr/bin/$1" <<SH
#!/bin/sh
# $1: installed by the $PACKAGE package. -I: the app's own environment only (no PYTHONPATH,
# no user site-packages).
exec $OPT/bin/python -I -m $2 "\$@"
SH
    chmod 755 "$ROOT/usr/bin/$1"
}
if [ $HELLO = 1 ]; then
    launcher hello-pyside6 hello_pyside6
else
    launcher ixempra-gui ixempra_gui
    launcher ixempra-calc ixempra_gui.cli.calc
    launcher ixempra-journal ixempra_gui.cli.journal
    install -D -m 644 packaging/linux/ixempra-gui.desktop "$ROOT/usr/share/applications/ixempra-gui.desktop"
    install -D -m 644 resources/icons/ixempra-gui.svg "$ROOT/usr/share/icons/hicolor/scalable/apps/ixempra-gui.svg"
fi
cat > "$ROOT/usr/share/doc/$PACKAGE/copyright" <<COPYRIGHT
$PACKAGE: MIT.
Bundled under $OPT:
- Qt 6 and PySide6: LGPL-3.0 (/usr/share/common-licenses/LGPL-3). The Qt libraries are separate,
  replaceable files in $OPT/lib/python3.11/site-packages/PySide6/Qt/lib.
- pint, flexcache, flexparser, platformdirs, biip (Apache-2.0), typing_extensions: their
  licences are in their *.dist-info folders in $OPT/lib/python3.11/site-packages.
- psycopg and psycopg-binary (the site journal's PostgreSQL driver): LGPL-3.0; the libraries in
  psycopg_binary.libs (libpq: PostgreSQL licence; OpenSSL: Apache-2.0; MIT Kerberos, OpenLDAP,
  Cyrus SASL: their BSD-style licences) are separate, replaceable files.
COPYRIGHT
installed_kb=$(du -sk --exclude=DEBIAN "$ROOT" | cut -f1)
depends=$(echo "$DEPENDS_LIST" | paste -sd, | sed 's/,/, /g')
sed -e "s|@PACKAGE@|$PACKAGE|" -e "s|@VERSION@|$VERSION|" -e "s|@INSTALLED_KB@|$installed_kb|" \
    -e "s|@DEPENDS@|$depends|" -e "s|@SUMMARY@|$SUMMARY|" packaging/linux/control.in > "$ROOT/DEBIAN/control"
find "$ROOT" -type d -exec chmod 755 {} +
find "$ROOT" -type f ! -perm -u+x -exec chmod 644 {} +

# 5. The package, its checksum, and (bench) the installed size.
DEB="$OUT_DIR/${PACKAGE}_${VERSION}_amd64.deb"
dpkg-deb --root-owner-group -Zxz --build "$ROOT" "$DEB" >/dev/null
(cd "$OUT_DIR" && sha256sum "$(basename "$DEB")" > "$(basename "$DEB").sha256")
echo $((installed_kb * 1024)) > "$DEB.installed-bytes"
say "$DEB ($(du -h "$DEB" | cut -f1), installed $((installed_kb / 1024)) MB; module $MODULE)"

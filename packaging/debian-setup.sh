#!/bin/sh
# Prepare a Debian machine (bookworm, Python 3.11) to run and test the app from this checkout:
# the system libraries Qt needs, PostgreSQL's server binaries (for the site-journal tests), a
# virtual environment in .venv, and the app installed in it (editable, with the test tools and
# the PostgreSQL driver). Safe to run again: it only installs what is missing.
set -eu
cd "$(dirname "$0")/.."

# Libraries the PySide6-Essentials wheels load, checked on a minimal bookworm (debootstrap
# minbase): the first line is enough for offscreen rendering (tests), the rest is the xcb window.
QT_LIBS="libglib2.0-0 libegl1 libgl1 libfontconfig1 libfreetype6 libx11-6 libxkbcommon0 libdbus-1-3 fonts-dejavu-core
libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-render-util0 libxcb-render0
libxcb-shape0 libxcb-util1 libxcb-xkb1 libxkbcommon-x11-0 libx11-xcb1 libxcb-randr0 libxcb-shm0
libxcb-sync1 libxcb-xfixes0"

missing=""
for pkg in $QT_LIBS; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing="$missing $pkg"
done
python3 -c "import ensurepip, venv" 2>/dev/null || missing="$missing python3-venv"
# PostgreSQL's server binaries: the site-journal tests start their own throwaway cluster with
# them (tests/pg_cluster.py); no system cluster is used.
new_postgresql=0
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    missing="$missing postgresql"
    new_postgresql=1
fi

if [ -n "$missing" ]; then
    echo "debian-setup: installing$missing"
    if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
fi
# Debian's package creates and may start a "main" cluster: nothing here uses it, so one this
# run installed is stopped (and stays stopped until someone starts it).
if [ "$new_postgresql" = 1 ] && command -v pg_lsclusters >/dev/null 2>&1; then
    pg_lsclusters -h 2>/dev/null | while read -r version name _port status _rest; do
        if [ "$status" = online ]; then
            ${SUDO:-} pg_ctlcluster "$version" "$name" stop || true
        fi
    done
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[test]"
echo "debian-setup: ready (.venv)"

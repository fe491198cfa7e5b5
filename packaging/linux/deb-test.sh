#!/usr/bin/env bash
# Install the Debian package for real, check it, remove it:  deb-test.sh [DEB]
#
# apt installs it (resolving Depends); files, launcher, desktop entry, icon; `ixempra-gui
# --self-test` with no display (falls back to offscreen) and on a real X server (xcb, Xvfb);
# ixempra-calc gives reference case v01; the package is removed and purged; nothing of it is
# left on disk. One PASS/FAIL line per step; exits non-zero at the first failure. Needs root.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
VERSION=$(python3 -c 'import tomllib,sys; print(tomllib.load(open(sys.argv[1],"rb"))["project"]["version"])' "$REPO/pyproject.toml")
DEB=$(realpath "${1:-$REPO/dist/ixempra-gui_${VERSION}_amd64.deb}")
t0=$(date +%s)
pass() { echo "deb-test: PASS $1 ($(($(date +%s) - t0)) s)"; }
fail() { echo "deb-test: FAIL $1" >&2; exit 1; }
[ -f "$DEB" ] || fail "no package at $DEB"
sh "$HERE/../apt-need.sh" xvfb xauth
for leftover in ixempra-gui hello-pyside6; do  # from an interrupted earlier run
    if dpkg-query -W -f='${Status}' "$leftover" 2>/dev/null | grep -q "installed"; then
        echo "deb-test: purging $leftover left installed by an earlier run"
        DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq "$leftover" >/dev/null
    fi
done

# 1. Install with apt (Depends resolved from Debian).
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$DEB" >/dev/null \
    || fail "apt-get install $DEB"
dpkg-query -W -f='${Status} ${Version}\n' ixempra-gui | grep -q "ok installed $VERSION" || fail "not installed"
for f in /usr/bin/ixempra-gui /usr/bin/ixempra-calc /usr/bin/ixempra-journal /opt/ixempra-gui/bin/python \
    /usr/share/applications/ixempra-gui.desktop /usr/share/icons/hicolor/scalable/apps/ixempra-gui.svg; do
    [ -e "$f" ] || fail "missing after install: $f"
done
[ "$(command -v ixempra-gui)" = /usr/bin/ixempra-gui ] || fail "ixempra-gui is not /usr/bin/ixempra-gui on PATH"
if command -v desktop-file-validate >/dev/null; then
    desktop-file-validate /usr/share/applications/ixempra-gui.desktop || fail "invalid .desktop entry"
fi
du -sh /opt/ixempra-gui | awk '{print "deb-test: installed size " $1}'
pass "apt install: launchers, environment, desktop entry, icon"

# 2. The installed app's self-test: no display (offscreen fallback), then a real X server.
before=$(find /opt/ixempra-gui | wc -l)
out=$(cd / && env -u DISPLAY -u WAYLAND_DISPLAY -u QT_QPA_PLATFORM -u PYTHONPATH ixempra-gui --self-test 2>&1) \
    || fail "self-test without a display:
$out"
echo "$out" | sed 's/^/    /'
grep -q "platform offscreen" <<<"$out" || fail "did not fall back to offscreen"
grep -q "/opt/ixempra-gui/lib/python3.11/site-packages/ixempra_gui/resources" <<<"$out" \
    || fail "resources not from the installed package"
pass "--self-test with no display (offscreen)"
out=$(cd / && env -u QT_QPA_PLATFORM xvfb-run -a -s "-screen 0 1280x800x24" ixempra-gui --self-test 2>&1) \
    || fail "self-test on xcb:
$out"
grep -q "platform xcb" <<<"$out" || fail "did not run on xcb: $out"
grep -q "^self-test: PASSED" <<<"$out" || fail "xcb self-test did not pass: $out"
echo "$out" | grep -E "qt:|PASSED" | sed 's/^/    /'
pass "--self-test on X11 (xcb, Xvfb)"
v01=(--height "170 cm" --weight "70 kg" --regimen monotherapy --ast "30 U/L" --ast-uln "40 U/L"
    --alt "25 U/L" --alt-uln "40 U/L" --bilirubin "0.8 mg/dL" --bilirubin-uln "1.2 mg/dL"
    --anc 1800 --platelets 150000)
calc=$(ixempra-calc "${v01[@]}" --json)
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["dose_mg"] == 72.8, d' "$calc" \
    || fail "ixempra-calc v01 did not give 72.8 mg"
journal_dir=$(mktemp -d)
# The journal's anchor lives beside settings.ini (not keyed by the journal's path): a fresh
# config folder too, so the user's own anchor is neither read nor changed.
export IXEMPRA_DATA_DIR=$journal_dir/data IXEMPRA_CONFIG_DIR=$journal_dir/config
ixempra-journal record --patient-id DEB-TEST --prepared-by "A. Test" \
    --verified-by "B. Test" "${v01[@]}" >/dev/null || fail "ixempra-journal record"
ixempra-journal verify >/dev/null || fail "ixempra-journal verify"
unset IXEMPRA_DATA_DIR IXEMPRA_CONFIG_DIR
rm -rf "$journal_dir"
after=$(find /opt/ixempra-gui | wc -l)
[ "$before" = "$after" ] || fail "running the app wrote $((after - before)) files under /opt/ixempra-gui"
pass "ixempra-calc v01 = 72.8 mg; ixempra-journal records and verifies; nothing written under /opt at run time"

# 3. Remove and purge; nothing of the package left.
listed=$(dpkg -L ixempra-gui | grep -E '^/(opt|usr/bin|usr/share/applications|usr/share/icons)/' || true)
DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq ixempra-gui >/dev/null || fail "apt-get purge"
! dpkg-query -W -f='${Status}' ixempra-gui 2>/dev/null | grep -q installed || fail "still installed"
left=""
while IFS= read -r path; do
    [ -n "$path" ] && [ -e "$path" ] && [ ! -d "$path" ] && left="$left $path"
done <<<"$listed"
[ -z "$left" ] || fail "files left after purge:$left"
[ ! -e /opt/ixempra-gui ] || fail "/opt/ixempra-gui left after purge: $(find /opt/ixempra-gui | head -5)"
for f in /usr/bin/ixempra-gui /usr/bin/ixempra-calc /usr/bin/ixempra-journal /usr/share/applications/ixempra-gui.desktop \
    /usr/share/icons/hicolor/scalable/apps/ixempra-gui.svg /usr/share/doc/ixempra-gui; do
    [ ! -e "$f" ] || fail "left after purge: $f"
done
pass "apt purge: nothing left"
echo "deb-test: PASS all ($(($(date +%s) - t0)) s)"

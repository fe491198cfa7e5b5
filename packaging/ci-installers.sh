#!/usr/bin/env bash
# CI: build both installers from this checkout, sign the Windows one with a throwaway
# certificate and verify it, install each for real, self-test, uninstall, and measure sizes.
# Run by .ci/run after the test suite. One PASS/FAIL line per step, a closing summary line, and
# a non-zero exit when any step failed. Needs root (apt, dpkg) and .venv (packaging/debian-setup.sh).
set -uo pipefail
cd "$(dirname "$0")/.."
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore
start=$(date +%s)
passed=0
failed=0
failures=""
log_dir=$(mktemp -d)

step() {  # step NAME COMMAND...: run it, keep its output in a log, print PASS/FAIL
    local name=$1 t=$(date +%s) log
    shift
    log="$log_dir/$(echo "$name" | tr -c 'a-zA-Z0-9' '-').log"
    if "$@" >"$log" 2>&1; then
        passed=$((passed + 1))
        grep -E '^(wine-test|deb-test|check-dlls|check-depends|trim|build-windows|build-deb|bench|  |self-test: PASSED|screenshot)' "$log" \
            | grep -v '^    self-test' | sed 's/^/    /'
        echo "installers: PASS $name ($(($(date +%s) - t)) s)"
    else
        failed=$((failed + 1))
        failures="$failures; $name"
        tail -40 "$log" | sed 's/^/    /'
        echo "installers: FAIL $name ($(($(date +%s) - t)) s)"
    fi
}

step "tools from Debian" sh packaging/apt-need.sh wine wine64 nsis xvfb xauth x11-utils \
    gcc-mingw-w64-x86-64-win32 binutils-mingw-w64-x86-64 osslsigncode openssl dpkg-dev

# A throwaway code-signing certificate: the release path (packaging/sign.sh) runs in CI.
certs=$(mktemp -d)
step "throwaway code-signing certificate" openssl req -x509 -newkey rsa:3072 -nodes -days 2 \
    -subj "/CN=Ixempra CI throwaway code signing" -addext "extendedKeyUsage=codeSigning" \
    -keyout "$certs/key.pem" -out "$certs/cert.pem"
export IXEMPRA_SIGN_CERT=$certs/cert.pem IXEMPRA_SIGN_KEY=$certs/key.pem IXEMPRA_SIGN_CA=$certs/cert.pem

version=$(python3 -c 'import tomllib; print(tomllib.load(open("pyproject.toml","rb"))["project"]["version"])')
setup=dist/ixempra-gui-$version-setup.exe
deb=dist/ixempra-gui_${version}_amd64.deb
rm -f "$setup" "$deb"

step "Debian package: build" bash packaging/build-deb.sh
step "Debian package: install, self-test, purge" bash packaging/linux/deb-test.sh "$deb"
step "Windows installer: build (signed)" bash packaging/build-windows.sh
verify_signatures() {
    osslsigncode verify -CAfile "$IXEMPRA_SIGN_CA" -in "$setup" &&
        (cd dist && sha256sum -c "$(basename "$setup").sha256" && sha256sum -c "$(basename "$deb").sha256")
}
step "Windows installer: signature verifies, SHA-256 files match" verify_signatures
step "Windows installer: Wine install, self-tests, Start menu, uninstall" \
    bash packaging/windows/wine-test.sh "$setup"
step "sizes and installed start-up (bench/bundle.py --check)" python3 bench/bundle.py --check

rm -rf "$certs" "$log_dir"
echo "installers: $passed passed, $failed failed in $(($(date +%s) - start)) s${failures:+ (failed:${failures#;})}"
[ "$failed" -eq 0 ]

#!/usr/bin/env bash
# Authenticode-sign a Windows executable in place with osslsigncode (Debian):  sign.sh FILE
#
# The certificate comes from the environment, never from the repository:
#   IXEMPRA_SIGN_PFX=cert.pfx [IXEMPRA_SIGN_PASSWORD=...]            a PKCS#12 bundle, or
#   IXEMPRA_SIGN_CERT=cert.pem IXEMPRA_SIGN_KEY=key.pem [IXEMPRA_SIGN_PASSWORD=...]
#   IXEMPRA_SIGN_TIMESTAMP_URL=http://...   optional RFC 3161 time-stamping server (a release
#                                           should use one, so signatures outlive the cert)
# build-windows.sh calls it for the launcher, and NSIS (!finalize, !uninstfinalize) for
# setup.exe and the uninstaller. CI signs with a throwaway self-signed certificate
# (packaging/ci-installers.sh) and verifies with osslsigncode verify.
set -euo pipefail
FILE=${1:?usage: sign.sh FILE}
command -v osslsigncode >/dev/null || { echo "sign: osslsigncode missing (apt-get install osslsigncode)" >&2; exit 1; }
if [ -n "${IXEMPRA_SIGN_PFX:-}" ]; then
    key=(-pkcs12 "$IXEMPRA_SIGN_PFX")
elif [ -n "${IXEMPRA_SIGN_CERT:-}" ] && [ -n "${IXEMPRA_SIGN_KEY:-}" ]; then
    key=(-certs "$IXEMPRA_SIGN_CERT" -key "$IXEMPRA_SIGN_KEY")
else
    echo "sign: set IXEMPRA_SIGN_PFX, or IXEMPRA_SIGN_CERT and IXEMPRA_SIGN_KEY" >&2
    exit 1
fi
[ -n "${IXEMPRA_SIGN_PASSWORD:-}" ] && key+=(-pass "$IXEMPRA_SIGN_PASSWORD")
stamp=()
[ -n "${IXEMPRA_SIGN_TIMESTAMP_URL:-}" ] && stamp=(-ts "$IXEMPRA_SIGN_TIMESTAMP_URL")
signed="$FILE.signing"
rm -f "$signed"
osslsigncode sign "${key[@]}" "${stamp[@]}" -h sha256 -n "Ixempra Dosing Workstation" \
    -in "$FILE" -out "$signed" >/dev/null
mv -f "$signed" "$FILE"
echo "sign: signed $(basename "$FILE")"

#!/usr/bin/env bash
# Runs inside the private pcscd with the simulated card (see demo.sh).
set -euo pipefail

cli="$MDG_BUILD_ROOT/app/cli/madoguchi-cli"
persona="$MDG_BUILD_ROOT/smartcard/sim/pki/$MDG_DEMO_PERSONA/persona.json"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

sign_pin=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pins"]["sign"])' "$persona")

echo "== madoguchi-cli card readers"
"$cli" card readers
echo
echo "== madoguchi-cli card status"
"$cli" card status
echo

printf '%s\n' '{"procedure":"demo","note":"sample application"}' >"$work/application.json"
digest=$(openssl dgst -sha256 -r "$work/application.json" | cut -d' ' -f1)
echo "== madoguchi-cli card sign --key sign --sha256 $digest"
echo "   (signature password of the simulated persona read from its file via --pin-fd)"
"$cli" card sign --key sign --sha256 "$digest" --pin-fd 3 3<<<"$sign_pin" >"$work/signature.hex"
cut -c1-64 "$work/signature.hex" | sed 's/$/…/'
echo

echo "== madoguchi-cli card certs --sign --out DIR"
"$cli" card certs --sign --out "$work/certs" --pin-fd 3 3<<<"$sign_pin" >/dev/null
ls "$work/certs"
echo

echo "== openssl: check the signature with the signature certificate"
python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(open(sys.argv[1]).read().strip()))' "$work/signature.hex" >"$work/signature.bin"
openssl x509 -inform DER -in "$work/certs/sign.der" -pubkey -noout >"$work/sign-pub.pem"
openssl pkeyutl -verify -pubin -inkey "$work/sign-pub.pem" -pkeyopt digest:sha256 \
  -in <(openssl dgst -sha256 -binary "$work/application.json") -sigfile "$work/signature.bin"
openssl verify -CAfile <(openssl x509 -inform DER -in "$work/certs/sign-ca.der") \
  <(openssl x509 -inform DER -in "$work/certs/sign.der") | sed 's|^/dev/fd/[0-9]*|sign certificate|'
echo
echo "== madoguchi-cli card status (tries left after the signature)"
"$cli" card status | grep -i -E 'tries|残り' || true

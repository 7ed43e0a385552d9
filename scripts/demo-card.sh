#!/usr/bin/env bash
# Runs inside the private pcscd with the simulated card (see demo.sh).
set -euo pipefail

cli="$MDG_BUILD_ROOT/app/cli/madoguchi-cli"
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
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

echo "== madoguchi-cli sign: an application (資格確認書 再交付, 川口市) as a signed envelope"
python3 - "$persona" "$work/doc.json" <<'PY'
import json, sys, uuid
p = json.load(open(sys.argv[1], encoding='utf-8'))
b = p['birth']
birth = '%s-%s-%s' % (b[0:4], b[4:6], b[6:8])
doc = {
    'format': 'madoguchi-application', 'format_version': 1, 'id': str(uuid.uuid4()),
    'created': '2026-11-23T09:30:00Z',
    'procedure': {'id': '112038-kouki-card-reissue', 'version': 1}, 'municipality': '112038',
    'applicant': {'name': p['name'], 'sex': p['sex'], 'birth_date': birth, 'address': p['address']},
    'fields': {
        'hihokensha_number': '12345678', 'insured_name': p['name'],
        'insured_name_kana': p['name_kana'], 'insured_birth_date': birth,
        'insured_postal_code': '332-0001', 'insured_address': p['address'],
        'insured_phone': '048-000-0000', 'reissue_reason': 'damaged', 'is_proxy': False,
    },
    'attachments': [{'field': 'damaged_card', 'name': 'card.png', 'media_type': 'image/png'}],
    'consents': [{'id': 'privacy-v1', 'text': '個人情報の取扱いに同意します。'}],
}
json.dump(doc, open(sys.argv[2], 'w', encoding='utf-8'), ensure_ascii=False, indent=2)
PY
python3 -c 'import sys; sys.stdout.buffer.write(b"\x89PNG\r\n\x1a\n" + bytes(1024))' >"$work/card.png"
"$cli" sign --procedure 112038-kouki-card-reissue --in "$work/doc.json" --attach "$work/card.png" \
  --catalog "$top/data/catalog" --out "$work/application.zip" --pin-fd 3 3<<<"$sign_pin"
python3 -c 'import sys, zipfile; print("\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))' \
  "$work/application.zip"
echo
echo "== madoguchi-cli verify --trust test (the simulator's roots; production trusts only J-LIS)"
"$cli" verify "$work/application.zip" --trust test --trust-dir "$MDG_BUILD_ROOT/smartcard/sim/pki"
echo
echo "== madoguchi-cli card status (tries left after the signatures)"
"$cli" card status | grep -i -E 'tries|残り' || true
echo

# The local reference server: the municipality's application-management
# system, over TLS on loopback, with the simulator's test roots.
server="$MDG_BUILD_ROOT/sync/server/madoguchi-server"
auth_pin=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pins"]["auth"])' "$persona")
pki="$MDG_BUILD_ROOT/smartcard/sim/pki"
mkdir -p "$work/server"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=madoguchi-demo \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$work/server/tls.key" -out "$work/server/tls.pem" 2>/dev/null
openssl genpkey -algorithm ed25519 -out "$work/server/receipt.pem"
cat >"$work/server/server.conf" <<CONF
[server]
listen=127.0.0.1:0
name=city.kawaguchi.example
database=server.db
tls_certificate=tls.pem
tls_key=tls.key
receipt_key=receipt.pem
[auth-trust]
mode=test
pki_dir=$pki
[signing-trust]
mode=test
pki_dir=$pki
CONF
"$server" --config "$work/server/server.conf" >"$work/server/uri" 2>"$work/server/log" &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 200); do [ -s "$work/server/uri" ] && break; sleep 0.05; done
uri=$(head -n 1 "$work/server/uri")
admin () { "$server" admin --config "$work/server/server.conf" "$@"; }
echo "== madoguchi-server on $uri (staff: add a staff account, map this card's auth certificate)"
admin add-staff demo-clerk --name "Demo Clerk" >/dev/null
serial=$(openssl x509 -in "$pki/$MDG_DEMO_PERSONA/auth.pem" -noout -serial | sed 's/^serial=//')
admin --as demo-clerk map-person "$serial" RES-DEMO-0001 >/dev/null
admin receipt-key >"$work/receipt.pub"
cat >"$work/endpoint.ini" <<INI
[endpoint]
uri=$uri
ca=$work/server/tls.pem
receipt_key=$work/receipt.pub
INI
echo

profile="$work/profile"
pass="demo passphrase (a real profile uses the desktop keyring)"
echo "== madoguchi-cli outbox add (the encrypted outbox of a fresh profile)"
"$cli" outbox add "$work/application.zip" --profile "$profile" --passphrase-fd 4 4<<<"$pass"
echo
echo "== madoguchi-cli sync (login with the card's authentication key, deliver, fetch the status)"
"$cli" sync --endpoint "$work/endpoint.ini" --profile "$profile" --passphrase-fd 4 4<<<"$pass" \
  --pin-fd 3 3<<<"$auth_pin"
echo
uuid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$work/doc.json")
echo "== staff: under review, then a correction request with a comment (自治体コメント)"
admin --as demo-clerk set-status "$uuid" under-review >/dev/null
admin --as demo-clerk set-status "$uuid" correction-requested --comment "破損した資格確認書の写真をもう一度添付してください。" >/dev/null
"$cli" sync --endpoint "$work/endpoint.ini" --profile "$profile" --passphrase-fd 4 4<<<"$pass" \
  --pin-fd 3 3<<<"$auth_pin"
echo
echo "== madoguchi-cli status (offline, from the encrypted cache)"
kill "$server_pid"
wait "$server_pid" 2>/dev/null || true
"$cli" status --profile "$profile" --passphrase-fd 4 4<<<"$pass"

#!/bin/sh
# test-sync.sh CASE: `madoguchi-cli outbox|sync|status` against
# madoguchi-server over TLS on loopback, logging in with the simulated card
# behind the real pcscd. Runs inside pcsc-ns.sh (see meson.build).
#
# Needs MDG_CLI, MDG_SERVER, MDG_SIM, MDG_PKI_DIR, MDG_WAIT_CARD,
# MDG_SOURCE_ROOT.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/cli-lib.sh"

case_name=${1:?usage: test-sync.sh CASE}
T=$(mktemp -d "${TMPDIR:-/tmp}/mdg-test.XXXXXX")
SERVER_PID=
stop_server () {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
  fi
}
cleanup () {
  stop_server
  mdg_card_stop
  rm -rf "$T"
}
trap cleanup EXIT

export LC_ALL=C.UTF-8 LANGUAGE=
PERSONA=kawaguchi-76
PROFILE=$T/profile
printf '%s\n' 'correct horse battery staple' >"$T/pw"

# The server: a TLS certificate for 127.0.0.1, a receipt key, test trust,
# and the persona's authentication certificate mapped to a resident.
start_server () {
  mkdir -p "$T/server"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj /CN=madoguchi-test -addext subjectAltName=IP:127.0.0.1 \
    -keyout "$T/server/tls.key" -out "$T/server/tls.pem" 2>/dev/null
  openssl genpkey -algorithm ed25519 -out "$T/server/receipt.pem"
  cat >"$T/server/server.conf" <<CONF
[server]
listen=127.0.0.1:${1:-0}
name=test.example
database=server.db
tls_certificate=tls.pem
tls_key=tls.key
receipt_key=receipt.pem
[auth-trust]
mode=test
pki_dir=$MDG_PKI_DIR
[signing-trust]
mode=test
pki_dir=$MDG_PKI_DIR
CONF
  "$MDG_SERVER" --config "$T/server/server.conf" >"$T/server/uri" 2>"$T/server/log" &
  SERVER_PID=$!
  _i=0
  while [ ! -s "$T/server/uri" ]; do
    _i=$((_i + 1))
    [ "$_i" -lt 200 ] || fail "the server did not start: $(cat "$T/server/log")"
    sleep 0.05
  done
  URI=$(head -n 1 "$T/server/uri")
  admin add-staff alice --name "Alice Staff"
  serial=$(openssl x509 -in "$MDG_PKI_DIR/$PERSONA/auth.pem" -noout -serial | sed 's/^serial=//')
  [ "${MAP_CARD:-yes}" = no ] || admin --as alice map-person "$serial" RES-A
  "$MDG_SERVER" admin --config "$T/server/server.conf" receipt-key >"$T/receipt.pub"
  cat >"$T/endpoint.ini" <<INI
[endpoint]
uri=$URI
ca=$T/server/tls.pem
receipt_key=receipt.pub
INI
}

admin () {
  "$MDG_SERVER" admin --config "$T/server/server.conf" "$@" >/dev/null
}

# sync_cli ARG…: madoguchi-cli with the auth PIN on fd 3 and the
# profile's passphrase on fd 4.
sync_cli () {
  printf '%s\n' 1234 >"$T/pins"
  set +e
  timeout 60 "$MDG_CLI" "$@" --profile "$PROFILE" --passphrase-fd 4 >"$T/out" 2>"$T/err" \
    </dev/null 3<"$T/pins" 4<"$T/pw"
  rc=$?
  set -e
  rm -f "$T/pins"
}

# queue: signs an application with the card (signature PIN ABC123) and
# puts the envelope into the outbox; sets UUID.
queue () {
  python3 - "$MDG_PKI_DIR/$PERSONA/persona.json" "$T/doc.json" <<'PY'
import json, sys, uuid
p = json.load(open(sys.argv[1], encoding='utf-8'))
b = p['birth']
birth = '%s-%s-%s' % (b[0:4], b[4:6], b[6:8])
doc = {
    'format': 'madoguchi-application', 'format_version': 1, 'id': str(uuid.uuid4()),
    'created': '2025-06-01T09:30:00Z',
    'procedure': {'id': '112038-kouki-card-reissue', 'version': 1}, 'municipality': '112038',
    'applicant': {'name': p['name'], 'sex': p['sex'], 'birth_date': birth, 'address': p['address']},
    'fields': {'hihokensha_number': '12345678', 'insured_name': p['name'],
               'insured_name_kana': 'アオキ　ハルコ', 'insured_birth_date': birth,
               'insured_postal_code': '332-0001', 'insured_address': p['address'],
               'insured_phone': '048-000-0000', 'reissue_reason': 'lost', 'is_proxy': False},
    'attachments': [],
    'consents': [{'id': 'privacy-v1', 'text': '個人情報の取扱いに同意します。'}],
}
json.dump(doc, open(sys.argv[2], 'w', encoding='utf-8'), ensure_ascii=False)
PY
  cli_pins ABC123 sign --procedure 112038-kouki-card-reissue --in "$T/doc.json" \
    --catalog "$MDG_SOURCE_ROOT/data/catalog" --out "$T/app.zip"
  [ "$rc" -eq 0 ] || fail "sign exited with $rc"
  set +e
  timeout 30 "$MDG_CLI" outbox add "$T/app.zip" --profile "$PROFILE" --passphrase-fd 4 \
    >"$T/out" 2>"$T/err" </dev/null 4<"$T/pw"
  rc=$?
  set -e
  [ "$rc" -eq 0 ] || fail "outbox add exited with $rc"
  UUID=$(cat "$T/out")
  rm -f "$T/app.zip"
}

mdg_card_start "$PERSONA"

case $case_name in
deliver-and-status)
  start_server
  queue
  first=$UUID
  queue
  sync_cli outbox list
  [ "$(grep -c 'waiting to be sent' "$T/out")" -eq 2 ] || fail "two envelopes wait"
  sync_cli sync --endpoint "$T/endpoint.ini" --pin-fd 3
  [ "$rc" -eq 0 ] || fail "sync exited with $rc"
  grep -q '^Sent: 2, refused: 0, waiting: 0$' "$T/out" || fail "two envelopes sent"
  [ "$(grep -c '^MDG-.*  Received$' "$T/out")" -eq 2 ] || fail "two new statuses shown"
  sync_cli outbox list
  [ ! -s "$T/out" ] || fail "the outbox is empty after sync"

  # Staff ask for a correction; the next sync shows it with the comment,
  # and raises a desktop notification without it (a private session bus,
  # watched by dbus-monitor; no notification service needs to run).
  admin --as alice set-status "$first" correction-requested --comment "写真を添付してください"
  dbus-run-session -- sh -c '
    dbus-monitor --session "interface=org.freedesktop.Notifications" >"$1/monitor" 2>/dev/null &
    m=$!
    sleep 0.5
    printf "%s\n" 1234 >"$1/pins"
    timeout 60 "$2" sync --notify --endpoint "$1/endpoint.ini" --pin-fd 3 --profile "$3" \
      --passphrase-fd 4 >"$1/out" 2>"$1/err" </dev/null 3<"$1/pins" 4<"$1/pw"
    echo $? >"$1/rc"
    sleep 0.5
    kill $m' sh "$T" "$MDG_CLI" "$PROFILE"
  rc=$(cat "$T/rc")
  [ "$rc" -eq 0 ] || fail "second sync exited with $rc"
  grep -q 'member=Notify' "$T/monitor" || fail "a desktop notification was sent"
  grep -q 'Correction requested' "$T/monitor" || fail "the notification names the new status"
  ! grep -q '写真を添付' "$T/monitor" || fail "the notification carries no comment"
  grep -q 'Received → Correction requested' "$T/out" || fail "the change is shown"
  grep -q 'Comment from the municipality: 写真を添付してください' "$T/out" || fail "the comment is shown"

  # 補正: a new draft from the original, linked to it, signed and sent.
  sync_cli draft correct "$UUID" --endpoint "$T/endpoint.ini" --pin-fd 3
  [ "$rc" -eq 1 ] || fail "an application without a correction request cannot be corrected ($rc)"
  grep -q 'has not asked for a correction' "$T/err" || fail "says why"
  sync_cli draft correct "$first" --endpoint "$T/endpoint.ini" --pin-fd 3
  [ "$rc" -eq 0 ] || fail "draft correct exited with $rc"
  draft=$(head -n 1 "$T/out")
  grep -q 'Comment from the municipality: 写真を添付してください' "$T/out" || fail "correct shows the comment"
  sync_cli draft show "$draft"
  cp "$T/out" "$T/corrected.json"
  python3 - "$T/corrected.json" "$first" <<'PY' || fail "the draft is linked to the original"
import json, sys
d = json.load(open(sys.argv[1], encoding='utf-8'))
assert d['corrects'] == sys.argv[2] and d['id'] != sys.argv[2], d
PY
  cli_pins ABC123 sign --procedure 112038-kouki-card-reissue --in "$T/corrected.json" \
    --catalog "$MDG_SOURCE_ROOT/data/catalog" --out "$T/corrected.zip"
  [ "$rc" -eq 0 ] || fail "signing the corrected application exited with $rc"
  set +e
  timeout 30 "$MDG_CLI" outbox add "$T/corrected.zip" --profile "$PROFILE" --passphrase-fd 4 \
    >"$T/out" 2>"$T/err" </dev/null 4<"$T/pw"
  rc=$?
  set -e
  [ "$rc" -eq 0 ] || fail "outbox add of the correction exited with $rc"
  sync_cli sync --endpoint "$T/endpoint.ini" --pin-fd 3
  grep -q '^Sent: 1, refused: 0, waiting: 0$' "$T/out" || fail "the correction was sent"

  # The resident's subsidy records (PMH fields), imported by staff.
  cat >"$T/records.json" <<'JSON'
[{"resident": "RES-A", "records": [
  {"certificate_type_id": "05", "certificate_name": "重度心身障害者医療費受給者証",
   "payer_number": "88111111", "recipient_number": "7654321",
   "copay_caps": [{"id": "1", "kind": "outpatient", "definition": "月額 1,000 円", "amount": 1000}],
   "valid_from": "2026-08-01", "valid_until": "2027-07-31", "suppressed": false},
  {"suppressed": true}]}]
JSON
  admin --as alice import-records "$T/records.json"
  sync_cli sync --endpoint "$T/endpoint.ini" --pin-fd 3
  [ "$rc" -eq 0 ] || fail "third sync exited with $rc"
  sync_cli records
  grep -q '重度心身障害者医療費受給者証' "$T/out" || fail "records show the certificate"
  grep -q 'Payer number: 88111111' "$T/out" || fail "records show the payer number"
  grep -q 'Co-payment cap: 月額 1,000 円' "$T/out" || fail "records show the cap"
  grep -q 'does not show here' "$T/out" || fail "a suppressed record is only a neutral line"

  # Nothing personal in plaintext in the profile after all of this: the
  # persona's name, kana, address and date of birth, the municipality's
  # comment and the record's numbers, as UTF-8, UTF-16 and base64.
  python3 - "$PROFILE" "$MDG_PKI_DIR/$PERSONA/persona.json" <<'PY' || fail "plaintext in the profile"
import base64, json, os, sys
p = json.load(open(sys.argv[2], encoding='utf-8'))
b = p['birth']
texts = [p['name'], p['address'], '%s-%s-%s' % (b[0:4], b[4:6], b[6:8]),
         '写真を添付してください', '7654321', '88111111', '重度心身障害者医療費受給者証']
if p.get('name_kana'):
    texts.append(p['name_kana'])
needles = []
for text in texts:
    for raw in (text.encode('utf-8'), text.encode('utf-16-le'), text.encode('utf-16-be')):
        needles.append(raw)
        for shift in range(3):
            enc = base64.b64encode(b'\0' * shift + raw)[4 * ((shift + 2) // 3):-4]
            if len(enc) >= 8:
                needles.append(enc)
files = 0
for root, _, names in os.walk(sys.argv[1]):
    for name in names:
        data = open(os.path.join(root, name), 'rb').read()
        files += 1
        for n in needles:
            if n in data:
                sys.exit('%s contains %r' % (name, n))
assert files >= 2, files
PY

  # Offline: the server is gone, the last status is shown with its age.
  stop_server
  sync_cli status
  [ "$rc" -eq 0 ] || fail "status exited with $rc"
  grep -q '^As of .* (just now):$' "$T/out" || fail "status shows its age"
  grep -q 'Correction requested' "$T/out" || fail "offline status lists the correction"
  sync_cli status --json
  python3 - "$T/out" "$first" <<'PY' || fail "status --json"
import json, sys
s = json.load(open(sys.argv[1]))
assert s['fetched'] is not None
assert len(s['submissions']) == 3
assert [x['status'] for x in s['submissions'] if x['uuid'] == sys.argv[2]] == ['correction-requested']
assert s['outbox'] == []
PY
  # In Japanese the statuses are the municipality's words.
  LANGUAGE=ja LC_ALL=ja_JP.UTF-8 sync_cli status
  grep -q '補正依頼' "$T/out" || fail "Japanese status label"
  ;;

server-down)
  start_server
  queue
  stop_server
  sync_cli sync --endpoint "$T/endpoint.ini" --pin-fd 3
  [ "$rc" -eq 10 ] || fail "sync without a server exits with 10, not $rc"
  grep -q 'Could not reach' "$T/err" || fail "says the server is unreachable"
  sync_cli outbox list
  grep -q "^$UUID .*waiting to be sent" "$T/out" || fail "the envelope is still in the outbox"
  ;;

retry-until-server-back)
  # The server is down when sync starts; it comes back while sync waits.
  start_server
  port=${URI##*:}
  port=${port%/}
  queue
  stop_server
  sed -i "s/^listen=.*/listen=127.0.0.1:$port/" "$T/server/server.conf"
  printf '%s\n' 1234 >"$T/pins"
  timeout 90 "$MDG_CLI" sync --retry-for 1 --endpoint "$T/endpoint.ini" --pin-fd 3 \
    --profile "$PROFILE" --passphrase-fd 4 >"$T/out" 2>"$T/err" </dev/null 3<"$T/pins" 4<"$T/pw" &
  sync_pid=$!
  _i=0
  until grep -q 'trying again in' "$T/err"; do
    _i=$((_i + 1))
    [ "$_i" -lt 400 ] || fail "sync did not wait for the server"
    sleep 0.05
  done
  : >"$T/server/uri"
  "$MDG_SERVER" --config "$T/server/server.conf" >"$T/server/uri" 2>"$T/server/log" &
  SERVER_PID=$!
  set +e
  wait "$sync_pid"
  rc=$?
  set -e
  rm -f "$T/pins"
  [ "$rc" -eq 0 ] || fail "sync --retry-for exited with $rc"
  grep -q '^Sent: 1, refused: 0, waiting: 0$' "$T/out" || fail "the envelope went out once the server was back"
  ;;

unmapped-card)
  # Staff have not mapped this card's serial to a resident yet.
  MAP_CARD=no start_server
  queue
  sync_cli sync --endpoint "$T/endpoint.ini" --pin-fd 3
  [ "$rc" -eq 11 ] || fail "an unmapped card exits with 11, not $rc"
  grep -q 'person-unknown' "$T/err" || fail "names the reason"
  ;;

usage-errors)
  sync_cli sync --endpoint "$T/missing.ini" --pin-fd 3
  [ "$rc" -eq 1 ] || fail "a missing endpoint file exits with 1, not $rc"
  grep -q 'server settings' "$T/err" || fail "names the settings file"
  printf '[endpoint]\nuri=http://127.0.0.1:1/\nca=x\nreceipt_key=y\n' >"$T/plain.ini"
  sync_cli sync --endpoint "$T/plain.ini" --pin-fd 3
  [ "$rc" -eq 1 ] || fail "plain http is refused"
  grep -q 'https://' "$T/err" || fail "says https"
  sync_cli outbox add "$T/nothing.zip"
  [ "$rc" -ne 0 ] || fail "a missing envelope is an error"
  ;;

*)
  fail "unknown case"
  ;;
esac

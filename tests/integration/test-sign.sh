#!/bin/sh
# test-sign.sh CASE: one integration case of `madoguchi-cli sign`, `verify`
# and `evidence` against the simulator behind the real pcscd. Runs inside
# pcsc-ns.sh (see meson.build).
#
# Needs MDG_CLI, MDG_SIM, MDG_PKI_DIR, MDG_WAIT_CARD, MDG_SOURCE_ROOT.
# Every CLI call is bounded by `timeout`, every wait is a bounded poll.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/cli-lib.sh"

case_name=${1:?usage: test-sign.sh CASE}
T=$(mktemp -d "${TMPDIR:-/tmp}/mdg-test.XXXXXX")
cleanup () {
  mdg_card_stop
  rm -rf "$T"
}
trap cleanup EXIT

export LC_ALL=C.UTF-8 LANGUAGE=

CATALOG=${MDG_SOURCE_ROOT:?}/data/catalog
# A small form with one attachment field: reissue of a damaged card.
PROCEDURE=112038-kouki-card-reissue

# make_document PERSONA FILE: an application for $PROCEDURE whose applicant
# is PERSONA as its signature certificate says, listing one attachment
# (card.png) without size and hash: `sign` fills them in.
make_document () {
  python3 - "$MDG_PKI_DIR/$1/persona.json" "$2" <<'PY'
import json, sys, uuid
p = json.load(open(sys.argv[1], encoding='utf-8'))
b = p['birth']
birth = '%s-%s-%s' % (b[0:4], b[4:6], b[6:8])
doc = {
    'format': 'madoguchi-application',
    'format_version': 1,
    'id': str(uuid.uuid4()),
    'created': '2025-06-01T09:30:00Z',
    'procedure': {'id': '112038-kouki-card-reissue', 'version': 1},
    'municipality': '112038',
    'applicant': {'name': p['name'], 'sex': p['sex'], 'birth_date': birth,
                  'address': p['address']},
    'fields': {
        'hihokensha_number': '12345678',
        'insured_name': p['name'],
        'insured_name_kana': p.get('name_kana', 'アオキ　ハルコ'),
        'insured_birth_date': birth,
        'insured_postal_code': '332-0001',
        'insured_address': p['address'],
        'insured_phone': '048-000-0000',
        'reissue_reason': 'damaged',
        'is_proxy': False,
    },
    'attachments': [{'field': 'damaged_card', 'name': 'card.png', 'media_type': 'image/png'}],
    'consents': [{'id': 'privacy-v1', 'text': '個人情報の取扱いに同意します。'}],
}
json.dump(doc, open(sys.argv[2], 'w', encoding='utf-8'), ensure_ascii=False, indent=2)
PY
}

# A small PNG-like attachment (content is not inspected, only hashed).
make_attachment () {
  python3 -c 'import sys,os; sys.stdout.buffer.write(b"\x89PNG\r\n\x1a\n" + os.urandom(4096))' >"$1"
}

# sign_envelope PERSONA PIN [ARG…]: signs $T/doc.json with $T/card.png
# into $T/app.zip.
sign_envelope () {
  _p=$1 _pin=$2
  shift 2
  make_document "$_p" "$T/doc.json"
  make_attachment "$T/card.png"
  cli_pins "$_pin" sign --procedure "$PROCEDURE" --in "$T/doc.json" --attach "$T/card.png" \
    --catalog "$CATALOG" --out "$T/app.zip" "$@"
}

# tamper IN OUT MEMBER: rewrites the ZIP with one byte of MEMBER flipped
# (CRCs recomputed, so only the hashes can tell).
tamper () {
  python3 - "$1" "$2" "$3" <<'PY'
import sys, zipfile
src, dst, member = sys.argv[1:4]
with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, 'w') as zout:
    for info in zin.infolist():
        data = zin.read(info)
        if info.filename == member:
            data = bytearray(data)
            data[len(data) // 2] ^= 0x01
            data = bytes(data)
        zout.writestr(info, data)
PY
}

case $case_name in

sign-verify)
  p=kawaguchi-76
  mdg_card_start $p
  sign_envelope $p "$(persona $p pins.sign)"
  expect_rc 0
  [ -s "$T/app.zip" ] || fail "sign wrote no envelope"

  # The envelope verifies against the test PKI, as text and as JSON.
  cli verify "$T/app.zip" --trust test --trust-dir "$MDG_PKI_DIR"
  expect_rc 0
  cli verify "$T/app.zip" --trust test --trust-dir "$MDG_PKI_DIR" --json
  expect_rc 0
  cp "$T/out" "$T/report.json"
  [ "$(json_get "$T/report.json" valid)" = true ] || fail "--json does not say valid"
  [ "$(json_get "$T/report.json" trust)" = test ] || fail "--json does not say trust test"

  # What unzip sees: the documented members, hashes as the manifest says.
  mkdir "$T/x"
  (cd "$T/x" && unzip -q "$T/app.zip") || fail "unzip cannot open the envelope"
  for m in manifest.json application.json application.p7s attachments/1-card.png; do
    [ -f "$T/x/$m" ] || fail "the envelope lacks $m"
  done
  cmp -s "$T/x/attachments/1-card.png" "$T/card.png" || fail "the attachment differs from the file"
  (cd "$T/x" && python3 -c 'import json;[print(p["sha256"]+"  "+p["path"]) for p in json.load(open("manifest.json"))["parts"]]' |
     sha256sum -c --quiet) || fail "sha256sum disagrees with the manifest"
  python3 -c 'import json,sys; b=open(sys.argv[1],"rb").read(); assert b == json.dumps(json.loads(b), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()' \
    "$T/x/application.json" || fail "application.json is not in canonical form"
  grep -qF "$(sha256sum "$T/card.png" | cut -c1-64)" "$T/x/application.json" ||
    fail "the signed document does not carry the attachment's SHA-256"

  # OpenSSL alone verifies the signature over the extracted document.
  openssl cms -verify -binary -inform DER -in "$T/x/application.p7s" \
    -content "$T/x/application.json" -CAfile "$MDG_PKI_DIR/sign-ca.pem" -out /dev/null \
    2>"$T/err" || fail "openssl cms -verify refuses the signature"
  # … and refuses it against the authentication CA.
  if openssl cms -verify -binary -inform DER -in "$T/x/application.p7s" \
       -content "$T/x/application.json" -CAfile "$MDG_PKI_DIR/auth-ca.pem" -out /dev/null \
       2>/dev/null; then
    fail "openssl verifies against the authentication CA"
  fi

  # A flipped byte in the attachment: not valid, exit 7.
  tamper "$T/app.zip" "$T/tampered.zip" attachments/1-card.png
  cli verify "$T/tampered.zip" --trust test --trust-dir "$MDG_PKI_DIR" --json
  expect_rc 7
  [ "$(json_get "$T/out" valid)" = false ] || fail "a tampered envelope is valid"
  # A flipped byte in the document: not valid either.
  tamper "$T/app.zip" "$T/tampered-doc.zip" application.json
  cli verify "$T/tampered-doc.zip" --trust test --trust-dir "$MDG_PKI_DIR"
  [ "$rc" -ne 0 ] || fail "an envelope with a tampered document verifies"

  # The evidence pack: the documented members.
  cli evidence "$T/app.zip" --trust test --trust-dir "$MDG_PKI_DIR" --out "$T/evidence.zip"
  expect_rc 0
  python3 - "$T/evidence.zip" "$T/x" <<'PY' || fail "the evidence pack differs from docs/envelope.md"
import json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
names = sorted(z.namelist())
want = sorted(['evidence.json', 'application.json', 'application.p7s', 'attachments.json',
               'verification.json', 'verification.txt'])
assert names == want, names
ev = json.loads(z.read('evidence.json'))
assert ev['format'] == 'madoguchi-evidence' and ev['format_version'] == 1, ev
assert ev['valid'] is True and ev['receipt'] is None, ev
assert z.read('application.json') == open(sys.argv[2] + '/application.json', 'rb').read()
assert z.read('application.p7s') == open(sys.argv[2] + '/application.p7s', 'rb').read()
parts = json.loads(z.read('attachments.json'))
parts = parts['parts'] if isinstance(parts, dict) else parts
assert any(p['path'] == 'attachments/1-card.png' for p in parts), parts
assert json.loads(z.read('verification.json'))['valid'] is True
assert len(z.read('verification.txt')) > 0
PY
  # The evidence of a tampered envelope says so.
  cli evidence "$T/tampered.zip" --trust test --trust-dir "$MDG_PKI_DIR" --out "$T/evidence2.zip"
  expect_rc 0
  python3 -c 'import json,sys,zipfile; assert json.loads(zipfile.ZipFile(sys.argv[1]).read("evidence.json"))["valid"] is False' \
    "$T/evidence2.zip" || fail "the evidence of a tampered envelope says valid"
  ;;

sign-last-try)
  p=sign-one-try-left
  mdg_card_start $p
  sign_envelope $p "$(persona $p pins.sign)"
  expect_rc 6
  expect_one_line_error
  expect_err "one try is left"
  [ ! -e "$T/app.zip" ] || fail "an envelope was written"
  # The counter is untouched: no PIN was sent.
  cli card status --json
  expect_rc 0
  [ "$(json_get "$T/out" pin_tries_left.sign)" = 1 ] || fail "the sign PIN counter changed"

  sign_envelope $p "$(persona $p pins.sign)" --confirm-last-try
  expect_rc 0
  cli verify "$T/app.zip" --trust test --trust-dir "$MDG_PKI_DIR"
  expect_rc 0
  cli card status --json
  expect_rc 0
  [ "$(json_get "$T/out" pin_tries_left.sign)" = 5 ] || fail "a correct PIN did not reset the counter"
  ;;

wrong-pin)
  p=kawaguchi-76
  mdg_card_start $p
  sign_envelope $p WRONGPW1
  expect_rc 4
  expect_one_line_error
  [ ! -e "$T/app.zip" ] || fail "an envelope was written"
  ;;

trust-modes)
  p=kawaguchi-76
  mdg_card_start $p
  sign_envelope $p "$(persona $p pins.sign)"
  expect_rc 0

  # A production store (one unrelated root) that knows the simulator's
  # roots as test roots refuses the envelope with the test-root message.
  mkdir -p "$T/trust/sign" "$T/trust/test"
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/other.key" -subj "/CN=Other root" \
    -days 30 -out "$T/trust/sign/other.pem" 2>/dev/null
  cp "$MDG_PKI_DIR/sign-ca.pem" "$MDG_PKI_DIR/auth-ca.pem" "$T/trust/test/"
  cli verify "$T/app.zip" --trust production --trust-dir "$T/trust"
  [ "$rc" -ne 0 ] || fail "production trust accepts a test signature"
  grep -qF "test root" "$T/out" || fail "the report does not name the test root"
  cli verify "$T/app.zip" --trust production --trust-dir "$T/trust" --json
  [ "$rc" -ne 0 ] || fail "production trust accepts a test signature"
  [ "$(json_get "$T/out" valid)" = false ] || fail "--json says valid"
  [ "$(json_get "$T/out" trust)" = production ] || fail "--json does not say trust production"

  # Only the test PKI as a production directory: no signature root.
  cli verify "$T/app.zip" --trust production --trust-dir "$MDG_PKI_DIR"
  [ "$rc" -ne 0 ] || fail "production trust accepts the test PKI directory"
  expect_one_line_error

  # --trust test needs the PKI directory; nothing is installed for it.
  cli verify "$T/app.zip" --trust test
  expect_rc 2
  expect_one_line_error
  expect_err "--trust-dir"
  cli verify "$T/app.zip" --trust bogus --trust-dir "$MDG_PKI_DIR"
  expect_rc 2
  expect_one_line_error
  ;;

usage-errors)
  mdg_card_start kawaguchi-76
  make_document kawaguchi-76 "$T/doc.json"
  make_attachment "$T/card.png"
  for args in "sign" "sign --in $T/doc.json --out $T/app.zip" \
              "sign --procedure $PROCEDURE --in $T/doc.json --out $T/app.zip extra" \
              "verify" "verify a b" "evidence $T/app.zip"; do
    # shellcheck disable=SC2086 # words on purpose
    cli $args
    expect_rc 2
    expect_one_line_error
  done
  # The document is for another procedure.
  cli_pins x sign --procedure 112038-kouki-kogaku --in "$T/doc.json" --attach "$T/card.png" \
    --catalog "$CATALOG" --out "$T/app.zip"
  expect_rc 2
  # The attachment listed in the document is missing.
  cli_pins x sign --procedure "$PROCEDURE" --in "$T/doc.json" --catalog "$CATALOG" --out "$T/app.zip"
  expect_rc 2
  expect_one_line_error
  [ ! -e "$T/app.zip" ] || fail "an envelope was written"
  # An envelope with an empty document (found by fuzz-envelope): an error,
  # not a crash.
  cli verify "$MDG_SOURCE_ROOT/tests/fuzz/corpus/envelope/empty-document.zip" \
    --trust test --trust-dir "$MDG_PKI_DIR"
  expect_rc 1
  expect_one_line_error
  expect_err "empty"
  # Not an envelope.
  printf 'not a zip' >"$T/junk.zip"
  cli verify "$T/junk.zip" --trust test --trust-dir "$MDG_PKI_DIR"
  [ "$rc" -ne 0 ] || fail "junk verifies"
  expect_one_line_error
  ;;

*)
  echo "test-sign.sh: unknown case $case_name" >&2
  exit 2
  ;;
esac

#!/bin/sh
# test-card.sh CASE: one integration case of `madoguchi-cli card` against the
# simulator behind the real pcscd. Runs inside pcsc-ns.sh (see meson.build).
#
# Needs MDG_CLI, MDG_SIM, MDG_PKI_DIR, MDG_WAIT_CARD, MDG_RAW_APDU.
# Every CLI call is bounded by `timeout`, every wait is a bounded poll.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/cli-lib.sh"

case_name=${1:?usage: test-card.sh CASE}
T=$(mktemp -d "${TMPDIR:-/tmp}/mdg-test.XXXXXX")
cleanup () {
  mdg_card_stop
  rm -rf "$T"
}
trap cleanup EXIT

# The CLI's messages are checked in English.
export LC_ALL=C.UTF-8 LANGUAGE=

# status_json PATH: a value from `card status --json` (in $T/out).
status_json () {
  python3 - "$T/out" "$1" <<'PY'
import json, sys
value = json.load(open(sys.argv[1], encoding='utf-8'))
for key in sys.argv[2].split('.'):
    value = value[key]
if isinstance(value, bool):
    value = 'true' if value else 'false'
print('null' if value is None else value)
PY
}

expect_tries () {
  cli card status --json
  expect_rc 0
  got=$(status_json "pin_tries_left.$1")
  [ "$got" = "$2" ] || fail "status shows $got tries for the $1 PIN, expected $2"
}

hex_to_file () {
  python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(sys.stdin.read().strip()))' >"$1"
}

# Number of VERIFY commands that carried a PIN (empty VERIFYs excluded), from
# pcscd's APDU log (MDG_PCSCD_LOG_APDUS=1).
verify_count () {
  [ -f "${MDG_PCSCD_LOG:-}" ] || fail "no pcscd APDU log; set MDG_PCSCD_LOG_APDUS=1"
  grep -cE 'APDU: 00 20 00 80 [0-9A-F]{2} ' "$MDG_PCSCD_LOG" || true
}

wrong_pin_for () {
  case $1 in
    sign) w=WRONGPW1 ;;
    *) w=9999 ;;
  esac
  if [ "$w" = "$2" ]; then
    w=$(printf '%s' "$w" | tr '9W' '8V')
  fi
  echo "$w"
}

sha256_of () {
  sha256sum "$1" | cut -c1-64
}

# sign_and_verify PERSONA KEY PIN: signs a document's digest with KEY and
# checks the signature with OpenSSL against the certificate `card certs`
# exported; a different document must not verify.
sign_and_verify () {
  printf 'Madoguchi integration test: %s key\n' "$2" >"$T/doc"
  printf 'Madoguchi integration test: another document\n' >"$T/other"
  if [ "$2" = sign ]; then
    cli_pins "$3" card certs --out "$T/certs" --sign
  else
    cli card certs --out "$T/certs"
  fi
  expect_rc 0
  [ -s "$T/certs/$2.pem" ] || fail "card certs wrote no $2.pem"

  cli_pins "$3" card sign --key "$2" --sha256 "$(sha256_of "$T/doc")"
  expect_rc 0
  grep -qxE '[0-9a-f]{512}' "$T/out" || fail "the signature is not 256 bytes of lower-case hex"
  hex_to_file "$T/doc.sig" <"$T/out"

  openssl x509 -in "$T/certs/$2.pem" -pubkey -noout >"$T/pub.pem"
  openssl dgst -sha256 -verify "$T/pub.pem" -signature "$T/doc.sig" "$T/doc" >/dev/null ||
    fail "openssl does not verify the $2-key signature"
  if openssl dgst -sha256 -verify "$T/pub.pem" -signature "$T/doc.sig" "$T/other" \
       >/dev/null 2>&1; then
    fail "the signature also verifies another document"
  fi
  # The same check on the DigestInfo level (PKCS#1 v1.5 with SHA-256).
  openssl dgst -sha256 -binary "$T/doc" >"$T/doc.sha256"
  openssl pkeyutl -verify -pubin -inkey "$T/pub.pem" -pkeyopt digest:sha256 \
    -in "$T/doc.sha256" -sigfile "$T/doc.sig" >/dev/null ||
    fail "openssl pkeyutl does not verify the $2-key signature"
}

JPKI_AID=D392F000260100000001
# SHA-256 DigestInfo of 32 zero bytes.
DIGEST_INFO=3031300D060960864801650304020105000420$(printf '%064d' 0)

case $case_name in

readers)
  cli card readers
  expect_rc 0
  grep -q "^Virtual PCD 00 00	no card$" "$T/out" || fail "reader Virtual PCD 00 00 missing or not empty"
  mdg_card_start kawaguchi-76
  cli card readers
  expect_rc 0
  grep -q "^Virtual PCD 00 00	card present$" "$T/out" || fail "reader Virtual PCD 00 00 has no card"
  grep -q "^Virtual PCD 00 01	no card$" "$T/out" || fail "reader Virtual PCD 00 01 missing"
  # --reader chooses the empty reader: no card there.
  cli card status --reader "Virtual PCD 00 01"
  expect_rc 3
  expect_one_line_error
  cli --reader "Virtual PCD 00 00" card status
  expect_rc 0
  expect_out "Virtual PCD 00 00"
  ;;

status)
  p=kawaguchi-76
  mdg_card_start $p
  cli card status --json
  expect_rc 0
  [ "$(status_json reader)" = "Virtual PCD 00 00" ] || fail "wrong reader"
  [ "$(status_json token_label)" = JPKIAPICCTOKEN2 ] || fail "wrong token label"
  [ "$(status_json sign_cert_available)" = "$(persona $p has_sign_cert)" ] ||
    fail "sign certificate availability differs from the persona"
  [ "$(status_json auth_cert_available)" = true ] || fail "no auth certificate"
  for k in auth sign text; do
    want=$(persona $p "tries.$k")
    [ -n "$want" ] || want=$(case $k in sign) echo 5 ;; *) echo 3 ;; esac)
    [ "$(status_json "pin_tries_left.$k")" = "$want" ] || fail "$k tries differ from the persona"
  done
  [ "$(status_json certificates.auth.valid_now)" = true ] || fail "auth certificate not valid"
  [ "$(status_json certificates.auth.issuer)" = "$(status_json certificates.auth_ca.subject)" ] ||
    fail "the auth certificate's issuer is not the auth CA"
  status_json certificates.auth.subject | grep -q 'CN=' || fail "auth subject has no CN"
  status_json certificates.sign_ca.subject | grep -q 'JPKI-TEST' || fail "sign CA is not a test CA"
  # The auth certificate carries no personal data.
  ! grep -qF "$(persona $p name)" "$T/out" || fail "status shows the holder's name"

  # Serial and validity agree with OpenSSL's reading of the exported file.
  serial=$(status_json certificates.auth.serial)
  cli card certs --out "$T/certs"
  expect_rc 0
  osserial=$(openssl x509 -in "$T/certs/auth.der" -inform DER -serial -noout | cut -d= -f2)
  [ "$serial" = "$osserial" ] || fail "serial $serial differs from OpenSSL's $osserial"

  cli card status
  expect_rc 0
  expect_out "Virtual PCD 00 00"
  expect_out "JPKIAPICCTOKEN2"
  expect_out "3 of 3 tries left"
  expect_out "5 of 5 tries left"
  expect_out "$serial"
  expect_out "valid now"
  ;;

status-expired)
  mdg_card_start expired-cert
  cli card status --json
  expect_rc 0
  [ "$(status_json certificates.auth.valid_now)" = false ] || fail "an expired certificate is shown as valid"
  cli card status
  expect_rc 0
  expect_out "NOT valid now"
  ;;

certs)
  p=kawaguchi-76
  mdg_card_start $p
  cli card certs --out "$T/certs"
  expect_rc 0
  for f in auth auth-ca sign-ca; do
    [ -s "$T/certs/$f.der" ] && [ -s "$T/certs/$f.pem" ] || fail "missing $f.der/$f.pem"
    [ "$(stat -c %a "$T/certs/$f.der")" = 644 ] || fail "$f.der is not 0644"
    openssl x509 -in "$T/certs/$f.der" -inform DER -noout || fail "$f.der is not a certificate"
    openssl x509 -in "$T/certs/$f.pem" -outform DER -out "$T/$f.check"
    cmp -s "$T/$f.check" "$T/certs/$f.der" || fail "$f.pem and $f.der differ"
  done
  [ ! -e "$T/certs/sign.der" ] || fail "the sign certificate was written without --sign"
  openssl verify -CAfile "$T/certs/auth-ca.pem" "$T/certs/auth.pem" >/dev/null ||
    fail "the auth certificate does not chain to the auth CA"

  # --sign with a wrong password: nothing written, a try spent.
  cli_pins "$(wrong_pin_for sign "$(persona $p pins.sign)")" card certs --out "$T/certs" --sign
  expect_rc 4
  expect_err "4 tries left"
  [ ! -e "$T/certs/sign.der" ] || fail "sign.der written after a wrong password"

  cli_pins "$(persona $p pins.sign)" card certs --out "$T/certs" --sign
  expect_rc 0
  [ -s "$T/certs/sign.der" ] && [ -s "$T/certs/sign.pem" ] || fail "no sign certificate"
  openssl verify -CAfile "$T/certs/sign-ca.pem" "$T/certs/sign.pem" >/dev/null ||
    fail "the sign certificate does not chain to the sign CA"
  expect_tries sign 5

  cli card certs
  expect_rc 2
  ;;

sign-sign-key)
  p=kawaguchi-76
  mdg_card_start $p
  sign_and_verify $p sign "$(persona $p pins.sign)"
  # The password is case-insensitive on input (upper-cased before sending).
  cli_pins "$(persona $p pins.sign | tr 'A-Z' 'a-z')" card sign --key sign \
    --sha256 "$(sha256_of "$T/doc")"
  expect_rc 0
  ;;

sign-known-certificate)
  p=kawaguchi-76
  mdg_card_start $p
  pin=$(persona $p pins.sign)
  cli_pins "$pin" card certs --out "$T/certs" --sign
  expect_rc 0
  printf 'Madoguchi integration test: known certificate\n' >"$T/doc"
  mdg_sim_ctl reset-stats >/dev/null
  cli_pins "$pin" card sign --key sign --certificate "$T/certs/sign.der" \
    --sha256 "$(sha256_of "$T/doc")"
  expect_rc 0
  apdus=$(mdg_sim_stats)
  [ "$apdus" -le 8 ] || fail "a signature with a known certificate took $apdus APDUs (at most 8)"
  hex_to_file "$T/doc.sig" <"$T/out"
  openssl x509 -in "$T/certs/sign.pem" -pubkey -noout >"$T/pub.pem"
  openssl dgst -sha256 -verify "$T/pub.pem" -signature "$T/doc.sig" "$T/doc" >/dev/null ||
    fail "openssl does not verify the signature made with a known certificate"
  # A certificate of another key: the card's signature does not verify
  # against it, so nothing is printed.
  cli_pins "$pin" card sign --key sign --certificate "$T/certs/auth.der" \
    --sha256 "$(sha256_of "$T/doc")"
  expect_rc 7
  expect_one_line_error
  [ ! -s "$T/out" ] || fail "a signature was printed although it did not verify"
  ;;

sign-auth-key)
  p=kawaguchi-76
  mdg_card_start $p
  sign_and_verify $p auth "$(persona $p pins.auth)"
  # A PIN of the wrong format is refused before anything is sent.
  cli_pins 12 card sign --key auth --sha256 "$(sha256_of "$T/doc")"
  expect_rc 4
  expect_one_line_error
  expect_tries auth 3
  ;;

info)
  p=kawaguchi-76
  mdg_card_start $p
  number=$(persona $p my_number)
  last4=$(printf '%s' "$number" | cut -c9-12)
  address=$(persona $p text_address)
  [ -n "$address" ] || address=$(persona $p address)
  birth=$(persona $p birth | sed -E 's/^([0-9]{4})([0-9]{2})([0-9]{2})$/\1-\2-\3/')

  cli_pins "$(persona $p pins.text)" card info
  expect_rc 0
  expect_out "$(persona $p name)"
  expect_out "$address"
  expect_out "$birth"
  case $(persona $p sex) in
    1) expect_out male ;;
    2) expect_out female ;;
    9) expect_out "not applicable" ;;
  esac
  expect_out "**** **** $last4"
  ! grep -qF "$number" "$T/out" || fail "the My Number is shown unmasked"

  cli_pins "$(persona $p pins.text)" card info --show-my-number
  expect_rc 0
  expect_out "$number"
  expect_tries text 3
  ;;

info-gaiji)
  p=gaiji
  mdg_card_start $p
  cli_pins "$(persona $p pins.text)" card info
  expect_rc 0
  expect_out "$(persona $p name)"
  ;;

wrong-auth-pin-blocks|wrong-sign-pin-blocks|wrong-text-pin-blocks)
  p=kawaguchi-76
  kind=$(echo "$case_name" | cut -d- -f2)
  mdg_card_start $p
  good=$(persona $p "pins.$kind")
  bad=$(wrong_pin_for "$kind" "$good")
  max=3
  [ "$kind" = sign ] && max=5
  # The command that spends a PIN of this kind.
  attempt () {
    _pin=$1
    shift
    case $kind in
      text) cli_pins "$_pin" card info "$@" ;;
      *) cli_pins "$_pin" card sign --key "$kind" --sha256 "$(printf '%064d' 1)" "$@" ;;
    esac
  }

  left=$max
  while [ "$left" -gt 2 ]; do
    attempt "$bad"
    left=$((left - 1))
    expect_rc 4
    expect_one_line_error
    expect_err "$left tries left"
    expect_tries "$kind" "$left"
  done
  attempt "$bad"
  expect_rc 4
  expect_err "1 try left"
  expect_tries "$kind" 1

  # The last try is not spent without confirmation, and nothing is sent.
  before=$(verify_count)
  attempt "$bad"
  expect_rc 6
  expect_one_line_error
  expect_err "--confirm-last-try"
  [ "$(verify_count)" = "$before" ] || fail "a PIN was sent for an unconfirmed last try"
  expect_tries "$kind" 1

  attempt "$bad" --confirm-last-try
  expect_rc 5
  expect_err "municipal office"
  expect_tries "$kind" 0
  cli card status
  expect_out "blocked"

  # Blocked: even the right PIN is not sent.
  before=$(verify_count)
  attempt "$good" --confirm-last-try
  expect_rc 5
  expect_one_line_error
  expect_err "blocked"
  [ "$(verify_count)" = "$before" ] || fail "a PIN was sent to a blocked key"
  ;;

one-try-left)
  p=sign-one-try-left
  mdg_card_start $p
  expect_tries sign 1
  before=$(verify_count)
  cli_pins "$(persona $p pins.sign)" card sign --key sign --sha256 "$(printf '%064d' 2)"
  expect_rc 6
  expect_one_line_error
  expect_err "one try is left"
  [ "$(verify_count)" = "$before" ] || fail "a PIN was sent for an unconfirmed last try"
  expect_tries sign 1

  cli_pins "$(persona $p pins.sign)" card sign --key sign --sha256 "$(printf '%064d' 2)" \
    --confirm-last-try
  expect_rc 0
  grep -qxE '[0-9a-f]{512}' "$T/out" || fail "no signature"
  # A correct PIN resets the counter.
  expect_tries sign 5
  ;;

pin-change-auth|pin-change-sign|pin-change-text)
  p=kawaguchi-76
  kind=${case_name#pin-change-}
  mdg_card_start $p
  old=$(persona $p "pins.$kind")
  case $kind in
    sign) new=newpass42 newcard=NEWPASS42 ;;
    *) new=$(wrong_pin_for "$kind" "$old") newcard=$new ;;
  esac
  use () {
    case $kind in
      text) cli_pins "$1" card info ;;
      *) cli_pins "$1" card sign --key "$kind" --sha256 "$(printf '%064d' 3)" ;;
    esac
  }

  # A new PIN of the wrong format changes nothing.
  cli_pins "$old 12" card pin change --pin "$kind"
  expect_rc 4
  expect_one_line_error

  cli_pins "$old $new" card pin change --pin "$kind"
  expect_rc 0
  use "$newcard"
  expect_rc 0
  use "$old"
  expect_rc 4
  expect_err "tries left"
  # A wrong old PIN is a wrong PIN.
  cli_pins "$old $old" card pin change --pin "$kind"
  expect_rc 4
  cli card pin change
  expect_rc 2
  ;;

minor-no-sign-cert)
  p=minor-14
  mdg_card_start $p
  cli card status --json
  expect_rc 0
  [ "$(status_json sign_cert_available)" = false ] || fail "a minor's card shows a sign certificate"
  cli_pins "$(persona $p pins.sign)" card sign --key sign --sha256 "$(printf '%064d' 4)"
  expect_rc 8
  expect_one_line_error
  expect_err "not available"
  cli_pins "$(persona $p pins.sign)" card certs --out "$T/certs" --sign
  expect_rc 8
  [ ! -e "$T/certs/sign.der" ] || fail "a sign certificate was written"
  [ -s "$T/certs/auth.der" ] || fail "the auth certificate was not written"
  # The authentication key works.
  cli_pins "$(persona $p pins.auth)" card sign --key auth --sha256 "$(printf '%064d' 4)"
  expect_rc 0
  ;;

removed-during-read)
  mdg_card_start kawaguchi-76
  mdg_sim_ctl fault pull-read 1 >/dev/null
  cli card status
  expect_rc 3
  expect_one_line_error
  expect_err "removed"
  mdg_card_wait absent
  cli card status
  expect_rc 3
  expect_err "no card"
  mdg_sim_ctl insert >/dev/null
  mdg_card_wait present
  cli card status
  expect_rc 0
  ;;

removed-during-sign)
  p=kawaguchi-76
  mdg_card_start $p
  mdg_sim_ctl fault pull-sign >/dev/null
  cli_pins "$(persona $p pins.sign)" card sign --key sign --sha256 "$(printf '%064d' 5)"
  expect_rc 3
  expect_one_line_error
  expect_err "removed"
  [ ! -s "$T/out" ] || fail "something was printed as a signature"
  mdg_sim_ctl insert >/dev/null
  mdg_card_wait present
  cli_pins "$(persona $p pins.sign)" card sign --key sign --sha256 "$(printf '%064d' 5)"
  expect_rc 0
  ;;

exclusive-access)
  p=kawaguchi-76
  mdg_card_start $p
  mdg_sim_ctl fault slow-sign 3000 >/dev/null
  mdg_sim_ctl reset-stats >/dev/null
  printf '%s\n' "$(persona $p pins.sign)" >"$T/pin"
  timeout 20 "$MDG_CLI" card sign --key sign --sha256 "$(printf '%064d' 6)" --pin-fd 3 \
    >"$T/sign.out" 2>"$T/sign.err" </dev/null 3<"$T/pin" &
  signer=$!
  # Wait until the signer talks to the card: from then on it holds it.
  i=0
  while [ "$(mdg_sim_stats)" -eq 0 ]; do
    i=$((i + 1))
    [ "$i" -lt 500 ] || fail "the signer never reached the card"
    sleep 0.01
  done
  cli card status
  expect_rc 9
  expect_one_line_error
  expect_err "card in use"
  run "$MDG_RAW_APDU" 00A4040C0A$JPKI_AID
  expect_rc 9
  set +e
  wait "$signer"
  signer_rc=$?
  set -e
  [ "$signer_rc" -eq 0 ] || { cat "$T/sign.err" >&2; fail "the signer failed ($signer_rc)"; }
  grep -qxE '[0-9a-f]{512}' "$T/sign.out" || fail "the signer printed no signature"
  cli card status
  expect_rc 0
  ;;

security-status-cleared)
  p=kawaguchi-76
  mdg_card_start $p
  pin_hex=$(printf '%s' "$(persona $p pins.sign)" | od -An -tx1 | tr -d ' \n')
  pin_len=$(printf '%02X' "$(printf '%s' "$(persona $p pins.sign)" | wc -c)")
  # Control: the same raw sequence with VERIFY signs, so 6982 below means
  # "no security status", not a broken command.
  run "$MDG_RAW_APDU" 00A4040C0A$JPKI_AID 00A4020C02001B "002000 80${pin_len}${pin_hex}" \
    00A4020C02001A 802A008033${DIGEST_INFO}00
  expect_rc 0
  tail -n 1 "$T/out" | grep -qE '^[0-9A-F]{512}9000$' || fail "the control signature failed"

  for key in sign auth; do
    if [ "$key" = sign ]; then key_ef=001A; else key_ef=0017; fi
    cli_pins "$(persona $p "pins.$key")" card sign --key $key --sha256 "$(printf '%064d' 7)"
    expect_rc 0
    run "$MDG_RAW_APDU" 00A4040C0A$JPKI_AID 00A4020C02$key_ef 802A008033${DIGEST_INFO}00
    expect_rc 0
    [ "$(tail -n 1 "$T/out")" = 6982 ] ||
      fail "a second program could sign with the $key key after Madoguchi: $(tail -n 1 "$T/out")"
  done

  # The same after reading the sign certificate with the password.
  cli_pins "$(persona $p pins.sign)" card certs --out "$T/certs" --sign
  expect_rc 0
  run "$MDG_RAW_APDU" 00A4040C0A$JPKI_AID 00A4020C020001 00B0000004
  expect_rc 0
  [ "$(tail -n 1 "$T/out")" = 6982 ] || fail "the sign certificate is readable after Madoguchi"
  ;;

no-pcscd)
  PCSCLITE_CSOCK_NAME=$T/no-such-socket
  export PCSCLITE_CSOCK_NAME
  for sub in readers status; do
    cli card $sub
    expect_rc 3
    expect_one_line_error
    expect_err "no smart card service"
  done
  ;;

usage-errors)
  mdg_card_start kawaguchi-76
  for args in "" "bogus" "card" "card bogus" "card sign --key sign" \
              "card sign --key nope --sha256 $(printf '%064d' 0)" \
              "card sign --key sign --sha256 xyz" "card pin change --pin nope" \
              "card status extra" "card status --bogus"; do
    # shellcheck disable=SC2086 # words on purpose
    cli $args
    expect_rc 2
    expect_one_line_error
  done
  # No terminal and no --pin-fd: the PIN cannot be asked for.
  run setsid -w "$MDG_CLI" card sign --key auth --sha256 "$(printf '%064d' 0)"
  expect_rc 2
  expect_err "--pin-fd"
  cli card sign --key auth --sha256 "$(printf '%064d' 0)" --pin-fd 77
  expect_rc 2
  expect_err "77"
  # An empty PIN source.
  : >"$T/empty"
  run sh -c '"$0" card sign --key auth --sha256 "$1" --pin-fd 3 3<"$2"' \
    "$MDG_CLI" "$(printf '%064d' 0)" "$T/empty"
  expect_rc 2
  expect_tries auth 3
  cli --help
  expect_rc 0
  expect_out "card"
  cli card --help
  expect_rc 0
  expect_out "sign"
  ;;

tty-prompt)
  p=kawaguchi-76
  mdg_card_start $p
  run python3 "$here/tty-prompt.py" "$MDG_CLI" "$(persona $p pins.auth)"
  [ "$rc" -eq 0 ] || { cat "$T/out" "$T/err" >&2; fail "interactive prompt"; }
  expect_tries auth 3
  ;;

opensc-cross-check)
  p=kawaguchi-76
  mdg_card_start $p
  run opensc-tool -n
  expect_rc 0
  expect_out jpki
  cli card certs --out "$T/certs"
  expect_rc 0
  module=${MDG_OPENSC_MODULE:-/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so}
  printf 'OpenSC cross-check\n' >"$T/doc"
  # OpenSC's JPKI emulation: slot 0 is the authentication PIN, key id 01.
  run pkcs11-tool --module "$module" --slot-index 0 --login --pin "$(persona $p pins.auth)" \
    --sign --mechanism SHA256-RSA-PKCS --id 01 --input-file "$T/doc" --output-file "$T/doc.sig"
  expect_rc 0
  openssl x509 -in "$T/certs/auth.pem" -pubkey -noout >"$T/pub.pem"
  openssl dgst -sha256 -verify "$T/pub.pem" -signature "$T/doc.sig" "$T/doc" >/dev/null ||
    fail "OpenSC's signature does not verify with the certificate Madoguchi exported"
  # And Madoguchi's signature of the same document verifies the same way.
  cli_pins "$(persona $p pins.auth)" card sign --key auth --sha256 "$(sha256_of "$T/doc")"
  expect_rc 0
  hex_to_file "$T/mdg.sig" <"$T/out"
  cmp -s "$T/mdg.sig" "$T/doc.sig" || fail "Madoguchi and OpenSC signatures differ (PKCS#1 v1.5 is deterministic)"
  ;;

*)
  echo "unknown case $case_name" >&2
  exit 2
  ;;
esac

echo "ok [$case_name]"

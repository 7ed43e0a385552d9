#!/bin/sh
# madoguchi-cli draft and data: the encrypted store through the command line.
# Prints TAP.
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
cli=$1
T=$(mktemp -d "${TMPDIR:-/tmp}/mdg-draft.XXXXXX")
trap 'rm -rf "$T"' EXIT
P=$T/profile
n=0
failed=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () { n=$((n + 1)); echo "not ok $n - $1"; failed=1; }
check () { if eval "$2"; then ok "$1"; else not_ok "$1"; fi; }

printf '%s\n' 'correct horse battery' >"$T/pw"
printf '%s\n' 'wrong passphrase' >"$T/wrong"
# pw ARG…: a draft/data command on the test profile with the right passphrase.
pw () { "$cli" "$@" --profile "$P" --passphrase-fd 3 3<"$T/pw"; }

printf '%s\n' '{"applicant":{"name":"山田　太郎","address":"埼玉県川口市本町一丁目１番１号"},"fields":{}}' >"$T/doc.json"

id=$(pw draft save --procedure 112038-kouki-shikaku-tennyu --in "$T/doc.json" 2>"$T/err")
check "draft save prints an id" 'printf "%s" "$id" | grep -qE "^[0-9a-f-]{36}$"'
pw draft list >"$T/list" 2>"$T/err"
check "draft list shows the draft" 'grep -q "$id" "$T/list"'
check "draft list shows no personal data" '! grep -q "山田" "$T/list"'
pw draft show "$id" >"$T/show" 2>"$T/err"
check "draft show returns the document byte for byte" 'cmp -s "$T/show" "$T/doc.json"'
check "no file of the profile holds the name or address in plaintext" \
  '! grep -rqF -e "山田" -e "川口市本町" "$P"'

"$cli" draft list --profile "$P" --passphrase-fd 3 3<"$T/wrong" >"$T/out" 2>"$T/err"
rc=$?
check "a wrong passphrase fails with exit 1" '[ "$rc" -eq 1 ]'
check "a wrong passphrase gives one clear line" \
  '[ "$(wc -l <"$T/err")" -eq 1 ] && grep -qi "passphrase" "$T/err"'
check "the draft survives a wrong passphrase" 'pw draft show "$id" >/dev/null 2>&1'

pw draft delete "$id" >/dev/null 2>"$T/err"
pw draft show "$id" >/dev/null 2>"$T/err"
rc=$?
check "a deleted draft is gone" '[ "$rc" -ne 0 ] && [ -s "$T/err" ]'

id2=$(pw draft save --procedure 112038-kouki-shikaku-tennyu --in "$T/doc.json" 2>/dev/null)
check "a second draft is saved" '[ -n "$id2" ]'
pw data erase >/dev/null 2>"$T/err"
rc=$?
check "data erase succeeds" '[ "$rc" -eq 0 ]'
check "data erase leaves no key and no database" \
  '[ ! -e "$P/key.json" ] && [ ! -e "$P/store.db" ]'

echo "1..$n"
exit "$failed"

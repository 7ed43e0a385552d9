#!/bin/sh
# madoguchi-cli catalog / eligibility / form through the shipped bundle.
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
CLI=$1
export MADOGUCHI_CATALOG_SHIPPED_DIR=$2
export LC_ALL=C.UTF-8 LANGUAGE=en
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
export XDG_DATA_HOME="$tmp/xdg"
n=0 fail=0
check () {  # check NAME EXPECTED-RC COMMAND… (stdout in $tmp/out)
  name=$1 want=$2; shift 2
  n=$((n + 1))
  "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?
  if [ "$rc" -eq "$want" ]; then echo "ok $n - $name"
  else echo "not ok $n - $name (rc $rc, want $want)"; sed 's/^/# /' "$tmp/err"; fail=1; fi
}
grep_out () {  # grep_out NAME PATTERN [FILE]
  n=$((n + 1))
  if grep -q -- "$2" "${3:-$tmp/out}"; then echo "ok $n - $1"; else echo "not ok $n - $1"; fail=1; fi
}
grep_not () {  # grep_not NAME PATTERN
  n=$((n + 1))
  if grep -q -- "$2" "$tmp/out"; then echo "not ok $n - $1"; fail=1; else echo "ok $n - $1"; fi
}

check "list from the shipped bundle (first run)" 0 "$CLI" catalog list --municipality 431001
grep_out "list shows Kumamoto's procedures" "^431001-kouki-ryoyohi"
check "list of an unknown municipality" 2 "$CLI" catalog list --municipality 999999
check "show" 0 "$CLI" catalog show 112038-kouki-shikaku-75
grep_out "show names the program" "Late-stage elderly"

printf '{"birth_date":"1950-04-10","address":"埼玉県川口市青木1-1","public_assistance":false}' >"$tmp/f.json"
check "eligibility on the 75th birthday" 0 "$CLI" eligibility --program kouki --facts "$tmp/f.json" --date 2025-04-10 --json
grep_out "eligible on the birthday" '"result" : "eligible"'
grep_out "never a decision" '"is_decision" : false'
check "eligibility the day before" 0 "$CLI" eligibility --program kouki --facts "$tmp/f.json" --date 2025-04-09
grep_out "ask the office the day before" "ask the office"
grep_out "missing fact named" "disability_certified"
printf '{"birth_date":"1950-02-30"}' >"$tmp/bad.json"
check "bad facts refused" 1 "$CLI" eligibility --program kouki --facts "$tmp/bad.json" --date 2025-04-09
check "bad date refused" 2 "$CLI" eligibility --program kouki --facts "$tmp/f.json" --date 2025-4-9

cp "$MADOGUCHI_CATALOG_SHIPPED_DIR/catalog.bundle" "$tmp/good.bundle"
check "verify the shipped bundle" 0 "$CLI" catalog verify "$tmp/good.bundle"
sed 's/"version\\":1/"version\\":2/' "$tmp/good.bundle" | python3 -c '
import sys, json, base64
b = json.load(sys.stdin)
f = b["files"]["programs/kouki.json"]
b["files"]["programs/kouki.json"] = base64.b64encode(base64.b64decode(f).replace(b"75", b"70")).decode()
json.dump(b, sys.stdout)' >"$tmp/tampered.bundle"
check "tampered bundle refused" 1 "$CLI" catalog verify "$tmp/tampered.bundle"
check "install the shipped bundle" 0 "$CLI" catalog install "$tmp/good.bundle"
check "tampered install refused" 1 "$CLI" catalog install "$tmp/tampered.bundle"

check "form of an automatic procedure" 1 "$CLI" form validate --procedure 112038-kouki-shikaku-75 "$tmp/f.json"
check "form validate refuses a non-document" 1 "$CLI" form validate --procedure 431001-kouki-ryoyohi "$tmp/f.json"

# A complete document for 川崎市 小児医療証の交付 (fictional persona).
doc=$(dirname "$0")/doc-141305-iryosho-kofu.json
proc=141305-shoni-iryo-iryosho-kofu
check "a valid document passes" 0 "$CLI" form validate --procedure $proc "$doc"
grep_out "valid document reported" "is valid for procedure $proc"
sed 's/"has_spouse": false,/"has_spouse": false, "child_my_number": "678901234562",/' "$doc" >"$tmp/undeclared.json"
check "a My Number field the procedure does not declare is refused" 1 "$CLI" form validate --procedure $proc "$tmp/undeclared.json"
grep_out "the undeclared field is named" "child_my_number" "$tmp/err"
sed 's/"name": "田中　美咲", "sex"/"my_number": "456789012346", "name": "田中　美咲", "sex"/' "$doc" >"$tmp/applicant-mn.json"
check "a My Number outside the form is refused" 1 "$CLI" form validate --procedure $proc "$tmp/applicant-mn.json"
sed 's/"child_name": "田中　陽斗", //' "$doc" >"$tmp/missing.json"
check "a missing required field is refused" 1 "$CLI" form validate --procedure $proc "$tmp/missing.json"
grep_out "the missing field is named clearly" "Form field “child_name” is required" "$tmp/err"
check "the document of another procedure is refused" 1 "$CLI" form validate --procedure 112038-kouki-kogaku "$doc"

# {card_term} follows the date the catalog records: 被保険者証 until
# 2024-12-01, 資格確認書等 from 2024-12-02 (川口市, 後期高齢者医療).
check "show before the switch" 0 env LANGUAGE=ja "$CLI" catalog show 112038-kouki-card-reissue --date 2024-12-01
grep_out "被保険者証 before the switch" "被保険者証の再交付申請"
grep_not "no 資格確認書 before the switch" "資格確認書"
check "show after the switch" 0 env LANGUAGE=ja "$CLI" catalog show 112038-kouki-card-reissue --date 2024-12-02
grep_out "資格確認書 after the switch" "資格確認書等の再交付申請"
grep_not "no 被保険者証 after the switch" "被保険者証の再交付"
check "list before the switch" 0 env LANGUAGE=ja "$CLI" catalog list --municipality 112038 --date 2024-12-01
grep_out "list names 被保険者証 before" "^112038-kouki-card-reissue.*被保険者証の再交付申請"
check "list after the switch" 0 env LANGUAGE=ja "$CLI" catalog list --municipality 112038 --date 2024-12-02
grep_out "list names 資格確認書 after" "^112038-kouki-card-reissue.*資格確認書等の再交付申請"
check "list in English after the switch" 0 "$CLI" catalog list --municipality 112038 --date 2025-01-01
grep_out "English term after the switch" "eligibility certificate"
check "a bad --date is refused" 2 "$CLI" catalog show 112038-kouki-card-reissue --date 2024-13-01
check "a bad list --date is refused" 2 "$CLI" catalog list --date yesterday

# Card prefill: the address on the card gives the municipality, the card's
# birth date (YYYYMMDD) the age.
printf '{"birth_date":"19500410","address":"埼玉県川口市青木1-1","public_assistance":false,"disability_certified":false}' >"$tmp/card.json"
check "eligibility from card facts" 0 "$CLI" eligibility --program kouki --facts "$tmp/card.json" --date 2025-04-10
grep_out "the address resolves to 112038" "Municipality from the address: Kawaguchi City (112038)"
grep_out "eligible from card facts" "kouki: likely eligible"
grep_not "municipality not asked for" "Missing answer: municipality_code"
printf '{"birth_date":"19500410","address":"　埼玉県川口市青木1-1","public_assistance":false,"disability_certified":false}' >"$tmp/card-space.json"
check "full-width leading space on the card" 0 "$CLI" eligibility --program kouki --facts "$tmp/card-space.json" --date 2025-04-10
grep_out "full-width space ignored" "(112038)"
printf '{"birth_date":"19500410","address":"東京都千代田区千代田1-1","public_assistance":false,"disability_certified":false}' >"$tmp/outside.json"
check "eligibility for an address outside the catalog" 0 "$CLI" eligibility --program kouki --facts "$tmp/outside.json" --date 2025-04-10 --json
grep_out "outside the five cities: ask the office" '"result" : "ask_office"'
grep_out "with the residence reason" '"rule" : "kouki-not-resident"'
grep_out "and the reason text" "Tell us the municipality where you are registered"
check "outside the catalog, as text" 0 "$CLI" eligibility --program kouki --facts "$tmp/outside.json" --date 2025-04-10
grep_not "no municipality claimed" "Municipality from the address"
grep_out "municipality named as missing" "Missing answer: municipality_code"
printf '{"address":{"prefecture":"埼玉県"}}' >"$tmp/bad-address.json"
check "an address that is not a string is refused" 1 "$CLI" eligibility --program kouki --facts "$tmp/bad-address.json" --date 2025-04-10

echo "1..$n"
exit $fail

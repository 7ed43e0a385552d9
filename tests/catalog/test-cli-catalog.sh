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
grep_out () {  # grep_out NAME PATTERN
  n=$((n + 1))
  if grep -q -- "$2" "$tmp/out"; then echo "ok $n - $1"; else echo "not ok $n - $1"; fail=1; fi
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

echo "1..$n"
exit $fail

#!/bin/sh
# bench/card/run.sh [OUT.json]: Madoguchi against OpenSC on the same
# simulated card (persona kawaguchi-76) behind a private pcscd.
#
# Measures, over N runs (MDG_BENCH_N, default 20):
#   status       card status: library in-process and `madoguchi-cli card status`
#   sign         one signature with the signature key, VERIFY included:
#                `madoguchi-cli card sign --key sign` and the library, and
#                OpenSC's `pkcs11-tool --sign -m SHA256-RSA-PKCS` as the baseline
# APDU counts come from the simulator (`stats` after `reset-stats`), wall
# times are medians per operation (process start included for commands).
# Writes JSON to OUT.json, or $MDG_BENCH_OUT, or bench-card.json.
#
# Needs MDG_CLI, MDG_SIM, MDG_PKI_DIR, MDG_WAIT_CARD, MDG_BENCH_CARD (meson
# run_target bench-card sets them).
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

out=${1:-${MDG_BENCH_OUT:-$PWD/bench-card.json}}
case $out in
  /*) ;;
  *) out=$PWD/$out ;;
esac

# Re-run inside a private pcscd namespace unless already there.
if [ -z "${MDG_BENCH_INNER:-}" ]; then
  export MDG_BENCH_INNER=1
  exec unshare --mount --net --propagation private \
    "$top/tests/integration/pcsc-ns.sh" "$0" "$out"
fi

. "$top/tests/integration/lib.sh"

N=${MDG_BENCH_N:-20}
PERSONA=kawaguchi-76
MODULE=${MDG_OPENSC_MODULE:-/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so}
: "${MDG_BENCH_CARD:=$MDG_BUILD_ROOT/bench/card/mdg-bench-card}"

W=$(mktemp -d "${TMPDIR:-/tmp}/mdg-bench.XXXXXX")
trap 'mdg_card_stop; rm -rf "$W"' EXIT

persona () {
  python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."): v=v[k]
print(v)' "$MDG_PKI_DIR/$PERSONA/persona.json" "$1"
}

mdg_card_start "$PERSONA"
SIGN_PIN=$(persona pins.sign)
printf '%s\n' "$SIGN_PIN" >"$W/sign-pin"
DIGEST=$(printf 'Madoguchi bench' | sha256sum | cut -c1-64)
printf 'Madoguchi bench' >"$W/doc"

# OpenSC's JPKI emulation puts each PIN in its own slot; find the slot of
# the signature PIN and the id of the signature key from OpenSC itself.
pkcs11-tool --module "$MODULE" --list-slots >"$W/slots" 2>&1
SIGN_SLOT=$(awk '/^Slot [0-9]+/ { slot = $2 } /token label.*Digital Signature/ { print slot; exit }' \
  "$W/slots")
if [ -z "$SIGN_SLOT" ]; then
  echo "run.sh: OpenSC shows no signature-PIN slot:" >&2
  cat "$W/slots" >&2
  exit 1
fi
pkcs11-tool --module "$MODULE" --slot "$SIGN_SLOT" --login --pin "$SIGN_PIN" \
  --list-objects --type privkey >"$W/objects" 2>&1
SIGN_ID=$(awk '/^Private Key Object/ { key = 1 } key && /ID:/ { print $2; exit }' "$W/objects")
if [ -z "$SIGN_ID" ]; then
  echo "run.sh: OpenSC shows no signature key:" >&2
  cat "$W/objects" >&2
  exit 1
fi

# The commands compared. Each runs with $W as working directory.
opensc_sign () {
  pkcs11-tool --module "$MODULE" --slot "$SIGN_SLOT" --login --pin "$SIGN_PIN" \
    --sign --mechanism SHA256-RSA-PKCS --id "$SIGN_ID" \
    --input-file "$W/doc" --output-file "$W/opensc.sig"
}

# apdus NAME CMD…: the card's APDU count for one run of CMD.
apdus () {
  mdg_sim_ctl reset-stats >/dev/null
  "$@" >/dev/null 2>"$W/err" </dev/null || { cat "$W/err" >&2; exit 1; }
  mdg_sim_stats
}

field () {
  printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

echo "bench/card: $N runs each, persona $PERSONA, OpenSC slot $SIGN_SLOT key id $SIGN_ID" >&2

# APDU counts, one run each.
A_STATUS_CLI=$(apdus "$MDG_CLI" card status)
A_STATUS_LIB=$(apdus "$MDG_BENCH_CARD" status 1)
mdg_sim_ctl reset-stats >/dev/null
"$MDG_CLI" card sign --key sign --sha256 "$DIGEST" --pin-fd 3 3<"$W/sign-pin" >"$W/mdg.hex"
A_SIGN_CLI=$(mdg_sim_stats)
mdg_sim_ctl reset-stats >/dev/null
"$MDG_BENCH_CARD" sign 1 sign <"$W/sign-pin" >/dev/null
A_SIGN_LIB=$(mdg_sim_stats)
# --known-cert makes one untimed signature first; count only the timed one.
mdg_sim_ctl reset-stats >/dev/null
"$MDG_BENCH_CARD" sign 1 sign --known-cert <"$W/sign-pin" >"$W/known"
A_SIGN_KNOWN_TOTAL=$(mdg_sim_stats)
A_SIGN_KNOWN=$((A_SIGN_KNOWN_TOTAL - A_SIGN_LIB))
A_SIGN_OPENSC=$(apdus opensc_sign)
# The CLI with the certificate it exported before (card certs --sign).
"$MDG_CLI" card certs --sign --out "$W/certs" --pin-fd 3 3<"$W/sign-pin" >/dev/null
mdg_sim_ctl reset-stats >/dev/null
"$MDG_CLI" card sign --key sign --certificate "$W/certs/sign.der" --sha256 "$DIGEST" \
  --pin-fd 3 3<"$W/sign-pin" >/dev/null
A_SIGN_CLI_KNOWN=$(mdg_sim_stats)

# Same signature from both (PKCS#1 v1.5 is deterministic).
python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(open(sys.argv[1]).read().strip()))' \
  "$W/mdg.hex" >"$W/mdg.sig"
if ! cmp -s "$W/mdg.sig" "$W/opensc.sig"; then
  echo "run.sh: Madoguchi's and OpenSC's signatures differ" >&2
  exit 1
fi

# Wall times.
T_STATUS_LIB=$("$MDG_BENCH_CARD" status "$N")
T_STATUS_CLI=$("$MDG_BENCH_CARD" time "$N" -- "$MDG_CLI" card status)
T_SIGN_LIB=$("$MDG_BENCH_CARD" sign "$N" sign <"$W/sign-pin")
T_SIGN_KNOWN=$("$MDG_BENCH_CARD" sign "$N" sign --known-cert <"$W/sign-pin")
T_SIGN_CLI=$("$MDG_BENCH_CARD" time "$N" --stdin "$W/sign-pin" -- \
  "$MDG_CLI" card sign --key sign --sha256 "$DIGEST" --pin-fd 0)
# What the timer itself costs to start a process: subtracted from both sides
# for the "net" ratios, reported as is.
T_SPAWN=$("$MDG_BENCH_CARD" time "$N" -- /bin/true)
T_SIGN_CLI_KNOWN=$("$MDG_BENCH_CARD" time "$N" --stdin "$W/sign-pin" -- \
  "$MDG_CLI" card sign --key sign --certificate "$W/certs/sign.der" --sha256 "$DIGEST" --pin-fd 0)
T_SIGN_OPENSC=$("$MDG_BENCH_CARD" time "$N" -- \
  pkcs11-tool --module "$MODULE" --slot "$SIGN_SLOT" --login --pin "$SIGN_PIN" \
  --sign --mechanism SHA256-RSA-PKCS --id "$SIGN_ID" \
  --input-file "$W/doc" --output-file "$W/opensc.sig")

m () { field median_ms "$1"; }
ratio () { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }

R_TIME_CLI=$(ratio "$(m "$T_SIGN_CLI")" "$(m "$T_SIGN_OPENSC")")
R_TIME_CLI_KNOWN=$(ratio "$(m "$T_SIGN_CLI_KNOWN")" "$(m "$T_SIGN_OPENSC")")
net_ratio () { awk -v a="$1" -v b="$2" -v f="$3" 'BEGIN { printf "%.3f", (a - f) / (b - f) }'; }
R_NET_CLI=$(net_ratio "$(m "$T_SIGN_CLI")" "$(m "$T_SIGN_OPENSC")" "$(m "$T_SPAWN")")
R_NET_CLI_KNOWN=$(net_ratio "$(m "$T_SIGN_CLI_KNOWN")" "$(m "$T_SIGN_OPENSC")" "$(m "$T_SPAWN")")
R_TIME_LIB=$(ratio "$(m "$T_SIGN_LIB")" "$(m "$T_SIGN_OPENSC")")
R_TIME_KNOWN=$(ratio "$(m "$T_SIGN_KNOWN")" "$(m "$T_SIGN_OPENSC")")
R_APDU_CLI=$(ratio "$A_SIGN_CLI" "$A_SIGN_OPENSC")
R_APDU_KNOWN=$(ratio "$A_SIGN_KNOWN" "$A_SIGN_OPENSC")

row () {
  printf '%-44s %6s %12s %10s\n' "$1" "$2" "$(m "$3")" "$4"
}
{
  printf '%-44s %6s %12s %10s\n' "operation" "APDUs" "median ms" "vs OpenSC"
  row "status: madoguchi-cli card status" "$A_STATUS_CLI" "$T_STATUS_CLI" ""
  row "status: library (mdg_card_status_read)" "$A_STATUS_LIB" "$T_STATUS_LIB" ""
  row "sign: madoguchi-cli card sign --key sign" "$A_SIGN_CLI" "$T_SIGN_CLI" "$R_TIME_CLI"
  row "sign: madoguchi-cli card sign --certificate" "$A_SIGN_CLI_KNOWN" "$T_SIGN_CLI_KNOWN" \
    "$R_TIME_CLI_KNOWN"
  row "sign: library, certificate read" "$A_SIGN_LIB" "$T_SIGN_LIB" "$R_TIME_LIB"
  row "sign: library, certificate known" "$A_SIGN_KNOWN" "$T_SIGN_KNOWN" "$R_TIME_KNOWN"
  row "sign: OpenSC pkcs11-tool --sign (baseline)" "$A_SIGN_OPENSC" "$T_SIGN_OPENSC" "1.000"
  row "process start floor: /bin/true" "" "$T_SPAWN" ""
  printf 'CLI vs OpenSC net of the process-start floor: %s (certificate read), %s (--certificate)\n' \
    "$R_NET_CLI" "$R_NET_CLI_KNOWN"
  printf 'Goal: signature <= 8 APDUs and <= 0.2 x OpenSC time.\n'
}

json_op () {
  printf '    "%s": {"apdus": %s, "median_ms": %s, "min_ms": %s, "max_ms": %s}' \
    "$1" "$2" "$(m "$3")" "$(field min_ms "$3")" "$(field max_ms "$3")"
}
{
  printf '{\n  "benchmark": "card",\n  "persona": "%s",\n  "runs": %s,\n' "$PERSONA" "$N"
  printf '  "baseline": "pkcs11-tool, %s",\n' "$(opensc-tool --info 2>/dev/null | head -n 1 | tr -d '"')"
  printf '  "operations": {\n'
  json_op status_cli "$A_STATUS_CLI" "$T_STATUS_CLI"; printf ',\n'
  json_op status_library "$A_STATUS_LIB" "$T_STATUS_LIB"; printf ',\n'
  json_op sign_cli "$A_SIGN_CLI" "$T_SIGN_CLI"; printf ',\n'
  json_op sign_cli_known_cert "$A_SIGN_CLI_KNOWN" "$T_SIGN_CLI_KNOWN"; printf ',\n'
  json_op sign_library "$A_SIGN_LIB" "$T_SIGN_LIB"; printf ',\n'
  json_op sign_library_known_cert "$A_SIGN_KNOWN" "$T_SIGN_KNOWN"; printf ',\n'
  json_op sign_opensc "$A_SIGN_OPENSC" "$T_SIGN_OPENSC"; printf ',\n'
  json_op process_start_floor 0 "$T_SPAWN"; printf '\n'
  printf '  },\n  "ratios_vs_opensc": {\n'
  printf '    "sign_cli_time": %s,\n    "sign_library_time": %s,\n' "$R_TIME_CLI" "$R_TIME_LIB"
  printf '    "sign_cli_known_cert_time": %s,\n' "$R_TIME_CLI_KNOWN"
  printf '    "sign_cli_time_net_of_process_start": %s,\n' "$R_NET_CLI"
  printf '    "sign_cli_known_cert_time_net_of_process_start": %s,\n' "$R_NET_CLI_KNOWN"
  printf '    "sign_library_known_cert_time": %s,\n' "$R_TIME_KNOWN"
  printf '    "sign_cli_apdus": %s,\n    "sign_library_known_cert_apdus": %s\n  }\n}\n' \
    "$R_APDU_CLI" "$R_APDU_KNOWN"
} >"$out"

echo "bench/card: results in $out" >&2

# cli-lib.sh: checks shared by the CLI integration scripts (sourced after
# lib.sh). The script sets case_name and T (its temporary directory).
#
# SPDX-License-Identifier: GPL-3.0-or-later

fail () {
  echo "FAIL [$case_name]: $*" >&2
  for f in out err; do
    if [ -s "$T/$f" ]; then
      echo "--- std$f of the last command:" >&2
      cat "$T/$f" >&2
    fi
  done
  exit 1
}

# run CMD…: runs CMD with a 30 s bound, keeps its status in $rc and its
# output in $T/out and $T/err.
run () {
  set +e
  timeout 30 "$@" >"$T/out" 2>"$T/err" </dev/null
  rc=$?
  set -e
  [ "$rc" -ne 124 ] || fail "timed out: $*"
}

cli () {
  run "$MDG_CLI" "$@"
}

# cli_pins "PIN1[ PIN2]" ARG…: madoguchi-cli reading PINs from fd 3, one
# per line (pin change takes the old and the new PIN).
cli_pins () {
  printf '%s\n' $1 >"$T/pins"
  shift
  set +e
  timeout 30 "$MDG_CLI" "$@" --pin-fd 3 >"$T/out" 2>"$T/err" </dev/null 3<"$T/pins"
  rc=$?
  set -e
  rm -f "$T/pins"
  [ "$rc" -ne 124 ] || fail "timed out: madoguchi-cli $*"
}

expect_rc () {
  [ "$rc" -eq "$1" ] || fail "expected exit status $1, got $rc"
}

expect_out () {
  grep -qF -- "$1" "$T/out" || fail "stdout lacks “$1”"
}

expect_err () {
  grep -qF -- "$1" "$T/err" || fail "stderr lacks “$1”"
}

expect_one_line_error () {
  [ "$(wc -l <"$T/err")" -eq 1 ] || fail "stderr is not one line"
  grep -q '^madoguchi-cli: ' "$T/err" || fail "stderr does not start with “madoguchi-cli: ”"
}

# persona ID KEY: a value of the resolved persona in the test PKI.
persona () {
  python3 - "$MDG_PKI_DIR/$1/persona.json" "$2" <<'PY'
import json, sys
value = json.load(open(sys.argv[1], encoding='utf-8'))
for key in sys.argv[2].split('.'):
    value = value.get(key) if isinstance(value, dict) else None
if isinstance(value, bool):
    value = 'true' if value else 'false'
print('' if value is None else value)
PY
}

# json_get FILE PATH: a value of a JSON file ("true"/"false" for booleans).
json_get () {
  python3 - "$1" "$2" <<'PY'
import json, sys
value = json.load(open(sys.argv[1], encoding='utf-8'))
for key in sys.argv[2].split('.'):
    value = value[int(key)] if isinstance(value, list) else value[key]
if isinstance(value, bool):
    value = 'true' if value else 'false'
print('null' if value is None else value)
PY
}

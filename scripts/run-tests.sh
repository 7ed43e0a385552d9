#!/usr/bin/env bash
# Builds Madoguchi twice and runs the whole test suite in both builds:
#   _build/gcc       gcc, -Wall -Wextra -Werror (fuzz targets replay their corpora)
#   _build/sanitize  clang with AddressSanitizer + UBSan, libFuzzer targets fuzz briefly
# Ends with the plain line "N passed, N failed" over both runs.
set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"

export LC_ALL=C.UTF-8
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}
# intercept_tls_get_addr=0: LeakSanitizer's tracer (clang 14) crashes on the
# dynamic TLS of threads that use dlopen()ed GIO modules with glibc 2.36;
# leak detection stays on.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1:intercept_tls_get_addr=0}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$top/tests/lsan.supp:print_suppressions=0}

jobs=$(nproc 2>/dev/null || echo 2)
status=0

setup () {
  local dir=$1; shift
  if [ -f "$dir/build.ninja" ]; then
    meson setup --reconfigure "$dir" "$@" >"$dir.setup.log" 2>&1
  else
    mkdir -p "$(dirname "$dir")"
    meson setup "$dir" "$@" >"$dir.setup.log" 2>&1
  fi || { cat "$dir.setup.log"; return 1; }
}

run_build () {
  local name=$1; shift
  local dir="_build/$name"
  echo "== $name: configure"
  if ! setup "$dir" "$@"; then
    echo "== $name: configure FAILED"
    return 1
  fi
  echo "== $name: build"
  if ! ninja -C "$dir" -j "$jobs"; then
    echo "== $name: build FAILED"
    return 1
  fi
  echo "== $name: test"
  meson test -C "$dir" --print-errorlogs --num-processes "$jobs" || true
}

mkdir -p _build
rm -f _build/gcc/meson-logs/testlog.json _build/sanitize/meson-logs/testlog.json

CC=gcc run_build gcc -Dbuildtype=debugoptimized || status=1
CC=clang run_build sanitize -Dbuildtype=debug -Db_sanitize=address,undefined -Db_lundef=false \
  -Dfuzzing=true || status=1

python3 - "$status" _build/gcc/meson-logs/testlog.json _build/sanitize/meson-logs/testlog.json <<'PY'
# Counts test cases: each TAP line of a GTest program ("ok N", "not ok N")
# is one case; a test without TAP output counts as one case.
import json, re, sys
build_status = int(sys.argv[1])
passed = failed = skipped = 0
tap = re.compile(r'^(not ok|ok)\b(.*)$')
for path in sys.argv[2:]:
    try:
        lines = open(path, encoding='utf-8').read().splitlines()
    except OSError:
        print(f'missing test log: {path}')
        failed += 1
        continue
    build = path.split('/')[1]
    for line in lines:
        if not line.strip():
            continue
        r = json.loads(line)
        res = r.get('result')
        name = f'{build}: {r.get("name")}'
        cases = [tap.match(l) for l in (r.get('stdout') or '').splitlines()]
        cases = [m for m in cases if m]
        if cases:
            bad = 0
            for m in cases:
                if '# SKIP' in m.group(2):
                    skipped += 1
                    print(f'skipped: {name}{m.group(2)}')
                elif m.group(1) == 'ok':
                    passed += 1
                else:
                    bad += 1
                    print(f'failed: {name}{m.group(2)}')
            failed += bad
            if res not in ('OK', 'EXPECTEDFAIL') and bad == 0:
                failed += 1
                print(f'failed: {name} ({res})')
        elif res in ('OK', 'EXPECTEDFAIL'):
            passed += 1
        elif res == 'SKIP':
            skipped += 1
            print(f'skipped: {name}')
        else:
            failed += 1
            print(f'failed: {name} ({res})')
if build_status:
    print('a build step failed')
    failed += 1
print(f'{passed} passed, {failed} failed, {skipped} skipped')
sys.exit(1 if failed else 0)
PY

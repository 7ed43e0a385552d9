#!/bin/sh
# Runs one libFuzzer target briefly. New inputs and crash artifacts go to
# a work directory in the build tree; the seed corpus is only read.
# usage: run-fuzzer.sh FUZZER SEED_DIR WORK_DIR [extra libFuzzer args]
set -eu
fuzzer=$1
seeds=$2
work=$3
shift 3

mkdir -p "$work/corpus" "$work/artifacts"
cp "$seeds"/* "$work/corpus/"

UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export UBSAN_OPTIONS

# libFuzzer's own exit code for a finding is 77, which meson counts as a
# skip: a crash, leak or timeout must fail the test.
exec "$fuzzer" -max_total_time=15 -rss_limit_mb=2048 -error_exitcode=1 -timeout_exitcode=1 \
  -artifact_prefix="$work/artifacts/" "$@" "$work/corpus" "$seeds"

#!/bin/sh
# pcsc-ns.sh: run a command against a private pcscd (platform.md §4).
#
#   unshare --mount --net --propagation private tests/integration/pcsc-ns.sh CMD [ARG…]
#
# pcscd 1.9.9 hard-codes /run/pcscd, and vpcd listens on 0.0.0.0:35963, so
# both are isolated: a private mount namespace puts a temporary directory on
# /run/pcscd, and a private network namespace has its own loopback. The
# command gets PCSCLITE_CSOCK_NAME; the exit status is the command's.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu

if [ $# -eq 0 ]; then
  echo "usage: unshare --mount --net --propagation private $0 COMMAND [ARG…]" >&2
  exit 2
fi

# Refuse to run outside a private namespace: the bind mount would hide the
# host's pcscd socket.
if [ "$(readlink /proc/self/ns/mnt)" = "$(readlink /proc/1/ns/mnt)" ] ||
   [ "$(readlink /proc/self/ns/net)" = "$(readlink /proc/1/ns/net)" ]; then
  echo "$0: must run under 'unshare --mount --net --propagation private'" >&2
  exit 2
fi

PCSCD=${PCSCD:-pcscd}
VPCD_CONF=${VPCD_CONF:-/etc/reader.conf.d/vpcd}
# MDG_PCSCD_LOG_APDUS=1 makes pcscd log every APDU (PINs included: only for
# tests with fictional PINs) into $MDG_PCSCD_LOG, deleted at exit.
pcscd_args=
if [ "${MDG_PCSCD_LOG_APDUS:-0}" = 1 ]; then
  pcscd_args="--debug --apdu"
fi

RUNDIR=$(mktemp -d "${TMPDIR:-/tmp}/mdg-pcsc.XXXXXX")
PCSCD_PID=

cleanup () {
  if [ -n "$PCSCD_PID" ]; then
    kill -TERM "$PCSCD_PID" 2>/dev/null || true
    wait "$PCSCD_PID" 2>/dev/null || true
  fi
  umount /run/pcscd 2>/dev/null || true
  rm -rf "$RUNDIR"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ip link set lo up

mkdir -p "$RUNDIR/run" "$RUNDIR/conf" /run/pcscd
cp "$VPCD_CONF" "$RUNDIR/conf/vpcd"
mount --bind "$RUNDIR/run" /run/pcscd

# shellcheck disable=SC2086 # options are words
"$PCSCD" --foreground $pcscd_args --config "$RUNDIR/conf" >"$RUNDIR/pcscd.log" 2>&1 &
PCSCD_PID=$!

# The socket appears after about 60 ms; give it 5 s at most.
i=0
while [ ! -S "$RUNDIR/run/pcscd.comm" ]; do
  if ! kill -0 "$PCSCD_PID" 2>/dev/null; then
    echo "$0: pcscd exited:" >&2
    cat "$RUNDIR/pcscd.log" >&2
    PCSCD_PID=
    exit 1
  fi
  i=$((i + 1))
  if [ "$i" -gt 250 ]; then
    echo "$0: pcscd did not create its socket" >&2
    exit 1
  fi
  sleep 0.02
done

export PCSCLITE_CSOCK_NAME="$RUNDIR/run/pcscd.comm"
export MDG_PCSCD_LOG="$RUNDIR/pcscd.log"

status=0
"$@" || status=$?
exit "$status"

#!/bin/sh
# with-card.sh: run a command with a simulated card in reader Virtual PCD 00 00.
#
#   unshare --mount --net --propagation private \
#     tests/integration/pcsc-ns.sh tests/integration/with-card.sh PERSONA [--fault NAME[=ARG]]… [--] CMD [ARG…]
#
# The card's PIN counters live in a temporary state file, so the persona
# starts fresh every time. See lib.sh for the variables that locate the
# simulator and the test PKI.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu

if [ $# -lt 2 ]; then
  echo "usage: $0 PERSONA [--fault NAME[=ARG]]… [--] COMMAND [ARG…]" >&2
  exit 2
fi

. "$(dirname "$0")/lib.sh"

persona=$1
shift
sim_args=
while [ $# -gt 0 ]; do
  case $1 in
    --fault|--quirk|--atr) sim_args="$sim_args $1 $2"; shift 2 ;;
    --fault=*|--quirk=*|--atr=*) sim_args="$sim_args $1"; shift ;;
    --) shift; break ;;
    *) break ;;
  esac
done

trap mdg_card_stop EXIT
# shellcheck disable=SC2086 # the simulator options are words
mdg_card_start "$persona" $sim_args

status=0
"$@" || status=$?
exit "$status"

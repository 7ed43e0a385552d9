# lib.sh: start and drive madoguchi-card-sim inside pcsc-ns.sh (sourced).
#
# Needs PCSCLITE_CSOCK_NAME (pcsc-ns.sh sets it) and:
#   MDG_SIM        madoguchi-card-sim
#   MDG_PKI_DIR    the test PKI the build generated
#   MDG_WAIT_CARD  mdg-wait-card (optional: without it `madoguchi-cli card
#                  readers` is polled, which needs MDG_CLI)
# Defaults point into _build/gcc for the demo.
#
# SPDX-License-Identifier: GPL-3.0-or-later

: "${MDG_BUILD_ROOT:=_build/gcc}"
: "${MDG_SIM:=$MDG_BUILD_ROOT/smartcard/sim/madoguchi-card-sim}"
: "${MDG_PKI_DIR:=$MDG_BUILD_ROOT/smartcard/sim/pki}"
: "${MDG_CLI:=$MDG_BUILD_ROOT/app/cli/madoguchi-cli}"
: "${MDG_WAIT_CARD:=$MDG_BUILD_ROOT/tests/integration/mdg-wait-card}"

MDG_SIM_PID=
MDG_CARD_DIR=

# mdg_card_wait present|absent: bounded wait (10 s) for the card state.
mdg_card_wait () {
  if [ -x "$MDG_WAIT_CARD" ]; then
    if [ "$1" = absent ]; then
      "$MDG_WAIT_CARD" --absent --timeout-ms 10000
    else
      "$MDG_WAIT_CARD" --timeout-ms 10000
    fi
    return
  fi

  _i=0
  while [ "$_i" -lt 200 ]; do
    if "$MDG_CLI" card readers 2>/dev/null | grep -q "	card present"; then
      [ "$1" = present ] && return 0
    else
      [ "$1" = absent ] && return 0
    fi
    _i=$((_i + 1))
    sleep 0.05
  done
  echo "lib.sh: the card did not become $1" >&2
  return 1
}

# mdg_card_start PERSONA [SIM-OPTION…]: starts the simulator for PERSONA (an
# id of the test PKI or a persona file) with a private state file, copied
# from $MDG_SIM_STATE_FROM when set, and a control socket; returns when
# pcscd sees the card. Sets MDG_SIM_PID, MDG_SIM_CONTROL, MDG_SIM_STATE.
mdg_card_start () {
  _persona=$1
  shift
  MDG_CARD_DIR=$(mktemp -d "${TMPDIR:-/tmp}/mdg-card.XXXXXX")
  MDG_SIM_CONTROL=$MDG_CARD_DIR/control.sock
  MDG_SIM_STATE=$MDG_CARD_DIR/state
  export MDG_SIM_CONTROL MDG_SIM_STATE
  if [ -n "${MDG_SIM_STATE_FROM:-}" ]; then
    cp "$MDG_SIM_STATE_FROM" "$MDG_SIM_STATE"
  fi

  "$MDG_SIM" --persona "$_persona" --pki "$MDG_PKI_DIR" --state "$MDG_SIM_STATE" \
    --control "$MDG_SIM_CONTROL" "$@" >"$MDG_CARD_DIR/sim.log" 2>&1 &
  MDG_SIM_PID=$!

  if ! mdg_card_wait present; then
    echo "lib.sh: madoguchi-card-sim log:" >&2
    cat "$MDG_CARD_DIR/sim.log" >&2
    return 1
  fi
}

# mdg_sim_ctl CMD [ARG…]: insert, remove, fault NAME [ARG], quirk NAME on|off,
# stats, reset-stats, tries, quit.
mdg_sim_ctl () {
  "$MDG_SIM" ctl --control "$MDG_SIM_CONTROL" "$@"
}

# mdg_sim_stats: the number of APDUs the card received since reset-stats.
mdg_sim_stats () {
  mdg_sim_ctl stats | tr -cd '0-9\n' | head -n 1
}

mdg_card_stop () {
  if [ -n "$MDG_SIM_PID" ]; then
    mdg_sim_ctl quit >/dev/null 2>&1 || kill -TERM "$MDG_SIM_PID" 2>/dev/null || true
    # Bounded: quit must end it quickly, otherwise it is killed.
    _i=0
    while kill -0 "$MDG_SIM_PID" 2>/dev/null && [ "$_i" -lt 100 ]; do
      _i=$((_i + 1))
      sleep 0.02
    done
    kill -KILL "$MDG_SIM_PID" 2>/dev/null || true
    wait "$MDG_SIM_PID" 2>/dev/null || true
    MDG_SIM_PID=
  fi
  if [ -n "$MDG_CARD_DIR" ]; then
    rm -rf "$MDG_CARD_DIR"
    MDG_CARD_DIR=
  fi
}

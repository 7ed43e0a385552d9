#!/bin/sh
# Runs test-store-keyring (argument 1, then its arguments) on a private
# session bus with an unlocked gnome-keyring-daemon (Secret Service only),
# in a throwaway HOME so that no real keyring is touched.
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu
T=$(mktemp -d "${TMPDIR:-/tmp}/mdg-keyring.XXXXXX")
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/home" "$T/run"
chmod 700 "$T/run"
export HOME="$T/home" XDG_RUNTIME_DIR="$T/run"
export XDG_DATA_HOME="$T/home/.local/share" XDG_CONFIG_HOME="$T/home/.config"
export XDG_CACHE_HOME="$T/home/.cache"
unset DBUS_SESSION_BUS_ADDRESS GNOME_KEYRING_CONTROL || true
# The daemons' chatter goes to stderr; fd 3 keeps the test's TAP on stdout.
exec 3>&1 1>&2
# The login keyring is created with, and unlocked by, the password on stdin.
dbus-run-session -- sh -c '
  printf "%s" "madoguchi-test-keyring" |
    gnome-keyring-daemon --unlock --components=secrets >/dev/null || exit 1
  exec "$@" >&3' sh "$@"

#!/usr/bin/env bash
# The main job until the UI lands: the card and sync demo.
#
# Builds Madoguchi, starts a private pcscd with the simulated card of the
# persona "kawaguchi-76" behind vpcd, shows `madoguchi-cli card status`, signs
# the SHA-256 of a sample with the signature key and checks it with openssl,
# then signs a real application (資格確認書 再交付 in 川口市) into an envelope
# and verifies it with `madoguchi-cli verify`; then starts a local
# madoguchi-server, queues the envelope in an encrypted outbox, delivers it
# with `madoguchi-cli sync` (login with the card), lets staff ask for a
# correction and shows the status offline.
#
# The PINs come from the persona file: fictional test PINs of a simulated card.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"

if [ "$(id -u)" -ne 0 ]; then
  # pcscd hard-codes /run/pcscd: the private pcscd needs its own mount and
  # network namespaces, which root (or sudo) sets up.
  exec sudo "$0" "$@"
fi

build=_build/gcc
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" -Dbuildtype=debugoptimized >/dev/null
fi
ninja -C "$build" >/dev/null

export MDG_BUILD_ROOT="$top/$build"
export MDG_DEMO_PERSONA=${MDG_DEMO_PERSONA:-kawaguchi-76}

exec unshare --mount --net --propagation private \
  tests/integration/pcsc-ns.sh \
  tests/integration/with-card.sh "$MDG_DEMO_PERSONA" -- \
  "$top/scripts/demo-card.sh"

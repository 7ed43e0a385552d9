#!/bin/sh
# The installed-style binary picks its catalogue by LANG: Japanese under
# ja_JP.UTF-8, English under en_US.UTF-8 (no pcscd reachable in both).
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
cli=$1
export MADOGUCHI_LOCALEDIR=$2
export PCSCLITE_CSOCK_NAME=/nonexistent/pcscd.comm
unset LANGUAGE LC_ALL LC_MESSAGES

ja=$(LANG=ja_JP.UTF-8 "$cli" card status 2>&1 >/dev/null)
rc=$?
[ "$rc" -eq 3 ] || { echo "ja: expected exit 3, got $rc: $ja"; exit 1; }
printf '%s' "$ja" | grep -q 'スマートカードサービス' || { echo "ja: not Japanese: $ja"; exit 1; }

en=$(LANG=en_US.UTF-8 "$cli" card status 2>&1 >/dev/null)
rc=$?
[ "$rc" -eq 3 ] || { echo "en: expected exit 3, got $rc: $en"; exit 1; }
[ "$en" = "madoguchi-cli: no smart card service: pcscd is not running or cannot be reached" ] ||
  { echo "en: unexpected: $en"; exit 1; }
echo "ok"

#!/bin/sh
# check-po.sh MSGFMT MSGCMP PO [POT]: fail unless every message of PO is
# translated, none is fuzzy, the formats match, and (with POT) every msgid
# of the template is in PO.
set -u
msgfmt=$1 msgcmp=$2 po=$3 pot=${4:-}

stats=$(LC_ALL=C "$msgfmt" --check-format --check-header --statistics -o /dev/null "$po" 2>&1)
status=$?
echo "$stats"
[ $status -eq 0 ] || { echo "msgfmt failed on $po"; exit 1; }
case $stats in
  *fuzzy*|*untranslated*) echo "$po has fuzzy or untranslated messages"; exit 1 ;;
  *" translated message"*) ;;
  *) echo "no statistics from msgfmt"; exit 1 ;;
esac

if [ -n "$pot" ] && [ -f "$pot" ]; then
  "$msgcmp" --use-untranslated "$po" "$pot" || { echo "$po lacks msgids of $pot"; exit 1; }
fi
exit 0

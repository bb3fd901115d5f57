#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Every man page built from docs/man/*.md renders without a warning, with man-db and with groff
# itself, and says what its NAME line promises.
set -euo pipefail
src=$1 mandir=$2
status=0
count=0
for md in "$src"/docs/man/*.md; do
  page=$(basename "$md" .md)               # ibackupmond.8
  name=${page%.*}
  roff="$mandir/$page"
  count=$((count + 1))
  if [ ! -s "$roff" ]; then
    echo "FAIL: $roff was not generated from $md"; status=1; continue
  fi
  if [ ! -s "$roff.gz" ] || ! cmp -s "$roff" <(gzip -dc "$roff.gz"); then
    echo "FAIL: $roff.gz (the installed file) does not match $roff"; status=1
  fi
  warn=$(MANWIDTH=80 man --warnings -l "$roff" 2>&1 >/dev/null || echo "man exited $?")
  warn+=$(groff -ww -man -z "$roff" 2>&1 || echo "groff exited $?")
  if [ -n "$warn" ]; then
    echo "FAIL: $page renders with warnings:"; echo "$warn"; status=1; continue
  fi
  text=$(MANWIDTH=80 man -l "$roff" 2>/dev/null)
  if ! grep -Eq "^ *$name +- " <<<"$text"; then
    echo "FAIL: $page has no NAME line for $name"; status=1; continue
  fi
  echo "ok: $page ($(wc -l <<<"$text") lines at 80 columns)"
done
for want in ibackupmond.8 ibackupmonctl.1 ibackupmon.toml.5 ibackupmon-sim.1; do
  [ -f "$src/docs/man/$want.md" ] || { echo "FAIL: docs/man/$want.md is missing"; status=1; }
done
[ "$status" -eq 0 ] && echo "PASS: $count man pages render without warnings"
exit "$status"

#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The README's first command, as a newcomer runs it (with the build already done): the demo shows
# the simulated fleet with every device probed, its slots, the metrics and an alert email, then
# stops cleanly.
set -euo pipefail
src=$1 build=$2
out=$(SKIP_BUILD=1 BUILD_DIR="$build" DEMO_ONCE=1 DEMO_SECONDS=240 bash "$src/scripts/demo.sh" 2>&1) || {
  echo "$out"; echo "FAIL: scripts/demo.sh exited $?"; exit 1; }
fail() { echo "$out"; echo "FAIL: $*"; exit 1; }
fleet=$(grep -c '^\[\[device\]\]' "$src/config/demo-fleet.toml")
grep -q 'demo: devices and their conditions' <<<"$out" || fail "the fleet table was never shown"
table=$(sed -n '/^STATE  *NAME  *SLOT/,/^[0-9]* devices:/p' <<<"$out" | grep -v ' info \| warning ')
rows=$(grep -cE '^(OK|WARNING|CRITICAL|UNKNOWN) ' <<<"$table" || true)
[ "$rows" = "$fleet" ] || fail "the table has $rows device rows, the fleet $fleet devices"
# Shown once probed: a device that tells no model is one the probe found locked or untrusted.
while read -r row; do
  grep -qE 'passcode_locked|trust_pending|trust_denied|pairing|hung|unreachable' <<<"$row" ||
    fail "shown before it was probed: $row"
done < <(grep -E '^(OK|WARNING|CRITICAL|UNKNOWN) .* \?  ' <<<"$table" || true)
grep -q 'CRITICAL .*backup_stale' <<<"$table" || fail "no critical stale device in the table"
grep -q 'Cart 1 / 01' <<<"$table" || fail "no slot labels in the table"
active=$(sed -n 's/^demo: metrics: .*(\([0-9]*\) active conditions exported)$/\1/p' <<<"$out")
[ -n "$active" ] && [ "$active" -gt 0 ] || fail "no active conditions in the metrics"
grep -q '^    Subject: \[ibackupmon\]' <<<"$out" || fail "no alert email was caught"
grep -q 'demo: ibackupmond stopped (exit status 0)' <<<"$out" || fail "the daemon did not stop cleanly"
state=$(sed -n 's/^  ibackupmond is running (pid [0-9]*), state in \(.*\)$/\1/p' <<<"$out")
[ -n "$state" ] || fail "the demo did not say where its state is"
[ ! -e "$state" ] || fail "the demo left its state directory $state"
if pgrep -f "$state" >/dev/null; then fail "demo processes were left running: $(pgrep -af "$state")"; fi
echo "ok: $rows devices shown probed, $active active conditions exported, an alert email caught"

#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# systemd-analyze security --offline: the unit's exposure must be 2.0 or lower ("OK" band).
# Prints the figure and every finding that still costs exposure, for the record.
set -euo pipefail
src=$1
unit="$src/systemd/ibackupmon.service"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp "$unit" "$scratch/"

out=$(systemd-analyze security --offline=yes --threshold=20 --no-pager \
  "$scratch/ibackupmon.service" 2>&1) && rc=0 || rc=$?
echo "$out" | grep '✗' || true
line=$(echo "$out" | grep 'Overall exposure level' || true)
echo "$line"
figure=$(echo "$line" | sed -n 's/.*: \([0-9][0-9]*\.[0-9]\).*/\1/p')
if [ -z "$figure" ]; then
  echo "FAIL: no exposure figure in the output:"
  echo "$out"
  exit 1
fi
echo "exposure=$figure"
if [ "$rc" -ne 0 ] || ! awk -v f="$figure" 'BEGIN { exit !(f <= 2.0) }'; then
  echo "FAIL: exposure $figure is above 2.0 (systemd-analyze exit $rc)"
  exit 1
fi
echo "PASS: exposure $figure <= 2.0"

#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Peak memory of the real ibackupmond recording a simulated fleet: ibackupmon-sim --generate N,
# the daemon with its defaults (probe.concurrency 8) and a SQLite file, until every USB device the
# simulator serves has been probed once (a readable device tells its model; one that cannot be read
# raises a condition). Prints the daemon's peak RSS (VmHWM) and where its resident memory is then:
# main heap, other anonymous memory (thread stacks and malloc arenas), files (libraries, binary).
#   bench/memory/peak_rss.sh BUILD_DIR [DEVICES] [SEED]
set -euo pipefail
build=$1 devices=${2:-1000} seed=${3:-1}
work=$(mktemp -d /tmp/bench-peak-rss.XXXXXX)
sim_pid="" daemon_pid=""
cleanup() {
  for p in $daemon_pid $sim_pid; do kill -TERM "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
"$build/bin/ibackupmon-sim" --socket "$work/mux.sock" --generate "$devices" --seed "$seed" \
  --ready-file "$work/ready" --control "$work/ctl.sock" >"$work/sim.log" 2>&1 &
sim_pid=$!
for _ in $(seq 600); do [ -s "$work/ready" ] && break; sleep 0.1; done
[ -s "$work/ready" ] || { echo "peak_rss: the simulator did not start" >&2; exit 1; }
usb=$("$build/bin/ibackupmon-sim" ctl --control "$work/ctl.sock" list | awk '$3 == "attached" && $4 == "usb"' | wc -l)
cat >"$work/d.toml" <<TOML
[storage]
path = "$work/history.db"
[metrics]
listen = "127.0.0.1:0"
[probe]
interval = "1h"
TOML
start=$(date +%s.%N)
USBMUXD_SOCKET_ADDRESS="UNIX:$work/mux.sock" "$build/bin/ibackupmond" --config "$work/d.toml" \
  >"$work/daemon.log" 2>&1 &
daemon_pid=$!
probed() {
  { "$build/bin/ibackupmonctl" status --json --config "$work/d.toml" 2>/dev/null || true; } |
    /usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
print(sum(1 for x in d if x.get("product_type") or any(c["id"] != "usb_link_degraded" for c in x["conditions"])))' 2>/dev/null || echo 0
}
while :; do
  kill -0 "$daemon_pid" 2>/dev/null || { echo "peak_rss: the daemon exited" >&2; tail "$work/daemon.log" >&2; exit 1; }
  n=$(probed)
  [ "$n" -ge "$usb" ] && break
  sleep 0.5
done
took=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN {print b - a}')
hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$daemon_pid/status")
read -r heap anon file < <(awk '
  /^[0-9a-f]+-[0-9a-f]+ / { name = $6 }
  /^Rss:/ { if (name == "[heap]") h += $2; else if (name == "" || name ~ /^\[(stack|anon)/) a += $2; else f += $2 }
  END { print h, a, f }' "/proc/$daemon_pid/smaps")
threads=$(awk '/^Threads/ {print $2}' "/proc/$daemon_pid/status")
awk -v d="$devices" -v u="$usb" -v t="$took" -v p="$hwm" -v h="$heap" -v a="$anon" -v f="$file" \
  -v n="$threads" 'BEGIN { printf "| %d | %d | %.1f | %.1f | %.1f | %.1f | %.1f | %d |\n", d, u, t,
  p / 1024, h / 1024, a / 1024, f / 1024, n }'

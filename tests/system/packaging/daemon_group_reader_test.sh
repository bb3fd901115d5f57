#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The real ibackupmond, run as the unit runs it (its own uid and group, umask 0027, a 0750 state
# directory), against ibackupmon-sim; a user who only shares the group runs ibackupmonctl while
# the daemon runs and after SIGTERM. group_reader_test.sh covers the Store's open paths in
# detail; this one proves the daemon's own shutdown leaves what group members need.
#   daemon_group_reader_test.sh BIN_DIR
# Needs root to switch uids (setpriv); exits 77 (skipped) otherwise, 1 under CI=true.
set -euo pipefail
bin=$1
. "$(dirname "$0")/root_tests.sh"  # skip(), and the root and setpriv checks
for exe in ibackupmond ibackupmonctl ibackupmon-sim; do
  [ -x "$bin/$exe" ] || { echo "FAIL: $bin/$exe not built"; exit 1; }
done
fail() {
  echo "FAIL: $*"
  for log in "$scratch"/*.log; do [ -f "$log" ] && { echo "--- $log"; tail -20 "$log"; }; done
  exit 1
}

# Unused ids, not entries in /etc/passwd: nothing on the host changes.
service_uid=61573 reader_uid=61574 devices=3
scratch=$(mktemp -d)
chmod 0755 "$scratch"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$scratch"
}
trap cleanup EXIT

state="$scratch/state" run="$scratch/run"
mkdir -m 0750 "$state" "$run"
chown "$service_uid:$service_uid" "$state" "$run"
db="$state/ibackupmon.db"
cat >"$scratch/ibackupmon.toml" <<EOF
[storage]
path = "$db"
[metrics]
listen = "127.0.0.1:0"
[probe]
interval = "2s"
[alerts]
control_socket = "$run/control.sock"
EOF
chmod 0644 "$scratch/ibackupmon.toml"

# Started with "&", so this runs in its own subshell and exec makes $! the program's pid.
as_service() {
  umask 0027
  exec setpriv --reuid=$service_uid --regid=$service_uid --clear-groups "$@"
}
as_member() { setpriv --reuid=$reader_uid --regid=$reader_uid --groups=$service_uid "$@"; }
# The deadline is generous: CI runs this on two loaded cores, sometimes under sanitizers.
wait_until() {
  local what=$1 deadline=$((SECONDS + 60))
  shift
  until "$@"; do
    [ $SECONDS -lt $deadline ] || fail "$what: not within 60 s"
    sleep 0.2
  done
}

as_service "$bin/ibackupmon-sim" --socket "$run/usbmuxd.sock" --generate $devices --seed 8 \
  --ready-file "$run/sim.ready" >"$scratch/sim.log" 2>&1 &
pids+=("$!")
wait_until "simulator ready" test -e "$run/sim.ready"
USBMUXD_SOCKET_ADDRESS="UNIX:$run/usbmuxd.sock" as_service "$bin/ibackupmond" \
  --config "$scratch/ibackupmon.toml" >"$scratch/daemon.log" 2>&1 &
daemon_pid=$!
pids+=("$daemon_pid")

# status --json as the group member; true once it lists every device with a probe result.
member_status() {
  local rc=0
  as_member "$bin/ibackupmonctl" --db "$db" status --json >"$scratch/status.json" \
    2>"$scratch/ctl.log" || rc=$?
  [ "$rc" -le 3 ] && [ ! -s "$scratch/ctl.log" ] &&
    /usr/bin/python3 - "$scratch/status.json" $devices <<'EOF'
import json, sys
fleet = json.load(open(sys.argv[1]))
sys.exit(0 if len(fleet) == int(sys.argv[2]) and all(d.get("last_seen") for d in fleet) else 1)
EOF
}
daemon_alive() { kill -0 "$daemon_pid" 2>/dev/null || fail "ibackupmond exited"; }
wait_until "group member sees all $devices devices while the daemon runs" \
  eval 'daemon_alive && member_status'
echo "running: a group member's ibackupmonctl lists all $devices devices"
cp "$scratch/status.json" "$scratch/running.json"

# Acknowledging goes through the daemon's control socket (0660 in a 0750 directory).
udid=$(/usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[0]["udid"])' \
  "$scratch/running.json")
as_member "$bin/ibackupmonctl" --socket "$run/control.sock" ack "$udid" >"$scratch/ack.log" 2>&1 ||
  fail "a group member cannot ack through the control socket: $(cat "$scratch/ack.log")"
as_member "$bin/ibackupmonctl" --socket "$run/control.sock" acks >"$scratch/acks.log" 2>&1 ||
  fail "a group member cannot list acks: $(cat "$scratch/acks.log")"
grep -q "$udid" "$scratch/acks.log" || fail "the member's ack of $udid is not listed: $(cat "$scratch/acks.log")"
if setpriv --reuid=$reader_uid --regid=$reader_uid --clear-groups \
  "$bin/ibackupmonctl" --socket "$run/control.sock" acks >/dev/null 2>&1; then
  fail "a user outside the group reached the control socket"
fi
echo "running: a group member acks $udid through the control socket; others cannot"

kill -TERM "$daemon_pid"
rc=0
wait "$daemon_pid" || rc=$?
[ "$rc" -eq 0 ] || fail "ibackupmond exited $rc on SIGTERM"
echo "daemon stopped; state directory:"
ls -ln "$state"
for f in "$db" "$db-wal" "$db-shm"; do
  [ -e "$f" ] || fail "$(basename "$f") is missing after the daemon stopped"
  [ "$(stat -c '%a %u %g' "$f")" = "640 $service_uid $service_uid" ] ||
    fail "$(basename "$f") is $(stat -c '%a %u:%g' "$f"), want 640 owned by the service"
done
[ "$(stat -c %s "$db-wal")" = 0 ] || fail "the -wal kept $(stat -c %s "$db-wal") bytes after a clean stop"

member_status || fail "a group member cannot read the stopped daemon's database: $(cat "$scratch/ctl.log")"
/usr/bin/python3 - "$scratch/running.json" "$scratch/status.json" <<'EOF' ||
import json, sys
udids = [sorted(d["udid"] for d in json.load(open(p))) for p in sys.argv[1:]]
sys.exit(0 if udids[0] == udids[1] else 1)
EOF
  fail "the devices listed after the stop differ from those listed while running"
echo "PASS: group members read the real daemon's database while it runs and after it stopped"

#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The README's first command: installs dependencies, builds, and runs ibackupmond in the foreground
# with a demo configuration (state in a temporary directory, metrics on 127.0.0.1) until Ctrl-C.
# DEMO_SECONDS=N stops it cleanly after N seconds (for automated checks); DEMO_PORT picks the
# metrics port (default 9847, or a free one when that is taken); SKIP_BUILD=1 reuses $BUILD_DIR as is;
# DEMO_ONCE=1 stops as soon as the fleet, the metrics and the first alert email have been shown.
# When build/bin/ibackupmon-sim and config/demo-fleet.toml exist, a simulated fleet is served to
# the daemon through USBMUXD_SOCKET_ADDRESS, so no iPhone is needed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
state=""
daemon_pid=""
sim_pid=""
mail_pid=""
mail_port=""
deadline=""

log() { echo "demo: $*"; }

install_deps() { "$root/scripts/deps.sh"; }

build_all() {
  [ "${SKIP_BUILD:-0}" = 1 ] && return 0
  # Only the three programs the demo runs: the test suite is built by scripts/test.sh.
  log "building ibackupmond, ibackupmonctl and ibackupmon-sim into $build"
  BUILD_DIR="$build" BUILD_TARGETS="ibackupmond ibackupmonctl ibackupmon-sim" "$root/scripts/build.sh"
}

make_state_dir() { state=$(mktemp -d /tmp/ibackupmon-demo.XXXXXX); }

port_is_free() {
  /usr/bin/python3 - "$1" <<'PY' 2>/dev/null
import socket, sys
s = socket.socket()
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
PY
}

free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

choose_port() {
  port=${DEMO_PORT:-9847}
  if ! port_is_free "$port"; then
    port=$(free_port)
    log "port ${DEMO_PORT:-9847} is taken; using $port"
  fi
}

# A cart for the simulated fleet: a fixture /sys (devices on a two-level hub tree, as the kernel
# lays them out) and a [[slot]] label for each port. The not_on_power device's cable only
# negotiates full speed (12 Mbit/s), so usb_link_degraded shows too.
make_cart() {
  local fleet="$root/config/demo-fleet.toml"
  [ -f "$fleet" ] || return 0
  /usr/bin/python3 - "$fleet" "$state/sys" >"$state/slots.toml" <<'PY'
import os, re, sys
fleet, root = sys.argv[1], sys.argv[2]
text = open(fleet).read()
devices = re.findall(r'udid = "([0-9A-Fa-f-]+)"\nsituation = "([a-z0-9_]+)"', text)
links = os.path.join(root, "bus", "usb", "devices")
os.makedirs(links)
for i, (udid, situation) in enumerate(devices):
    port, path = f"1-1.{i // 7 + 1}.{i % 7 + 1}", os.path.join(root, "devices/pci0000:00/0000:00:14.0/usb1")
    name = "1-"
    for n, part in enumerate(port[2:].split(".")):
        name += ("." if n else "") + part
        path = os.path.join(path, name)
        os.makedirs(path, exist_ok=True)
        if not os.path.islink(os.path.join(links, name)):
            os.symlink(os.path.relpath(path, links), os.path.join(links, name))
    speed = "12" if situation == "not_on_power" else "480"
    for key, value in (("idVendor", "05ac"), ("serial", udid.replace("-", "")), ("speed", speed)):
        with open(os.path.join(path, key), "w") as f:
            f.write(value + "\n")
    print(f'[[slot]]\nport = "{port}"\nlabel = "Cart 1 / {i + 1:02d}"')
PY
}

write_config() {
  config="$state/ibackupmon.toml"
  cat >"$config" <<TOML
# Demo configuration written by scripts/demo.sh (see config/ibackupmon.toml.example).
[storage]
path = "$state/ibackupmon.db"
[metrics]
listen = "127.0.0.1:$port"
[probe]
interval = "30s"
[ios]
minimum_version = "17.0"   # no catalog feed in the demo: the static floor flags outdated devices
[alerts]
control_socket = "$state/control.sock"
group_window = "5s"
[host]
sysfs_root = "$state/sys"
[remediation]
enable_icloud_backup = true   # decided and recorded, never sent: dry_run
dry_run = true
TOML
  [ ! -s "$state/slots.toml" ] || cat "$state/slots.toml" >>"$config"
  if [ -n "$mail_port" ]; then
    cat >>"$config" <<TOML
[alerts.email]
smtp_url = "smtp://127.0.0.1:$mail_port"
starttls = "never"
from = "ibackupmon@localhost"
to = ["admins@localhost"]
TOML
  fi
  "$build/bin/ibackupmond" --check-config --config "$config" >/dev/null
}

start_simulator() {
  local sim="$build/bin/ibackupmon-sim" fleet="$root/config/demo-fleet.toml"
  if [ ! -x "$sim" ] || [ ! -f "$fleet" ]; then
    log "no simulator built; the daemon watches this machine's usbmuxd"
    return 0
  fi
  "$sim" --socket "$state/usbmuxd.sock" --fleet "$fleet" --control "$state/sim-control.sock" \
    --ready-file "$state/sim.ready" >"$state/sim.log" 2>&1 &
  sim_pid=$!
  for _ in $(seq 100); do
    [ -e "$state/sim.ready" ] && break
    kill -0 "$sim_pid" 2>/dev/null || { log "simulator failed:"; cat "$state/sim.log"; exit 1; }
    sleep 0.1
  done
  [ -e "$state/sim.ready" ] || { log "simulator not ready after 10 s"; exit 1; }
  export USBMUXD_SOCKET_ADDRESS="UNIX:$state/usbmuxd.sock"
  log "simulated fleet from $fleet on $state/usbmuxd.sock"
}

# A loopback SMTP server (Debian's python3-aiosmtpd) that keeps every alert email in $state/mail.
start_mail_sink() {
  local sink="$root/tests/integration/alert/smtp_sink.py"
  if [ ! -f "$sink" ] || ! /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null; then
    log "no SMTP sink (python3-aiosmtpd); alerts are not mailed in this demo"
    return 0
  fi
  mkdir -p "$state/mail"
  /usr/bin/python3 "$sink" --dir "$state/mail" --port-file "$state/mail.port" \
    >"$state/mail.log" 2>&1 &
  mail_pid=$!
  for _ in $(seq 100); do
    [ -s "$state/mail.port" ] && break
    sleep 0.1
  done
  [ -s "$state/mail.port" ] || { log "SMTP sink did not start:"; cat "$state/mail.log"; return 0; }
  mail_port=$(cat "$state/mail.port")
  log "alert emails go to a loopback SMTP sink on port $mail_port"
}

# True while the demo has time left (DEMO_SECONDS bounds the whole run, showing included).
in_time() { [ -z "$deadline" ] || [ "$(date +%s)" -lt "$deadline" ]; }

first_mail() {
  local f
  for f in "$state"/mail/*.eml; do
    [ -e "$f" ] && { echo "$f"; return 0; }
  done
  return 0  # none yet: an empty answer, not a failure (set -e)
}

# Prints the fleet once every simulated device has been probed, then the first alert email.
# A device counts as probed once its model is known or a probe raised a condition (a locked or
# untrusted device tells no model); attach alone sets last_seen and the slot's link condition.
show_fleet() {
  local ctl="$build/bin/ibackupmonctl" shown=""
  local probed_check='import json,sys
d = json.load(sys.stdin)
probed = lambda x: x.get("product_type") or any(c.get("id") != "usb_link_degraded" for c in x["conditions"])
sys.exit(0 if d and all(probed(x) for x in d) else 1)'
  [ -x "$ctl" ] || return 0
  while in_time && kill -0 "$daemon_pid" 2>/dev/null; do
    # status exits 0-3 by Nagios state; only its JSON matters here (pipefail would see 2).
    if { "$ctl" status --json --config "$config" 2>/dev/null || true; } |
      /usr/bin/python3 -c "$probed_check" 2>/dev/null; then
      shown=1
      break
    fi
    sleep 0.5
  done
  [ -n "$shown" ] || return 0
  log "devices and their conditions (ibackupmonctl status):"
  "$ctl" status --config "$config" || true  # exit code = Nagios state, not a failure
  log "metrics: http://127.0.0.1:$port/metrics ($(curl -s "http://127.0.0.1:$port/metrics" |
    grep -c '^ibackupmon_condition_active.* 1$' || true) active conditions exported)"
  show_dry_run
  [ -n "$mail_port" ] || return 0
  local first=""
  while in_time && kill -0 "$daemon_pid" 2>/dev/null; do
    first=$(first_mail)
    [ -z "$first" ] || break
    sleep 0.5
  done
  if [ -n "$first" ]; then
    log "alert email caught by the SMTP sink ($first):"
    grep -m3 -E '^(Subject|From|To):' "$first" | sed 's/^/    /'
  else
    log "no alert email within the demo's time"
  fi
}

# Remediation in dry run: the decision recorded for the device whose iCloud Backup is off.
show_dry_run() {
  local ctl="$build/bin/ibackupmonctl" udid line=""
  udid=$({ "$ctl" status --json --config "$config" 2>/dev/null || true; } | /usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
print(next((x["udid"] for x in d if x.get("name") and any(c["id"] == "icloud_backup_disabled"
      for c in x["conditions"]) and x.get("product_type")), ""))' 2>/dev/null || true)
  [ -n "$udid" ] || return 0
  while in_time && kill -0 "$daemon_pid" 2>/dev/null; do
    line=$("$ctl" history "$udid" --json --config "$config" 2>/dev/null | /usr/bin/python3 -c '
import json, sys
a = json.load(sys.stdin).get("actions", [])
print(" ".join([a[0]["action"], a[0]["result"], a[0]["reason"]]).strip() if a else "")' \
      2>/dev/null || true)
    [ -z "$line" ] || break
    sleep 0.5
  done
  [ -n "$line" ] || return 0
  log "remediation (dry run, nothing sent): $udid: $line (ibackupmonctl history $udid)"
}

start_daemon() {
  "$build/bin/ibackupmond" --config "$config" &
  daemon_pid=$!
}

print_where_to_look() {
  cat <<TEXT

  ibackupmond is running (pid $daemon_pid), state in $state
    metrics:  curl http://127.0.0.1:$port/metrics
    status:   $build/bin/ibackupmonctl status --config $config
    config:   $build/bin/ibackupmond --print-config --config $config
  Stop with Ctrl-C.

TEXT
}

wait_for_daemon() {
  if [ -n "${DEMO_SECONDS:-}" ]; then
    while in_time && kill -0 "$daemon_pid" 2>/dev/null; do sleep 0.2; done
    stop_daemon
  else
    local rc=0
    wait "$daemon_pid" || rc=$?
    daemon_pid=""
    return "$rc"
  fi
}

stop_daemon() {
  [ -n "$daemon_pid" ] || return 0
  local pid=$daemon_pid rc=0
  daemon_pid=""
  if ! kill -0 "$pid" 2>/dev/null; then
    wait "$pid" || rc=$?
    log "ibackupmond exited early with status $rc"
    return 1
  fi
  kill -TERM "$pid"
  wait "$pid" || rc=$?
  log "ibackupmond stopped (exit status $rc)"
  return "$rc"
}

cleanup() {
  stop_daemon || true
  local pid
  for pid in "$sim_pid" "$mail_pid"; do
    [ -n "$pid" ] || continue
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  [ -n "$state" ] && rm -rf "$state"
}

main() {
  install_deps
  build_all
  make_state_dir
  trap cleanup EXIT
  trap 'stop_daemon; exit $?' INT TERM
  [ -z "${DEMO_SECONDS:-}" ] || deadline=$(($(date +%s) + DEMO_SECONDS))
  choose_port
  start_mail_sink
  make_cart
  write_config
  start_simulator
  start_daemon
  print_where_to_look
  show_fleet
  if [ "${DEMO_ONCE:-0}" = 1 ]; then stop_daemon; else wait_for_daemon; fi
}

main "$@"

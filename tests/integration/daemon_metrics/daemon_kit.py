# SPDX-License-Identifier: Apache-2.0
"""Starts ibackupmon-sim and ibackupmond for a test (state, socket and metrics port in the test's
temp dir, loopback only), and reads `ibackupmonctl status --json` from the daemon's database."""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "metrics"))
from monitoring_kit import free_port, http_get, parse_exposition, wait_for  # noqa: E402


class Daemon:
    def __init__(self, procs, db, port):
        self.procs = procs
        self.db = db
        self.port = port
        self.metrics_url = f"http://127.0.0.1:{port}/metrics"

    def status(self):
        out = subprocess.run([os.environ["CTL"], "status", "--json", "--db", self.db],
                             capture_output=True, timeout=30)
        # 0-3 are the Nagios verdicts (ok/warning/critical/unknown); anything else is an error.
        if out.returncode not in (0, 1, 2, 3):
            raise AssertionError(f"ibackupmonctl status failed ({out.returncode}): {out.stderr!r}")
        return json.loads(out.stdout)

    def wait_fleet_view(self, timeout=10):
        """Until /metrics holds a fleet view published after this call. The daemon writes the
        database before it publishes its fleet view (at most once per 100 ms, and at least every
        probe interval), so the metrics then say at least what status --json said before it."""
        after = time.time()

        def published():
            self.procs.check_alive()
            for name, _, value in parse_exposition(http_get(self.metrics_url)):
                if name == "ibackupmon_fleet_status_timestamp_seconds":
                    return value > after
            return False
        wait_for("a fleet view published after the status read", published, timeout=timeout)

    def wait_all_probed(self, devices=None, timeout=60):
        """Until status --json lists every simulated device with a probe result. The devices row
        (and its last_seen) is written at the attach, before any probe; a probe writes the
        device's values (a product type at least) or the conditions that kept them unread."""
        def probed(d):
            return bool(d.get("product_type") or d.get("conditions"))

        def done():
            self.procs.check_alive()
            s = self.status()
            if devices is not None and len(s) != devices:
                return None
            return s if s and all(probed(d) for d in s) else None
        return wait_for("every device probed", done, timeout=timeout, interval=0.5)


def sim_device_count(fleet):
    with open(fleet) as f:
        return sum(1 for line in f if line.strip() == "[[device]]")


def write_config(d, db, listen, extra_config="", storage_config="", control_socket=None):
    """storage_config: more keys of [storage] (extra_config cannot reopen that table);
    control_socket: where the daemon listens (default: control.sock in the test's dir)."""
    config = os.path.join(d, "ibackupmon.toml")
    with open(config, "w") as f:
        f.write(f"""[storage]
path = "{db}"
{storage_config}
[metrics]
listen = "{listen}"
[probe]
interval = "2s"
[alerts]
control_socket = "{control_socket or os.path.join(d, 'control.sock')}"
{extra_config}""")
    return config


def start_daemon_with_sim(procs, fleet, extra_config="", storage_config="", control_socket=None,
                          db=None):
    """db: the database path (default: ibackupmon.db in the test's dir)."""
    d = procs.dir
    sock, ready = os.path.join(d, "usbmuxd.sock"), os.path.join(d, "sim.ready")
    procs.start("sim", [os.environ["SIM"], "--socket", sock, "--fleet", fleet, "--control",
                        os.path.join(d, "sim-control.sock"), "--ready-file", ready], strict=True)
    wait_for("simulator ready", lambda: os.path.exists(ready), timeout=20)
    port = free_port()
    db = db or os.path.join(d, "ibackupmon.db")
    config = write_config(d, db, f"127.0.0.1:{port}", extra_config, storage_config,
                          control_socket)
    env = dict(os.environ, USBMUXD_SOCKET_ADDRESS="UNIX:" + sock)
    log = open(os.path.join(d, "daemon.log"), "wb")
    p = subprocess.Popen([os.environ["DAEMON"], "--config", config], stdout=log,
                         stderr=subprocess.STDOUT, cwd=d, env=env)
    procs.procs.append(("daemon", p, log))
    procs.strict.add("daemon")
    daemon = Daemon(procs, db, port)
    daemon.pid = p.pid
    wait_for("daemon metrics endpoint", lambda: (procs.check_alive() or True)
             and http_get(daemon.metrics_url), timeout=30)
    daemon.devices = sim_device_count(fleet)
    return daemon


def sim_ctl(procs, *args):
    """`ibackupmon-sim ctl` on the simulator start_daemon_with_sim started (attach, detach...)."""
    r = subprocess.run([os.environ["SIM"], "ctl", "--control",
                        os.path.join(procs.dir, "sim-control.sock"), *args],
                       capture_output=True, timeout=30)
    assert r.returncode == 0, f"sim ctl {args} failed ({r.returncode}): {r.stderr!r}"
    return r.stdout.decode()

# SPDX-License-Identifier: Apache-2.0
"""The real ibackupmond against the real ibackupmon-sim for the diagnosis tests: the simulator on
loopback TCP (a usbmuxd restart comes back on the same port; libusbmuxd's inotify wait only
applies to UNIX paths), a config written per scenario, the simulator's ctl, and checks of
`ibackupmonctl status --json` device by device."""
import datetime
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "daemon_metrics"))
sys.path.insert(0, os.path.join(HERE, "..", "metrics"))
from daemon_kit import Daemon  # noqa: E402
from monitoring_kit import Processes, free_port, http_get, parse_exposition, wait_for  # noqa: E402,F401


class Sim:
    def __init__(self, control):
        self.control = control

    def ctl(self, *args):
        r = subprocess.run([os.environ["SIM"], "ctl", "--control", self.control, *args],
                           capture_output=True, timeout=30)
        if r.returncode != 0:
            raise AssertionError(f"ibackupmon-sim ctl {' '.join(args)}: exit {r.returncode}: "
                                 f"{r.stderr.decode(errors='replace')}")
        return r.stdout.decode(errors="replace")


class Run:
    """A simulator and a daemon started together; `started` is the simulator's start time, the
    base of the fleet's "ago:" dates."""

    def __init__(self, procs, sim, daemon, started, config):
        self.procs, self.sim, self.daemon, self.started, self.config = (procs, sim, daemon,
                                                                        started, config)

    def status_by_udid(self):
        return {d["udid"]: d for d in self.daemon.status()}

    def ctl(self, *args):
        """ibackupmonctl ARGS --db DB: (exit code, stdout)."""
        r = subprocess.run([os.environ["CTL"], *args, "--db", self.daemon.db],
                           capture_output=True, timeout=30)
        return r.returncode, r.stdout.decode(errors="replace")

    def history(self, udid):
        """`ibackupmonctl history UDID --json`, parsed."""
        code, out = self.ctl("history", udid, "--json")
        if code != 0:
            raise AssertionError(f"ibackupmonctl history {udid} --json: exit {code}: {out}")
        return json.loads(out)

    def series(self, name, **labels):
        """The label sets of every sample of `name` that has `labels`."""
        return [ls for n, ls, _ in parse_exposition(http_get(self.daemon.metrics_url))
                if n == name and all(ls.get(k) == x for k, x in labels.items())]

    def metric(self, name, **labels):
        for n, ls, v in parse_exposition(http_get(self.daemon.metrics_url)):
            if n == name and all(ls.get(k) == x for k, x in labels.items()):
                return v
        return None

    def events(self):
        """Every request the simulator logged so far (its --events file), oldest first."""
        with open(os.path.join(os.path.dirname(self.config), "sim-events.jsonl")) as f:
            return [json.loads(line) for line in f if line.strip()]

    def wait_probes_recorded(self, udids, seen, what, timeout=60):
        """Until, among the events after the first `seen`, each of udids had a lockdown session
        open and close and its next one open: the daemon starts a device's next probe only once
        it has recorded the previous one, so the status then holds that complete probe."""
        def recorded(events, udid):
            r = [e.get("request") for e in events if e.get("udid") == udid
                 and e.get("request") in ("StartSession", "StopSession")]
            return ["StartSession", "StopSession", "StartSession"] in [r[i:i + 3]
                                                                     for i in range(len(r))]

        def done():
            self.procs.check_alive()
            events = self.events()[seen:]
            return all(recorded(events, u) for u in udids)
        wait_for(what, done, timeout=timeout)


def start(procs, config_body, fleet=None, sim_args=(), name="run"):
    """Starts ibackupmon-sim (fleet file or extra args such as --generate) and ibackupmond with
    [storage], [metrics] and [alerts] filled in and `config_body` (the scenario's own tables)."""
    d = os.path.join(procs.dir, name)
    os.mkdir(d)
    ready, control = os.path.join(d, "sim.ready"), os.path.join(d, "sim-control.sock")
    argv = [os.environ["SIM"], "--socket", "127.0.0.1:0", "--control", control,
            "--ready-file", ready, "--events", os.path.join(d, "sim-events.jsonl"), *sim_args]
    if fleet:
        argv += ["--fleet", fleet]
    started = time.time()
    procs.start(name + "-sim", argv, strict=True)
    address = wait_for("simulator ready file", lambda: os.path.exists(ready)
                       and open(ready).read().splitlines()[0], timeout=30)
    port = free_port()
    db = os.path.join(d, "ibackupmon.db")
    config = os.path.join(d, "ibackupmon.toml")
    with open(config, "w") as f:
        f.write(f"""[storage]
path = "{db}"
[metrics]
listen = "127.0.0.1:{port}"
[alerts]
control_socket = "{os.path.join(d, 'control.sock')}"
{config_body}""")
    log = open(os.path.join(procs.dir, name + "-daemon.log"), "wb")
    env = dict(os.environ, USBMUXD_SOCKET_ADDRESS=address)
    p = subprocess.Popen([os.environ["DAEMON"], "--config", config], stdout=log,
                         stderr=subprocess.STDOUT, cwd=d, env=env)
    procs.procs.append((name + "-daemon", p, log))
    procs.strict.add(name + "-daemon")
    daemon = Daemon(procs, db, port)
    wait_for("daemon metrics endpoint", lambda: (procs.check_alive() or True)
             and http_get(daemon.metrics_url), timeout=60)
    return Run(procs, Sim(control), daemon, started, config)


def epoch(rfc3339):
    return None if rfc3339 is None else datetime.datetime.fromisoformat(
        rfc3339.replace("Z", "+00:00")).timestamp()


def mismatches(status, expected, started, tolerance=600):
    """What differs between one status --json row and its expectation. Keys of `expected`:
    state (backup_state), health (the row's own `state`: ok, warning, unknown, critical), ids
    (the exact set of condition ids), severity {id: severity}, ago {field: seconds before
    `started`, or None for null}, and any other status field compared for equality."""
    out = []
    if status is None:
        return ["absent from status --json"]
    ids = {c["id"] for c in status["conditions"]}
    if "state" in expected and status["backup_state"] != expected["state"]:
        out.append(f"backup_state {status['backup_state']!r}, want {expected['state']!r}")
    if "health" in expected and status["state"] != expected["health"]:
        out.append(f"state {status['state']!r}, want {expected['health']!r}")
    if "ids" in expected and ids != set(expected["ids"]):
        out.append(f"conditions {sorted(ids)}, want {sorted(expected['ids'])}")
    for cid, sev in expected.get("severity", {}).items():
        got = [c["severity"] for c in status["conditions"] if c["id"] == cid]
        if got != [sev]:
            out.append(f"{cid} severity {got}, want {sev}")
    for field, ago in expected.get("ago", {}).items():
        got = epoch(status[field])
        if ago is None:
            if got is not None:
                out.append(f"{field} {status[field]}, want null")
        elif got is None or abs(got - (started - ago)) > tolerance:
            out.append(f"{field} {status[field]}, want about {ago}s before the simulator start")
    for field, want in expected.items():
        if field in ("state", "health", "ids", "severity", "ago"):
            continue
        if status.get(field) != want:
            out.append(f"{field} {status.get(field)!r}, want {want!r}")
    return out


def wait_fleet(run, expected, timeout=120, absent=()):
    """Polls status --json until every device of `expected` matches (and `absent` are not
    listed); fails with every device that still differs."""
    def check():
        run.procs.check_alive()
        by = run.status_by_udid()
        bad = [f"{u}: {'; '.join(m)}" for u, e in expected.items()
               if (m := mismatches(by.get(u), e, run.started))]
        bad += [f"{u}: listed, but the daemon must never see it" for u in absent if u in by]
        if bad:
            raise AssertionError("\n  " + "\n  ".join(bad))
        return by
    return wait_for(f"{len(expected)} devices as expected", check, timeout=timeout,
                    interval=0.5)


def check_unknown_explained(statuses):
    """A device whose backup state is unknown always says why (one condition at least)."""
    for s in statuses.values():
        if s["backup_state"] == "unknown" and s["last_seen"]:
            assert s["conditions"], f"{s['udid']} is unknown with no condition: {json.dumps(s)}"

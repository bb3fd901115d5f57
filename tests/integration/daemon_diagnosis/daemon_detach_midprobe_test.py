# SPDX-License-Identifier: Apache-2.0
"""A device unplugged while its probe is blocked, end to end (real ibackupmond, real
ibackupmon-sim): the simulator's `hang` fault holds the probe's lockdown connection without a
reply ([probe] timeout 20 s, far longer than the test waits for it), then `detach` cuts that
connection. The daemon records the detach at once (status --json and /metrics: not connected;
the attach session closed at the time of the detach); the blocked worker's late result does not
make the device connected again; nothing crashes; and once plugged back (fault cleared) the
device is probed again normally: a new lockdown session, ok, no condition."""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from diag_kit import (Processes, epoch, http_get, parse_exposition, start,  # noqa: E402
                      wait_fleet, wait_for)

UDID = "MIDPROBE-0001"
OTHER = "MIDPROBE-0002"
CONFIG = """[probe]
interval = "2s"
timeout = "20s"
"""


def write_fleet(path):
    with open(path, "w") as f:
        for udid in (UDID, OTHER):
            f.write(f'[[device]]\nudid = "{udid}"\nsituation = "healthy"\n'
                    '[device.values."com.apple.mobile.backup"]\n'
                    'LastCloudBackupDate = "ago:3h"\n\n')


def events(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def probe_errors(run):
    return sum(v for n, _, v in parse_exposition(http_get(run.daemon.metrics_url))
               if n == "ibackupmon_probe_errors_total")


def main():
    with Processes() as procs:
        fleet = os.path.join(procs.dir, "fleet.toml")
        write_fleet(fleet)
        run = start(procs, CONFIG, fleet=fleet)
        log = os.path.join(procs.dir, "run", "sim-events.jsonl")
        healthy = {"state": "ok", "ids": [], "connected": True}
        wait_fleet(run, {UDID: healthy, OTHER: healthy}, timeout=60)

        # Its next probe blocks inside lockdown: the simulator accepts and never replies.
        run.sim.ctl("fault", UDID, "hang")
        seen = len(events(log))
        wait_for("the next probe blocked in lockdown", lambda: (run.procs.check_alive(), any(
            e.get("request") == "(hang)" and e.get("udid") == UDID
            for e in events(log)[seen:]))[1], timeout=30)
        errors_before = probe_errors(run)
        t_detach = time.time()
        run.sim.ctl("detach", UDID)

        # Recorded at once, although the worker that probes it has not returned yet.
        detached = {"connected": False}
        wait_fleet(run, {UDID: detached, OTHER: healthy}, timeout=10)
        wait_for("ibackupmon_device_connected 0",
                 lambda: run.metric("ibackupmon_device_connected", udid=UDID) == 0, timeout=10)
        history = run.history(UDID)
        sessions = history["sessions"]
        assert sessions and sessions[-1]["detached"], f"the session is still open: {sessions}"
        closed = epoch(sessions[-1]["detached"])
        assert t_detach - 1 <= closed <= time.time(), (
            f"detach recorded at {sessions[-1]['detached']}, not when it happened ({t_detach})")

        # The late result: the cut connection ends the blocked call long before [probe] timeout.
        # It counts as a failed probe (the only errors here: the other device is healthy) of a
        # detached device, and leaves it detached.
        wait_for("the blocked worker's late result", lambda: (run.procs.check_alive(),
                 probe_errors(run) > errors_before)[1], timeout=15)
        # The error is counted as the result is taken in, before the result is written and the
        # fleet view published: await a view published after it, so that status and metrics
        # below are read after the late result, not before it.
        late = time.time()
        wait_for("a fleet view published after the late result", lambda: (run.metric(
            "ibackupmon_fleet_status_timestamp_seconds") or 0) > late, timeout=10)
        assert run.metric("ibackupmon_probe_workers_abandoned_total") in (None, 0), \
            "the blocked worker was written off instead of returning"
        wait_fleet(run, {UDID: detached, OTHER: healthy}, timeout=10)
        assert run.metric("ibackupmon_device_connected", udid=UDID) == 0

        # Plugged back: probed again normally.
        run.sim.ctl("fault", UDID, "clear")
        seen = len(events(log))
        t_attach = time.time()
        run.sim.ctl("attach", UDID)
        # The status kept from before the detach already reads ok and the attach alone marks
        # the device connected, so the new probe is awaited in the simulator's log: a lockdown
        # session opened and closed, and the next one opened (the first one is recorded by then).
        run.wait_probes_recorded([UDID], seen, "a new probe recorded after the re-attach",
                                 timeout=30)
        starts = [e for e in events(log)[seen:]
                  if e.get("request") == "StartSession" and e.get("udid") == UDID]
        by = wait_fleet(run, {UDID: healthy, OTHER: healthy}, timeout=30)
        assert epoch(by[UDID]["last_seen"]) >= t_attach - 1, by[UDID]
        sessions = run.history(UDID)["sessions"]
        assert not sessions[-1]["detached"] and len(sessions) >= 2, sessions
        run.procs.check_alive()
        print(f"ok: detached while its probe was blocked, recorded at once; re-probed after "
              f"re-attach ({len(starts)} new session(s)); sessions {sessions}")


if __name__ == "__main__":
    main()

# SPDX-License-Identifier: Apache-2.0
"""A forgotten device leaves /metrics while the daemon runs ("per-device series of a
device forgotten after [storage] forget_after are removed"), both ways a device is forgotten:

    daemon_forget_test.py ctl           `ibackupmonctl forget UDID` on the running daemon's database
    daemon_forget_test.py forget_after  [storage] forget_after elapses after the device detached

The real ibackupmond watches the real ibackupmon-sim; the device is detached through the simulator,
and every other device keeps its series."""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "metrics"))
from monitoring_kit import Processes, http_get, parse_exposition, wait_for  # noqa: E402
from daemon_kit import sim_ctl, start_daemon_with_sim  # noqa: E402

UDIDS = [f"00008030-000F0E6E7000{i:04d}" for i in range(1, 4)]
GONE = UDIDS[1]


def fleet_text():
    return "".join(f"""
[[device]]
udid = "{u}"
name = "iPad-Forget-{i}"
product_type = "iPad13,18"
product_version = "18.4.1"
build_version = "22E252"
[device.values."com.apple.mobile.backup"]
LastCloudBackupDate = "ago:2h"
""" for i, u in enumerate(UDIDS, 1))


def series_by_udid(daemon):
    """{udid: {(name, labels...)}} of every per-device sample of one scrape."""
    out = {}
    for name, labels, value in parse_exposition(http_get(daemon.metrics_url)):
        if "udid" in labels:
            out.setdefault(labels["udid"], {})[name, tuple(sorted(labels.items()))] = value
    return out


def probed(series, udid):
    return ("ibackupmon_backup_stale", (("udid", udid),)) in series[udid]


def connected(daemon, udid):
    return series_by_udid(daemon).get(udid, {}).get(
        ("ibackupmon_device_connected", (("udid", udid),)))


def forget_with_ctl(procs, daemon):
    r = subprocess.run([os.environ["CTL"], "forget", GONE, "--db", daemon.db],
                       capture_output=True, timeout=60)
    out = (r.stdout + r.stderr).decode(errors="replace")
    assert r.returncode == 0 and f"Forgot {GONE}" in out, f"ibackupmonctl forget failed:\n{out}"


def run(scenario):
    with Processes() as procs:
        fleet = os.path.join(procs.dir, "fleet.toml")
        with open(fleet, "w") as f:
            f.write(fleet_text())
        # forget_after: long enough that the first tick after the simulator attached everything
        # forgets nothing, short enough that the detached device goes within a few ticks (2 s).
        storage = 'forget_after = "3s"' if scenario == "forget_after" else ""
        daemon = start_daemon_with_sim(procs, fleet, storage_config=storage)
        daemon.wait_all_probed(len(UDIDS))
        # The store is written before observers see a probe (views are published in batches):
        # wait until /metrics shows every device probed, not just listed.
        before = wait_for("every device probed in /metrics", lambda: (lambda s: s if set(
            s) == set(UDIDS) and all(probed(s, u) for u in UDIDS) else None)(
                series_by_udid(daemon)), timeout=30)
        others = {u: set(before[u]) for u in UDIDS if u != GONE}

        sim_ctl(procs, "detach", GONE)
        if scenario == "ctl":  # forget a device the running daemon knows as detached
            wait_for(f"{GONE} disconnected in /metrics", lambda: connected(daemon, GONE) == 0,
                     timeout=60)
            forget_with_ctl(procs, daemon)
        wait_for(f"every series of {GONE} gone from /metrics",
                 lambda: (procs.check_alive(), GONE not in series_by_udid(daemon))[1], timeout=60)

        after = series_by_udid(daemon)
        for u, keys in others.items():
            now = set(after.get(u, {}))
            assert now == keys, (f"{u} lost {sorted(keys - now)} and gained {sorted(now - keys)} "
                                 f"with {GONE}'s removal")
        assert GONE not in {s["udid"] for s in daemon.status()}, "status --json still lists it"
        assert "forgotten" in open(os.path.join(procs.dir, "daemon.log")).read(), \
            "the daemon did not log the device it forgot"
        print(f"ok ({scenario}): {GONE} left /metrics; {len(others)} other devices unchanged")


if __name__ == "__main__":
    run(sys.argv[1])

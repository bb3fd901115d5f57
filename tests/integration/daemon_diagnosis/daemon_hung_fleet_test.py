# SPDX-License-Identifier: Apache-2.0
"""A device that hangs forever costs its own timeout only: with 1 hung + 99 healthy simulated
devices, [probe] timeout = "3s", the default concurrency and a 10-minute interval (so only the
first cycle can happen), all 99 are recorded (last_seen, backup_state ok, no condition) within
that first cycle: one lockdown session each, long before a second cycle could begin. The hung
device is unknown and says why (probe_failing)."""
import collections
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from diag_kit import Processes, start, wait_fleet  # noqa: E402

HEALTHY = 99
INTERVAL_SECONDS = 600
CONFIG = f"""[probe]
interval = "{INTERVAL_SECONDS}s"
timeout = "3s"
"""


def write_fleet(path):
    with open(path, "w") as f:
        f.write('[[device]]\nudid = "HUNG-0000"\nsituation = "hang"\n[device.faults]\nhang = true\n')
        for i in range(1, HEALTHY + 1):
            f.write(f'\n[[device]]\nudid = "HEALTHY-{i:04d}"\nsituation = "healthy"\n'
                    '[device.values."com.apple.mobile.backup"]\n'
                    'LastCloudBackupDate = "ago:3h"\n')


def sessions_per_device(events_file):
    """StartSession requests the simulator saw, per UDID."""
    count = collections.Counter()
    with open(events_file) as f:
        for line in f:
            e = json.loads(line)
            if e.get("request") == "StartSession" and e.get("udid"):
                count[e["udid"]] += 1
    return count


def main():
    with Processes() as procs:
        fleet = os.path.join(procs.dir, "hung-fleet.toml")
        write_fleet(fleet)
        t0 = time.monotonic()
        run = start(procs, CONFIG, fleet=fleet)
        healthy = {f"HEALTHY-{i:04d}": {"state": "ok", "ids": [], "connected": True}
                   for i in range(1, HEALTHY + 1)}
        # A deadline far below the interval: what passes here happened in the first cycle.
        by = wait_fleet(run, healthy, timeout=120)
        elapsed = time.monotonic() - t0
        assert elapsed < INTERVAL_SECONDS / 2, elapsed
        assert all(by[u]["last_seen"] for u in healthy), "a healthy device has no last_seen"

        sessions = sessions_per_device(os.path.join(procs.dir, "run", "sim-events.jsonl"))
        twice = {u: n for u, n in sessions.items() if u in healthy and n != 1}
        assert not twice, f"healthy devices not probed exactly once (one cycle): {twice}"

        hung = wait_fleet(run, {"HUNG-0000": {"state": "unknown", "ids": ["probe_failing"],
                                              "connected": True}}, timeout=90)["HUNG-0000"]
        print(f"ok: {HEALTHY} healthy devices recorded {elapsed:.1f}s after start "
              f"(interval {INTERVAL_SECONDS}s); hung device: {[c['id'] for c in hung['conditions']]}")


if __name__ == "__main__":
    main()

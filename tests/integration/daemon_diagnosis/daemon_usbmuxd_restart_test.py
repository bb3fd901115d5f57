# SPDX-License-Identifier: Apache-2.0
"""usbmuxd goes away in the middle of probe cycles and comes back (the simulator's
`restart-usbmuxd`): the daemon survives, the outage is visible (ibackupmon_usbmuxd_up 0 and the
devices disconnected), and afterwards every device is connected and probed again."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from diag_kit import Processes, epoch, start, wait_fleet, wait_for  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
# Slow replies (about 12 requests x 250 ms per cycle) and a 1 s interval: a cycle is nearly
# always in flight when usbmuxd goes away.
CONFIG = """[probe]
interval = "1s"
timeout = "30s"
"""
OUTAGE_SECONDS = 15


def main():
    with Processes() as procs:
        run = start(procs, CONFIG, fleet=os.path.join(HERE, "restart-fleet.toml"))
        udids = [f"RESTART-{i}" for i in range(1, 4)]
        healthy = {u: {"state": "ok", "ids": [], "connected": True} for u in udids}
        wait_fleet(run, healthy, timeout=90)
        wait_for("ibackupmon_usbmuxd_up 1", lambda: run.metric("ibackupmon_usbmuxd_up") == 1,
                 timeout=30)

        cut = time.time()
        run.sim.ctl("restart-usbmuxd", str(OUTAGE_SECONDS))
        # The outage is visible while it lasts: the gauge drops and devices are disconnected.
        wait_for("ibackupmon_usbmuxd_up 0 and every device disconnected during the outage",
                 lambda: run.metric("ibackupmon_usbmuxd_up") == 0 and all(
                     not s["connected"] for s in run.status_by_udid().values()),
                 timeout=OUTAGE_SECONDS - 2)
        run.procs.check_alive()
        # No lockdown session can open while usbmuxd is gone: every one logged from here on
        # belongs to a probe after the outage.
        seen = len(run.events())

        wait_for("ibackupmon_usbmuxd_up 1 after the outage",
                 lambda: run.metric("ibackupmon_usbmuxd_up") == 1, timeout=60)
        # The status kept from before the outage already reads ok, and the attach alone marks a
        # device connected and seen: the probes are awaited in the simulator's log.
        run.wait_probes_recorded(udids, seen, "every device probed after usbmuxd returned",
                                 timeout=90)
        back = wait_fleet(run, healthy, timeout=90)

        def probed_again():
            by = run.status_by_udid()
            return all(epoch(by[u]["last_seen"]) >= cut + OUTAGE_SECONDS - 1 for u in udids)
        wait_for("every device seen after usbmuxd returned", probed_again, timeout=90)
        # The metrics follow the database by one publication of the fleet view.
        wait_for("every device connected in the metrics",
                 lambda: run.metric("ibackupmon_devices", state="connected") == len(udids),
                 timeout=10)
        run.procs.check_alive()
        print(f"ok: {len(back)} devices back after a {OUTAGE_SECONDS}s usbmuxd outage")


if __name__ == "__main__":
    main()

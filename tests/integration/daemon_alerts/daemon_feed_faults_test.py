# SPDX-License-Identifier: Apache-2.0
"""Feed faults against the running daemon (docs/reliability.md, "Mail, Alertmanager, feeds").

The real ibackupmond polls Apple's status feed from the loopback feed server every second while it
probes ibackupmon-sim's devices. First the feed is good (an ongoing iCloud Backup outage, so the
stale device shows apple_service_outage); then, one reload each, the feed answers an HTML page, a
50 MB body without Content-Length, and a body that never ends. Each fault is counted in
ibackupmon_feed_errors_total and logged with its reason; the last good facts stay (the outage is
still shown); the 50 MB body is cut off at the 8 MiB bound without the daemon's memory growing by
the body; during the never-ending body /metrics and `ibackupmonctl status` answer at once and
devices are still probed, and the transfer ends at the 30 s bound. Back on the good feed, the next
fetch succeeds."""
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from alerts_kit import (BACKUP, AlertDaemon, Processes, Sim, feed_server, http_get,  # noqa: E402
                        parse_exposition, udid_of, wait_for, write_fleet)

STALE_DEVICE = udid_of(1)
FRESH_DEVICE = udid_of(2)
# The bounds the daemon applies to the Apple status feed (lib/alert/apple_status.cpp).
MAX_BODY = 8 << 20
TIMEOUT_S = 30


def feed_metric(daemon, name):
    for n, labels, v in parse_exposition(http_get(daemon.view.metrics_url)):
        if n == name and labels.get("feed") == "apple_status":
            return v
    return None


def errors(daemon):
    return feed_metric(daemon, "ibackupmon_feed_errors_total") or 0


def conditions(daemon, udid):
    for d in daemon.status():
        if d["udid"] == udid:
            return {c["id"] for c in d["conditions"]}
    return set()


def feed_config(url):
    return f'[apple_status]\nurl = "{url}"\ninterval = "1s"\n'


def reads(sim, udid):
    return sum(1 for line in sim.ctl("events").splitlines()
               if f'"{udid}"' in line and f'"{BACKUP}"' in line)


def peak_rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise AssertionError("no VmHWM")


def main():
    with Processes() as procs:
        base = feed_server(procs)
        fleet = write_fleet(procs, [(STALE_DEVICE, "Stale iPad", "ago:9d"),
                                    (FRESH_DEVICE, "Fresh iPad", "ago:1h")])
        sim = Sim(procs, fleet)
        daemon = AlertDaemon(procs, sim.socket,
                             feed_config(f"{base}/fixtures/apple_status_current.json")).start()
        wait_for("the good feed fetched",
                 lambda: (feed_metric(daemon, "ibackupmon_feed_last_success_timestamp_seconds")
                          or 0) > 0, timeout=30)
        wait_for("the outage shown",
                 lambda: "apple_service_outage" in conditions(daemon, STALE_DEVICE), timeout=30)

        def fault(name, path, reason):
            before_errors = errors(daemon)
            before_log = len(daemon.log())
            daemon.reload(feed_config(base + path))
            wait_for(f"{name} counted", lambda: errors(daemon) > before_errors, timeout=60)
            wait_for(f"{name} logged with its reason",
                     lambda: reason in daemon.log()[before_log:], timeout=10)
            assert "apple_service_outage" in conditions(daemon, STALE_DEVICE), \
                f"{name}: the last good facts were dropped"
            procs.check_alive()

        # An HTML page where JSON belongs (a captive portal, a CDN error page).
        fault("HTML page", "/fixtures/apple_status_error_page.html", "Apple status")

        # 50 MB without Content-Length: cut off at the bound, not held in memory.
        rss_before = peak_rss_kib(daemon.proc.pid)
        fault("50 MB body", "/huge?bytes=52428800", f"exceeds the limit of {MAX_BODY} bytes")
        rss_after = peak_rss_kib(daemon.proc.pid)
        print(f"feed faults: peak RSS {rss_before} KiB before the 50 MB body, {rss_after} KiB "
              "after")
        assert rss_after - rss_before < 3 * MAX_BODY // 1024, (rss_before, rss_after)

        # A body that never ends: the daemon stays responsive and the transfer ends at the bound.
        before_errors = errors(daemon)
        daemon.reload(feed_config(f"{base}/endless"))
        wait_for("the endless transfer begun",
                 lambda: int(http_get(f"{base}/endless_started")) >= 1, timeout=30)
        started = time.monotonic()
        reads_before = reads(sim, FRESH_DEVICE)
        slowest = 0.0
        for _ in range(5):
            t0 = time.monotonic()
            http_get(daemon.view.metrics_url)
            r = subprocess.run([os.environ["CTL"], "status", "--db", daemon.db],
                               capture_output=True, timeout=30)
            assert r.returncode in (0, 1, 2, 3), r  # the Nagios verdicts
            slowest = max(slowest, time.monotonic() - t0)
        assert slowest < 2.0, f"a scrape and a status took {slowest:.2f}s during the endless feed"
        wait_for("devices probed during the endless feed",
                 lambda: reads(sim, FRESH_DEVICE) >= reads_before + 2, timeout=20)
        assert errors(daemon) == before_errors, "the endless transfer ended early"
        wait_for("the endless transfer cut off", lambda: errors(daemon) > before_errors,
                 timeout=TIMEOUT_S + 30)
        took = time.monotonic() - started
        print(f"feed faults: endless body cut off after {took:.1f}s; slowest scrape + status "
              f"during it {slowest:.2f}s")
        assert TIMEOUT_S - 5 <= took <= TIMEOUT_S + 10, took
        assert "apple_service_outage" in conditions(daemon, STALE_DEVICE)

        # Back to the good feed: the next fetch succeeds.
        last = feed_metric(daemon, "ibackupmon_feed_last_success_timestamp_seconds")
        daemon.reload(feed_config(f"{base}/fixtures/apple_status_current.json"))
        wait_for("a good fetch again",
                 lambda: feed_metric(daemon,
                                     "ibackupmon_feed_last_success_timestamp_seconds") > last,
                 timeout=60)
        procs.check_alive()
    print("ok: daemon_feed_faults")


if __name__ == "__main__":
    main()

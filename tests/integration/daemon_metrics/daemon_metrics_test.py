# SPDX-License-Identifier: Apache-2.0
"""The real daemon against the real simulator: once every device of the demo fleet has been
probed, a scrape of /metrics passes `promtool check metrics`, has every family of docs/metrics.md with its
type, and says what `ibackupmonctl status --json` says, device by device."""
import os
import socket
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "metrics"))
from monitoring_kit import (SOURCE_DIR, Processes, check_metrics_match_status,  # noqa: E402
                            http_get, wait_for)
from daemon_kit import start_daemon_with_sim, write_config  # noqa: E402

# Family -> type, as docs/metrics.md names them (histograms/counters by their family name).
FAMILIES = {
    "ibackupmon_device_info": "gauge",
    "ibackupmon_device_connected": "gauge",
    "ibackupmon_device_last_seen_timestamp_seconds": "gauge",
    "ibackupmon_backup_last_success_timestamp_seconds": "gauge",
    "ibackupmon_backup_icloud_enabled": "gauge",
    "ibackupmon_backup_stale": "gauge",
    "ibackupmon_condition_active": "gauge",
    "ibackupmon_battery_level_ratio": "gauge",
    "ibackupmon_battery_external_power": "gauge",
    "ibackupmon_battery_charging": "gauge",
    "ibackupmon_storage_available_bytes": "gauge",
    "ibackupmon_storage_capacity_bytes": "gauge",
    "ibackupmon_probe_duration_seconds": "histogram",
    "ibackupmon_probe_errors_total": "counter",
    "ibackupmon_usbmuxd_up": "gauge",
    "ibackupmon_usbmuxd_wedged": "gauge",
    "ibackupmon_remediation_actions_total": "counter",
    "ibackupmon_remediation_enabled": "gauge",
    "ibackupmon_remediation_dry_run": "gauge",
    "ibackupmon_remediation_paused": "gauge",
    "ibackupmon_devices": "gauge",
    "ibackupmon_build_info": "gauge",
}


def declared_types(text):
    types = {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ", 3)
            types[name] = kind
    return types


def has_samples(text, family):
    return any(line.startswith(family + "{") or line.startswith(family + " ")
               or line.startswith(family + "_bucket{") for line in text.splitlines())


def check_port_in_use(procs):
    """A metrics port that cannot be bound stops startup with a message naming it."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        d = os.path.join(procs.dir, "busy")
        os.mkdir(d)
        config = write_config(d, os.path.join(d, "db.sqlite"), f"127.0.0.1:{port}")
        r = subprocess.run([os.environ["DAEMON"], "--config", config], capture_output=True,
                           timeout=60, env=dict(os.environ, USBMUXD_SOCKET_ADDRESS="UNIX:" +
                                                os.path.join(d, "none.sock")))
    out = (r.stdout + r.stderr).decode(errors="replace")
    assert r.returncode != 0, f"daemon started on a taken port:\n{out}"
    assert "metrics" in out and str(port) in out, f"error does not name the port:\n{out}"


def main():
    with Processes() as procs:
        daemon = start_daemon_with_sim(procs, os.path.join(SOURCE_DIR, "config/demo-fleet.toml"))
        statuses = daemon.wait_all_probed(daemon.devices)
        # The store is written before observers see the fleet (they get at most one view per
        # 100 ms): wait until the exporter has published the whole probed fleet too, not just
        # the first devices probed.
        daemon.wait_fleet_view()
        text = wait_for("probed fleet in /metrics",
                        lambda: (lambda t: t if has_samples(
                            t, "ibackupmon_backup_last_success_timestamp_seconds") else None)(
                                http_get(daemon.metrics_url)), timeout=30)
        procs.check_alive()

        lint = subprocess.run([os.environ["PROMTOOL"], "check", "metrics"], input=text.encode(),
                              capture_output=True, timeout=30)
        report = (lint.stdout + lint.stderr).decode().strip()
        assert lint.returncode == 0 and not report, f"promtool check metrics:\n{report}"

        types = declared_types(text)
        for family, kind in FAMILIES.items():
            if family == "ibackupmon_probe_errors_total" and family not in types:
                continue  # prometheus-cpp writes no TYPE line for a counter family with no series
            assert types.get(family) == kind, f"{family}: TYPE {types.get(family)}, want {kind}"
            if family != "ibackupmon_probe_errors_total":  # no probe has failed on this fleet
                assert has_samples(text, family), f"{family} has no samples"

        # Status and metrics are read at two moments and a probe cycle may land in between:
        # retry until one scrape agrees with one status (wait_for reports the last mismatch).
        def agree():
            s = daemon.status()
            return check_metrics_match_status(http_get(daemon.metrics_url), s)
        checked = wait_for("metrics to match status --json", agree, timeout=30)
        assert checked == len(statuses) and checked >= 10, checked
        check_port_in_use(procs)
        print(f"ok: {checked} devices agree; {len(FAMILIES)} families typed; promtool clean")


if __name__ == "__main__":
    main()

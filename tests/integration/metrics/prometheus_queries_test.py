# SPDX-License-Identifier: Apache-2.0
"""Debian's real Prometheus scrapes exporter fixtures on loopback; then every expression of the
rules (deploy/prometheus/ibackupmon.rules.yml) and of the Grafana dashboard
(deploy/grafana/ibackupmon.json) is evaluated through the HTTP API and must return data of the
expected shape. A typo'd metric or label name returns nothing and fails here.

Fleet: host "hosta" serves a synthetic fleet whose backed-up devices all go stale at once when
the test says so (a wave, for the fleet-stall rule); "hostb" has usbmuxd down and an older view of four of hosta's
devices (for the latest-view logic); "hostc" is a dead port (for up == 0); "hostd" has a wedged
usbmuxd and the same older view as hostb."""
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from monitoring_kit import (DEPLOY, Processes, free_port, http_get, prometheus_config,  # noqa: E402
                            rules_copy, start_fixture, start_prometheus, wait_for)

UDID = "00008101-0000000000000000"  # device 0 of the synthetic fleet: on hosta and hostb
SUBSTITUTIONS = {"$__rate_interval": "10s", "$__interval": "2s", "$__range": "1m",
                 "$host": "hosta|hostb|hostc", "$udid": UDID}
EXPECTED_TYPES = {
    "ibackupmon_device_info": "gauge", "ibackupmon_device_connected": "gauge",
    "ibackupmon_device_last_seen_timestamp_seconds": "gauge",
    "ibackupmon_backup_last_success_timestamp_seconds": "gauge",
    "ibackupmon_backup_icloud_enabled": "gauge", "ibackupmon_backup_stale": "gauge",
    "ibackupmon_condition_active": "gauge", "ibackupmon_battery_level_ratio": "gauge",
    "ibackupmon_battery_external_power": "gauge", "ibackupmon_battery_charging": "gauge",
    "ibackupmon_storage_available_bytes": "gauge", "ibackupmon_storage_capacity_bytes": "gauge",
    "ibackupmon_probe_duration_seconds": "histogram", "ibackupmon_probe_errors_total": "counter",
    "ibackupmon_usbmuxd_up": "gauge", "ibackupmon_usbmuxd_wedged": "gauge",
    "ibackupmon_devices": "gauge",
    "ibackupmon_build_info": "gauge", "ibackupmon_probe_workers_abandoned_total": "counter",
    "ibackupmon_alerts_sent_total": "counter", "ibackupmon_alerts_failed_total": "counter",
    "ibackupmon_alert_outbox_depth": "gauge", "ibackupmon_apple_service_active_events": "gauge",
    "ibackupmon_feed_last_success_timestamp_seconds": "gauge",
    "ibackupmon_feed_errors_total": "counter",
}


def substitute(expr):
    for k in sorted(SUBSTITUTIONS, key=len, reverse=True):
        expr = expr.replace(k, SUBSTITUTIONS[k])
    assert "$" not in expr, f"unsubstituted variable in {expr}"
    return expr


def non_empty(data):
    if data["resultType"] == "scalar":
        return True
    return len(data["result"]) > 0


def dashboard_exprs(dashboard):
    def walk(panels):
        for p in panels:
            yield from walk(p.get("panels", []))
            for t in p.get("targets", []):
                yield p["title"], t["expr"]
    return list(walk(dashboard["panels"]))


def check_metric_types(api):
    metadata = json.loads(http_get(api.base + "/api/v1/metadata"))["data"]
    for name, kind in EXPECTED_TYPES.items():
        assert name in metadata, f"{name} not scraped"
        assert metadata[name][0]["type"] == kind, f"{name}: {metadata[name]} is not a {kind}"


def check_rules(api, rules):
    count = 0
    for group in rules["groups"]:
        for rule in group["rules"]:
            name = rule.get("record") or rule.get("alert")
            data = api.query(rule["expr"])
            assert non_empty(data), f"rule {name}: no data for {rule['expr']}"
            if "alert" in rule:  # the label contract: nothing but host, udid, condition
                for sample in data["result"]:
                    keys = set(sample["metric"]) - {"__name__"}
                    assert "host" in keys and keys <= {"host", "udid", "condition"}, \
                        f"alert {name} would carry labels {sorted(keys)}"
            count += 1
    return count


def check_dashboard(api):
    with open(os.path.join(DEPLOY, "grafana", "ibackupmon.json")) as f:
        dashboard = json.load(f)
    exprs = dashboard_exprs(dashboard)
    assert len(exprs) >= 20, "dashboard lost its panels"
    for title, expr in exprs:
        data = api.query(substitute(expr))
        assert non_empty(data), f"panel '{title}': no data for {substitute(expr)}"
    for var in dashboard["templating"]["list"]:
        if var["type"] != "query":
            continue
        m = re.fullmatch(r"label_values\((.+), *(\w+)\)", var["query"]["query"])
        assert m, f"variable {var['name']}: unexpected query {var['query']}"
        values = {s.get(m.group(2)) for s in api.series(substitute(m.group(1)))} - {None}
        assert values, f"variable {var['name']} has no values"
        if var["name"] == "udid":
            assert UDID in values
        if var["name"] == "host":
            assert {"hosta", "hostb"} <= values, values
    return len(exprs)


def main():
    with Processes() as procs:
        wave_file = os.path.join(procs.dir, "wave")
        port_a = start_fixture(procs, "hosta", "wave", ["--wave-file", wave_file])
        port_b = start_fixture(procs, "hostb", "usbmuxd-down", ["--devices", "4"])
        port_d = start_fixture(procs, "hostd", "usbmuxd-wedged", ["--devices", "4"])
        text = http_get(f"http://127.0.0.1:{port_a}/metrics")
        lint = subprocess.run([os.environ.get("PROMTOOL", "promtool"), "check", "metrics"],
                              input=text.encode(), capture_output=True)
        assert lint.returncode == 0 and not lint.stdout and not lint.stderr, \
            f"promtool check metrics: {lint.stdout.decode()}{lint.stderr.decode()}"
        rules_path, rules = rules_copy(procs)
        cfg = prometheus_config([("hosta", port_a), ("hostb", port_b), ("hostc", free_port()),
                                 ("hostd", port_d)], rules_path)
        api = start_prometheus(procs, cfg)
        wait_for("fresh devices recorded before the wave",
                 lambda: non_empty(api.query('ibackupmon:device_backup_stale{host="hosta"} == 0')))
        open(wave_file, "w").close()
        wait_for("the stale wave to be recorded",
                 lambda: non_empty(api.query('host:ibackupmon_devices_newly_stale:count{host="hosta"}')))
        wait_for("hostc seen down", lambda: non_empty(api.query('up{host="hostc"} == 0')))
        wait_for("hostd's usbmuxd seen wedged",
                 lambda: non_empty(api.query('ibackupmon_usbmuxd_wedged{host="hostd"} == 1')))
        wait_for("two samples per series for rate()",
                 lambda: non_empty(api.query('rate(ibackupmon_probe_errors_total[10s]) > 0')))
        procs.check_alive()
        check_metric_types(api)
        # Device 0 is on both hosts; hostb's older view must not speak for it.
        latest = api.query(f'ibackupmon:device_latest_view{{udid="{UDID}"}}')["result"]
        assert [s["metric"]["host"] for s in latest] == ["hosta"], latest
        rules_checked = check_rules(api, rules)
        panels_checked = check_dashboard(api)
        print(f"ok: {rules_checked} rule expressions and {panels_checked} dashboard queries "
              "returned data")


if __name__ == "__main__":
    main()

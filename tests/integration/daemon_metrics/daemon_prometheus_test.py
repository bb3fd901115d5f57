# SPDX-License-Identifier: Apache-2.0
"""Debian's real Prometheus scrapes the real daemon watching the real simulator (demo fleet):
every family the daemon exposes reaches Prometheus with its type, and every Grafana dashboard query
and every rule expression evaluates on that data (no typo'd metric or label name survives; the
fixture-based metrics_prometheus_queries test covers the shapes a healthy fleet cannot produce:
stall waves, usbmuxd down, a dead exporter)."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "metrics"))
from monitoring_kit import (DEPLOY, SOURCE_DIR, Processes, http_get,  # noqa: E402
                            prometheus_config, rules_copy, start_prometheus, wait_for)
from daemon_kit import start_daemon_with_sim  # noqa: E402
from prometheus_queries_test import dashboard_exprs, non_empty  # noqa: E402

HEALTHY = "00008110-001A2D3E4F50802E"  # iPhone-Cart1-01 in config/demo-fleet.toml


def substitute(expr):
    subs = {"$__rate_interval": "10s", "$__interval": "2s", "$__range": "1m",
            "$host": "hosta", "$udid": HEALTHY}
    for k in sorted(subs, key=len, reverse=True):
        expr = expr.replace(k, subs[k])
    assert "$" not in expr, f"unsubstituted variable in {expr}"
    return expr


def main():
    with Processes() as procs:
        daemon = start_daemon_with_sim(procs, os.path.join(SOURCE_DIR, "config/demo-fleet.toml"))
        daemon.wait_all_probed(daemon.devices)
        exposed = {line.split(" ")[2]: line.split(" ")[3]
                   for line in http_get(daemon.metrics_url).splitlines()
                   if line.startswith("# TYPE ")}
        rules_path, rules = rules_copy(procs)
        api = start_prometheus(procs, prometheus_config([("hosta", daemon.port)], rules_path))
        wait_for("every device in Prometheus", lambda: len(
            api.query('ibackupmon_device_info{host="hosta"}')["result"]) == daemon.devices)
        wait_for("two samples per series for rate()", lambda: non_empty(
            api.query('rate(ibackupmon_probe_duration_seconds_count[10s]) > 0')))
        procs.check_alive()

        metadata = json.loads(http_get(api.base + "/api/v1/metadata"))["data"]
        for name, kind in exposed.items():
            assert name in metadata and metadata[name][0]["type"] == kind, \
                f"{name} ({kind}) not in Prometheus as such: {metadata.get(name)}"

        panels, empty = 0, []
        with open(os.path.join(DEPLOY, "grafana", "ibackupmon.json")) as f:
            for title, expr in dashboard_exprs(json.load(f)):
                panels += 1
                if not non_empty(api.query(substitute(expr))):  # fails on a bad expression
                    empty.append(title)
        # The fleet-wide overview must show this fleet; drill-down panels may be empty only when
        # they are about a fact the healthy device does not have.
        assert panels >= 20 and len(empty) <= panels // 3, f"empty panels: {empty}"
        exprs = 0
        for group in rules["groups"]:
            for rule in group["rules"]:
                api.query(rule["expr"])  # raises with the server's message on a bad expression
                exprs += 1
        stale = api.query('ibackupmon:device_backup_stale{host="hosta"}')["result"]
        assert stale, "recording rule ibackupmon:device_backup_stale has no data for the daemon"
        print(f"ok: {len(exposed)} families typed in Prometheus; {panels} panels "
              f"({len(empty)} empty: {empty}); {exprs} rule expressions evaluated")


if __name__ == "__main__":
    main()

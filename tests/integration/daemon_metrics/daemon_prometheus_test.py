# SPDX-License-Identifier: Apache-2.0
"""Debian's real Prometheus scrapes the real daemon watching the real simulator (demo fleet, each
device in a cart slot of a fixture /sys, one on a full-speed link): every family the daemon exposes
reaches Prometheus with its type, every Grafana dashboard query and every rule expression evaluates
on that data (no typo'd metric or label name survives; the fixture-based
metrics_prometheus_queries test covers the shapes a healthy fleet cannot produce: stall waves,
usbmuxd down, a dead exporter), and the cart view shows every slot with its device, backup and
link speed in bit/s."""
import json
import os
import sys
import tomllib

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "metrics"))
from monitoring_kit import (DEPLOY, SOURCE_DIR, Processes, http_get,  # noqa: E402
                            prometheus_config, rules_copy, start_prometheus, wait_for)
from daemon_kit import start_daemon_with_sim  # noqa: E402
from prometheus_queries_test import dashboard_exprs, non_empty  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "daemon_diagnosis"))
from daemon_slots_test import Sysfs  # noqa: E402

HEALTHY = "00008110-001A2D3E4F50802E"  # iPhone-Cart1-01 in config/demo-fleet.toml
SLOW = "00008101-000C45A21E88001E"  # iPad-Cart1-02: its cable only negotiates full speed
CART_PANEL = "Slots, worst first"


def cart(procs, fleet):
    """A fixture /sys with every device of the fleet on a port of a two-level hub tree, and the
    [host] and [[slot]] config naming those ports "Cart 1 / NN"; returns (config, {udid: label})."""
    with open(fleet, "rb") as f:
        udids = [d["udid"] for d in tomllib.load(f)["device"]]
    sysfs = Sysfs(os.path.join(procs.dir, "sys"))
    config, labels = f'[host]\nsysfs_root = "{sysfs.root}"\n', {}
    for i, udid in enumerate(udids):
        port, labels[udid] = f"1-1.{i // 6 + 1}.{i % 6 + 1}", f"Cart 1 / {i + 1:02d}"
        sysfs.plug(port, udid.replace("-", ""), "12" if udid == SLOW else "480")
        config += f'[[slot]]\nport = "{port}"\nlabel = "{labels[udid]}"\n'
    return config, labels


def substitute(expr):
    subs = {"$__rate_interval": "10s", "$__interval": "2s", "$__range": "1m",
            "$host": "hosta", "$udid": HEALTHY}
    for k in sorted(subs, key=len, reverse=True):
        expr = expr.replace(k, subs[k])
    assert "$" not in expr, f"unsubstituted variable in {expr}"
    return expr


def main():
    with Processes() as procs:
        fleet = os.path.join(SOURCE_DIR, "config/demo-fleet.toml")
        slots, labels = cart(procs, fleet)
        daemon = start_daemon_with_sim(procs, fleet, extra_config=slots)
        daemon.wait_all_probed(daemon.devices)
        # The families of the probed fleet, from a view published after every probe was stored.
        daemon.wait_fleet_view()
        exposed = {line.split(" ")[2]: line.split(" ")[3]
                   for line in http_get(daemon.metrics_url).splitlines()
                   if line.startswith("# TYPE ")}
        rules_path, rules = rules_copy(procs)
        api = start_prometheus(procs, prometheus_config([("hosta", daemon.port)], rules_path))
        wait_for("every device in Prometheus", lambda: len(
            api.query('ibackupmon_device_info{host="hosta"}')["result"]) == daemon.devices)
        wait_for("two samples per series for rate()", lambda: non_empty(
            api.query('rate(ibackupmon_probe_duration_seconds_count[10s]) > 0')))
        wait_for("every device in its slot in Prometheus", lambda: len(
            api.query('ibackupmon_device_slot_info{host="hosta"}')["result"]) == daemon.devices)
        degraded = wait_for("usb_link_degraded recorded", lambda: api.query(
            'ibackupmon:device_condition_active{condition="usb_link_degraded"} == 1')["result"])
        assert [d["metric"]["udid"] for d in degraded] == [SLOW], degraded
        procs.check_alive()

        metadata = json.loads(http_get(api.base + "/api/v1/metadata"))["data"]
        for name, kind in exposed.items():
            assert name in metadata and metadata[name][0]["type"] == kind, \
                f"{name} ({kind}) not in Prometheus as such: {metadata.get(name)}"

        panels, empty, cart_rows = 0, [], []
        with open(os.path.join(DEPLOY, "grafana", "ibackupmon.json")) as f:
            for title, expr in dashboard_exprs(json.load(f)):
                panels += 1
                result = api.query(substitute(expr))  # fails on a bad expression
                if not non_empty(result):
                    empty.append(title)
                if title == CART_PANEL:
                    cart_rows.append({r["metric"]["udid"]: r for r in result["result"]})
        # The cart view: rows named by slot label, device name and model; link speed and open
        # conditions for every slot, backup state and time where the device has one.
        assert len(cart_rows) == 4, f"{CART_PANEL}: {len(cart_rows)} queries"
        backup, last, link, conditions = cart_rows
        assert set(link) == set(conditions) == set(labels), \
            f"{CART_PANEL}: rows for {sorted(link)} and {sorted(conditions)}"
        for rows in cart_rows:
            assert HEALTHY in rows and set(rows) <= set(labels), f"{CART_PANEL}: {sorted(rows)}"
            for udid, row in rows.items():
                assert row["metric"].get("label") == labels[udid], row
                assert row["metric"].get("name"), row  # the model is unknown until paired
            assert rows[HEALTHY]["metric"].get("product_type") == "iPhone14,7", rows[HEALTHY]
        assert backup[HEALTHY]["value"][1] == "0", backup[HEALTHY]
        assert float(last[HEALTHY]["value"][1]) > 1e12, last[HEALTHY]  # milliseconds
        assert float(link[HEALTHY]["value"][1]) == 480e6, link[HEALTHY]
        assert float(link[SLOW]["value"][1]) == 12e6, link[SLOW]
        assert float(conditions[SLOW]["value"][1]) >= 1, conditions[SLOW]
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
              f"({len(empty)} empty: {empty}); {exprs} rule expressions evaluated; "
              f"{len(link)} slots in the cart view")


if __name__ == "__main__":
    main()

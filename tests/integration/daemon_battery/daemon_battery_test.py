# SPDX-License-Identifier: Apache-2.0
"""Battery wear, the power path and the grouped mail, end to end: a fleet with worn, hot,
not-charging-on-power and healthy batteries (an iPad whose MaxCapacity is 100 and whose raw max
capacity is absent, an amperage sent as two's complement, a device held at 80 % on power), two
devices that never backed up (iCloud Backup on, and off), and three stale devices. The real
daemon gets exact condition sets, metric values and status --json fields; the real SMTP sink gets
one grouped mail that starts with the worst-first summary and states Apple's nine steps at most
once, parsed by Python's email package."""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "daemon_alerts"))
from alerts_kit import AlertDaemon, Processes, Sim, Sink, email_config, wait_for  # noqa: E402

BATTERY = "com.apple.mobile.battery"
BACKUP = "com.apple.mobile.backup"

# udid: (name, product type, {domain: {key: value}}, exact condition ids)
FLEET = {
    "00008110-00000000000BA701": ("Healthy", "iPhone14,7", {}, set()),
    "00008110-00000000000BA702": ("Worn iPad", "iPad13,18", {
        "IOPMPowerSource": {"AppleRawMaxCapacity": "absent", "NominalChargeCapacity": "absent",
                            "BatteryData.FullChargeCapacity": 5705, "CycleCount": 1204}},
        {"battery_worn"}),
    "00008110-00000000000BA703": ("Hot iPad", "iPad12,1", {
        "IOPMPowerSource": {"Temperature": 4150}}, {"battery_hot"}),
    "00008110-00000000000BA704": ("Weak port", "iPad13,18", {
        BATTERY: {"BatteryCurrentCapacity": 45, "BatteryIsCharging": False,
                  "ExternalConnected": True, "FullyCharged": False},
        "IOPMPowerSource": {"InstantAmperage": -120}}, {"not_charging_on_power"}),
    "00008110-00000000000BA705": ("Held at 80", "iPhone15,2", {
        BATTERY: {"BatteryCurrentCapacity": 80, "BatteryIsCharging": False,
                  "ExternalConnected": True, "FullyCharged": False}}, set()),
    "00008110-00000000000BA706": ("New iCloud", "iPhone14,7", {
        BACKUP: {"CloudBackupEnabled": True, "LastCloudBackupDate": "absent"}},
        {"never_backed_up"}),
    "00008110-00000000000BA707": ("New iCloud off", "iPhone14,7", {
        BACKUP: {"CloudBackupEnabled": False, "LastCloudBackupDate": "absent"}},
        {"icloud_backup_disabled"}),
    "00008110-00000000000BA708": ("Stale 9d", "iPhone13,2", {
        BACKUP: {"LastCloudBackupDate": "ago:9d"}}, {"backup_stale", "stale_unexplained"}),
    "00008110-00000000000BA709": ("Stale 2d unplugged", "iPhone13,2", {
        BACKUP: {"LastCloudBackupDate": "ago:2d"},
        BATTERY: {"BatteryCurrentCapacity": 64, "BatteryIsCharging": False,
                  "ExternalConnected": False}}, {"backup_stale", "not_on_power"}),
    "00008110-00000000000BA710": ("Stale 12d", "iPhone13,2", {
        BACKUP: {"LastCloudBackupDate": "ago:12d"}}, {"backup_stale", "stale_unexplained"}),
}


def toml_value(v):
    return ("true" if v else "false") if isinstance(v, bool) else json.dumps(v)


def write_fleet(procs):
    path = os.path.join(procs.dir, "battery-fleet.toml")
    with open(path, "w") as f:
        for udid, (name, product, domains, _) in FLEET.items():
            f.write(f'[[device]]\nudid = "{udid}"\nname = {json.dumps(name)}\n'
                    f'product_type = "{product}"\nproduct_version = "18.4.1"\n')
            backup = dict(domains.get(BACKUP, {}))
            backup.setdefault("LastCloudBackupDate", "ago:1h")
            for domain, keys in {**domains, BACKUP: backup}.items():
                f.write(f'[device.values."{domain}"]\n')
                for k, v in keys.items():
                    f.write(f"{json.dumps(k)} = {toml_value(v)}\n")
            f.write("\n")
    return path


def metric(daemon, name, udid):
    return daemon.metric(name, udid=udid)


def check_fleet(daemon):
    by = {d["udid"]: d for d in daemon.status()}
    bad = []
    for udid, (name, _, _, want) in FLEET.items():
        got = {c["id"] for c in by[udid]["conditions"]} if udid in by else None
        if got != want:
            bad.append(f"{name}: {sorted(got) if got is not None else 'absent'}, "
                       f"want {sorted(want)}")
    if bad:
        raise AssertionError("\n  " + "\n  ".join(bad))
    return by


def close(a, b, tol=1e-3):
    return a is not None and abs(a - b) <= tol


def main():
    with Processes() as procs:
        sink = Sink(procs).start()
        sim = Sim(procs, write_fleet(procs))
        daemon = AlertDaemon(procs, sim.socket, email_config(sink.port, group_window="10s")).start()
        # battery_hot and not_charging_on_power need two probes: poll, never sleep.
        by = wait_for("exact condition sets", lambda: (procs.check_alive(), check_fleet(daemon))[1],
                      timeout=120, interval=0.5)

        worn, hot, weak, held, stale2d = (by[u] for u in (
            "00008110-00000000000BA702", "00008110-00000000000BA703",
            "00008110-00000000000BA704", "00008110-00000000000BA705",
            "00008110-00000000000BA709"))
        # status --json fields.
        assert close(worn["battery_health"], 5705 / 7606), worn["battery_health"]
        assert worn["battery_cycle_count"] == 1204, worn
        assert hot["battery_temperature_celsius"] == 41.5, hot
        assert hot["charger_watts"] == 12, hot
        assert weak["battery_current_ma"] == -120, weak  # sent as 2^64 - 120
        assert held["battery_level"] == 80 and held["on_power"] is True, held
        assert stale2d["charger_watts"] is None, stale2d  # unplugged: unknown, not 0
        assert stale2d["battery_current_ma"] == -310, stale2d
        health = next(c for c in worn["conditions"] if c["id"] == "battery_worn")
        assert health["evidence"]["BatteryData.FullChargeCapacity"] == "5705", health
        assert health["evidence"]["estimated_health_percent"] == "75.0", health
        weak_c = next(c for c in weak["conditions"] if c["id"] == "not_charging_on_power")
        assert "cable" in weak_c["fix"] and "port" in weak_c["fix"] and "hub" in weak_c["fix"]
        never = next(c for c in by["00008110-00000000000BA706"]["conditions"])
        assert never["severity"] == "info", never

        # Metrics: the values, and absent when unknown (from a fleet view published after the
        # status above was read: the metrics follow the database).
        daemon.view.wait_fleet_view()
        u = "00008110-00000000000BA702"
        assert close(metric(daemon, "ibackupmon_battery_health_ratio", u), 5705 / 7606)
        assert metric(daemon, "ibackupmon_battery_cycles", u) == 1204
        assert metric(daemon, "ibackupmon_battery_temperature_celsius",
                      "00008110-00000000000BA703") == 41.5
        assert close(metric(daemon, "ibackupmon_battery_current_amperes",
                            "00008110-00000000000BA704"), -0.12)
        assert metric(daemon, "ibackupmon_charger_watts", "00008110-00000000000BA703") == 12
        assert metric(daemon, "ibackupmon_charger_watts", "00008110-00000000000BA709") is None
        assert metric(daemon, "ibackupmon_condition_active",
                      "00008110-00000000000BA705") is not None

        # The stale device's fix follows the evidence: iCloud on, Wi-Fi associated, on power.
        stale9 = by["00008110-00000000000BA708"]
        fix = next(c for c in stale9["conditions"] if c["id"] == "backup_stale")["fix"]
        assert "Left out: step 1 (iCloud Backup is on); step 2 (Wi-Fi seen associated); " \
               "step 3 (on external power)." in fix, fix
        assert "3. Connect to power" not in fix, fix
        fix2 = next(c for c in stale2d["conditions"] if c["id"] == "backup_stale")["fix"]
        assert "3. Connect to power" in fix2, fix2  # unplugged: step 3 stays

        # Health is recorded in 1-point bands, the cycle count as read.
        r = subprocess.run([os.environ["CTL"], "history", u, "--json", "--db", daemon.db],
                           capture_output=True, timeout=30)
        assert r.returncode == 0, r.stderr
        changes = [o["changes"] for o in json.loads(r.stdout)["observations"]]
        assert any(c.get("battery_health_pct") == 75 and c.get("battery_cycle_count") == 1204
                   for c in changes), changes
        assert not any("temperature" in k for c in changes for k in c), changes

        # One grouped mail: summary first, worst first, the nine steps at most once.
        mail = sink.wait_mails(1, "grouped mail of the stale devices", timeout=90)[0]
        assert not mail.defects(), mail.defects()
        text, html = mail.text.replace("\r\n", "\n"), mail.html.replace("\r\n", "\n")
        assert text.startswith("Summary, worst first:\n"), text[:400]
        summary = text.split("\n\n", 1)[0].splitlines()[1:]
        assert len(summary) == 3, summary
        assert summary[0].strip().startswith("critical | Stale 12d"), summary
        assert summary[1].strip().startswith("critical | Stale 9d"), summary
        assert summary[2].strip().startswith("warning | Stale 2d unplugged"), summary
        steps = [  # core/backup_steps.h
            "Turn on iCloud Backup (Settings > [name] > iCloud > iCloud Backup).",
            "Join Wi-Fi, and keep the device in range of the access point.",
            "Connect to power with a working cable (charging symbol visible).",
            "Free iCloud storage (delete old app backups in Manage Storage) or upgrade the plan.",
            "Check Apple's System Status page for an \"iCloud Backup\" outage.",
            "Sign out of iCloud and back in (fixes verification problems).",
            "Restart the device.",
            "Reset all settings (Settings > General > Reset; keeps data, loses Wi-Fi passwords).",
            "Update iOS (Settings > General > Software Update)."]
        assert "do first: Apple's iCloud step 4: Free iCloud storage" in summary[0], summary
        assert "do first: Apple's iCloud step 3: Connect to power" in summary[2], summary
        for step in steps:
            assert text.count(step) <= 1, f"{step!r} {text.count(step)} times:\n{text}"
            escaped = step.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") \
                .replace('"', "&quot;").replace("'", "&#39;")
            assert html.count(escaped) <= 1, f"{step!r} in HTML {html.count(escaped)} times"
        assert "Apple's iCloud steps" in text, text
        assert "<table style=" in html and "<script" not in html and "<img" not in html
        assert len(text) < 8_000, len(text)  # three devices; seven used to take 14 KB
    print("ok: daemon_battery")


if __name__ == "__main__":
    main()
